"""Posterior predictive check and the German HTML calibration report.

Runs the calibrated scenario once per posterior draw (full scale by default; draw
``i`` with seed ``i + 1``, the seed a batch gives it), built with the batch's recipe
(:func:`experiments.run_spec`: the draw as the point, on the scenario with its
calibration's point estimate), computes every target's statistic, and reports per
target the simulated median, the 90 % interval, whether the published value lies
inside the interval and whether the median lies within the target's tolerance; fit
and held-out targets apart.
"""

from __future__ import annotations

import dataclasses
import html
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from calibration.targets import Target, TargetSet, load_targets, statistics
from experiments import POINT_ESTIMATE, Point, RunOptions, execute_tasks, load_base, run_spec
from scenarios import find_scenario, read_calibration_data


@dataclass
class CheckRow:
    """One target in the posterior predictive check."""

    target: Target
    median: float
    q05: float
    q95: float

    @property
    def inside(self) -> bool:
        """Whether the published value lies in the simulated 90 % interval."""
        return bool(self.q05 <= self.target.value <= self.q95)

    @property
    def hit(self) -> bool:
        """Whether the simulated median lies within the target's tolerance."""
        return self.target.hit(self.median)


def posterior_results(
    calibration_file: str | Path,
    *,
    draws: int = 40,
    scale: float = 1.0,
    years: int | None = None,
    workers: int = 2,
    scenario: str | None = None,
) -> list[pd.DataFrame | None]:
    """The tidy results of one run per posterior draw, in draw order (None: run failed).

    Draw ``i`` runs with seed ``i + 1`` on the scenario with its calibration's point
    estimate, as a batch runs it (:func:`experiments.run_spec`).

    Args:
        calibration_file: The calibration file.
        draws: How many posterior draws to run (the first ones).
        scale: Share of the population simulated.
        years: Reported years per run; default: as many as the calibration simulated.
        workers: Local worker processes.
        scenario: The scenario simulated (default: the calibration's own).
    """
    cal = read_calibration_data(calibration_file)
    if years is None:
        years = int(cal["settings"]["years"])
    options = RunOptions(years=years, scale=scale, seed_base=1, calibration=POINT_ESTIMATE)
    base = load_base(find_scenario(scenario or cal["scenario"]), options)
    tasks = []
    for i, values in enumerate(cal["draws"][:draws]):
        point = Point(f"ziehung-{i}", dict(values))
        spec = run_spec(base, i, point=point, options=options)  # seed i + 1
        tasks.append(dataclasses.replace(spec.task(), run_id=f"ppc-{i}"))
    index = {t.run_id: i for i, t in enumerate(tasks)}
    frames: list[pd.DataFrame | None] = [None] * len(tasks)
    for run_id, data, _err in execute_tasks(tasks, workers):
        if data is not None:
            frames[index[run_id]] = data.results
    return frames


def predictive_check(
    calibration_file: str | Path,
    *,
    draws: int = 40,
    scale: float = 1.0,
    years: int | None = None,
    workers: int = 2,
    targets: TargetSet | None = None,
    scenario: str | None = None,
) -> list[CheckRow]:
    """Simulate the posterior's first ``draws`` draws (seed = draw number) and summarise.

    With ``scenario`` another system is checked with the same draws, as its batches
    run it (Ulm, Celle and Potsdam-Mittelmark use the Lüneburg calibration): its own
    figures are the targets (``calibration/targets/local/``).

    Args:
        calibration_file: The calibration file.
        draws: How many posterior draws to run (one run each).
        scale: Share of the population simulated.
        years: Reported years per run (after the scenario's burn-in); default: as
            many as the calibration simulated.
        workers: Local worker processes.
        targets: Targets (default: the shipped file).
        scenario: The scenario simulated (default: the calibration's own).
    """
    ts = targets or load_targets()
    frames = posterior_results(
        calibration_file, draws=draws, scale=scale, years=years, workers=workers, scenario=scenario
    )
    stats = np.full((len(frames), len(ts.targets)), np.nan)
    for i, results in enumerate(frames):
        if results is not None:
            stats[i] = statistics(results, ts.targets)
    rows = []
    for j, t in enumerate(ts.targets):
        col = stats[:, j][np.isfinite(stats[:, j])]
        q05, med, q95 = np.quantile(col, [0.05, 0.5, 0.95])
        rows.append(CheckRow(t, float(med), float(q05), float(q95)))
    return rows


