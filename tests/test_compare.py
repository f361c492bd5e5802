"""The comparison layer: the one best-value rule, the ranking, line leaders and Tabell 4.2.

The expected answers here are worked out by hand from small made-up numbers (oppdiktede
testdata), or, in the property tests, checked against the definition ("no other office has a
better value under the indicator's direction") rather than against a copy of the code.
"""
import json
import math

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scripts.analysis import compare
from scripts.content import figtext, tables

HIGH, LOW = "hoyest_best", "lavest_best"

# --------------------------------------------------------------------------- best_of, rank_values


@pytest.mark.parametrize("retning, best", [(HIGH, ["B"]), (LOW, ["A"])])
def test_best_follows_the_direction(retning, best):
    assert compare.best_of({"A": 3.0, "B": 5.0, "C": 4.0}, retning) == best


@pytest.mark.parametrize("retning, best", [(HIGH, ["B"]), (LOW, ["A"])])
def test_best_with_negative_values_follows_the_direction_not_the_size(retning, best):
    assert compare.best_of({"A": -3.0, "B": -1.0, "C": -2.0}, retning) == best


def test_a_tie_makes_every_tied_office_best_in_sorted_order():
    assert compare.best_of({"C": 5.0, "A": 5.0, "B": 1.0}, HIGH) == ["A", "C"]
    assert compare.best_of({"C": 1.0, "A": 5.0, "B": 1.0}, LOW) == ["B", "C"]


def test_zero_and_negative_zero_tie():
    assert compare.best_of({"A": 0.0, "B": -0.0, "C": -1.0}, HIGH) == ["A", "B"]


def test_an_office_missing_a_value_is_never_best_and_never_ranked():
    values = {"A": None, "B": 2.0, "C": float("nan"), "D": 1.0}
    assert compare.best_of(values, HIGH) == ["B"]
    assert compare.best_of(values, LOW) == ["D"]
    assert compare.rank_values(values, HIGH) == {"B": 1, "D": 2}


def test_missing_values_do_not_hide_the_best_whatever_their_position():
    # max() over a list that starts with NaN returns NaN: the rule must not depend on order
    assert compare.best_of({"A": float("nan"), "B": 1.0, "C": 2.0}, HIGH) == ["C"]
    assert compare.best_of({"A": float("nan"), "B": 1.0, "C": 2.0}, LOW) == ["B"]


def test_no_values_means_no_best_office():
    assert compare.best_of({}, HIGH) == []
    assert compare.best_of({"A": None, "B": float("nan")}, LOW) == []


@pytest.mark.parametrize("retning", [HIGH, LOW])
def test_a_single_office_is_best_and_ranked_first(retning):
    assert compare.best_of({"E": 42.0}, retning) == ["E"]
    assert compare.rank_values({"E": 42.0}, retning) == {"E": 1}


def test_ranking_is_competition_ranking_in_each_direction():
    values = {"A": 2.0, "B": 1.0, "C": 2.0, "D": 7.0}
    assert compare.rank_values(values, LOW) == {"B": 1, "A": 2, "C": 2, "D": 4}
    assert compare.rank_values(values, HIGH) == {"D": 1, "A": 2, "C": 2, "B": 4}


def test_ranking_shares_first_place_in_a_tie_for_best():
    assert compare.rank_values({"A": 9.0, "B": 9.0, "C": 3.0}, HIGH) == {"A": 1, "B": 1, "C": 3}


@pytest.mark.parametrize("retning", ["hoyest", "", None, "HOYEST_BEST"])
def test_an_unknown_direction_is_refused_with_a_message_naming_it(retning):
    with pytest.raises(ValueError, match=r"retning .*forventet en av \['hoyest_best', 'lavest_best'\]") as exc:
        compare.best_of({"A": 1.0}, retning)
    assert repr(retning) in str(exc.value)


def test_common_leaders_is_the_intersection_and_empty_without_indicators():
    assert compare.common_leaders([["A", "F"], ["F"], ["B", "F"]]) == ["F"]
    assert compare.common_leaders([["A"], ["F"]]) == []
    assert compare.common_leaders([]) == []


# --------------------------------------------------------------------------- the frame wrappers

