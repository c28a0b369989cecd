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

from model.params import POTS

KINDS: tuple[str, ...] = ("case", "office", "project", "flat", "bonus", "malus")


def _column(x: np.ndarray | int, n: int) -> np.ndarray:
    """An int64 key column of length ``n`` (a scalar is repeated)."""
    a = np.asarray(x, dtype=np.int64)
    return a if a.shape == (n,) else np.broadcast_to(a, (n,))


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
        self._cols: dict[str, list[np.ndarray]] = {
            k: [] for k in ("month", "region", "pot", "item", "provider", "kind", "cents")
        }

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
        provider = _column(provider, n) + 1
        n_items = max(len(self.items), int(item.max()) + 1)
        n_prov = len(self.providers) + 1
        combined = ((region * len(POTS) + pot) * n_items + item) * n_prov + provider
        uniq, inverse = np.unique(combined, return_inverse=True)
        sums = np.bincount(inverse.ravel(), weights=cents, minlength=uniq.size)
        sums = np.rint(sums).astype(np.int64)
        if np.abs(cents).sum() >= 2**52:  # beyond exact float sums: add as integers
            sums = np.zeros(uniq.size, dtype=np.int64)
            np.add.at(sums, inverse.ravel(), cents)
        prov_k = uniq % n_prov
        rest = uniq // n_prov
        item_k = rest % n_items
        rest = rest // n_items
        keys = np.stack([rest // len(POTS), rest % len(POTS), item_k, prov_k - 1])
        self._append(month, keys, sums, kind)

    def _append(self, month: int, keys: np.ndarray, sums: np.ndarray, kind: str) -> None:
        """Add aggregated lines (keys: region, pot, item, provider rows)."""
        np.add.at(self.running, (keys[0], keys[1]), sums)
        m = keys.shape[1]
        self._cols["month"].append(np.full(m, month, dtype=np.int32))
        self._cols["region"].append(keys[0].astype(np.int16))
        self._cols["pot"].append(keys[1].astype(np.int8))
        self._cols["item"].append(keys[2].astype(np.int32))
        self._cols["provider"].append(keys[3].astype(np.int32))
        self._cols["kind"].append(np.full(m, KINDS.index(kind), dtype=np.int8))
        self._cols["cents"].append(sums)

    def arrays(self) -> dict[str, np.ndarray]:
        """All bookings as concatenated arrays (codes, not names)."""
        out = {}
        for k, parts in self._cols.items():
            out[k] = np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)
        return out

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
