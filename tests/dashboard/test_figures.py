"""Dashboard figures on a real store: traces, German labels, colours, balances, export."""

from __future__ import annotations

import itertools
import re

import pandas as pd
import plotly.graph_objects as go
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dashboard import figures as F
from dashboard.data import DashboardData
from results import POT_LABELS
from tests.dashboard.conftest import DEMO_SCENARIOS

BASE, REFORM, OTHER = DEMO_SCENARIOS
NAMES = {BASE: "Status quo", REFORM: "Reform mit Rückbehalt", OTHER: "Reform mit Bonus/Malus"}
YEARS = [2026, 2027, 2028]


@pytest.fixture(scope="module")
def data(demo_store):
    d = DashboardData(demo_store)
    yield d
    d.close()


def by_role(fig: go.Figure, role: str) -> list:
    return [t for t in fig.data if (t.meta or {}).get("role") == role]


def trace_colour(trace) -> str:
    if trace.type == "scatter" and trace.mode and "lines" in trace.mode:
        return trace.line.color
    return trace.marker.color


def assert_german_style(fig: go.Figure) -> None:
    assert fig.layout.separators == ",."
    assert "Source Sans 3" in fig.layout.font.family


def test_band_figure_has_bands_that_contain_the_median(data):
    q = data.quantiles(["total_spent"], list(DEMO_SCENARIOS))
    fig = F.band_figure(q, "Ausgaben gesamt", "EUR", NAMES)
    assert_german_style(fig)
    assert fig.layout.title.text == "Ausgaben gesamt"
    assert "Ausgaben gesamt" in fig.layout.yaxis.title.text
    assert list(fig.layout.xaxis.tickvals) == YEARS
    assert list(fig.layout.xaxis.ticktext) == [str(y) for y in YEARS]
    medians = by_role(fig, "median")
    assert [t.name for t in medians] == list(NAMES.values())
    assert len(by_role(fig, "band50")) == len(by_role(fig, "band90")) == 3
    assert not any(t.showlegend for t in by_role(fig, "band90") + by_role(fig, "band50"))
    for line in medians:
        s = line.meta["scenario"]
        for role in ("band50", "band90"):
            band = next(t for t in by_role(fig, role) if t.meta["scenario"] == s)
            n = len(line.x)
            upper, lower = list(band.y[:n]), list(band.y[n:])[::-1]
            assert list(band.x[:n]) == list(line.x)
            for lo, med, hi in zip(lower, line.y, upper, strict=True):
                assert lo <= med + 1e-9 <= hi + 2e-9
        # the bands are exactly q25–q75 and q05–q95 (in the axis unit)
        part = q[q["scenario"] == s].sort_values("year")
        factor = line.y[0] / part["median"].iloc[0]
        for role, lo, hi in (("band50", "q25", "q75"), ("band90", "q05", "q95")):
            band = next(t for t in by_role(fig, role) if t.meta["scenario"] == s)
            assert list(band.y[:n]) == pytest.approx(list(part[hi] * factor))
            assert list(band.y[n:])[::-1] == pytest.approx(list(part[lo] * factor))
    # hover in German format: euros with thousands dots
    hover = medians[0].customdata[0][0]
    assert re.fullmatch(r"\d{1,3}(\.\d{3})+ €", hover), hover


def test_band_figure_axis_in_million_euros_matches_the_data(data):
    q = data.quantiles(["total_spent"], [BASE])
    fig = F.band_figure(q, "Ausgaben gesamt", "EUR", NAMES)
    line = by_role(fig, "median")[0]
    expected = q.sort_values("year")["median"].to_numpy()
    if "Mio. €" in fig.layout.yaxis.title.text:
        expected = expected / 1e6
    assert list(line.y) == pytest.approx(list(expected))


