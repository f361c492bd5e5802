"""Editions as data and what changed between two (scripts.analysis.utgave, scripts.content.endringer).

The editions here are built with :func:`utgave.record` from small results dicts: oppdiktede
testdata, four offices and two indicators, not the thesis's figures."""
import copy
import csv
import io
import json

import pytest

from scripts.analysis import kontor as kontor_analysis
from scripts.analysis import utgave
from scripts.content import eksakt_tekst, endringer, forside

NBSP = "\u00a0"
OFFICES = ["A", "B", "C", "D"]


def indicator(iid, linje, retning, values, kilde="malekort", kort=None):
    best = sorted(k for k, v in values.items()
                  if v == (max if retning == "hoyest_best" else min)(values.values()))
    return {"id": iid, "etikett": f"Indikator {iid}", "kort": kort or f"Kort {iid}", "enhet": "prosent",
            "retning": retning, "kilde": kilde, "linje": linje, "kildetekst": "oppdiktede testdata",
            "desimaler": 0, "verdier": values, "tekst": {k: str(int(v)) for k, v in values.items()}, "beste": best}


def results(aar=2014, stat=None, kom=None, serie=None):
    """A results dict as scripts.analysis.compare writes it (only what the record reads)."""
    stat = stat or {"A": 50.0, "B": 40.0, "C": 30.0, "D": 20.0}
    kom = kom or {"A": 3.0, "B": 2.0, "C": 4.0, "D": 5.0}
    inds = [indicator("stat1", "stat", "hoyest_best", stat), indicator("kom1", "kommune", "lavest_best", kom, "kostra")]
    rows = [{"aar": aar, "indikator_id": i["id"], "kontor": k, "verdi": v, "kilde": "oppdiktede testdata"}
            for i in inds for k, v in i["verdier"].items()]
    for (y, iid, k), v in (serie or {}).items():
        rows.append({"aar": y, "indikator_id": iid, "kontor": k, "verdi": v, "kilde": ""})
    lead = {ln: sorted(set.intersection(*[set(i["beste"]) for i in inds if i["linje"] == ln])) for ln in ("stat", "kommune")}
    return {"aar": aar, "aar_serie": sorted({r["aar"] for r in rows}), "kontorer": OFFICES, "indikatorer": inds,
            "tidsserie": rows, "statlig_best": lead["stat"], "kommunal_best": lead["kommune"],
            "statlige_indikatorer": ["stat1"], "kommunale_indikatorer": ["kom1"]}


FACTS = {"fakta": {"dokumenter": {"malekort": {"aar": 2014}}},
         "hypoteser": {"hypoteser": [{"id": "H1", "vurdering": {"kategori": "støttet"}},
                                     {"id": "H4", "vurdering": {"kategori": "ikke tilstrekkelig grunnlag"}}]}}
PROV = {"filer": [{"sti": "data/raw/x.csv", "bytes": 3, "sha256": "ab" * 32, "status": "godkjent"}]}
CATALOGUE = {"indicators": [{"id": "kom1", "tables": [{"table": "11111", "years": {"from": 2000, "to": 2014}},
                                                      {"table": "22222", "years": {"from": 2015}}]}]}


def record(res, catalogue=CATALOGUE):
    return utgave.record(res, FACTS, PROV, catalogue)


def types(rows):
    return [r["type"] for r in rows]


def test_an_edition_compared_with_itself_has_no_changes():
    rec = record(results())
    assert utgave.diff(rec, copy.deepcopy(rec)) == []
    data = utgave.changes_file(rec, rec, "data/editions/2014/utgave.json")
    text = endringer.vedlegg(data)
    # One sentence, naming the edition compared with.
    assert text.count(". ") == 0 and text.strip().endswith(".") and "Ingenting er endret" in text
    assert "data/editions/2014/utgave.json" in text


def test_record_has_values_best_verdicts_tables_and_files():
    rec = record(results(aar=2015))
    assert rec["indikatorer"]["stat1"]["verdier"]["2015"]["A"] == 50.0
    assert rec["indikatorer"]["stat1"]["beste"] == ["A"] and rec["indikatorer"]["stat1"]["beste_verdi"] == 50.0
    assert rec["indikatorer"]["kom1"]["ssb_tabell"] == "22222" and rec["indikatorer"]["stat1"]["ssb_tabell"] is None
    assert rec["hypoteser"]["H4"] == {"kategori": "ikke tilstrekkelig grunnlag", "grunnlag": "ulike_kontorer"}
    assert rec["datafiler"] == [{"sti": "data/raw/x.csv", "bytes": 3, "sha256": "ab" * 32}]
    json.dumps(rec)  # a file, so plain JSON


