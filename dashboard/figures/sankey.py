"""The money-flow diagram: budget → pots → regions → help types and projects.

:func:`sankey_data` turns the mean money flows of a scenario into nodes and links
(malus repayments as a source of their own, so every node balances);
:func:`sankey_figure` draws them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import pandas as pd
import plotly.graph_objects as go

from dashboard.figures.style import (
    BASELINE_COLOUR,
    MUTED_COLOUR,
    POT_COLOURS,
    _rgba,
    empty_figure,
    style_figure,
)
from results import FLOW_KIND_LABELS, POT_LABELS, POTS
from scenarios import fmt_eur

# =========================================================================== sankey

ROOT_LABEL = "Jugendhilfebudget (Ausgaben)"
MALUS_LABEL = "Malus: Rückzahlungen der Träger"
MALUS_SURPLUS_LABEL = "Malus-Überschuss (an den Kreis)"


@dataclass(frozen=True)
class SankeyData:
    """Nodes and links of the money-flow diagram.

    Attributes:
        labels: Node labels (German).
        layer: Node layer: 0 budget, 1 pot, 2 region, 3 item; malus nodes -1/4.
        links: source, target (node indices), value (EUR, > 0), pot.
    """

    labels: list[str]
    layer: list[int]
    links: pd.DataFrame


def sankey_data(flows: pd.DataFrame, labels: Mapping[str, str]) -> SankeyData:
    """Budget → pots → regions → help types and projects, from the money flows.

    Items are grouped: help types by their paragraph label (same type from two pots
    becomes one node), all ``projekt_N`` into "Präventionsprojekte", the
    Sozialraumbüros, the flat budget and the bonus into one node each.

    Malus rows (negative: money providers pay back) cannot be drawn as negative
    links. They enter as a source node "Malus: Rückzahlungen der Träger" flowing into
    their pot, so the pot spends its gross outflows (cases, bonus …) from the budget
    plus the malus, and the link from the budget to the pot is the pot's net
    spending. Thus the budget node's outflow equals the net total spending (the sum
    of all flows), and every pot and region node balances. Should a pot's malus ever
    exceed its gross spending, the excess flows to a sink "Malus-Überschuss (an den
    Kreis)" so that the balance still holds.

    Args:
        flows: Output of ``DashboardData.flows``: region, pot, item, kind, eur.
        labels: Help-type code → German label (``§31 Sozialpädagogische Familienhilfe``).

    Returns:
        The nodes and links.
    """
    f = flows[flows["eur"] != 0].copy()
    node_index: dict[tuple[int, str], int] = {}
    node_labels: list[str] = []
    node_layer: list[int] = []

    def node(layer: int, label: str) -> int:
        key = (layer, label)
        if key not in node_index:
            node_index[key] = len(node_labels)
            node_labels.append(label)
            node_layer.append(layer)
        return node_index[key]

    links: list[tuple[int, int, float, str]] = []
    if f.empty:
        return SankeyData(
            node_labels, node_layer, pd.DataFrame(columns=["source", "target", "value", "pot"])
        )
    root = node(0, ROOT_LABEL)

    def item_label(kind: str, item: str) -> str:
        if kind == "case":
            return labels.get(item, f"Hilfeart {item}")
        return FLOW_KIND_LABELS.get(kind, item)

    is_malus = (f["kind"] == "malus") | (f["eur"] < 0)
    gross = f[~is_malus]
    malus = f[is_malus]
    pots = [p for p in POTS if p in set(f["pot"])] + sorted(set(f["pot"]) - set(POTS))
    for pot in pots:
        pot_node = node(1, POT_LABELS.get(pot, pot))
        g = gross[gross["pot"] == pot]
        m = float(-malus.loc[malus["pot"] == pot, "eur"].sum())
        out = float(g["eur"].sum())
        net = out - m
        if net > 0:
            links.append((root, pot_node, net, pot))
        if m > 0:
            links.append((node(-1, MALUS_LABEL), pot_node, m, pot))
        if net < 0:
            links.append((pot_node, node(4, MALUS_SURPLUS_LABEL), -net, pot))
        for region, v in g.groupby("region", sort=True)["eur"].sum().items():
            links.append((pot_node, node(2, str(region)), float(v), pot))
    for (region, kind, item), v in (
        gross.groupby(["region", "kind", "item"], sort=True)["eur"].sum().items()
    ):
        links.append((node(2, str(region)), node(3, item_label(kind, item)), float(v), ""))
    frame = pd.DataFrame(links, columns=["source", "target", "value", "pot"])
    frame = frame.groupby(["source", "target"], as_index=False, sort=False).agg(
        value=("value", "sum"), pot=("pot", "first")
    )
    return SankeyData(node_labels, node_layer, frame)


def sankey_figure(
    flows: pd.DataFrame, labels: Mapping[str, str], title: str = "Geldflüsse"
) -> go.Figure:
    """Sankey diagram of the money: budget → pots → regions → help types and projects.

    Args:
        flows: Output of ``DashboardData.flows`` (mean euros per run).
        labels: Help-type code → German label.
        title: German title (e.g. with scenario and year).

    Returns:
        One ``go.Sankey`` trace; see :func:`sankey_data` for the handling of malus.
    """
    data = sankey_data(flows, labels)
    if data.links.empty:
        return empty_figure("Keine Geldflüsse für diese Auswahl", title=title)
    pot_by_label = {POT_LABELS[p]: p for p in POTS}
    node_colours = []
    for label, layer in zip(data.labels, data.layer, strict=True):
        if layer == 1 and label in pot_by_label:
            node_colours.append(POT_COLOURS[pot_by_label[label]])
        elif layer in (-1, 4):
            node_colours.append("#c98b7a")
        elif layer == 0:
            node_colours.append(BASELINE_COLOUR)
        else:
            node_colours.append("#9aa5b1")
    link_colours = [
        _rgba(POT_COLOURS.get(p, "#9aa5b1"), 0.45) if p else "rgba(154, 165, 177, 0.35)"
        for p in data.links["pot"]
    ]
    inflow = data.links.groupby("target")["value"].sum()
    outflow = data.links.groupby("source")["value"].sum()
    amounts = [
        fmt_eur(float(max(inflow.get(i, 0.0), outflow.get(i, 0.0))))
        for i in range(len(data.labels))
    ]
    fig = go.Figure(
        go.Sankey(
            arrangement="snap",
            valueformat=",.0f",
            valuesuffix=" €",
            node={
                "label": data.labels,
                "color": node_colours,
                "pad": 14,
                "thickness": 16,
                "line": {"color": "#ffffff", "width": 0.5},
                "customdata": amounts,
                "hovertemplate": "<b>%{label}</b><br>%{customdata}<extra></extra>",
            },
            link={
                "source": data.links["source"].tolist(),
                "target": data.links["target"].tolist(),
                "value": data.links["value"].tolist(),
                "color": link_colours,
                "customdata": [fmt_eur(v) for v in data.links["value"]],
                "hovertemplate": (
                    "%{source.label} → %{target.label}<br>%{customdata}<extra></extra>"
                ),
            },
            meta={"role": "sankey"},
        )
    )
    style_figure(fig, title=title, x_title=None, height=560)
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    fig.add_annotation(
        text="Mittlere Beträge je Simulationslauf; Malus-Rückzahlungen fließen den Töpfen zu",
        xref="paper",
        yref="paper",
        x=0.0,
        y=-0.04,
        xanchor="left",
        yanchor="top",
        showarrow=False,
        font={"size": 11, "color": MUTED_COLOUR},
    )
    return fig


__all__ = [
    "MALUS_LABEL",
    "MALUS_SURPLUS_LABEL",
    "ROOT_LABEL",
    "SankeyData",
    "sankey_data",
    "sankey_figure",
]
