"""HTML building blocks of the briefing: print CSS, escaping, tables, signed numbers.

The briefing (:mod:`dashboard.briefing`) is one self-contained HTML document; these
helpers make its parts: the A4 print style sheet (:data:`CSS`), escaped text
(:func:`escape`), tables whose cells are escaped unless marked as HTML
(:func:`html_table`, :class:`Html`), lists (:func:`item_list`), German numbers with a
sign and intervals, the sentence on an interval's direction, a scenario's line as a
small inline SVG (:func:`line_sample`: colour, dash and marker, for black-and-white
prints) and charts embedded as SVG data URIs.
"""

from __future__ import annotations

import base64
import html
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from scenarios import fmt_eur, fmt_num

CSS = """
@page { size: A4; margin: 14mm 15mm 14mm 18mm;
  @bottom-right { content: "Seite " counter(page) " von " counter(pages);
    font: 7.5pt "Liberation Sans", Arial, sans-serif; color: #52606d; }
  @bottom-left { content: "Modellvergleich sozialraum-sim – keine Prognose";
    font: 7.5pt "Liberation Sans", Arial, sans-serif; color: #52606d; } }
* { box-sizing: border-box; }
html { font-family: "Source Sans 3", "Segoe UI", "Helvetica Neue", Arial, "Liberation Sans",
  sans-serif; font-size: 8.6pt; line-height: 1.28; color: #1f2933; }
body { margin: 0 auto; max-width: 180mm; padding: 0; }
.kopf { display: flex; justify-content: space-between; border-bottom: 2px solid #1f2933;
  padding-bottom: 1.5mm; margin-bottom: 2mm; font-size: 8pt; color: #52606d; }
.kopf strong { color: #1f2933; font-size: 9.5pt; }
.kopf table td { padding: 0 0 0 4mm; }
h1 { font-size: 11pt; margin: 0 0 1mm; color: #1f2933; }
h2 { font-size: 9.5pt; margin: 2.6mm 0 0.8mm; color: #1f2933; break-after: avoid;
  border-bottom: 0.6pt solid #9aa5b1; }
p { margin: 0 0 1.4mm; }
ul { margin: 0 0 1.6mm; padding-left: 4.5mm; }
li { margin-bottom: 0.5mm; }
table.daten { border-collapse: collapse; width: 100%; margin: 0.6mm 0 1.4mm; font-size: 7.8pt; }
table.daten tr { break-inside: avoid; }
table.daten th, table.daten td { border-bottom: 0.5pt solid #9aa5b1; padding: 0.5mm 1mm;
  text-align: left; vertical-align: top; }
table.daten th { font-weight: 600; border-bottom: 1pt solid #1f2933; }
table.daten td.zahl, table.daten th.zahl { text-align: right;
  font-variant-numeric: tabular-nums; }
table.daten td.zahl { white-space: nowrap; }
table.kennzahlen td:first-child { width: 16mm; white-space: nowrap; }
table.legende { border-collapse: collapse; width: 100%; margin: 0.5mm 0 1.4mm; }
table.legende td { padding: 0.4mm 1mm 0.4mm 0; vertical-align: top; }
table.legende td:first-child { white-space: nowrap; width: 17mm; }
.beschreibung { display: block; font-size: 7.4pt; color: #3e4c59; }
.kuerzel { font-weight: 700; display: inline-block; min-width: 3mm; }
svg.linie { vertical-align: -1px; margin-right: 1mm; }
.iv { display: block; font-size: 7pt; color: #3e4c59; }
.klein { font-size: 7.4pt; color: #3e4c59; }
ul.klein li { margin-bottom: 0.3mm; }
.hash { font-family: "DejaVu Sans Mono", "Liberation Mono", monospace; font-size: 6.2pt;
  word-break: break-all; }
.abb-reihe { display: grid; grid-template-columns: 1fr 1fr 1fr; gap: 3mm; break-inside: avoid; }
.zusammen { break-inside: avoid; }
figure { margin: 0.6mm 0 1.4mm; break-inside: avoid; }
figure img { width: 100%; height: auto; display: block; }
figcaption { font-size: 7.4pt; color: #3e4c59; margin-top: 0.3mm; }
@media screen { body { padding: 10mm; } }
"""


