"""Mutation testing with mutmut, one package at a time (``make mutation``; docs/testing.md).

    python -m tests.mutation analysis [guard parsers] [--max-children 2]

For each package: a clean copy of the tracked project in ``build/mutation/<package>/`` (so the
work tree is never touched), a ``[tool.mutmut]`` section naming the package's files and the fast
tests that concern them, ``mutmut run``, then the score: killed / (all mutants that ran).
Timeouts count as killed (the mutant made a test hang, which a test run notices); "no tests"
mutants (code no selected test reaches) count as survivors. The surviving mutants are listed in
``build/mutation/<package>.txt`` for the review recorded in docs/testing.md.
"""
from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

from tests.conftest import ROOT, copy_repo

# package -> (files to mutate, the fast tests that concern them)
PACKAGES: dict[str, tuple[list[str], list[str]]] = {
    # The comparison layer (CI's gate); the editions' diff (utgave.py) is measured as its own package.
    "analysis": (["scripts/analysis/__init__.py", "scripts/analysis/compare.py", "scripts/analysis/exact.py",
                  "scripts/analysis/kontor.py", "scripts/analysis/kostra_compare.py"],
                 ["tests/test_compare.py", "tests/test_compare_units.py", "tests/test_kostra_compare.py", "tests/test_exact.py",
                  "tests/test_exact_kodebok.py", "tests/test_exact_units.py", "tests/test_kontor.py",
                  "tests/test_kontor_units.py", "tests/test_kontor_disclosure.py", "tests/test_kostra_compare_units.py", "tests/test_series_breaks.py"]),
    "guard": (["scripts/guard/*"],
              ["tests/test_privacy.py", "tests/test_manifest.py",
               "tests/test_privacy_property.py::test_every_planted_name_is_found_wherever_and_however_it_is_written",
               "tests/test_guard_units.py", "tests/test_publish.py",
               "tests/test_privacy_messages.py::test_a_line_naming_a_private_term_is_withheld_in_any_disguise",
               "tests/test_privacy_messages.py::test_a_message_without_private_terms_or_without_a_mapping_is_unchanged",
               "tests/test_privacy_messages.py::test_a_failing_step_prints_no_private_term",
               "tests/test_privacy_messages.py::test_a_broken_mapping_leaves_the_message_as_it_is_instead_of_failing_the_report",
               "tests/test_privacy_tracked.py::test_a_changed_private_snapshot_still_stops_the_build_until_approved",
               "tests/test_render_output.py::test_the_guard_finds_every_leak_in_the_final_pdf",
               "tests/test_faults.py::test_publish_names_a_report_it_cannot_write"]),
    "parsers": (["scripts/data/kostra.py", "scripts/data/malekort.py", "scripts/data/offices.py",
                 "scripts/data/values.py"],
                ["tests/test_kostra_parser.py", "tests/test_malekort.py", "tests/test_offices.py",
                 "tests/test_compare.py"]),
    "utgave": (["scripts/analysis/utgave.py"], ["tests/test_utgave_units.py"]),
}
# What the copied code reads at run time (paths.ROOT is the copy's mutants/ folder).
ALSO_COPY = ["data", "config", "report", "rules", "Snakefile", "docs", "envs", "requirements.txt",
             "requirements.lock"]
KILLED = {"killed", "timeout"}


def toml_list(items: list[str]) -> str:
    return "[" + ", ".join(json.dumps(i) for i in items) + "]"


def configure(work: Path, files: list[str], tests: list[str]) -> None:
    tests = [t for t in tests if (work / t.split("::")[0]).exists()]
    pyproject = work / "pyproject.toml"
    pyproject.write_text(pyproject.read_text(encoding="utf-8") + f"""
[tool.mutmut]
source_paths = ["scripts"]
only_mutate = {toml_list(files)}
also_copy = {toml_list(ALSO_COPY)}
pytest_add_cli_args = ["-p", "no:cacheprovider", "-q", "-x"]
pytest_add_cli_args_test_selection = {toml_list(tests)}
""", encoding="utf-8")


STATUS = re.compile(r"^\s*(?P<name>[\w.]+__mutmut_\d+): (?P<status>[\w ]+?)\s*$")


def statuses(work: Path) -> dict[str, str]:
    """Mutant name -> status, from ``mutmut results --all true``."""
    out = subprocess.run([sys.executable, "-m", "mutmut", "results", "--all", "true"], cwd=work,
                         capture_output=True, text=True, check=True).stdout
    return {m["name"]: m["status"] for m in map(STATUS.match, out.splitlines()) if m}


def run(package: str, max_children: int, diffs: bool = True) -> dict:
    files, tests = PACKAGES[package]
    work = ROOT / "build" / "mutation" / package
    shutil.rmtree(work, ignore_errors=True)
    copy_repo(work)
    configure(work, files, tests)
    start = time.monotonic()
    proc = subprocess.run([sys.executable, "-m", "mutmut", "run", "--max-children", str(max_children)], cwd=work,
                          capture_output=True, text=True)
    seconds = time.monotonic() - start
    if proc.returncode != 0:
        print(proc.stdout[-3000:], proc.stderr[-3000:], file=sys.stderr)
        raise SystemExit(f"mutation {package}: mutmut run failed (exit {proc.returncode})")
    found = statuses(work)
    counted = {k: v for k, v in found.items() if v not in ("skipped", "not checked")}
    killed = sorted(k for k, v in counted.items() if v in KILLED)
    survived = sorted(k for k in counted if k not in killed)
    report = ROOT / "build" / "mutation" / f"{package}.txt"
    lines = []
    for name in survived:
        diff = ""
        if diffs and counted[name] == "survived":  # "no tests": no selected test reaches the function
            diff = subprocess.run([sys.executable, "-m", "mutmut", "show", name], cwd=work, capture_output=True,
                                  text=True).stdout
        lines.append(f"## {name} ({counted[name]})\n{diff}")
    report.write_text("\n".join(lines), encoding="utf-8")
    score = len(killed) / len(counted) if counted else 0.0
    result = {"package": package, "mutants": len(counted), "killed": len(killed),
              "no_tests": sum(v == "no tests" for v in counted.values()), "survived": len(survived),
              "score": round(100 * score, 1), "seconds": round(seconds)}
    print(json.dumps(result), flush=True)
    return result


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m tests.mutation")
    p.add_argument("packages", nargs="*", default=list(PACKAGES), choices=list(PACKAGES))
    p.add_argument("--max-children", type=int, default=2)
    p.add_argument("--no-diffs", action="store_true", help="list the survivors without their diffs (faster)")
    p.add_argument("--min-score", type=float, default=None,
                   help="exit 1 if a package kills fewer than this per cent of its mutants")
    a = p.parse_args(argv)
    results = [run(pkg, a.max_children, diffs=not a.no_diffs) for pkg in a.packages]
    if a.min_score is not None and any(r["score"] < a.min_score for r in results):
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
