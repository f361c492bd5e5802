"""The comparison layer: the one best-value rule, the ranking, line leaders and Tabell 4.2.

The expected answers here are worked out by hand from small made-up numbers (oppdiktede
testdata), or, in the property tests, checked against the definition ("no other office has a
better value under the indicator's direction") rather than against a copy of the code.
"""
import math

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scripts.analysis import compare
from scripts.content import figtext

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


def test_results_table_highlights_exactly_the_best_cells():
    md = compare.results_markdown(TWO_LEADERS, INDS, ["A", "C", "F"])
    rows = {line.split("|")[1].strip(): [c.strip() for c in line.split("|")[2:-1]]
            for line in md.splitlines()[2:]}
    marked = {k: [i["id"] for i, cell in zip(INDS, cells, strict=True) if "{.hl}" in cell]
              for k, cells in rows.items()}
    assert marked == {"Kontor A": ["s2"], "Kontor C": ["k1", "k2"], "Kontor F": ["s1"]}
    assert rows["Kontor F"][0].startswith("[**56**&nbsp;[▲]") and "(beste verdi)" in rows["Kontor F"][0]
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


@settings(max_examples=300, deadline=None)
@given(office_values, direction)
def test_property_the_best_value_is_never_beaten(values, retning):
    best = compare.best_of(values, retning)
    present = {k: v for k, v in values.items() if has_value(v)}
    assert bool(best) == bool(present)
    for b in best:
        assert all(at_least_as_good(present[b], v, retning) for v in present.values())
    for k, v in present.items():  # and everyone left out is beaten by a best office
        if k not in best:
            assert not at_least_as_good(v, present[best[0]], retning)
    assert best == sorted(best)


@settings(max_examples=300, deadline=None)
@given(office_values, direction)
def test_property_rank_order_agrees_with_the_values(values, retning):
    r = compare.rank_values(values, retning)
    present = {k: v for k, v in values.items() if has_value(v)}
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