def ind(id_, linje, retning, desimaler=0, enhet="prosent"):
    return {"id": id_, "etikett": f"Etikett {id_}", "kort": id_, "enhet": enhet, "desimaler": desimaler,
            "retning": retning, "kilde": "malekort" if linje == "stat" else "kostra", "linje": linje,
            "kildetekst": "Oppdiktede testdata"}


INDS = [ind("s1", "stat", HIGH), ind("s2", "stat", HIGH), ind("k1", "kommune", LOW, 1),
        ind("k2", "kommune", LOW, enhet="kroner")]


def frame(values: dict[str, dict[str, float]]) -> pd.DataFrame:
    """indicator id -> office -> value, as the tidy frame combine_year returns."""
    return pd.DataFrame([{"kontor": k, "indikator_id": i, "verdi": v}
                         for i, per in values.items() for k, v in per.items()])


# Made up: F best on s1, A best on s2 (two different leaders on the state line); C best on both
# municipal indicators (lowest is best).
TWO_LEADERS = frame({"s1": {"A": 40, "C": 35, "F": 56}, "s2": {"A": 50, "C": 30, "F": 47},
                     "k1": {"A": 3.6, "C": 2.5, "F": 3.0}, "k2": {"A": 2841, "C": 1782, "F": 2100}})


def test_best_offices_on_a_frame_uses_each_indicators_direction():
    assert [compare.best_offices(TWO_LEADERS, i) for i in INDS] == [["F"], ["A"], ["C"], ["C"]]


def test_ranks_on_a_frame():
    assert compare.ranks(TWO_LEADERS, INDS[0]) == {"F": 1, "A": 2, "C": 3}
    assert compare.ranks(TWO_LEADERS, INDS[3]) == {"C": 1, "F": 2, "A": 3}


def test_two_different_leaders_on_one_line_means_no_line_leader():
    assert compare.line_leaders(TWO_LEADERS, INDS, "stat") == []
    assert compare.line_leaders(TWO_LEADERS, INDS, "kommune") == ["C"]


def test_a_line_leader_may_share_a_best_value_and_a_line_without_indicators_has_none():
    df = frame({"s1": {"A": 56, "F": 56, "C": 1}, "s2": {"A": 40, "F": 47, "C": 1},
                "k1": {"A": 1.0, "F": 1.0, "C": 1.0}, "k2": {"A": 5, "F": 5, "C": 9}})
    assert compare.line_leaders(df, INDS, "stat") == ["F"]
    assert compare.line_leaders(df, INDS, "kommune") == ["A", "F"]
    assert compare.line_leaders(df, INDS, "fylke") == []


def table_4_2(df, inds, offices):
    """Tabell 4.2 as the chapter draws it: the comparison's summaries, drawn by content."""
    return tables.tabell_4_2([compare.indicator_summary(df, i) for i in inds], offices)


def test_results_table_highlights_exactly_the_best_cells():
    md = table_4_2(TWO_LEADERS, INDS, ["A", "C", "F"])
    rows = {line.split("|")[1].strip(): [c.strip() for c in line.split("|")[2:-1]]
            for line in md.splitlines()[2:]}
    marked = {k: [i["id"] for i, cell in zip(INDS, cells, strict=True) if "{.hl}" in cell]
              for k, cells in rows.items()}
    assert marked == {"Kontor A": ["s2"], "Kontor C": ["k1", "k2"], "Kontor F": ["s1"]}
    assert rows["Kontor F"][0].startswith("[**56**&nbsp;[★]") and "(beste verdi)" in rows["Kontor F"][0]
    assert rows["Kontor A"][2] == "3,6" and rows["Kontor A"][3] == "2841"
    assert md.splitlines()[0].split("|")[2].strip() == "Etikett s1 (%)"
    assert md.splitlines()[0].split("|")[5].strip() == "Etikett k2 (kr)"


def test_indicator_summary_carries_the_rules_answer_and_the_printed_values():
    s = compare.indicator_summary(TWO_LEADERS, INDS[2])
    assert s["beste"] == ["C"] and s["rang"] == {"C": 1, "F": 2, "A": 3}
    assert s["verdier"] == {"A": 3.6, "C": 2.5, "F": 3.0}
    assert s["tekst"] == {"A": "3,6", "C": "2,5", "F": "3,0"}
    assert {k: s[k] for k in ("id", "retning", "linje")} == {"id": "k1", "retning": LOW, "linje": "kommune"}


