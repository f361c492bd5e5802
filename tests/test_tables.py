"""Pipe tables from plain rows (scripts/content/tables.py): the appendices' tables, which are
built in chapter jobs without pandas, must come out as the comparison step's tables do."""
import pandas as pd
import pytest

from scripts.analysis import compare
from scripts.content import tables


def test_rows_and_a_frame_with_the_same_cells_give_the_same_table():
    header = ["Fil", "Størrelse (byte)", "Status"]
    rows = [["data/a.csv", "1 234", "godkjent"], ["data/bb.yaml", "56", "**ny**"]]
    widths, align = [0.5, 0.2, 0.3], ["left", "right", "left"]
    from_rows = tables.pipe_table(header, rows, widths, align)
    from_frame = compare.pipe_table(pd.DataFrame(rows, columns=header), widths, align)
    assert from_rows == from_frame
    # the body rows are pandas' own layout (tabulate), only the separator line is rewritten
    assert from_rows.splitlines()[2:] == pd.DataFrame(rows, columns=header).to_markdown(
        index=False, tablefmt="pipe", colalign=align).splitlines()[2:]


def test_every_row_and_cell_is_kept_in_order():
    rows = [[f"r{i}", str(i)] for i in range(5)]
    lines = tables.pipe_table(["Navn", "Tall"], rows, [1, 1], ["left", "right"]).splitlines()
    assert len(lines) == 2 + len(rows)
    assert [[c.strip() for c in line.split("|")[1:-1]] for line in lines[2:]] == rows


def test_a_width_list_shorter_than_the_columns_is_an_error():
    with pytest.raises(ValueError):
        tables.pipe_table(["a", "b"], [["1", "2"]], [1], ["left", "left"])
