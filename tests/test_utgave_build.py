"""Two editions built in a row (issue 27): the thesis's 2014 data kept as an edition, then a 2015
edition from oppdiktede testdata (tests/fixtures/year2015_ulike: a different best office on each
indicator) with one 2014 KOSTRA figure revised (also made up). The 2015 edition says what changed,
in the appendix, in build/endringer.csv, at the end of the build and in each office report, and no
sentence of it is bound to 2014 unless it says it reports the thesis's finding."""
import csv
import json
import os
import re
import shutil
import subprocess
import sys

import pytest
from pypdf import PdfReader

from scripts.content import fmt
from tests.conftest import ROOT, copy_repo, run_snakemake

pytestmark = pytest.mark.e2e
FIX = ROOT / "tests" / "fixtures" / "year2015_ulike"
ENV = {"SOURCE_DATE_EPOCH": "1430352000"}
REVISED = ("D", "sosialhjelpsmottakere_andel", "3.2", "3.3")  # made up: SSB's "final" 2014 figure


def py(repo, *args):
    env = dict(os.environ, NAVRAPPORT_ROOT=str(repo), PYTHONPATH=str(repo))
    return subprocess.run([sys.executable, "-m", *args], cwd=repo, env=env, capture_output=True, text=True, timeout=300)


def pdf_text(path):
    return "\n".join(p.extract_text() for p in PdfReader(path).pages)


def flat(text):
    return re.sub(r"\s+", " ", text.replace("\u00a0", " ")).replace("\\", "")


@pytest.fixture(scope="module")
def eds(tmp_path_factory):
    repo = copy_repo(tmp_path_factory.mktemp("utgaver"))
    first = run_snakemake(repo, "--config", "engine=builtin", env=ENV)
    assert first.returncode == 0, (first.stdout + first.stderr)[-4000:]
    out = {"repo": repo, "pdf2014": pdf_text(repo / "build/report.pdf"), "first": first.stdout + first.stderr,
           "endringer2014": (repo / "build/endringer.csv").exists()}
    kept = py(repo, "scripts.analysis.utgave", "behold", "--til", "data/editions/2014")
    assert kept.returncode == 0, kept.stderr
    (repo / "data/raw/malekort/2015").mkdir(parents=True)
    shutil.copy(FIX / "malekort_2015.csv", repo / "data/raw/malekort/2015/malekort_2015.csv")
    shutil.copy(FIX / "kostra_kontor_2015.csv", repo / "data/raw/kostra_kontor/2015.csv")
    k14 = repo / "data/raw/kostra_kontor/2014.csv"
    office, iid, old, new = REVISED
    lines = k14.read_text(encoding="utf-8").splitlines()
    hit = [n for n, line in enumerate(lines) if line.startswith(f"{office},2014,{iid},{old},")]
    assert len(hit) == 1
    lines[hit[0]] = f"{office},2014,{iid},{new},oppdiktede testdata (revidert tall)"
    k14.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert py(repo, "scripts.guard.manifest", "approve").returncode == 0
    second = run_snakemake(repo, "all", "kontorrapporter", "--config", "year=2015", "years=[2014,2015]",
                           "engine=builtin", env=ENV)
    assert second.returncode == 0, (second.stdout + second.stderr)[-4000:]
    out.update(second=second.stdout + second.stderr,
               old=json.loads((repo / "data/editions/2014/utgave.json").read_text(encoding="utf-8")),
               new=json.loads((repo / "build/utgave/utgave.json").read_text(encoding="utf-8")),
               appendix=flat((repo / "build/chapters/vedlegg-8-endringer.md").read_text(encoding="utf-8")),
               csv=list(csv.DictReader(open(repo / "build/endringer.csv", encoding="utf-8"))))
    return out


def value(ed, iid, v):
    ind = ed["indikatorer"][iid]
    return f"{fmt.tall(v, ind['desimaler'], min_tusen=10**9)} {'%' if ind['enhet'] == 'prosent' else 'kr'}"


def test_without_a_previous_edition_there_is_no_section(eds):
    assert "Hva er endret siden forrige utgave" not in eds["pdf2014"]
    assert not eds["endringer2014"] and "Endringer siden forrige utgave" not in eds["first"]


def test_the_appendix_names_every_moved_best_value_with_old_and_new_office_and_value(eds):
    old, new = eds["old"], eds["new"]
    moved = [i for i in new["indikatorer"] if old["indikatorer"][i]["beste"] != new["indikatorer"][i]["beste"]]
    assert len(moved) >= 3  # the fixture's premise: the best office moves on most indicators
    for iid in moved:
        o, n = old["indikatorer"][iid], new["indikatorer"][iid]
        row = (f"| {n['kort']} | Kontor {'/'.join(o['beste'])}: {value(old, iid, o['beste_verdi'])} | "
               f"Kontor {'/'.join(n['beste'])}: {value(new, iid, n['beste_verdi'])} | nytt kontor |")
        assert row in re.sub(r" +", " ", eds["appendix"]), row


def test_the_appendix_names_every_changed_verdict(eds):
    changed = [h for h in eds["new"]["hypoteser"] if eds["old"]["hypoteser"][h] != eds["new"]["hypoteser"][h]]
    assert changed  # no office leads a line in 2015, one did in 2014
    for h in changed:
        assert f"Vurdering av {h}:" in eds["appendix"]


