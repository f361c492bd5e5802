"""Exact permutation tests (scripts.analysis.exact): hand-computed cases, agreement with scipy,
the best-value direction, what the design allows, and the build-time cross-check."""
from __future__ import annotations

import math

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from scripts.analysis import exact

OFFICES = list("ABCDEF")


# --------------------------------------------------------------------------- hand-computed cases


def test_perfect_ranking_of_six_gives_two_in_720():
    # Only the identical ordering and its reverse are as extreme: 1 of 720 in each tail, doubled.
    res = exact.exact_test([1, 2, 3, 4, 5, 6], [10, 20, 30, 40, 50, 60], "rang")
    assert res["antall"] == 720
    assert res["hale"] == 1
    assert res["p"] == pytest.approx(2 / 720)
    assert res["p_brok"] == "1/360"
    assert res["effekt"] == pytest.approx(1.0)


def test_perfect_ranking_agrees_with_scipy_exact_kendall():
    # Without ties a perfect Spearman and a perfect Kendall ordering are the same single event.
    res = exact.exact_test([1, 2, 3, 4, 5, 6], [6, 5, 4, 3, 2, 1], "rang")
    tau = stats.kendalltau([1, 2, 3, 4, 5, 6], [6, 5, 4, 3, 2, 1], method="exact")
    assert res["effekt"] == pytest.approx(-1.0)
    assert res["p"] == pytest.approx(tau.pvalue) == pytest.approx(2 / 720)


def test_three_against_three_can_never_go_below_ten_per_cent():
    # 20 splits; the perfect split and its mirror image are the two most extreme: 2/20.
    assert exact.design_smallest_p([1, 1, 1, 0, 0, 0], "ja_nei") == pytest.approx(0.10)
    res = exact.exact_test([1, 1, 1, 0, 0, 0], [6, 5, 4, 3, 2, 1], "ja_nei")
    assert res["antall"] == 20
    assert res["p"] == pytest.approx(0.10)
    assert res["effekt"] == pytest.approx(1.0)
    mw = stats.mannwhitneyu([6, 5, 4], [3, 2, 1], method="exact")
    assert res["p"] == pytest.approx(mw.pvalue)


def test_two_against_four_and_one_against_five_have_higher_floors():
    # 15 splits: one tail is at least 1/15, doubled 2/15. 6 splits: 1/6 doubled to 1/3.
    assert exact.design_smallest_p([1, 1, 0, 0, 0, 0], "ja_nei") == pytest.approx(2 / 15)
    assert exact.design_smallest_p([0, 0, 0, 1, 0, 0], "ja_nei") == pytest.approx(1 / 3)


def test_ranked_code_with_tied_levels_cannot_reach_two_in_720():
    # Two offices share each of three levels: swapping within a level keeps the statistic, so
    # the perfect pattern is shared by 2·2·2 = 8 orderings in each tail: 16/720.
    assert exact.design_smallest_p([1, 1, 2, 2, 3, 3], "rang") == pytest.approx(16 / 720)


def test_a_tie_between_groups_counts_as_half_a_pair():
    # Yes-office 2 against no-offices 2 (tie, ½) and 1 (win, 1): U = 1.5 of 2 pairs,
    # rank-biserial = 2·1.5/2 − 1 = 0.5.
    res = exact.exact_test([1, 0, 0], [2, 2, 1], "ja_nei")
    assert res["observert"] == pytest.approx(1.5)
    assert res["effekt"] == pytest.approx(0.5)


def test_twice_ranks_keeps_ties_as_integers():
    assert exact.twice_ranks([5, 3, 3]) == [6, 3, 3]
    assert exact.twice_ranks([1, 2, 3]) == [2, 4, 6]


def test_a_code_without_variation_is_reported_as_not_testable():
    res = exact.exact_test([1] * 6, [1, 2, 3, 4, 5, 6], "ja_nei")
    assert res == {"testbar": False, "grunn": "alle kontorene har samme kode"}


