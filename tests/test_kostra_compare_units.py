"""scripts.analysis.kostra_compare: which snapshot rows become indicator values, and which
series breaks are shown. Snapshots are given as (sidecar, frame) pairs, as load_snapshots
returns them. Everything is made up (oppdiktede testdata): tables "T1"/"T2", content codes
"C1"/"C2", municipality number 9901.
"""
import pandas as pd

from scripts.analysis.kostra_compare import indicator_values, series_breaks

DIMS = {"region": "Region", "contents": "ContentsCode", "time": "Tid"}
COLUMNS = ["omrade", "aar", "indikator_id", "verdi", "status"]


def frame(rows):
    return pd.DataFrame(rows, columns=["Region", "ContentsCode", "Tid", "value", "status"])


SNAP = frame([("9901", "C1", "2014", 3.5, None), ("EAK", "C1", "2015", 4.0, None),
              ("9901", "C2", "2014", 99.0, None), ("EKG13", "C1", "2014", None, "..")])


def catalogue(**extra):
    return {"indicators": [{"id": "x", "table": "T1", "content_code": "C1", "dimensions": DIMS, **extra}]}


def records(df):
    return [tuple(r) for r in df.astype(object).where(df.notna(), None).itertuples(index=False)]


def test_rows_of_the_confirmed_code_become_values_with_office_letters_and_years():
    got = indicator_values([({"table": "T1"}, SNAP)], catalogue(), {"A": "9901"})
    assert list(got.columns) == COLUMNS
    assert records(got) == [("A", 2014, "x", 3.5, None), ("EAK", 2015, "x", 4.0, None),
                            ("EKG13", 2014, "x", None, "..")]


def test_the_year_is_read_from_the_first_four_characters_of_the_time_code():
    snap = frame([("EAK", "C1", "2014M12", 1.0, None)])
    assert indicator_values([({"table": "T1"}, snap)], catalogue(), {})["aar"].tolist() == [2014]


def test_a_table_number_matches_whether_written_as_text_or_number():
    cat = catalogue(table="99999")
    assert len(indicator_values([({"table": 99999}, SNAP)], cat, {})) == 3


def test_a_snapshot_of_another_table_is_not_used():
    assert indicator_values([({"table": "T2"}, SNAP)], catalogue(), {}).empty


def test_an_indicator_without_a_confirmed_code_is_skipped():
    assert indicator_values([({"table": "T1"}, SNAP)], catalogue(content_code=None), {}).empty


def test_the_code_resolved_by_the_fetch_wins_for_its_own_indicator_only():
    meta = {"table": "T1", "resolved": {"indikator_id": "x", "content": {"code": "C2"}}}
    got = indicator_values([(meta, SNAP)], catalogue(content_code=None), {"A": "9901"})
    assert records(got) == [("A", 2014, "x", 99.0, None)]
    other = {"table": "T1", "resolved": {"indikator_id": "y", "content": {"code": "C2"}}}
    assert indicator_values([(other, SNAP)], catalogue(), {})["verdi"].tolist()[:2] == [3.5, 4.0]


def test_a_snapshot_without_a_code_does_not_stop_the_next_one_from_being_read():
    unresolved = {"table": "T1"}
    resolved = {"table": "T1", "resolved": {"indikator_id": "x", "content": {"code": "C2"}}}
    got = indicator_values([(unresolved, SNAP), (resolved, SNAP)], catalogue(content_code=None), {})
    assert records(got) == [("9901", 2014, "x", 99.0, None)]


def test_a_resolved_entry_without_a_code_falls_back_to_nothing():
    meta = {"table": "T1", "resolved": {"indikator_id": "x", "content": None}}
    assert indicator_values([(meta, SNAP)], catalogue(), {}).empty


def test_a_snapshot_missing_one_of_the_dimensions_is_skipped():
    for missing in ("Region", "ContentsCode", "Tid"):
        assert indicator_values([({"table": "T1"}, SNAP.drop(columns=[missing]))], catalogue(), {}).empty


def test_without_indicators_or_snapshots_the_table_is_empty_with_its_columns():
    for got in (indicator_values([({"table": "T1"}, SNAP)], {}, {}), indicator_values([], catalogue(), {})):
        assert got.empty and list(got.columns) == COLUMNS


def test_every_snapshot_is_read_for_every_indicator():
    cat = {"indicators": [catalogue()["indicators"][0], {"id": "z", "table": "T1", "content_code": "C2",
                                                         "dimensions": DIMS}]}
    other = frame([("EAK", "C1", "2016", 5.0, None)])
    got = indicator_values([({"table": "T1"}, SNAP), ({"table": "T1"}, other)], cat, {})
    assert [(r[0], r[1], r[2]) for r in records(got)] == [
        ("9901", 2014, "x"), ("EAK", 2015, "x"), ("EKG13", 2014, "x"), ("EAK", 2016, "x"), ("9901", 2014, "z")]


# --------------------------------------------------------------------------- series_breaks

BREAKS = {"indicators": [
    {"id": "a", "breaks": [{"year": 2014, "reason_nb": "Før første år."},
                           {"year": 2015, "reason_nb": "Ny\n  definisjon   (oppdiktet)."},
                           {"year": 2017, "reason_nb": "Ny tabell."}]},
    {"id": "b", "breaks": None},
    {"id": "c"},
    {"id": "d", "breaks": [{"year": 2018, "reason_nb": "Etter siste år."}]}]}


def test_breaks_after_the_first_year_up_to_and_including_the_last_are_kept_in_order():
    assert series_breaks(BREAKS, [2014, 2015, 2016, 2017]) == {
        "a": [{"aar": 2015, "grunn": "Ny definisjon (oppdiktet)."}, {"aar": 2017, "grunn": "Ny tabell."}]}


def test_breaks_use_the_earliest_and_latest_year_whatever_the_order():
    assert series_breaks(BREAKS, [2018, 2016]) == {"a": [{"aar": 2017, "grunn": "Ny tabell."}],
                                                   "d": [{"aar": 2018, "grunn": "Etter siste år."}]}


def test_a_single_year_shows_no_break_and_a_catalogue_without_indicators_none():
    assert series_breaks(BREAKS, [2015]) == {}
    assert series_breaks({}, [2014, 2020]) == {}
