"""Failures lose nothing: a killed build re-runs to the same report, and a build that fails
(a chapter, the privacy guard, Quarto) leaves the last published report byte-identical."""
import hashlib
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from tests.conftest import copy_repo, run_snakemake

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


def start(repo, pause: str, fifo: Path):
    """A build in its own session that stops at ``pause`` (scripts/atomic.py, pause_point)."""
    env = dict(os.environ, NAVRAPPORT_ROOT=str(repo), PYTHONPATH=str(repo), SOURCE_DATE_EPOCH="1430352000",
               NAVRAPPORT_TEST_PAUSE=f"{pause}={fifo}")
    exe = Path(sys.executable).parent / "snakemake"
    return subprocess.Popen([str(exe), "--cores", "2"], cwd=repo, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)


def wait_for_pause(fifo: Path, proc, timeout: float = 300) -> int | None:
    """Open the pipe for writing: that returns when the step has opened it for reading, i.e. is
    blocked at its pause point. The step stays blocked until the returned descriptor is closed,
    so close it only after the kill. None if the build ended (or the time ran out) first."""
    opened: list[int] = []
    t = threading.Thread(target=lambda: opened.append(os.open(fifo, os.O_WRONLY)), daemon=True)
    t.start()
    end = time.monotonic() + timeout
    while t.is_alive() and proc.poll() is None and time.monotonic() < end:
        t.join(0.2)
    if not opened:  # free the waiting open, so the thread ends
        os.close(os.open(fifo, os.O_RDONLY | os.O_NONBLOCK))
        t.join()
        for fd in opened:
            os.close(fd)
        return None
    return opened[0]


def sha(p):
    return hashlib.sha256(p.read_bytes()).hexdigest()


def tree(root: Path) -> dict[str, str]:
    """Every file under ``root`` (hidden ones included) -> sha256."""
    return {str(p.relative_to(root)): sha(p) for p in sorted(root.rglob("*")) if p.is_file()}


# One pause per step of the build, at the moment that matters for it: the temporary file written
# but not yet renamed ("written"), or the output in place before the step has exited ("renamed").
PAUSES = [
    "build/data/malekort_2014.csv@written",               # clean (målekort)
    "build/data/kostra_kontor_2014.csv@renamed",          # clean (KOSTRA per office)
    "build/results/fakta.json@written",                   # facts
    "build/results/resultater.json@written",              # results (the gap the issue found)
    "build/results/resultater.json@renamed",
    "build/results/figurer/resultater.svg@written",       # result figure
    "build/results/figurer/hofstede.svg@renamed",         # diagrams
    "build/results/datagrunnlag.json@written",            # datagrunnlag
    "build/chapters/04-analyse.figures/fig-resultater.svg@written",  # chapter: a figure
    "build/chapters/04-analyse.md@written",               # chapter: the markdown
    "build/staging/.report.pdf.typ@written",              # render pdf: Typst source (scratch)
    "build/staging/report.pdf@written",                   # render pdf
    "build/staging/report.html@renamed",                  # render html
    "build/staging/guard_intermediates.json@written",     # privacy guard: intermediates
    "build/staging/guard.json@written",                   # privacy guard: documents
    "build/report.html@renamed",                          # publish: one document out, one to go
    "build/report.pdf@written",                           # publish
]


@pytest.mark.parametrize("pause", PAUSES)
def test_a_build_killed_at_each_step_reruns_to_the_same_bytes_and_leaves_no_temporary_file(
        pause, tmp_path, built_repo):
    """SIGKILL to the whole process group (no clean-up at all) while one step is held at a named
    point, then Snakemake's documented unlock and an ordinary run."""
    repo = copy_repo(tmp_path / "repo")
    fifo = tmp_path / "pause.fifo"
    os.mkfifo(fifo)
    proc = start(repo, pause, fifo)
    writer = None
    try:
        writer = wait_for_pause(fifo, proc)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        if writer is not None:
            os.close(writer)
    assert writer is not None, f"the build ended before it reached {pause}"
    target, _, point = pause.partition("@")
    assert (repo / target).exists() == (point == "renamed")
    assert run_snakemake(repo, "--unlock").returncode == 0
    done = run_snakemake(repo, env={"SOURCE_DATE_EPOCH": "1430352000"})
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    after = tree(repo / "build")
    # Snakemake's own marker in a directory output (a chapter's figures) is not a left-over.
    assert [f for f in after if (Path(f).name.startswith(".") and Path(f).name != ".snakemake_timestamp")
            or f.endswith(".tmp")] == []
    assert after == tree(built_repo / "build")