def test_build_results_from_made_up_files_names_the_leaders(tmp_path, monkeypatch):
    """From files on disk to the results the chapters read, with the real indicator list."""
    real = compare.load_indicators()
    ids = [i["id"] for i in real]
    # Made up: F best on the first state indicator, B on the second; A lowest on both municipal ones.
    mk = {"A": (40, 30), "B": (45, 52), "F": (60, 47)}
    ko = {"A": (1.5, 1500), "B": (3.0, 2500), "F": (2.0, 2000)}
    (tmp_path / "malekort_2015.csv").write_text("kontor,indikator_id,verdi\n" + "".join(
        f"{k},{ids[j]},{v[j]}\n" for k, v in mk.items() for j in (0, 1)), encoding="utf-8")
    (tmp_path / "kostra_kontor_2015.csv").write_text("kontor,indikator_id,verdi\n" + "".join(
        f"{k},{ids[2 + j]},{v[j]}\n" for k, v in ko.items() for j in (0, 1)), encoding="utf-8")
    res = compare.build_results(2015, [2015], ["A", "B", "F"], data_dir=tmp_path, snapshots=tmp_path / "ingen")
    assert [i["beste"] for i in res["indikatorer"]] == [["F"], ["B"], ["A"], ["A"]]
    assert res["statlig_best"] == [] and res["kommunal_best"] == ["A"]
    assert res["oppgaven_har_tall"] is False and res["avvik_fra_oppgaven"] == []
    assert res["referanser"] == {} and res["hentet_mot_publisert"] == []
    # the figure's text reads the same answer from the results
    assert "Best i 2015 er kontor F med 60" in figtext.alt_text(res)


# --------------------------------------------------------------------------- properties

OFFICES = list("ABCDEF")
value = st.one_of(st.none(), st.floats(min_value=-1e6, max_value=1e6, allow_nan=False), st.just(float("nan")))
office_values = st.dictionaries(st.sampled_from(OFFICES), value, min_size=1, max_size=6)
direction = st.sampled_from([HIGH, LOW])


def at_least_as_good(a: float, b: float, retning: str) -> bool:
    return a >= b if retning == HIGH else a <= b


def has_value(v) -> bool:
    return v is not None and not math.isnan(v)


def with_value(values: dict) -> dict:
    """The offices that have a value, worked out here rather than by the code under test."""
    return {k: v for k, v in values.items() if has_value(v)}


def office_values_in_each_direction(test):
    """Run ``test`` on 300 made-up sets of office values (some missing), each direction."""
    return settings(max_examples=300, deadline=None)(given(office_values, direction)(test))


@office_values_in_each_direction
def test_property_the_best_value_is_never_beaten(values, retning):
    best, present = compare.best_of(values, retning), with_value(values)
    assert best == sorted(best) and bool(best) == bool(present)
    for b in best:
        assert all(at_least_as_good(present[b], v, retning) for v in present.values())
    for k, v in present.items():  # and everyone left out is beaten by a best office
        if k not in best:
            assert not at_least_as_good(v, present[best[0]], retning)


@office_values_in_each_direction
def test_property_rank_order_agrees_with_the_values(values, retning):
    r, present = compare.rank_values(values, retning), with_value(values)
    assert set(r) == set(present)
    for a in present:
        strictly_better = [v for v in present.values() if v != present[a] and at_least_as_good(v, present[a], retning)]
        assert r[a] == 1 + len(strictly_better)  # competition ranking, by its definition
        for b in present:
            assert (r[a] < r[b]) == (present[a] != present[b] and at_least_as_good(present[a], present[b], retning))
    assert sorted(k for k, v in r.items() if v == 1) == compare.best_of(values, retning)


@settings(max_examples=300, deadline=None)
@given(office_values)
def test_property_the_two_directions_mirror_each_other(values):
    mirrored = {k: (None if not has_value(v) else -v) for k, v in values.items()}
    assert compare.best_of(values, LOW) == compare.best_of(mirrored, HIGH)


