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


# Each broken dataset and the whole message it must give: the field, the value found and what was
# expected, in Norwegian (a clear message is a promise, so no part of it may go missing).
BROKEN = [
    (lambda o: o.update(value=[1, 2, 3, 4, 5]),
     "'value' har 5 tall, forventet 6 (produktet av 'size' [2, 3])"),
    (lambda o: o.pop("id"), "mangler 'id' (ikke et datasett?)"),
    (lambda o: o.pop("size"), "mangler 'size' (ikke et datasett?)"),
    (lambda o: o.pop("dimension"), "mangler 'dimension' (ikke et datasett?)"),
    (lambda o: o.pop("value"), "mangler 'value' (et svar med bare metadata?)"),
    (lambda o: o.update({"class": "collection"}), "'class' er 'collection'; bare class 'dataset' kan leses"),
    (lambda o: o.update(version="1.2"), "'version' er '1.2'; forventet 2.x"),
    (lambda o: (o.pop("id"), o.update(dataset={"x": {}})),
     "dette ser ut som en samling (bundle) i format 1.x; forventet et datasett i format 2.0"),
    (lambda o: o.update(id="A"), "'id' er 'A'; forventet en liste med dimensjonsnavn (tekst, ikke tom)"),
    (lambda o: o.update(id=["A", ""]), "'id' er ['A', '']; forventet en liste med dimensjonsnavn (tekst, ikke tom)"),
    (lambda o: o.update(id=["A", 2]), "'id' er ['A', 2]; forventet en liste med dimensjonsnavn (tekst, ikke tom)"),
    (lambda o: o.update(id=[]), "'id' er tom; forventet minst én dimensjon"),
    (lambda o: o.update(size=[2]), "'id' har 2 dimensjoner, men 'size' har 1 tall"),
    (lambda o: o.update(size=[2, -3]), "'size' er [2, -3]; forventet en liste med hele tall, 0 eller større"),
    (lambda o: o.update(size=[2, 3.0]), "'size' er [2, 3.0]; forventet en liste med hele tall, 0 eller større"),
    (lambda o: o.update(size=[2, True]), "'size' er [2, True]; forventet en liste med hele tall, 0 eller større"),
    (lambda o: o.update(size={"A": 2}), "'size' er {'A': 2}; forventet en liste med hele tall, 0 eller større"),
    (lambda o: o.update(id=["A", "B", "A"]), "'id' har dimensjonen 'A' mer enn én gang: ['A', 'B', 'A']"),
    (lambda o: (o.update(id=["A", "value"]), o["dimension"].update(value=o["dimension"].pop("B"))),
     "dimensjonen 'value' har samme navn som en kolonne i tabellen som lages; navnene 'value' og 'status' "
     "er opptatt"),
    (lambda o: o.update(id=["status", "B"]),
     "dimensjonen 'status' har samme navn som en kolonne i tabellen som lages; navnene 'value' og 'status' "
     "er opptatt"),
    (lambda o: o.update(dimension=[]), "'dimension' er en liste; forventet et objekt"),
    (lambda o: o["dimension"].pop("B"), "dimensjonen 'B' står i 'id', men mangler i 'dimension'"),
    (lambda o: o["dimension"].update(B="b1"), "dimensjonen 'B' står i 'id', men mangler i 'dimension'"),
    (lambda o: o["dimension"]["B"].pop("category"), "dimensjonen 'B' har ikke noe 'category'-objekt"),
    (lambda o: o.update(size=[2, 4], value=[0] * 8), "dimensjonen 'B' har 3 kategorier, men 'size' sier 4"),
    (lambda o: o["dimension"]["B"]["category"].update(index={"b1": 0, "b2": 0, "b3": 2}),
     "dimensjonen 'B': kategorien 'b2' har posisjon 0 i 'index'; forventet posisjonene 0..2, hver én gang"),
    (lambda o: o["dimension"]["B"]["category"].update(index={"b1": 0, "b2": 3, "b3": 2}),
     "dimensjonen 'B': kategorien 'b2' har posisjon 3 i 'index'; forventet posisjonene 0..2, hver én gang"),
    (lambda o: o["dimension"]["B"]["category"].update(index={"b1": 0, "b2": "1", "b3": 2}),
     "dimensjonen 'B': kategorien 'b2' har posisjon '1' i 'index'; forventet posisjonene 0..2, hver én gang"),
    (lambda o: o["dimension"]["B"]["category"].update(index={"b1": -1, "b2": 1, "b3": 2}),
     "dimensjonen 'B': kategorien 'b1' har posisjon -1 i 'index'; forventet posisjonene 0..2, hver én gang"),
    (lambda o: o["dimension"]["B"]["category"].pop("index"),
     "dimensjonen 'B': 'category' har ingen 'index' (bare en dimensjon med én kategori kan klare seg med "
     "'label')"),
    (lambda o: o["dimension"]["B"]["category"].update(index="b1"),
     "dimensjonen 'B': 'index' er teksten 'b1'; forventet en liste eller et objekt"),
    (lambda o: o["dimension"]["A"]["category"].update(index=["a1", 2]),
     "dimensjonen 'A': kategorikoden 2 er ikke tekst; forventet tekst som \"0301\""),
    (lambda o: o["dimension"]["A"]["category"].update(index=["a1", "a1"]),
     "dimensjonen 'A': kategorikoden 'a1' står mer enn én gang"),
    (lambda o: o["value"].__setitem__(0, "x"), "value[0] er 'x'; forventet et tall eller null"),
    (lambda o: o["value"].__setitem__(2, True), "value[2] er True; forventet et tall eller null"),
    (lambda o: o.update(value={"3": "7"}), "value[3] er '7'; forventet et tall eller null"),
    (lambda o: o.update(value="1"), "'value' er teksten '1'; forventet en liste eller et objekt"),
    (lambda o: o.update(value=None), "'value' er null; forventet en liste eller et objekt"),
    (lambda o: o.update(status={"6": "."}), "nøkkelen '6' i 'status' er utenfor cellene 0..5"),
    (lambda o: o.update(status={"-1": "."}), "nøkkelen '-1' i 'status' er utenfor cellene 0..5"),
    (lambda o: o.update(status=[".", ".."]), "'status' har 2 merker, forventet 6 eller 1"),
    (lambda o: o.update(status=5), "'status' er tallet 5; forventet tekst, en liste eller et objekt"),
    (lambda o: o.update(status=True), "'status' er true (sannhetsverdi); forventet tekst, en liste eller et objekt"),
    (lambda o: o.update(status=[".", 1, None, None, None, None]), "status[1] er 1; forventet tekst eller null"),
    (lambda o: o.update(status=[7]), "status[0] er 7; forventet tekst eller null"),
    (lambda o: o.update(status={"4": ["."]}), "status[4] er ['.']; forventet tekst eller null"),
    (lambda o: o.update(value={"x": 1}), "nøkkelen 'x' i 'value' er ikke et cellenummer; forventet et helt tall 0..5"),
    (lambda o: o.update(value={"6": 1}), "nøkkelen '6' i 'value' er utenfor cellene 0..5"),
]