def test_one_colour_per_scenario_across_figures(data):
    sc = list(DEMO_SCENARIOS)
    figs = [
        F.band_figure(data.quantiles(["total_spent"], sc), "Ausgaben", "EUR", NAMES),
        F.difference_figure(
            data.paired(["total_spent"], BASE, sc), "Ausgaben", "EUR", NAMES, "lower"
        ),
        F.overspend_figure(data.overspend_probability(sc), NAMES),
        F.cases_by_type_figure(data.cases_by_type(sc), NAMES),
        F.regions_figure(
            data.quantiles(["cost_per_jew"], sc, None), "Kosten je JEW", "EUR je JEW", NAMES
        ),
    ]
    seen: dict[str, set[str]] = {}
    for fig in figs:
        for t in by_role(fig, "median") + by_role(fig, "probability"):
            seen.setdefault(t.meta["scenario"], set()).add(trace_colour(t))
    assert set(seen) == set(sc)
    assert all(len(c) == 1 for c in seen.values()), seen
    colours = {s: next(iter(c)) for s, c in seen.items()}
    assert len(set(colours.values())) == 3
    assert colours[BASE] == F.BASELINE_COLOUR
    assert F.scenario_colours(NAMES) == colours


def test_difference_figure(data):
    d = data.paired(["total_spent"], BASE, list(DEMO_SCENARIOS))
    fig = F.difference_figure(d, "Ausgaben gesamt: Differenz zur Basis", "EUR", NAMES, "lower")
    assert_german_style(fig)
    assert fig.layout.title.text == "Ausgaben gesamt: Differenz zur Basis"
    assert "Differenz zur Basis" in fig.layout.yaxis.title.text
    medians = by_role(fig, "median")
    assert {t.meta["scenario"] for t in medians} == {REFORM, OTHER}
    assert len(by_role(fig, "interval50")) == len(by_role(fig, "interval90")) == 2
    # zero line and the note on the better direction
    assert any(s.y0 == 0 and s.y1 == 0 for s in fig.layout.shapes)
    notes = " ".join(a.text for a in fig.layout.annotations)
    assert "Niedriger ist besser" in notes and "Status quo" in notes
    higher = F.difference_figure(d, "Ausgaben gesamt", "EUR", NAMES, "higher")
    assert "Höher ist besser" in " ".join(a.text for a in higher.layout.annotations)
    # markers sit beside their integer year; the intervals contain the medians
    for m in medians:
        s = m.meta["scenario"]
        iv = next(t for t in by_role(fig, "interval90") if t.meta["scenario"] == s)
        ys = [y for y in iv.y if y is not None]
        for k, (x, y) in enumerate(zip(m.x, m.y, strict=True)):
            assert abs(x - round(x)) < 0.5
            lo, hi = sorted(ys[2 * k : 2 * k + 2])
            assert lo - 1e-9 <= y <= hi + 1e-9
    with pytest.raises(ValueError):
        F.difference_figure(d, "x", "EUR", NAMES, "besser")


def test_overspend_figure_is_a_percent_axis(data):
    p = data.overspend_probability(list(DEMO_SCENARIOS))
    fig = F.overspend_figure(p, NAMES)
    assert_german_style(fig)
    assert fig.layout.title.text == "Wahrscheinlichkeit einer Budgetüberschreitung"
    assert fig.layout.yaxis.ticksuffix == " %"
    bars = by_role(fig, "probability")
    assert [b.name for b in bars] == list(NAMES.values())
    for b in bars:
        part = p[p["scenario"] == b.meta["scenario"]].sort_values("year")
        assert list(b.y) == pytest.approx(list(part["probability"] * 100))
        assert all(re.fullmatch(r"\d+ %", t) for t in b.text)


