"""HTML building blocks of the briefing: print CSS, escaping, tables, signed numbers.

The briefing (:mod:`dashboard.briefing`) is one self-contained HTML document; these
helpers make its parts: the A4 print style sheet (:data:`CSS`), escaped text
(:func:`escape`), tables whose cells are escaped unless marked as HTML
(:func:`html_table`, :class:`Html`), German numbers with a sign and intervals, the
sentence on an interval's direction, and charts embedded as SVG data URIs.
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
@page { size: A4; margin: 16mm 16mm 16mm 20mm;
  @bottom-right { content: "Seite " counter(page) " von " counter(pages);
    font: 8pt "Liberation Sans", Arial, sans-serif; color: #52606d; }
  @bottom-left { content: "Modellvergleich sozialraum-sim – keine Prognose";
    font: 8pt "Liberation Sans", Arial, sans-serif; color: #52606d; } }
* { box-sizing: border-box; }
html { font-family: "Source Sans 3", "Segoe UI", "Helvetica Neue", Arial, "Liberation Sans",
  sans-serif; font-size: 9pt; line-height: 1.3; color: #1f2933; }
body { margin: 0 auto; max-width: 180mm; padding: 6mm 0; }
.kopf { display: flex; justify-content: space-between; border-bottom: 2px solid #1f5f8b;
  padding-bottom: 2mm; margin-bottom: 3mm; font-size: 8.5pt; color: #52606d; }
.kopf strong { color: #1f2933; font-size: 10pt; }
.kopf table td { padding: 0 0 0 4mm; }
h1 { font-size: 12pt; margin: 0 0 1.5mm; color: #1f5f8b; }
h2 { font-size: 10pt; margin: 3mm 0 1mm; color: #1f5f8b; break-after: avoid; }
p { margin: 0 0 1.8mm; }
ul { margin: 0 0 2mm; padding-left: 5mm; }
li { margin-bottom: 0.6mm; }
ul.szenarien { font-size: 8pt; }
table.daten { border-collapse: collapse; width: 100%; margin: 1mm 0 2mm; font-size: 8pt; }
table.daten tr { break-inside: avoid; }
table.daten th, table.daten td { border-bottom: 1px solid #d9e2ec; padding: 0.7mm 1.2mm;
  text-align: left; vertical-align: top; }
table.daten th { background: #f0f4f8; font-weight: 600; }
table.daten td.zahl, table.daten th.zahl { text-align: right;
  font-variant-numeric: tabular-nums; }
table.daten td.zahl { white-space: nowrap; }
table.kennzahlen td:first-child { width: 30%; }
.iv { display: block; font-size: 7.5pt; color: #52606d; }
.farbe { display: inline-block; width: 2.6mm; height: 2.6mm; border-radius: 50%;
  margin-right: 1.2mm; vertical-align: baseline; }
.klein { font-size: 7.8pt; color: #52606d; }
.hash { font-family: "DejaVu Sans Mono", "Liberation Mono", monospace; font-size: 6.8pt;
  word-break: break-all; }
figure { margin: 1mm 0 2mm; break-inside: avoid; }
figure img { width: 100%; height: auto; display: block; }
figcaption { font-size: 8pt; color: #52606d; margin-top: 0.5mm; }
.hinweis { border-left: 3px solid #1f5f8b; background: #f0f4f8; padding: 2mm 3mm;
  margin: 2mm 0; break-inside: avoid; }
.seitenumbruch { break-before: page; }
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


__all__ = [
    "CSS",
    "Html",
    "direction",
    "escape",
    "html_table",
    "interval",
    "signed_eur",
    "signed_num",
    "svg_img",
]