@pytest.fixture
def published(tmp_path, built_repo):
    """A copy of the built repository (report published, Snakemake's records included)."""
    import shutil

    repo = tmp_path / "repo"
    shutil.copytree(built_repo, repo, symlinks=True)
    return repo, {n: (repo / "build" / n).read_bytes() for n in ("report.html", "report.pdf")}


def assert_kept(repo, before, proc):
    out = proc.stdout + proc.stderr
    assert proc.returncode != 0, out[-2000:]
    for name, data in before.items():
        assert (repo / "build" / name).read_bytes() == data, f"{name} was changed by a failed build"
    assert "forrige rapport er beholdt uendret" in out and "build/report.pdf" in out


def test_failed_chapter_keeps_the_last_report(published):
    repo, before = published
    qmd = repo / "report" / "03-metode.qmd"
    qmd.write_text(qmd.read_text(encoding="utf-8") + "\n```{python}\n#| label: knekk\n1 / 0\n```\n",
                   encoding="utf-8")
    proc = run_snakemake(repo, env={"SOURCE_DATE_EPOCH": "1430352000"})
    assert_kept(repo, before, proc)
    assert "03-metode.qmd: celle «knekk»" in proc.stderr and "ZeroDivisionError" in proc.stderr


def test_privacy_stop_keeps_the_last_report_and_publishes_nothing_new(published):
    """A made-up private mapping ('Oppdiktby' and '9901' are invented) added after a build,
    and the name put into Tabell 4.1 by a careless edit."""
    repo, before = published
    (repo / "config" / "offices.private.yaml").write_text(
        "offices:\n  A: '9901'\nnames:\n  A: Oppdiktby\n", encoding="utf-8")
    table = repo / "data" / "thesis" / "tabell_4_1.csv"
    table.write_text(table.read_text(encoding="utf-8").replace(
        "Bruker målekortet lite", "Bruker målekortet lite (Oppdiktby)"), encoding="utf-8")
    env = dict(os.environ, NAVRAPPORT_ROOT=str(repo), PYTHONPATH=str(repo))
    subprocess.run([sys.executable, "-m", "scripts.guard.manifest", "approve"], cwd=repo, env=env, check=True)
    proc = run_snakemake(repo, env={"SOURCE_DATE_EPOCH": "1430352000"})
    assert_kept(repo, before, proc)
    assert "Personvernvakten stoppet byggingen" in proc.stderr and "kontor A" in proc.stderr
    assert "Oppdiktby" not in proc.stdout + proc.stderr
    assert not list((repo / "build").glob("report.*.tmp")) and not list((repo / "build").glob(".report*"))


def test_a_full_disk_while_publishing_keeps_the_last_report(published, tmp_path):
    """The publish step itself fails halfway through writing the PDF. Snakemake deletes a job's
    outputs before it runs unless they are flagged update(); the script swaps in all or nothing."""
    repo, before = published
    qmd = repo / "report" / "03-metode.qmd"
    qmd.write_text(qmd.read_text(encoding="utf-8") + "\nEn setning til, så rapporten bygges på nytt.\n",
                   encoding="utf-8")
    # Every Python process of the build loads tests/fixtures/diskfull: the temporary file of the
    # published PDF (written only by the publish step) gets 100 bytes, then the disk is full.
    proc = run_snakemake(repo, env={"SOURCE_DATE_EPOCH": "1430352000", "NAVRAPPORT_FULL_DISK": "*/build/.report.pdf.*.tmp",
                                    "PYTHONPATH": f"{repo / 'tests/fixtures/diskfull'}{os.pathsep}{repo}"})
    assert_kept(repo, before, proc)
    assert ("build/report.pdf: kunne ikke skrive rapporten (disken er full); ingenting er publisert; forrige "
            "rapport er beholdt uendret") in proc.stderr
    assert [p.name for p in (repo / "build").iterdir() if p.name.startswith(".")] == []
    assert not list((repo / "build" / "staging").glob("published*.json"))  # so the next build publishes
    # The disk has room again: the next build publishes the new report, both documents.
    done = run_snakemake(repo, env={"SOURCE_DATE_EPOCH": "1430352000"})
    assert done.returncode == 0, done.stderr[-3000:]
    for name in ("report.html", "report.pdf"):
        assert (repo / "build" / name).read_bytes() != before[name], name


