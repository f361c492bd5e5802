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


def test_every_table_in_the_pdf_has_its_numbered_caption_on_the_same_page_as_the_table(built_repo):
    """Each table's "Tabell X.Y. …" caption, from 4.1 to the last table of Vedlegg G, stands on
    the page where its table begins: never left alone at the foot of the page before (Tabell
    G.3 was, behind a figure Typst placed at the top of the next page)."""
    html = (built_repo / "build" / "report.html").read_text(encoding="utf-8")
    numbers = re.findall(r"<caption>\s*Tabell\s([0-9A-Z]+\.\d+)\.", html)
    assert {"4.1", "4.2", "G.1", "G.2", "G.3"} <= set(numbers), numbers
    seen = []
    for page in PdfReader(built_repo / "build" / "report.pdf").pages:
        lines = [line for line in page.extract_text().splitlines() if line.strip()]
        body = lines[:-1]  # the last line is the page number
        for i, line in enumerate(body):
            m = re.match(r"Tabell\s([0-9A-Z]+\.\d+)\. ", line)
            if m:
                seen.append(m.group(1))
                assert i < len(body) - 1, f"Tabell {m.group(1)}: the caption ends its page, the table is on the next"
    assert seen == numbers


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
    assert 'class="hl"' in html and "★" in html


def test_second_run_has_nothing_to_do(built_repo):
    proc = run_snakemake(built_repo, "-n")
    assert proc.returncode == 0
    assert "Nothing to be done" in proc.stdout + proc.stderr


def test_changing_a_malekort_file_reruns_only_what_depends_on_it(built_repo):
    """A changed (and approved) målekort export re-runs cleaning, results and the chapters that
    read results, not the theory or method chapters."""
    import subprocess
    import sys

    f = built_repo / "data/raw/malekort/2014/malekort_2014.csv"
    original = f.read_bytes()
    f.write_bytes(original + b"\n")  # same values, new bytes
    env = dict(os.environ, NAVRAPPORT_ROOT=str(built_repo), PYTHONPATH=str(built_repo))
    try:
        blocked = run_snakemake(built_repo, "-n")
        assert blocked.returncode != 0 and "malekort_2014.csv: endret" in blocked.stdout + blocked.stderr
        subprocess.run([sys.executable, "-m", "scripts.guard.manifest", "approve"], cwd=built_repo, env=env, check=True)
        out = run_snakemake(built_repo, "-n", "--quiet", "rules")
        plan = set(re.findall(r"^(\w+)\s+\d+\s*$", out.stdout + out.stderr, re.M))
        assert {"clean_malekort", "results", "render"} <= plan, out.stdout
        assert "facts" not in plan and "diagrams" not in plan
        jobs = run_snakemake(built_repo, "-n", "--printshellcmds")
        shell = jobs.stdout + jobs.stderr
        assert "report/04-analyse.qmd" in shell and "report/02-teori.qmd" not in shell
    finally:
        f.write_bytes(original)
        subprocess.run([sys.executable, "-m", "scripts.guard.manifest", "approve"], cwd=built_repo, env=env, check=True)


def sha(p):
    return hashlib.sha256(p.read_bytes()).hexdigest()


def test_two_clean_builds_are_byte_identical_and_python_opens_no_connection(built_repo, tmp_path):
    """A second clean build in another folder gives the same bytes; every socket.connect of the
    build's Python processes is refused and logged (tests/fixtures/nonet), and none is tried."""
    repo = copy_repo(tmp_path / "second")
    log = tmp_path / "net.log"
    env = {"SOURCE_DATE_EPOCH": "1430352000", "NAVRAPPORT_NET_LOG": str(log),
           "PYTHONPATH": f"{ROOT / 'tests/fixtures/nonet'}{os.pathsep}{repo}"}
    proc = run_snakemake(repo, env=env)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert not log.exists() or log.read_text() == "", log.read_text()
    for name in ("report.pdf", "report.html"):
        assert sha(repo / "build" / name) == sha(built_repo / "build" / name), name


def network_namespace() -> list[str]:
    """The command prefix that runs a program with no network at all (a new, empty network
    namespace: only a loopback device that is down), or a skip saying why it is not possible."""
    import shutil
    import subprocess

    unshare = shutil.which("unshare")
    if unshare is None:
        pytest.skip("no network namespace: the 'unshare' program (util-linux) is missing")
    if os.geteuid() != 0:
        pytest.skip("no network namespace: 'unshare -n' needs root, and the tests run as another user")
    made = subprocess.run([unshare, "-n", "true"], capture_output=True, text=True)
    if made.returncode != 0:
        pytest.skip(f"no network namespace: 'unshare -n' failed here ({made.stderr.strip()})")
    return [unshare, "-n"]


