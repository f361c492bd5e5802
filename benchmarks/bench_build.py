"""Build benchmark (not a test): clean full build, no-op run, rebuild after one changed
målekort value, and a baseline, all in one run on a temporary copy of the repository.

    python benchmarks/bench_build.py [--runs 3]

Targets on an idle 2-core machine (medians): full ≤ 8 s wall and ≤ 14 s CPU, no-op ≤ 1.2 s wall,
rebuild after one changed value ≤ 5 s wall, the baseline at least 3× slower than the full build,
and every job under 300 MB. Each figure is printed with the CPU time it took (user + system of the
whole process tree, from ``getrusage(RUSAGE_CHILDREN)``), and the last full build's jobs are listed
with their wall time from Snakemake's own ``benchmark:`` records (logs/benchmarks/), so what is
left can be read job by job. Only what was measured in this run is printed.

What is measured, so the numbers are not flattering by accident:
* "full" starts with no build/ and no .snakemake/, and is the README's command
  (``snakemake --cores 2``) run as a new process, Snakemake's own start-up included.
* "rebuild" is the next build after a real change: one office's year-end value in the
  målekort export, approved in the manifest (the approval is not timed).
* "baseline" is what a Quarto book render does with the same chapters: the same data steps
  (through Snakemake, also on 2 cores), then every chapter one after another, each in a
  fresh Jupyter kernel subprocess (nbclient + ipykernel), then HTML and PDF one after the other,
  then the privacy guard over the same files as in the build (the report is not done unchecked).
* "peak memory" is the largest resident set of any process of the full build (from
  ``getrusage(RUSAGE_CHILDREN)``), Snakemake's own process included.
* "Snakemake's fixed cost" is the same ``snakemake --cores 2`` on a workflow of one job that
  only touches a file: start-up, one scheduling round and the wait at exit for Snakemake's
  job-rate timer (see docs/ytelse.md). Every build above pays it once.
"""
from __future__ import annotations

import argparse
import importlib.util
import os
import resource
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

# Each chapter in a new kernel process, as Quarto's Jupyter engine runs a book's chapters.
BASELINE = """
import glob, nbclient, nbformat
from scripts.engine import execute
from scripts.engine.book import chapter_md, load_book
from scripts.engine.render import render

def in_a_kernel(nb, source, plan):
    nb = nbformat.from_dict(nb)
    nb.cells.insert(0, nbformat.v4.new_code_cell(execute.PRELUDE))
    nbclient.NotebookClient(nb, timeout=300, kernel_name="python3",
                            resources={"metadata": {"path": "."}}).execute()
    nb.cells.pop(0)
    return nb

execute.run_notebook = in_a_kernel
for f in load_book().files:
    execute.execute_chapter(f, chapter_md(f))
render(["html"]); render(["pdf"])
from scripts.guard import privacy
checked = sorted(glob.glob("build/results/**/*.*", recursive=True) + glob.glob("build/chapters/*.md"))
assert privacy.main(checked + ["build/staging/report.html", "build/staging/report.pdf"]) == 0
"""


CPU = {}  # wall time of a measurement -> CPU seconds of its process tree


def children_cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def timed(cmd, cwd, env):
    """Wall seconds of ``cmd``; its CPU seconds (user + system, children included) go to ``CPU``."""
    t, c = time.perf_counter(), children_cpu()
    proc = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True)
    if proc.returncode:
        sys.exit(f"{' '.join(map(str, cmd))} failed:\n{proc.stderr[-3000:]}")
    wall = time.perf_counter() - t
    CPU[wall] = children_cpu() - c
    return wall


def job_records(repo: Path) -> list[tuple[str, float]]:
    """(job, wall s) of each job of the last build, from Snakemake's benchmark files. Their CPU
    and memory columns are sampled about once a second, so a job shorter than that shows none;
    only the wall time is reported per job (the build's CPU comes from getrusage above)."""
    out = []
    for f in sorted((repo / "logs" / "benchmarks").rglob("*.tsv")):
        head, row = f.read_text(encoding="utf-8").splitlines()[:2]
        rec = dict(zip(head.split("\t"), row.split("\t"), strict=True))
        out.append((str(f.relative_to(repo / "logs" / "benchmarks").with_suffix("")), float(rec["s"])))
    return sorted(out, key=lambda r: -r[1])


