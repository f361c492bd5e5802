"""Office reports, the fast parts: made-up data, peer groups, the disclosure rule and the report's text.

All office identifiers K001 … and their values here are made up (oppdiktede testdata).
"""
import json
import re

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scripts import paths
from scripts.analysis import kontor
from scripts.content import kontor as report
from scripts.data import generate, kontor_input
from scripts.data.offices import DataError, load_indicators

INDS = {i["id"]: i for i in load_indicators()}


@pytest.fixture(scope="module")
def made_up(tmp_path_factory):
    out = tmp_path_factory.mktemp("oppdiktet") / "n30"
    generate.generate(30, 7, [2013, 2014], out)
    return out


@pytest.fixture(scope="module")
def tables(made_up):
    return kontor.build_tables(made_up, 2014, [2013, 2014], "storrelse", [20000, 50000])


# --------------------------------------------------------------------------- generator


def test_generator_same_seed_same_bytes_other_seed_other_values(tmp_path):
    a, b, c = (tmp_path / n for n in "abc")
    generate.generate(12, 3, [2013, 2014], a)
    generate.generate(12, 3, [2013, 2014], b)
    generate.generate(12, 4, [2013, 2014], c)
    files = sorted(p.relative_to(a) for p in a.rglob("*") if p.is_file())
    assert len(files) == 6
    assert all((a / f).read_bytes() == (b / f).read_bytes() for f in files)
    assert (a / "kostra_kontor/2014.csv").read_bytes() != (c / "kostra_kontor/2014.csv").read_bytes()


def test_every_generated_file_says_it_is_made_up(made_up):
    assert kontor_input.is_made_up(made_up)
    for f in made_up.rglob("*.csv"):
        rows = f.read_text(encoding="utf-8").splitlines()[1:]
        assert rows and all("oppdiktede testdata" in r.lower() for r in rows), f


def test_generator_never_writes_into_data_raw(tmp_path):
    with pytest.raises(ValueError, match="data/raw"):
        generate.generate(5, 1, [2014], paths.RAW / "oppdiktet")
    assert not (paths.RAW / "oppdiktet").exists()


def test_generated_values_lie_around_the_thesis_values(made_up):
    df = pd.read_csv(made_up / "kostra_kontor/2014.csv")
    drift = df[df.indikator_id == "netto_driftsutgifter_sosialtjenesten"]["verdi"]
    share = df[df.indikator_id == "sosialhjelpsmottakere_andel"]["verdi"]
    assert 2200 < drift.median() < 3400 and 2.4 < share.median() < 4.0  # thesis: 2799–2999 kr, 2,9–3,6 %
    assert drift.nunique() > 10  # not one value copied


# --------------------------------------------------------------------------- office list


def test_offices_are_read_from_the_edition_malekort(made_up):
    assert kontor_input.offices(paths.RAW, 2014) == list("ABCDEF")
    assert kontor_input.offices(made_up, 2014) == [f"K{i:03d}" for i in range(1, 31)]


def test_an_office_name_that_cannot_be_a_file_name_is_named_with_file_and_row(tmp_path):
    d = tmp_path / "malekort" / "2014"
    d.mkdir(parents=True)
    (d / "m.csv").write_text("kontor;aar\nA;2014\nA/../x;2014\n", encoding="utf-8")
    with pytest.raises(kontor_input.OfficeListError, match=r"m\.csv, rad 3, kolonne «kontor»: «A/\.\./x»"):
        kontor_input.offices(tmp_path, 2014)


def test_missing_malekort_folder_is_a_norwegian_message(tmp_path):
    with pytest.raises(kontor_input.OfficeListError, match="ingen målekort"):
        kontor_input.offices(tmp_path, 2014)


# --------------------------------------------------------------------------- peer groups