def test_equal_results_for_every_office_are_reported_as_not_testable():
    res = exact.exact_test([1, 1, 1, 2, 2, 3], [0] * 6, "rang")
    assert res == {"testbar": False, "grunn": "alle kontorene har samme resultat"}


def test_p_values_double_the_smaller_tail_and_stop_at_one():
    pv = exact.p_values(5, [1, 2, 3, 4, 5, 5, 6, 7, 8, 9])
    assert (pv["over"], pv["under"]) == (6, 6)
    assert pv["p"] == 1.0
    assert exact.p_values(9, [1, 2, 3, 4, 5, 5, 6, 7, 8, 9])["p"] == pytest.approx(0.2)


def test_fewest_offices_for_a_perfect_pattern_below_five_per_cent():
    # Ranking: 2/4! = 0.083, 2/5! = 0.017. Even split: 2/C(7,3) = 0.057, 2/C(8,4) = 0.029.
    assert exact.offices_for_perfect(0.05, "rang") == 5
    assert exact.offices_for_perfect(0.05, "ja_nei") == 8


def test_offices_needed_follows_fisher_z():
    # (1.95996 + 0.84162)² / atanh(0.5)² + 3 = 7.849 / 0.30174 + 3 = 29.01 -> 30.
    assert exact.offices_needed(0.5, 0.05, 0.8) == 30
    assert exact.offices_needed(0.3) > exact.offices_needed(0.5) > exact.offices_needed(0.7)


# --------------------------------------------------------------------------- agreement with scipy


@settings(max_examples=30, deadline=None)
@given(st.lists(st.integers(0, 3), min_size=6, max_size=6), st.lists(st.integers(1, 4), min_size=6, max_size=6))
def test_enumeration_agrees_with_scipy_permutation_test_for_ranked_codes(scores, code):
    if len(set(code)) < 2 or len(set(scores)) < 2:
        return
    assert exact.exact_test(code, scores, "rang")["p"] == pytest.approx(exact.scipy_p(code, scores, "rang"))


@settings(max_examples=30, deadline=None)
@given(st.lists(st.integers(0, 3), min_size=6, max_size=6), st.lists(st.integers(0, 1), min_size=6, max_size=6))
def test_enumeration_agrees_with_scipy_for_yes_no_codes(scores, groups):
    if len(set(groups)) < 2 or len(set(scores)) < 2:
        return
    res = exact.exact_test(groups, scores, "ja_nei")
    assert res["p"] == pytest.approx(exact.scipy_p(groups, scores, "ja_nei"))
    yes = [s for g, s in zip(groups, scores, strict=True) if g]
    no = [s for g, s in zip(groups, scores, strict=True) if not g]
    if len(set(scores)) == len(scores):  # scipy's exact Mann–Whitney assumes no ties
        assert res["p"] == pytest.approx(stats.mannwhitneyu(yes, no, method="exact").pvalue)


# --------------------------------------------------------------------------- direction and build


def test_goodness_takes_the_direction_from_compare():
    df = pd.DataFrame({"kontor": ["A", "B", "C"], "indikator_id": ["x"] * 3, "verdi": [3.0, 1.0, 2.0]})
    low = exact.goodness(df, {"id": "x", "retning": "lavest_best"})
    high = exact.goodness(df, {"id": "x", "retning": "hoyest_best"})
    assert max(low, key=low.get) == "B"
    assert max(high, key=high.get) == "A"


def test_build_checks_every_p_value_against_scipy(monkeypatch):
    monkeypatch.setattr(exact, "scipy_p", lambda *a: 0.987654)
    with pytest.raises(exact.DataError, match="scipy"):
        exact.build(OFFICES)


