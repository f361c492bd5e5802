"""Bad or missing inputs stop the build with Norwegian messages naming file, row, column,
value and what was expected: missing files before any work (the pre-flight check reads names
only), bad values in the cleaning steps, which read each file once. All values here are made
up (oppdiktede testdata)."""
import os
import shutil
import subprocess
import sys

import pytest

from scripts.data import malekort, offices, preflight
from tests.conftest import ROOT, copy_repo, run_snakemake

OFFICES = list("ABCDEF")
HEADER = "kontor,aar,indikator_id,verdi,kilde\n"
IDS = ("sosialhjelpsmottakere_andel", "netto_driftsutgifter_sosialtjenesten")


def kostra_csv(tmp_path, year=2015, override=None, drop=None, rename=None):
    """A complete made-up KOSTRA file; ``override[(kontor, id)] = text`` replaces one value."""
    override, drop, rename = override or {}, drop or set(), rename or {}
    lines = [HEADER]
    for k in OFFICES:
        for i, default in zip(IDS, ("3.1", "2500"), strict=True):
            if (k, i) in drop:
                continue
            lines.append(f"{k},{year},{rename.get((k, i), i)},{override.get((k, i), default)},oppdiktede testdata\n")
    path = tmp_path / f"{year}.csv"
    path.write_text("".join(lines), encoding="utf-8")
    return path


def approve(repo):
    env = dict(os.environ, NAVRAPPORT_ROOT=str(repo), PYTHONPATH=str(repo))
    subprocess.run([sys.executable, "-m", "scripts.guard.manifest", "approve"], cwd=repo, env=env, check=True,
                   capture_output=True)


def kostra_problems(path, year=2015):
    """The bad rows, else the missing figures, as the cleaning step reports them."""
    try:
        offices.read_office_values(path, year, OFFICES, set(IDS))
    except offices.DataError as exc:
        lines = str(exc).splitlines()
        return ["  " + lines[0]] if len(lines) == 1 else lines[1:]
    return ["  " + m for m in offices.missing_values(path, year, OFFICES, set(IDS))]


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
    [line] = kostra_problems(path)
    # B's share is the third data row: header is row 1, A has rows 2–3.
    assert line.startswith(f"  {path}, rad 4, kolonne 'verdi': verdien '{text}' (sosialhjelpsmottakere_andel, kontor B)")
    assert expected in line


@pytest.mark.parametrize("text", ["-1", "1e308", "-inf"])
def test_negative_or_huge_amount_is_refused(tmp_path, text):
    path = kostra_csv(tmp_path, override={("F", IDS[1]): text})
    [line] = kostra_problems(path)
    assert "rad 13, kolonne 'verdi'" in line and f"'{text}'" in line


def test_plausible_edges_pass_and_comma_and_spaces_are_numbers(tmp_path):
    path = kostra_csv(tmp_path, override={("A", IDS[0]): "0", ("B", IDS[0]): "100", ("C", IDS[1]): "0",
                                          ("D", IDS[0]): '"3,6"', ("E", IDS[1]): "2 841"})
    df = offices.read_office_values(path, 2015, OFFICES, set(IDS))
    assert df.set_index(["kontor", "indikator_id"])["verdi"].to_dict()[("D", IDS[0])] == 3.6
    assert df.set_index(["kontor", "indikator_id"])["verdi"].to_dict()[("E", IDS[1])] == 2841.0


def test_year_in_file_must_match_its_name(tmp_path):
    path = kostra_csv(tmp_path, year=2014).rename(tmp_path / "2015.csv")
    lines = kostra_problems(path)
    assert lines[0] == f"  {path}, rad 2, kolonne 'aar': verdien «2014» stemmer ikke med året; forventet 2015"
    assert len(lines) == 12


def test_missing_office_is_listed_per_indicator(tmp_path):
    path = kostra_csv(tmp_path, drop={("D", IDS[0]), ("D", IDS[1])})
    assert kostra_problems(path) == [f"  {path}: ingen verdi for kontor D, {IDS[1]} i 2015",
                                     f"  {path}: ingen verdi for kontor D, {IDS[0]} i 2015"]


def test_a_typo_in_an_indicator_id_is_named_with_its_row_and_the_id_it_resembles(tmp_path):
    path = kostra_csv(tmp_path, rename={("C", IDS[0]): "sosialhjelpsmotakere_andel"})
    assert kostra_problems(path) == [
        f"  {path}: ingen verdi for kontor C, {IDS[0]} i 2015; rad 6 har indikator_id "
        f"'sosialhjelpsmotakere_andel', som ligner: mente du '{IDS[0]}'?"]


def malekort_folder(tmp_path, edit):
    folder = tmp_path / "2015"
    folder.mkdir()
    src = (ROOT / "tests/fixtures/year2015/malekort_2015.csv").read_text(encoding="utf-8").splitlines()
    (folder / "m.csv").write_text("\n".join(edit(src)) + "\n", encoding="utf-8")
    return folder


def malekort_problems(folder):
    with pytest.raises(malekort.MalekortError) as info:
        malekort.clean_year(2015, OFFICES, offices.load_indicators(), folder)
    return info.value.problems


def test_malekort_share_out_of_range_and_missing_office(tmp_path):
    folder = malekort_folder(tmp_path, lambda rows: [r.replace(";stat;58;", ";stat;250;")
                                                     for r in rows if not r.startswith("E;")])
    problems = malekort_problems(folder)
    assert problems[:2] == [f"{folder}: ingen verdi for kontor E, arbeidssokere_overgang_arbeid i 2015",
                            f"{folder}: ingen verdi for kontor E, nedsatt_arbeidsevne_overgang_arbeid i 2015"]
    assert problems[2].startswith(f"{folder}/m.csv, rad ") and \
        "kolonne 'verdi': verdien '250' (arbeidssokere_overgang_arbeid, kontor D) er utenfor det mulige; " \
        "forventet en andel fra 0 til 100 (prosent)" in problems[2]
    assert len(problems) == 3


