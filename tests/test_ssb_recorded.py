"""Every answer recorded from SSB's real service (../shared/ssb/, read where it lies, never copied
into the project) goes through the project's own readers, and specific values, markers, units,
labels and roles from it are checked, so a change that breaks real data fails here.

None of the recorded tables is a KOSTRA table; the KOSTRA shape is the stand-in's
(tests/fixtures/ssb_standin.py), built after the structure checked here."""
from __future__ import annotations

import copy
import math
import re

import pandas as pd
import pytest

from scripts.data.kostra import KostraFormatError, load_json, parse_jsonstat, read_cube, read_meta, read_ssb_csv
from scripts.data.kostra_client import server_limits
from scripts.data.kostra_metadata import (
    ResolveError,
    codelist_values,
    find_dimensions,
    resolve_indicator,
    table_info,
    table_search_page,
)
from tests.conftest import ROOT

SSB = ROOT.parent / "shared" / "ssb"
pytestmark = pytest.mark.skipif(not SSB.is_dir(), reason=f"{SSB} (innspilte SSB-svar) finnes ikke på denne maskinen")


def rec(name: str) -> dict:
    return load_json(SSB / name)


def cell(frame: pd.DataFrame, **codes) -> pd.Series:
    hit = frame
    for dim, code in codes.items():
        hit = hit[hit[dim] == code]
    assert len(hit) == 1, codes
    return hit.iloc[0]


def test_every_recorded_file_is_read_by_a_test_here():
    covered = {"v2/tables_05300_metadata.json", "v2/tables_05300.json", "v2/codelists_agg_Valgdistrikt_trimmed.json",
               "v2/config_edited.json", "v2/config_doc_2025.json", "v2/tables_03024_data_jsonstat2.json",
               "v2/tables_03024_data_semicolon.csv", "v2/tables_query_page2_doc.json",
               "v1/table_05300_data_jsonstat2.json", "v1/table_07221_data_jsonstat2_redacted.json"}
    on_disk = {p.relative_to(SSB).as_posix() for p in SSB.rglob("*") if p.is_file() and p.name != "README.md"}
    assert on_disk == covered


# --- v2 metadata 05300 ----------------------------------------------------------------------------

def test_v2_metadata_roles_units_notes_and_extension():
    meta = read_meta(rec("v2/tables_05300_metadata.json"))
    assert (meta.table, meta.updated) == ("05300", "2022-05-24T06:00:00Z")
    assert meta.roles == {"time": ["Tid"], "metric": ["ContentsCode"]}
    assert list(meta.dimensions) == ["Avstand1", "Kulturtilbud", "ContentsCode", "Tid"]
    assert meta.dimensions["ContentsCode"].units == {"Avstand": {"base": "prosent", "decimals": 0}}
    assert meta.dimensions["Avstand1"].notes == {"05": ["I 1991 var lengste avstand 25 km eller over."]}
    assert meta.dimensions["Avstand1"].labels["06"] == "50 km eller over"
    assert meta.dimensions["Kulturtilbud"].labels["07"] == "Folkebibliotek"
    assert meta.dimensions["Tid"].codes[-1] == "2021" and meta.dimensions["Tid"].label == "år"
    assert all(d.elimination is False and d.codelists == [] for d in meta.dimensions.values())


def test_v2_metadata_has_no_values_and_is_not_taken_for_data():
    with pytest.raises(KostraFormatError, match=r"'value' har 0 tall, forventet 432 \(produktet av 'size' \[6, 8, 1, 9\]\)"):
        read_cube(rec("v2/tables_05300_metadata.json"))


def test_code_lists_are_read_under_both_spellings():
    obj = rec("v2/tables_05300_metadata.json")
    older = copy.deepcopy(obj)
    ext = older["dimension"]["Avstand1"]["extension"]
    del ext["codelists"]
    ext["codeLists"] = [{"id": "agg_test", "label": "Oppdiktet liste", "type": "Aggregation"}]
    assert read_meta(older).dimensions["Avstand1"].codelists == [
        {"id": "agg_test", "label": "Oppdiktet liste", "type": "Aggregation"}]


def resolve_error(meta: dict) -> str:
    with pytest.raises(ResolveError) as info:
        find_dimensions(meta)
    return str(info.value)


def test_a_table_without_a_geographic_role_says_so_and_the_catalogue_can_name_one():
    meta = rec("v2/tables_05300_metadata.json")
    assert resolve_error(meta) == (
        "tabell 05300: metadata oppgir ingen geografisk dimensjon (role.geo); dimensjonene er Avstand1 «avstand», "
        "Kulturtilbud «kulturtilbud», ContentsCode «statistikkvariabel», Tid «år». Hvis en av dem er regionene, "
        "sett geo_dimension: <etikett> for tabellen i config/kostra_catalogue.yaml.")
    assert find_dimensions(meta, "avstand") == {"time": "Tid", "contents": "ContentsCode", "region": "Avstand1"}


