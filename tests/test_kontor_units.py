"""scripts.analysis.kontor piece by piece, on a small data folder whose quartiles, medians and
groups are worked out by hand below; the command line is called in-process.

Every office identifier (K001 …), inhabitant count, KOSTRA group and value here is made up
(oppdiktede testdata).
"""
from __future__ import annotations

import json

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scripts.analysis import kontor
from scripts.data import generate, kontor_input
from scripts.data.offices import DataError, load_indicators

ARB, NED, SOS, NETTO = ("arbeidssokere_overgang_arbeid", "nedsatt_arbeidsevne_overgang_arbeid",
                        "sosialhjelpsmottakere_andel", "netto_driftsutgifter_sosialtjenesten")
INDICATORS = load_indicators()
OFFICES = ["K001", "K002", "K003", "K004", "K005"]
# 2014 (the edition year), every office and indicator. Worked out by hand:
#   ARB (higher best): K003 60 > K005 55 > K001 50 > K004 45 > K002 40; median 50
#   NED (higher best): K005 35 > K001 30 = K002 30 > K004 25 > K003 20 (ties share rank 2)
#   SOS (lower best):  K002 2.2 < K004 2.9 < K001 3.1 < K005 3.5 < K003 4.0; median 3.1
#   NETTO (lower best): K002 = K004 2500 < K003 2600 < K001 3000 < K005 3100 (two best)
V2014 = {ARB: dict(zip(OFFICES, [50, 40, 60, 45, 55], strict=True)),
         NED: dict(zip(OFFICES, [30, 30, 20, 25, 35], strict=True)),
         SOS: dict(zip(OFFICES, [3.1, 2.2, 4.0, 2.9, 3.5], strict=True)),
         NETTO: dict(zip(OFFICES, [3000, 2500, 2600, 2500, 3100], strict=True))}
# 2013: målekort only, and only three offices (too few to compare that year)
V2013 = {ARB: {"K001": 41, "K002": 42, "K003": 43}, NED: {"K001": 31, "K002": 32, "K003": 33}}
# KOSTRA group G1 has four offices (shown), G2 one (not shown)
INFO = {"K001": (10_000, "G1"), "K002": (15_000, "G1"), "K003": (30_000, "G2"), "K004": (12_000, "G1"),
        "K005": (8_000, "G1")}