TRIVIAL = 'rule all:\n    output: "done"\n    shell: "touch {output}"\n'


def fixed_cost(snake: str, env: dict) -> float:
    """Wall time of ``snakemake --cores 2`` for one job that only touches a file."""
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "Snakefile").write_text(TRIVIAL, encoding="utf-8")
        return timed([snake, "--cores", "2", "--quiet"], tmp, env)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=3)
    a = ap.parse_args()
    snake = str(Path(sys.executable).parent / "snakemake")
    res = {k: [] for k in ("full", "noop", "rebuild", "baseline", "fixed")}
    jobs = []
    peak_kb = 0
    with tempfile.TemporaryDirectory() as tmp:
        repo = copy_repo(Path(tmp))
        env = dict(os.environ, NAVRAPPORT_ROOT=str(repo), PYTHONPATH=str(repo), SOURCE_DATE_EPOCH="1430352000")
        build = [snake, "--cores", "2", "--quiet", "all"]
        approve = [sys.executable, "-m", "scripts.guard.manifest", "approve"]
        mk = repo / "data/raw/malekort/2014/malekort_2014.csv"
        original = mk.read_bytes()
        # A real update: one office's year-end value changes (made-up edit, undone below).
        edited = original.replace(b";stat;52;", b";stat;53;", 1)
        assert edited != original

        def clean():
            shutil.rmtree(repo / "build", ignore_errors=True)
            shutil.rmtree(repo / ".snakemake", ignore_errors=True)

        def change(data):
            mk.write_bytes(data)
            timed(approve, repo, env)
            return timed(build, repo, env)

        for _ in range(a.runs):
            clean()
            shutil.rmtree(repo / "logs" / "benchmarks", ignore_errors=True)
            res["full"].append(timed(build, repo, env))
            jobs = job_records(repo)
            peak_kb = max(peak_kb, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
            res["noop"].append(timed(build, repo, env))
            res["rebuild"].append(change(edited))
            change(original)
            clean()
            res["fixed"].append(fixed_cost(snake, env))
            # The data steps: everything upstream of the chapters (Snakemake's --omit-from).
            res["baseline"].append(timed([snake, "--cores", "2", "--quiet", "all", "--omit-from", "chapter"],
                                         repo, env)
                                   + timed([sys.executable, "-c", BASELINE], repo, env))
    med = {k: statistics.median(v) for k, v in res.items()}
    cpu = {k: statistics.median(CPU[x] for x in v) for k, v in res.items() if k != "baseline"}
    # The Slurm plugin is imported at Snakemake's start (and imports pandas): say which we measured.
    plugin = importlib.util.find_spec("snakemake_executor_plugin_slurm") is not None
    print(f"environment {sys.prefix}, Slurm executor plugin installed: {'yes' if plugin else 'no'}")
    full = med["full"]
    print(f"clean full build        {full:6.1f} s wall, {cpu['full']:5.1f} s CPU   (targets ≤ 8 s wall, ≤ 14 s CPU)")
    print(f"no-op run               {med['noop']:6.1f} s wall, {cpu['noop']:5.1f} s CPU   (target ≤ 1.2 s wall)")
    print(f"rebuild, one value      {med['rebuild']:6.1f} s wall, {cpu['rebuild']:5.1f} s CPU   (target ≤ 5 s wall)")
    print(f"baseline (Quarto-like)  {med['baseline']:6.1f} s   = {med['baseline'] / full:.1f}× the full build "
          "(target ≥ 3×)")
    print(f"Snakemake's fixed cost  {med['fixed']:6.1f} s wall, {cpu['fixed']:5.1f} s CPU   (one trivial job; "
          "included in every build above)")
    print(f"peak memory of a process in the full build: {peak_kb / 1024:.0f} MB (target < 300 MB per job)")
    print("all runs: " + "; ".join(f"{k} " + ", ".join(f"{v:.1f}" for v in vals) for k, vals in res.items()))
    print("jobs of the last full build, wall time each (Snakemake's benchmark records):")
    for name, wall in jobs:
        print(f"  {name:40} {wall:6.2f} s")
    print(f"  {'sum over jobs':40} {sum(j[1] for j in jobs):6.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
