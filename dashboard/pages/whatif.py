"""Tab *Was-wäre-wenn*: move the levers of a library scenario, rerun it live, compare.

Sliders set the split of the budget, the incentive scheme (a dropdown of every
registered scheme by its label, :data:`results.SCHEME_LABELS`) and three uncertainties;
"Rechnen" runs the baseline and the changed version with the same seeds in a
background job (:func:`dashboard.whatif.run_whatif`, progress shown, cancellable)
and shows the paired difference of spending and unmet need and the spending bands.
Only library scenarios are offered, loaded by exact name; nothing is stored.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from dash import Dash, Input, Output, State, dcc, html, no_update
from dash.exceptions import PreventUpdate

from dashboard import figures as fig
from dashboard import ids
from dashboard.components import card, dropdown, graph
from dashboard.context import AppContext, cached_scenario
from dashboard.guard import Choice, Clicks, InputGate, Number, Rule, refusal_text
from dashboard.whatif import BASE_NAME, CHANGED_NAME, WhatIf, WhatIfRun, run_whatif, slider_start
from results import (
    SCHEME_LABELS,
    metric_title,
    paired_quantiles,
    run_quantiles,
    scheme_notes,
    stored_unit,
)
from scenarios import ScenarioError, fmt_eur, fmt_pct

LABEL = "Was-wäre-wenn"
"""The tab's German label."""

TAB = ids.WhatIf.TAB

BUTTONS = {ids.WhatIf.START: "Rechnen", ids.WhatIf.CANCEL: "Abbrechen"}
"""Buttons whose click count is a callback input (German names for refusals)."""

NOTICES = (ids.prop(ids.WhatIf.STATUS, "children"),)
"""Outputs that show a German refusal when a request's value breaks its rule."""

_NOT_YET = "Noch nicht gerechnet: Regler einstellen und „Rechnen“ drücken."


@dataclass(frozen=True)
class SliderSpec:
    """A slider of the what-if page.

    Attributes:
        ident: Component id.
        field: The :class:`WhatIf` field it sets.
        label: German label.
        low: Left end.
        high: Right end.
        step: Step.
        default: Position when no scenario can be loaded.
        marks: Tick labels.
    """

    ident: str
    field: str
    label: str
    low: float
    high: float
    step: float
    default: float
    marks: dict[float, str]

    def bounds(self, starts: Iterable[WhatIf]) -> tuple[float, float]:
        """Values a request may send: the slider's range and every scenario's start value.

        A scenario can start outside the slider's range (Ulm has no bound budget,
        0 %); resetting the sliders to it sends that value, which is allowed.
        """
        values = [float(getattr(w, self.field)) for w in starts]
        return min([self.low, *values]), max([self.high, *values])


_PCT = {v: fmt_pct(v, 0) for v in (0.0, 0.25, 0.5, 0.75, 1.0)}

SLIDERS = (
    SliderSpec(
        ids.WhatIf.BOUND,
        "bound_share",
        "Anteil gebundenes Budget",
        0.5,
        1.0,
        0.05,
        1.0,
        {0.5: "50 %", 0.75: "75 %", 1.0: "100 %"},
    ),
    SliderSpec(
        ids.WhatIf.REGIONAL2,
        "regional2_share",
        "Anteil regionales Budget 2",
        0.0,
        0.5,
        0.05,
        0.0,
        {0.0: "0 %", 0.25: "25 %", 0.5: "50 %"},
    ),
    SliderSpec(
        ids.WhatIf.TREND,
        "trend_per_year",
        "Bedarfstrend je Jahr",
        -0.02,
        0.04,
        0.01,
        0.0,
        {-0.02: "−0,02", 0.0: "0", 0.04: "+0,04"},
    ),
    SliderSpec(
        ids.WhatIf.RESPONSIVENESS,
        "responsiveness",
        "Reaktion der Träger auf Anreize",
        0.0,
        1.0,
        0.1,
        0.5,
        _PCT,
    ),
    SliderSpec(
        ids.WhatIf.PROJECT_EFFECT,
        "project_effect",
        "Wirkung der Präventionsprojekte (Bedarf je Monat)",
        0.0,
        0.12,
        0.01,
        0.05,
        {0.0: "0", 0.05: "0,05", 0.12: "0,12"},
    ),
    SliderSpec(
        ids.WhatIf.GROUP_SHARE,
        "group_share",
        "Anteil des regionalen Budgets 2 für Gruppenangebote",
        0.0,
        0.5,
        0.05,
        0.0,
        {0.0: "0 %", 0.25: "25 %", 0.5: "50 %"},
    ),
)
"""The sliders in page order (the incentive dropdown sits after the second)."""


def _slider(spec: SliderSpec, start: WhatIf | None) -> html.Label:
    value = float(getattr(start, spec.field)) if start is not None else spec.default
    return html.Label(
        [
            spec.label,
            dcc.Slider(
                spec.low,
                spec.high,
                spec.step,
                value=value,
                id=spec.ident,
                marks=spec.marks,
                tooltip={"placement": "bottom"},
                allow_direct_input=False,
            ),
        ]
    )


