"""Where the calibrated status quo spends its euros: spending, cases and euros per case by type.

The spending targets (``calibration/targets/targets.yaml``) fix totals: HzE and §41
per under-21, §35a, §31, and held out §27.2 and the share of foster and residential
care. When a total is missed, this table says in which help types the euros are
missing: for each help type the posterior draws' spending per under-21, counted
cases per 10,000 under-21 (stock on 1 January plus helps begun in the year, as the
targets count) and spending per counted case, each as the median and 90 % interval
over the draws (one run per draw, seed = draw number + 1, as a batch runs it).

Run: ``python -m calibration.spending [--draws 40] [--scale 1.0]``.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from calibration.report import posterior_results
from calibration.targets import yearly_figures

DEFAULT_FILE = Path(__file__).resolve().parent / "posterior" / "lueneburg-v1.yaml"
"""The shipped Lüneburg calibration."""


@dataclass(frozen=True)
class TypeRow:
    """One help type: (median, 5 %, 95 %) over the posterior draws of three figures."""

    code: str
    eur_per_u21: tuple[float, float, float]
    cases_per_10k: tuple[float, float, float]
    eur_per_case: tuple[float, float, float]


def help_codes(results: pd.DataFrame) -> list[str]:
    """The help types a run reports spending for, in the run's order."""
    names = results["metric"].drop_duplicates()
    return [m.removeprefix("spent_help_") for m in names if m.startswith("spent_help_")]


def run_figures(results: pd.DataFrame, codes: list[str]) -> np.ndarray:
    """Per help type: (EUR per under-21, cases per 10,000 under-21, EUR per case) of one run.

    Means over the run's reported years; a type without counted cases has NaN per case.
    """
    metrics = {"under21"} | {f"spent_help_{c}" for c in codes} | {f"cases_{c}" for c in codes}
    y = yearly_figures(results, metrics)
    u21 = y["under21"]
    out = np.empty((len(codes), 3))
    for j, c in enumerate(codes):
        spent, cases = y[f"spent_help_{c}"], y[f"cases_{c}"]
        out[j, 0] = float(np.mean(spent / u21))
        out[j, 1] = float(np.mean(cases / u21)) * 1e4
        total_cases = float(cases.sum())
        out[j, 2] = float(spent.sum()) / total_cases if total_cases > 0 else np.nan
    return out


def spending_by_type(
    calibration_file: str | Path = DEFAULT_FILE,
    *,
    draws: int = 40,
    scale: float = 1.0,
    years: int | None = None,
    workers: int = 2,
) -> list[TypeRow]:
    """The table of the module docstring for the first ``draws`` posterior draws."""
    frames = [
        f
        for f in posterior_results(
            calibration_file, draws=draws, scale=scale, years=years, workers=workers
        )
        if f is not None
    ]
    if not frames:
        raise RuntimeError("no posterior run finished")
    codes = help_codes(frames[0])
    figures = np.stack([run_figures(f, codes) for f in frames])  # draws × types × 3

    def band(col: np.ndarray) -> tuple[float, float, float]:
        col = col[np.isfinite(col)]
        if col.size == 0:
            return (np.nan, np.nan, np.nan)
        q05, med, q95 = np.quantile(col, [0.05, 0.5, 0.95])
        return (float(med), float(q05), float(q95))

    return [
        TypeRow(c, band(figures[:, j, 0]), band(figures[:, j, 1]), band(figures[:, j, 2]))
        for j, c in enumerate(codes)
    ]


def _de(x: float, digits: int = 1) -> str:
    if not np.isfinite(x):
        return "–"
    text = f"{x:,.{digits}f}"
    return text.replace(",", "X").replace(".", ",").replace("X", ".")


def _band(figure: tuple[float, float, float], digits: int = 1) -> str:
    if not np.isfinite(figure[1]):
        return "–"
    return f"{_de(figure[1], digits)}–{_de(figure[2], digits)}"


def table_markdown(rows: list[TypeRow]) -> str:
    """The table in German (Markdown), as in ODD section 9."""
    lines = [
        "| Hilfeart | € je unter 21 | 90 % | Fälle je 10.000 u21 | € je gezähltem Fall | 90 % |",
        "|---|---|---|---|---|---|",
    ]
    for r in rows:
        e, c, p = r.eur_per_u21, r.cases_per_10k, r.eur_per_case
        lines.append(
            f"| §{r.code.replace('_', '.')} | {_de(e[0])} | {_band(e)} | "
            f"{_de(c[0])} | {_de(p[0], 0)} | {_band(p, 0)} |"
        )
    total = sum(r.eur_per_u21[0] for r in rows)
    lines.append(f"| Summe der Mediane | {_de(total)} | | | | |")
    return "\n".join(lines)


def main() -> None:
    """Print the table for the shipped (or the given) calibration file."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--file", default=str(DEFAULT_FILE))
    ap.add_argument("--draws", type=int, default=40)
    ap.add_argument("--scale", type=float, default=1.0)
    ap.add_argument("--workers", type=int, default=2)
    args = ap.parse_args()
    rows = spending_by_type(args.file, draws=args.draws, scale=args.scale, workers=args.workers)
    print(table_markdown(rows))


if __name__ == "__main__":
    main()
