"""scripts.analysis.exact piece by piece: the Norwegian messages for a bad codebook (compared
whole), the fields of ``build`` against cases worked out by hand, and the command line.

The codebooks and results here are made up (oppdiktede testdata); only the schema, the tool
list (verktoy.yaml) and the indicator catalogue are the shipped ones.
"""
from __future__ import annotations

import copy
import json
import math

import jsonschema
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from scripts import paths
from scripts.analysis import exact
from scripts.data.offices import DataError

OFFICES = list("ABCDEF")
ARB, NED, SOS, NETTO = ("arbeidssokere_overgang_arbeid", "nedsatt_arbeidsevne_overgang_arbeid",
                        "sosialhjelpsmottakere_andel", "netto_driftsutgifter_sosialtjenesten")


# --------------------------------------------------------------------------- schema_message

def only_error(schema: dict, instance) -> jsonschema.ValidationError:
    errors = list(jsonschema.Draft202012Validator(schema).iter_errors(instance))
    assert len(errors) == 1, errors
    return errors[0]


def message(schema: dict, instance) -> str:
    return exact.schema_message(only_error(schema, instance))


def test_required_field_names_what_is_missing_and_every_required_field():
    schema = {"type": "object", "properties": {"k": {"type": "object", "required": ["id", "regel", "navn"]}}}
    # jsonschema reports each missing field as its own error; each message names all that are missing
    errors = jsonschema.Draft202012Validator(schema).iter_errors({"k": {"id": "x"}})
    assert [exact.schema_message(e) for e in errors] == ["felt «k»: mangler «regel», «navn» (påkrevd: id, regel, navn)"] * 2


def test_required_at_the_root_is_called_the_root():
    assert message({"required": ["versjon"]}, {}) == "felt «(rot)»: mangler «versjon» (påkrevd: versjon)"


def test_unknown_field_lists_the_allowed_ones_sorted():
    schema = {"type": "object", "additionalProperties": False, "properties": {"navn": {}, "id": {}}}
    assert message(schema, {"id": 1, "zz": 2, "kommentar": 3}) == \
        "felt «(rot)»: ukjent felt «kommentar», «zz» (tillatt: id, navn)"


def test_unknown_field_without_named_fields_expects_an_integer_per_office():
    schema = {"type": "object", "properties": {"v": {"type": "object", "additionalProperties": False}}}
    assert message(schema, {"v": {"A": 1}}) == \
        "felt «v»: ukjent felt «A» (forventet et heltall per kontor)"


@pytest.mark.parametrize(("wanted", "value", "text"), [
    ("integer", "ja", "felt «x»: verdien 'ja' har feil type, forventet et heltall"),
    ("object", [1], "felt «x»: verdien [1] har feil type, forventet en tabell av felt"),
    ("array", 3, "felt «x»: verdien 3 har feil type, forventet en liste"),
    ("string", 3, "felt «x»: verdien 3 har feil type, forventet tekst"),
    ("number", "1", "felt «x»: verdien '1' har feil type, forventet et tall"),
    ("boolean", 1, "felt «x»: verdien 1 har feil type, forventet ja/nei (true/false)"),
    ("null", 0, "felt «x»: verdien 0 har feil type, forventet tom verdi"),
    (["integer", "null"], "a", "felt «x»: verdien 'a' har feil type, forventet et heltall eller tom verdi"),
])
def test_wrong_type_says_in_norwegian_which_type_was_expected(wanted, value, text):
    assert message({"properties": {"x": {"type": wanted}}}, {"x": value}) == text


def test_value_outside_an_enumeration_lists_the_allowed_values():
    assert message({"properties": {"type": {"enum": ["ja_nei", "rang"]}}}, {"type": "skala"}) == \
        "felt «type»: verdien 'skala' er ikke tillatt, forventet en av ja_nei, rang"


def test_wrong_constant_names_value_and_the_one_expected():
    assert message({"properties": {"versjon": {"const": 1}}}, {"versjon": 2}) == "felt «versjon»: verdien 2, forventet 1"


def test_wrong_form_names_the_pattern():
    assert message({"properties": {"id": {"pattern": "^[a-z]+$"}}}, {"id": "Ab"}) == \
        "felt «id»: verdien 'Ab' har feil form, forventet mønsteret ^[a-z]+$"


def test_too_small_and_too_large_say_at_least_and_at_most():
    side = {"properties": {"side": {"minimum": 1, "maximum": 66}}}
    assert message(side, {"side": 0}) == "felt «side»: verdien 0, forventet minst 1"
    assert message(side, {"side": 67}) == "felt «side»: verdien 67, forventet høyst 66"


