"""A 2015 edition from made-up data (oppdiktede testdata, tests/fixtures/year2015_ulike) with a
different best office on each indicator: every results sentence must follow the 2015 table,
and what the thesis found for 2014 must be marked as the thesis's finding."""
import json
import re
import shutil

import pytest

from tests.conftest import ROOT, copy_repo, run_snakemake

pytestmark = pytest.mark.e2e
FIX = ROOT / "tests" / "fixtures" / "year2015_ulike"


def flat(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("\u00a0", " "))


@pytest.fixture(scope="module")
def edition(tmp_path_factory):
    repo = copy_repo(tmp_path_factory.mktemp("ed2015"))
    (repo / "data/raw/malekort/2015").mkdir(parents=True)
    shutil.copy(FIX / "malekort_2015.csv", repo / "data/raw/malekort/2015/malekort_2015.csv")
    shutil.copy(FIX / "kostra_kontor_2015.csv", repo / "data/raw/kostra_kontor/2015.csv")
    targets = [f"build/chapters/{c}.md" for c in ("04-analyse", "05-konklusjon", "index")]
    proc = run_snakemake(repo, *targets, "--config", "year=2015", "years=[2014,2015]", "engine=builtin")
    assert proc.returncode == 0, (proc.stdout + proc.stderr)[-4000:]
    return repo


def test_fixture_has_a_different_best_office_per_indicator(edition):
    res = json.loads((edition / "build/results/resultater.json").read_text(encoding="utf-8"))
    assert res["aar"] == 2015
    assert [i["beste"] for i in res["indikatorer"]] == [["A"], ["B"], ["C"], ["D"]]
    assert res["statlig_best"] == [] and res["kommunal_best"] == []


def test_chapter_4_results_sentences_follow_the_2015_table(edition):
    ch4 = flat((edition / "build/chapters/04-analyse.md").read_text(encoding="utf-8"))
    # Generated from the 2015 data: no office leads a whole line, each indicator its own.
    assert "(2015) er ingen kontor best på alle indikatorene." in ch4
    assert "Ingen kontor er best på begge de statlige indikatorene; beste verdi har kontor A på" in ch4
    assert "kontor B på nedsatt arbeidsevne til arbeid" in ch4
    assert "Ingen kontor er best på begge de kommunale indikatorene; beste verdi har kontor C på" in ch4
    assert "kontor D på netto driftsutgifter pr innbygger" in ch4
    # The thesis's 2014 reading is there only as the thesis's finding.
    assert ("I oppgaven, med tall for 2014, pekte ingen kontor seg klart ut som best, men kontor F var klart best på "
            "de statlige indikatorene og kontor C på de kommunale.") in ch4
    assert "som i oppgavens tall for 2014 var best på de kommunale indikatorene" in ch4
    assert "Vurdering av H4 i oppgaven (tall for 2014):" in ch4
    # No unmarked claim that F or C leads a line in this edition.
    for claim in ("kontor F er klart best", "Kontor F har beste verdi", "Kontor C har beste verdi",
                  "som er best på de kommunale indikatorene", "Kontoret som er best på de statlige"):
        assert claim not in ch4


def test_table_source_note_comes_from_the_data(edition):
    ch4 = flat((edition / "build/chapters/04-analyse.md").read_text(encoding="utf-8"))
    assert "Tallene gjelder 2015." in ch4
    assert "oppdiktede testdata (KOSTRA-format publisert 15.03.2016) (kommunale indikatorer)" in \
        ch4.replace("\\(", "(").replace("\\)", ")")
    assert "ureviderte tall publisert 15.03.2015" not in ch4.split("Tallene gjelder 2015.")[1][:400]


def test_summaries_fed_by_chapter_4_follow_the_2015_table(edition):
    ch5 = flat((edition / "build/chapters/05-konklusjon.md").read_text(encoding="utf-8"))
    assert "Heller ikke resultatene for 2015 viser noe kontor som er best på alle indikatorene samlet" in ch5
    assert "kontor F er best" not in ch5 and "kontor C er best" not in ch5
    idx = flat((edition / "build/chapters/index.md").read_text(encoding="utf-8"))
    assert "kontor F har det beste" not in idx and "kontor C har det beste" not in idx


def test_several_years_show_each_offices_change(edition):
    ch4 = flat((edition / "build/chapters/04-analyse.md").read_text(encoding="utf-8"))
    assert "Endring per kontor og indikator, 2014–2015" in ch4
    # Office A: 52 % in 2014 (the thesis's table) and 60 % in the made-up 2015 data.
    assert "| Kontor A | 52 → 60 (+8) |" in ch4
