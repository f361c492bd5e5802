"""Numbers as people type them, and what a plausible figure is: the one place both are decided.

The målekort reader and the KOSTRA-per-office reader both use :func:`number`, so "3,6",
"2 841" and "−1" mean the same wherever they are typed, and both refuse the same values.
"""
from __future__ import annotations

import difflib
import math
import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pandas is imported where a column is parsed: the workflow reads this module too
    import pandas as pd

# Larger than any figure this report shows (kroner per inhabitant, shares, counts of
# indicators); beyond it a value is a typing or export error, not a result.
MAX_ABS = 1e9
RANGES = {"prosent": (0.0, 100.0, "en andel fra 0 til 100 (prosent)"),
          "kroner": (0.0, MAX_ABS, f"et beløp fra 0 til {int(MAX_ABS):,} kroner".replace(",", " "))}
# Spaces people type or Excel inserts as thousands separators (incl. no-break space).
_SPACES = re.compile(r"[\s\u00a0\u202f]")


def number(text: object) -> float | None:
    """A cell as a number: decimal comma, spaces as thousands separators and the typographic
    minus are accepted; None when it is not a number at all (``inf`` and ``nan`` are numbers
    here, and refused by :func:`value_problem`)."""
    cleaned = _SPACES.sub("", str(text)).replace("\u2212", "-").replace(",", ".")
    try:
        return float(cleaned)
    except ValueError:
        return None


def per_unique(text: pd.Series, func) -> pd.Series:
    """Apply a Series -> Series ``func`` once per distinct value, then spread back.

    Målekort columns repeat few distinct values (offices, years, one-decimal results), so
    working on the distinct values keeps a 100 000-row file fast.
    """
    import pandas as pd

    codes, uniques = pd.factorize(text, use_na_sentinel=False)
    mapped = func(pd.Series(uniques, dtype="str")).to_numpy()
    return pd.Series(mapped[codes], index=text.index)


def parse_numbers(text: pd.Series) -> pd.Series:
    """:func:`number` for a column of text; NaN where empty or not a finite number."""
    def finite(u: pd.Series) -> pd.Series:
        return u.map(lambda t: v if (v := number(t)) is not None and math.isfinite(v) else math.nan)

    return per_unique(text, finite).astype("float64")


def value_problem(text: object, enhet: str | None) -> str | None:
    """Why a value is not plausible for its unit (Norwegian, to follow 'verdien …'), or None."""
    v = number(text)
    if v is None:
        return "er ikke et tall; forventet et tall som 3,6 eller 2841"
    if not math.isfinite(v):
        return "er ikke et endelig tall; forventet et vanlig tall"
    if enhet in RANGES:
        lo, hi, what = RANGES[enhet]
        if not lo <= v <= hi:
            return f"er utenfor det mulige; forventet {what}"
    elif abs(v) > MAX_ABS:
        return f"er urimelig stort; forventet et tall mellom −{MAX_ABS:.0e} og {MAX_ABS:.0e}"
    return None


def nearest(word: str, known: list[str] | set[str], cutoff: float = 0.75) -> str | None:
    """The known word a typo most likely meant (None when none is as close as ``cutoff``)."""
    found = difflib.get_close_matches(word, sorted(known), n=1, cutoff=cutoff)
    return found[0] if found else None