def _num(x: float) -> str:
    text = f"{x:,.3f}" if abs(x) < 1 else f"{x:,.1f}"
    return text.replace(",", "X").replace(".", ",").replace("X", ".")


def _fit_figure(rows: list[CheckRow]) -> go.Figure:
    labels = [r.target.id for r in rows]
    ratio = [r.median / r.target.value for r in rows]
    lo = [r.median / r.target.value - r.q05 / r.target.value for r in rows]
    hi = [r.q95 / r.target.value - r.median / r.target.value for r in rows]
    colours = ["#1f77b4" if r.target.role == "fit" else "#d62728" for r in rows]
    fig = go.Figure(
        go.Scatter(
            x=ratio,
            y=labels,
            mode="markers",
            marker={"color": colours, "size": 9},
            error_x={"type": "data", "symmetric": False, "array": hi, "arrayminus": lo},
        )
    )
    fig.add_vline(x=1.0, line_dash="dash")
    fig.update_layout(
        title="Simuliert / veröffentlicht (Median und 90-%-Intervall; blau: angepasst, "
        "rot: zurückgehalten)",
        xaxis_title="Verhältnis zum veröffentlichten Wert",
        height=40 * len(rows) + 150,
        separators=",.",
    )
    return fig


def _posterior_figure(cal: dict[str, Any]) -> go.Figure:
    params = cal["parameters"]
    fig = go.Figure()
    for k, p in enumerate(params):
        vals = [d[p["path"]] for d in cal["draws"]]
        scaled = [(v - p["prior"]["low"]) / (p["prior"]["high"] - p["prior"]["low"]) for v in vals]
        fig.add_trace(go.Box(x=scaled, name=p["label"], boxpoints="all", offsetgroup=str(k)))
    fig.update_layout(
        title="Posteriori je Parameter (Ziehungen, auf die Priori-Spanne 0–1 skaliert)",
        xaxis={"range": [0, 1], "title": "Lage in der Priori-Spanne"},
        showlegend=False,
        height=60 * len(params) + 150,
        separators=",.",
    )
    return fig


