"""Helpers the Snakefile calls at parse time: chapters and their declared inputs, the
engine choice, and the pre-flight check that stops before any work when data are missing.
Parse time is every `snakemake` call, `-n` included, so nothing here imports pandas.
"""
from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import yaml

from scripts import paths
from scripts.engine.book import load_book
from scripts.engine.qmd import FRONT_MATTER

QUARTO_MIN = (1, 4)


def chapters() -> dict[str, Path]:
    """Chapter stem -> .qmd path, in book order (from report/_quarto.yml)."""
    return {p.stem: p for p in load_book().files}


def declared_inputs(qmd: Path) -> list[str]:
    """The result files a chapter reads, as declared in its front matter::

        ---
        navrapport:
          inputs: [results/fakta.json, results/figurer/modell.svg]
        ---

    Paths are relative to ``build/``. Declared, not guessed: Snakemake re-runs the chapter
    exactly when one of these (or the .qmd) changes.
    """
    m = FRONT_MATTER.match(qmd.read_text(encoding="utf-8"))
    meta = (yaml.safe_load(m.group(1)) or {}) if m else {}
    declared = meta.get("navrapport") or {}
    inputs = [str((paths.BUILD / p).relative_to(paths.ROOT)) for p in declared.get("inputs") or []]
    # Modules beyond reportkit that the chapter's cells import (paths from the project root).
    return inputs + list(declared.get("code") or [])


def quarto_version(exe: str = "quarto") -> tuple[int, ...] | None:
    """Version of the ``quarto`` on PATH, or None when there is none."""
    found = shutil.which(exe)
    if not found:
        return None
    out = subprocess.run([found, "--version"], capture_output=True, text=True, timeout=60).stdout
    m = re.search(r"(\d+)\.(\d+)(?:\.(\d+))?", out)
    return tuple(int(x) for x in m.groups() if x is not None) if m else None


def choose_engine(setting: str) -> str:
    """``auto`` means Quarto when a new enough one is installed, else the built-in engine."""
    if setting != "auto":
        return setting
    v = quarto_version()
    return "quarto" if v and v[:2] >= QUARTO_MIN else "builtin"


def missing_inputs(year: int, years: list[int], offices: list[str]) -> list[str]:
    """Everything a build of ``year`` needs that is not there, as human-readable lines."""
    import csv

    # Parse time: plain yaml/csv, no pandas, so `snakemake -n` and no-op runs stay quick.
    with open(paths.THESIS / "indikatorer.yaml", encoding="utf-8") as fh:
        indicators = yaml.safe_load(fh)["indikatorer"]
    problems = []
    for y in sorted(set(years) | {year}):
        mk = paths.malekort_dir(y)
        if not mk.is_dir() or not [p for p in mk.iterdir() if p.suffix.lower() in (".csv", ".xlsx")]:
            problems.append(f"{mk.relative_to(paths.ROOT)}/: no målekort export (.xlsx or .csv) for {y}")
        ko = paths.kostra_offices_csv(y)
        if not ko.is_file():
            problems.append(f"{ko.relative_to(paths.ROOT)}: no KOSTRA figures per office for {y} "
                            f"(columns kontor, aar, indikator_id, verdi; indicators "
                            f"{', '.join(i['id'] for i in indicators if i['kilde'] == 'kostra')})")
        else:
            with open(ko, encoding="utf-8", newline="") as fh:
                have = {(r.get("kontor"), r.get("indikator_id")) for r in csv.DictReader(fh)}
            for k in offices:
                for i in indicators:
                    if i["kilde"] == "kostra" and (k, i["id"]) not in have:
                        problems.append(f"{ko.relative_to(paths.ROOT)}: no value for kontor {k}, {i['id']}")
    return problems


def all_inputs_under(folder: Path) -> list[str]:
    """Every data file under a folder (what a rule reads when it reads 'the folder')."""
    return sorted(str(p.relative_to(paths.ROOT)) for p in folder.rglob("*")
                  if p.is_file() and not p.name.startswith(".") and p.suffix.lower() in (".csv", ".xlsx"))


def engine_files() -> list[str]:
    """The built-in engine's templates, styles and filters: a change re-renders the report."""
    return sorted(str(p.relative_to(paths.ROOT)) for p in (paths.REPORT / "_engine").rglob("*") if p.is_file())



def normalise_config(config: dict) -> dict:
    """Snakemake reads ``--config years=[2014,2015]`` as strings; make digit strings ints
    before schema validation, so the command line and config.yaml mean the same."""
    def num(v):
        return int(v) if isinstance(v, str) and v.strip().isdigit() else v

    if "year" in config:
        config["year"] = num(config["year"])
    for key in ("years", "kontor_years", "kontor_storrelser"):
        if isinstance(config.get(key), list):
            config[key] = [num(y) for y in config[key]]
    return config


def snapshot_files() -> list[str]:
    """SSB snapshots and their sidecars under data/raw/kostra (private ones included)."""
    return sorted(str(p.relative_to(paths.ROOT)) for p in paths.RAW_KOSTRA.rglob("*.json"))


def kept_reports_message(formats: list[str]) -> str:
    """What a failed build leaves the reader: the last published report, untouched."""
    import datetime as dt

    kept = [paths.BUILD / f"report.{f}" for f in formats if (paths.BUILD / f"report.{f}").is_file()]
    if not kept:
        return "navrapport: byggingen feilet, og det finnes ingen tidligere rapport i build/."
    lines = [f"  {p.relative_to(paths.ROOT)} (publisert "
             f"{dt.datetime.fromtimestamp(p.stat().st_mtime).strftime('%d.%m.%Y %H:%M')})" for p in kept]
    return ("navrapport: byggingen feilet; forrige rapport er beholdt uendret:\n" + "\n".join(lines))


def private_mapping() -> list[str]:
    """The git-ignored office mapping, when there is one (an input of the privacy guard)."""
    return [str(paths.PRIVATE_OFFICES.relative_to(paths.ROOT))] if paths.PRIVATE_OFFICES.is_file() else []


def output_problems(formats: list[str]) -> list[str]:
    """What would stop the build from writing its outputs, found before any job runs (a job
    that fails on it would already have cost the previous report)."""
    import os

    build = paths.BUILD
    if build.exists() and not build.is_dir():
        return [f"{build.relative_to(paths.ROOT)} er en fil; her skal byggemappen ligge. Flytt eller slett filen."]
    problems = []
    if build.is_dir() and not os.access(build, os.W_OK | os.X_OK):
        problems.append(f"{build.relative_to(paths.ROOT)}/ er ikke skrivbar for denne brukeren.")
    for f in formats:
        out = build / f"report.{f}"
        if out.is_dir():
            problems.append(f"{out.relative_to(paths.ROOT)} er en mappe; her skal rapportfilen ligge. "
                            "Flytt eller slett mappen.")
    return problems
