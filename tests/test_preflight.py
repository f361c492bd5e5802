"""Implausible or missing inputs stop the build before any work, with Norwegian messages
naming file, row, column, value and what was expected. All values here are made up
(oppdiktede testdata)."""
import shutil

import pytest

from scripts.data import preflight
from tests.conftest import ROOT, copy_repo, run_snakemake

OFFICES = list("ABCDEF")
HEADER = "kontor,aar,indikator_id,verdi,kilde\n"
IDS = ("sosialhjelpsmottakere_andel", "netto_driftsutgifter_sosialtjenesten")


def kostra_csv(tmp_path, year=2015, override=None, drop=None):
    """A complete made-up KOSTRA file; ``override[(kontor, id)] = text`` replaces one value."""
    override, drop = override or {}, drop or set()
    lines = [HEADER]
    for k in OFFICES:
        for i, default in zip(IDS, ("3.1", "2500"), strict=True):
            if (k, i) in drop:
                continue
            lines.append(f"{k},{year},{i},{override.get((k, i), default)},oppdiktede testdata\n")
    path = tmp_path / f"{year}.csv"
    path.write_text("".join(lines), encoding="utf-8")
    return path


@pytest.mark.parametrize("text, expected", [
    ("250", "forventet en andel fra 0 til 100 (prosent)"),
    ("-5", "forventet en andel fra 0 til 100 (prosent)"),
    ("1e308", "forventet en andel fra 0 til 100 (prosent)"),
    ("inf", "er ikke et endelig tall"),
    ("nan", "er ikke et endelig tall"),
    ("tre", "er ikke et tall"),
])
def test_implausible_share_is_named_with_file_row_column_value(tmp_path, text, expected):
    path = kostra_csv(tmp_path, override={("B", IDS[0]): text})
    missing, bad = preflight.check_kostra_offices(path, 2015, OFFICES, preflight.load_indicators())
    assert missing == []
    assert len(bad) == 1
    # B's share is the third data row: header is row 1, A has rows 2–3.
    assert bad[0].startswith(f"{path}, rad 4, kolonne 'verdi': verdien '{text}' (sosialhjelpsmottakere_andel, kontor B)")
    assert expected in bad[0]


@pytest.mark.parametrize("text", ["-1", "1e308", "-inf"])
def test_negative_or_huge_amount_is_refused(tmp_path, text):
    path = kostra_csv(tmp_path, override={("F", IDS[1]): text})
    _, bad = preflight.check_kostra_offices(path, 2015, OFFICES, preflight.load_indicators())
    assert len(bad) == 1 and "rad 13, kolonne 'verdi'" in bad[0] and f"'{text}'" in bad[0]


def test_plausible_edges_pass(tmp_path):
    path = kostra_csv(tmp_path, override={("A", IDS[0]): "0", ("B", IDS[0]): "100", ("C", IDS[1]): "0"})
    assert preflight.check_kostra_offices(path, 2015, OFFICES, preflight.load_indicators()) == ([], [])


def test_year_in_file_must_match_its_folder(tmp_path):
    path = kostra_csv(tmp_path, year=2014)
    path = path.rename(tmp_path / "2015.csv")
    _, bad = preflight.check_kostra_offices(path, 2015, OFFICES, preflight.load_indicators())
    assert bad[0] == (f"{path}, rad 2, kolonne 'aar': verdien '2014' stemmer ikke med året filen "
                      "ligger under; forventet 2015")


def test_missing_office_is_listed_per_indicator(tmp_path):
    path = kostra_csv(tmp_path, drop={("D", IDS[0]), ("D", IDS[1])})
    missing, bad = preflight.check_kostra_offices(path, 2015, OFFICES, preflight.load_indicators())
    assert bad == []
    assert missing == [f"{path}: ingen verdi for kontor D, {IDS[0]}", f"{path}: ingen verdi for kontor D, {IDS[1]}"]


