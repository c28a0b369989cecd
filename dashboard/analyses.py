"""Stored analyses in German words: lever values, objective values, the latest of each kind.

Shared by the tab *Entscheidung* (:mod:`dashboard.pages.decision`) and the briefing's
sections *Welche Annahmen entscheiden?* and *Welche Aufteilungen sind am besten?*
(:mod:`dashboard.briefing`), so a candidate reads the same on the screen and on paper.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from dashboard.library import cached_scenario
from experiments import OBJECTIVES
from results import SCHEME_LABELS
from scenarios import ScenarioError, fmt_eur, fmt_num, fmt_pct


def objective_text(name: str, value: float) -> str:
    """An objective's value in German (euros, percent or a number).

    >>> objective_text("kosten_median", 1234567.4), objective_text("ueberschreitung", 0.25)
    ('1.234.567 €', '25 %')
    """
    objective = OBJECTIVES.get(name)
    kind = objective.kind if objective else "num"
    if kind == "eur":
        return fmt_eur(value)
    if kind == "pct":
        return fmt_pct(value, 0)
    return fmt_num(value, 1)


def lever_labels(scenario: str) -> dict[str, str]:
    """German label of each lever the library scenario declares (none if it is unknown)."""
    try:
        loaded = cached_scenario(scenario)
    except ScenarioError:
        return {}
    return {lever.parameter: lever.label for lever in loaded.levers}


def lever_texts(levers: Mapping[str, Any], labels: Mapping[str, str]) -> list[str]:
    """German lines of a candidate's lever values (shares in percent, schemes by name).

    >>> lever_texts({"budget.regional2_share": 0.2, "incentive.scheme": "none"},
    ...             {"budget.regional2_share": "Anteil RB2"})
    ['Anteil RB2: 20 %', 'incentive.scheme: kein Anreizsystem (Bezahlung je Fall)']
    """
    out = []
    for path, value in levers.items():
        label = labels.get(path, path)
        if path == "incentive.scheme":
            out.append(f"{label}: {SCHEME_LABELS.get(str(value), str(value))}")
        elif isinstance(value, int | float) and not isinstance(value, bool):
            shown = fmt_pct(value, 0) if 0 <= value <= 1 and "share" in path else fmt_num(value, 2)
            out.append(f"{label}: {shown}")
        elif value is not None:
            out.append(f"{label}: {value}")
    return out


def latest(
    analyses: pd.DataFrame,
    kind: str,
    scenarios: Sequence[str],
    baseline: str | None = None,
) -> Any:
    """The newest analysis of a kind about one of ``scenarios`` (with ``baseline`` first).

    Returns:
        Its row, or None.
    """
    if analyses.empty:
        return None
    rows = analyses[(analyses["kind"] == kind) & analyses["scenario"].isin(list(scenarios))]
    if baseline is not None:
        paired = rows[rows["baseline"].map(lambda b: b == baseline)]
        rows = paired if len(paired) else rows
    return rows.iloc[0] if len(rows) else None


def baseline_of(row: Any) -> str | None:
    """The baseline of a stored analysis, or None (the store's NULL reads as NaN).

    >>> import pandas as pd
    >>> baseline_of(pd.Series({"baseline": float("nan")})), baseline_of({"baseline": "a"})
    (None, 'a')
    """
    value = row["baseline"]
    return value if isinstance(value, str) and value else None


def dominance_text(variant: Mapping[str, Any]) -> str:
    """Whether a shipped variant is dominated by a candidate of the front (German)."""
    by = variant.get("dominated_by") or []
    if by:
        return "dominiert von Kandidat " + ", ".join(str(k) for k in by)
    return "von keinem Kandidaten dominiert"


__all__ = [
    "baseline_of",
    "dominance_text",
    "latest",
    "lever_labels",
    "lever_texts",
    "objective_text",
]