def escape(text: Any) -> str:
    """Text for HTML, quotes included.

    >>> escape('<a href="x">')
    '&lt;a href=&quot;x&quot;&gt;'
    """
    return html.escape(str(text), quote=True)


def html_table(
    head: Sequence[str],
    rows: Iterable[Sequence[Any]],
    numeric: Iterable[int] = (),
    css: str = "daten",
) -> str:
    """An HTML table; cells are escaped except where they are marked as HTML."""
    num = set(numeric)
    th = "".join(
        f'<th class="zahl">{escape(h)}</th>' if i in num else f"<th>{escape(h)}</th>"
        for i, h in enumerate(head)
    )
    body = []
    for row in rows:
        cells = []
        for i, cell in enumerate(row):
            content = cell.html if isinstance(cell, Html) else escape(cell)
            cells.append(f'<td class="zahl">{content}</td>' if i in num else f"<td>{content}</td>")
        body.append(f"<tr>{''.join(cells)}</tr>")
    return (
        f'<table class="{css}"><thead><tr>{th}</tr></thead><tbody>{"".join(body)}</tbody></table>'
    )


@dataclass(frozen=True)
class Html:
    """A table cell that is already HTML (not escaped again)."""

    html: str


def interval(lo: float, hi: float, fmt: Any) -> str:
    """``lo bis hi``, each formatted with ``fmt``."""
    return f"{fmt(lo)} bis {fmt(hi)}"


def signed_eur(x: float) -> str:
    """Euros with ``+`` before a positive amount (not before ``0 €``)."""
    return ("+" if x > 0 and fmt_eur(x) != "0 €" else "") + fmt_eur(x)


def signed_num(x: float, decimals: int = 0) -> str:
    """A German number with ``+`` before a positive value that does not round to zero.

    >>> signed_num(1.25, 1), signed_num(0.01, 1)
    ('+1,2', '0,0')
    """
    text = fmt_num(x, decimals)
    return ("+" if x > 0 and any(c in "123456789" for c in text) else "") + text


def direction(lo: float, hi: float) -> str:
    """The German sentence on whether a 90 % interval lies on one side of zero."""
    if math.isnan(lo) or math.isnan(hi):
        return ""
    if lo > 0:
        return "Das 90-%-Intervall liegt ganz über null: eindeutige Richtung."
    if hi < 0:
        return "Das 90-%-Intervall liegt ganz unter null: eindeutige Richtung."
    return "Das 90-%-Intervall schließt null ein: kein eindeutiger Unterschied."


def svg_img(svg: bytes, alt: str) -> str:
    """An ``<img>`` with the SVG chart embedded as a data URI (no file, no network)."""
    data = base64.b64encode(svg).decode("ascii")
    return f'<img alt="{escape(alt)}" src="data:image/svg+xml;base64,{data}">'


_DASH_ARRAYS = {
    "solid": "",
    "dot": "2 2",
    "dash": "6 4",
    "longdash": "10 4",
    "dashdot": "6 2 2 2",
    "longdashdot": "10 3 2 3",
}
"""Plotly's line dashes as SVG dash arrays (for a 2-pixel line)."""


def _polygon(points: Iterable[tuple[float, float]]) -> str:
    return " ".join(f"{x:.2f},{y:.2f}" for x, y in points)


def _regular(n: int, cx: float, cy: float, r: float, start: float = -90.0) -> list:
    return [
        (
            cx + r * math.cos(math.radians(start + 360 * k / n)),
            cy + r * math.sin(math.radians(start + 360 * k / n)),
        )
        for k in range(n)
    ]


