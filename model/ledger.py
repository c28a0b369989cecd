"""The ledger: every euro the Kreis pays or receives, booked in integer cents.

A booking line carries month, region, pot, item (help type code or project id),
provider and kind. Bookings are vectorised: one call books many lines. Overspending
is booked like any other spending; the ledger never refuses a booking.

Kinds:
    ``case``: payment for a help (per FLS or per day); ``office``: Sozialraumbüro
    funding (bound budget); ``project``: prevention project (regional budget 1);
    ``flat``: flat-budget instalment to a Sozialraumträger; ``bonus``: incentive paid
    to providers; ``malus``: incentive charged to providers (negative amount).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from model import kernels
from model.params import POTS

KINDS: tuple[str, ...] = ("case", "office", "project", "flat", "bonus", "malus")

COLUMNS: dict[str, type] = {
    "month": np.int32,
    "region": np.int16,
    "pot": np.int8,
    "item": np.int32,
    "provider": np.int32,
    "kind": np.int8,
    "cents": np.int64,
}
"""The columns of a booking line and their types in :meth:`Ledger.arrays`."""


def _column(x: np.ndarray | int, n: int) -> np.ndarray:
    """An int64 key column of length ``n`` (a scalar is repeated)."""
    a = np.asarray(x, dtype=np.int64)
    return a if a.shape == (n,) else np.full(n, a, dtype=np.int64)


class Ledger:
    """Append-only columnar booking journal.

    Args:
        regions: Region names (index order).
        providers: Provider names (index order; -1 means none).
    """

    def __init__(self, regions: tuple[str, ...], providers: list[str]) -> None:
        self.regions = regions
        self.running = np.zeros((len(regions), len(POTS)), dtype=np.int64)
        """Cents booked per (region, pot) since the last :meth:`reset_running`."""
        self.providers = providers
        self.items: list[str] = []
        self._item_index: dict[str, int] = {}
        self._chunks: list[np.ndarray] = []
        """Booked lines, one (7, lines) int64 block per booking (rows: :data:`COLUMNS`)."""

    def reset_running(self) -> None:
        """Start a new running total (at the start of a budget year)."""
        self.running[:] = 0

    def item_id(self, name: str) -> int:
        """Index of an item name, registering it on first use."""
        if name not in self._item_index:
            self._item_index[name] = len(self.items)
            self.items.append(name)
        return self._item_index[name]

    def book(
        self,
        month: int,
        region: np.ndarray | int,
        pot: np.ndarray | int,
        item: np.ndarray | int,
        provider: np.ndarray | int,
        kind: str,
        cents: np.ndarray | int,
    ) -> None:
        """Book one or many lines for an absolute month.

        Lines with the same keys are aggregated, so a month's case payments become
        one line per region, pot, help type and provider.

        Args:
            month: Absolute month index of the run (0 = first simulated month).
            region: Region index per line.
            pot: Pot index per line (see ``model.params.POTS``).
            item: Item index per line (see :meth:`item_id`).
            provider: Provider index per line (-1 for none).
            kind: One of :data:`KINDS`.
            cents: Amount per line in cents (negative for income).
        """
        cents = np.atleast_1d(np.asarray(cents, dtype=np.int64))
        n = cents.size
        if n == 0:
            return
        if n == 1:  # a single line (projects, one region): nothing to aggregate
            keys = np.array(
                [[int(np.asarray(x).reshape(-1)[0])] for x in (region, pot, item, provider)],
                dtype=np.int64,
            )
            self._append(month, keys, cents, kind)
            return
        region = _column(region, n)
        pot = _column(pot, n)
        item = _column(item, n)
        provider = _column(provider, n)
        n_items = max(len(self.items), int(item.max()) + 1)
        n_prov = len(self.providers) + 1
        # one line per combined key ((region·pots + pot)·items + item)·(providers + 1)
        # + provider + 1, in ascending key order, cents added as integers
        block = kernels.book_lines(
            month,
            KINDS.index(kind),
            region,
            pot,
            item,
            provider,
            cents,
            len(POTS),
            n_items,
            n_prov,
            self.running,
        )
        self._chunks.append(block)

    def _append(self, month: int, keys: np.ndarray, sums: np.ndarray, kind: str) -> None:
        """Add aggregated lines (keys: region, pot, item, provider rows)."""
        np.add.at(self.running, (keys[0], keys[1]), sums)
        block = np.empty((len(COLUMNS), keys.shape[1]), dtype=np.int64)
        block[0] = month
        block[1:5] = keys
        block[5] = KINDS.index(kind)
        block[6] = sums
        self._chunks.append(block)

    def arrays(self) -> dict[str, np.ndarray]:
        """All bookings as concatenated arrays (codes, not names)."""
        lines = (
            np.concatenate(self._chunks, axis=1)
            if self._chunks
            else np.zeros((len(COLUMNS), 0), dtype=np.int64)
        )
        return {name: lines[i].astype(dtype) for i, (name, dtype) in enumerate(COLUMNS.items())}

    def frame(self, start_year: int, burn_in_months: int = 0) -> pd.DataFrame:
        """The ledger as a tidy DataFrame with names and calendar dates.

        Args:
            start_year: Calendar year of absolute month ``burn_in_months``.
            burn_in_months: Months before the first reported month; their bookings
                are dropped.

        Returns:
            Columns year, month (1-12), region, pot, item, provider, kind, cents.
        """
        a = self.arrays()
        keep = a["month"] >= burn_in_months
        rel = a["month"][keep] - burn_in_months
        provider_names = np.array([*self.providers, ""], dtype=object)
        prov = a["provider"][keep].copy()
        prov[prov < 0] = len(self.providers)
        return pd.DataFrame(
            {
                "year": (start_year + rel // 12).astype(np.int32),
                "month": (rel % 12 + 1).astype(np.int32),
                "region": np.array(self.regions, dtype=object)[a["region"][keep]],
                "pot": np.array(POTS, dtype=object)[a["pot"][keep]],
                "item": np.array(self.items or [""], dtype=object)[a["item"][keep]],
                "provider": provider_names[prov],
                "kind": np.array(KINDS, dtype=object)[a["kind"][keep]],
                "cents": a["cents"][keep].astype(np.int64),
            }
        )
