"""Office reports end to end: `snakemake kontorrapporter` in a temporary copy, read as a reviewer would.

The made-up offices (K001 …), the private mapping ('Oppdiktby', '9901') and every value in
the generated folder are invented for the test (oppdiktede testdata).
"""
import hashlib
import html
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from pypdf import PdfReader

from scripts.guard.extract import INLINE_TAG, TAG
from tests.conftest import ROOT, copy_repo, run_snakemake

pytestmark = pytest.mark.e2e

SDE = {"SOURCE_DATE_EPOCH": "1430352000"}
MADE_UP = ["kontor_data=build/oppdiktet/8", "kontor_years=[2013,2014]", "kontor_grupper=storrelse",
           "kontor_storrelser=[20000]"]


def html_text(markup: str) -> str:
    """The page's text as a reader sees it: inline markup joins, other elements separate."""
    body = re.sub(r"(?is)<(style|script)\b.*?</\1>", " ", markup)
    return html.unescape(TAG.sub(" ", INLINE_TAG.sub("", body)))


def generate(repo: Path, n: int = 8, out: str = "build/oppdiktet/8") -> None:
    env = dict(os.environ, NAVRAPPORT_ROOT=str(repo), PYTHONPATH=str(repo))
    subprocess.run([sys.executable, "-m", "scripts.data.generate", "--offices", str(n), "--seed", "5",
                    "--years", "2013", "2014", "--out", out], cwd=repo, env=env, check=True, capture_output=True)


@pytest.fixture(scope="module")
def repo(tmp_path_factory):
    repo = copy_repo(tmp_path_factory.mktemp("kontor"))
    proc = run_snakemake(repo, "kontorrapporter", env=SDE)
    assert proc.returncode == 0, proc.stderr[-4000:]
    generate(repo)
    proc = run_snakemake(repo, "kontorrapporter", "--config", *MADE_UP, env=SDE)
    assert proc.returncode == 0, proc.stderr[-4000:]
    return repo


def shipped(repo):
    return repo / "build" / "kontorrapporter"


def made_up(repo):
    return repo / "build" / "kontorrapporter" / "8"


def pages(pdf: Path) -> list[str]:
    doc = pdfium.PdfDocument(pdf)
    try:
        return [p.get_textpage().get_text_range() for p in doc]
    finally:
        doc.close()


def test_one_report_per_office_of_the_shipped_data_and_the_main_report_untouched(repo):
    assert sorted(p.name for p in shipped(repo).glob("*.*")) == [f"{k}.{f}" for k in "ABCDEF" for f in ("html", "pdf")]
    assert sorted(p.stem for p in made_up(repo).glob("*.pdf")) == [f"K{i:03d}" for i in range(1, 9)]
    # Only the office rules ran: no chapter, no main report.
    assert not (repo / "build" / "report.pdf").exists() and not (repo / "build" / "chapters").exists()
    # Staged documents and stamps are gone once published.
    assert not list((repo / "build" / "kontor" / "staging").glob("*"))


@pytest.mark.parametrize("which", ["shipped", "made_up"])
def test_pdfs_are_two_to_four_pages_tagged_pdf_ua_in_norwegian(repo, which):
    folder = shipped(repo) if which == "shipped" else made_up(repo)
    for pdf in sorted(folder.glob("*.pdf")):
        reader = PdfReader(pdf)
        assert 2 <= len(reader.pages) <= 4, (pdf.name, len(reader.pages))
        root = reader.trailer["/Root"]
        assert root["/Lang"] == "nb-NO" and root["/MarkInfo"]["/Marked"] and "/StructTreeRoot" in root
        xmp = root["/Metadata"].get_object().get_data().decode("utf-8")
        assert re.search(r"pdfuaid:part[^0-9]*1", xmp), pdf.name
        assert reader.metadata.title == f"Kontorrapport 2014: kontor {pdf.stem}"


def test_made_up_reports_say_so_on_every_page_and_shipped_ones_never(repo):
    for pdf in made_up(repo).glob("*.pdf"):
        assert all("Oppdiktede testdata" in page for page in pages(pdf)), pdf.name
        html = (pdf.with_suffix(".html")).read_text(encoding="utf-8")
        assert html.count("Oppdiktede testdata:") == 2  # top and end of the one HTML page
    for f in shipped(repo).glob("*.*"):
        text = "\n".join(pages(f)) if f.suffix == ".pdf" else html_text(f.read_text(encoding="utf-8"))
        assert "ppdiktede testdata" not in text, f.name


def test_a_report_names_only_its_own_office(repo):
    for f in made_up(repo).glob("*.*"):
        text = "\n".join(pages(f)) if f.suffix == ".pdf" else html_text(f.read_text(encoding="utf-8"))
        assert set(re.findall(r"K\d{3}", text)) == {f.stem}, f.name
    for f in shipped(repo).glob("*.*"):
        text = "\n".join(pages(f)) if f.suffix == ".pdf" else html_text(f.read_text(encoding="utf-8"))
        others = set(re.findall(r"[Kk]ontor ([A-F])\b", text)) - {f.stem}
        assert others == set(), (f.name, others)


def test_report_content_values_change_middle_half_and_sources(repo):
    text = re.sub(r"\s+", " ", html_text((shipped(repo) / "F.html").read_text(encoding="utf-8")))
    # Kontor F: 56 % of job seekers to work (Tabell 4.2), no rank and no best-value mark.
    assert "56 %" in text and not re.search(r"\b\d av 6\b|★|beste verdi\)", text)
    assert "Slik leser du rapporten" in text and "Datakilder" in text and ".csv" not in text
    assert "Endring fra året før" not in text  # the shipped data have 2014 only: no empty column
    assert "den midtre halvdelen" in text and "Om de andre kontorene." in text
    made = re.sub(r"\s+", " ", html_text((made_up(repo) / "K001.html").read_text(encoding="utf-8")))
    assert "Endring fra året før" in made and re.search(r"prosentpoeng \((bedre|svakere)\)|uendret", made)
    assert not re.search(r"\b\d av 8\b", made)