def test_too_short_names_the_unit_it_counts():
    assert message({"properties": {"a": {"minItems": 2}}}, {"a": [1]}) == \
        "felt «a»: verdien [1] er for kort, forventet minst 2 elementer"
    assert message({"properties": {"a": {"minLength": 3}}}, {"a": "ab"}) == \
        "felt «a»: verdien 'ab' er for kort, forventet minst 3 tegn"
    assert message({"properties": {"a": {"minProperties": 2}}}, {"a": {"A": 1}}) == \
        "felt «a»: verdien {'A': 1} er for kort, forventet minst 2 felt"


def test_bad_office_letter_as_a_key_is_named():
    schema = {"properties": {"verdier": {"propertyNames": {"pattern": "^[A-Z]$"}}}}
    assert message(schema, {"verdier": {"ab": 1}}) == \
        "felt «verdier»: ugyldig kontornavn 'ab', forventet én stor bokstav (A–F)"


def test_bad_office_letter_in_the_codebook_is_named_as_an_office_name(tmp_path):
    data = shipped()
    data["koder"][0]["verdier"]["ab"] = 1
    msg, p = error_for(tmp_path, data)
    assert msg == f"{p}: felt «koder/0/verdier»: ugyldig kontornavn 'ab', forventet én stor bokstav (A–F)"


def test_an_error_of_another_kind_keeps_jsonschemas_own_text():
    err = only_error({"properties": {"a": {"maxItems": 1}}}, {"a": [1, 2]})
    assert exact.schema_message(err) == f"felt «a»: ugyldig verdi [1, 2] ({err.message})"


def test_nested_field_path_joins_keys_and_indices_with_slashes():
    schema = {"properties": {"koder": {"items": {"properties": {"verdier": {"additionalProperties": {"maximum": 9}}}}}}}
    assert message(schema, {"koder": [{"verdier": {"A": 1}}, {"verdier": {"B": 10}}]}) == \
        "felt «koder/1/verdier/B»: verdien 10, forventet høyst 9"


# --------------------------------------------------------------------------- load_codebook / _check_coding

def shipped() -> dict:
    return yaml.safe_load(paths.KODEBOK.read_text(encoding="utf-8"))


def write(tmp_path, data, name="kodebok.yaml"):
    p = tmp_path / name
    p.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return p


def error_for(tmp_path, data, offices=OFFICES) -> tuple[str, object]:
    p = write(tmp_path, data)
    with pytest.raises(exact.KodebokError) as exc:
        exact.load_codebook(p, offices=offices)
    return str(exc.value), p


def test_a_missing_codebook_file_is_named(tmp_path):
    p = tmp_path / "finnes_ikke.yaml"
    with pytest.raises(exact.KodebokError) as exc:
        exact.load_codebook(p, offices=OFFICES)
    assert str(exc.value) == f"{p}: fila finnes ikke"


def test_yaml_error_names_file_and_line(tmp_path):
    p = tmp_path / "kodebok.yaml"
    p.write_text("versjon: 1\nkoder:\n  - id: x\n   navn: y\n", encoding="utf-8")
    with pytest.raises(exact.KodebokError) as exc:
        exact.load_codebook(p, offices=OFFICES)
    assert str(exc.value).startswith(f"{p}: YAML-feil på linje 4: ")


def test_schema_errors_show_the_first_five_sorted_by_field_and_count_the_rest(tmp_path):
    data = shipped()
    for i in range(4):
        data["koder"][i]["verdier"]["A"] = data["koder"][i]["verdier"]["B"] = 10
    msg, p = error_for(tmp_path, data)
    fields = ["0/verdier/A", "0/verdier/B", "1/verdier/A", "1/verdier/B", "2/verdier/A"]
    shown = "; ".join(f"felt «koder/{f}»: verdien 10, forventet høyst 9" for f in fields)
    assert msg == f"{p}: {shown} (og 3 feil til)"


def test_a_single_schema_error_has_no_count_of_more(tmp_path):
    data = shipped()
    data["versjon"] = 2
    msg, p = error_for(tmp_path, data)
    assert msg == f"{p}: felt «versjon»: verdien 2, forventet 1"


def test_a_tool_missing_from_tabell_4_1_is_named_with_the_tools_that_exist(tmp_path):
    data = shipped()
    data["koder"][1]["verktoy_id"] = "lean"
    tools = sorted(c["id"] for c in yaml.safe_load((paths.THESIS / "verktoy.yaml").read_text("utf-8"))["kolonner"])
    msg, p = error_for(tmp_path, data)
    code = data["koder"][1]["id"]
    assert msg == (f"{p}: felt «koder/1 ({code})/verktoy_id»: verdien 'lean' finnes ikke i tabell 4.1, "
                   f"forventet en av {', '.join(tools)}")


