"""Tests for scripts.data.kostra: JSON-stat 2.0 parsing, snapshots and the to-csv CLI.

All fixtures are made up (see tests/fixtures/kostra/README.md). No network.
"""
from __future__ import annotations

import copy
import io
import itertools
import json
import math
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scripts.data import kostra
from scripts.data.kostra import KostraFormatError, parse_jsonstat, read_snapshot

FIXTURES = Path(__file__).parent / "fixtures" / "kostra"
ROOT = Path(__file__).resolve().parent.parent


def load(name: str) -> dict:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def small() -> dict:
    """A valid 2 x 3 dataset: A in {a1, a2}, B in {b1, b2, b3}."""
    return {
        "version": "2.0",
        "class": "dataset",
        "id": ["A", "B"],
        "size": [2, 3],
        "dimension": {
            "A": {"category": {"index": ["a1", "a2"]}},
            "B": {"category": {"index": {"b1": 0, "b2": 1, "b3": 2}}},
        },
        "value": [1, 2, 3, 4, 5, 6],
    }


# --- SSB-style fixtures ---------------------------------------------------------------


def test_ssb_fixture_has_one_row_per_cell_in_row_major_order():
    frame = parse_jsonstat(load("keyfigures_two_regions.json"))
    assert list(frame.columns) == ["Region", "ContentsCode", "Tid", "value", "status"]
    expected_keys = list(itertools.product(["EAK", "EKG13"], ["XAndel", "XNetto"], ["2014", "2015"]))
    assert list(frame[["Region", "ContentsCode", "Tid"]].itertuples(index=False, name=None)) == (
        expected_keys
    )


def test_index_object_is_ordered_by_position_not_by_key_order():
    obj = load("keyfigures_two_regions.json")
    # The fixture lists EKG13 first in the object but gives it position 1.
    assert list(obj["dimension"]["Region"]["category"]["index"]) == ["EKG13", "EAK"]
    frame = parse_jsonstat(obj)
    assert frame["Region"].iloc[0] == "EAK"


def test_nulls_stay_missing_and_keep_their_status_marker():
    obj = load("keyfigures_two_regions.json")
    frame = parse_jsonstat(obj)
    for i, raw in enumerate(obj["value"]):
        if raw is None:
            assert math.isnan(frame["value"].iloc[i])
            assert frame["status"].iloc[i] == obj["status"][str(i)]
        else:
            assert frame["value"].iloc[i] == float(raw)
            assert pd.isna(frame["status"].iloc[i])
    assert not (frame["value"] == 0).any()


def test_index_as_list_status_as_list_and_label_only_single_category():
    obj = load("index_list_status_list.json")
    frame = parse_jsonstat(obj)
    assert len(frame) == 3
    assert list(frame["Region"]) == obj["dimension"]["Region"]["category"]["index"]
    assert set(frame["Tid"]) == {"2014"}
    assert list(frame["status"].where(frame["status"].notna(), None)) == obj["status"]
    assert frame["value"].isna().tolist() == [v is None for v in obj["value"]]


def test_values_are_float_and_codes_are_strings():
    frame = parse_jsonstat(small())
    assert frame["value"].dtype == float
    assert all(isinstance(c, str) for c in frame["A"])


# --- status forms ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        (None, [None] * 6),
        ("..", [".."] * 6),
        (["p"], ["p"] * 6),
        ({"0": ".", "5": ":"}, [".", None, None, None, None, ":"]),
        ([None, ".", None, None, "..", None], [None, ".", None, None, "..", None]),
    ],
)
def test_status_forms(status, expected):
    obj = small()
    if status is not None:
        obj["status"] = status
    got = parse_jsonstat(obj)["status"].tolist()
    assert [None if pd.isna(s) else s for s in got] == expected


def test_sparse_value_object_leaves_unlisted_cells_missing():
    obj = small()
    obj["value"] = {"1": 7.5, "4": 0}
    values = parse_jsonstat(obj)["value"].tolist()
    assert values[1] == 7.5
    assert values[4] == 0.0  # a real zero stays zero
    assert [math.isnan(v) for v in values] == [True, False, True, True, False, True]