def test_pots_figure_stacks_spending_with_the_budget(data):
    pots = data.pots(list(DEMO_SCENARIOS))
    fig = F.pots_figure(pots, NAMES)
    assert_german_style(fig)
    assert fig.layout.barmode == "stack"
    spent = by_role(fig, "spent")
    assert {t.name for t in spent} <= set(POT_LABELS.values())
    assert {t.name for t in by_role(fig, "spent") if t.meta["scenario"] == REFORM} == set(
        POT_LABELS.values()
    )
    budgets = by_role(fig, "budget")
    assert {t.meta["scenario"] for t in budgets} == set(DEMO_SCENARIOS)
    # each pot appears once in the legend
    assert sum(bool(t.showlegend) for t in spent) == len({t.name for t in spent})
    # the budget line is the sum of the pots' budgets
    part = pots[pots["scenario"] == REFORM]
    total = part.groupby("year")["budget"].sum().sort_index().to_numpy()
    line = next(t for t in budgets if t.meta["scenario"] == REFORM)
    factor = 1e-6 if "Mio." in fig.layout.yaxis.title.text else 1.0
    assert list(line.y) == pytest.approx(list(total * factor))
    titles = [a.text.replace("<br>", " ") for a in fig.layout.annotations]
    assert titles[:3] == list(NAMES.values())


def test_cases_by_type_has_paragraph_labels_and_intervals(data):
    c = data.cases_by_type(list(DEMO_SCENARIOS))
    fig = F.cases_by_type_figure(c, NAMES)
    assert_german_style(fig)
    assert fig.layout.title.text.startswith("Fälle je 10.000 unter 21-Jährige nach Hilfeart")
    assert "(2028)" in fig.layout.title.text
    bars = by_role(fig, "median")
    assert len(bars) == 3
    labels = list(bars[0].y)
    assert any(lb.startswith("§31") for lb in labels)
    assert all(lb.startswith("§") for lb in labels)
    for b in bars:
        assert (pd.Series(b.error_x.array) >= -1e-9).all()
        assert (pd.Series(b.error_x.arrayminus) >= -1e-9).all()


def test_regions_figure_and_equity(data):
    q = data.quantiles(["cost_per_jew"], list(DEMO_SCENARIOS), None)
    fig = F.regions_figure(q, "Kosten je Jugendeinwohnerwert", "EUR je JEW", NAMES)
    assert fig.layout.title.text == "Kosten je Jugendeinwohnerwert je Region (2028)"
    bars = by_role(fig, "median")
    assert list(bars[0].x) == ["Region 1", "Region 2", "Region 3"]
    assert "€" in bars[0].customdata[0][0]

    e = F.equity_index(q)
    assert len(e) == 3 * 3 and (e["regions"] == 3).all()
    row = e[(e["scenario"] == BASE) & (e["year"] == 2027)].iloc[0]
    v = q[(q["scenario"] == BASE) & (q["year"] == 2027) & (q["region"] != "Gesamt")]["median"]
    assert row["cv"] == pytest.approx(v.std(ddof=0) / v.mean())
    assert row["max_min_ratio"] == pytest.approx(v.max() / v.min())
    assert (e["max_min_ratio"] >= 1).all() and (e["cv"] >= 0).all()
    table = F.equity_table(q, NAMES)
    assert list(table["Szenario"]) == list(NAMES.values())
    assert table["Variationskoeffizient"].str.fullmatch(r"\d+,\d %").all()

    schem = F.region_schematic(q, NAMES, title="Kosten je Jugendeinwohnerwert", unit="EUR je JEW")
    tiles = by_role(schem, "tiles")
    assert len(tiles) == 3
    assert all(t.coloraxis == "coloraxis" for t in tiles)
    text = " ".join(a.text for a in schem.layout.annotations)
    assert "Schematische Darstellung" in text and "keine Geodaten" in text
    assert "Region 2" in " ".join(str(x) for row in tiles[0].text for x in row)


