"""Pandoc pipe tables with relative column widths, from a header and rows of cell text.

Every table of the report goes through :func:`pipe_table` (Tabell 4.1 and 4.2 from the
comparison step, the appendices' tables from the chapters). It takes plain lists, not a
DataFrame, so a chapter that shows a small table of text does not have to import pandas
(a third of a second per chapter job); the rows are laid out by tabulate, which is also what
``DataFrame.to_markdown`` calls.
"""
from __future__ import annotations

from tabulate import tabulate

# Wider than Pandoc's 72 columns, so Pandoc takes the columns' relative widths from the dashes.
SEPARATOR_WIDTH = 160


def pipe_table(header: list[str], rows: list[list], widths: list[float], align: list[str]) -> str:
    """A Pandoc pipe table; ``align`` is "left", "right" or "center" per column.

    Pandoc takes the relative widths of a wide pipe table from the dashes of its separator
    line, so the separator is rewritten to the wanted proportions (a short office column
    must not be squeezed to a few letters in the PDF).
    """
    text = tabulate(rows, headers=header, tablefmt="pipe", colalign=align)
    lines = text.splitlines()
    cells = []
    for w, a in zip(widths, align, strict=True):
        n = max(3, round(SEPARATOR_WIDTH * w / sum(widths)))
        cells.append((":" if a in ("left", "center") else "-") + "-" * (n - 2) + (":" if a in ("right", "center") else "-"))
    lines[1] = "|" + "|".join(cells) + "|"
    return "\n".join(lines)


# How a unit is written in a column header.
UNIT_SHORT = {"prosent": "%", "kroner": "kr"}


def tabell_4_2(indikatorer: list[dict], kontorer: list[str]) -> str:
    """Tabell 4.2 as a pipe table, from the comparison step's indicator summaries (printed
    values and best offices, decided there); the best value per indicator is highlighted with
    :func:`scripts.content.fmt.beste` (background, bold and ★, words for screen readers)."""
    from scripts.content.fmt import beste, md_escape

    header = ["Kontor"] + [f"{md_escape(i['etikett'])} ({UNIT_SHORT.get(i['enhet'], md_escape(i['enhet']))})"
                           for i in indikatorer]
    rows = [[f"Kontor {md_escape(k)}"] + [beste(i["tekst"][k]) if k in i["beste"] else i["tekst"][k]
                                          for i in indikatorer] for k in kontorer]
    n = len(indikatorer)
    return pipe_table(header, rows, [0.12] + [0.88 / n] * n, ["left"] + ["right"] * n)
