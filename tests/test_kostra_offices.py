"""Per-office KOSTRA figures from fetched private snapshots through the private mapping.
Everything is made up (oppdiktede testdata): codes, figures and the municipalities 9901–9902."""
import json

import pytest

from scripts.data import offices
from scripts.data.kostra_offices import kilde_text, office_values

REGION = "KOKkommuneregion0000"  # KOSTRA's name: nothing may assume "Region"
CATALOGUE = {"indicators": [{"id": "sosialhjelpsmottakere_andel", "tables": [
    {"table": "04688", "years": {"from": 2014, "to": 2015}},
    {"table": "77777", "years": {"from": 2016}, "change_nb": "Ny tabell (oppdiktet)."}]}]}


def write(folder, name, values, fetched_at, updated="2016-06-15T06:00:00Z", table="04688", year="2015"):
    data = {"version": "2.0", "class": "dataset", "id": [REGION, "ContentsCode", "Tid"], "size": [2, 2, 1],
            "dimension": {REGION: {"category": {"index": {"9901": 0, "9902": 1}}},
                          "ContentsCode": {"category": {"index": {"OPPDAndel": 0, "OPPDAnnet": 1}}},
                          "Tid": {"category": {"index": {year: 0}}}},
            "value": values}
    meta = {"table": table, "fetched_at": fetched_at, "url": "…KOKkommuneregion0000%5D=****,****…",
            "resolved": {"indikator_id": "sosialhjelpsmottakere_andel", "table_updated": updated,
                         "dimensions": {"region": REGION, "contents": "ContentsCode", "time": "Tid"},
                         "content": {"code": "OPPDAndel", "label": "Andelen (oppdiktet)"}}}
    (folder / f"{name}.json").write_text(json.dumps(data), encoding="utf-8")
    (folder / f"{name}.meta.json").write_text(json.dumps(meta), encoding="utf-8")


def test_municipalities_become_office_letters_and_the_latest_fetch_wins_even_without_a_figure(tmp_path):
    # Region × ContentsCode: 9901/OPPDAndel, 9901/OPPDAnnet, 9902/OPPDAndel, 9902/OPPDAnnet.
    write(tmp_path, "old", [3.0, 99, 2.0, 99], "2016-07-01T10:00:00Z")
    write(tmp_path, "new", [3.1, 99, None, 99], "2016-09-02T10:00:00Z", updated="2016-09-01T06:00:00Z")
    rows = office_values(2015, {"A": "9901", "B": "9902"}, CATALOGUE, tmp_path)
    # B has no figure in the latest fetch: missing, not the older figure.
    assert [(r["kontor"], r["verdi"]) for r in rows] == [("A", 3.1)]
    assert rows[0]["kilde"] == "SSB, Statistikkbanken tabell 04688, oppdatert 01.09.2016, hentet 02.09.2016"
    assert all("990" not in json.dumps(r) for r in rows)
    assert office_values(2014, {"A": "9901"}, CATALOGUE, tmp_path) == []


def test_each_year_is_read_from_the_table_the_catalogue_names_for_it(tmp_path):
    # The old table also holds a 2016 figure (as closed series often overlap the new one): unused.
    write(tmp_path, "old", [3.0, 99, 2.0, 99], "2016-07-01T10:00:00Z", year="2016")
    write(tmp_path, "new", [4.0, 99, 5.0, 99], "2016-07-01T10:00:00Z", table="77777", year="2016")
    rows = office_values(2016, {"A": "9901", "B": "9902"}, CATALOGUE, tmp_path)
    assert [(r["kontor"], r["verdi"]) for r in rows] == [("A", 4.0), ("B", 5.0)]
    assert {r["kilde"][:40] for r in rows} == {"SSB, Statistikkbanken tabell 77777, oppd"}


def test_kilde_text_without_dates_says_so():
    assert kilde_text({"table": "04688"}) == "SSB, Statistikkbanken tabell 04688, oppdatert ukjent dato, hentet ukjent dato"


def test_fetched_figures_get_the_same_plausibility_check(tmp_path):
    """Fetched rows are written as the typed-in CSV format and read by the same checks."""
    import pandas as pd

    rows = [{"kontor": "A", "aar": 2015, "indikator_id": "sosialhjelpsmottakere_andel", "verdi": 250.0}]
    path = tmp_path / "hentet.csv"
    path.write_text(pd.DataFrame(rows).to_csv(index=False), encoding="utf-8")
    ids = {"sosialhjelpsmottakere_andel", "netto_driftsutgifter_sosialtjenesten"}
    with pytest.raises(offices.DataError) as info:
        offices.read_office_values(path, 2015, ["A"], ids)
    assert str(info.value) == (
        f"{path}, rad 2, kolonne 'verdi': verdien '250.0' (sosialhjelpsmottakere_andel, kontor A) er utenfor "
        "det mulige; forventet en andel fra 0 til 100 (prosent)")
    assert offices.missing_values(path, 2015, ["A"], ids) == [
        f"{path}: ingen verdi for kontor A, netto_driftsutgifter_sosialtjenesten i 2015"]