def test_equity_index_of_equal_regions_is_zero():
    q = pd.DataFrame(
        {
            "scenario": ["a"] * 4,
            "region": ["R1", "R2", "R3", "Gesamt"],
            "metric": ["cost_per_jew"] * 4,
            "year": [2026] * 4,
            "median": [10.0, 10.0, 10.0, 99.0],
        }
    )
    e = F.equity_index(q)
    assert e["cv"].iloc[0] == 0 and e["max_min_ratio"].iloc[0] == 1
    q.loc[0, "median"] = 20.0
    assert F.equity_index(q)["max_min_ratio"].iloc[0] == 2


def node_balance(links: pd.DataFrame, n: int) -> tuple[pd.Series, pd.Series]:
    inflow = links.groupby("target")["value"].sum().reindex(range(n), fill_value=0.0)
    outflow = links.groupby("source")["value"].sum().reindex(range(n), fill_value=0.0)
    return inflow, outflow


def check_sankey(fig: go.Figure, flows: pd.DataFrame) -> None:
    s = fig.data[0]
    assert s.type == "sankey"
    labels = list(s.node.label)
    links = pd.DataFrame({"source": s.link.source, "target": s.link.target, "value": s.link.value})
    assert (links["value"] > 0).all()
    inflow, outflow = node_balance(links, len(labels))
    pots = [i for i, lb in enumerate(labels) if lb in POT_LABELS.values()]
    regions = [i for i, lb in enumerate(labels) if lb.startswith("Region")]
    assert pots and regions
    for i in pots + regions:
        assert inflow[i] == pytest.approx(outflow[i], rel=1e-12), labels[i]
    root = labels.index(F.ROOT_LABEL)
    assert inflow[root] == 0
    assert outflow[root] == pytest.approx(flows["eur"].sum(), rel=1e-12)
    # the leaves receive all gross spending
    leaves = [i for i in range(len(labels)) if outflow[i] == 0]
    gross = flows.loc[flows["eur"] > 0, "eur"].sum()
    assert sum(inflow[i] for i in leaves) == pytest.approx(gross, rel=1e-12)


def test_sankey_flows_balance(data):
    flows = data.flows(REFORM, 2027)
    fig = F.sankey_figure(flows, data.labels, "Geldflüsse 2027")
    check_sankey(fig, flows)
    labels = list(fig.data[0].node.label)
    assert "Präventionsprojekte" in labels and "Sozialraumbüros" in labels
    assert not any(lb.startswith("projekt_") for lb in labels)
    assert any(lb.startswith("§31") for lb in labels)
    assert set(POT_LABELS.values()) <= set(labels)
    assert fig.layout.separators == ",."


def test_sankey_handles_malus_as_money_back_into_the_pot():
    flows = pd.DataFrame(
        {
            "region": ["Region 1", "Region 1", "Region 1", "Region 2", "Region 2", "Region 2"],
            "pot": ["regional_2", "regional_2", "regional_2", "regional_2", "central", "bound"],
            "item": ["31", "anreiz", "anreiz", "anreiz", "34", "sozialraumbuero"],
            "kind": ["case", "bonus", "malus", "malus", "case", "office"],
            "eur": [1000.0, 200.0, -150.0, -50.0, 5000.0, 700.0],
        }
    )
    fig = F.sankey_figure(flows, {"31": "§31 SPFH", "34": "§34 Heimerziehung"})
    check_sankey(fig, flows)
    s = fig.data[0]
    labels = list(s.node.label)
    malus = labels.index(F.MALUS_LABEL)
    pot = labels.index(POT_LABELS["regional_2"])
    links = list(zip(s.link.source, s.link.target, s.link.value, strict=True))
    assert (malus, pot, pytest.approx(200.0)) in [(a, b, pytest.approx(v)) for a, b, v in links]
    root = labels.index(F.ROOT_LABEL)
    assert [v for a, b, v in links if a == root and b == pot] == [pytest.approx(1000.0)]