def test_no_report_prints_another_offices_value_in_any_format(repo):
    """The attacker's view: every office's public values. Every number with a unit in a report's
    HTML text, image descriptions, PDF text (the figure's labels included) and PDF metadata is
    the office's own, a shown aggregate or a published reference figure."""
    from scripts.content import kontor as report
    from tests.test_kontor_disclosure import allowed, printed_numbers

    tables = json.loads((repo / "build" / "kontor" / "tabeller.json").read_text(encoding="utf-8"))
    refs = {report.value(next(i for i in tables["indikatorer"] if i["id"] == ind_id), r["verdi"])
            for ind_id, rows in tables["referanser"].items() for r in rows}
    for office in "ABCDEF":
        html = (shipped(repo) / f"{office}.html").read_text(encoding="utf-8")
        alts = " ".join(re.findall(r'(?:alt|aria-label)="([^"]*)"', html))
        reader = PdfReader(shipped(repo) / f"{office}.pdf")
        meta = " ".join(str(v) for v in (reader.metadata or {}).values())
        text = "\n".join([html_text(html), html.replace("&nbsp;", "\u00a0"), alts, meta,
                          *pages(shipped(repo) / f"{office}.pdf")]).replace(" %", "\u00a0%").replace(" kr", "\u00a0kr")
        assert printed_numbers(text) <= allowed(tables, office) | refs, office


def test_second_run_has_nothing_to_do(repo):
    for config in ([], ["--config", *MADE_UP]):
        proc = run_snakemake(repo, "kontorrapporter", *config, "-n", env=SDE)
        assert proc.returncode == 0 and "Nothing to be done" in proc.stdout + proc.stderr, proc.stdout[-2000:]


def test_same_bytes_from_a_second_clean_build(repo, tmp_path):
    again = copy_repo(tmp_path / "again")
    generate(again)
    proc = run_snakemake(again, "kontorrapporter", "--config", *MADE_UP, env=SDE)
    assert proc.returncode == 0, proc.stderr[-3000:]
    for f in made_up(repo).glob("*.*"):
        assert (made_up(again) / f.name).read_bytes() == f.read_bytes(), f.name


def test_a_leak_stops_the_office_reports_and_keeps_the_last_good_ones(repo, tmp_path):
    """A made-up private mapping and a careless source text naming the municipality."""
    work = tmp_path / "leak"
    shutil.copytree(repo, work, ignore=shutil.ignore_patterns(".snakemake"))
    before = {f.name: hashlib.sha256(f.read_bytes()).hexdigest() for f in made_up(work).glob("*.*")}
    (work / "config" / "offices.private.yaml").write_text("offices:\n  A: '9901'\nnames:\n  A: Oppdiktby\n",
                                                         encoding="utf-8")
    kostra = work / "build" / "oppdiktet" / "8" / "kostra_kontor" / "2014.csv"
    kostra.write_text(kostra.read_text(encoding="utf-8").replace("ikke KOSTRA", "ikke KOSTRA (Oppdiktby)", 1),
                      encoding="utf-8")
    proc = run_snakemake(work, "kontorrapporter", "--config", *MADE_UP, env=SDE)
    out = proc.stdout + proc.stderr
    # Stopped, with the office named and the term masked: the secret never reaches a log.
    assert proc.returncode != 0 and "Personvernvakten stoppet byggingen" in out and "kontor A" in out
    assert "Oppdiktby" not in out
    after = {f.name: hashlib.sha256(f.read_bytes()).hexdigest() for f in made_up(work).glob("*.*")}
    assert after == before


def test_bad_office_name_stops_before_any_job_with_a_norwegian_message(tmp_path):
    work = copy_repo(tmp_path / "bad")
    generate(work, 5, "build/oppdiktet/bad")
    mk = work / "build/oppdiktet/bad/malekort/2014/malekort_2014_oppdiktet.csv"
    mk.write_text(mk.read_text(encoding="utf-8").replace("K003;", "K 3;", 1), encoding="utf-8")
    proc = run_snakemake(work, "kontorrapporter", "--config", "kontor_data=build/oppdiktet/bad")
    assert proc.returncode != 0
    assert "rad 6, kolonne «kontor»: «K 3» kan ikke brukes som kontornavn" in proc.stdout + proc.stderr


A11Y = ROOT / "tests" / "a11y"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.mark.browser
@pytest.mark.skipif(CHROMIUM is None or not (A11Y / "node_modules" / "axe-core").is_dir(),
                    reason="needs chromium and `npm install --prefix tests/a11y` (.ci/run does both)")
@pytest.mark.parametrize("which", ["shipped", "made_up"])
def test_office_html_passes_axe_and_reflows(repo, which):
    page = shipped(repo) / "A.html" if which == "shipped" else made_up(repo) / "K002.html"
    proc = subprocess.run(["node", str(A11Y / "axe_check.js"), str(page)], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    result = json.loads(proc.stdout)
    failing = {width: found for width, found in result["violations"].items() if found}
    scrolls = {width: wide for width, wide in result["reflow"].items() if wide > int(width)}
    assert (failing, scrolls) == ({}, {}), f"axe violations by width {failing}; sideways scrolling {scrolls}"