line_values = st.lists(st.fixed_dictionaries({k: st.integers(0, 3) for k in "ABC"}), min_size=1, max_size=3)


@settings(max_examples=300, deadline=None)
@given(line_values, st.lists(direction, min_size=3, max_size=3))
def test_property_line_leaders_are_best_on_every_indicator_of_their_line(per_indicator, retninger):
    inds = [ind(f"s{j}", "stat", retninger[j]) for j in range(len(per_indicator))] + [ind("k", "kommune", HIGH)]
    df = frame({i["id"]: v for i, v in zip(inds, per_indicator, strict=False)} | {"k": {"A": 9, "B": 0, "C": 0}})
    leaders = compare.line_leaders(df, inds, "stat")
    best_everywhere = [k for k in "ABC" if all(
        all(at_least_as_good(v[k], w, i["retning"]) for w in v.values()) for i, v in zip(inds, per_indicator,
                                                                                            strict=False))]
    assert leaders == best_everywhere


# --------------------------------------------------------------------------- tables and files


def test_pipe_table_sets_relative_widths_and_alignment_in_the_separator_line():
    table = pd.DataFrame({"Kontor": ["Kontor A"], "Tall": ["52"], "Midt": ["x"]})
    lines = compare.pipe_table(table, [1, 2, 1], ["left", "right", "center"]).splitlines()
    # 160 dashes in all, split 1 : 2 : 1 -> 40, 80 and 40 characters
    assert lines[1] == "|:" + "-" * 39 + "|" + "-" * 79 + ":|:" + "-" * 38 + ":|"
    assert [c.strip() for c in lines[0].split("|")[1:-1]] == ["Kontor", "Tall", "Midt"]
    assert [c.strip() for c in lines[2].split("|")[1:-1]] == ["Kontor A", "52", "x"]  # no index column


def test_pipe_table_gives_a_narrow_column_at_least_three_characters():
    lines = compare.pipe_table(pd.DataFrame({"a": [1], "b": [2]}), [0.001, 1], ["left", "left"]).splitlines()
    assert lines[1].split("|")[1] == ":--"


def test_tools_table_is_offices_by_tools_in_the_printed_order():
    wide = compare.tools_table(offices=list("ABCDEF"))
    assert list(wide.index) == list("ABCDEF")
    assert list(wide.columns) == ["budsjett_ressursstyring", "malstyring", "balansert_malstyring", "risikostyring"]
    assert wide.loc["B", "balansert_malstyring"] == "Bruker målekortet lite"
    md = compare.tools_markdown(wide)
    header = [c.strip() for c in md.splitlines()[0].split("|")[1:-1]]
    assert header == ["Kontor", "Budsjett-/ressursstyring", "Målstyring", "Balansert målstyring", "Risikostyring"]
    assert md.splitlines()[3].split("|")[1].strip() == "Kontor B"
    assert md.splitlines()[3].split("|")[4].strip() == "Bruker målekortet lite"
    # 11 % for the office column, the rest shared by the four tools: 18 and 36 dashes of 160
    assert md.splitlines()[1] == "|:" + "-" * 17 + "|" + "|".join([":" + "-" * 35] * 4) + "|"


def tools_csv(tmp_path, rows):
    path = tmp_path / "tabell_4_1.csv"
    path.write_text("kontor,verktoy_id,tekst,side\n" + "".join(f"{r},39\n" for r in rows), encoding="utf-8")
    return path


FULL = [f"{k},{t},Ja" for k in "AB" for t in ("budsjett_ressursstyring", "malstyring", "balansert_malstyring",
                                               "risikostyring")]


def test_tools_table_names_an_unknown_tool_a_repeated_cell_and_a_missing_cell(tmp_path):
    with pytest.raises(compare.DataError, match=r"ukjent verktøy ukjent; forventet ett av"):
        compare.tools_table(tools_csv(tmp_path, FULL + ["A,ukjent,Ja"]))
    with pytest.raises(compare.DataError, match=r"rad 2, 10: samme kontor og verktøy står mer enn én gang"):
        compare.tools_table(tools_csv(tmp_path, FULL + ["A,budsjett_ressursstyring,Nei"]))
    with pytest.raises(compare.DataError, match=r"mangler celler \(kontor, verktøy\): B, risikostyring$"):
        compare.tools_table(tools_csv(tmp_path, FULL[:-1]))
    with pytest.raises(compare.DataError, match=r"mangler celler .*C, budsjett_ressursstyring"):
        compare.tools_table(tools_csv(tmp_path, FULL), offices=["A", "B", "C"])


