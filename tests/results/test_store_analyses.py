"""Analyses in the store: written in one transaction, replaced (not doubled) when redone."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from results import INDEX_COLUMNS, ResultsStore


def _indices(value: float) -> pd.DataFrame:
    return pd.DataFrame(
        [("total_spent", "need.base", "Bedarf", "ST", value, 0.1)], columns=list(INDEX_COLUMNS)
    )


def test_analysis_round_trip_and_replacement(tmp_path):
    path = tmp_path / "s.duckdb"
    with ResultsStore(path) as store:
        store.write_analysis(
            "a1", "sensitivity", "x", "y", ["b1"], {"n": 8}, {"ok": "ja"}, _indices(0.5)
        )
        store.write_analysis(
            "a1", "sensitivity", "x", "y", ["b1"], {"n": 8}, {"ok": "ja"}, _indices(0.7)
        )
        store.write_analysis("a2", "discover", "x", None, ["b2"], {}, {"boxes": []})
    with ResultsStore(path, read_only=True) as store:
        frame = store.analyses()
        assert sorted(frame["analysis_id"]) == ["a1", "a2"]
        one = frame.set_index("analysis_id").loc["a1"]
        assert one["settings"] == {"n": 8} and one["batch_ids"] == ["b1"]
        assert store.analyses("discover")["result"].tolist() == [{"boxes": []}]
        indices = store.sensitivity_indices("a1")
        assert indices["value"].tolist() == [0.7]  # replaced, not doubled


def test_regression_nan_in_an_analysis_is_refused_and_nothing_is_stored(tmp_path):
    """JSON has no NaN: an analysis with one is refused before anything is written."""
    path = tmp_path / "s.duckdb"
    with ResultsStore(path) as store:
        with pytest.raises(ValueError):
            store.write_analysis("a1", "discover", "x", None, [], {}, {"v": math.nan})
        assert store.analyses().empty
