"""Figures as images (PNG, SVG) for downloads and the briefing.

kaleido draws the figures with headless Chromium; :func:`render_images` renders
several at once. A failure raises :class:`ExportError` with a German message.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import plotly.graph_objects as go

# =========================================================================== export


class ExportError(RuntimeError):
    """A figure could not be exported as an image (message in German, for users)."""


_EXPORT_HINT = (
    "Die Grafik konnte nicht als Bild exportiert werden: {}. Für den Export wird "
    "Chromium benötigt (kaleido)."
)


def figure_png(fig: go.Figure, width: int = 1100, height: int = 500, scale: float = 2.0) -> bytes:
    """The figure as PNG bytes (kaleido, headless Chromium).

    Args:
        fig: The figure.
        width: Width in CSS pixels.
        height: Height in CSS pixels.
        scale: Pixel density (2 gives sharp images for slides).

    Returns:
        PNG bytes.

    Raises:
        ExportError: If the export fails (e.g. no Chromium).
    """
    try:
        return fig.to_image(format="png", width=width, height=height, scale=scale)
    except Exception as exc:  # kaleido raises several types; users get one message
        raise ExportError(_EXPORT_HINT.format(exc)) from exc


def figure_svg(fig: go.Figure, width: int = 900, height: int = 380) -> str:
    """The figure as SVG text (kaleido).

    Raises:
        ExportError: If the export fails.
    """
    try:
        return fig.to_image(format="svg", width=width, height=height).decode("utf-8")
    except Exception as exc:
        raise ExportError(_EXPORT_HINT.format(exc)) from exc


def render_images(figures: Sequence[tuple[go.Figure, int, int]], fmt: str = "svg") -> list[bytes]:
    """Export several figures in one Chromium session (much faster than one by one).

    Args:
        figures: (figure, width, height) for each image.
        fmt: ``svg``, ``png`` or ``pdf``.

    Returns:
        The image bytes, in order.

    Raises:
        ExportError: If the export fails.
    """
    import kaleido

    async def run() -> list[bytes]:
        async with kaleido.Kaleido(n=1) as k:
            out = []
            for fig, width, height in figures:
                opts: Any = {"format": fmt, "width": width, "height": height, "scale": 1}
                out.append(await k.calc_fig(fig.to_plotly_json(), opts=opts))
            return out

    try:
        # own thread, own event loop: works whether or not the caller runs a loop
        with ThreadPoolExecutor(max_workers=1) as pool:
            return pool.submit(asyncio.run, run()).result()
    except Exception as exc:
        raise ExportError(_EXPORT_HINT.format(exc)) from exc


__all__ = [
    "ExportError",
    "figure_png",
    "figure_svg",
    "render_images",
]