def test_combine_year_checks_the_year_and_names_every_missing_value(tmp_path):
    inds = compare.load_indicators()
    mk = tmp_path / "mk.csv"
    ko = tmp_path / "ko.csv"
    mk.write_text("kontor,aar,indikator_id,verdi\nA,2014,arbeidssokere_overgang_arbeid,52\n"
                  "A,2014,nedsatt_arbeidsevne_overgang_arbeid,41\n", encoding="utf-8")
    ko.write_text("kontor,indikator_id,verdi\nA,sosialhjelpsmottakere_andel,3.6\n", encoding="utf-8")
    with pytest.raises(compare.DataError, match=r"2014: mangler verdier \(kontor, indikator\): "
                       r"A, netto_driftsutgifter_sosialtjenesten$"):
        compare.combine_year(2014, mk, ko, inds, ["A"])
    with pytest.raises(compare.DataError, match="kolonne 'aar': verdien «2014» stemmer ikke med året; forventet 2015"):
        compare.combine_year(2015, mk, ko, inds, ["A"])
    ko.write_text(ko.read_text() + "A,netto_driftsutgifter_sosialtjenesten,28410\n", encoding="utf-8")
    df = compare.combine_year(2014, mk, ko, inds, ["A"])
    assert list(df.index) == [0, 1, 2, 3] and sorted(df["indikator_id"]) == sorted(i["id"] for i in inds)


def test_results_table_header_cells_and_widths_for_any_unit():
    inds = [ind("s1", "stat", HIGH), ind("x", "kommune", LOW, enhet="timer")]
    df = frame({"s1": {"A": 28410, "B": 1}, "x": {"A": 2, "B": 3}})
    lines = table_4_2(df, inds, ["A", "B"]).splitlines()
    assert [c.strip() for c in lines[0].split("|")[1:-1]] == ["Kontor", "Etikett s1 (%)", "Etikett x (timer)"]
    assert lines[1] == "|:" + "-" * 18 + "|" + "-" * 69 + ":|" + "-" * 69 + ":|"  # 12 % and 44 % + 44 %
    assert [c.strip() for c in lines[2].split("|")[1:-1]][1].startswith("[**28410**")  # never grouped
    assert [c.strip() for c in lines[3].split("|")[1:-1]] == ["Kontor B", "1", "3"]
    assert [c.strip() for c in lines[2].split("|")[1:-1]][2] == \
        '[**2**&nbsp;[★]{aria-hidden="true"}[ (beste verdi)]{.visually-hidden}]{.hl}'


def test_indicator_summary_copies_the_indicator_fields_and_never_groups_thousands():
    i = ind("k2", "kommune", LOW, enhet="kroner")
    s = compare.indicator_summary(frame({"k2": {"A": 28410.0, "B": 1782.0}}), i)
    assert s == {"id": "k2", "etikett": "Etikett k2", "kort": "k2", "enhet": "kroner", "retning": LOW,
                 "kilde": "kostra", "linje": "kommune", "kildetekst": "Oppdiktede testdata",
                 "verdier": {"A": 28410.0, "B": 1782.0}, "tekst": {"A": "28410", "B": "1782"},
                 "beste": ["B"], "rang": {"B": 1, "A": 2}}


def test_compare_with_thesis_lists_only_differences_in_the_year(tmp_path):
    thesis = tmp_path / "t.csv"
    thesis.write_text("kontor,indikator_id,aar,verdi,side\nA,s1,2014,52,41\nB,s1,2014,40,41\nA,s1,2015,99,41\n",
                      encoding="utf-8")
    df = frame({"s1": {"A": 52.0, "B": 41.0}})
    assert compare.compare_with_thesis(df, thesis, 2014) == [
        {"kontor": "B", "indikator_id": "s1", "oppgave": 40.0, "data": 41.0}]
    assert compare.compare_with_thesis(df, thesis, 2015) == [
        {"kontor": "A", "indikator_id": "s1", "oppgave": 99.0, "data": 52.0}]
    assert compare.compare_with_thesis(df, thesis, 2016) == []


