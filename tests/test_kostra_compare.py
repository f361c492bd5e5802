"""SSB snapshots in the report: reference values and fetched versus published figures.

Everything here is made up: the snapshot values, the content code "MADEUP1" and the
municipality number 9901 (not a real municipality).
"""
import json

import pandas as pd

from scripts.analysis import kostra_compare
from scripts.content.figtext import alt_text
from scripts.content.provenance import hentet_tekst

CATALOGUE = {
    "public_regions": [
        {"code": "EAK", "label_nb": "Landet", "definition_nb": "Hele landet", "years": {"from": 1999, "to": 2016}},
        {"code": "EKG13", "label_nb": "KOSTRA-gruppe 13", "definition_nb": "Gruppe 13 etter 2013-grupperingen",
         "years": {"from": 2013, "to": 2019}},
    ],
    "indicators": [
        {"id": "sosialhjelpsmottakere_andel", "table": "99999", "content_code": "MADEUP1",
         "dimensions": {"region": "Region", "contents": "ContentsCode", "time": "Tid"}},
        {"id": "netto_driftsutgifter_sosialtjenesten", "table": "99999", "content_code": None,
         "dimensions": {"region": "Region", "contents": "ContentsCode", "time": "Tid"}},
    ],
}


def snapshot(tmp_path):
    """A JSON-stat 2.0 dataset in SSB's shape (made-up numbers), with its sidecar."""
    data = {
        "version": "2.0", "class": "dataset", "updated": "2015-03-15T08:00:00Z",
        "id": ["Region", "ContentsCode", "Tid"], "size": [3, 2, 2],
        "dimension": {
            "Region": {"category": {"index": {"EAK": 0, "EKG13": 1, "9901": 2}}},
            "ContentsCode": {"category": {"index": {"MADEUP1": 0, "MADEUP2": 1}}},
            "Tid": {"category": {"index": {"2014": 0, "2020": 1}}},
        },
        # Region × ContentsCode × Tid, row-major; MADEUP2 values must never be used.
        "value": [3.9, 4.0, 99, 99, 3.1, None, 99, 99, 3.7, 3.8, 99, 99],
        "status": {"5": ".."},
    }
    folder = tmp_path / "kostra" / "private"
    folder.mkdir(parents=True)
    (folder / "99999_abc.json").write_text(json.dumps(data), encoding="utf-8")
    (folder / "99999_abc.meta.json").write_text(json.dumps({"table": "99999", "fetched_at": "2026-03-15T10:00:00Z"}))
    return tmp_path / "kostra"


def test_values_use_only_confirmed_content_codes_and_hide_the_municipality(tmp_path):
    snaps = kostra_compare.load_snapshots(snapshot(tmp_path))
    values = kostra_compare.indicator_values(snaps, CATALOGUE, {"A": "9901"})
    assert set(values["indikator_id"]) == {"sosialhjelpsmottakere_andel"}
    assert 99 not in values["verdi"].tolist()
    assert "9901" not in values["omrade"].tolist() and "A" in values["omrade"].tolist()
    missing = values[(values["omrade"] == "EKG13") & (values["aar"] == 2020)]
    assert missing["verdi"].isna().all() and missing["status"].tolist() == [".."]


def test_reference_values_follow_the_group_definition_of_the_year(tmp_path):
    values = kostra_compare.indicator_values(kostra_compare.load_snapshots(snapshot(tmp_path)), CATALOGUE, {})
    refs_2014 = kostra_compare.reference_values(values, CATALOGUE, 2014)["sosialhjelpsmottakere_andel"]
    assert [(r["etikett"], r["verdi"]) for r in refs_2014] == [("Landet", 3.9), ("KOSTRA-gruppe 13", 3.1)]
    assert "2013-grupperingen" in refs_2014[1]["definisjon"]
    # In 2020 the 2013 grouping no longer applies, and Landet's series in the catalogue ends in 2016.
    assert kostra_compare.reference_values(values, CATALOGUE, 2020) == {}