def test_build_of_the_shipped_codebook_tests_every_coding_against_every_indicator():
    res = exact.build(OFFICES)
    n_codings = len(res["kodinger"])
    assert len(res["tester"]) == n_codings * len(res["indikatorer"])
    assert all(math.isclose(t["p"], t["p_scipy"]) for t in res["tester"] if t["testbar"])
    assert res["design"]["perfekt_rang_p"] == pytest.approx(2 / 720)
    assert res["design"]["jevn_deling_min_p"] == pytest.approx(0.10)
    # the strongest main test is the main test with the smallest p
    main = {c["id"] for c in res["kodinger"] if c["hoved"]}
    ps = [t["p"] for t in res["tester"] if t["koding"] in main and t["testbar"]]
    s = res["sterkest"]
    chosen = next(t for t in res["tester"] if t["koding"] == s["koding"] and t["indikator"] == s["indikator"])
    assert chosen["p"] == min(ps)


def test_cli_writes_results_and_reports_bad_codebook_in_norwegian(tmp_path, capsys):
    out = tmp_path / "eksakt.json"
    assert exact.main(["--offices", *OFFICES, "--out", str(out)]) == 0
    assert out.exists()
    bad = tmp_path / "kodebok.yaml"
    bad.write_text("versjon: 2\n", encoding="utf-8")
    assert exact.main(["--offices", *OFFICES, "--codebook", str(bad), "--out", str(tmp_path / "x.json")]) == 1
    err = capsys.readouterr().err
    assert "felt «versjon»" in err and "mangler" in err
    assert not (tmp_path / "x.json").exists()


def test_chance_of_a_hit_is_zero_for_an_even_split_and_never_above_the_level():
    # An even 3/3 split can never give p < 0.05, so the chance of a hit is exactly 0; for any
    # exact test the chance is at most the level itself (the test is valid, if conservative).
    assert exact.exact_test([1, 1, 1, 0, 0, 0], [1, 2, 3, 4, 5, 6], "ja_nei")["sjanse_under_alpha"] == 0
    ranked = exact.exact_test([1, 2, 3, 4, 5, 6], [1, 2, 3, 4, 5, 6], "rang")
    assert 0 < ranked["sjanse_under_alpha"] <= exact.ALPHA


# --------------------------------------------------------------------------- the figure


def test_figure_marks_exactly_the_observed_tail_and_is_deterministic():
    from matplotlib.patches import Rectangle

    from scripts.content import eksakt_figur
    from scripts.content.diagrams import layout_problems, svg_bytes

    res = exact.build(OFFICES, check_scipy=False)
    test = eksakt_figur.chosen_test(res)
    fig = eksakt_figur.draw(res)
    bars = [p for p in fig.findobj(Rectangle) if (p.get_gid() or "").startswith(("hale:", "fordeling:"))]
    tail = [b for b in bars if b.get_gid().startswith("hale:")]
    # every assignment is drawn once; the hatched (not only coloured) bars hold the tail count
    assert sum(b.get_height() for b in bars) == test["antall"]
    assert sum(b.get_height() for b in tail) == test["hale"]
    assert all(b.get_hatch() for b in tail) and not any(b.get_hatch() for b in bars if b not in tail)
    assert layout_problems(fig) == []
    assert svg_bytes(eksakt_figur.draw(res)) == svg_bytes(eksakt_figur.draw(res))


def test_figure_refuses_results_without_a_strongest_test():
    from scripts.content import eksakt_figur

    with pytest.raises(eksakt_figur.EksaktError, match="^resultatene har ingen «sterkest»-test .*; "
                       "forventet feltet «sterkest» med koding og indikator$"):
        eksakt_figur.chosen_test({"sterkest": None, "tester": []})
    with pytest.raises(eksakt_figur.EksaktError, match="^«sterkest» peker på koding 'k' og indikator 'i', men den "
                       "testen finnes ikke blant «tester»"):
        eksakt_figur.chosen_test({"sterkest": {"koding": "k", "indikator": "i"}, "tester": []})