def test_two_geographic_dimensions_need_the_catalogue_to_say_which():
    meta = rec("v2/tables_05300_metadata.json")
    meta["role"]["geo"] = ["Avstand1", "Kulturtilbud"]
    assert resolve_error(meta) == (
        "tabell 05300 har 2 geografiske dimensjoner (Avstand1 «avstand», Kulturtilbud «kulturtilbud»), og "
        "config/kostra_catalogue.yaml sier ikke hvilken som gir regionene. Sett geo_dimension: <etikett> for "
        "tabellen i katalogen, f.eks. geo_dimension: avstand.")
    assert find_dimensions(meta, "kulturtilbud")["region"] == "Kulturtilbud"


def test_v1_and_v2_answers_for_05300_describe_the_same_table():
    v1, v2 = read_meta(rec("v1/table_05300_data_jsonstat2.json")), read_meta(rec("v2/tables_05300_metadata.json"))
    assert {d: x.labels for d, x in v1.dimensions.items()} == {d: x.labels for d, x in v2.dimensions.items()}


# --- v2 table information, search page, code list, config ----------------------------------------

def test_table_information():
    info = table_info(rec("v2/tables_05300.json"))
    assert (info["id"], info["firstPeriod"], info["lastPeriod"]) == ("05300", "1991", "2025")
    assert info["variableNames"] == ["avstand", "kulturtilbud", "statistikkvariabel", "år"]
    assert info["updated"] == "2026-03-05T07:00:00Z"


def test_table_search_page_and_its_next_link():
    tables, following = table_search_page(rec("v2/tables_query_page2_doc.json"))
    assert [t["id"] for t in tables] == ["12631", "13760", "05803"]
    assert tables[2]["firstPeriod"] == "1735" and tables[1]["lastPeriod"] == "2024M09"
    assert following.endswith("query=befolkning&pagesize=3&pageNumber=3")


def test_code_list_with_value_maps():
    values = codelist_values(rec("v2/codelists_agg_Valgdistrikt_trimmed.json"))
    assert list(values) == ["V-01", "V-02", "V-03"]
    assert values["V-03"] == {"label": "Oslo", "members": ["0301", "0399"]}
    assert (values["V-01"]["label"], len(values["V-01"]["members"])) == ("Østfold", 54)


def test_config_limits_with_and_without_a_call_limit():
    # 2.2.0: the call limit is no longer in /config (0); it comes in x-ratelimit-* headers.
    assert server_limits(rec("v2/config_edited.json")) == (500, None)
    assert server_limits(rec("v2/config_doc_2025.json")) == (800_000, (30, 60))


# --- v2 data 03024, as JSON-stat and as CSV -------------------------------------------------------

def test_v2_data_values_units_and_no_status():
    obj = rec("v2/tables_03024_data_jsonstat2.json")
    frame = parse_jsonstat(obj)
    assert len(frame) == 2 * 2 * 39 and frame["status"].isna().all()
    assert cell(frame, VareGrupper2="01", ContentsCode="Vekt", Tid="2025U01")["value"] == 11364
    assert cell(frame, VareGrupper2="02", ContentsCode="Kilopris", Tid="2025U39")["value"] == 71.33
    meta = read_meta(obj)
    assert meta.dimensions["ContentsCode"].units["Kilopris"] == {"base": "kr", "decimals": 2}
    assert meta.dimensions["VareGrupper2"].labels == {"01": "Fersk oppalen laks", "02": "Frosen oppalen laks"}
    assert meta.by_role("time") == ["Tid"] and meta.by_role("geo") == []


def test_csv_answer_has_the_same_cells_as_the_json_stat_answer():
    raw = (SSB / "v2/tables_03024_data_semicolon.csv").read_bytes()
    assert b"\r\n" in raw  # recorded with CRLF line ends
    csv = read_ssb_csv(raw.decode("utf-8"))
    assert cell(csv, VareGrupper2="01", ContentsCode="Kilopris", Tid="2025U10")["value"] == 87.0
    js = parse_jsonstat(rec("v2/tables_03024_data_jsonstat2.json"))
    keys = ["VareGrupper2", "ContentsCode", "Tid"]
    merged = js.merge(csv, on=keys, suffixes=("_json", "_csv"), validate="one_to_one")
    assert len(merged) == len(js) == len(csv) == 156
    assert (merged["value_json"] == merged["value_csv"]).all()