def test_fetched_versus_published_shows_the_difference(tmp_path):
    values = kostra_compare.indicator_values(kostra_compare.load_snapshots(snapshot(tmp_path)), CATALOGUE,
                                             {"A": "9901"})
    published = pd.DataFrame([{"kontor": "A", "aar": 2014, "indikator_id": "sosialhjelpsmottakere_andel",
                               "verdi": 3.6}])
    diff = kostra_compare.fetched_vs_published(values, published, ["A", "B"])
    assert diff == [{"kontor": "A", "aar": 2014, "indikator_id": "sosialhjelpsmottakere_andel",
                     "publisert": 3.6, "hentet": 3.7, "differanse": 0.1}]
    text = hentet_tekst(diff, {})
    assert "| A" in text and "3,6" in text and "3,7" in text and "0,1" in text and "9901" not in text


def test_no_snapshots_means_nothing_is_claimed(tmp_path):
    assert kostra_compare.load_snapshots(tmp_path / "mangler") == []
    assert "Ingen hentede SSB-tall" in hentet_tekst([], {})


def test_figure_text_mentions_reference_lines():
    results = {"aar": 2014, "aar_serie": [2014], "indikatorer": [
        {"id": "sosialhjelpsmottakere_andel", "etikett": "Andel", "enhet": "prosent", "retning": "lavest_best",
         "verdier": {"A": 3.6, "B": 2.9}, "tekst": {"A": "3,6", "B": "2,9"}, "beste": ["B"]}],
        "referanser": {"sosialhjelpsmottakere_andel": [{"omrade": "EAK", "etikett": "Landet", "definisjon": "Hele landet",
                                                        "verdi": 3.9}]}}
    assert "Stiplet referanselinje: Landet 3,9 (Hele landet)." in alt_text(results)


def test_results_figure_draws_labelled_reference_lines():
    from scripts.content.figures import draw_results

    ind = {"id": "sosialhjelpsmottakere_andel", "etikett": "Andel", "kort": "Andel", "enhet": "prosent",
           "retning": "lavest_best", "verdier": {"A": 3.6, "B": 2.9}, "tekst": {"A": "3,6", "B": "2,9"},
           "beste": ["B"]}
    results = {"aar": 2014, "aar_serie": [2014], "indikatorer": [ind],
               "referanser": {ind["id"]: [{"omrade": "EAK", "etikett": "Landet", "definisjon": "x", "verdi": 3.9}]}}
    fig = draw_results(results)
    ax = fig.axes[0]
    assert [ln.get_gid() for ln in ax.lines] == ["referanse:sosialhjelpsmottakere_andel:EAK"]
    assert any(t.get_text() == "Landet 3,9" for t in ax.texts)


def made_up_values(rows):
    return pd.DataFrame([dict(zip(["omrade", "aar", "indikator_id", "verdi", "status"], r, strict=True))
                         for r in rows])


def test_a_region_whose_value_ssb_left_out_gives_no_reference_line():
    # Made up: SSB marks Landet's 2014 value ".." (no number); KOSTRA-gruppe 13 has one.
    values = made_up_values([("EAK", 2014, "sosialhjelpsmottakere_andel", None, ".."),
                             ("EKG13", 2014, "sosialhjelpsmottakere_andel", 3.1, None)])
    refs = kostra_compare.reference_values(values, CATALOGUE, 2014)
    assert [(r["omrade"], r["verdi"]) for r in refs["sosialhjelpsmottakere_andel"]] == [("EKG13", 3.1)]


def test_an_office_whose_fetched_value_is_missing_is_not_compared():
    # Made up: the fetched value for A is missing (".."), the one for B is 2.5.
    values = made_up_values([("A", 2014, "sosialhjelpsmottakere_andel", None, ".."),
                             ("B", 2014, "sosialhjelpsmottakere_andel", 2.5, None)])
    published = pd.DataFrame([{"kontor": k, "aar": 2014, "indikator_id": "sosialhjelpsmottakere_andel",
                               "verdi": v} for k, v in (("A", 3.6), ("B", 2.9))])
    diff = kostra_compare.fetched_vs_published(values, published, ["A", "B"])
    assert [(d["kontor"], d["hentet"], d["differanse"]) for d in diff] == [("B", 2.5, -0.4)]


