"""The codebook (data/thesis/kodebok.yaml): its schema and Norwegian error messages, its fit to
Tabell 4.1, and that the appendix's numbers and sentences follow the coding (a changed code
changes the text)."""
from __future__ import annotations

import copy
import re

import pandas as pd
import pytest
import yaml

from scripts import paths
from scripts.analysis import exact
from scripts.content import eksakt_tekst as tekst

OFFICES = list("ABCDEF")


def shipped() -> dict:
    return yaml.safe_load(paths.KODEBOK.read_text(encoding="utf-8"))


def write(tmp_path, data) -> object:
    p = tmp_path / "kodebok.yaml"
    p.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return p


def error_for(tmp_path, data) -> str:
    with pytest.raises(exact.KodebokError) as exc:
        exact.load_codebook(write(tmp_path, data), offices=OFFICES)
    return str(exc.value)


# --------------------------------------------------------------------------- the shipped codebook


def test_shipped_codebook_is_valid_and_codes_every_office():
    book = exact.load_codebook(offices=OFFICES)
    for code in book["koder"]:
        assert sorted(code["verdier"]) == OFFICES
        assert sorted(g["kontor"] for g in code["grunnlag"]) == OFFICES


def test_every_column_of_tabell_4_1_has_a_code_with_alternatives():
    cells = pd.read_csv(paths.THESIS / "tabell_4_1.csv", dtype=str)
    book = exact.load_codebook(offices=OFFICES)
    assert {c["verktoy_id"] for c in book["koder"]} == set(cells["verktoy_id"])
    assert sorted(set(cells["kontor"])) == OFFICES
    assert all(code.get("alternativer") for code in book["koder"])


def test_codebook_basis_is_paraphrase_not_long_quotation():
    # Basis texts are short paraphrases with a page; no interview quotation marks.
    for code in shipped()["koder"]:
        for g in code["grunnlag"]:
            assert len(g["tekst"].split()) <= 15 and "«" not in g["tekst"]
            assert 1 <= g["side"] <= 66


# --------------------------------------------------------------------------- errors in Norwegian


def test_value_outside_the_levels_names_field_value_and_expectation(tmp_path):
    data = shipped()
    data["koder"][0]["verdier"]["A"] = 7
    msg = error_for(tmp_path, data)
    assert "kodebok.yaml" in msg
    assert "koder/0 (budsjett_aktiv)/verdier/A" in msg
    assert "verdien 7" in msg and "forventet en av [0, 1]" in msg


def test_missing_rule_is_named_in_norwegian(tmp_path):
    data = shipped()
    del data["koder"][2]["regel"]
    msg = error_for(tmp_path, data)
    assert "felt «koder/2»" in msg and "mangler «regel»" in msg


def test_wrong_type_says_what_was_expected(tmp_path):
    data = shipped()
    data["koder"][1]["verdier"]["B"] = "ja"
    msg = error_for(tmp_path, data)
    assert "felt «koder/1/verdier/B»" in msg and "'ja'" in msg and "forventet et heltall" in msg


def test_unknown_type_lists_the_allowed_ones(tmp_path):
    data = shipped()
    data["koder"][3]["type"] = "skala"
    msg = error_for(tmp_path, data)
    assert "felt «koder/3/type»" in msg and "'skala'" in msg and "ja_nei, rang" in msg


def test_missing_office_is_named(tmp_path):
    data = shipped()
    del data["koder"][0]["alternativer"][0]["verdier"]["F"]
    msg = error_for(tmp_path, data)
    assert "alternativer/0 (budsjett_aktiv_bare_b)/verdier" in msg and "forventet A, B, C, D, E, F" in msg


def test_duplicate_id_and_unknown_tool_are_refused(tmp_path):
    data = shipped()
    data["koder"][1]["alternativer"][0]["id"] = "budsjett_aktiv"
    assert "er brukt før" in error_for(tmp_path, data)
    data = shipped()
    data["koder"][0]["verktoy_id"] = "lean"
    msg = error_for(tmp_path, data)
    assert "verktoy_id" in msg and "'lean'" in msg and "finnes ikke i tabell 4.1" in msg


def test_yaml_syntax_error_gives_the_line(tmp_path):
    p = tmp_path / "kodebok.yaml"
    p.write_text("versjon: 1\nkoder: [\n  - id: x\n", encoding="utf-8")
    with pytest.raises(exact.KodebokError, match=r"YAML-feil på linje \d+"):
        exact.load_codebook(p, offices=OFFICES)


def test_unknown_field_is_named(tmp_path):
    data = shipped()
    data["koder"][0]["kommentar"] = "x"
    msg = error_for(tmp_path, data)
    assert "ukjent felt «kommentar»" in msg


# --------------------------------------------------------------------------- text follows the coding


def results_for(tmp_path, data) -> dict:
    return exact.build(OFFICES, codebook_path=write(tmp_path, data), check_scipy=False)


