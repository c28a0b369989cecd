"""German number formatting for everything a user sees.

Thousands are separated by a dot, decimals by a comma, and units follow after a
space: ``1.234.567 €``, ``12,5 %``. Values that are not finite print as ``–``
(keine Angabe) or ``∞``.
"""

from __future__ import annotations

import math

_SWAP = str.maketrans({",": ".", ".": ","})

MISSING = "–"
"""What a missing (NaN) value prints as."""


def fmt_num(x: float, decimals: int = 0) -> str:
    """Format a number the German way, with thousands dots and a decimal comma.

    Args:
        x: The number.
        decimals: Digits after the decimal comma (>= 0).

    Returns:
        The formatted number; ``–`` for NaN, ``∞``/``-∞`` for infinities. A value
        that rounds to zero never carries a minus sign.

    Examples:
        >>> fmt_num(1234567.891, 2)
        '1.234.567,89'
        >>> fmt_num(-0.004, 2)
        '0,00'
        >>> fmt_num(999.5)
        '1.000'
        >>> fmt_num(float("nan"))
        '–'
    """
    if decimals < 0:
        raise ValueError(f"decimals must be >= 0, got {decimals}")
    value = float(x)
    if math.isnan(value):
        return MISSING
    if math.isinf(value):
        return "∞" if value > 0 else "-∞"
    text = f"{value:,.{decimals}f}"
    if text.startswith("-") and not any(c in "123456789" for c in text):
        text = text[1:]
    return text.translate(_SWAP)


def fmt_eur(x: float, decimals: int = 0) -> str:
    """Format an amount in euros, rounded to whole euros by default.

    Args:
        x: Amount in EUR.
        decimals: Digits for cents (0 or 2 are usual).

    Returns:
        For example ``1.234.567 €``.

    Examples:
        >>> fmt_eur(1234567.4)
        '1.234.567 €'
        >>> fmt_eur(-2500)
        '-2.500 €'
        >>> fmt_eur(69.8, 2)
        '69,80 €'
    """
    return f"{fmt_num(x, decimals)} €"


def fmt_pct(x: float, decimals: int = 1) -> str:
    """Format a share (0..1) as a German percentage.

    Args:
        x: The share; 0.125 means 12.5 %.
        decimals: Digits after the decimal comma.

    Returns:
        For example ``12,5 %``.

    Examples:
        >>> fmt_pct(0.125)
        '12,5 %'
        >>> fmt_pct(1)
        '100,0 %'
        >>> fmt_pct(0.3, 0)
        '30 %'
    """
    return f"{fmt_num(float(x) * 100.0, decimals)} %"


def fmt_value(x: object) -> str:
    """Format a raw input value for an error message (no thousands separator).

    Args:
        x: A value as read from a file: number, text, bool, list or None.

    Returns:
        Numbers with a decimal comma, texts in German quotes.

    Examples:
        >>> fmt_value(1.3)
        '1,3'
        >>> fmt_value(2026)
        '2026'
        >>> fmt_value("abc")
        '„abc“'
        >>> fmt_value([0.5, 0.4])
        '[0,5; 0,4]'
    """
    if x is None:
        return "leer"
    if isinstance(x, bool):
        return "true" if x else "false"
    if isinstance(x, int):
        return str(x)
    if isinstance(x, float):
        return repr(x).replace(".", ",")
    if isinstance(x, str):
        return f"„{x}“"
    if isinstance(x, (list, tuple)):
        return "[" + "; ".join(fmt_value(v) for v in x) + "]"
    if isinstance(x, dict):
        return "{" + ", ".join(f"{k}: {fmt_value(v)}" for k, v in x.items()) + "}"
    return str(x)