@pytest.mark.parametrize(("change", "message"), BROKEN)
def test_malformed_datasets_raise_the_whole_norwegian_message(change, message):
    with pytest.raises(KostraFormatError) as info:
        parse_jsonstat(_mutate(change))
    assert str(info.value) == f"JSON-stat: {message}"


@pytest.mark.parametrize(("thing", "found"), [([], "en liste"), ("dataset", "teksten 'dataset'"),
                                              (None, "null"), (3, "tallet 3"), (False, "false (sannhetsverdi)")])
def test_non_objects_are_rejected_naming_what_was_found(thing, found):
    with pytest.raises(KostraFormatError) as info:
        parse_jsonstat(thing)
    assert str(info.value) == f"JSON-stat: forventet et datasett (et JSON-objekt), fikk {found}"


def test_a_sparse_value_object_may_use_any_key_that_is_a_whole_number():
    obj = small()
    obj["value"] = {"0": 1, "5": 6}
    assert parse_jsonstat(obj)["value"].tolist()[::5] == [1.0, 6.0]


def test_a_single_status_in_a_list_applies_to_every_cell():
    obj = small()
    obj.update(size=[2, 1], value=[1, 2], status=["p"])
    obj["dimension"]["B"]["category"]["index"] = ["b1"]
    assert parse_jsonstat(obj)["status"].tolist() == ["p", "p"]


def test_a_dataset_with_an_extra_field_named_dataset_is_still_a_dataset():
    obj = small()
    obj["dataset"] = "navn på en utvidelse"  # only a 1.x bundle lacks 'id'
    assert parse_jsonstat(obj)["value"].tolist() == [1.0, 2.0, 3.0, 4.0, 5.0, 6.0]


def test_a_python_object_that_json_never_gives_is_named_by_its_type():
    with pytest.raises(KostraFormatError) as info:
        parse_jsonstat(("id", "size"))
    assert str(info.value) == "JSON-stat: forventet et datasett (et JSON-objekt), fikk tuple"


def test_a_single_status_is_not_spread_when_the_dataset_has_one_cell():
    obj = small()
    obj.update(id=["A"], size=[1], value=[1], status=["p"])
    obj["dimension"] = {"A": {"category": {"index": ["a1"]}}}
    assert parse_jsonstat(obj)["status"].tolist() == ["p"]