def test_small_size_class_is_merged_with_its_smaller_neighbour():
    inh = pd.Series({"a": 1000, "b": 2000, "c": 30_000, "d": 31_000, "e": 32_000, "f": 33_000,
                     "g": 60_000, "h": 61_000, "i": 62_000, "j": 63_000, "k": 64_000})
    groups = kontor.size_groups(inh, [20_000, 50_000])
    assert [g["kontorer"] for g in groups] == [list("abcdef"), list("ghijk")]
    assert groups[0]["etikett"] == "Kontorer i kommuner med færre enn 50\u00a0000 innbyggere"


def test_small_kostra_group_is_not_shown():
    codes = pd.Series({"a": "G1", "b": "G1", "c": "G2", "d": "G2", "e": "G2", "f": "G2"})
    groups, hidden = kontor.kostra_groups(codes, k=4)
    assert [g["kostragruppe"] for g in groups] == ["G2"] and hidden == 2
    assert kontor.kostra_groups(codes) == ([], 6)  # k = 5 by default: G2's four offices are too few


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(1_000, 300_000), min_size=kontor.MIN_GROUP, max_size=40),
       st.lists(st.integers(1, 300_000), max_size=4))
def test_no_size_group_is_shown_with_fewer_than_k_offices(inhabitants, bounds):
    inh = pd.Series({f"K{i}": v for i, v in enumerate(inhabitants)})
    groups = kontor.size_groups(inh, bounds)
    assert all(len(g["kontorer"]) >= kontor.MIN_GROUP for g in groups)
    # every office is in exactly one group (merging keeps everyone)
    assert sorted(k for g in groups for k in g["kontorer"]) == sorted(inh.index)


def test_too_few_offices_show_no_comparison():
    groups, note = kontor.peer_groups(["A", "B", "C"], None, "alle", [])
    assert groups == [] and "ingen sammenlikning" in note


def test_without_office_info_size_groups_fall_back_to_all_offices_and_say_so():
    groups, note = kontor.peer_groups(list("ABCDEF"), None, "storrelse", [20000])
    assert groups == [] and "kontorinfo.csv" in note


# --------------------------------------------------------------------------- shared tables


def test_shipped_data_give_six_offices_on_the_side_their_values_put_them():
    t = kontor.build_tables(paths.RAW, 2014, [2014])
    assert sorted(t["kontorer"]) == list("ABCDEF") and t["oppdiktet"] is False and t["min_gruppe"] == 5
    raw = pd.read_csv(paths.RAW / "malekort/2014/malekort_2014.csv", sep=";")
    ind = INDS["arbeidssokere_overgang_arbeid"]
    vals = raw[raw.indikator_id == ind["id"]].groupby("kontor")["verdi"].last().astype(float)
    q1, q3 = vals.quantile(0.25), vals.quantile(0.75)
    want = {k: "lavere" if v < q1 else "hoyere" if v > q3 else "innenfor" for k, v in vals.items()}
    assert {k: t["kontorer"][k]["side"][ind["id"]]["2014"]["alle"] for k in "ABCDEF"} == want


def test_group_distributions_hold_no_office_identifiers(tables):
    text = json.dumps(tables["fordeling"])
    assert not re.search(r"K\d{3}", text)


