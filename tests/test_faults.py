"""Interrupting a build loses nothing: kill snakemake mid-way, run again, same report."""
import hashlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import copy_repo, run_snakemake

pytestmark = pytest.mark.e2e


def start(repo):
    env = dict(os.environ, NAVRAPPORT_ROOT=str(repo), PYTHONPATH=str(repo), SOURCE_DATE_EPOCH="1430352000")
    exe = Path(sys.executable).parent / "snakemake"
    return subprocess.Popen([str(exe), "--cores", "2"], cwd=repo, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)


def kill_when(proc, condition, timeout=300):
    end = time.time() + timeout
    while time.time() < end:
        if condition():
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
            return True
        if proc.poll() is not None:
            return False
        time.sleep(0.05)
    os.killpg(proc.pid, signal.SIGKILL)
    return False


def sha(p):
    return hashlib.sha256(p.read_bytes()).hexdigest()


@pytest.mark.parametrize("stage", ["chapter", "render"])
def test_kill_and_rerun_gives_the_same_report(stage, tmp_path, built_repo):
    """SIGKILL to the whole process group (no clean-up at all), then an ordinary re-run."""
    repo = copy_repo(tmp_path)
    proc = start(repo)
    if stage == "chapter":
        cond = lambda: any((repo / "logs" / "chapter").glob("*.log"))  # noqa: E731
    else:
        cond = lambda: (repo / "logs" / "render_pdf.log").exists() or (repo / "logs" / "render_html.log").exists()  # noqa: E731
    killed = kill_when(proc, cond)
    assert killed, f"the build finished before the {stage} stage could be interrupted"
    assert not (repo / "build" / "report.pdf").exists()
    done = run_snakemake(repo, env={"SOURCE_DATE_EPOCH": "1430352000"})
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    for name in ("report.pdf", "report.html"):
        assert sha(repo / "build" / name) == sha(built_repo / "build" / name), name
    # No half-written leftovers from the killed run.
    assert not [f for f in (repo / "build").rglob(".*.tmp")]