def test_the_csv_has_the_rows_of_the_appendix(eds):
    text, flat_table = eds["appendix"], re.sub(r" +", " ", eds["appendix"])
    for r in eds["csv"]:
        if r["type"] == "tall":
            assert f"| Kontor {r['kontor']} | {value(eds['new'], r['indikator'], float(r['for']))} | " \
                   f"{value(eds['new'], r['indikator'], float(r['etter']))} | {r['retning']} | {r['vurdering']} |" in flat_table
        elif r["type"] == "revisjon":
            assert f"| Kontor {r['kontor']} | {r['aar_for']} | {value(eds['new'], r['indikator'], float(r['for']))}" in flat_table
        else:
            assert flat(r["beskrivelse"]) in text, r["beskrivelse"]
    table_rows = len(re.findall(r"\| Kontor [A-F] \|", text))
    assert table_rows == sum(r["type"] in ("tall", "revisjon") for r in eds["csv"])


def test_a_revised_2014_figure_is_a_revision_not_a_change(eds):
    office, iid, old, new = REVISED
    rev = [r for r in eds["csv"] if r["type"] == "revisjon"]
    assert [(r["kontor"], r["indikator"], r["aar_for"], float(r["for"]), float(r["etter"])) for r in rev] == [
        (office, iid, "2014", float(old), float(new))]
    assert not [r for r in eds["csv"] if r["type"] == "tall" and r["aar_for"] == r["aar_etter"]]


def test_the_count_is_printed_at_the_end_of_the_build(eds):
    n = {t: sum(r["type"] == t for r in eds["csv"]) for t in ("tall", "beste_verdi_flyttet")}
    assert n["tall"] > 0
    assert f"Endringer siden forrige utgave: {n['tall']} tall endret, {n['beste_verdi_flyttet']} beste verdier flyttet" \
        in eds["second"]


def test_an_edition_compared_with_itself_has_no_changes(eds, tmp_path):
    repo = eds["repo"]
    proc = py(repo, "scripts.analysis.utgave", "endringer", "--forrige", "build/utgave/utgave.json", "--denne",
              "build/utgave/utgave.json", "--csv", str(tmp_path / "e.csv"), "--json", str(tmp_path / "e.json"))
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "e.csv").read_text(encoding="utf-8").count("\n") == 1  # the header only
    assert json.loads((tmp_path / "e.json").read_text(encoding="utf-8"))["rader"] == []


def test_the_published_reports_have_the_section(eds):
    repo = eds["repo"]
    assert "Hva er endret siden forrige utgave" in pdf_text(repo / "build/report.pdf")
    assert "Hva er endret siden forrige utgave" in flat((repo / "build/report.html").read_text(encoding="utf-8"))


def test_office_reports_say_what_changed_for_the_office_only(eds):
    repo = eds["repo"]
    for office in eds["new"]["kontorer"]:
        text = flat(pdf_text(repo / f"build/kontorrapporter/{office}.pdf"))
        section = text.split("Endret siden forrige rapport", 1)[1].split("Indikatorene", 1)[0]
        assert f"kontor {office}s egne tall" in section
        assert not re.search(rf"[Kk]ontor(?:et|ene)? (?!{office}\b)[A-F]\b", section)
        own = eds["new"]["indikatorer"]["arbeidssokere_overgang_arbeid"]["verdier"]
        before = eds["old"]["indikatorer"]["arbeidssokere_overgang_arbeid"]["verdier"]["2014"][office]
        if own["2015"][office] != before:
            assert f"{value(eds['new'], 'arbeidssokere_overgang_arbeid', before)} i 2014" in section


# What ties a sentence to the results of an edition: its results table, figure or best offices.
ABOUT_RESULTS = re.compile(r"@tbl-resultater|@fig-resultater|[Tt]abell 4\.2|resultatindikator|er best|beste verdi|"
                           r"best på|the best|best on")
# What says that a sentence reports the thesis's own finding for its year.
THESIS = re.compile(r"oppgave|thesis", re.I)


def sentences(text):
    return re.split(r"(?<=[.!?])\s+(?=[A-ZÆØÅ*@])", flat(text))


def test_no_stale_year_in_the_2015_edition(eds):
    repo = eds["repo"]
    texts = {p.name: p.read_text(encoding="utf-8") for p in sorted((repo / "build/chapters").glob("*.md"))}
    texts |= {p.name: pdf_text(p) for p in sorted((repo / "build/kontorrapporter").glob("*.pdf"))}
    stale = []
    for name, text in texts.items():
        for s in sentences(text):
            if "2014" in s and ABOUT_RESULTS.search(s) and "2015" not in s and not THESIS.search(s):
                stale.append(f"{name}: {s[:200]}")
            # "No single office is best …" must say who is best instead.
            if re.search(r"[Ii]ngen enkelt kontor er best|[Nn]o single office is best", s) and \
                    not re.search(r"beste verdi|best values", s):
                stale.append(f"{name}: {s[:200]}")
    assert stale == []
    # A note on the E/F paragraph says which table has which year.
    ch4 = flat(texts["04-analyse.md"])
    assert "gjelder 2015.)" not in ch4 and "Denne utgavens @tbl-resultater har tall for 2015" in ch4