def test_the_build_needs_no_network_at_all_name_lookups_and_child_programs_included(built_repo, tmp_path):
    """A clean build inside a network namespace with no network: Python, name lookups, Pandoc and
    Typst all run without one. The build succeeds and gives the same bytes as the ordinary build."""
    import subprocess
    import sys

    prefix = network_namespace()
    probe = subprocess.run([*prefix, sys.executable, "-c", "import socket; socket.getaddrinfo('data.ssb.no', 443)"],
                           capture_output=True, text=True)
    assert probe.returncode != 0 and "gaierror" in probe.stderr, "the namespace can still resolve names"
    repo = copy_repo(tmp_path / "offline")
    env = dict(os.environ, NAVRAPPORT_ROOT=str(repo), PYTHONPATH=str(repo), SOURCE_DATE_EPOCH="1430352000")
    exe = os.path.join(os.path.dirname(sys.executable), "snakemake")
    proc = subprocess.run([*prefix, exe, "--cores", "2"], cwd=repo, env=env, capture_output=True, text=True,
                          timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    for name in ("report.pdf", "report.html"):
        assert sha(repo / "build" / name) == sha(built_repo / "build" / name), name


def test_privacy_guard_stops_a_leak_and_writes_no_report(tmp_path):
    """A made-up private mapping ('Oppdiktby', '9901' are invented) and a careless data edit
    that puts the name into Tabell 4.1: the build must stop and publish nothing."""
    import subprocess
    import sys

    repo = copy_repo(tmp_path)
    (repo / "config" / "offices.private.yaml").write_text(
        "offices:\n  A: '9901'\nnames:\n  A: Oppdiktby\n", encoding="utf-8")
    table = repo / "data" / "thesis" / "tabell_4_1.csv"
    table.write_text(table.read_text(encoding="utf-8").replace("Bruker målekortet lite",
                                                               "Bruker målekortet lite (Oppdiktby)"), encoding="utf-8")
    env = dict(os.environ, NAVRAPPORT_ROOT=str(repo), PYTHONPATH=str(repo))
    subprocess.run([sys.executable, "-m", "scripts.guard.manifest", "approve"], cwd=repo, env=env, check=True)
    proc = run_snakemake(repo)
    out = proc.stdout + proc.stderr
    assert proc.returncode != 0
    assert "Personvernvakten stoppet byggingen" in out and "kontor A" in out and "Oppdiktby" not in out
    assert not (repo / "build" / "report.pdf").exists() and not (repo / "build" / "report.html").exists()


def files_on_disk(repo):
    """Every file under the project with its size and modification time, Snakemake's own
    bookkeeping (.snakemake/) left out."""
    return {str(p.relative_to(repo)): (p.stat().st_size, p.stat().st_mtime_ns) for p in repo.rglob("*")
            if p.is_file() and ".snakemake" not in p.relative_to(repo).parts}


def test_reading_the_workflow_changes_nothing_and_the_build_changes_no_tracked_file(tmp_path):
    """`snakemake -n` writes, moves and deletes nothing, also when a published report was deleted
    by hand; a build writes only under build/ and logs/, and every tracked file keeps its bytes."""
    import subprocess

    repo = copy_repo(tmp_path)
    before = files_on_disk(repo)
    assert run_snakemake(repo, "-n").returncode == 0
    assert files_on_disk(repo) == before
    proc = run_snakemake(repo, env={"SOURCE_DATE_EPOCH": "1430352000"})
    assert proc.returncode == 0, proc.stderr[-3000:]
    tracked = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout.split()
    changed = [f for f in tracked if (ROOT / f).is_file() and (repo / f).read_bytes() != (ROOT / f).read_bytes()]
    assert changed == []
    new = {f for f in files_on_disk(repo) if f not in before}
    assert {f.split("/")[0] for f in new} <= {"build", "logs"}, sorted(new)[:20]
    # A report deleted by hand: the plan publishes it again, and reading the plan deletes nothing.
    (repo / "build/report.pdf").unlink()
    before = files_on_disk(repo)
    plan = run_snakemake(repo, "-n")
    assert plan.returncode == 0 and "publish" in plan.stdout
    assert files_on_disk(repo) == before
    assert run_snakemake(repo, env={"SOURCE_DATE_EPOCH": "1430352000"}).returncode == 0
    assert (repo / "build/report.pdf").is_file()
    assert "Nothing to be done" in run_snakemake(repo, "-n").stdout


def test_approving_a_new_file_updates_the_data_appendix(tmp_path):
    """A new input file is listed as new; after `python -m scripts.guard.manifest approve` the next
    build lists it as approved (the manifest is an input of the appendix's step)."""
    import json
    import subprocess
    import sys

    repo = copy_repo(tmp_path)
    extra = repo / "data/templates/ekstra_mal.csv"
    extra.write_text("kontor;aar\n", encoding="utf-8")  # a made-up new input file
    env = dict(os.environ, NAVRAPPORT_ROOT=str(repo), PYTHONPATH=str(repo), SOURCE_DATE_EPOCH="1430352000")

    def status():
        assert run_snakemake(repo, env={"SOURCE_DATE_EPOCH": "1430352000"}).returncode == 0
        rows = json.loads((repo / "build/results/datagrunnlag.json").read_text(encoding="utf-8"))["filer"]
        return next(r["status"] for r in rows if r["sti"] == "data/templates/ekstra_mal.csv")

    assert status() == "ny"
    subprocess.run([sys.executable, "-m", "scripts.guard.manifest", "approve"], cwd=repo, env=env, check=True,
                   capture_output=True)
    assert status() == "godkjent"
