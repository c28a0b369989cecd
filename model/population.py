"""Synthetic families from municipality populations (no personal data).

Each municipality's population times the under-21 share gives the number of young
people to place. Families are drawn with a number of children from the published
distribution, the oldest child's age uniform in [0, 21) years and the siblings younger
by a random spacing; siblings not yet born become future births. Single parenthood
and SGB II receipt follow the region's indicator shares (SGB II more likely for single
parents), and a small share of families carry the §35a trait. Every family also gets
an individual need level (its resources).

References:
    Destatis (2011, 2022) family structure; see the scenario files for each figure.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from model.params import ModelParams

MAX_CHILDREN = 6
"""Children per family the table can hold (the distribution's tail is capped here)."""
AGE_LIMIT_MONTHS = 21 * 12
"""Children leave the model on their 21st birthday."""


@dataclass
class NewFamilies:
    """Attributes of families to be placed in the table (one row per family)."""

    region: np.ndarray
    municipality: np.ndarray
    child_age: np.ndarray
    births_left: np.ndarray
    next_birth: np.ndarray
    single_parent: np.ndarray
    sgb2: np.ndarray
    disability: np.ndarray
    trait: np.ndarray


def municipality_table(params: ModelParams) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Region index and scaled population per municipality.

    Returns:
        (region index per municipality, scaled population per municipality, region
        index array of length n_regions for convenience).
    """
    regions, pops = [], []
    for r, region in enumerate(params.regions):
        for m in region.municipalities:
            regions.append(r)
            pops.append(m.population * params.scale)
    return (
        np.array(regions, dtype=np.int16),
        np.array(pops, dtype=float),
        np.arange(len(params.regions)),
    )


def draw_families(
    params: ModelParams,
    n: int,
    municipality: np.ndarray,
    rng: np.random.Generator,
    newborn: bool,
) -> NewFamilies:
    """Draw ``n`` families living in the given municipalities.

    Per-family rule: draw the planned number of children k from the children
    distribution; if ``newborn`` the first child is 0 months old, otherwise the oldest
    child is uniform in [0, 21) years; each further child is younger by a spacing drawn
    uniformly from ``child_spacing_months``; a child with a negative age is a future
    birth. Single parent with the region's share; SGB II with a probability such that
    single parents are ``sgb2_single_parent_ratio`` times as likely and the region's
    share holds on average; §35a trait with ``disability_share``; need level deviation
    ``trait_sd`` times a Student-t variate with ``trait_df`` degrees of freedom
    (standard normal if ``trait_df`` is 0).

    Args:
        params: Run parameters.
        n: Number of families.
        municipality: Municipality index per family (length n).
        rng: The population or demography stream.
        newborn: Whether families are founded by a birth now (arrivals) rather than
            drawn at any stage (initial synthesis).

    Returns:
        The new families' attributes.
    """
    pop = params.population
    mun_region, _, _ = municipality_table(params)
    region = mun_region[municipality]
    probs = np.asarray(pop.children_distribution, dtype=float)
    probs = np.concatenate([probs, np.zeros(max(0, MAX_CHILDREN - probs.size))])[:MAX_CHILDREN]
    probs[-1] += 1.0 - probs.sum()
    k = 1 + np.searchsorted(np.cumsum(probs), rng.random(n), side="right")
    k = np.minimum(k, MAX_CHILDREN)
    lo, hi = pop.child_spacing_months
    spacing = rng.integers(lo, hi + 1, size=(n, MAX_CHILDREN))
    spacing[:, 0] = 0
    oldest = np.zeros(n, dtype=np.int64) if newborn else rng.integers(0, AGE_LIMIT_MONTHS, size=n)
    ages = oldest[:, None] - np.cumsum(spacing, axis=1)
    slot = np.arange(MAX_CHILDREN)[None, :]
    planned = slot < k[:, None]
    born = planned & (ages >= 0)
    child_age = np.where(born, ages, -1).astype(np.int16)
    unborn = planned & (ages < 0)
    births_left = unborn.sum(axis=1).astype(np.int8)
    # months until the next birth: the youngest future child's negative age (closest to 0)
    next_birth = np.where(unborn, -ages, np.iinfo(np.int16).max).min(axis=1)
    next_birth = np.where(births_left > 0, next_birth, 0).astype(np.int16)

    single_share = np.array([r.single_parent_share for r in params.regions])[region]
    sgb2_share = np.array([r.sgb2_share for r in params.regions])[region]
    single = rng.random(n) < single_share
    ratio = pop.sgb2_single_parent_ratio
    p_base = sgb2_share / (1.0 - single_share + ratio * single_share)
    p_sgb2 = np.clip(np.where(single, ratio * p_base, p_base), 0.0, 1.0)
    sgb2 = rng.random(n) < p_sgb2
    disability = rng.random(n) < pop.disability_share
    df = params.need.trait_df
    shape = rng.standard_t(df, size=n) if df > 0 else rng.standard_normal(n)
    trait = params.need.trait_sd * shape
    return NewFamilies(
        region=region.astype(np.int16),
        municipality=municipality.astype(np.int16),
        child_age=child_age,
        births_left=births_left,
        next_birth=next_birth,
        single_parent=single,
        sgb2=sgb2,
        disability=disability,
        trait=trait,
    )


def initial_families(params: ModelParams, rng: np.random.Generator) -> NewFamilies:
    """Synthesise the whole population at the start of a run.

    Per municipality, families are drawn until their children under 21 reach the
    municipality's population times ``under21_share``.

    Args:
        params: Run parameters.
        rng: The population stream.

    Returns:
        All families of all municipalities.
    """
    _, mun_pop, _ = municipality_table(params)
    target_children = mun_pop * params.population.under21_share
    probs = np.asarray(params.population.children_distribution, dtype=float)
    mean_children = float((np.arange(1, probs.size + 1) * probs).sum())
    estimate = np.ceil(target_children / max(mean_children * 0.6, 1e-9)).astype(np.int64) + 8
    municipality = np.repeat(np.arange(mun_pop.size), estimate)
    drawn = draw_families(params, municipality.size, municipality, rng, newborn=False)
    current = (drawn.child_age >= 0).sum(axis=1)
    keep = np.zeros(municipality.size, dtype=bool)
    start = 0
    for m, count in enumerate(estimate):
        stop = start + int(count)
        cum = np.cumsum(current[start:stop])
        n_keep = int(np.searchsorted(cum, target_children[m], side="left")) + 1
        keep[start : start + min(n_keep, int(count))] = True
        start = stop
    return NewFamilies(**{f: getattr(drawn, f)[keep] for f in NewFamilies.__dataclass_fields__})
