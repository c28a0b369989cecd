"""Allocation keys: how the Jugendamt splits each pot between regions.

* ``population``: by the regions' share of the under-21 population.
* ``sozialraumindex``: by the Jugendeinwohnerwert, the under-21 population weighted
  by a Sozialraumindex of social indicators (Ulm, Anlage 3). HzE case numbers are
  deliberately not an indicator: otherwise many helps would raise a region's budget,
  which would raise the number of helps (Anlage 3).
* ``history``: by last year's spending share in the same pot (for regional budget 2
  what the region's helps cost it, including the part the central budget paid once
  the region's money was used up). In the first reported
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


# =========================================================================== office quota


def quota_shares(
    population: np.ndarray,
    indicators: list[dict[str, float]],
    weights: dict[str, float],
) -> np.ndarray:
    """Quota of the sozialraum funds per Sozialraum by social burden indicators.

    Each Sozialraum's population weighted by its index
    ``1 + sum of weight × (indicator / mean indicator − 1)`` (the mean weighted by
    population, the index cut at 0), normalised to sum 1: the Jugendeinwohnerwert of
    :func:`sozialraumindex` for Sozialräume instead of regions (Lüneburg, Vorlage
    2025/124: "sozialräumliche Belastungsindikatoren"). The under-21 share is the same
    in every municipality of a scenario, so population stands for the under-21s.

    >>> quota_shares(np.array([100.0, 100.0]), [{"sgb2_share": 0.2}, {"sgb2_share": 0.1}],
    ...              {"sgb2_share": 1.0}).round(3).tolist()
    [0.667, 0.333]

    Args:
        population: Inhabitants per Sozialraum.
        indicators: Per Sozialraum, indicator name → value.
        weights: Index weight per indicator (names of :data:`INDICATORS`).

    Returns:
        Non-negative shares per Sozialraum that sum to 1.

    Raises:
        ValueError: For an unknown indicator or one a Sozialraum lacks.
    """
    pop = np.asarray(population, dtype=float)
    w_pop = pop / max(float(pop.sum()), 1e-12)
    idx = np.ones(pop.size)
    for name, w in weights.items():
        if name not in INDICATORS:
            raise ValueError(f"unknown indicator {name!r}")
        missing = [i for i, ind in enumerate(indicators) if name not in ind]
        if missing:
            raise ValueError(f"Sozialraum {missing[0]} has no value for {name!r}")
        values = np.array([ind[name] for ind in indicators], dtype=float)
        mean = float((values * w_pop).sum())
        if mean > 0:
            idx += w * (values / mean - 1.0)
    weight = pop * np.maximum(idx, 0.0)
    if weight.sum() <= 0:
        weight = pop if pop.sum() > 0 else np.ones(pop.size)
    return weight / weight.sum()


def quota_deficits(
    total_cents: int,
    shares: np.ndarray,
    before_cents: np.ndarray,
    compensated: np.ndarray,
) -> np.ndarray:
    """Cents per Sozialraum that a compensated Sozialraum lacks to its old budget.

    A compensated Sozialraum loses if the quota's share of the total is less than its
    old budget (``q_s T < b_s``). The deficits ``D_s`` of the losing ones are taken off
    the top before the quota splits the rest, so that one that receives its full
    deficit gets exactly its old budget: ``q_s (T − D) + D_s = b_s`` with
    ``D = Σ D_s``, solved in closed form ``D = Σ (b_s − q_s T) / (1 − Σ q_s)`` over the
    losing Sozialräume. Compensated Sozialräume that do not lose get no deficit; the
    deficits never exceed the total (they are cut in proportion).

    >>> quota_deficits(1000, np.array([0.5, 0.5]), np.array([600, 400]),
    ...                np.array([True, False])).tolist()
    [200, 0]

    Args:
        total_cents: The year's sozialraum funds (cents).
        shares: The quota per Sozialraum (sum 1).
        before_cents: Old budget per Sozialraum (cents).
        compensated: Which Sozialräume are compensated.

    Returns:
        Whole cents per Sozialraum, >= 0, summing to at most ``total_cents``.
    """
    q_ = np.asarray(shares, dtype=float)
    b = np.asarray(before_cents, dtype=float)
    total = float(max(total_cents, 0))
    losing = np.asarray(compensated, dtype=bool) & (b > q_ * total)
    if not losing.any():
        return np.zeros(q_.size, dtype=np.int64)
    q_l = float(q_[losing].sum())
    big_d = total
    if q_l < 1.0 - 1e-12:
        big_d = min((float(b[losing].sum()) - q_l * total) / (1.0 - q_l), total)
    d = np.where(losing, b - q_ * (total - big_d), 0.0)
    cents = np.rint(d).astype(np.int64)
    if cents.sum() > max(total_cents, 0):
        cents = split_cents(max(int(total_cents), 0), d)
    return cents


def office_split(
    total_cents: int,
    shares: np.ndarray,
    deficits_cents: np.ndarray,
    compensation_share: float,
    bound_share: float,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """One year's sozialraum funds per Sozialraum: bound budget and regional budget 1.

    The deficits come off the top (:func:`quota_deficits`); the rest is split by the
    quota, and of each Sozialraum's part ``bound_share`` is its office's bound
    budget, the rest goes to regional budget 1 of its region. Of each deficit the
    share ``compensation_share`` is paid to the office (bound budget), the rest
    ("freed") goes to regional budget 1 of its region. Whole cents; the parts add up
    exactly to ``total_cents``.

    >>> [x.tolist() for x in office_split(1000, np.array([0.5, 0.5]), np.array([200, 0]),
    ...                                   0.75, 1.0)]
    [[550, 400], [50, 0], [150, 0], [50, 0]]

    Args:
        total_cents: The year's sozialraum funds (cents).
        shares: The quota per Sozialraum (sum 1).
        deficits_cents: Deficit per Sozialraum (cents, from the first quota year).
        compensation_share: Share of each deficit paid to its office this year (0..1).
        bound_share: Share of the quota money that forms the bound budget (0..1).

    Returns:
        ``(bound, regional_1, compensation, freed)`` cents per Sozialraum.
    """
    total = max(int(total_cents), 0)
    deficits = np.asarray(deficits_cents, dtype=np.int64)
    if deficits.sum() > total:  # a budget cut below the deficits: cut them in proportion
        deficits = split_cents(total, deficits.astype(float))
    quota = split_cents(total - int(deficits.sum()), shares)
    bound = np.rint(quota * min(max(bound_share, 0.0), 1.0)).astype(np.int64)
    comp = np.rint(deficits * min(max(compensation_share, 0.0), 1.0)).astype(np.int64)
    freed = deficits - comp
    return bound + comp, quota - bound + freed, comp, freed