def test_malekort_share_out_of_range_and_missing_office(tmp_path):
    folder = tmp_path / "2015"
    folder.mkdir()
    src = (ROOT / "tests/fixtures/year2015/malekort_2015.csv").read_text(encoding="utf-8").splitlines()
    rows = [r for r in src if not r.startswith("E;")]
    rows = [r.replace(";stat;58;", ";stat;250;") for r in rows]
    (folder / "m.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    missing, bad = preflight.check_malekort(folder, 2015, OFFICES, preflight.load_indicators())
    assert missing == [f"{folder}/: ingen verdi for kontor E, arbeidssokere_overgang_arbeid",
                       f"{folder}/: ingen verdi for kontor E, nedsatt_arbeidsevne_overgang_arbeid"]
    assert len(bad) == 1 and "kolonne 'verdi': verdien '250' (arbeidssokere_overgang_arbeid, kontor D)" in bad[0]


def test_bad_value_stops_snakemake_before_work_and_keeps_last_report(tmp_path):
    repo = copy_repo(tmp_path)
    (repo / "build").mkdir()
    old = b"<html>forrige rapport (oppdiktet)</html>"
    (repo / "build/report.html").write_bytes(old)
    ko = repo / "data/raw/kostra_kontor/2014.csv"
    ko.write_text(ko.read_text(encoding="utf-8").replace("B,2014,sosialhjelpsmottakere_andel,2.9",
                                                         "B,2014,sosialhjelpsmottakere_andel,250"),
                  encoding="utf-8")
    proc = run_snakemake(repo)
    out = proc.stdout + proc.stderr
    assert proc.returncode != 0
    assert ("data/raw/kostra_kontor/2014.csv, rad 4, kolonne 'verdi': verdien '250' "
            "(sosialhjelpsmottakere_andel, kontor B) er utenfor det mulige") in out
    assert "Traceback" not in out.split("WorkflowError")[0]
    assert (repo / "build/report.html").read_bytes() == old
    assert sorted(p.name for p in (repo / "build").iterdir()) == ["report.html"]


def test_missing_data_message_lists_only_the_incomplete_year(tmp_path):
    repo = copy_repo(tmp_path)
    (repo / "data/raw/malekort/2015").mkdir(parents=True)
    shutil.copy(ROOT / "tests/fixtures/year2015/malekort_2015.csv", repo / "data/raw/malekort/2015/")
    proc = run_snakemake(repo, "-n", "--config", "year=2015", "years=[2014,2015]")
    out = proc.stdout + proc.stderr
    assert proc.returncode != 0
    assert "Data mangler for 2015; ingenting er bygget." in out
    assert "Mangler for 2015:\n  data/raw/kostra_kontor/2015.csv finnes ikke" in out
    assert "Mangler for 2014" not in out and "data/raw/malekort/2015/ har ingen" not in out


def bad_malekort_repo(tmp_path):
    """A copy of the project whose 2014 målekort export has a share of 250 for office B
    (oppdiktet feil)."""
    repo = copy_repo(tmp_path)
    f = repo / "data/raw/malekort/2014/malekort_2014.csv"
    lines = f.read_text(encoding="utf-8").splitlines(keepends=True)
    row = next(i for i, line in enumerate(lines) if line.startswith("B;2014;") and ";stat;" in line)
    cells = lines[row].split(";")
    cells[7] = "250"
    lines[row] = ";".join(cells)
    f.write_text("".join(lines), encoding="utf-8")
    return repo, row + 1, cells[4]


def test_with_fetch_the_malekort_values_are_still_checked_but_kostra_is_left_to_the_fetch(tmp_path, monkeypatch):
    repo, row, indicator = bad_malekort_repo(tmp_path)
    monkeypatch.setattr(preflight.paths, "RAW_MALEKORT", repo / "data/raw/malekort")
    monkeypatch.setattr(preflight.paths, "RAW_KOSTRA_OFFICES", tmp_path / "ingen")  # no KOSTRA file at all
    message = preflight.problems(2014, [2014, 2015], OFFICES, fetch=True)
    assert message.splitlines() == [
        "Ugyldige verdier; ingenting er bygget:",
        f"  {repo / 'data/raw/malekort/2014/malekort_2014.csv'}, rad {row}, kolonne 'verdi': verdien '250' "
        f"({indicator}, kontor B) er utenfor det mulige; forventet en andel fra 0 til 100 (prosent)",
        "Se README.md, «Oppdatere med nye tall», og docs/malekort-format.md."]
    # Without fetch the missing KOSTRA files and the missing 2015 exports are reported too.
    assert "Data mangler for 2014, 2015" in preflight.problems(2014, [2014, 2015], OFFICES)


def test_fetch_true_still_stops_a_build_with_a_bad_malekort_value(tmp_path):
    repo, row, indicator = bad_malekort_repo(tmp_path)
    proc = run_snakemake(repo, "-n", "--config", "fetch=true")
    out = proc.stdout + proc.stderr
    assert proc.returncode != 0
    assert (f"data/raw/malekort/2014/malekort_2014.csv, rad {row}, kolonne 'verdi': verdien '250' "
            f"({indicator}, kontor B) er utenfor det mulige; forventet en andel fra 0 til 100 (prosent)") in out


def test_fetch_true_lets_a_new_year_be_fetched_before_its_malekort_exports_are_in(tmp_path):
    repo = copy_repo(tmp_path)
    proc = run_snakemake(repo, "-n", "fetch_kostra", "--config", "fetch=true", "year=2015", "years=[2014,2015]")
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "fetch_kostra" in proc.stdout