def test_a_changed_coding_changes_the_appendix_text(tmp_path):
    before = exact.build(OFFICES, check_scipy=False)
    data = shipped()
    # D and F have the two highest shares of job seekers into work in Tabell 4.2 (53 and 56):
    # coding exactly them as "yes" is a perfect 2-against-4 split, effect +1, p = 2/15.
    data["koder"][1]["verdier"] = {"A": 0, "B": 0, "C": 0, "D": 1, "E": 0, "F": 1}
    after = results_for(tmp_path, data)
    assert "+1,00 (p\u00a0=\u00a00,13)" in tekst.hoved_tabell(after)
    assert "+1,00 (p\u00a0=\u00a00,13)" not in tekst.hoved_tabell(before)
    assert tekst.funn_setning(after) != tekst.funn_setning(before)
    assert "0,13, for" in tekst.funn_setning(after)
    assert tekst.kodebok_tabell(after) != tekst.kodebok_tabell(before)


def test_design_sentence_counts_codes_that_can_never_reach_the_level(tmp_path):
    data = shipped()
    res = results_for(tmp_path, data)
    never = [c for c in res["kodinger"] if c["hoved"] and c["minste_p_design"] >= res["alpha"]]
    assert f"For {tekst.fmt.ord_tall(len(never))} av de" in tekst.design_setning(res)
    # A 3-against-3 main code (floor 0,10) adds one to that count.
    data["koder"][3]["type"] = "ja_nei"
    data["koder"][3]["nivaer"] = [{"verdi": 0, "etikett": "nei"}, {"verdi": 1, "etikett": "ja"}]
    data["koder"][3]["verdier"] = {"A": 0, "B": 0, "C": 0, "D": 1, "E": 1, "F": 1}
    res2 = results_for(tmp_path, data)
    assert f"For {tekst.fmt.ord_tall(len(never) + 1)} av de" in tekst.design_setning(res2)


def test_sentences_quote_the_numbers_of_the_strongest_test():
    res = exact.build(OFFICES, check_scipy=False)
    s = res["sterkest"]
    t = next(t for t in res["tester"] if t["koding"] == s["koding"] and t["indikator"] == s["indikator"])
    sentence = tekst.figur_setning(res)
    assert f"Av alle {t['antall']} mulige" in sentence
    assert f"gir {t['hale']} en minst like sterk" in sentence
    assert sentence.endswith(f"{tekst.p_tekst(t['p'])}.")


def test_p_and_effect_are_formatted_the_norwegian_way():
    assert tekst.p_tekst(2 / 720) == "0,003"
    assert tekst.p_tekst(0.1777) == "0,18"
    assert tekst.p_tekst(1.0) == "1"
    assert tekst.effekt_tekst(0.7171) == "+0,72"
    assert re.fullmatch(r"[−-]0,12", tekst.effekt_tekst(-0.12))
    assert tekst.effekt_tekst(0.0) == "0,00"


def test_a_code_without_variation_is_shown_as_not_testable(tmp_path):
    data = copy.deepcopy(shipped())
    data["koder"][0]["alternativer"].append({
        "id": "budsjett_alle_ja", "navn": "Alle svarer ja", "type": "ja_nei",
        "nivaer": [{"verdi": 0, "etikett": "nei"}, {"verdi": 1, "etikett": "ja"}],
        "regel": "Alle cellene begynner med ja.", "begrunnelse": "Made-up test case.", "sider": [39],
        "verdier": dict.fromkeys(OFFICES, 1)})
    res = results_for(tmp_path, data)
    assert "budsjett_alle_ja" in res["oppsummering"]["ikke_testbare"]
    assert "ikke testbar" in tekst.folsomhet_tabell(res)


def test_h4_sentence_follows_the_number_of_hits(tmp_path):
    res = exact.build(OFFICES, check_scipy=False)
    none = copy.deepcopy(res)
    none["oppsummering"]["alle_under_alpha"] = 0
    assert "ingen koding gir et mønster" in tekst.h4_setning(none)
    hit = copy.deepcopy(res)
    hit["oppsummering"]["alle_under_alpha"] = 2
    assert "ingen koding" not in tekst.h4_setning(hit)
    assert f"gir 2 av {res['oppsummering']['alle_antall']} tester" in tekst.h4_setning(hit)


def test_a_smallest_p_shared_by_several_tests_names_them_all():
    """With six offices ties are common: the shipped codings give their smallest p to two tests,
    and the text must not present it as one."""
    res = exact.build(OFFICES, check_scipy=False)
    testable = [t for t in res["tester"] if t["testbar"]]
    low = min(t["p"] for t in testable)
    tied = [t for t in testable if abs(t["p"] - low) < 1e-12]
    sentence = tekst.folsomhet_setning(res)
    if len(tied) > 1:
        assert f"deles av {tekst.fmt.ord_tall(len(tied))} tester" in sentence
    for t in tied:
        assert tekst.esc(tekst.liten(next(c for c in res["kodinger"] if c["id"] == t["koding"])["navn"])) in sentence
    # The main-coding sentence says when the alternatives go lower.
    if res["oppsummering"]["alle_minste_p"] < res["oppsummering"]["hoved_minste_p"]:
        assert "Med de andre kodingene" in tekst.funn_setning(res)
    assert "med alle kodingene" in tekst.linje_setning(res)