def write_year(folder, year, mk, ko):
    """Made-up per-office files for one year: mk/ko map office -> (first, second) value."""
    ids = [i["id"] for i in compare.load_indicators()]
    (folder / f"malekort_{year}.csv").write_text("kontor,indikator_id,verdi\n" + "".join(
        f"{k},{ids[j]},{v[j]}\n" for k, v in mk.items() for j in (0, 1)), encoding="utf-8")
    (folder / f"kostra_kontor_{year}.csv").write_text("kontor,indikator_id,verdi\n" + "".join(
        f"{k},{ids[2 + j]},{v[j]}\n" for k, v in ko.items() for j in (0, 1)), encoding="utf-8")
    return ids


def test_build_results_over_several_years_describes_the_edition_year_and_keeps_the_series(tmp_path):
    # Made up: in 2013 B leads everything; in 2015 F leads the state line and A the municipal one.
    write_year(tmp_path, 2013, {"A": (1, 1), "B": (9, 9), "F": (2, 2)}, {"A": (5, 5), "B": (1, 1), "F": (6, 6)})
    ids = write_year(tmp_path, 2015, {"A": (40, 30), "B": (45, 46), "F": (60, 47)},
                     {"A": (1.5, 1500), "B": (3.0, 2500), "F": (2.0, 2000)})
    res = compare.build_results(2015, [2013], ["A", "B", "F"], data_dir=tmp_path, snapshots=tmp_path / "ingen")
    assert res["aar"] == 2015 and res["aar_serie"] == [2013, 2015] and res["kontorer"] == ["A", "B", "F"]
    assert res["statlig_best"] == ["F"] and res["kommunal_best"] == ["A"]
    assert res["statlige_indikatorer"] == ids[:2] and res["kommunale_indikatorer"] == ids[2:]
    assert len(res["tidsserie"]) == 2 * 3 * 4
    assert {"kontor": "B", "aar": 2013, "indikator_id": ids[0], "verdi": 9.0, "kilde": ""} in res["tidsserie"]
    assert sorted(res["tidsserie"][0]) == ["aar", "indikator_id", "kilde", "kontor", "verdi"]
    md = tables.tabell_4_2(res["indikatorer"], res["kontorer"])
    assert "[**60**&nbsp;" in md and "[**9**&nbsp;" not in md


def test_build_results_compares_the_thesis_year_with_the_thesis(tmp_path):
    ids = write_year(tmp_path, 2014, {"A": (52, 41), "B": (0, 0)}, {"A": (3.6, 2841), "B": (9, 9)})
    res = compare.build_results(2014, [], ["A", "B"], data_dir=tmp_path, snapshots=tmp_path / "ingen")
    assert res["oppgaven_har_tall"] is True
    # A's values are the thesis's; B's are made up and all differ
    assert sorted((d["kontor"], d["indikator_id"]) for d in res["avvik_fra_oppgaven"]) == [("B", i) for i in
                                                                                           sorted(ids)]