def test_a_version_2_without_class_and_a_one_category_dimension_without_index_are_read():
    obj = small()
    obj.pop("class")
    obj["version"] = "2.1"
    obj["dimension"]["A"]["category"] = {"label": {"a1": "Ett"}}
    obj.update(size=[1, 3], value=[1, 2, 3])
    frame = parse_jsonstat(obj)
    assert frame["A"].tolist() == ["a1"] * 3


def test_a_label_with_two_categories_does_not_replace_a_missing_index():
    obj = small()
    obj["dimension"]["A"]["category"] = {"label": {"a1": "Ett", "a2": "To"}}
    with pytest.raises(KostraFormatError) as info:
        parse_jsonstat(obj)
    assert str(info.value).startswith("JSON-stat: dimensjonen 'A': 'category' har ingen 'index'")


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
        (b"{not json", "ikke gyldig JSON på linje 1, kolonne 2 ({reason})"),
        (b'{"id": ["A"],\n "value": [NaN]}',
         "ikke gyldig JSON: NaN er ikke en JSON-verdi (SSB sender aldri NaN eller Infinity)"),
        (b'{"value": [Infinity]}',
         "ikke gyldig JSON: Infinity er ikke en JSON-verdi (SSB sender aldri NaN eller Infinity)"),
        (json.dumps({"id": ["A"]}).encode(), "JSON-stat: mangler 'size' (ikke et datasett?)"),
        (b'{"a": 1}\n\x80', "ikke gyldig JSON: ikke UTF-8-tekst (byte 9)"),
        (b'{"a": 1,\n\n  }', "ikke gyldig JSON på linje 3, kolonne 3 ({reason})"),
    ],
)
def test_read_snapshot_errors_name_the_file_and_what_is_wrong(tmp_path, content, message):
    path = tmp_path / "broken_snapshot.json"
    path.write_bytes(content)
    with pytest.raises(KostraFormatError) as info:
        read_snapshot(path)
    assert str(info.value) == f"{path}: {message.format(reason=decoder_reason(content))}"


def decoder_reason(content: bytes) -> str | None:
    """Python's own words for why ``content`` is not JSON (they differ between versions)."""
    try:
        json.loads(content)
    except json.JSONDecodeError as exc:
        return exc.msg
    except ValueError:
        return None
    return None


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


def test_cli_bad_input_exits_2_with_the_whole_message_on_one_line_of_stderr(tmp_path, capsys):
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(_mutate(lambda o: o.update(value=[1]))))
    code = kostra.main(["to-csv", str(path)])
    out, err = capsys.readouterr()
    assert code == 2
    assert out == ""
    assert err == f"kostra: feil: {path}: JSON-stat: 'value' har 1 tall, forventet 6 (produktet av 'size' [2, 3])\n"


def test_cli_message_spanning_lines_is_printed_on_one(tmp_path, capsys):
    path = tmp_path / "linjer.json"
    path.write_bytes(b'{\n\n "a": ,\n}')
    assert kostra.main(["to-csv", str(path)]) == 2
    assert capsys.readouterr().err == (f"kostra: feil: {path}: ikke gyldig JSON på linje 3, kolonne 7 "
                                       f"({decoder_reason(path.read_bytes())})\n")
    spaced = tmp_path / "med mellomrom\tog tab.json"
    spaced.write_bytes(b"[]")
    assert kostra.main(["to-csv", str(spaced)]) == 2
    assert capsys.readouterr().err == (f"kostra: feil: {tmp_path}/med mellomrom og tab.json: JSON-stat: forventet et "
                                       "datasett (et JSON-objekt), fikk en liste\n")


def test_cli_missing_file_exits_2(tmp_path, capsys):
    code = kostra.main(["to-csv", str(tmp_path / "nope.json")])
    out, err = capsys.readouterr()
    assert code == 2 and out == ""
    assert err.startswith("kostra: feil: ") and f"{tmp_path / 'nope.json'}" in err and err.count("\n") == 1


def test_cli_needs_a_command_and_a_file(capsys):
    for argv in ([], ["to-csv"], ["til-csv", "x.json"]):
        with pytest.raises(SystemExit) as exit_info:
            kostra.main(argv)
        assert exit_info.value.code == 2
    assert capsys.readouterr().err.startswith("usage: python -m scripts.data.kostra ")


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
    n = math.prod(obj["size"])
    obj["value"] = obj["value"] + [1.0] * extra
    with pytest.raises(KostraFormatError) as info:
        parse_jsonstat(obj)
    assert str(info.value) == (f"JSON-stat: 'value' har {n + extra} tall, forventet {n} "
                               f"(produktet av 'size' {obj['size']})")
