"""Office reports at scale: 25, 50, 100 and 250 made-up offices on 2 cores.

    python benchmarks/bench_kontor.py                    # all four sizes
    python benchmarks/bench_kontor.py --sizes 25 250 --json results.json

For each size, in a fresh temporary copy of the repository: generate the made-up data
(``scripts.data.generate``, seed 1, 2013–2014, size classes as peer groups), then run
``snakemake --cores 2 kontorrapporter`` as a new process and measure

- total wall time of the build, and per report (total / N);
- peak memory per job: every job process is sampled every 20 ms with psutil, its RSS
  counted together with its children's (Pandoc); the largest job of each rule is reported;
- for the largest size also: a no-op run (everything done), a run after one office's value
  changed (how many office jobs ran, and the time), and a run after one published report was
  deleted (that report alone is rebuilt).

Targets (issue 15): per-report time at 250 within 20 % of that at 25; 250 reports ≤ 3 min;
no-op over 250 done reports ≤ 3 s; one changed office rebuilds alone.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parent.parent
SNAKEMAKE = str(Path(sys.executable).parent / "snakemake")
RULES = {"scripts.analysis.kontor": "kontor_tabeller", "scripts.content.kontor": "kontor_rapport",
         "scripts.guard.publish": "kontor_publish"}


def copy_repo(dest: Path) -> Path:
    files = subprocess.run(["git", "ls-files", "-co", "--exclude-standard"], cwd=ROOT, capture_output=True,
                           text=True, check=True).stdout.split()
    for f in files:
        if (ROOT / f).is_file():
            (dest / f).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / f, dest / f)
    return dest


class Sampler(threading.Thread):
    """Peak RSS (with children) of every job process below ``pid``, by rule."""

    def __init__(self, pid: int):
        super().__init__(daemon=True)
        self.root = psutil.Process(pid)
        self.peak: dict[str, int] = {}
        self.stop = threading.Event()

    def run(self):
        while not self.stop.wait(0.02):
            try:
                procs = self.root.children(recursive=True)
            except psutil.NoSuchProcess:
                return
            for p in procs:
                try:
                    cmd = " ".join(p.cmdline())
                    rule = next((r for m, r in RULES.items() if f"-m {m}" in cmd and "bash" not in p.name()), None)
                    if rule is None:
                        continue
                    rss = p.memory_info().rss + sum(c.memory_info().rss for c in p.children(recursive=True))
                except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
                    continue
                self.peak[rule] = max(self.peak.get(rule, 0), rss)


def snakemake(repo: Path, config: list[str]) -> tuple[float, str, dict]:
    env = dict(os.environ, NAVRAPPORT_ROOT=str(repo), PYTHONPATH=str(repo), SOURCE_DATE_EPOCH="1430352000")
    t = time.perf_counter()
    proc = subprocess.Popen([SNAKEMAKE, "--cores", "2", "kontorrapporter", "--config", *config], cwd=repo, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    sampler = Sampler(proc.pid)
    sampler.start()
    out, _ = proc.communicate()
    elapsed = time.perf_counter() - t
    sampler.stop.set()
    sampler.join()
    if proc.returncode != 0:
        raise SystemExit(f"snakemake failed:\n{out[-4000:]}")
    return elapsed, out, {r: round(v / 2**20) for r, v in sampler.peak.items()}


def jobs_run(log: str, rule: str) -> int:
    return len(re.findall(rf"^(?:local)?rule {rule}:", log, re.M))


def bench(n: int, measure_reruns: bool) -> dict:
    with tempfile.TemporaryDirectory(prefix=f"bench_kontor_{n}_") as tmp:
        repo = copy_repo(Path(tmp))
        data = repo / "build" / "oppdiktet" / str(n)
        subprocess.run([sys.executable, "-m", "scripts.data.generate", "--offices", str(n), "--seed", "1",
                        "--years", "2013", "2014", "--out", str(data)], cwd=repo, check=True, capture_output=True,
                       env=dict(os.environ, NAVRAPPORT_ROOT=str(repo), PYTHONPATH=str(repo)))
        config = [f"kontor_data={data.relative_to(repo)}", "kontor_years=[2013,2014]", "kontor_grupper=storrelse"]
        total, log, peak = snakemake(repo, config)
        reports = jobs_run(log, "kontor_rapport")
        assert reports == n, f"{reports} office jobs for {n} offices"
        res = {"kontorer": n, "total_s": round(total, 1), "per_rapport_s": round(total / n, 3), "topp_mb": peak}
        print(json.dumps(res, ensure_ascii=False), file=sys.stderr, flush=True)  # partial result, as it comes
        if measure_reruns:
            res["ingenting_aa_gjore_s"] = round(snakemake(repo, config)[0], 2)
            # One office's value changes (a corrected KOSTRA figure for the last office).
            kostra = data / "kostra_kontor" / "2014.csv"
            lines = kostra.read_text(encoding="utf-8").splitlines()
            last = next(i for i in range(len(lines) - 1, 0, -1) if "netto_driftsutgifter" in lines[i])
            cells = lines[last].split(",")
            cells[3] = str(int(cells[3]) + 37)
            lines[last] = ",".join(cells)
            kostra.write_text("\n".join(lines) + "\n", encoding="utf-8")
            t, log, _ = snakemake(repo, config)
            res["en_endret_verdi"] = {"s": round(t, 1), "kontorjobber": jobs_run(log, "kontor_rapport")}
            # One published report is lost: it alone is rebuilt.
            out = next((repo / "build" / "kontorrapporter" / str(n)).glob("*.pdf"))
            out.unlink()
            t, log, _ = snakemake(repo, config)
            res["en_slettet_rapport"] = {"s": round(t, 1), "kontorjobber": jobs_run(log, "kontor_rapport")}
        return res


def targets(results: list[dict]) -> dict:
    """The targets this run measured, and only those: a target needs its size (or its rerun) to
    have been built, so a run of 25 offices says nothing about 250."""
    small, big = results[0], results[-1]
    out = {}
    if len(results) > 1:
        out["per_rapport_forhold"] = round(big["per_rapport_s"] / small["per_rapport_s"], 2)
        out["maal_lineaer (≤ 1,2)"] = big["per_rapport_s"] <= 1.2 * small["per_rapport_s"]
    by_size = {r["kontorer"]: r for r in results}
    if 250 in by_size:
        out["maal_250_under_180_s"] = by_size[250]["total_s"] <= 180
    if "ingenting_aa_gjore_s" in big:
        out[f"maal_ingenting_under_3_s ({big['kontorer']} kontorer)"] = big["ingenting_aa_gjore_s"] <= 3
    if "en_endret_verdi" in big:
        out[f"maal_en_endret_alene ({big['kontorer']} kontorer)"] = big["en_endret_verdi"].get("kontorjobber") == 1
    return out


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--sizes", type=int, nargs="+", default=[25, 50, 100, 250])
    p.add_argument("--json", type=Path)
    a = p.parse_args(argv)
    results = []
    for n in a.sizes:
        r = bench(n, measure_reruns=n == max(a.sizes))
        results.append(r)
        print(json.dumps(r, ensure_ascii=False), flush=True)
    summary = targets(results)
    print(json.dumps(summary, ensure_ascii=False))
    if a.json:
        a.json.write_text(json.dumps({"maalinger": results, "oppsummering": summary}, ensure_ascii=False, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
