"""Rich tables of the console output (``run``, ``compare``), rendered to text; warnings.

The commands build their tables with :func:`new_table` and turn them, with any
lines of text between them, into one string with :func:`render`: on a terminal as
wide as the terminal (rich shrinks a table that does not fit by wrapping its text
columns; numbers never wrap), elsewhere (a file, a pipe, a test) :data:`PIPE_WIDTH`
characters wide and without colour codes. Cell texts are never read as rich markup,
so a region called ``[Nord]`` stays ``[Nord]``.

Figures are formatted by the caller, German style (``1.234 €``, ``12,5 %``).

Warnings that do not stop a command (a stale calibration) go to standard error with
:func:`print_warnings`, one ``Warnung:`` line each, never wrapped.
"""

from __future__ import annotations

import io
import shutil
import sys
from collections.abc import Collection, Sequence

from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

PIPE_WIDTH = 160
"""Width of output that does not go to a terminal: wide enough for a Kreis with
eight Sozialräume as columns, narrow enough for a text editor."""

MIN_WIDTH = 80
"""Narrowest width tables are laid out for, even in a narrower terminal."""


def new_table(headers: Sequence[str], right: Collection[int] = ()) -> Table:
    """An empty table with German headings (its title is a line of text before it).

    Args:
        headers: Column headings.
        right: Positions of right-aligned (number) columns; they never wrap.

    Returns:
        The table; add rows with :func:`add_row`.
    """
    table = Table(
        box=box.SIMPLE_HEAD,
        show_edge=False,
        pad_edge=False,
        header_style="bold",
    )
    for i, heading in enumerate(headers):
        table.add_column(
            Text(heading), justify="right" if i in right else "left", no_wrap=i in right
        )
    return table


def add_row(table: Table, cells: Sequence[str], *, end_section: bool = False) -> None:
    """Add a row of texts (never read as markup); ``end_section`` draws a line below."""
    table.add_row(*(Text(c) for c in cells), end_section=end_section)


def _width() -> int:
    if sys.stdout.isatty():
        return max(shutil.get_terminal_size().columns, MIN_WIDTH)
    return PIPE_WIDTH


def render(parts: Sequence[Table | str], width: int | None = None) -> str:
    """Tables and lines of text as one string (trailing spaces removed).

    Args:
        parts: Tables and texts, in order; a text may hold several lines.
        width: Width in characters (default: the terminal's, or :data:`PIPE_WIDTH`).

    Returns:
        The text, without a final newline.
    """
    buffer = io.StringIO()
    tty = width is None and sys.stdout.isatty()
    console = Console(
        file=buffer,
        width=width or _width(),
        color_system="auto" if tty else None,
        force_terminal=tty,
        markup=False,
        highlight=False,
        emoji=False,
        soft_wrap=False,
    )
    for part in parts:
        if isinstance(part, str):
            console.print(Text(part), soft_wrap=True)
        else:
            console.print(part)
    return "\n".join(line.rstrip() for line in buffer.getvalue().rstrip("\n").split("\n"))


def print_warnings(lines: Sequence[str]) -> None:
    """Print warnings to standard error, each as one line ``Warnung: …``.

    On a terminal the prefix is bold yellow; elsewhere (a file, a pipe, a test) the
    lines are plain text. A line is never wrapped (the terminal wraps it on screen)
    and never read as rich markup.

    Args:
        lines: German warnings (nothing is printed for none).
    """
    if not lines:
        return
    console = Console(file=sys.stderr, markup=False, highlight=False, emoji=False, soft_wrap=True)
    for line in lines:
        text = Text("Warnung: ", style="bold yellow")
        text.append(" ".join(line.split()))
        console.print(text)


__all__ = ["MIN_WIDTH", "PIPE_WIDTH", "add_row", "new_table", "print_warnings", "render"]
