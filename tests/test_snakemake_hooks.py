"""Snakemake internals the workflow relies on for speed (see scripts.pipeline.no_rate_limit).
If a Snakemake upgrade moves them, this fails instead of builds silently getting slower."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_rate_limit_hook_reaches_the_scheduler(tmp_path):
    (tmp_path / "Snakefile").write_text(
        "from scripts import pipeline\n"
        "onstart:\n"
        "    print('rate limit off:', pipeline.no_rate_limit(workflow), workflow.scheduler.job_rate_limiter)\n"
        "rule a:\n"
        "    output: 'a.txt'\n"
        "    shell: 'touch {output}'\n", encoding="utf-8")
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    proc = subprocess.run([str(Path(sys.executable).parent / "snakemake"), "--cores", "1"], cwd=tmp_path,
                          env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "rate limit off: True None" in proc.stdout + proc.stderr
    assert (tmp_path / "a.txt").exists()