def whatif_note(
    starts: Mapping[str, WhatIf], stored: Sequence[str], names: Mapping[str, str]
) -> str | None:
    """Why some (or all) stored scenarios are not offered on the what-if page."""
    missing = [names.get(n, n) for n in stored if n not in starts]
    if not missing:
        return None
    if not starts:
        return (
            "Keines der Szenarien im Ergebnisspeicher stammt aus der Szenariobibliothek; "
            "nachrechnen lassen sich hier nur Szenarien der Bibliothek (nach Namen), "
            "eigene Szenariodateien werden nicht gelesen."
        )
    return (
        f"Nachrechnen lassen sich nur Szenarien der Szenariobibliothek (nach Namen): "
        f"{len(starts)} von {len(stored)} Szenarien des Ergebnisspeichers. Nicht dabei "
        f"(eigene Szenariodateien, hier nicht gelesen): {', '.join(missing)}."
    )


def initial_baseline(ctx: AppContext) -> str | None:
    """The what-if baseline at start: the shared baseline if it can be loaded."""
    return ctx.baseline if ctx.baseline in ctx.starts else next(iter(ctx.starts), None)


# =========================================================================== layout


def layout(ctx: AppContext) -> html.Div:
    """The tab's content: the batch size, sliders, buttons and three charts."""
    baseline = initial_baseline(ctx)
    starts, config = ctx.starts, ctx.config
    start = starts.get(baseline) if baseline else None
    note = whatif_note(starts, ctx.stored, ctx.names)
    sliders = [_slider(spec, start) for spec in SLIDERS]
    options = [o for o in ctx.options if o["value"] in starts]
    return html.Div(
        [
            html.P(
                "Rechnet die geänderte Fassung gegen das Basisszenario: "
                + (config.describe(cached_scenario(baseline)) if baseline else "")
                + ". Die Läufe des Basisszenarios kommen aus dem Ergebnisspeicher, wo er "
                "sie mit denselben Seeds hält; nur die Änderung wird neu gerechnet. "
                "Nichts davon wird gespeichert.",
                className="hinweis",
            ),
            *([html.P(note, id=ids.WhatIf.NOTE, className="hinweis")] if note else []),
            html.Div(
                [
                    html.Label(
                        [
                            "Basisszenario",
                            dropdown(options, baseline, id=ids.WhatIf.BASELINE, clearable=False),
                        ]
                    ),
                    *sliders[:2],
                    html.Label(
                        [
                            "Anreizsystem",
                            dropdown(
                                [{"label": lb, "value": s} for s, lb in SCHEME_LABELS.items()],
                                start.scheme if start else "none",
                                id=ids.WhatIf.SCHEME,
                                clearable=False,
                            ),
                        ]
                    ),
                    html.Div(
                        scheme_note_children(start.scheme if start else "none"),
                        id=ids.WhatIf.SCHEME_NOTE,
                        className="hinweis",
                    ),
                    *sliders[2:],
                    html.Button("Rechnen", id=ids.WhatIf.START, disabled=not starts),
                    html.Button("Abbrechen", id=ids.WhatIf.CANCEL, disabled=True),
                    html.Progress(id=ids.WhatIf.PROGRESS, value="0", max="1"),
                    html.Span(id=ids.WhatIf.STATUS, className="meldung"),
                ],
                className="regler",
            ),
            html.Div(
                [
                    card(
                        "Ausgaben: Unterschied zur Basis (gepaart)",
                        graph(ids.WhatIf.DIFFERENCE, figure=fig.empty_figure(_NOT_YET)),
                    ),
                    card(
                        "Ungedeckter Bedarf: Unterschied zur Basis",
                        graph(ids.WhatIf.NEED, figure=fig.empty_figure(_NOT_YET)),
                    ),
                    card(
                        "Gesamtausgaben",
                        graph(ids.WhatIf.SPENDING, figure=fig.empty_figure(_NOT_YET)),
                    ),
                ],
                className="raster",
            ),
        ]
    )


def rules(ctx: AppContext) -> dict[str, Rule]:
    """The rule of every input and state of the tab's callbacks."""
    starts = ctx.starts
    return {
        ids.prop(ids.WhatIf.BASELINE, "value"): Choice(
            "Basisszenario des Was-wäre-wenn", frozenset(starts)
        ),
        ids.prop(ids.WhatIf.SCHEME, "value"): Choice("Anreizsystem", frozenset(SCHEME_LABELS)),
        **{
            ids.prop(s.ident, "value"): Number(s.label, *s.bounds(starts.values())) for s in SLIDERS
        },
        **{ids.prop(ident, "n_clicks"): Clicks(label) for ident, label in BUTTONS.items()},
    }


# =========================================================================== callbacks