def test_zero_sized_dimension_gives_empty_frame_with_all_columns():
    obj = small()
    obj["size"] = [2, 0]
    obj["dimension"]["B"]["category"]["index"] = []
    obj["value"] = []
    frame = parse_jsonstat(obj)
    assert frame.empty
    assert list(frame.columns) == ["A", "B", "value", "status"]


# --- errors ---------------------------------------------------------------------------


def _mutate(change):
    obj = small()
    change(obj)
    return obj


BROKEN = [
    (lambda o: o.update(value=[1, 2, 3, 4, 5]), "'value' has 5 entries, expected 6 (product of size [2, 3])"),
    (lambda o: o.pop("id"), "missing 'id'"),
    (lambda o: o.pop("size"), "missing 'size'"),
    (lambda o: o.pop("dimension"), "missing 'dimension'"),
    (lambda o: o.pop("value"), "missing 'value'"),
    (lambda o: o.update({"class": "collection"}), "not a dataset"),
    (lambda o: o.update(version="1.2"), "not 2.x"),
    (lambda o: o.update(size=[2]), "'id' has 2 dimensions but 'size' has 1"),
    (lambda o: o.update(size=[2, -3]), "non-negative integers"),
    (lambda o: o.update(id=["A", "A"]), "repeats"),
    (lambda o: o["dimension"].pop("B"), "'B' is listed in 'id' but missing from 'dimension'"),
    (lambda o: o.update(size=[2, 4], value=[0] * 8), "has 3 categories but 'size' says 4"),
    (lambda o: o["dimension"]["B"]["category"].update(index={"b1": 0, "b2": 0, "b3": 2}), "positions must be 0..2"),
    (lambda o: o["dimension"]["B"]["category"].pop("index"), "no 'index'"),
    (lambda o: o["value"].__setitem__(0, "x"), "value[0] is 'x'"),
    (lambda o: o["value"].__setitem__(2, True), "value[2] is True"),
    (lambda o: o.update(status={"6": "."}), "outside 0..5"),
    (lambda o: o.update(status=[".", ".."]), "'status' has 2 entries"),
    (lambda o: o.update(status=5), "'status' must be"),
    (lambda o: o.update(value={"x": 1}), "not a cell index"),
    (
        lambda o: (o.update(id=["A", "value"]), o["dimension"].update(value=o["dimension"].pop("B"))),
        "clashes",
    ),
]


@pytest.mark.parametrize(("change", "message"), BROKEN)
def test_malformed_datasets_raise_with_a_clear_message(change, message):
    with pytest.raises(KostraFormatError) as info:
        parse_jsonstat(_mutate(change))
    assert message in str(info.value)


@pytest.mark.parametrize("thing", [[], "dataset", None, 3])
def test_non_objects_are_rejected(thing):
    with pytest.raises(KostraFormatError, match="expected a dataset object"):
        parse_jsonstat(thing)


def test_the_error_is_a_value_error():
    assert issubclass(KostraFormatError, ValueError)


# --- snapshots ------------------------------------------------------------------------


def test_read_snapshot_matches_parse(tmp_path):
    path = tmp_path / "snap.json"
    path.write_bytes((FIXTURES / "keyfigures_two_regions.json").read_bytes())
    pd.testing.assert_frame_equal(read_snapshot(path), parse_jsonstat(load("keyfigures_two_regions.json")))


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"{not json", "not valid JSON"),
        (b'{"id": ["A"], "size": [1], "dimension": {}, "value": [NaN]}', "not valid JSON"),
        (json.dumps({"id": ["A"]}).encode(), "missing 'size'"),
        (b"\xff\xfe\x00garbage", "not valid JSON"),
    ],
)
def test_read_snapshot_errors_name_the_file(tmp_path, content, message):
    path = tmp_path / "broken_snapshot.json"
    path.write_bytes(content)
    with pytest.raises(KostraFormatError) as info:
        read_snapshot(path)
    assert str(path) in str(info.value)
    assert message in str(info.value)


# --- CLI ------------------------------------------------------------------------------