def diff_2014_2015(stat=None, kom=None):
    """The changes from the 2014 edition of ``results()`` to a 2015 one with these values."""
    return utgave.diff(record(results(2014)), record(results(2015, stat=stat, kom=kom)))


def test_a_changed_figure_is_a_change_with_direction_and_whether_it_is_better():
    rows = diff_2014_2015({"A": 50.0, "B": 45.0, "C": 30.0, "D": 20.0}, {"A": 3.0, "B": 2.0, "C": 4.0, "D": 6.0})
    tall = [r for r in rows if r["type"] == "tall"]
    assert [(r["indikator"], r["kontor"], r["for"], r["etter"], r["retning"], r["vurdering"]) for r in tall] == [
        ("stat1", "B", 40.0, 45.0, "opp", "bedre"), ("kom1", "D", 5.0, 6.0, "opp", "dårligere")]
    assert "revisjon" not in types(rows)


def test_a_revised_figure_of_an_earlier_year_is_a_revision_not_a_change():
    old = record(results(2014))
    # The 2015 edition shows 2014 too; SSB has revised office C's 2014 figure from 4 to 5.
    serie = {(2014, i, k): v for i, vals in (("stat1", {"A": 50.0, "B": 40.0, "C": 30.0, "D": 20.0}),
                                             ("kom1", {"A": 3.0, "B": 2.0, "C": 5.0, "D": 5.0}))
             for k, v in vals.items()}
    new = record(results(2015, serie=serie))
    rows = utgave.diff(old, new)
    rev = [r for r in rows if r["type"] == "revisjon"]
    assert [(r["indikator"], r["kontor"], r["aar_for"], r["for"], r["etter"]) for r in rev] == [("kom1", "C", 2014, 4.0, 5.0)]
    # The 2015 figure of C equals the old 2014 one: no change, only the revision.
    assert not [r for r in rows if r["type"] == "tall"]
    assert "Reviderte tall" in endringer.vedlegg(utgave.changes_file(old, new, "x"))


def test_same_year_rebuilt_with_new_data_gives_revisions_only():
    old = record(results(2014))
    new = record(results(2014, stat={"A": 50.0, "B": 41.0, "C": 30.0, "D": 20.0}))
    assert types(utgave.diff(old, new)) == ["revisjon"]


def test_moved_best_value_verdict_and_sentences():
    # Office D now best on the state indicator and on the municipal one: D leads both lines.
    rows = diff_2014_2015({"A": 50.0, "B": 40.0, "C": 30.0, "D": 60.0}, {"A": 3.0, "B": 2.0, "C": 4.0, "D": 1.0})
    old = record(results(2014))
    new = record(results(2015, stat={"A": 50.0, "B": 40.0, "C": 30.0, "D": 60.0},
                         kom={"A": 3.0, "B": 2.0, "C": 4.0, "D": 1.0}))
    moved = [r for r in rows if r["type"] == "beste_verdi_flyttet"]
    assert [(r["indikator"], r["kontor"], r["for"], r["etter"]) for r in moved] == [
        ("stat1", "A → D", 50.0, 60.0), ("kom1", "B → D", 2.0, 1.0)]
    verdict = [r for r in rows if r["type"] == "vurdering"]
    assert [r["indikator"] for r in verdict] == ["H4"]
    data = utgave.changes_file(old, new, "x")
    text = endringer.beskrivelse(verdict[0], data)
    assert endringer.GRUNNLAG["ulike_kontorer"] in text and endringer.GRUNNLAG["samme_kontor"] in text
    assert sorted(r["indikator"] for r in rows if r["type"] == "setning") == ["linje_kommune", "linje_stat", "samlet"]
    appendix = endringer.vedlegg(data)
    assert f"Kontor A: 50{NBSP}%" in appendix and f"Kontor D: 60{NBSP}%" in appendix
    assert endringer.telling(types(rows)).startswith("2 tall endret, 2 beste verdier flyttet")


def test_a_reworded_sentence_is_no_change_but_new_facts_are():
    old = record(results(2014))
    new = copy.deepcopy(old)
    new["setninger"]["linje_stat"]["per_indikator"]["stat1"] = ["B"]
    assert types(utgave.sentence_changes(old, new)) == ["setning"]
    # Wording lives in the content modules; the record holds facts only.
    assert not any(isinstance(v, str) for f in old["setninger"].values() for v in f.values())


