"""End-to-end: build the shipped report in a temporary copy and read it as a reviewer would."""
import csv
import hashlib
import os
import re

import pytest
import yaml
from pypdf import PdfReader

from tests.conftest import ROOT, copy_repo, run_snakemake

pytestmark = pytest.mark.e2e


def pdf_text(repo):
    return "\n".join(p.extract_text() for p in PdfReader(repo / "build" / "report.pdf").pages)


def squash(s):
    return re.sub(r"[\s\u00a0\u00ad-]+", "", s)


def test_pdf_contains_every_cell_of_both_tables_and_the_hypotheses(built_repo):
    text = squash(pdf_text(built_repo))
    for row in csv.DictReader(open(ROOT / "data/thesis/tabell_4_1.csv", encoding="utf-8")):
        assert squash(row["tekst"]) in text, row
    inds = {i["id"]: i for i in yaml.safe_load(open(ROOT / "data/thesis/indikatorer.yaml"))["indikatorer"]}
    for row in csv.DictReader(open(ROOT / "data/thesis/tabell_4_2.csv", encoding="utf-8")):
        value = f"{float(row['verdi']):.{inds[row['indikator_id']]['desimaler']}f}".replace(".", ",")
        assert re.search(rf"Kontor{row['kontor']}.*?{re.escape(value)}", text), row
    for h in yaml.safe_load(open(ROOT / "data/thesis/hypoteser.yaml"))["hypoteser"]:
        assert squash(h["tekst"]) in text, h["id"]
    assert "Tabell4.1" in text and "Tabell4.2" in text and "Figur2.1" in text


def test_pdf_has_bookmarks_title_and_page_count(built_repo):
    reader = PdfReader(built_repo / "build" / "report.pdf")
    titles = [o.title if hasattr(o, "title") else None for o in reader.outline if not isinstance(o, list)]
    assert any(t and "Innledning" in t for t in titles)
    assert reader.metadata.title.startswith("Styring i NAV")
    assert len(reader.pages) > 20


def test_html_structure_and_no_external_resources(built_repo):
    html = (built_repo / "build" / "report.html").read_text(encoding="utf-8")
    assert re.search(r'<html[^>]* lang="nb"', html)
    assert '<nav id="TOC"' in html
    ids = set(re.findall(r'id="([^"]+)"', html))
    toc = re.search(r'<nav id="TOC".*?</nav>', html, re.S).group(0)
    targets = re.findall(r'href="#([^"]+)"', toc)
    assert len(targets) > 20 and all(t in ids for t in targets)
    assert html.count("<thead>") >= 2 and "<th" in html
    for img in re.findall(r"<img[^>]*>", html):
        assert re.search(r'alt="[^"]{10,}"', img), img[:200]
    assert not re.search(r'<(script|link|img|iframe)[^>]+(src|href)="(https?:)?//', html)
    assert "@import" not in html and not re.search(r"url\((['\"])?https?:", html)
    assert 'class="hl"' in html and "▲" in html


def test_second_run_has_nothing_to_do(built_repo):
    proc = run_snakemake(built_repo, "-n")
    assert proc.returncode == 0
    assert "Nothing to be done" in proc.stdout + proc.stderr


def test_touching_a_malekort_file_reruns_only_what_depends_on_it(built_repo):
    f = built_repo / "data/raw/malekort/2014/malekort_2014.csv"
    os.utime(f)
    out = run_snakemake(built_repo, "-n", "--quiet", "rules")
    plan = out.stdout + out.stderr
    assert "clean_malekort" in plan and "results" in plan and "render" in plan
    assert "facts" not in re.findall(r"^\s*(\w+)\s+\d+", plan, re.M)
    os.utime(f)  # leave it newer than the outputs only for this check
    run_snakemake(built_repo)


def sha(p):
    return hashlib.sha256(p.read_bytes()).hexdigest()


def test_two_clean_builds_are_byte_identical_and_offline(built_repo, tmp_path):
    repo = copy_repo(tmp_path / "second")
    log = tmp_path / "net.log"
    env = {"SOURCE_DATE_EPOCH": "1430352000", "NAVRAPPORT_NET_LOG": str(log),
           "PYTHONPATH": f"{ROOT / 'tests/fixtures/nonet'}{os.pathsep}{repo}"}
    proc = run_snakemake(repo, env=env)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert not log.exists() or log.read_text() == "", log.read_text()
    for name in ("report.pdf", "report.html"):
        assert sha(repo / "build" / name) == sha(built_repo / "build" / name), name