def test_basis_that_misses_an_office_names_the_offices_and_expects_each_once(tmp_path):
    data = shipped()
    data["koder"][0]["grunnlag"] = data["koder"][0]["grunnlag"][:5]
    msg, p = error_for(tmp_path, data)
    assert msg == (f"{p}: felt «koder/0 (budsjett_aktiv)/grunnlag»: kontorene A, B, C, D, E, "
                   "forventet hvert av A, B, C, D, E, F nøyaktig én gang")


def test_basis_that_names_an_office_twice_is_refused(tmp_path):
    data = shipped()
    data["koder"][0]["grunnlag"][5] = dict(data["koder"][0]["grunnlag"][4])
    msg, p = error_for(tmp_path, data)
    assert msg == (f"{p}: felt «koder/0 (budsjett_aktiv)/grunnlag»: kontorene A, B, C, D, E, E, "
                   "forventet hvert av A, B, C, D, E, F nøyaktig én gang")


def test_an_id_used_twice_is_named_where_it_appears_the_second_time(tmp_path):
    data = shipped()
    first = data["koder"][0]["id"]
    data["koder"][1]["id"] = first
    msg, p = error_for(tmp_path, data)
    assert msg == f"{p}: felt «koder/1 ({first})/id»: verdien '{first}' er brukt før, forventet en unik id"


def test_an_alternative_reusing_its_main_codes_id_is_refused_with_its_path(tmp_path):
    data = shipped()
    alt = data["koder"][0]["alternativer"][0]
    alt["id"] = "budsjett_aktiv"
    msg, p = error_for(tmp_path, data)
    assert msg == (f"{p}: felt «koder/0 (budsjett_aktiv)/alternativer/0 (budsjett_aktiv)/id»: "
                   "verdien 'budsjett_aktiv' er brukt før, forventet en unik id")


def test_repeated_levels_are_refused(tmp_path):
    data = shipped()
    data["koder"][0]["nivaer"][1]["verdi"] = 0
    msg, p = error_for(tmp_path, data)
    assert msg == f"{p}: felt «koder/0 (budsjett_aktiv)/nivaer»: verdiene [0, 0] gjentas, forventet hver verdi én gang"


def test_yes_no_code_needs_exactly_the_levels_zero_and_one(tmp_path):
    data = shipped()
    data["koder"][0]["nivaer"][1]["verdi"] = 2
    data["koder"][0]["verdier"] = {k: (2 if v else 0) for k, v in data["koder"][0]["verdier"].items()}
    msg, p = error_for(tmp_path, data)
    assert msg == f"{p}: felt «koder/0 (budsjett_aktiv)/nivaer»: verdiene [0, 2], forventet nøyaktig 0 og 1 for type ja_nei"


def test_ranked_code_may_use_other_levels_than_zero_and_one(tmp_path):
    data = shipped()
    code = data["koder"][0]
    code["type"] = "rang"
    code["nivaer"] = [{"verdi": 1, "etikett": "lite"}, {"verdi": 2, "etikett": "mye"}]
    code["verdier"] = {k: v + 1 for k, v in code["verdier"].items()}
    book = exact.load_codebook(write(tmp_path, data), offices=OFFICES)
    assert book["koder"][0]["verdier"]["B"] == 2


def test_values_for_an_office_not_in_the_data_are_refused(tmp_path):
    data = shipped()
    msg, p = error_for(tmp_path, data, offices=list("ABCDE"))
    # the basis is checked first: it names six offices where five were expected
    assert msg == (f"{p}: felt «koder/0 (budsjett_aktiv)/grunnlag»: kontorene A, B, C, D, E, F, "
                   "forventet hvert av A, B, C, D, E nøyaktig én gang")


def test_values_missing_an_office_name_the_offices_coded(tmp_path):
    data = shipped()
    del data["koder"][0]["verdier"]["C"]
    msg, p = error_for(tmp_path, data)
    assert msg == f"{p}: felt «koder/0 (budsjett_aktiv)/verdier»: kontorene A, B, D, E, F, forventet A, B, C, D, E, F"


def test_a_value_outside_the_levels_names_office_value_and_levels(tmp_path):
    data = shipped()
    data["koder"][0]["alternativer"][0]["verdier"]["D"] = 3
    msg, p = error_for(tmp_path, data)
    assert msg == (f"{p}: felt «koder/0 (budsjett_aktiv)/alternativer/0 (budsjett_aktiv_bare_b)/verdier/D»: "
                   "verdien 3, forventet en av [0, 1]")


