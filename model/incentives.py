"""Incentive schemes behind one small interface.

A scheme answers two questions:

* :meth:`IncentiveScheme.savings_signal`: how strongly the providers delivering a
  help paid from a pot are rewarded for saving (0 = paid per hour, 1 = they keep
  every euro saved). Providers' behaviour (``ProviderParams.responsiveness``) turns
  the signal into shorter or cheaper helps; with signal 0 they lengthen helps paid
  per hour.
* :meth:`IncentiveScheme.incentive_payments` and :meth:`IncentiveScheme.settle`:
  what happens at the year-end closing with the balance (budget minus spending) of
  every region and pot: carried over, paid out as bonus, charged as malus, evened
  out between regions, or returned to the Kreis as the year's result.

The schemes: ``none`` (pay per case; balances go to the Kreis), ``retention`` (a
share of unspent regional budget 2 becomes next year's regional budget 1 of the same
region), ``bonus_malus`` (a share of the saving below a target corridor is paid to
the Sozialraumträger, a share of the overrun above it charged), ``flat`` (the
Sozialraumträger receives regional budget 2 as a flat budget in quarterly instalments
and carries the risk, Celle/Ulm style) and ``balancing`` (regional balances of the
chosen pots are evened out between regions before the rest goes to the Kreis, Ulm
§7.2).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from model.params import POTS, IncentiveParams

R1, R2 = POTS.index("regional_1"), POTS.index("regional_2")


@dataclass
class Closing:
    """Year-end closing of every (region, pot), in cents.

    Identity per region and pot: ``allocation + carry_in + transfer_in - transfer_out
    = spent + carry_out + result``, where ``spent`` includes bonus (positive) and
    malus (negative) bookings made at the closing.
    """

    allocation: np.ndarray
    carry_in: np.ndarray
    spent: np.ndarray
    transfer_in: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    transfer_out: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    carry_out: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    result: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    bonus: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    """Per region, cents paid as bonus (already part of ``spent``)."""
    malus: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    """Per region, cents charged as malus (already part of ``spent``, as a negative)."""
    next_carry_in: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    """Carry-in of next year per (region, pot)."""

    def __post_init__(self) -> None:
        shape = self.allocation.shape
        for name in ("transfer_in", "transfer_out", "carry_out", "result", "next_carry_in"):
            if getattr(self, name).size == 0:
                setattr(self, name, np.zeros(shape, dtype=np.int64))
        for name in ("bonus", "malus"):
            if getattr(self, name).size == 0:
                setattr(self, name, np.zeros(shape[0], dtype=np.int64))

    @property
    def available(self) -> np.ndarray:
        """Money available per (region, pot) after transfers."""
        return self.allocation + self.carry_in + self.transfer_in - self.transfer_out


class IncentiveScheme:
    """Base scheme: pay per case, every balance goes to the Kreis (``none``)."""

    name = "none"

    def __init__(self, params: IncentiveParams) -> None:
        self.params = params

    def savings_signal(self, pot: int) -> float:
        """Reward for saving on helps paid from ``pot`` (0..1)."""
        return 0.0

    def flat_pots(self) -> tuple[int, ...]:
        """Pots paid to the Sozialraumträger as a flat budget."""
        return ()

    def incentive_payments(self, closing: Closing) -> tuple[np.ndarray, np.ndarray]:
        """Bonus and malus per region in cents, before the balances are settled."""
        n = closing.allocation.shape[0]
        return np.zeros(n, dtype=np.int64), np.zeros(n, dtype=np.int64)

    def settle(self, closing: Closing) -> None:
        """Set transfers, carry-overs and results from the balances (in place)."""
        closing.result = closing.available - closing.spent


class Retention(IncentiveScheme):
    """Share of unspent regional budget 2 kept by the region for next year's projects."""

    name = "retention"

    def savings_signal(self, pot: int) -> float:  # noqa: D102
        return self.params.retention_share if pot == R2 else 0.0

    def settle(self, closing: Closing) -> None:  # noqa: D102
        balance = closing.available - closing.spent
        kept = np.zeros_like(balance)
        surplus = np.maximum(balance[:, R2], 0)
        kept[:, R2] = np.floor(surplus * self.params.retention_share).astype(np.int64)
        closing.carry_out = kept
        closing.next_carry_in[:, R1] += kept[:, R2]
        closing.result = balance - kept


class BonusMalus(IncentiveScheme):
    """Bonus below and malus above a target corridor around regional budget 2."""

    name = "bonus_malus"

    def savings_signal(self, pot: int) -> float:  # noqa: D102
        p = self.params
        return min(1.0, p.bonus_share + p.malus_share) if pot == R2 else 0.0

    def incentive_payments(self, closing: Closing) -> tuple[np.ndarray, np.ndarray]:  # noqa: D102
        p = self.params
        budget = closing.available[:, R2].astype(float)
        spent = closing.spent[:, R2].astype(float)
        lower, upper = budget * (1 - p.corridor), budget * (1 + p.corridor)
        bonus = np.floor(np.maximum(lower - spent, 0) * p.bonus_share).astype(np.int64)
        malus = np.floor(np.maximum(spent - upper, 0) * p.malus_share).astype(np.int64)
        bonus[budget <= 0] = 0
        malus[budget <= 0] = 0
        return bonus, malus


class Flat(IncentiveScheme):
    """Flat Sozialraum budget: the Sozialraumträger carries the risk of regional budget 2."""

    name = "flat"

    def savings_signal(self, pot: int) -> float:  # noqa: D102
        return 1.0 if pot == R2 else 0.0

    def flat_pots(self) -> tuple[int, ...]:  # noqa: D102
        return (R2,)


class Balancing(IncentiveScheme):
    """Regional balances of some pots are evened out between regions (Ulm §7.2)."""

    name = "balancing"

    def settle(self, closing: Closing) -> None:  # noqa: D102
        for pot_name in self.params.balancing_pots:
            k = POTS.index(pot_name)
            balance = closing.available[:, k] - closing.spent[:, k]
            surplus = np.maximum(balance, 0)
            deficit = np.maximum(-balance, 0)
            moved = int(min(surplus.sum(), deficit.sum()))
            if moved == 0:
                continue
            closing.transfer_out[:, k] = _share_out(moved, surplus)
            closing.transfer_in[:, k] = _share_out(moved, deficit)
        closing.result = closing.available - closing.spent


def _share_out(total: int, weights: np.ndarray) -> np.ndarray:
    """Split ``total`` cents in proportion to ``weights`` exactly (largest remainder)."""
    w = weights.astype(float)
    raw = total * w / w.sum()
    base = np.floor(raw).astype(np.int64)
    rest = total - int(base.sum())
    if rest:
        order = np.argsort(-(raw - base), kind="stable")
        base[order[:rest]] += 1
    return base


SCHEMES: dict[str, type[IncentiveScheme]] = {
    "none": IncentiveScheme,
    "retention": Retention,
    "bonus_malus": BonusMalus,
    "flat": Flat,
    "balancing": Balancing,
}


def make_scheme(params: IncentiveParams) -> IncentiveScheme:
    """The scheme object for the parameters.

    Raises:
        ValueError: For an unknown scheme name.
    """
    try:
        return SCHEMES[params.scheme](params)
    except KeyError:
        raise ValueError(f"unknown incentive scheme {params.scheme!r}") from None