def test_sankey_malus_larger_than_spending_still_balances():
    flows = pd.DataFrame(
        {
            "region": ["Region 1", "Region 1", "Region 1"],
            "pot": ["regional_2", "regional_2", "central"],
            "item": ["31", "anreiz", "31"],
            "kind": ["case", "malus", "case"],
            "eur": [100.0, -300.0, 1000.0],
        }
    )
    fig = F.sankey_figure(flows, {"31": "§31 SPFH"})
    s = fig.data[0]
    labels = list(s.node.label)
    assert F.MALUS_SURPLUS_LABEL in labels
    links = pd.DataFrame({"source": s.link.source, "target": s.link.target, "value": s.link.value})
    inflow, outflow = node_balance(links, len(labels))
    for i, lb in enumerate(labels):
        if lb in POT_LABELS.values() or lb.startswith("Region"):
            assert inflow[i] == pytest.approx(outflow[i])


def test_empty_frames_give_a_german_message():
    empty = pd.DataFrame(columns=["scenario", "year", "q05", "q25", "median", "q75", "q95"])
    for fig in (
        F.band_figure(empty, "Ausgaben", "EUR", NAMES),
        F.difference_figure(empty, "Ausgaben", "EUR", NAMES, "lower"),
        F.sankey_figure(pd.DataFrame(columns=["region", "pot", "item", "kind", "eur"]), {}),
    ):
        assert len(fig.data) == 0
        assert any("Keine" in a.text for a in fig.layout.annotations)


def test_unit_scale_and_format_value():
    assert F.format_value(1234567.4, "EUR") == "1.234.567 €"
    assert F.format_value(0.125, "Anteil") == "12,5 %"
    assert F.format_value(812.494, "EUR je JEW") == "812,49 € je JEW"
    assert F.unit_scale("EUR", [2.5e6]).axis == "Mio. €"
    assert F.unit_scale("EUR", [250_000]).axis == "Tsd. €"
    assert F.unit_scale("EUR", [250_000]).factor == 1e-3
    assert F.unit_scale("EUR", [25_000]).axis == "€"
    assert F.unit_scale("Anteil").factor == 100
    assert F.unit_scale("€", [2.5e6]).axis == "Mio. €"


def test_png_export(data):
    p = data.overspend_probability([BASE, REFORM])
    png = F.figure_png(F.overspend_figure(p, NAMES), width=600, height=300, scale=1)
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    assert len(png) > 5_000


# --------------------------------------------------------------------------- fixed styles

SCENARIO_NAMES = st.lists(
    st.text("abcdefghij-", min_size=1, max_size=8), min_size=1, max_size=12, unique=True
)


@settings(max_examples=60, deadline=None)
@given(SCENARIO_NAMES, st.randoms(use_true_random=False))
def test_fixed_styles_do_not_depend_on_order(stored, rnd):
    reference = stored[0]
    shuffled = list(stored)
    rnd.shuffle(shuffled)
    assert F.fixed_styles(shuffled, reference) == F.fixed_styles(stored, reference)
    styles = F.fixed_styles(stored, reference)
    assert styles[reference] == F.REFERENCE_STYLE
    looks = [(s.colour, s.dash, s.symbol) for s in styles.values()]
    assert len(set(looks)) == len(looks)  # no two scenarios of a store look alike
    assert all(
        s.dash != "solid" and s.symbol != "circle" for n, s in styles.items() if n != reference
    )