def test_without_a_list_of_offices_the_coded_offices_are_used(tmp_path):
    book = exact.load_codebook(write(tmp_path, shipped()))
    assert sorted(book["koder"][0]["verdier"]) == OFFICES


# --------------------------------------------------------------------------- a made-up codebook for build

def level(v: int) -> dict:
    return {"verdi": v, "etikett": f"nivå {v}"}


def code(cid: str, kind: str, values: list[int], levels: list[int], **extra) -> dict:
    out = {"id": cid, "verktoy_id": "malstyring", "navn": f"Kode {cid}", "type": kind,
           "nivaer": [level(v) for v in levels], "regel": "Oppdiktet regel for testen.",
           "verdier": dict(zip(OFFICES, values, strict=True)),
           "grunnlag": [{"kontor": k, "tekst": "Oppdiktet grunnlag.", "side": 39 + (k > "C")} for k in OFFICES]}
    out.update(extra)
    return out


def made_up_book() -> dict:
    alt = {"id": "delt_to", "navn": "To mot fire", "type": "ja_nei", "nivaer": [level(0), level(1)],
           "regel": "Oppdiktet regel.", "begrunnelse": "Oppdiktet begrunnelse.", "sider": [12, 40],
           "verdier": dict(zip(OFFICES, [1, 1, 0, 0, 0, 0], strict=True))}
    return {"versjon": 1, "tabell": {"nummer": "4.1", "side": 39},
            "resultattabell": {"nummer": "4.2", "side": 41, "aar": 2014},
            "koder": [code("rangert", "rang", [6, 5, 4, 3, 2, 1], [1, 2, 3, 4, 5, 6]),
                      code("delt", "ja_nei", [1, 1, 1, 0, 0, 0], [0, 1], alternativer=[alt]),
                      code("lik", "ja_nei", [1, 1, 1, 1, 1, 1], [0, 1])]}


def made_up_table(tmp_path):
    # A is best on every indicator but NED (where A is worst); NETTO is the same for everyone.
    values = {ARB: [60, 55, 50, 45, 40, 35], NED: [30, 32, 34, 36, 38, 40],
              SOS: [2.0, 2.5, 3.0, 3.5, 4.0, 4.5], NETTO: [2800] * 6}
    rows = ["kontor,indikator_id,aar,verdi,side"]
    rows += [f"{k},{ind},2014,{v},41" for ind, vs in values.items() for k, v in zip(OFFICES, vs, strict=True)]
    rows += [f"{k},{ARB},2013,1,41" for k in OFFICES]  # another year: must not be read
    p = tmp_path / "tabell.csv"
    p.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return p


@pytest.fixture
def built(tmp_path):
    # built anew for every test (not once per module): mutmut runs, for each mutant, only the tests
    # that called the mutated function, and a shared fixture is called from the first test alone
    return exact.build(OFFICES, codebook_path=write(tmp_path, made_up_book()), table_csv=made_up_table(tmp_path))


def test_of(built, koding, indikator) -> dict:
    return next(t for t in built["tester"] if t["koding"] == koding and t["indikator"] == indikator)


test_of.__test__ = False  # a helper, not a test


def test_a_perfect_ranking_gives_two_in_720_and_rho_one(built):
    t = test_of(built, "rangert", ARB)
    assert t["testbar"] and t["statistikk"] == "rho"
    assert t["observert"] == pytest.approx(1.0) and t["effekt"] == pytest.approx(1.0)
    assert (t["antall"], t["over"], t["under"]) == (720, 1, 720)
    assert t["p"] == pytest.approx(2 / 720) and t["p_brok"] == "1/360"
    assert t["p_over"] == pytest.approx(1 / 720) and t["p_under"] == 1.0
    assert (t["hale"], t["hale_retning"]) == (1, "over")
    assert t["minste_p_data"] == pytest.approx(2 / 720)
    assert t["p_scipy"] == pytest.approx(2 / 720)


def test_a_perfectly_reversed_ranking_has_rho_minus_one_and_the_lower_tail(built):
    t = test_of(built, "rangert", NED)
    assert t["effekt"] == pytest.approx(-1.0)
    assert (t["over"], t["under"], t["hale"], t["hale_retning"]) == (720, 1, 1, "under")
    assert t["p"] == pytest.approx(2 / 720)


def test_lowest_is_best_turns_the_lowest_share_into_the_best_result(built):
    assert test_of(built, "rangert", SOS)["effekt"] == pytest.approx(1.0)
    assert test_of(built, "delt", SOS)["observert"] == 9.0


