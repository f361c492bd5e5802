"""Next year's figures: a made-up 2015 dataset (tests/fixtures/year2015, labelled made up)."""
import json
import re
import shutil

import pytest
from pypdf import PdfReader

from tests.conftest import ROOT, copy_repo, run_snakemake

pytestmark = pytest.mark.e2e
FIX = ROOT / "tests" / "fixtures" / "year2015"


def squash(s):
    return re.sub(r"[\s\u00a0\u00ad-]+", "", s)


def test_missing_year_stops_before_work_and_lists_what_is_missing(tmp_path):
    repo = copy_repo(tmp_path)
    proc = run_snakemake(repo, "--config", "year=2016")
    out = proc.stdout + proc.stderr
    assert proc.returncode != 0
    assert "Mangler for 2016:" in out and "Mangler for 2014" not in out
    assert "data/raw/malekort/2016/ har ingen målekorteksport" in out
    assert "data/raw/kostra_kontor/2016.csv finnes ikke" in out
    assert not (repo / "build").exists()


def test_2015_edition_follows_the_data(tmp_path):
    repo = copy_repo(tmp_path)
    (repo / "data/raw/malekort/2015").mkdir(parents=True)
    shutil.copy(FIX / "malekort_2015.csv", repo / "data/raw/malekort/2015/malekort_2015.csv")
    shutil.copy(FIX / "kostra_kontor_2015.csv", repo / "data/raw/kostra_kontor/2015.csv")
    proc = run_snakemake(repo, "--config", "year=2015", "years=[2014,2015]")
    assert proc.returncode == 0, (proc.stdout + proc.stderr)[-4000:]
    res = json.loads((repo / "build/results/resultater.json").read_text(encoding="utf-8"))
    assert res["aar"] == 2015 and res["statlig_best"] == ["D"] and res["kommunal_best"] == ["B"]
    text = squash("\n".join(p.extract_text() for p in PdfReader(repo / "build/report.pdf").pages))
    # Tabell 4.2 shows the 2015 values (December, not November, for office A) …
    assert "KontorA51393,72950" in text and "KontorD58★49★3,32230" in text
    # … and no 2014 row survives.
    assert "KontorF56473,02507" not in text and "KontorC50372,51782" not in text
    # The generated prose follows: the 2014 sentences about offices F and C do not survive.
    assert "KontorDhardetbesteresultatet" in text and "KontorFhardetbesteresultatet" not in text
    # The new files are listed as new in the provenance appendix.
    prov = json.loads((repo / "build/results/datagrunnlag.json").read_text(encoding="utf-8"))
    status = {e["sti"]: e.get("status") for e in prov["filer"]}
    assert status["data/raw/kostra_kontor/2015.csv"] == "ny"