def test_a_malekort_typo_in_an_indicator_id_names_file_row_and_the_nearest_id(tmp_path):
    def typo(rows):
        i = next(n for n, r in enumerate(rows) if r.startswith("C;") and ";arbeidssokere_overgang_arbeid;" in r)
        rows[i] = rows[i].replace(";arbeidssokere_overgang_arbeid;", ";arbeidsokere_overgang_arbeid;")
        return rows

    folder = malekort_folder(tmp_path, typo)
    row = next(n for n, r in enumerate((folder / "m.csv").read_text(encoding="utf-8").splitlines(), 1)
               if ";arbeidsokere_overgang_arbeid;" in r)
    assert malekort_problems(folder) == [
        f"{folder}: ingen verdi for kontor C, arbeidssokere_overgang_arbeid i 2015; {folder}/m.csv, rad {row} "
        "har indikator_id 'arbeidsokere_overgang_arbeid', som ligner: mente du 'arbeidssokere_overgang_arbeid'?"]


def test_preflight_names_a_kostra_file_of_another_type_that_is_there(tmp_path, monkeypatch):
    monkeypatch.setattr(preflight.paths, "ROOT", tmp_path)
    monkeypatch.setattr(preflight.paths, "RAW_KOSTRA_OFFICES", tmp_path / "data/raw/kostra_kontor")
    monkeypatch.setattr(preflight.paths, "PRIVATE_OFFICES", tmp_path / "ingen.yaml")
    (tmp_path / "data/raw/kostra_kontor").mkdir(parents=True)
    (tmp_path / "data/raw/kostra_kontor/2015.xlsx").write_bytes(b"oppdiktet")
    assert preflight.kostra_missing(2015) == (
        "data/raw/kostra_kontor/2015.csv finnes ikke: KOSTRA-tall per kontor (kolonner "
        "kontor,aar,indikator_id,verdi,kilde); data/raw/kostra_kontor/2015.xlsx finnes, men tallene leses "
        "bare fra 2015.csv (lagre filen som CSV med det navnet)")


def test_a_bad_value_stops_snakemake_in_the_cleaning_step_and_keeps_the_last_report(tmp_path):
    repo = copy_repo(tmp_path)
    (repo / "build").mkdir()
    old = b"<html>forrige rapport (oppdiktet)</html>"
    (repo / "build/report.html").write_bytes(old)
    ko = repo / "data/raw/kostra_kontor/2014.csv"
    ko.write_text(ko.read_text(encoding="utf-8").replace("B,2014,sosialhjelpsmottakere_andel,2.9",
                                                         "B,2014,sosialhjelpsmottakere_andel,250"),
                  encoding="utf-8")
    approve(repo)  # the edit is deliberate: the manifest would stop it first otherwise
    proc = run_snakemake(repo)
    out = proc.stdout + proc.stderr
    assert proc.returncode != 0
    assert ("data/raw/kostra_kontor/2014.csv, rad 4, kolonne 'verdi': verdien '250' "
            "(sosialhjelpsmottakere_andel, kontor B) er utenfor det mulige") in out
    assert "Traceback" not in out
    assert (repo / "build/report.html").read_bytes() == old


def test_missing_data_stops_before_any_work_with_the_message_alone(tmp_path):
    repo = copy_repo(tmp_path)
    (repo / "data/raw/malekort/2015").mkdir(parents=True)
    shutil.copy(ROOT / "tests/fixtures/year2015/malekort_2015.csv", repo / "data/raw/malekort/2015/")
    proc = run_snakemake(repo, "-n", "--config", "year=2015", "years=[2014,2015]")
    assert proc.returncode != 0
    assert "Traceback" not in proc.stdout + proc.stderr and "WorkflowError" not in proc.stderr
    assert proc.stderr.splitlines()[-4:] == [
        "Data mangler for 2015; ingenting er bygget.",
        "Mangler for 2015:",
        "  data/raw/kostra_kontor/2015.csv finnes ikke: KOSTRA-tall per kontor (kolonner "
        "kontor,aar,indikator_id,verdi,kilde)",
        "Har du lagt inn tall for et nytt år, sett year og years i config/config.yaml "
        "(se README.md, «Oppdatere med nye tall»)."]


def test_preflight_reads_no_file_contents(tmp_path, monkeypatch):
    """Names only: a målekort export that is not even a table passes the pre-flight check."""
    monkeypatch.setattr(preflight.paths, "RAW_MALEKORT", tmp_path / "m")
    monkeypatch.setattr(preflight.paths, "RAW_KOSTRA_OFFICES", tmp_path / "k")
    (tmp_path / "m/2015").mkdir(parents=True)
    (tmp_path / "m/2015/eksport.xlsx").write_bytes(b"\x00 ikke et regneark")
    (tmp_path / "k").mkdir()
    (tmp_path / "k/2015.csv").write_bytes(b"\x00")
    assert preflight.problems(2015, [2015]) == ""


def test_fetch_true_lets_a_new_year_be_fetched_before_its_malekort_exports_are_in(tmp_path):
    repo = copy_repo(tmp_path)
    proc = run_snakemake(repo, "-n", "fetch_kostra", "--config", "fetch=true", "year=2015", "years=[2014,2015]")
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "fetch_kostra" in proc.stdout
