"""Build benchmark (not a test): clean full build, no-op run, incremental rebuild, and the
baseline of executing the same chapters one after another, each in a fresh kernel (what a
Quarto book render does), all in one run on a temporary copy of the repository.

    python benchmarks/bench_build.py [--runs 3] [--timeline]

``--timeline`` also prints when each step of the last warm incremental rebuild started and
ended (seconds after Snakemake was started), to see where the time goes.

Targets on a 2-core machine: full ≤ 20 s, no-op ≤ 2 s, incremental ≤ 40 % of full,
full ≥ 1.5× faster than the baseline.

What is measured, so the numbers are not flattering by accident:
* "full" starts with no build/, no .snakemake/ and no step worker running (``scripts.step``),
  so it includes the worker's start-up (its imports).
* "incremental" is the next build after a real change: one office's year-end value in the
  målekort export, approved in the manifest. It is measured twice: with the worker still
  running from the build before (the usual edit-and-rebuild case) and with the worker stopped
  first (a rebuild after more than ``NAVRAPPORT_WORKER_IDLE`` seconds).
* "baseline" runs the same data steps with plain Python processes (no worker), then every
  chapter one after another, each in a new kernel process started the standard way, then the
  HTML and the PDF one after the other.
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

DATA_TARGETS = ["fakta.json", "verktoy.json", "resultater.json", "datagrunnlag.json",
                "figurer/resultater.svg", "figurer/hofstede.svg"]
BASELINE = ("from scripts.engine.book import load_book, chapter_md, render\n"
            "from scripts.engine.execute import execute_chapter\n"
            "for f in load_book().files: execute_chapter(f, chapter_md(f), launch='process')\n"
            "render(['html']); render(['pdf'])\n")


def timed(cmd, cwd, env):
    t = time.perf_counter()
    proc = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True)
    if proc.returncode:
        sys.exit(f"{' '.join(map(str, cmd))} failed:\n{proc.stderr[-3000:]}")
    return time.perf_counter() - t


def timeline(log: Path, start: float) -> str:
    """The steps ``NAVRAPPORT_STEP_TIMES`` recorded, as start, end and duration after ``start``."""
    rows = []
    for line in log.read_text(encoding="utf-8").splitlines():
        begin, end, step = line.split(None, 2)
        rows.append((float(begin) - start, float(end) - start, step))
    return "\n".join(f"  {b:5.2f} {e:5.2f} {e - b:5.2f}  {step}" for b, e, step in sorted(rows))


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--timeline", action="store_true", help="print the steps of the last warm rebuild")
    a = ap.parse_args()
    snake = str(Path(sys.executable).parent / "snakemake")
    res = {k: [] for k in ("full", "noop", "incremental", "incremental_cold", "baseline")}
    with tempfile.TemporaryDirectory() as tmp:
        repo = copy_repo(Path(tmp))
        env = dict(os.environ, NAVRAPPORT_ROOT=str(repo), PYTHONPATH=str(repo), SOURCE_DATE_EPOCH="1430352000")
        plain = dict(env, NAVRAPPORT_WORKER="0")
        build = [snake, "--cores", "2", "--quiet", "all"]
        stop = [sys.executable, "-m", "scripts.step", "--stop"]
        approve = [sys.executable, "-m", "scripts.guard.manifest", "approve"]
        mk = repo / "data/raw/malekort/2014/malekort_2014.csv"
        original = mk.read_bytes()
        # A real update: one office's year-end value changes (made-up edit, undone below).
        edited = original.replace(b";stat;52;", b";stat;53;", 1)
        assert edited != original

        def clean():
            timed(stop, repo, env)
            time.sleep(1.5)  # a stopped worker exits within a second
            shutil.rmtree(repo / "build", ignore_errors=True)
            shutil.rmtree(repo / ".snakemake", ignore_errors=True)

        steps_log = Path(tmp) / "steps.txt"
        last_timeline = []

        def change(data, cold):
            mk.write_bytes(data)
            timed(approve, repo, plain)
            if cold:
                timed(stop, repo, env)
                time.sleep(1.5)
            if cold or not a.timeline:
                return timed(build, repo, env)
            steps_log.write_text("", encoding="utf-8")
            start = time.time()
            took = timed(build, repo, dict(env, NAVRAPPORT_STEP_TIMES=str(steps_log)))
            last_timeline[:] = [timeline(steps_log, start)]
            return took

        for _ in range(a.runs):
            clean()
            res["full"].append(timed(build, repo, env))
            res["noop"].append(timed(build, repo, env))
            res["incremental"].append(change(edited, cold=False))
            res["incremental_cold"].append(change(original, cold=True))
            clean()
            res["baseline"].append(timed([snake, "--cores", "1", "--quiet", "all", "--"]
                                         + [f"build/results/{f}" for f in DATA_TARGETS], repo, plain)
                                   + timed([sys.executable, "-c", BASELINE], repo, plain))
        timed(stop, repo, env)
    med = {k: statistics.median(v) for k, v in res.items()}
    full = med["full"]
    print(f"clean full build        {full:6.1f} s   (target ≤ 20 s)")
    print(f"no-op run               {med['noop']:6.1f} s   (target ≤ 2 s)")
    print(f"incremental, warm       {med['incremental']:6.1f} s   = {100 * med['incremental'] / full:.0f} % of full "
          "(target ≤ 40 %)")
    print(f"incremental, cold       {med['incremental_cold']:6.1f} s   = {100 * med['incremental_cold'] / full:.0f} % of full")
    print(f"baseline (serial)       {med['baseline']:6.1f} s   full build is {med['baseline'] / full:.2f}× faster "
          "(target ≥ 1.5×)")
    if last_timeline:
        print("last warm incremental rebuild (start, end, duration in s after Snakemake started):")
        print(last_timeline[0])
    return 0


if __name__ == "__main__":
    sys.exit(main())