def write_report(
    calibration_file: str | Path,
    rows: list[CheckRow],
    out: str | Path,
    scenario: str | None = None,
) -> Path:
    """Write the German HTML report (self-contained: plotly.js embedded once).

    Args:
        calibration_file: The calibration file whose draws were simulated.
        rows: The predictive check.
        out: The report file.
        scenario: The scenario the check simulated, if not the calibration's own.
    """
    cal = read_calibration_data(calibration_file)
    checked = scenario or cal["scenario"]
    heading = f"Kalibrierung {cal['name']} ({cal['scenario']})"
    if checked != cal["scenario"]:
        heading = f"Prüfung von {checked} mit der Kalibrierung {cal['name']} ({cal['scenario']})"
    body = []
    for role, title in (
        ("fit", "Angepasste Zielgrößen"),
        ("holdout", "Zurückgehaltene Zielgrößen"),
    ):
        if not any(r.target.role == role for r in rows):
            continue
        body.append(
            f"<h2>{title}</h2><table><tr><th>Zielgröße</th><th>Wert (Jahr)</th>"
            "<th>Simulierter Median</th><th>90-%-Intervall</th><th>Im Intervall</th>"
            "<th>Innerhalb der Toleranz</th><th>Quelle</th></tr>"
        )
        for r in (r for r in rows if r.target.role == role):
            t = r.target
            low, high = t.hit_range
            body.append(
                f"<tr><td>{html.escape(t.label)}</td><td>{_num(t.value)} ({t.year})</td>"
                f"<td>{_num(r.median)}</td><td>{_num(r.q05)} – {_num(r.q95)}</td>"
                f"<td>{'ja' if r.inside else 'nein'}</td>"
                f"<td>{'ja' if r.hit else 'nein'} ({_num(low)} – {_num(high)})</td>"
                f"<td>{html.escape(t.source)}</td></tr>"
            )
            if t.role == "holdout":
                body.append(
                    f"<tr class='grund'><td colspan='7'>Warum zurückgehalten: "
                    f"{html.escape(t.holdout_reason or '')}</td></tr>"
                )
        body.append("</table>")
    params = "".join(
        f"<tr><td>{html.escape(p['label'])} (<code>{p['path']}</code>)</td>"
        f"<td>{_num(p['prior']['low'])} – {_num(p['prior']['high'])}</td>"
        f"<td>{_num(p['median'])}</td><td>{_num(p['q05'])} – {_num(p['q95'])}</td>"
        f"<td>{_num(cal['point'][p['path']])}</td></tr>"
        for p in cal["parameters"]
    )
    gens = ", ".join(
        f"{i}: {g['simulated']} Läufe"
        + (f", Toleranz {_num(g['epsilon'])}" if g["epsilon"] else "")
        for i, g in enumerate(cal["generations"])
    )
    cost = cal.get("cost_stage")
    cost_html = ""
    if cost:
        cost_html = (
            "<p>Kostensätze "
            + ", ".join(f"<code>{html.escape(str(p))}</code>" for p in cost["parameters"])
            + f" an {', '.join(html.escape(str(t)) for t in cost['targets'])}: je Lauf "
            f"{cost['draws_per_simulation']} Kostensätze aus der Priori, die Ausgaben des Laufs "
            f"damit umgerechnet (keine eigenen Läufe); in der letzten Generation "
            f"{cost['pairs_accepted']} von {cost['pairs']} Paaren in der Toleranz, "
            f"{cost['particles_kept']} Parametersätze, effektive Größe "
            f"{_num(cost['ess'])}.</p>"
        )
    fit_html = _fit_figure(rows).to_html(full_html=False, include_plotlyjs=True)
    post_html = _posterior_figure(cal).to_html(full_html=False, include_plotlyjs=False)
    page = f"""<!DOCTYPE html><html lang="de"><head><meta charset="utf-8">
<title>Kalibrierungsbericht {html.escape(cal["name"])}</title>
<style>body{{font-family:sans-serif;max-width:1200px;margin:auto}}table{{border-collapse:collapse}}
td,th{{border:1px solid #ccc;padding:4px;font-size:90%}}
tr.grund td{{color:#555;font-size:80%}}</style>
</head><body><h1>{html.escape(heading)}</h1>
<p>Verfahren: {html.escape(cal["method"])}. Seed {cal["seed"]}, {cal["simulations"]} Läufe
(Generationen: {gens}); Stand: {html.escape(cal["stopped"])}. Code {cal["code_version"]},
Zielgrößen-Hash {cal["targets_sha256"][:12]}.</p>
{cost_html}
<p>Posteriori-Vorhersage: {len(rows) and "je Ziehung ein Lauf"} des Szenarios
{html.escape(checked)} mit den
Ziehungen der Kalibrierungsdatei; Median und 90-%-Intervall über die Läufe. „Im Intervall“:
der veröffentlichte Wert liegt im simulierten 90-%-Intervall. „Innerhalb der Toleranz“: der
simulierte Median liegt in der angegebenen Spanne.</p>
{"".join(body)}
<h2>Parameter</h2><table><tr><th>Parameter</th><th>Priori (gleichverteilt)</th>
<th>Posteriori-Median</th><th>90-%-Intervall</th><th>Punktschätzung</th></tr>{params}</table>
<h2>Anpassung</h2>{fit_html}<h2>Posteriori</h2>{post_html}</body></html>"""
    path = Path(out)
    path.write_text(page, encoding="utf-8")
    return path


__all__ = ["CheckRow", "predictive_check", "write_report"]
