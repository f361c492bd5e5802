"""Norwegian formatting, used for every number, date and list the report prints.

One function per kind of value, so the whole report changes together if a convention
changes: decimal comma, a (non-breaking) space between thousands where the thesis uses
them, dates as 15.03.2015, lists as "A, B og C".
"""
from __future__ import annotations

import datetime as dt
import math
from decimal import ROUND_HALF_UP, Decimal

from scripts.content import escape

NBSP = "\u00a0"
MINUS = "\u2212"

ORD = {0: "null", 1: "én", 2: "to", 3: "tre", 4: "fire", 5: "fem", 6: "seks", 7: "sju", 8: "åtte",
       9: "ni", 10: "ti", 11: "elleve", 12: "tolv"}


def tall(value, desimaler: int = 0, tusenskille: bool = True, min_tusen: int = 10_000) -> str:
    """Format a number the Norwegian way: ``tall(2841) == '2841'``, ``tall(285000) == '285 000'``,
    ``tall(3.6, 1) == '3,6'``.

    Rounds half up (as people do by hand, not banker's rounding). Thousands are grouped with a
    non-breaking space from ``min_tusen`` on (Norwegian style leaves four-digit numbers
    ungrouped, as the thesis does in Tabell 4.2). Missing values (None/NaN) give an en dash.
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    q = Decimal(1).scaleb(-desimaler) if desimaler > 0 else Decimal(1)
    d = Decimal(str(value)).quantize(q, rounding=ROUND_HALF_UP)
    negative = d < 0
    d = abs(d)
    text = f"{d:.{desimaler}f}" if desimaler > 0 else f"{d:.0f}"
    whole, _, frac = text.partition(".")
    if tusenskille and int(whole) >= min_tusen:
        groups = []
        while len(whole) > 3:
            groups.insert(0, whole[-3:])
            whole = whole[:-3]
        whole = NBSP.join([whole, *groups])
    out = whole + ("," + frac if frac else "")
    if negative and out.strip("0,") != "":
        out = MINUS + out
    return out


def prosent(value, desimaler: int = 0) -> str:
    """``prosent(14) == '14 %'`` (Norwegian puts a space before the per cent sign)."""
    return f"{tall(value, desimaler)}{NBSP}%"


def kroner(value) -> str:
    """``kroner(2841) == '2841 kr'``."""
    return f"{tall(value)}{NBSP}kr"


def dato(value: dt.date | str) -> str:
    """``dato(date(2015, 3, 15)) == '15.03.2015'``; ISO strings are accepted."""
    if isinstance(value, str):
        value = dt.date.fromisoformat(value)
    return value.strftime("%d.%m.%Y")


def spenn(lo, hi, desimaler: int = 0) -> str:
    """A range with an en dash: ``spenn(70, 160) == '70–160'``."""
    return f"{tall(lo, desimaler)}–{tall(hi, desimaler)}"


def liste(items, og: str = "og") -> str:
    """``liste(['A', 'B', 'C']) == 'A, B og C'``."""
    items = [str(i) for i in items]
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + f" {og} " + items[-1]


def ord_tall(n: int, intetkjonn: bool = False) -> str:
    """Small counts as words in running text (``ord_tall(6) == 'seks'``), larger ones as digits."""
    if n == 1 and intetkjonn:
        return "ett"
    return ORD.get(int(n), tall(n))


def md_escape(text) -> str:
    """Escape text from data files so Pandoc shows it literally (see scripts.content.escape.markdown)."""
    return escape.markdown(text)


def beste(text: str) -> str:
    """A table cell's text marked as the best value, with two cues so colour is never the only
    signal: a yellow background (class ``hl``) and bold text with ★, plus words for screen readers."""
    return f"[**{text}**&nbsp;[★]{{aria-hidden=\"true\"}}[ (beste verdi)]{{.visually-hidden}}]{{.hl}}"