def test_regression_colours_followed_the_selection_order(data):
    """A scenario's colour was its position in the selection: choosing it first or second
    gave it another colour. With the store's fixed styles it keeps its colour."""
    sc = list(DEMO_SCENARIOS)
    styles = F.fixed_styles(sc, BASE)
    q = data.quantiles(["total_spent"], sc)

    def colours(order):
        names = {s: NAMES[s] for s in order}
        fig = F.band_figure(q, "Ausgaben", "EUR", names, styles=styles)
        return {t.meta["scenario"]: t.line.color for t in by_role(fig, "median")}

    forward, backward = colours([BASE, REFORM, OTHER]), colours([BASE, OTHER, REFORM])
    assert forward == backward == {s: styles[s].colour for s in sc}
    only_other = colours([BASE, OTHER])
    assert only_other[OTHER] == forward[OTHER]  # also when the other variant is left out
    # without fixed styles the colour still follows the order (what the fix replaces)
    moved = F.band_figure(q, "Ausgaben", "EUR", {BASE: "a", OTHER: "b", REFORM: "c"})
    assert {t.meta["scenario"]: t.line.color for t in by_role(moved, "median")} != forward


def test_every_scenario_figure_takes_the_fixed_styles(data):
    sc = list(DEMO_SCENARIOS)
    styles = F.fixed_styles([*sc, "lueneburg-aaa"], BASE)  # shifts the positions
    figs = [
        F.band_figure(data.quantiles(["total_spent"], sc), "A", "EUR", NAMES, styles=styles),
        F.difference_figure(
            data.paired(["total_spent"], BASE, sc), "A", "EUR", NAMES, "lower", styles=styles
        ),
        F.overspend_figure(data.overspend_probability(sc), NAMES, styles=styles),
        F.cases_by_type_figure(data.cases_by_type(sc), NAMES, styles=styles),
        F.regions_figure(
            data.quantiles(["cost_per_jew"], sc, None), "K", "EUR je JEW", NAMES, styles=styles
        ),
    ]
    for fig in figs:
        for t in by_role(fig, "median") + by_role(fig, "probability"):
            assert trace_colour(t) == styles[t.meta["scenario"]].colour
    assert F.scenario_colours(NAMES, styles) == {s: styles[s].colour for s in sc}


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.floats(-1e6, 1e6, allow_nan=False), min_size=1, max_size=8),
    st.floats(0.01, 1e5),
)
def test_spread_apart_keeps_order_and_distance(values, gap):
    out = F.spread_apart(values, gap)
    order = sorted(range(len(values)), key=lambda i: values[i])
    placed = [out[i] for i in order]
    assert all(b - a >= gap * (1 - 1e-9) - 1e-6 for a, b in itertools.pairwise(placed))
    spread = max(values) - min(values) + gap * len(values)
    assert all(abs(o - v) <= spread for o, v in zip(out, values, strict=True))


def test_direct_labels_replace_the_legend(data):
    q = data.quantiles(["unmet_need_families"], list(DEMO_SCENARIOS))
    letters = {BASE: "A", REFORM: "B", OTHER: "C"}
    fig = F.band_figure(q, "Bedarf", "Familien", NAMES, labels=letters)
    labels = [a for a in fig.layout.annotations if a.name == F.LABEL_ANNOTATION]
    assert sorted(a.text for a in labels) == ["<b>A</b>", "<b>B</b>", "<b>C</b>"]
    assert not any(t.showlegend for t in by_role(fig, "median"))
    medians = {t.meta["scenario"]: t for t in by_role(fig, "median")}
    for a in labels:  # each leader starts at its own line's end
        s = next(k for k, v in letters.items() if a.text == f"<b>{v}</b>")
        assert (a.x, a.y) == (medians[s].x[-1], medians[s].y[-1])
        assert a.showarrow and a.xanchor == "left"
    # median lines end close together: the labels are moved at least 16 px apart
    values = [v for t in fig.data for v in t.y if v is not None]
    extent = 1.1 * (max(values) - min(values))
    m = fig.layout.margin
    plot_px = fig.layout.height - m.t - m.b
    placed = sorted(a.y / extent * plot_px - a.ay for a in labels)  # pixels, upwards
    assert all(b - a >= 16 - 1e-6 for a, b in itertools.pairwise(placed))
    with_legend = F.band_figure(q, "Bedarf", "Familien", NAMES)
    assert all(t.showlegend is not False for t in by_role(with_legend, "median"))