def _results(run: WhatIfRun, baseline: str, ctx: AppContext) -> tuple:
    """The three figures and the summary of a finished what-if batch."""
    names = ctx.names
    values = run.values
    d = paired_quantiles(values, BASE_NAME)
    q = run_quantiles(values)
    ww_names = {
        BASE_NAME: f"Basis ({names.get(baseline, baseline)})",
        CHANGED_NAME: CHANGED_NAME,
    }
    total = d[d["metric"] == "total_spent"]
    spending = (
        f"Ausgaben über {run.years} Jahre: Median der Differenz je Jahr zusammen "
        f"{fmt_eur(total['median'].sum())}. "
        if len(total)
        else ""
    )
    summary = f"Fertig. {spending}{run.summary()}"
    need = "unmet_need_families"
    return (
        fig.difference_figure(
            total, f"{metric_title('total_spent')}: Unterschied zur Basis", "€", ww_names, "lower"
        ),
        fig.difference_figure(
            d[d["metric"] == need], metric_title(need), stored_unit(need), ww_names, "lower"
        ),
        fig.band_figure(
            q[q["metric"] == "total_spent"],
            metric_title("total_spent"),
            stored_unit("total_spent"),
            ww_names,
        ),
        summary,
    )


def scheme_note_children(scheme: str) -> list[Any]:
    """What the chosen scheme does and, if there is one, its legal risk (German)."""
    try:
        description, legal = scheme_notes(scheme)
    except KeyError:
        return []
    out: list[Any] = [html.P(description)]
    if legal:
        out.append(html.P(html.Strong(legal), className="rechtlich"))
    return out


def register(app: Dash, ctx: AppContext, gate: InputGate) -> None:
    """The tab's callbacks; the run itself is a background job of the app's manager."""
    config = ctx.config
    slider_outputs = [Output(s.ident, "value") for s in SLIDERS]

    @app.callback(
        *slider_outputs[:2],
        Output(ids.WhatIf.SCHEME, "value"),
        *slider_outputs[2:],
        Input(ids.WhatIf.BASELINE, "value"),
        prevent_initial_call=True,
    )
    def whatif_reset(baseline: str) -> tuple:
        if gate.problem({ids.prop(ids.WhatIf.BASELINE, "value"): baseline}):
            raise PreventUpdate  # the gate refused it already; never load a path
        s = slider_start(cached_scenario(baseline))
        return (
            s.bound_share,
            s.regional2_share,
            s.scheme,
            s.trend_per_year,
            s.responsiveness,
            s.project_effect,
            s.group_share,
        )

    @app.callback(
        Output(ids.WhatIf.SCHEME_NOTE, "children"),
        Input(ids.WhatIf.SCHEME, "value"),
        prevent_initial_call=True,
    )
    def whatif_scheme_note(scheme: str) -> list[Any]:
        if gate.problem({ids.prop(ids.WhatIf.SCHEME, "value"): scheme}):
            raise PreventUpdate
        return scheme_note_children(scheme)

    @app.callback(
        Output(ids.WhatIf.DIFFERENCE, "figure"),
        Output(ids.WhatIf.NEED, "figure"),
        Output(ids.WhatIf.SPENDING, "figure"),
        Output(ids.WhatIf.STATUS, "children"),
        Input(ids.WhatIf.START, "n_clicks"),
        State(ids.WhatIf.BASELINE, "value"),
        *[State(s.ident, "value") for s in SLIDERS[:2]],
        State(ids.WhatIf.SCHEME, "value"),
        *[State(s.ident, "value") for s in SLIDERS[2:]],
        background=True,
        running=[
            (Output(ids.WhatIf.START, "disabled"), True, False),
            (Output(ids.WhatIf.CANCEL, "disabled"), False, True),
        ],
        cancel=[Input(ids.WhatIf.CANCEL, "n_clicks")],
        progress=[Output(ids.WhatIf.PROGRESS, "value"), Output(ids.WhatIf.PROGRESS, "max")],
        prevent_initial_call=True,
    )
    def whatif(
        set_progress: Any,
        _n: int,
        baseline: str,
        bound: float,
        r2: float,
        scheme: str,
        trend: float,
        reaction: float,
        effect: float,
        group: float,
    ) -> tuple:
        # Runs in a worker process of the background manager: the gate has checked
        # these values in the request already; check them here again before anything
        # is loaded (a library scenario by name, never a path).
        reason = gate.problem(
            {
                ids.prop(ids.WhatIf.BASELINE, "value"): baseline,
                ids.prop(ids.WhatIf.SCHEME, "value"): scheme,
                **{
                    ids.prop(spec.ident, "value"): value
                    for spec, value in zip(
                        SLIDERS, (bound, r2, trend, reaction, effect, group), strict=True
                    )
                },
            }
        )
        if reason:
            return no_update, no_update, no_update, refusal_text(reason)
        what = WhatIf(baseline, bound, r2, scheme, trend, reaction, effect, group)
        try:
            run = run_whatif(
                what,
                config,
                progress=lambda k, n: set_progress((str(k), str(n))),
                stored=ctx.stored_figures,
                cache=ctx.snapshots,
            )
        except ScenarioError as err:
            return no_update, no_update, no_update, f"Eingabe ungültig: {err.message}"
        return _results(run, baseline, ctx)


__all__ = [
    "LABEL",
    "NOTICES",
    "SLIDERS",
    "TAB",
    "SliderSpec",
    "initial_baseline",
    "layout",
    "register",
    "rules",
    "whatif_note",
]