def marker_svg(symbol: str, cx: float, cy: float, r: float, colour: str) -> str:
    """An SVG shape like plotly's marker ``symbol`` (``circle``, ``square`` …) at (cx, cy).

    Unknown symbols are drawn as circles.
    """
    fill = f'fill="{escape(colour)}" stroke="#ffffff" stroke-width="0.8"'
    if symbol == "square":
        side = f"{2 * r:.2f}"
        return f'<rect x="{cx - r:.2f}" y="{cy - r:.2f}" width="{side}" height="{side}" {fill}/>'
    shapes = {
        "diamond": [(cx, cy - 1.3 * r), (cx + 1.3 * r, cy), (cx, cy + 1.3 * r), (cx - 1.3 * r, cy)],
        "triangle-up": [(cx, cy - 1.25 * r), (cx + 1.25 * r, cy + r), (cx - 1.25 * r, cy + r)],
        "triangle-down": [(cx, cy + 1.25 * r), (cx + 1.25 * r, cy - r), (cx - 1.25 * r, cy - r)],
        "pentagon": _regular(5, cx, cy, 1.15 * r),
        "hexagon": _regular(6, cx, cy, 1.1 * r, 0.0),
        "star": [
            p
            for outer, inner in zip(
                _regular(5, cx, cy, 1.35 * r), _regular(5, cx, cy, 0.55 * r, -54.0), strict=True
            )
            for p in (outer, inner)
        ],
    }
    if symbol in shapes:
        return f'<polygon points="{_polygon(shapes[symbol])}" {fill}/>'
    if symbol in ("x", "cross"):
        a = r * (0.95 if symbol == "x" else 1.2)
        if symbol == "x":
            lines = ((cx - a, cy - a, cx + a, cy + a), (cx - a, cy + a, cx + a, cy - a))
        else:
            lines = ((cx - a, cy, cx + a, cy), (cx, cy - a, cx, cy + a))
        return "".join(
            f'<line x1="{x1:.2f}" y1="{y1:.2f}" x2="{x2:.2f}" y2="{y2:.2f}" '
            f'stroke="{escape(colour)}" stroke-width="{0.9 * r:.2f}"/>'
            for x1, y1, x2, y2 in lines
        )
    return f'<circle cx="{cx:.2f}" cy="{cy:.2f}" r="{r:.2f}" {fill}/>'


def line_sample(colour: str, dash: str, symbol: str, label: str = "") -> str:
    """A small inline SVG of a scenario's line: its colour, dash and marker.

    It shows a reader of a black-and-white print which line in the charts is which.

    Args:
        colour: Hex colour.
        dash: Plotly line dash (``solid``, ``dash`` …).
        symbol: Plotly marker symbol.
        label: Accessible name (``aria-label``).
    """
    pattern = _DASH_ARRAYS.get(dash, "")
    dashed = f' stroke-dasharray="{pattern}"' if pattern else ""
    return (
        f'<svg class="linie" viewBox="0 0 40 12" width="40" height="12" role="img" '
        f'aria-label="{escape(label)}"><line x1="1" y1="6" x2="39" y2="6" '
        f'stroke="{escape(colour)}" stroke-width="2"{dashed}/>'
        f"{marker_svg(symbol, 20, 6, 3.6, colour)}</svg>"
    )


def item_list(items: Iterable[str], css: str = "") -> str:
    """An HTML list of items that are already HTML (empty text for no items)."""
    entries = [f"<li>{item}</li>" for item in items if item]
    if not entries:
        return ""
    klass = f' class="{escape(css)}"' if css else ""
    return f"<ul{klass}>{''.join(entries)}</ul>"


__all__ = [
    "CSS",
    "Html",
    "direction",
    "escape",
    "html_table",
    "interval",
    "item_list",
    "line_sample",
    "marker_svg",
    "signed_eur",
    "signed_num",
    "svg_img",
]