def test_a_perfect_three_against_three_split_gives_u_nine_and_p_one_tenth(built):
    t = test_of(built, "delt", ARB)
    assert t["statistikk"] == "U" and t["observert"] == 9.0 and t["effekt"] == 1.0
    assert (t["antall"], t["over"], t["under"]) == (20, 1, 20)
    assert t["p"] == pytest.approx(0.1) and t["p_brok"] == "1/10"
    # no split of three against three can go below 0.10, so a hit below 5 % never happens
    assert t["sjanse_under_alpha"] == 0 and t["minste_p_data"] == pytest.approx(0.1)
    # U counts 0 … 9 over the 20 splits; rank-biserial 2U/9 − 1 puts U = 9 at +1 and U = 0 at −1
    effects = dict(t["fordeling"])
    assert sum(effects.values()) == 20 and effects[1.0] == 1 and effects[-1.0] == 1
    assert len(effects) == 10


def test_a_split_on_the_wrong_side_gives_u_zero_and_effect_minus_one(built):
    t = test_of(built, "delt", NED)
    assert t["observert"] == 0.0 and t["effekt"] == -1.0 and t["hale_retning"] == "under"


def test_two_against_four_at_the_top_gives_p_two_in_fifteen(built):
    t = test_of(built, "delt_to", ARB)
    assert t["observert"] == 8.0 and t["effekt"] == 1.0 and t["antall"] == 15
    assert t["p"] == pytest.approx(2 / 15) and t["p_brok"] == "2/15"
    assert t["hoved"] is False


def test_equal_results_and_a_code_without_variation_are_not_testable_and_say_why(built):
    assert {k: test_of(built, "rangert", NETTO)[k] for k in ("testbar", "grunn")} == \
        {"testbar": False, "grunn": "alle kontorene har samme resultat"}
    for ind in (ARB, NED, SOS, NETTO):
        t = test_of(built, "lik", ind)
        assert (t["testbar"], t["grunn"]) == (False, "alle kontorene har samme kode")


def test_every_test_carries_its_coding_indicator_values_and_ranks(built):
    assert len(built["tester"]) == 4 * 4  # four codings (three main, one alternative) × four indicators
    t = test_of(built, "rangert", NED)
    assert t["hoved"] is True and t["indikator"] == NED
    assert t["verdier"] == {"A": 30.0, "B": 32.0, "C": 34.0, "D": 36.0, "E": 38.0, "F": 40.0}
    assert t["rang"] == {"A": 6, "B": 5, "C": 4, "D": 3, "E": 2, "F": 1}


def test_codings_list_main_codes_then_their_alternatives_with_the_split_and_design_floor(built):
    cods = {c["id"]: c for c in built["kodinger"]}
    assert [c["id"] for c in built["kodinger"]] == ["rangert", "delt", "delt_to", "lik"]
    assert cods["delt_to"]["hoved"] is False and cods["delt_to"]["kode_id"] == "delt"
    assert cods["delt_to"]["kode_navn"] == "Kode delt" and cods["delt_to"]["navn"] == "To mot fire"
    assert cods["delt_to"]["verktoy_id"] == "malstyring" and cods["delt_to"]["sider"] == [12, 40]
    assert cods["delt_to"]["begrunnelse"] == "Oppdiktet begrunnelse."
    assert cods["delt"]["sider"] == [39, 40] and cods["delt"]["begrunnelse"] == ""  # pages of the basis
    assert cods["delt"]["regel"] == "Oppdiktet regel for testen." and cods["delt"]["type"] == "ja_nei"
    assert [n["verdi"] for n in cods["rangert"]["nivaer"]] == [1, 2, 3, 4, 5, 6]
    assert cods["rangert"]["verdier"]["A"] == 6
    assert [cods[c]["deling"] for c in ("rangert", "delt", "delt_to", "lik")] == \
        ["1–1–1–1–1–1", "3 mot 3", "2 mot 4", "6 mot 0"]
    assert cods["rangert"]["minste_p_design"] == pytest.approx(2 / 720)
    assert cods["delt"]["minste_p_design"] == pytest.approx(0.1)
    assert cods["delt_to"]["minste_p_design"] == pytest.approx(2 / 15)
    assert cods["lik"]["minste_p_design"] is None