def test_only_snapshots_with_a_sidecar_are_loaded_and_sidecars_are_not_snapshots(tmp_path):
    folder = snapshot(tmp_path)
    stray = folder / "private" / "99999_uten_sidefil.json"  # made up: a snapshot without sidecar
    stray.write_text((folder / "private" / "99999_abc.json").read_text(encoding="utf-8"), encoding="utf-8")
    later = folder / "private" / "99999_b.json"  # made up: a second snapshot, sorted after a sidecar
    later.write_text(stray.read_text(encoding="utf-8"), encoding="utf-8")
    later.with_name("99999_b.meta.json").write_text(json.dumps({"table": "99999", "note": "Oppdiktet æ"}),
                                                    encoding="utf-8")
    loaded = kostra_compare.load_snapshots(folder)
    assert [meta for meta, _ in loaded] == [{"table": "99999", "fetched_at": "2026-03-15T10:00:00Z"},
                                            {"table": "99999", "note": "Oppdiktet æ"}]
    assert len(loaded[0][1]) == 12


def test_an_entry_without_a_confirmed_code_does_not_stop_the_later_ones(tmp_path):
    snaps = kostra_compare.load_snapshots(snapshot(tmp_path))
    catalogue = {**CATALOGUE, "indicators": CATALOGUE["indicators"][::-1]}  # the unconfirmed one first
    values = kostra_compare.indicator_values(snaps, catalogue, {})
    assert set(values["indikator_id"]) == {"sosialhjelpsmottakere_andel"}
    assert sorted(values["aar"].unique()) == [2014, 2020]
    empty = kostra_compare.indicator_values(snaps, {}, {})
    assert empty.empty and list(empty.columns) == ["omrade", "aar", "indikator_id", "verdi", "status"]
    # a snapshot of another table first does not stop the search
    other = pd.DataFrame({"Region": ["EAK"], "ContentsCode": ["MADEUP1"], "Tid": ["2014"], "value": [1.0],
                          "status": [None]})
    values = kostra_compare.indicator_values([({"table": "11111"}, other), *snaps], CATALOGUE, {})
    assert len(values) == 6 and set(values["verdi"].dropna()) == {3.9, 4.0, 3.1, 3.7, 3.8}
    other_table = {**CATALOGUE, "indicators": [{**CATALOGUE["indicators"][0], "table": "11111"}]}
    assert kostra_compare.indicator_values(snaps, other_table, {}).empty


def test_a_group_definition_applies_from_and_to_its_years_inclusive():
    catalogue = {"public_regions": [
        {"code": "NY", "label_nb": "Ny gruppe", "definition_nb": "Gruppe  13\n   etter   2015", "years": {"from": 2015}},
        {"code": "GML", "label_nb": "Gammel gruppe", "definition_nb": "Før", "years": {"to": 2014}}]}
    values = made_up_values([(code, y, "x", 1.0, None) for code in ("NY", "GML") for y in (2014, 2015)])
    assert [r["omrade"] for r in kostra_compare.reference_values(values, catalogue, 2014)["x"]] == ["GML"]
    got = kostra_compare.reference_values(values, catalogue, 2015)["x"]
    assert got == [{"omrade": "NY", "etikett": "Ny gruppe", "definisjon": "Gruppe 13 etter 2015", "verdi": 1.0}]
    assert kostra_compare.reference_values(values, {}, 2015) == {}
    bare = {"public_regions": [{"code": "NY", "label_nb": "Ny gruppe"}]}  # no definition, no years
    assert kostra_compare.reference_values(values, bare, 2014)["x"][0]["definisjon"] == ""


def test_a_difference_below_a_millionth_is_rounding_not_a_difference():
    values = made_up_values([("A", 2014, "x", 2.0000004, None)])
    published = pd.DataFrame([{"kontor": "A", "aar": 2014, "indikator_id": "x", "verdi": 2.0}])
    [d] = kostra_compare.fetched_vs_published(values, published, ["A"])
    assert d["differanse"] == 0.0 and d["hentet"] == 2.0000004