def test_an_office_without_kostra_figures_is_named(made_up, tmp_path):
    import shutil

    d = tmp_path / "data"
    shutil.copytree(made_up, d)
    f = d / "kostra_kontor/2014.csv"
    f.write_text("\n".join(line for line in f.read_text(encoding="utf-8").splitlines()
                           if not line.startswith("K007,")) + "\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"kontor K007 mangler verdi for «sosialhjelpsmottakere_andel»"):
        kontor.build_tables(d, 2014, [2014])


# --------------------------------------------------------------------------- the report text


def test_change_says_whether_it_is_better_in_either_direction():
    up_good, down_good = INDS["arbeidssokere_overgang_arbeid"], INDS["netto_driftsutgifter_sosialtjenesten"]
    assert report.change(up_good, 54, 52) == "+2\u00a0prosentpoeng (bedre)"
    assert report.change(down_good, 2900, 2800) == "+100\u00a0kr (svakere)"
    assert report.change(down_good, 2700, 2800) == "\u2212100\u00a0kr (bedre)"
    assert report.change(INDS["sosialhjelpsmottakere_andel"], 3.6, 3.6) == "uendret"
    assert report.change(up_good, 52, None) == "–"


def test_values_use_norwegian_format():
    assert report.value(INDS["sosialhjelpsmottakere_andel"], 3.6) == "3,6\u00a0%"
    assert report.value(INDS["netto_driftsutgifter_sosialtjenesten"], 12841) == "12\u00a0841\u00a0kr"


def test_a_report_names_only_its_own_office(tables):
    v = report.view(tables, "K005")
    text = report.markdown(v, "fig.svg", __import__("datetime").date(2015, 4, 30)) + report.band_svg(v)
    assert set(re.findall(r"K\d{3}", text)) == {"K005"}
    assert "Kontorrapport 2014: kontor K005" in text and '](fig.svg){width="100%" fig-alt=' in text


def test_a_report_on_made_up_data_says_so_and_one_on_shipped_data_does_not(tables):
    import datetime as dt

    made = report.markdown(report.view(tables, "K001"), "f.svg", dt.date(2015, 4, 30))
    shipped = report.markdown(report.view(kontor.build_tables(paths.RAW, 2014, [2014]), "A"), "f.svg",
                              dt.date(2015, 4, 30))
    assert "made-up-note: 'Oppdiktede testdata" in made and "Oppdiktede testdata" not in shipped


def test_figure_marks_the_office_draws_no_other_office_and_its_alt_text_gives_the_side(tables):
    v = report.view(tables, "K010")
    svg = report.band_svg(v)
    groups = 2 if v["gruppe"] else 1
    assert svg.count('fill="#1a1a1a"/>') == 4 * groups  # one diamond per indicator and comparison
    assert "<circle" not in svg  # no other office is drawn
    assert svg.count("bedre →") == 4 and svg.count("← svakere") == 4  # the better end is named, always right
    alt = report.alt_text(v)
    ind = INDS["arbeidssokere_overgang_arbeid"]
    side = tables["kontorer"]["K010"]["side"][ind["id"]]["2014"]["alle"]
    words = {"lavere": "under den midtre halvdelen", "innenfor": "innenfor den midtre halvdelen",
             "hoyere": "over den midtre halvdelen"}[side]
    assert f"blant alle kontorer ligger kontoret {words}" in alt
    assert not re.search(r"\bplass\b|\b\d+ av \d+\b", alt)


def test_report_for_an_unknown_office_is_an_error(tables):
    with pytest.raises(KeyError, match="K999"):
        report.view(tables, "K999")


def test_references_show_the_country_and_only_the_offices_own_kostra_group(tables):
    refs = {"sosialhjelpsmottakere_andel": [
        {"omrade": "EAK", "etikett": "Landet", "definisjon": "Hele landet", "verdi": 4.1},
        {"omrade": "EKG12", "etikett": "KOSTRA-gruppe 12", "definisjon": "Gruppe 12", "verdi": 3.3},
        {"omrade": "EKG13", "etikett": "KOSTRA-gruppe 13", "definisjon": "Gruppe 13", "verdi": 3.9}]}
    v = report.view(dict(tables, referanser=refs), "K001")
    own = tables["kontorer"]["K001"]["kostragruppe"]
    text = report.references(v).replace("\\%", "%")  # markdown: an escaped per cent sign is a per cent sign
    assert "Landet 4,1\u00a0%" in text
    for code in ("EKG12", "EKG13"):
        assert (f"KOSTRA-gruppe {code[3:]}" in text) == (code == own)
    assert "ikke hentet" in report.references(report.view(tables, "K001"))