def test_a_deleted_report_is_published_again(published):
    """The reports are not Snakemake outputs (a receipt is): the receipt no longer matches, so
    the next build publishes the same checked bytes again, and then has nothing to do."""
    repo, before = published
    (repo / "build" / "report.pdf").unlink()
    proc = run_snakemake(repo, env={"SOURCE_DATE_EPOCH": "1430352000"})
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert {n: (repo / "build" / n).read_bytes() for n in before} == before
    again = run_snakemake(repo, "-n", env={"SOURCE_DATE_EPOCH": "1430352000"})
    assert "Nothing to be done" in again.stdout + again.stderr


def _session_members(sid: int) -> list[str]:
    """Processes (other than zombies) whose session is ``sid``."""
    alive = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue
        fields = text[text.rindex(")") + 2:].split()
        if fields[0] != "Z" and int(fields[3]) == sid:
            alive.append(text[: text.rindex(")") + 1])
    return alive


def test_nothing_outlives_the_build_and_nothing_is_left_in_tmp(tmp_path):
    """A clean build in its own session and its own TMPDIR: when snakemake returns, no process
    of that session is alive and the temporary folder is empty again."""
    repo = copy_repo(tmp_path / "repo")
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    env = dict(os.environ, NAVRAPPORT_ROOT=str(repo), PYTHONPATH=str(repo), TMPDIR=str(tmp),
               SOURCE_DATE_EPOCH="1430352000")
    exe = Path(sys.executable).parent / "snakemake"
    proc = subprocess.Popen([str(exe), "--cores", "2"], cwd=repo, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, start_new_session=True)
    out = proc.communicate(timeout=600)[0].decode("utf-8", "replace")
    assert proc.returncode == 0, out[-3000:]
    assert _session_members(proc.pid) == []
    assert list(tmp.iterdir()) == []


def test_a_folder_where_the_report_belongs_stops_before_any_job(published):
    repo, before = published
    (repo / "build" / "report.html").unlink()
    (repo / "build" / "report.html").mkdir()
    proc = run_snakemake(repo)
    assert proc.returncode != 0
    assert "build/report.html er en mappe; her skal rapportfilen ligge" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert (repo / "build" / "report.pdf").read_bytes() == before["report.pdf"]


def test_publish_names_a_report_it_cannot_write(tmp_path):
    """The publish step itself, with a folder in the way (found at parse time in a real build)."""
    import hashlib
    import json

    from scripts.guard import publish

    staged = tmp_path / "staging" / "report.html"
    staged.parent.mkdir()
    staged.write_bytes(b"<html></html>")
    stamp = tmp_path / "guard.json"
    stamp.write_text(json.dumps({"kontrollert": {str(staged): hashlib.sha256(b"<html></html>").hexdigest()}}))
    (tmp_path / "out" / "report.html").mkdir(parents=True)
    with pytest.raises(publish.PublishError) as info:
        publish.publish([staged], stamp, dest=tmp_path / "out")
    assert str(info.value) == (f"{tmp_path / 'out' / 'report.html'}: kunne ikke skrive rapporten (det ligger en "
                               "mappe der rapportfilen skal ligge); ingenting er publisert; forrige rapport er "
                               "beholdt uendret")
    staged.write_bytes(b"<html>endret etter kontrollen</html>")
    with pytest.raises(publish.PublishError, match="endret etter personvernkontrollen"):
        publish.publish([staged], stamp, dest=tmp_path / "fresh")
    assert not (tmp_path / "fresh").exists()