def test_added_removed_and_moved_indicators():
    old = record(results(2014))
    new = copy.deepcopy(record(results(2015)))
    new["indikatorer"]["ny1"] = {**new["indikatorer"]["stat1"], "etikett": "Ny indikator"}
    del new["indikatorer"]["stat1"]
    rows = utgave.diff(old, new)
    assert ("indikator_ny", "ny1") in [(r["type"], r["indikator"]) for r in rows]
    assert ("indikator_fjernet", "stat1") in [(r["type"], r["indikator"]) for r in rows]
    table = [r for r in rows if r["type"] == "tabell"]
    assert [(r["indikator"], r["for"], r["etter"]) for r in table] == [("kom1", "11111", "22222")]
    text = endringer.vedlegg(utgave.changes_file(old, new, "x"))
    assert "SSB-tabell 22222" in text and "Ny indikator" in text and "er fjernet" in text


def test_csv_has_one_row_per_change_in_plain_text():
    old = record(results(2014))
    new = record(results(2015, stat={"A": 50.0, "B": 40.0, "C": 30.0, "D": 60.0}))
    data = utgave.changes_file(old, new, "x")
    rows = list(csv.DictReader(io.StringIO(utgave.csv_text(data))))
    assert [r["type"] for r in rows] == types(data["rader"])
    assert all(r["beskrivelse"] and "\\" not in r["beskrivelse"] for r in rows)


def test_previous_edition_from_config(tmp_path):
    assert utgave.forrige("auto", 2015, tmp_path) is None
    kept = tmp_path / "data/editions/2014/utgave.json"
    kept.parent.mkdir(parents=True)
    kept.write_text(json.dumps(record(results())), encoding="utf-8")
    assert utgave.forrige("auto", 2015, tmp_path) == kept
    assert utgave.forrige("auto", 2016, tmp_path) is None
    assert utgave.forrige("ingen", 2015, tmp_path) is None
    assert utgave.forrige("data/editions/2014", 2030, tmp_path) == kept
    with pytest.raises(utgave.EditionError, match="data/editions/2013 finnes ikke"):
        utgave.forrige("data/editions/2013", 2014, tmp_path)


def test_keeping_an_edition_never_overwrites_one(tmp_path):
    src = tmp_path / "build/utgave/utgave.json"
    src.parent.mkdir(parents=True)
    src.write_text(json.dumps(record(results())), encoding="utf-8")
    dest = tmp_path / "data/editions/2014"
    assert utgave.keep(src, dest) == dest / "utgave.json"
    assert utgave.load(dest / "utgave.json")["aar"] == 2014
    with pytest.raises(utgave.EditionError, match="overskrives ikke"):
        utgave.keep(src, dest)


def test_a_file_that_is_not_an_edition_is_named(tmp_path):
    bad = tmp_path / "utgave.json"
    bad.write_text('{"format": "noe annet"}', encoding="utf-8")
    with pytest.raises(utgave.EditionError, match="feltet «format»"):
        utgave.load(bad)


def test_office_section_shows_only_the_offices_own_figures():
    old = record(results(2014))
    own = kontor_analysis.own_previous(old, "C")
    # Only office C's values travel into its report.
    assert own == {"aar": 2014, "verdier": {"stat1": {"2014": 30.0}, "kom1": {"2014": 4.0}}}
    assert kontor_analysis.own_previous(old, "Z") is None
    inds = [{**i, "desimaler": 0} for i in results()["indikatorer"]]
    now = {"stat1": {"2014": 31.0, "2015": 35.0}, "kom1": {"2014": 4.0, "2015": 4.0}}
    rows = utgave.kontor_endringer(own["verdier"], now, inds, 2014, 2015)
    assert [(r["type"], r["indikator"]) for r in rows] == [("revisjon", "stat1"), ("tall", "stat1")]
    text = endringer.kontor_avsnitt("C", rows, inds, 2014, 2015)
    assert f"30{NBSP}% i forrige rapport til 31{NBSP}%" in text and f"30{NBSP}% i 2014, 35{NBSP}% i 2015" in text
    for other in ("kontor A", "kontor B", "kontor D", "beste", "plass"):
        assert other not in text
    assert "de samme som i forrige rapport" in endringer.kontor_avsnitt("C", [], inds, 2014, 2015)


def test_summary_names_who_is_best_when_no_office_leads_a_line():
    res = results(2015, stat={"A": 50.0, "B": 40.0, "C": 30.0, "D": 20.0}, kom={"A": 3.0, "B": 2.0, "C": 4.0, "D": 5.0})
    # Two indicators per line, each with its own best office, so no office leads either line.
    extra = [indicator("stat2", "stat", "hoyest_best", {"A": 1.0, "B": 9.0, "C": 2.0, "D": 3.0}),
             indicator("kom2", "kommune", "lavest_best", {"A": 9.0, "B": 8.0, "C": 1.0, "D": 7.0})]
    res["indikatorer"] += extra
    res["statlige_indikatorer"], res["kommunale_indikatorer"] = ["stat1", "stat2"], ["kom1", "kom2"]
    res["statlig_best"], res["kommunal_best"] = [], []
    nb = forside.resultatsetning_nb(res)
    assert "beste verdi: kontor A på kort stat1 og kontor B på kort stat2" in nb
    assert "beste verdi: kontor B på kort kom1 og kontor C på kort kom2" in nb
    assert "mens ingen" not in nb
    assert "office A and office B" in forside.resultatsetning_en(res)


