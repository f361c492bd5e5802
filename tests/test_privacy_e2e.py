"""The privacy guard inside the workflow: a few whole builds in temporary copies, with a made-up
private mapping ("Oppdiktby" and "9901" are invented) written only into the copy. Each planted leak
must stop the build, name the file and the office, never print the name, and leave the last
published report byte-identical."""
import os
import shutil
import stat
import subprocess
import sys

import pytest

from tests.conftest import run_snakemake

pytestmark = pytest.mark.e2e

MAPPING = "offices:\n  A: '9901'\nnames:\n  A: Oppdiktby\n"
EPOCH = {"SOURCE_DATE_EPOCH": "1430352000"}


@pytest.fixture
def published(tmp_path, built_repo):
    repo = tmp_path / "repo"
    shutil.copytree(built_repo, repo, symlinks=True)
    return repo, {n: (repo / "build" / n).read_bytes() for n in ("report.html", "report.pdf")}


def approve(repo):
    env = dict(os.environ, NAVRAPPORT_ROOT=str(repo), PYTHONPATH=str(repo))
    subprocess.run([sys.executable, "-m", "scripts.guard.manifest", "approve"], cwd=repo, env=env, check=True,
                   capture_output=True)


def assert_stopped(proc, repo, before, file_hint):
    out = proc.stdout + proc.stderr
    assert proc.returncode != 0, out[-3000:]
    assert "Personvernvakten stoppet byggingen" in out and "kontor A" in out, out[-3000:]
    assert file_hint in out, out[-3000:]
    assert "Oppdiktby" not in out and "oppdiktby" not in out.lower()
    for name, data in before.items():
        assert (repo / "build" / name).read_bytes() == data, f"{name} changed after a stop"


def test_a_name_in_a_diagram_label_stops_an_html_only_build(published):
    """The label is drawn as outlines in the PDF and sits in an embedded SVG in the HTML; the
    alt text does not carry it. The SVG the figure is drawn from is checked."""
    repo, before = published
    (repo / "config" / "offices.private.yaml").write_text(MAPPING, encoding="utf-8")
    spec = repo / "data" / "thesis" / "diagrammer.yaml"
    spec.write_text(spec.read_text(encoding="utf-8").replace('navn: "Regelstyring"', 'navn: "Oppdiktbymodellen"'),
                    encoding="utf-8")
    approve(repo)
    proc = run_snakemake(repo, "--config", "formats=[html]", env=EPOCH)
    assert_stopped(proc, repo, before, "figurer/hofstede.svg")


def test_adding_the_mapping_after_a_build_checks_the_published_report_again(published):
    """A report built before the mapping existed is checked again when the mapping appears,
    with nothing else changed (it used to be "Nothing to be done")."""
    repo, _ = published
    table = repo / "data" / "thesis" / "tabell_4_1.csv"
    table.write_text(table.read_text(encoding="utf-8").replace("Bruker målekortet lite",
                                                               "Bruker målekortet lite i Oppdiktby"), encoding="utf-8")
    approve(repo)
    first = run_snakemake(repo, env=EPOCH)
    assert first.returncode == 0, first.stderr[-3000:]  # no mapping yet: nothing is private
    before = {n: (repo / "build" / n).read_bytes() for n in ("report.html", "report.pdf")}
    (repo / "config" / "offices.private.yaml").write_text(MAPPING, encoding="utf-8")
    proc = run_snakemake(repo, env=EPOCH)
    assert "Nothing to be done" not in proc.stdout + proc.stderr
    assert_stopped(proc, repo, before, "build/results/verktoy.json")


# A stand-in for Quarto that leaks into its website only: with real Quarto a name in the output
# comes from a chapter source or a result, which guard_intermediates stops first, so real Quarto
# cannot show that the site itself is read (tests/test_quarto.py renders with real Quarto).
STAND_IN = """#!/usr/bin/env python3
import os, sys, pathlib
args = sys.argv[1:]
if args == ["--version"]:
    print("1.11.0"); sys.exit(0)
out = pathlib.Path(args[args.index("--output-dir") + 1])
(out / "kapitler").mkdir(parents=True, exist_ok=True)
if args[args.index("--to") + 1] == "html":
    (out / "index.html").write_text("<html><body>bok</body></html>")
    # A chapter page of Quarto's website, with the name split by markup.
    (out / "kapitler" / "04-analyse.html").write_text("<p>Kontor A ligger i Oppdikt<strong>by</strong>.</p>")
else:
    sys.exit(1)
"""


def test_quarto_engine_outputs_are_checked(published, tmp_path):
    repo, before = published
    (repo / "config" / "offices.private.yaml").write_text(MAPPING, encoding="utf-8")
    bindir = tmp_path / "bin"
    bindir.mkdir()
    exe = bindir / "quarto"
    exe.write_text(STAND_IN)
    exe.chmod(exe.stat().st_mode | stat.S_IEXEC)
    proc = run_snakemake(repo, "--config", "engine=quarto", "formats=[html]",
                         env={**EPOCH, "PATH": f"{bindir}{os.pathsep}{os.environ['PATH']}"})
    assert_stopped(proc, repo, before, "build/staging/quarto/kapitler/04-analyse.html")