def test_summary_counts_the_main_tests_and_all_tests_below_five_per_cent(built):
    s = built["oppsummering"]
    # main: rangert on ARB, NED, SOS (p = 1/360 each) and delt on the same (p = 0.1)
    assert (s["hoved_antall"], s["hoved_under_alpha"]) == (6, 3)
    assert s["hoved_minste_p"] == pytest.approx(2 / 720)
    # all: plus delt_to on ARB, NED, SOS (p = 2/15)
    assert (s["alle_antall"], s["alle_under_alpha"]) == (9, 3)
    assert s["alle_minste_p"] == pytest.approx(2 / 720)
    assert s["ikke_testbare"] == ["delt", "delt_to", "lik", "rangert"]
    # splits of 3/3 and 2/4 never reach 5 %, so only the ranked tests can add expected hits
    ranked = sum(test_of(built, "rangert", i)["sjanse_under_alpha"] for i in (ARB, NED, SOS))
    assert 0 < ranked and s["forventet_under_alpha_hoved"] == pytest.approx(ranked)
    assert s["forventet_under_alpha_alle"] == pytest.approx(ranked)


def test_the_strongest_test_is_the_first_with_the_smallest_p(built):
    assert built["sterkest"] == {"koding": "rangert", "indikator": ARB}


def test_design_numbers_for_six_offices(built):
    assert built["design"] == {"rekkefolger": 720, "perfekt_rang_p": pytest.approx(2 / 720), "jevn_deling": 20,
                               "jevn_deling_min_p": pytest.approx(0.1),
                               # 5! = 120 > 40 but 4! = 24 is not; C(8, 4) = 70 > 40 but C(7, 3) = 35 is not
                               "kontorer_perfekt_rang": 5, "kontorer_perfekt_deling": 8}
    # Fisher z with z(0.975) + z(0.8) = 2.8016: rho 0.3 -> 84.9, 0.5 -> 29.0, 0.7 -> 13.4 (+3 included)
    assert built["behov"] == [{"rho": 0.3, "kontorer": 85}, {"rho": 0.5, "kontorer": 30}, {"rho": 0.7, "kontorer": 14}]


def test_header_fields_name_year_offices_levels_indicators_and_tools(built):
    assert (built["aar"], built["kontorer"], built["n_kontorer"]) == (2014, OFFICES, 6)
    assert (built["alpha"], built["styrke"]) == (0.05, 0.8)
    assert [i["id"] for i in built["indikatorer"]] == [ARB, NED, SOS, NETTO]
    assert set(built["indikatorer"][0]) == {"id", "etikett", "kort", "enhet", "retning", "linje", "desimaler"}
    assert built["verktoy"]["malstyring"] == "Målstyring"


def test_a_codebook_without_testable_codes_has_no_strongest_test(tmp_path):
    book = made_up_book()
    book["koder"] = [book["koder"][2]]
    res = exact.build(OFFICES, codebook_path=write(tmp_path, book), table_csv=made_up_table(tmp_path))
    assert res["sterkest"] is None
    s = res["oppsummering"]
    assert (s["hoved_antall"], s["hoved_minste_p"], s["alle_minste_p"]) == (0, None, None)
    assert s["ikke_testbare"] == ["lik"]


def test_a_results_table_without_the_codebooks_year_is_named(tmp_path):
    book = made_up_book()
    book["resultattabell"]["aar"] = 2015
    table = made_up_table(tmp_path)
    with pytest.raises(DataError) as exc:
        exact.build(OFFICES, codebook_path=write(tmp_path, book), table_csv=table)
    assert str(exc.value) == f"{table}: ingen verdier for 2015, forventet tabell 4.2 for kontorene A, B, C, D, E, F"


def test_a_disagreement_with_scipy_stops_the_build_with_both_p_values(tmp_path, monkeypatch):
    monkeypatch.setattr(exact, "scipy_p", lambda *a: 0.5)
    with pytest.raises(DataError) as exc:
        exact.build(OFFICES, codebook_path=write(tmp_path, made_up_book()), table_csv=made_up_table(tmp_path))
    assert str(exc.value) == (f"rangert × {ARB}: opptellingen gir p = {2 / 720}, scipy gir 0.5; "
                              "ingen resultater skrevet")


def test_without_the_scipy_check_no_scipy_p_is_stored(tmp_path):
    res = exact.build(OFFICES, codebook_path=write(tmp_path, made_up_book()), table_csv=made_up_table(tmp_path),
                      check_scipy=False)
    assert all("p_scipy" not in t for t in res["tester"])


# --------------------------------------------------------------------------- scipy_p and the statistics