def test_contact_details_in_recorded_answers_never_reach_what_is_read():
    for name in ("v2/tables_03024_data_jsonstat2.json", "v2/tables_05300_metadata.json",
                 "v1/table_07221_data_jsonstat2_redacted.json"):
        text = repr(read_meta(rec(name)))
        assert "phone" not in text and "@" not in text and not re.search(r"\d\d \d\d \d\d \d\d", text), name


# --- v1 data with markers and notes ---------------------------------------------------------------

def test_v1_05300_nulls_carry_sparse_markers():
    obj = rec("v1/table_05300_data_jsonstat2.json")
    frame = parse_jsonstat(obj)
    assert cell(frame, Avstand1="01", Kulturtilbud="01", Tid="1991")["value"] == 16
    dot = cell(frame, Avstand1="01", Kulturtilbud="08", Tid="2021")  # index 71
    assert dot["status"] == "." and math.isnan(dot["value"])
    two = cell(frame, Avstand1="06", Kulturtilbud="01", Tid="1991")  # index 360
    assert two["status"] == ".." and math.isnan(two["value"])
    assert frame["status"].value_counts().to_dict() == {".": 20, "..": 8}
    # Every missing figure has a marker, and no figure has one.
    assert (frame["value"].isna() == frame["status"].notna()).all()
    assert read_meta(obj).dimensions["ContentsCode"].units["Avstand"]["base"] == "prosent"


def test_v1_07221_markers_notes_and_elimination():
    obj = rec("v1/table_07221_data_jsonstat2_redacted.json")
    frame = parse_jsonstat(obj)
    assert cell(frame, Region="TOTAL", Boligtype="01", Tid="2022K1")["value"] == 136.2
    missing = frame[(frame["Region"] == "007") & (frame["Boligtype"] == "02")]
    assert missing["status"].tolist() == [".."] * 8 and missing["value"].isna().all()
    meta = read_meta(obj)
    assert meta.notes[1].startswith(".. = Tallgrunnlag mangler.")
    region = meta.dimensions["Region"]
    assert (region.label, region.labels["TOTAL"], region.elimination) == ("region", "Hele landet", True)
    assert region.dimension_notes[0].startswith("<a href='https://www.ssb.no/offentlig-sektor/kommunekatalog")
    assert meta.dimensions["ContentsCode"].units == {"Boligindeks": {"base": "indeks", "decimals": 1}}


def test_a_recorded_table_resolves_by_role_and_label_once_the_catalogue_names_its_regions():
    meta = rec("v1/table_07221_data_jsonstat2_redacted.json")
    entry = {"id": "boligpris", "table": "07221", "label_nb": "Prisindeks for brukte boliger", "geo_dimension": "region",
             "regions": [{"label_nb": "Hele landet"}, {"label_nb": "Nord-Norge"}]}
    with pytest.raises(ResolveError) as info:
        resolve_indicator(meta, entry)
    assert str(info.value) == (
        "tabell 07221: dimensjonen Boligtype «boligtype» kan ikke utelates (elimination: false), og "
        "config/kostra_catalogue.yaml velger ingen verdi i den. Legg til under select: {dimension: boligtype, "
        "label: <etikett>}; verdiene begynner med 01 «Eneboliger»; 02 «Småhus»; 03 «Blokkleiligheter».")
    r = resolve_indicator(meta, {**entry, "select": [{"dimension": "boligtype", "label": "Småhus"}]})
    assert r["dimensions"] == {"time": "Tid", "contents": "ContentsCode", "region": "Region"}
    assert r["select"] == {"Boligtype": "02"}
    assert r["content"] == {"code": "Boligindeks", "label": "Prisindeks for brukte boliger",
                            "unit": {"base": "indeks", "decimals": 1}}
    assert [x["code"] for x in r["regions"]] == ["TOTAL", "011"]
    assert r["periods"][0] == "2022K1" and r["table_updated"] == "2024-01-12T07:00:00Z"


def test_a_renamed_label_stops_with_the_nearest_labels_and_what_to_do():
    meta = rec("v1/table_07221_data_jsonstat2_redacted.json")
    entry = {"id": "boligpris", "table": "07221", "label_nb": "Prisindeks for brukte boliger (gammel etikett)",
             "geo_dimension": "region", "regions": [], "select": [{"dimension": "boligtype", "label": "Småhus"}]}
    with pytest.raises(ResolveError) as info:
        resolve_indicator(meta, entry)
    assert str(info.value) == (
        "'boligpris': fant ingen kode i ContentsCode med denne etiketten i tabell 07221. Nærmeste: Boligindeks "
        "«Prisindeks for brukte boliger». Har SSB endret etiketten, legg den nye til som alias i "
        "config/kostra_catalogue.yaml (label_aliases, eller aliases for en region) etter å ha kontrollert at den "
        "betyr det samme, og hent på nytt.")

