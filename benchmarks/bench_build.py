"""Build benchmark (not a test): clean full build, no-op run, incremental rebuild, and the
baseline of executing the same chapters one after another, each in a fresh kernel (what a
Quarto book render does), all in one run on a temporary copy of the repository.

    python benchmarks/bench_build.py [--runs 3]

Targets on a 2-core machine: full ≤ 20 s, no-op ≤ 2 s, incremental ≤ 40 % of full,
full ≥ 1.5× faster than the baseline.
"""
from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.conftest import copy_repo  # noqa: E402


def timed(cmd, cwd, env):
    t = time.perf_counter()
    proc = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True)
    if proc.returncode:
        sys.exit(f"{' '.join(map(str, cmd))} failed:\n{proc.stderr[-3000:]}")
    return time.perf_counter() - t


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=3)
    a = ap.parse_args()
    snake = str(Path(sys.executable).parent / "snakemake")
    res = {"full": [], "noop": [], "incremental": [], "baseline": []}
    with tempfile.TemporaryDirectory() as tmp:
        repo = copy_repo(Path(tmp))
        env = dict(os.environ, NAVRAPPORT_ROOT=str(repo), PYTHONPATH=str(repo), SOURCE_DATE_EPOCH="1430352000")
        build = [snake, "--cores", "2", "--quiet", "all"]
        mk = repo / "data/raw/malekort/2014/malekort_2014.csv"
        original = mk.read_bytes()
        approve = [sys.executable, "-m", "scripts.manifest", "approve"]
        for _ in range(a.runs):
            shutil.rmtree(repo / "build", ignore_errors=True)
            shutil.rmtree(repo / ".snakemake", ignore_errors=True)
            res["full"].append(timed(build, repo, env))
            res["noop"].append(timed(build, repo, env))
            # A real update: one office's year-end value changes (made-up edit, undone below).
            mk.write_bytes(original.replace(b"A;2014;12;bruker;arbeidssokere_overgang_arbeid;", b"A;2014;12;bruker;"
                                            b"arbeidssokere_overgang_arbeid;", 1).replace(b";stat;52;", b";stat;53;", 1))
            timed(approve, repo, env)
            res["incremental"].append(timed(build, repo, env))
            mk.write_bytes(original)
            timed(approve, repo, env)
            timed(build, repo, env)
            # Baseline: the same data steps, then the same chapters one after another, each in a
            # fresh kernel (what a Quarto book render does), then HTML and PDF one after the other.
            shutil.rmtree(repo / "build", ignore_errors=True)
            shutil.rmtree(repo / ".snakemake", ignore_errors=True)
            data_steps = [snake, "--cores", "1", "--quiet", "all", "--"] + [f"build/results/{f}" for f in (
                "fakta.json", "verktoy.json", "resultater.json", "datagrunnlag.json",
                "figurer/resultater.svg", "figurer/hofstede.svg")]
            baseline = ("from scripts.render import load_book, chapter_md, render\n"
                        "from scripts.engine import execute_chapter\n"
                        "for f in load_book().files: execute_chapter(f, chapter_md(f))\n"
                        "render(['html']); render(['pdf'])\n")
            res["baseline"].append(timed(data_steps, repo, env) + timed([sys.executable, "-c", baseline], repo, env))
    med = {k: statistics.median(v) for k, v in res.items()}
    print(f"clean full build     {med['full']:6.1f} s   (target ≤ 20 s)")
    print(f"no-op run            {med['noop']:6.1f} s   (target ≤ 2 s)")
    print(f"incremental rebuild  {med['incremental']:6.1f} s   = {100 * med['incremental'] / med['full']:.0f} % of full (target ≤ 40 %)")
    print(f"baseline (serial)    {med['baseline']:6.1f} s   full build is {med['baseline'] / med['full']:.2f}× faster (target ≥ 1.5×)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
