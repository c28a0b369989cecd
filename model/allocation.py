"""Allocation keys: how the Jugendamt splits each pot between regions.

* ``population``: by the regions' share of the under-21 population.
* ``sozialraumindex``: by the Jugendeinwohnerwert, the under-21 population weighted
  by a Sozialraumindex of social indicators (Ulm, Anlage 3). HzE case numbers are
  deliberately not an indicator: otherwise many helps would raise a region's budget,
  which would raise the number of helps (Anlage 3).
* ``history``: by last year's spending share in the same pot. In the first reported
  year "last year" is the last burn-in year, i.e. the year before the reform (pots
  that had no spending then fall back to population).

Amounts are split in whole cents with the largest-remainder method, so the regional
allocations add up exactly to the pot.
"""

from __future__ import annotations

import numpy as np

from model.params import BudgetParams, Region

INDICATORS: tuple[str, ...] = (
    "sgb2_share",
    "single_parent_share",
    "migration_share",
    "unemployment_share",
)


def sozialraumindex(
    regions: tuple[Region, ...], under21: np.ndarray, weights: dict[str, float]
) -> np.ndarray:
    """Index per region: 1 + sum of weight × (indicator / mean indicator - 1).

    The mean is weighted by the under-21 population, so the Jugendeinwohnerwert of the
    whole Kreis equals its under-21 population.

    >>> from model.params import Region
    >>> a = Region("A", (), sgb2_share=0.2, single_parent_share=0.2)
    >>> b = Region("B", (), sgb2_share=0.1, single_parent_share=0.2)
    >>> sozialraumindex((a, b), np.array([100, 100]), {"sgb2_share": 1.0}).round(3).tolist()
    [1.333, 0.667]
    """
    idx = np.ones(len(regions))
    w_pop = under21 / max(under21.sum(), 1)
    for name, w in weights.items():
        if name not in INDICATORS:
            raise ValueError(f"unknown Sozialraumindex indicator {name!r}")
        values = np.array([getattr(r, name) for r in regions], dtype=float)
        mean = float((values * w_pop).sum())
        if mean > 0:
            idx += w * (values / mean - 1.0)
    idx = np.maximum(idx, 0.0)
    # renormalise so that the JEW of the Kreis equals its under-21 population
    return idx / max(float((idx * w_pop).sum()), 1e-12)


def jugendeinwohnerwert(
    regions: tuple[Region, ...], under21: np.ndarray, weights: dict[str, float]
) -> np.ndarray:
    """Under-21 population weighted by the Sozialraumindex, per region."""
    return under21 * sozialraumindex(regions, under21, weights)


def split_cents(total_cents: int, weights: np.ndarray) -> np.ndarray:
    """Split whole cents in proportion to weights; the parts add up exactly.

    >>> split_cents(100, np.array([1.0, 1.0, 1.0])).tolist()
    [34, 33, 33]
    """
    w = np.asarray(weights, dtype=float)
    if w.sum() <= 0:
        w = np.ones_like(w)
    raw = total_cents * w / w.sum()
    base = np.floor(raw).astype(np.int64)
    rest = int(total_cents - base.sum())
    if rest:
        order = np.argsort(-(raw - base), kind="stable")
        base[order[:rest]] += 1
    return base


def allocation_weights(
    budget: BudgetParams,
    regions: tuple[Region, ...],
    under21: np.ndarray,
    last_year_spent: np.ndarray | None,
) -> np.ndarray:
    """Weight of each region for one pot under the scenario's key.

    Args:
        budget: Budget parameters (key and index weights).
        regions: The regions.
        under21: Under-21 population per region.
        last_year_spent: Last year's spending per region in this pot, or None.

    Returns:
        Non-negative weights per region.
    """
    if budget.allocation_key == "population":
        return under21.astype(float)
    if budget.allocation_key == "sozialraumindex":
        return jugendeinwohnerwert(regions, under21, budget.index_weights)
    if budget.allocation_key == "history":
        if last_year_spent is None or last_year_spent.sum() <= 0:
            return under21.astype(float)
        return np.maximum(last_year_spent.astype(float), 0.0)
    raise ValueError(f"unknown allocation key {budget.allocation_key!r}")