def make_folder(root, info=True, years=(2013, 2014), offices=OFFICES):
    root.mkdir(parents=True, exist_ok=True)
    (root / kontor_input.MARKER).write_text("oppdiktede testdata\n", encoding="utf-8")
    for year, all_vals in ((2013, V2013), (2014, V2014)):
        if year not in years:
            continue
        vals = {i: {k: v for k, v in by.items() if k in offices} for i, by in all_vals.items()}
        mk = root / "malekort" / str(year)
        mk.mkdir(parents=True)
        (mk / f"malekort_{year}_oppdiktet.csv").write_text(generate.malekort_csv(year, vals), encoding="utf-8")
        if SOS in vals:
            (root / "kostra_kontor").mkdir(exist_ok=True)
            (root / "kostra_kontor" / f"{year}.csv").write_text(generate.kostra_csv(year, vals), encoding="utf-8")
    if info:
        (root / "kontorinfo.csv").write_text(generate.info_csv(INFO), encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    return make_folder(tmp_path_factory.mktemp("kontor") / "fem")


@pytest.fixture
def tables(folder):
    # built anew for every test (not once per module): mutmut runs, for each mutant, only the tests
    # that called the mutated function, and a shared fixture is called from the first test alone
    # k = 4, so that KOSTRA group G1 (four offices) is shown
    return kontor.build_tables(folder, 2014, [2013], "kostragruppe", k=4)


# --------------------------------------------------------------------------- read_values / check_edition

def test_read_values_gives_every_value_of_every_year_with_numeric_types(folder):
    df = kontor.read_values(folder, [2013, 2014], OFFICES, INDICATORS)
    assert list(df.columns)[:4] == ["kontor", "aar", "indikator_id", "verdi"]
    got = {(r.kontor, r.aar, r.indikator_id): r.verdi for r in df.itertuples()}
    want = {(k, y, i): float(v) for y, vals in ((2013, V2013), (2014, V2014)) for i, by in vals.items()
            for k, v in by.items()}
    assert got == pytest.approx(want) and len(df) == 6 + 20
    assert df["aar"].dtype.kind == "i" and df["verdi"].dtype.kind == "f"


def test_read_values_keeps_only_the_indicators_asked_for(folder):
    only_sos = [i for i in INDICATORS if i["id"] == SOS]
    df = kontor.read_values(folder, [2014], OFFICES, only_sos)
    assert set(df["indikator_id"]) == {SOS} and len(df) == 5
    only_arb = [i for i in INDICATORS if i["id"] == ARB]
    assert set(kontor.read_values(folder, [2014], OFFICES, only_arb)["indikator_id"]) == {ARB}


def test_read_values_of_years_without_files_is_an_empty_table(folder):
    df = kontor.read_values(folder, [2010], OFFICES, INDICATORS)
    assert df.empty and list(df.columns) == ["kontor", "aar", "indikator_id", "verdi"]


def test_every_missing_value_of_the_edition_year_is_named_with_its_file(folder):
    df = kontor.read_values(folder, [2013, 2014], OFFICES, INDICATORS)
    gone = ((df["kontor"] == "K004") & (df["indikator_id"] == ARB)) | \
           ((df["kontor"] == "K002") & (df["indikator_id"] == SOS) & (df["aar"] == 2014))
    with pytest.raises(DataError) as exc:
        kontor.check_edition(df[~gone], folder, 2014, OFFICES, INDICATORS)
    assert str(exc.value) == ("Kontorrapportene for 2014 kan ikke lages; det mangler tall:\n"
                              f"  {folder}/malekort/2014: kontor K004 mangler verdi for «{ARB}»\n"
                              f"  {folder}/kostra_kontor/2014.csv: kontor K002 mangler verdi for «{SOS}»")


def test_values_of_another_year_do_not_fill_a_gap_in_the_edition_year(folder):
    df = kontor.read_values(folder, [2013], OFFICES[:3], INDICATORS)
    with pytest.raises(DataError, match="Kontorrapportene for 2014 kan ikke lages"):
        kontor.check_edition(df, folder, 2014, OFFICES[:3], INDICATORS)
    kontor.check_edition(kontor.read_values(folder, [2014], OFFICES, INDICATORS), folder, 2014, OFFICES, INDICATORS)


def test_more_than_fifty_gaps_show_fifty_and_count_the_rest(folder):
    empty = pd.DataFrame({"kontor": [], "aar": [], "indikator_id": [], "verdi": []})
    offices = [f"K{i:03d}" for i in range(1, 14)]  # 13 offices × 4 indicators = 52 gaps
    with pytest.raises(DataError) as exc:
        kontor.check_edition(empty, folder, 2014, offices, INDICATORS)
    lines = str(exc.value).split("\n")
    assert len(lines) == 1 + 50 + 1 and lines[-1] == "  … og 2 til"
    assert lines[50] == f"  {folder}/kostra_kontor/2014.csv: kontor K011 mangler verdi for «{NETTO}»"


# --------------------------------------------------------------------------- read_info

def test_without_kontorinfo_there_is_no_office_information(tmp_path):
    assert kontor.read_info(tmp_path, OFFICES) is None


def test_office_information_comes_in_the_order_of_the_offices_with_whole_inhabitants(folder):
    info = kontor.read_info(folder, ["K005", "K001"])
    assert list(info.index) == ["K005", "K001"]
    assert info["innbyggere"].tolist() == [8000, 10000] and info["innbyggere"].dtype.kind == "i"
    assert info["kostragruppe"].tolist() == ["G1", "G1"]


def test_a_kostra_group_that_looks_like_a_number_stays_text(tmp_path):
    (tmp_path / "kontorinfo.csv").write_text("kontor,innbyggere,kostragruppe\nK001,5,08\n", encoding="utf-8")
    assert kontor.read_info(tmp_path, ["K001"]).loc["K001", "kostragruppe"] == "08"


def test_a_missing_column_is_named_with_what_was_expected(tmp_path):
    p = tmp_path / "kontorinfo.csv"
    p.write_text("kontor,innbyggere\nK001,5\n", encoding="utf-8")
    with pytest.raises(DataError) as exc:
        kontor.read_info(tmp_path, ["K001"])
    assert str(exc.value) == f"{p}: mangler kolonne(r) ['kostragruppe']; forventet ['innbyggere', 'kontor', 'kostragruppe']"


@pytest.mark.parametrize("bad", ["mange", "-5", "1200.5"])
def test_inhabitants_that_are_not_a_whole_number_at_least_zero_are_named_with_row(tmp_path, bad):
    p = tmp_path / "kontorinfo.csv"
    p.write_text(f"kontor,innbyggere,kostragruppe\nK001,5,G1\nK002,{bad},G1\n", encoding="utf-8")
    with pytest.raises(DataError) as exc:
        kontor.read_info(tmp_path, ["K001", "K002"])
    assert str(exc.value) == f"{p}, rad 3, kolonne «innbyggere»: forventet et helt tall ≥ 0, fikk '{bad}'"


def test_zero_inhabitants_is_allowed(tmp_path):
    (tmp_path / "kontorinfo.csv").write_text("kontor,innbyggere,kostragruppe\nK001,0,G1\n", encoding="utf-8")
    assert kontor.read_info(tmp_path, ["K001"]).loc["K001", "innbyggere"] == 0


def test_offices_missing_from_kontorinfo_are_named(folder):
    with pytest.raises(DataError) as exc:
        kontor.read_info(folder, ["K001", "K009", "K008"])
    assert str(exc.value) == f"{folder / 'kontorinfo.csv'}: mangler rad for kontor K008 og K009"


# --------------------------------------------------------------------------- peer groups

def test_size_labels_for_the_lowest_a_middle_and_the_highest_class():
    assert kontor.size_label(0, 20_000) == "Kontorer i kommuner med færre enn 20\u00a0000 innbyggere"
    assert kontor.size_label(10_000, 20_000) == "Kontorer i kommuner med 10\u00a0000–19\u00a0999 innbyggere"
    assert kontor.size_label(20_000, None) == "Kontorer i kommuner med 20\u00a0000 innbyggere eller flere"


def series(**groups) -> pd.Series:
    return pd.Series({k: v for k, v in groups.items()})


def test_size_classes_with_four_or_more_offices_stay_as_they_are():
    inh = pd.Series({f"a{i}": 1000 + i for i in range(4)} | {f"b{i}": 30_000 + i for i in range(4)})
    groups = kontor.size_groups(inh, [20_000], k=4)
    assert groups == [
        {"id": "storrelse_0", "etikett": "Kontorer i kommuner med færre enn 20\u00a0000 innbyggere",
         "kontorer": ["a0", "a1", "a2", "a3"]},
        {"id": "storrelse_20000", "etikett": "Kontorer i kommuner med 20\u00a0000 innbyggere eller flere",
         "kontorer": ["b0", "b1", "b2", "b3"]}]


def test_a_class_exactly_at_a_bound_belongs_to_the_upper_class():
    inh = pd.Series({"a": 19_999, "b": 20_000, "c": 1, "d": 2, "e": 3, "f": 20_001, "g": 20_002, "h": 20_003})
    assert [g["kontorer"] for g in kontor.size_groups(inh, [20_000], k=4)] == [["a", "c", "d", "e"], ["b", "f", "g", "h"]]


def test_a_small_class_joins_the_neighbour_with_fewer_offices():
    # sizes 5 | 2 | 4: the middle class joins the upper one (4 < 5)
    inh = pd.Series({f"a{i}": 1000 + i for i in range(5)} | {"m0": 15_000, "m1": 16_000}
                    | {f"z{i}": 40_000 + i for i in range(4)})
    groups = kontor.size_groups(inh, [10_000, 20_000], k=4)
    assert [(g["id"], g["etikett"]) for g in groups] == [
        ("storrelse_0", "Kontorer i kommuner med færre enn 10\u00a0000 innbyggere"),
        ("storrelse_10000", "Kontorer i kommuner med 10\u00a0000 innbyggere eller flere")]
    assert groups[1]["kontorer"] == ["m0", "m1", "z0", "z1", "z2", "z3"]


def test_on_a_tie_a_small_class_joins_the_lower_neighbour():
    # sizes 4 | 2 | 4: the middle class joins the lower one, which becomes 0–19 999
    inh = pd.Series({f"a{i}": 1000 + i for i in range(4)} | {"m0": 15_000, "m1": 16_000}
                    | {f"z{i}": 40_000 + i for i in range(4)})
    groups = kontor.size_groups(inh, [10_000, 20_000], k=4)
    assert [g["etikett"] for g in groups] == ["Kontorer i kommuner med færre enn 20\u00a0000 innbyggere",
                                              "Kontorer i kommuner med 20\u00a0000 innbyggere eller flere"]
    assert groups[0]["kontorer"] == ["a0", "a1", "a2", "a3", "m0", "m1"]


def test_the_smallest_class_is_merged_first():
    # sizes 4 | 3 | 1 | 4: the single office (smallest) joins the three first, making four
    inh = pd.Series({f"a{i}": 1000 + i for i in range(4)} | {f"m{i}": 12_000 + i for i in range(3)}
                    | {"s": 25_000} | {f"z{i}": 40_000 + i for i in range(4)})
    groups = kontor.size_groups(inh, [10_000, 20_000, 30_000], k=4)
    assert [g["id"] for g in groups] == ["storrelse_0", "storrelse_10000", "storrelse_30000"]
    assert groups[1]["kontorer"] == ["m0", "m1", "m2", "s"]
    assert groups[1]["etikett"] == "Kontorer i kommuner med 10\u00a0000–29\u00a0999 innbyggere"


def test_the_smallest_class_merges_before_a_larger_small_one():
    # sizes 2 | 3 | 1 | 4. Smallest first: the single office joins the three (its smaller neighbour),
    # then the two join those four: 0–29 999 (six) and 30 000+ (four). Taking the classes left to
    # right instead would give 0–19 999 (five) and 20 000+ (five).
    inh = pd.Series({"a0": 1000, "a1": 2000, "b0": 11_000, "b1": 12_000, "b2": 13_000, "c0": 25_000}
                    | {f"d{i}": 40_000 + i for i in range(4)})
    groups = kontor.size_groups(inh, [10_000, 20_000, 30_000], k=4)
    assert [(g["etikett"], g["kontorer"]) for g in groups] == [
        ("Kontorer i kommuner med færre enn 30\u00a0000 innbyggere", ["a0", "a1", "b0", "b1", "b2", "c0"]),
        ("Kontorer i kommuner med 30\u00a0000 innbyggere eller flere", ["d0", "d1", "d2", "d3"])]


def test_a_bound_of_one_inhabitant_is_a_bound():
    inh = pd.Series({f"a{i}": 0 for i in range(4)} | {f"z{i}": 1 + i for i in range(4)})
    assert [g["kontorer"] for g in kontor.size_groups(inh, [1], k=4)] == [["a0", "a1", "a2", "a3"], ["z0", "z1", "z2", "z3"]]


def test_empty_classes_zero_and_repeated_bounds_are_ignored():
    inh = pd.Series({f"a{i}": 1000 + i for i in range(4)} | {f"z{i}": 40_000 + i for i in range(4)})
    plain = kontor.size_groups(inh, [20_000], k=4)
    assert kontor.size_groups(inh, [0, -3, 20_000, 20_000, 30_000], k=4) == \
        [plain[0], {**plain[1], "id": "storrelse_30000",
                    "etikett": "Kontorer i kommuner med 30\u00a0000 innbyggere eller flere"}]


def test_fewer_than_four_offices_in_all_give_no_size_group():
    assert kontor.size_groups(pd.Series({"a": 1, "b": 2, "c": 3}), [10_000], k=4) == []
    assert [g["kontorer"] for g in kontor.size_groups(pd.Series({"a": 1, "b": 2, "c": 3, "d": 4}), [10_000], k=4)] == \
        [["a", "b", "c", "d"]]


def test_kostra_groups_of_four_are_shown_with_id_label_and_members_and_smaller_ones_counted():
    codes = pd.Series({"K5": "G1", "K1": "G1", "K2": "G1", "K3": "G1", "K4": "G2", "K6": "G2", "K7": "G3"})
    groups, hidden = kontor.kostra_groups(codes, k=4)
    assert groups == [{"id": "kostra_G1", "etikett": "Kontorer i KOSTRA-gruppe G1", "kostragruppe": "G1",
                       "kontorer": ["K1", "K2", "K3", "K5"]}]
    assert hidden == 3


@settings(max_examples=50, deadline=None)
@given(st.lists(st.sampled_from(["G1", "G2", "G3", "G4"]), min_size=1, max_size=30))
def test_every_office_is_in_one_shown_kostra_group_or_counted_as_hidden(codes):
    s = pd.Series({f"K{i:03d}": c for i, c in enumerate(codes)})
    groups, hidden = kontor.kostra_groups(s, k=4)
    shown = [k for g in groups for k in g["kontorer"]]
    assert all(len(g["kontorer"]) >= 4 for g in groups)
    assert len(shown) == len(set(shown)) and len(shown) + hidden == len(s)
    assert all(s[k] == g["kostragruppe"] for g in groups for k in g["kontorer"])


def info_frame(**groups) -> pd.DataFrame:
    return pd.DataFrame({"innbyggere": {k: v[0] for k, v in groups.items()},
                         "kostragruppe": {k: v[1] for k, v in groups.items()}})


def test_an_unknown_grouping_is_refused_with_the_allowed_ones():
    with pytest.raises(DataError) as exc:
        kontor.peer_groups(OFFICES, None, "fylke", [], k=4)
    assert str(exc.value) == "kontor_grupper: «fylke», forventet en av alle, storrelse, kostragruppe"


@pytest.mark.parametrize(("n", "word"), [(1, "ett"), (3, "tre")])
def test_with_fewer_than_four_offices_nothing_is_compared_and_the_note_says_why(n, word):
    groups, note = kontor.peer_groups(OFFICES[:n], None, "storrelse", [10_000], k=4)
    assert groups == []
    assert note == (f"Det er bare {word} kontor(er) i dataene; med færre enn fire vises ingen sammenlikning, "
                    "så ingen andre kan kjennes igjen.")


def test_four_offices_compared_with_all_need_no_note():
    assert kontor.peer_groups(OFFICES[:4], None, "alle", [], k=4) == ([], None)


def test_without_office_information_the_note_says_all_offices_are_used():
    for scheme in ("storrelse", "kostragruppe"):
        assert kontor.peer_groups(OFFICES, None, scheme, [10_000], k=4) == ([], (
            "Dataene har ingen opplysninger om innbyggertall og KOSTRA-gruppe (kontorinfo.csv), "
            "så kontoret sammenliknes bare med alle kontorer."))


def test_size_grouping_uses_the_inhabitants_and_the_bounds(folder):
    info = kontor.read_info(folder, OFFICES)
    # 8 000, 10 000, 12 000, 15 000 below 20 000; 30 000 alone above, so merged into one class of
    # all five: the same as all offices, so no group, and a note that says why
    groups, note = kontor.peer_groups(OFFICES, info, "storrelse", [20_000], k=4)
    assert groups == [] and note.startswith("Størrelsesklassene ble for små og er slått sammen til alle kontorer")
    groups, note = kontor.peer_groups(OFFICES[:4] + ["K003"], info, "storrelse", [20_000], k=1)
    assert note is None and [g["kontorer"] for g in groups] == [["K001", "K002", "K004", "K005"], ["K003"]]


def test_kostra_grouping_hides_small_groups_and_says_so(folder):
    info = kontor.read_info(folder, OFFICES)
    groups, note = kontor.peer_groups(OFFICES, info, "kostragruppe", [], k=4)
    assert [g["kontorer"] for g in groups] == [["K001", "K002", "K004", "K005"]]
    assert note == ("KOSTRA-grupper med færre enn fire kontorer vises ikke; kontorene i dem sammenliknes bare "
                    "med alle kontorer.")


def test_kostra_grouping_without_small_groups_has_no_note():
    info = info_frame(K1=(1, "G"), K2=(2, "G"), K3=(3, "G"), K4=(4, "G"))
    groups, note = kontor.peer_groups(["K1", "K2", "K3", "K4"], info, "kostragruppe", [], k=4)
    assert len(groups) == 1 and note is None


# --------------------------------------------------------------------------- build_tables

def test_tables_name_year_series_grouping_k_and_count(tables):
    assert (tables["aar"], tables["aar_serie"], tables["antall_kontorer"]) == (2014, [2013, 2014], 5)
    assert tables["oppdiktet"] is True and tables["min_gruppe"] == 4
    assert tables["inndeling"]["valgt"] == "kostragruppe"
    assert tables["inndeling"]["merknad"].startswith("KOSTRA-grupper med færre enn fire kontorer vises ikke")
    assert tables["grupper"] == {"kostra_G1": {"id": "kostra_G1", "etikett": "Kontorer i KOSTRA-gruppe G1",
                                               "kostragruppe": "G1", "antall": 4}}
    assert [i["id"] for i in tables["indikatorer"]] == [ARB, NED, SOS, NETTO]
    assert set(tables["indikatorer"][0]) == {"id", "etikett", "kort", "enhet", "desimaler", "retning", "kilde", "linje",
                                             "kildetekst"}
    assert tables["referanser"] == {}


def test_tables_name_the_sources_in_words_not_file_paths(tables):
    assert tables["kilder"] == {"malekort_aar": [2013, 2014], "kostra_kilde": ["Oppdiktede testdata, ikke KOSTRA"]}


def test_each_office_gets_its_group_and_its_own_kostra_group(tables):
    k = tables["kontorer"]
    assert {o: (k[o]["gruppe"], k[o]["kostragruppe"]) for o in OFFICES} == {
        "K001": ("kostra_G1", "G1"), "K002": ("kostra_G1", "G1"), "K003": (None, "G2"),
        "K004": ("kostra_G1", "G1"), "K005": ("kostra_G1", "G1")}


def test_each_office_gets_its_values_of_every_year(tables):
    v = tables["kontorer"]["K001"]["verdier"]
    assert v == {ARB: {"2013": 41.0, "2014": 50.0}, NED: {"2013": 31.0, "2014": 30.0},
                 SOS: {"2014": 3.1}, NETTO: {"2014": 3000.0}}
    assert tables["kontorer"]["K004"]["verdier"][ARB] == {"2014": 45.0}


def test_sides_of_the_middle_half_follow_the_hand_worked_quartiles(tables):
    k = tables["kontorer"]
    # all five, ARB 40 45 50 55 60: quartiles 45 and 55 (linear interpolation); on a quartile is inside
    assert {o: k[o]["side"][ARB]["2014"]["alle"] for o in OFFICES} == \
        {"K002": "lavere", "K004": "innenfor", "K001": "innenfor", "K005": "innenfor", "K003": "hoyere"}
    # G1 (K001, K002, K004, K005), ARB 40 45 50 55: quartiles 43.75 and 51.25
    assert {o: k[o]["side"][ARB]["2014"]["gruppe"] for o in ("K001", "K002", "K004", "K005")} == \
        {"K002": "lavere", "K004": "innenfor", "K001": "innenfor", "K005": "hoyere"}
    assert k["K003"]["side"][ARB]["2014"] == {"alle": "hoyere"}  # no group shown for K003
    # SOS 2.2 2.9 3.1 3.5 4.0 (lower is better; the side is in numbers, the report says which is better)
    assert {o: k[o]["side"][SOS]["2014"]["alle"] for o in OFFICES} == \
        {"K002": "lavere", "K004": "innenfor", "K001": "innenfor", "K005": "innenfor", "K003": "hoyere"}


def test_the_tables_hold_no_rank_no_best_flag_and_no_list_of_other_offices_values(tables):
    text = json.dumps(tables)
    assert '"plass"' not in text and '"beste"' not in text and '"rang"' not in text
    for by_year in tables["fordeling"].values():
        for groups in by_year.values():
            for agg in groups.values():
                assert set(agg) == {"antall", "q1", "median", "q3", "vis"}
    for office in tables["kontorer"].values():
        assert set(office) == {"gruppe", "kostragruppe", "verdier", "side"}


def test_aggregates_that_print_as_an_office_value_are_withheld(tables):
    f = tables["fordeling"]
    # ARB, all five: 45, 50 and 55 are K004's, K001's and K005's values: all withheld
    assert f[ARB]["2014"]["alle"] == {"antall": 5, "q1": 45.0, "median": 50.0, "q3": 55.0,
                                      "vis": {"q1": False, "median": False, "q3": False}}
    # ARB in G1: 43.75, 47.5 and 51.25 print as 44, 48 and 51, none of them an office's value
    assert f[ARB]["2014"]["kostra_G1"] == {"antall": 4, "q1": 43.75, "median": 47.5, "q3": 51.25,
                                           "vis": {"q1": True, "median": True, "q3": True}}
    # NED 20 25 30 30 35: quartiles 25 and 30, median 30, all values of offices
    assert f[NED]["2014"]["alle"]["vis"] == {"q1": False, "median": False, "q3": False}
    # NETTO in G1, 2500 2500 3000 3100: median 2750, quartiles 2500 (withheld) and 3025
    g1 = f[NETTO]["2014"]["kostra_G1"]
    assert (g1["q1"], g1["median"], g1["q3"]) == (2500.0, 2750.0, 3025.0)
    assert g1["vis"] == {"q1": False, "median": True, "q3": True}


def test_an_aggregate_is_compared_as_printed_rounding_half_up():
    ind = {"desimaler": 1}
    # 3.15 prints as 3,2 (half up), and 3.2 is an office's value: withheld
    agg = kontor.middle_half([3.1, 3.2, 3.1, 3.2], ind)
    assert agg["median"] == pytest.approx(3.15) and agg["vis"]["median"] is False
    ind0 = {"desimaler": 0}
    assert kontor.middle_half([10.0, 11.0, 13.0, 14.0], ind0)["vis"]["median"] is True  # 12 is nobody's


def test_a_year_with_fewer_than_k_offices_is_not_compared(tables):
    assert "2013" not in tables["fordeling"][ARB]
    assert "2013" not in tables["kontorer"]["K001"]["side"][ARB]
    assert tables["kontorer"]["K001"]["verdier"][ARB]["2013"] == 41.0  # its own value is still there


def test_without_office_information_groups_fall_back_to_all_offices(tmp_path):
    t = kontor.build_tables(make_folder(tmp_path / "uten", info=False, years=(2014,)), 2014, [], "storrelse", [1])
    assert t["grupper"] == {} and t["inndeling"]["merknad"].endswith("sammenliknes bare med alle kontorer.")
    assert t["kontorer"]["K001"]["kostragruppe"] is None and t["kontorer"]["K001"]["gruppe"] is None
    assert t["aar_serie"] == [2014] and t["oppdiktet"] is True
    assert t["kontorer"]["K001"]["side"][ARB]["2014"] == {"alle": "innenfor"}


def test_tables_stop_when_the_edition_year_lacks_a_value(tmp_path):
    d = make_folder(tmp_path / "hull", years=(2014,))
    csv = d / "kostra_kontor" / "2014.csv"
    csv.write_text("".join(line for line in csv.read_text(encoding="utf-8").splitlines(keepends=True)
                           if not line.startswith(f"K003,2014,{SOS}")), encoding="utf-8")
    with pytest.raises(DataError, match=f"kontor K003 mangler verdi for «{SOS}»"):
        kontor.build_tables(d, 2014, [2014])


def test_a_folder_without_the_marker_is_not_called_made_up(tmp_path):
    d = make_folder(tmp_path / "ekte", years=(2014,))
    (d / kontor_input.MARKER).unlink()
    assert kontor.build_tables(d, 2014, [2014])["oppdiktet"] is False


# --------------------------------------------------------------------------- command line

def test_cli_writes_the_tables_for_the_years_and_grouping_asked(folder, tmp_path):
    out = tmp_path / "ut" / "tabeller.json"
    assert kontor.main(["--data", str(folder), "--year", "2014", "--years", "2013", "--grupper", "kostragruppe",
                        "--min-gruppe", "4", "--out", str(out)]) == 0
    got = json.loads(out.read_text(encoding="utf-8"))
    want = kontor.build_tables(folder, 2014, [2013], "kostragruppe", [], snapshots=folder / "kostra", k=4)
    assert got == json.loads(json.dumps(want))
    assert got["aar_serie"] == [2013, 2014] and got["inndeling"]["valgt"] == "kostragruppe"
    text = out.read_text(encoding="utf-8")
    assert "færre" in text  # Norwegian letters kept, not escaped
    # keys sorted, so the same tables always give the same bytes
    assert text == json.dumps(json.loads(text), ensure_ascii=False, sort_keys=True)


def test_cli_passes_the_size_bounds_on(folder, tmp_path):
    out = tmp_path / "t.json"
    assert kontor.main(["--data", str(folder), "--year", "2014", "--grupper", "storrelse",
                        "--storrelser", "5000", "--out", str(out)]) == 0
    got = json.loads(out.read_text(encoding="utf-8"))
    # every office has 8 000 inhabitants or more: the class below 5 000 is empty and dropped, and
    # the one class left holds every office, so the report compares with all offices and says so
    assert got["grupper"] == {} and "slått sammen til alle kontorer" in got["inndeling"]["merknad"]
    assert got["inndeling"]["valgt"] == "storrelse" and got["aar_serie"] == [2014]


def test_cli_defaults_to_comparing_with_all_offices(folder, tmp_path):
    out = tmp_path / "t.json"
    assert kontor.main(["--data", str(folder), "--year", "2014", "--out", str(out)]) == 0
    got = json.loads(out.read_text(encoding="utf-8"))
    assert got["inndeling"] == {"valgt": "alle", "merknad": None} and got["grupper"] == {}


def test_cli_reports_a_bad_data_folder_in_one_norwegian_line_and_writes_nothing(tmp_path, capsys):
    out = tmp_path / "t.json"
    assert kontor.main(["--data", str(tmp_path), "--year", "2014", "--out", str(out)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("kontor: ") and "målekort" in err and "Traceback" not in err
    assert not out.exists()


def test_cli_reports_a_missing_value_and_writes_nothing(tmp_path, capsys):
    d = make_folder(tmp_path / "hull", years=(2014,))
    (d / "kostra_kontor" / "2014.csv").unlink()
    out = tmp_path / "t.json"
    assert kontor.main(["--data", str(d), "--year", "2014", "--out", str(out)]) == 1
    assert capsys.readouterr().err.startswith("kontor: Kontorrapportene for 2014 kan ikke lages")
    assert not out.exists()


def test_cli_refuses_an_unknown_grouping_and_requires_data_year_and_output(folder, tmp_path):
    for argv in (["--data", str(folder), "--year", "2014", "--grupper", "fylke", "--out", str(tmp_path / "x")],
                 ["--year", "2014", "--out", str(tmp_path / "x")],
                 ["--data", str(folder), "--out", str(tmp_path / "x")],
                 ["--data", str(folder), "--year", "2014"]):
        with pytest.raises(SystemExit) as exc:
            kontor.main(argv)
        assert exc.value.code == 2


def test_cli_reads_the_ssb_snapshots_of_the_data_folder_for_reference_values(tmp_path):
    d = make_folder(tmp_path / "med_ssb", years=(2014,))
    # a made-up JSON-stat snapshot of table 04906 for the whole country, its dimensions and code resolved by the fetch
    data = {"version": "2.0", "class": "dataset", "id": ["KOKkommuneregion0000", "ContentsCode", "Tid"], "size": [1, 1, 1],
            "dimension": {"KOKkommuneregion0000": {"category": {"index": {"EAK": 0}}},
                          "ContentsCode": {"category": {"index": {"OPPDIKTET1": 0}}},
                          "Tid": {"category": {"index": {"2014": 0}}}},
            "value": [3.9]}
    snaps = d / "kostra"
    snaps.mkdir()
    (snaps / "04906_oppdiktet.json").write_text(json.dumps(data), encoding="utf-8")
    (snaps / "04906_oppdiktet.meta.json").write_text(json.dumps(
        {"table": "04906", "resolved": {"indikator_id": SOS, "content": {"code": "OPPDIKTET1"},
                                        "dimensions": {"region": "KOKkommuneregion0000", "contents": "ContentsCode",
                                                       "time": "Tid"}}}), encoding="utf-8")
    out = tmp_path / "t.json"
    assert kontor.main(["--data", str(d), "--year", "2014", "--out", str(out)]) == 0
    refs = json.loads(out.read_text(encoding="utf-8"))["referanser"]
    assert list(refs) == [SOS] and [(r["omrade"], r["etikett"], r["verdi"]) for r in refs[SOS]] == [("EAK", "Landet", 3.9)]


def test_four_offices_are_too_few_by_default_and_enough_with_k_four(tmp_path):
    four = OFFICES[:4]  # ARB: 40 45 50 60
    folder = make_folder(tmp_path / "fire", years=(2014,), offices=four)
    t = kontor.build_tables(folder, 2014, [2014])
    assert t["fordeling"][ARB] == {} and t["kontorer"]["K001"]["side"] == {}
    assert t["inndeling"]["merknad"].startswith("Det er bare fire kontor(er) i dataene; med færre enn fem vises "
                                                "ingen sammenlikning")
    t4 = kontor.build_tables(folder, 2014, [2014], k=4)
    assert t4["fordeling"][ARB]["2014"]["alle"]["median"] == 47.5
    assert t4["kontorer"]["K003"]["side"][ARB]["2014"] == {"alle": "hoyere"}


def test_office_names_with_leading_zeros_are_kept_as_text(tmp_path):
    (tmp_path / "kontorinfo.csv").write_text("kontor,innbyggere,kostragruppe\n007,5,G1\n", encoding="utf-8")
    assert list(kontor.read_info(tmp_path, ["007"]).index) == ["007"]


def test_at_most_twenty_missing_offices_are_named(tmp_path):
    p = tmp_path / "kontorinfo.csv"
    p.write_text("kontor,innbyggere,kostragruppe\nK000,5,G1\n", encoding="utf-8")
    wanted = [f"K{i:03d}" for i in range(1, 23)]  # 22 offices, none of them in the file
    with pytest.raises(DataError) as exc:
        kontor.read_info(tmp_path, wanted)
    assert str(exc.value) == f"{p}: mangler rad for kontor {', '.join(wanted[:19])} og K020"


def test_sources_list_every_distinct_kostra_source_text_once_in_order(tmp_path):
    (tmp_path / "kostra_kontor").mkdir()
    for year, texts in ((2013, ["Kilde en", "Kilde to"]), (2014, ["Kilde to", "Kilde tre"])):
        rows = "".join(f"K001,{year},{SOS},1,{t}\n" for t in texts)
        (tmp_path / "kostra_kontor" / f"{year}.csv").write_text("kontor,aar,indikator_id,verdi,kilde\n" + rows,
                                                               encoding="utf-8")
    assert kontor.sources(tmp_path, [2012, 2013, 2014]) == {
        "malekort_aar": [], "kostra_kilde": ["Kilde en", "Kilde to", "Kilde tre"]}


def test_exactly_fifty_gaps_are_all_shown_without_a_count(folder):
    empty = pd.DataFrame({"kontor": [], "aar": [], "indikator_id": [], "verdi": []})
    offices = [f"K{i:03d}" for i in range(1, 13)] + ["K013"]  # 13 × 4 = 52; drop two below
    df = pd.DataFrame({"kontor": ["K013", "K013"], "aar": [2014, 2014], "indikator_id": [ARB, NED], "verdi": [1.0, 2.0]})
    with pytest.raises(DataError) as exc:
        kontor.check_edition(pd.concat([empty, df]), folder, 2014, offices, INDICATORS)
    lines = str(exc.value).split("\n")
    assert len(lines) == 1 + 50 and not lines[-1].startswith("  …")