def test_appendix_7_names_the_thesis_table_in_another_years_edition():
    E = {"aar": 2014, "indikatorer": [1, 2, 3, 4]}
    assert "i @tbl-resultater, det året" in eksakt_tekst.indikatorgrunnlag(E, 2014)
    other = eksakt_tekst.indikatorgrunnlag(E, 2015)
    assert "for 2014, det året intervjuene beskriver, slik oppgavens egen resultattabell" in other
    assert "@tbl-resultater har tall for 2015" in other
    assert eksakt_tekst.resultattabell(E, 2014) == "@tbl-resultater"


# --- the commands, in-process: lag, endringer, behold, oppsummer ------------------------------------

def write_json(path, data):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def test_the_commands_record_compare_keep_and_count(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(utgave.paths, "ROOT", tmp_path)
    monkeypatch.setattr("scripts.settings.load_catalogue", lambda: CATALOGUE)
    res14, res15 = results(aar=2014), results(aar=2015, stat={"A": 40.0, "B": 55.0, "C": 30.0, "D": 20.0})
    for year, res in ((2014, res14), (2015, res15)):
        files = [write_json(tmp_path / f"r{year}" / n, d) for n, d in
                 (("resultater.json", res), ("fakta.json", FACTS), ("datagrunnlag.json", PROV))]
        out = tmp_path / f"build{year}" / "utgave.json"
        assert utgave.main(["lag", "--resultater", str(files[0]), "--fakta", str(files[1]),
                            "--datagrunnlag", str(files[2]), "--out", str(out)]) == 0
        written = out.read_text(encoding="utf-8")
        assert written.endswith("\n") and json.loads(written) == record(res)
        assert written == json.dumps(record(res), ensure_ascii=False, indent=1, sort_keys=True) + "\n"
    kept = tmp_path / "data/editions/2014"
    assert utgave.main(["behold", "--fra", str(tmp_path / "build2014/utgave.json"), "--til", str(kept)]) == 0
    assert json.loads((kept / "utgave.json").read_text(encoding="utf-8")) == record(res14)
    csv_out, json_out = tmp_path / "build/endringer.csv", tmp_path / "build/results/endringer.json"
    assert utgave.main(["endringer", "--forrige", str(kept / "utgave.json"), "--denne",
                        str(tmp_path / "build2015/utgave.json"), "--csv", str(csv_out), "--json", str(json_out)]) == 0
    data = json.loads(json_out.read_text(encoding="utf-8"))
    # As read back from the files (written with sorted keys).
    def on_disk(res):
        return json.loads(json.dumps(record(res), sort_keys=True))

    expected = utgave.changes_file(on_disk(res14), on_disk(res15), "data/editions/2014/utgave.json")
    assert data == json.loads(json.dumps(expected))
    assert data["forrige"]["fil"] == "data/editions/2014/utgave.json"  # named from the project root
    assert csv_out.read_text(encoding="utf-8") == utgave.csv_text(expected)
    capsys.readouterr()
    assert utgave.main(["oppsummer", "--csv", str(csv_out)]) == 0
    line = capsys.readouterr().out.strip()
    assert line == utgave.summary_line(csv_out) == endringer.telling(types(expected["rader"]))
    assert "tall endret" in line and "beste verdi" in line


def test_a_command_that_fails_says_why_and_writes_nothing(tmp_path, capsys):
    missing = tmp_path / "borte.json"
    out = tmp_path / "ut.csv"
    assert utgave.main(["endringer", "--forrige", str(missing), "--denne", str(missing), "--csv", str(out),
                        "--json", str(tmp_path / "ut.json")]) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"utgave: {missing}: kan ikke leses som en utgave (") and not out.exists()
    assert utgave.main(["oppsummer", "--csv", str(out)]) == 1
    assert capsys.readouterr().err.startswith("utgave: ")
    rec = write_json(tmp_path / "a/utgave.json", record(results()))
    dest = tmp_path / "beholdt"
    assert utgave.main(["behold", "--fra", str(rec), "--til", str(dest)]) == 0
    assert utgave.main(["behold", "--fra", str(rec), "--til", str(dest)]) == 1
    assert f"utgave: {dest / 'utgave.json'} finnes allerede (utgaven for 2014)" in capsys.readouterr().err