def test_cli_to_csv_prints_tidy_csv(capsys):
    code = kostra.main(["to-csv", str(FIXTURES / "keyfigures_two_regions.json")])
    out, err = capsys.readouterr()
    assert code == 0
    assert err == ""
    lines = out.splitlines()
    assert lines[0] == "Region,ContentsCode,Tid,value,status"
    assert "EKG13,XAndel,2015,,.." in lines  # missing value: empty field, never 0
    back = pd.read_csv(io.StringIO(out), dtype={"Tid": str}, keep_default_na=False, na_values=[""])
    expected = parse_jsonstat(load("keyfigures_two_regions.json"))
    assert back["value"].isna().tolist() == expected["value"].isna().tolist()
    assert len(back) == len(expected)


def test_cli_bad_input_exits_2_with_one_line_on_stderr(tmp_path, capsys):
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(_mutate(lambda o: o.update(value=[1]))))
    code = kostra.main(["to-csv", str(path)])
    out, err = capsys.readouterr()
    assert code == 2
    assert out == ""
    assert err.count("\n") == 1
    assert "bad.json" in err and "'value' has 1 entries" in err


def test_cli_missing_file_exits_2(tmp_path, capsys):
    code = kostra.main(["to-csv", str(tmp_path / "nope.json")])
    _, err = capsys.readouterr()
    assert code == 2
    assert "nope.json" in err


def test_cli_runs_as_module():
    result = subprocess.run(
        [sys.executable, "-m", "scripts.data.kostra", "to-csv", str(FIXTURES / "index_list_status_list.json")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[0] == "ContentsCode,Region,Tid,value,status"
    assert len(result.stdout.splitlines()) == 4


# --- properties -----------------------------------------------------------------------

NUMBERS = st.one_of(
    st.none(),
    st.integers(min_value=-(10**9), max_value=10**9),
    st.floats(allow_nan=False, allow_infinity=False),
)
MARKERS = st.sampled_from([None, ".", "..", ":"])


@st.composite
def datasets(draw):
    """A random dataset plus the codes, values and statuses it was built from."""
    n_dims = draw(st.integers(min_value=1, max_value=4))
    ids = [f"D{i}" for i in range(n_dims)]
    sizes = [draw(st.integers(min_value=1, max_value=5)) for _ in ids]
    dimension, codes = {}, []
    for dim, size in zip(ids, sizes, strict=True):
        order = draw(st.permutations([f"{dim}_{j}" for j in range(size)]))
        codes.append(list(order))
        if draw(st.booleans()):
            index = list(order)
        else:
            keys = draw(st.permutations(order))  # key order independent of positions
            index = {k: order.index(k) for k in keys}
        dimension[dim] = {"category": {"index": index}}
    n = math.prod(sizes)
    values = draw(st.lists(NUMBERS, min_size=n, max_size=n))
    statuses = draw(st.lists(MARKERS, min_size=n, max_size=n))
    form = draw(st.sampled_from(["object", "list", "absent"]))
    obj = {"version": "2.0", "class": "dataset", "id": ids, "size": sizes, "dimension": dimension, "value": values}
    if form == "object":
        obj["status"] = {str(i): s for i, s in enumerate(statuses) if s is not None}
    elif form == "list":
        obj["status"] = statuses
    else:
        statuses = [None] * n
    # Through JSON, as the data arrives from SSB.
    return json.loads(json.dumps(obj)), codes, values, statuses


@settings(max_examples=150, deadline=None)
@given(datasets())
def test_property_rows_values_and_statuses_round_trip(case):
    obj, codes, values, statuses = case
    original = copy.deepcopy(obj)
    frame = parse_jsonstat(obj)
    assert obj == original  # the input is not modified
    assert len(frame) == math.prod(obj["size"])
    keys = list(frame[obj["id"]].itertuples(index=False, name=None))
    assert keys == list(itertools.product(*codes))
    for got, raw in zip(frame["value"].tolist(), values, strict=True):
        if raw is None:
            assert math.isnan(got)  # missing, never 0
        else:
            assert got == float(raw)
    got_status = [None if pd.isna(s) else s for s in frame["status"].tolist()]
    assert got_status == statuses


@settings(max_examples=60, deadline=None)
@given(datasets(), st.integers(min_value=1, max_value=3))
def test_property_wrong_value_count_is_rejected(case, extra):
    obj = case[0]
    obj["value"] = obj["value"] + [1.0] * extra
    with pytest.raises(KostraFormatError, match="'value' has"):
        parse_jsonstat(obj)
