"""Engine benchmark (not a test): the built-in engine and real Quarto side by side, in one run on
one machine, each in its own temporary copy of the repository.

    python benchmarks/bench_engines.py [--quarto PATH] [--runs 1]

For each engine, through the README's command (``snakemake --cores 2 --config engine=X``):
* "clean": no build/ and no .snakemake/, HTML + PDF, the privacy guard and publishing included;
* "one chapter": the next build after one changed sentence in ``report/03-metode.qmd``.
Wall time, and CPU time as user + sys of the whole process tree (``getrusage(RUSAGE_CHILDREN)``
before and after, so Quarto, Deno, the Jupyter kernels, Pandoc and Typst are all counted). Also the
largest resident set of any one process (Snakemake, Quarto/Deno, a kernel: ``ru_maxrss`` of the
children) and, for Quarto, the size of its HTML book. Without a Quarto (``--quarto`` or ``quarto``
on PATH) only the built-in engine is measured, and the script says so.
"""
from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.conftest import copy_repo  # noqa: E402

CHANGED = "report/03-metode.qmd"


def cpu_children() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def measured(cmd: list[str], cwd: Path, env: dict) -> tuple[float, float]:
    """(wall seconds, CPU seconds of the process tree) of one command that must succeed."""
    cpu, t = cpu_children(), time.perf_counter()
    proc = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True)
    wall = time.perf_counter() - t
    if proc.returncode:
        sys.exit(f"{' '.join(cmd)} failed:\n{proc.stderr[-3000:]}")
    return wall, cpu_children() - cpu


def bench(engine: str, env: dict, runs: int) -> dict:
    snake = str(Path(sys.executable).parent / "snakemake")
    cmd = [snake, "--cores", "2", "--quiet", "--config", f"engine={engine}"]
    out = {"clean": [], "one chapter": []}
    with tempfile.TemporaryDirectory() as tmp:
        repo = copy_repo(Path(tmp))
        env = dict(env, NAVRAPPORT_ROOT=str(repo), PYTHONPATH=str(repo), SOURCE_DATE_EPOCH="1430352000")
        qmd = repo / CHANGED
        original = qmd.read_text(encoding="utf-8")
        for i in range(runs):
            shutil.rmtree(repo / "build", ignore_errors=True)
            shutil.rmtree(repo / ".snakemake", ignore_errors=True)
            qmd.write_text(original, encoding="utf-8")
            out["clean"].append(measured(cmd, repo, env))
            qmd.write_text(original + f"\nEn setning til (måling {i + 1}).\n", encoding="utf-8")
            out["one chapter"].append(measured(cmd, repo, env))
        site = repo / "build" / "quarto"
        out["html_bytes"] = sum(p.stat().st_size for p in site.rglob("*") if p.is_file()) if site.is_dir() \
            else (repo / "build" / "report.html").stat().st_size
    return out


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quarto", help="the quarto to measure (default: quarto on PATH)")
    ap.add_argument("--runs", type=int, default=1)
    a = ap.parse_args()
    quarto = a.quarto or shutil.which("quarto")
    base = {k: v for k, v in os.environ.items() if k != "PATH"}
    venv = str(Path(sys.executable).parent)
    plain = dict(base, PATH=os.pathsep.join([venv, *[p for p in os.environ["PATH"].split(os.pathsep)
                                                      if not (Path(p) / "quarto").exists()]]))
    results = {"builtin": bench("builtin", plain, a.runs)}
    peak_builtin = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    if quarto:
        with_quarto = dict(plain, PATH=os.pathsep.join([str(Path(quarto).parent), plain["PATH"]]))
        results["quarto"] = bench("quarto", with_quarto, a.runs)
    else:
        print("no quarto found (--quarto or PATH): only the built-in engine was measured")
    peak_all = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    print(f"{os.cpu_count()} CPUs, load average before: {os.getloadavg()[0]:.1f}; {a.runs} run(s) each")
    print(f"{'engine':8} {'build':12} {'wall s':>8} {'CPU s':>8}")
    for engine, r in results.items():
        for kind in ("clean", "one chapter"):
            for wall, cpu in r[kind]:
                print(f"{engine:8} {kind:12} {wall:8.1f} {cpu:8.1f}")
    if "quarto" in results:
        b, q = results["builtin"], results["quarto"]
        for kind in ("clean", "one chapter"):
            bw, bc = (min(x) for x in zip(*b[kind], strict=True))
            qw, qc = (min(x) for x in zip(*q[kind], strict=True))
            print(f"ratio built-in : Quarto, {kind}: wall 1 : {qw / bw:.1f}, CPU 1 : {qc / bc:.1f}")
        print(f"Quarto HTML book: {q['html_bytes'] / 1e6:.1f} MB; built-in HTML: {b['html_bytes'] / 1e6:.1f} MB")
    print(f"largest process: built-in runs {peak_builtin / 1024:.0f} MB; all runs {peak_all / 1024:.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