def test_scipy_gives_two_in_720_for_a_perfect_ranking_and_one_tenth_for_a_perfect_split():
    assert exact.scipy_p([6, 5, 4, 3, 2, 1], [6, 5, 4, 3, 2, 1], "rang") == pytest.approx(2 / 720)
    assert exact.scipy_p([1, 1, 1, 0, 0, 0], [6, 5, 4, 3, 2, 1], "ja_nei") == pytest.approx(0.1)
    # a split with nothing to say: U = 4.5 of 9 is the middle of the distribution
    assert exact.scipy_p([1, 0, 0, 1, 1, 0], [6, 5, 4, 3, 2, 1], "ja_nei") == pytest.approx(1.0)


@settings(max_examples=25, deadline=None)
@given(st.permutations([1, 2, 3, 4, 5, 6]), st.lists(st.integers(0, 1), min_size=6, max_size=6).filter(lambda g: 0 < sum(g) < 6))
def test_mirrored_results_give_the_same_p_and_the_opposite_effect(scores, groups):
    mirrored = [-s for s in scores]
    for kind, code in (("ja_nei", groups), ("rang", [g + i % 3 for i, g in enumerate(groups)])):
        a, b = exact.exact_test(code, scores, kind), exact.exact_test(code, mirrored, kind)
        assert a["p"] == pytest.approx(b["p"]) and a["effekt"] == pytest.approx(-b["effekt"])
        assert exact.scipy_p(code, scores, kind) == pytest.approx(a["p"])


@settings(max_examples=30, deadline=None)
@given(st.lists(st.integers(0, 4), min_size=6, max_size=6).filter(lambda s: len(set(s)) > 1),
       st.lists(st.integers(0, 1), min_size=6, max_size=6).filter(lambda g: 0 < sum(g) < 6))
def test_rank_biserial_effect_is_the_share_of_pairs_won_minus_lost(scores, groups):
    t = exact.exact_test(groups, scores, "ja_nei")
    yes = [s for g, s in zip(groups, scores, strict=True) if g]
    no = [s for g, s in zip(groups, scores, strict=True) if not g]
    won = sum(a > b for a in yes for b in no)
    lost = sum(a < b for a in yes for b in no)
    assert t["effekt"] == pytest.approx((won - lost) / (len(yes) * len(no)))
    assert t["observert"] == won + (len(yes) * len(no) - won - lost) / 2
    assert -1 <= t["effekt"] <= 1 and 0 < t["p"] <= 1
    assert sum(n for _, n in t["fordeling"]) == math.comb(6, sum(groups))
    assert t["minste_p_data"] <= t["p"]


def test_spearman_from_the_rank_sum_matches_a_hand_computed_rho():
    # ranks (1,2,3) against (1,3,2): d² = 0 + 1 + 1 = 2, rho = 1 − 6·2 / (3·8) = 0.5
    code, scores = [1, 2, 3], [10, 30, 20]
    total, _ = exact.rank_distribution(code, scores)
    assert exact.spearman_from_sum(total, code, scores) == pytest.approx(0.5)


# --------------------------------------------------------------------------- command line

def test_cli_writes_exactly_what_build_gives_for_the_offices_and_codebook_asked(tmp_path, capsys):
    book = shipped()
    p = write(tmp_path, book)
    out = tmp_path / "ut" / "eksakt.json"
    assert exact.main(["--offices", *OFFICES, "--codebook", str(p), "--out", str(out)]) == 0
    assert json.loads(out.read_text(encoding="utf-8")) == json.loads(json.dumps(exact.build(OFFICES, p)))
    assert f"skrev {out}" in capsys.readouterr().err
    text = out.read_text(encoding="utf-8")
    assert "å" in text or "ø" in text  # Norwegian letters kept, not escaped
    # keys sorted and one space of indent, so the same results always give the same bytes
    assert text == json.dumps(json.loads(text), ensure_ascii=False, indent=1, sort_keys=True)


def test_cli_with_a_codebook_for_other_offices_fails_in_norwegian_and_writes_nothing(tmp_path, capsys):
    book = copy.deepcopy(shipped())
    p = write(tmp_path, book)
    out = tmp_path / "eksakt.json"
    assert exact.main(["--offices", "A", "B", "C", "D", "E", "--codebook", str(p), "--out", str(out)]) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"exact: {p}: felt «koder/0 (budsjett_aktiv)/grunnlag»: kontorene A, B, C, D, E, F")
    assert not out.exists()


def test_cli_requires_offices_and_an_output(tmp_path):
    with pytest.raises(SystemExit) as exc:
        exact.main(["--out", str(tmp_path / "x.json")])
    assert exc.value.code == 2
    with pytest.raises(SystemExit):
        exact.main(["--offices", *OFFICES])


# --------------------------------------------------------------------------- the centre and the edges

