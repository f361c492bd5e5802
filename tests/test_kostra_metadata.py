"""Catalogue labels resolved against a table's metadata (PxWebApi v2, JSON-stat 2.0 without
values). Codes and labels below are made up (oppdiktede testdata) except the layout."""
import pytest

from scripts.data.kostra_metadata import ResolveError, normalise, resolve, resolve_indicator


def meta(contents, regions=None):
    dims = {"KOKkommuneregion0000": regions or {"EAK": "Landet", "EKG13": "Kostragruppe 13", "9901": "Oppdiktet kommune"},
            "ContentsCode": contents, "Tid": {"2014": "2014", "2015": "2015"}}
    return {"version": "2.0", "class": "dataset", "updated": "2016-06-15T06:00:00Z", "id": list(dims),
            "size": [len(v) for v in dims.values()], "value": [],
            "role": {"geo": ["KOKkommuneregion0000"], "metric": ["ContentsCode"], "time": ["Tid"]},
            "extension": {"px": {"tableid": "00000"}},
            "dimension": {d: {"label": d.lower(), "category": {"index": {c: i for i, c in enumerate(v)}, "label": v}}
                          for d, v in dims.items()}}


IND = {"id": "netto", "table": "00000", "label_nb": "Netto driftsutgifter til sosialtjenesten pr innbygger",
       "label_aliases": [],
       "regions": [{"label_nb": "Landet"}, {"label_nb": "KOSTRA-gruppe 13", "aliases": ["Kostragruppe 13"]}]}


def test_normalise_ignores_case_punctuation_and_pr_abbreviation():
    assert normalise("Netto driftsutgifter til sosialtjenesten pr. innbygger") == \
        normalise("netto driftsutgifter til sosialtjenesten per innbygger")
    assert normalise("KOSTRA-gruppe 13") == "kostra gruppe 13"


def test_indicator_resolved_with_regions_periods_and_updated_date():
    r = resolve_indicator(meta({"X1": "Andel mottakere", "X2": "Netto driftsutgifter til sosialtjenesten pr. innbygger"}),
                          IND, ["9901"])
    assert r["content"] == {"code": "X2", "label": "Netto driftsutgifter til sosialtjenesten pr. innbygger"}
    assert [x["code"] for x in r["regions"]] == ["EAK", "EKG13"]
    assert r["periods"] == ["2014", "2015"] and r["table_updated"] == "2016-06-15T06:00:00Z"
    assert r["dimensions"] == {"region": "KOKkommuneregion0000", "contents": "ContentsCode", "time": "Tid"}


def test_a_table_label_replaces_the_indicator_label():
    m = meta({"X1": "Beløp per innbygger", "X2": "Netto driftsutgifter til sosialtjenesten pr. innbygger"})
    assert resolve_indicator(m, {**IND, "label": "Beløp per innbygger"})["content"]["code"] == "X1"


def test_missing_label_stops_with_nearest_candidates():
    m = meta({"X1": "Netto driftsutgifter til barnevern pr. innbygger", "X2": "Brutto driftsutgifter"})
    with pytest.raises(ResolveError) as info:
        resolve(m, "ContentsCode", IND["label_nb"], what="netto")
    assert "i tabell 00000" in str(info.value)
    msg = str(info.value)
    assert "fant ingen kode i ContentsCode" in msg
    assert msg.index("X1 «Netto driftsutgifter til barnevern") < msg.index("X2")


def test_ambiguous_label_lists_every_match():
    m = meta({"X1": "Netto driftsutgifter til sosialtjenesten pr innbygger",
              "X2": "Netto driftsutgifter til sosialtjenesten per innbygger"})
    with pytest.raises(ResolveError, match="flere koder i ContentsCode passer.*X1.*X2"):
        resolve(m, "ContentsCode", IND["label_nb"])


def test_municipality_missing_from_the_table_is_reported_by_count_only():
    m = meta({"X2": IND["label_nb"]})
    with pytest.raises(ResolveError) as info:
        resolve_indicator(m, IND, ["9901", "9977"])
    assert "1 av kommunenumrene" in str(info.value) and "9977" not in str(info.value)
