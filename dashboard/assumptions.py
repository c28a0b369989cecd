"""What the compared scenarios assume, in German: levers, other parameters, uncertainties.

For the briefing's section *Annahmen*: the declared levers whose values differ
between the compared scenarios (:func:`lever_differences`), every other parameter
that differs (:func:`other_differences`), the declared uncertainties with
distribution, range and reason (:func:`uncertainty_rows`) and every value in the
unit of the scenario files (:func:`format_quantity`: ``70 %``, ``2.233.000 € je
Jahr``). Scenarios are library scenarios by exact name; a stored name without a
library file has no assumptions (``None``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from dashboard.library import library_scenario
from results import CHOICE_LABELS, DISTRIBUTION_LABELS, SCENARIO_UNIT_LABELS
from scenarios import (
    Scenario,
    ScenarioError,
    expand_path,
    fmt_eur,
    fmt_num,
    fmt_pct,
    is_quantity_node,
)

_SKIP_KEYS = {
    "name",
    "title",
    "description",
    "levers",
    "uncertainties",
    "outcomes",
    "municipalities_file",
    "help_types_file",
    "extends",
}
"""Top-level keys of a scenario document that are not parameters."""


def _plain_num(x: float) -> str:
    """A parameter value with as many decimals as it has (up to four), German."""
    text = f"{float(x):.4f}".rstrip("0").rstrip(".")
    decimals = len(text.split(".")[1]) if "." in text else 0
    return fmt_num(float(x), decimals)


def format_quantity(x: Any, unit: str | None) -> str:
    """A parameter value in its unit of the scenario files, German.

    Args:
        x: The value (number, text or bool).
        unit: Unit as declared in the scenario (``share``, ``EUR/year`` …) or None.

    Returns:
        For example ``70 %``, ``2.233.000 € je Jahr``, ``75,00 € je FLS``.
    """
    if isinstance(x, bool) or not isinstance(x, int | float):
        return str(x)
    value = float(x)
    if unit == "share":
        return fmt_pct(value, 0 if abs(value * 100 - round(value * 100)) < 1e-9 else 1)
    if unit == "EUR/year":
        return f"{fmt_eur(value)} je Jahr"
    if unit and unit.startswith("EUR/"):
        return f"{fmt_eur(value, 2)} je {unit.split('/', 1)[1]}"
    if unit == "EUR":
        return fmt_eur(value)
    if unit == "year":
        return str(int(value))
    suffix = SCENARIO_UNIT_LABELS.get(unit or "", unit or "")
    return f"{_plain_num(value)} {suffix}".strip()


def _range_text(low: float, high: float, unit: str | None) -> str:
    """``-0,02 bis 0,04 je Jahr (Bedarfsskala)``: the unit once, after the range."""
    lo, hi = format_quantity(low, unit), format_quantity(high, unit)
    suffix_lo = lo.split(" ", 1)[1] if " " in lo else ""
    suffix_hi = hi.split(" ", 1)[1] if " " in hi else ""
    if suffix_lo and suffix_lo == suffix_hi and unit not in ("share", "EUR", "EUR/year"):
        return f"{lo.split(' ', 1)[0]} bis {hi}"
    return f"{lo} bis {hi}"


def load_named(name: str) -> Scenario | None:
    """The library scenario of a stored name, or None (never a file of another name)."""
    try:
        return library_scenario(name)
    except (ScenarioError, OSError, ValueError):
        return None


def _leaves(node: Any, prefix: str = "") -> dict[str, Any]:
    """Flatten a scenario document to dotted path → value (quantities unwrapped)."""
    if is_quantity_node(node):
        return {prefix: node["value"]}
    if isinstance(node, Mapping):
        out: dict[str, Any] = {}
        for k, v in node.items():
            if not prefix and k in _SKIP_KEYS:
                continue
            out.update(_leaves(v, f"{prefix}.{k}" if prefix else str(k)))
        return out
    if isinstance(node, list):
        out = {}
        for i, v in enumerate(node):
            out.update(_leaves(v, f"{prefix}.{i}"))
        return out
    return {prefix: node}


def _lever_value(sc: Scenario, parameter: str) -> str:
    paths = expand_path(sc.doc, parameter) if "*" in parameter else [parameter]
    texts = []
    for path in paths:
        try:
            v = sc.value_at(path)
        except (KeyError, IndexError, TypeError, ValueError, ScenarioError):
            v = None
        if v is None:
            texts.append("–")
        elif parameter in CHOICE_LABELS:
            texts.append(CHOICE_LABELS[parameter].get(str(v), str(v)))
        else:
            texts.append(format_quantity(v, sc.units.get(path)))
    if len(set(texts)) == 1:
        return texts[0] if texts else "–"
    regions = [p.split(".")[1] if p.startswith("regions.") else p for p in paths]
    return "; ".join(f"{r}: {t}" for r, t in zip(regions, texts, strict=True))


def lever_differences(loaded: Mapping[str, Scenario | None]) -> list[tuple[str, list[str]]]:
    """Declared levers whose values differ between the compared scenarios.

    Args:
        loaded: Scenario name → loaded scenario (None if its file is missing).

    Returns:
        (German lever label, value per scenario in the order of ``loaded``).
    """
    present = [sc for sc in loaded.values() if sc is not None]
    levers: dict[str, str] = {}
    for sc in present:
        for lever in sc.levers:
            levers.setdefault(lever.parameter, lever.label)
    out = []
    for parameter, label in levers.items():
        values = [_lever_value(sc, parameter) if sc else "–" for sc in loaded.values()]
        if len(set(values)) > 1:
            out.append((label, values))
    return out


def other_differences(
    loaded: Mapping[str, Scenario | None], exclude: Iterable[str]
) -> list[tuple[str, list[str]]]:
    """Parameters other than declared levers whose values differ (dotted paths).

    Args:
        loaded: Scenario name → loaded scenario.
        exclude: Lever parameter paths (wildcards allowed) to leave out.

    Returns:
        (dotted path, value per scenario), sorted by path.
    """
    present = {n: sc for n, sc in loaded.items() if sc is not None}
    if len(present) < 2:
        return []
    flat = {n: _leaves(dict(sc.doc)) for n, sc in present.items()}
    patterns = [p.split(".") for p in exclude]

    def excluded(path: str) -> bool:
        parts = path.split(".")
        return any(
            len(p) == len(parts) and all(a in ("*", b) for a, b in zip(p, parts, strict=True))
            for p in patterns
        )

    paths = sorted({p for f in flat.values() for p in f} - {""})
    out = []
    for path in paths:
        if excluded(path):
            continue
        raw = [flat[n].get(path) if n in flat else None for n in loaded]
        if len({repr(v) for v in raw}) > 1:
            units = [present[n].units.get(path) if n in present else None for n in loaded]
            texts = [
                "–" if v is None else format_quantity(v, u) for v, u in zip(raw, units, strict=True)
            ]
            out.append((path, texts))
    return out


def uncertainty_rows(loaded: Mapping[str, Scenario | None]) -> list[dict[str, str]]:
    """The declared uncertainties (deduplicated), with range and reason in German."""
    seen: dict[tuple, dict[str, Any]] = {}
    for name, sc in loaded.items():
        if sc is None:
            continue
        for u in sc.uncertainties:
            key = (u.parameter, u.distribution, u.low, u.high, u.mode, u.sd, u.unit)
            entry = seen.setdefault(key, {"u": u, "in": []})
            entry["in"].append(name)
    present = [n for n, sc in loaded.items() if sc is not None]
    rows = []
    for entry in seen.values():
        u = entry["u"]
        dist = DISTRIBUTION_LABELS.get(u.distribution, u.distribution)
        span = _range_text(u.low, u.high, u.unit)
        if u.distribution == "triangular" and u.mode is not None:
            spread = f"{dist}, {span}, am wahrscheinlichsten {format_quantity(u.mode, u.unit)}"
        elif u.distribution == "normal" and u.sd is not None:
            spread = (
                f"{dist} um den Szenariowert, Standardabweichung "
                f"{format_quantity(u.sd, u.unit)}, begrenzt auf {span}"
            )
        else:
            spread = f"{dist}, {span}"
        reason = (
            f"Quelle: {u.source}"
            if u.source
            else f"Annahme: {u.assumption}"
            if u.assumption
            else "–"
        )
        if len(entry["in"]) < len(present):
            reason += f" (nur in: {', '.join(entry['in'])})"
        rows.append({"label": u.label, "spread": spread, "reason": reason})
    return rows


__all__ = [
    "format_quantity",
    "lever_differences",
    "load_named",
    "other_differences",
    "uncertainty_rows",
]