def test_a_split_at_the_centre_has_equal_tails_names_the_upper_one_and_p_one():
    # four offices, yes = {4, 1} against no = {3, 2}: U = 2 of 4 pairs. Over the six splits 2U is
    # 8, 6, 4, 4, 2, 0, so four are at least 4 and four at most 4.
    t = exact.exact_test([1, 0, 0, 1], [4, 3, 2, 1], "ja_nei")
    assert (t["observert"], t["effekt"]) == (2.0, 0.0)
    assert (t["over"], t["under"], t["hale"], t["hale_retning"]) == (4, 4, 4, "over")
    assert t["p"] == 1.0 and t["p_brok"] == "1"  # 2 · 4/6 capped at one


def test_a_ranking_with_rho_zero_has_equal_tails():
    # code 1, 2, 3, 4 against result ranks 2, 4, 1, 3: Σd² = 1 + 4 + 4 + 1 = 10, rho = 1 − 60/60 = 0;
    # reversing the results maps rho to −rho, so the two tails hold as many orderings
    t = exact.exact_test([1, 2, 3, 4], [2, 4, 1, 3], "rang")
    assert t["effekt"] == pytest.approx(0.0) and t["over"] == t["under"] and t["hale_retning"] == "over"
    assert t["p"] == 1.0 and t["p_brok"] == "1"


def test_p_value_fraction_is_capped_at_one_too():
    pv = exact.p_values(5, [1, 5, 5, 9])  # three at least 5, three at most 5: 2 · 3/4 > 1
    assert (pv["p"], pv["p_brok"], pv["p_over"], pv["p_under"]) == (1.0, "1", 0.75, 0.75)


def test_codes_and_results_of_different_lengths_are_refused():
    with pytest.raises(ValueError):
        exact.split_distribution([1, 0, 1], [3, 2])
    with pytest.raises(ValueError):
        exact.rank_distribution([1, 2, 3], [3, 2])


def test_fewest_offices_for_a_perfect_ranking_by_default_is_five():
    # by default a ranked code at 5 %: 2/4! = 0.083 is not below it, 2/5! = 0.017 is
    assert exact.offices_for_perfect() == 5
    assert exact.offices_for_perfect(kind="ja_nei") == 8  # 2/C(7, 3) = 0.057, 2/C(8, 4) = 0.029


def test_fewest_offices_follows_the_level_and_a_p_equal_to_it_is_not_below_it():
    # at 10 %: 2/3! = 0.33 is not below, 2/4! = 0.083 is
    assert exact.offices_for_perfect(0.1, "rang") == 4
    # at exactly 2/5!, five offices only reach the level, six (2/720) get below it
    assert exact.offices_for_perfect(2 / math.factorial(5), "rang") == 6


def test_build_checks_the_tools_against_the_tool_list_it_is_given(tmp_path):
    spec = tmp_path / "verktoy.yaml"
    spec.write_text(yaml.safe_dump({"kolonner": [{"id": "oppdiktet_verktoy", "etikett": "Oppdiktet verktøy"}]},
                                   allow_unicode=True), encoding="utf-8")
    book = made_up_book()
    for c in book["koder"]:
        c["verktoy_id"] = "oppdiktet_verktoy"
    res = exact.build(OFFICES, codebook_path=write(tmp_path, book), table_csv=made_up_table(tmp_path),
                      tools_spec=spec, check_scipy=False)
    assert res["verktoy"] == {"oppdiktet_verktoy": "Oppdiktet verktøy"}
    assert {c["verktoy_id"] for c in res["kodinger"]} == {"oppdiktet_verktoy"}


def test_exactly_five_schema_errors_are_all_shown_without_a_count(tmp_path):
    data = shipped()
    fields = ["0/verdier/A", "0/verdier/B", "1/verdier/A", "1/verdier/B", "2/verdier/A"]
    for f in fields:
        i, _, k = f.split("/")
        data["koder"][int(i)]["verdier"][k] = 10
    msg, p = error_for(tmp_path, data)
    assert msg == f"{p}: " + "; ".join(f"felt «koder/{f}»: verdien 10, forventet høyst 9" for f in fields)


def test_yaml_error_gives_the_parsers_problem_in_its_own_words(tmp_path):
    p = tmp_path / "kodebok.yaml"
    p.write_text("versjon: 1\nkoder:\n  - id: x\n   navn: y\n", encoding="utf-8")
    with pytest.raises(exact.KodebokError) as exc:
        exact.load_codebook(p, offices=OFFICES)
    with pytest.raises(yaml.YAMLError) as parser:
        yaml.safe_load(p.read_text(encoding="utf-8"))
    assert str(exc.value) == f"{p}: YAML-feil på linje 4: {parser.value.problem}"