def test_the_results_command_writes_sorted_json_and_reports_bad_data_in_one_line(tmp_path, monkeypatch, capsys):
    write_year(tmp_path, 2015, {"A": (40, 30), "F": (60, 47)}, {"A": (1.5, 1500), "F": (2.0, 2000)})
    real = compare.build_results
    monkeypatch.setattr(compare, "build_results", lambda year, years, offices: real(
        year, years, offices, data_dir=tmp_path, snapshots=tmp_path / "ingen"))
    out = tmp_path / "ut" / "resultater.json"
    assert compare.main(["results", "--year", "2015", "--years", "2015", "--offices", "A", "F",
                         "--out", str(out)]) == 0
    text = out.read_text(encoding="utf-8")
    data = json.loads(text)
    assert data["aar"] == 2015 and data["aar_serie"] == [2015] and data["kontorer"] == ["A", "F"]
    assert data["statlig_best"] == ["F"] and text == json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True)
    assert "Målekort" in text  # written as UTF-8 text, not as \u escapes
    assert compare.main(["results", "--year", "2016", "--offices", "A", "F", "--out", str(out)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("compare: ") and "malekort_2016.csv" in err and "Traceback" not in err
    assert json.loads(out.read_text(encoding="utf-8")) == data  # the good file is kept


def test_the_command_needs_a_subcommand_and_its_required_options(tmp_path, capsys):
    for argv in ([], ["results", "--offices", "A", "--out", str(tmp_path / "x.json")],
                 ["results", "--year", "2014", "--out", str(tmp_path / "x.json")],
                 ["results", "--year", "2014", "--offices", "A"], ["tools", "--out", str(tmp_path / "x.json")],
                 ["tools", "--offices", "A"]):
        with pytest.raises(SystemExit) as exc:
            compare.main(argv)
        assert exc.value.code == 2, argv
    assert "python -m scripts.analysis.compare" in capsys.readouterr().err
    assert not (tmp_path / "x.json").exists()


def test_the_tools_command_writes_table_4_1_and_the_recurring_moves(tmp_path):
    out = tmp_path / "verktoy.json"
    assert compare.main(["tools", "--offices", "B", "A", "--out", str(out)]) == 0
    data = json.loads(out.read_text(encoding="utf-8"))
    assert sorted(data) == ["andre_grep", "celler", "tabell", "tabell_4_1_md"]
    assert list(data["celler"]) == ["A", "B"]  # sorted keys; only the offices asked for
    assert data["celler"]["B"]["balansert_malstyring"] == "Bruker målekortet lite"
    assert data["andre_grep"]["grep"] == ["Forenkling", "Sammenlikning", "Organisering"]
    assert data["tabell_4_1_md"].startswith("| Kontor")


def test_ssb_comparisons_reads_snapshots_through_the_catalogue_and_the_private_mapping(tmp_path, monkeypatch):
    from scripts import settings
    from tests.test_kostra_compare import CATALOGUE, snapshot

    assert compare.ssb_comparisons(pd.DataFrame(), 2014, ["A"], tmp_path / "ingen") == ({}, [])
    monkeypatch.setattr(settings, "load_catalogue", lambda: CATALOGUE)
    monkeypatch.setattr(settings, "load_private_offices", lambda: {"A": "9901"})  # made up
    published = pd.DataFrame([{"kontor": "A", "aar": 2014, "indikator_id": "sosialhjelpsmottakere_andel",
                               "verdi": 3.6}])
    refs, fetched = compare.ssb_comparisons(published, 2014, ["A"], snapshot(tmp_path))
    assert [r["omrade"] for r in refs["sosialhjelpsmottakere_andel"]] == ["EAK", "EKG13"]
    assert fetched == [{"kontor": "A", "aar": 2014, "indikator_id": "sosialhjelpsmottakere_andel",
                        "publisert": 3.6, "hentet": 3.7, "differanse": 0.1}]


def test_build_results_takes_reference_values_from_snapshots_of_the_edition_year(tmp_path, monkeypatch):
    from scripts import settings
    from tests.test_kostra_compare import CATALOGUE, snapshot

    monkeypatch.setattr(settings, "load_catalogue", lambda: CATALOGUE)
    monkeypatch.setattr(settings, "load_private_offices", lambda: {"A": "9901"})  # made up
    write_year(tmp_path, 2014, {"A": (52, 41), "B": (1, 1)}, {"A": (3.6, 2841), "B": (9, 9)})
    res = compare.build_results(2014, [2014], ["A", "B"], data_dir=tmp_path, snapshots=snapshot(tmp_path))
    assert [r["verdi"] for r in res["referanser"]["sosialhjelpsmottakere_andel"]] == [3.9, 3.1]
    assert [(d["kontor"], d["hentet"]) for d in res["hentet_mot_publisert"]] == [("A", 3.7)]


def test_tools_table_keeps_cell_text_that_pandas_would_read_as_missing(tmp_path):
    rows = [r.replace(",Ja", ",NA") if r.startswith("A,malstyring") else r for r in FULL]
    wide = compare.tools_table(tools_csv(tmp_path, rows), offices=["A", "B"])
    assert wide.loc["A", "malstyring"] == "NA"
