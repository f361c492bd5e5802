"""Shared test helpers. Tests build tiny inputs in tmp_path; made-up data are labelled so."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT.parent / "shared" / "seed" / "000_06afcdfa7fc2040d.txt"


def copy_repo(dest: Path) -> Path:
    """A clean copy of the tracked project (no build/, logs/ or .snakemake/)."""
    files = subprocess.run(["git", "ls-files", "-co", "--exclude-standard"], cwd=ROOT,
                           capture_output=True, text=True, check=True).stdout.split()
    for f in files:
        src = ROOT / f
        if src.is_file():
            (dest / f).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest / f)
    return dest


def run_snakemake(repo: Path, *args: str, env: dict | None = None, timeout: int = 600):
    """Run snakemake in ``repo`` with this interpreter's environment."""
    e = dict(os.environ, NAVRAPPORT_ROOT=str(repo), PYTHONPATH=str(repo))
    e.update(env or {})
    exe = Path(sys.executable).parent / "snakemake"
    return subprocess.run([str(exe), "--cores", "2", *args], cwd=repo, env=e, capture_output=True,
                          text=True, timeout=timeout)


@pytest.fixture(scope="session")
def built_repo(tmp_path_factory):
    """One full build of the shipped data in a temporary copy of the repository."""
    repo = copy_repo(tmp_path_factory.mktemp("repo"))
    # Network calls are refused and logged (tests/fixtures/nonet).
    log = repo.parent / "net.log"
    proc = run_snakemake(repo, env={"SOURCE_DATE_EPOCH": "1430352000", "NAVRAPPORT_NET_LOG": str(log),
                                    "PYTHONPATH": f"{ROOT / 'tests/fixtures/nonet'}{os.pathsep}{repo}"})
    assert proc.returncode == 0, proc.stderr[-5000:]
    assert not log.exists() or log.read_text() == "", log.read_text()
    return repo
