"""Helpers the Snakefile calls at parse time: chapters and their declared inputs, the
engine choice, and the pre-flight check that stops before any work when data are missing.
Parse time is every `snakemake` call, `-n` included, so nothing here imports pandas.
"""
from __future__ import annotations

import functools
import re
import shutil
import subprocess
from pathlib import Path

import yaml

from scripts import paths
from scripts.data.values import nearest
from scripts.engine.book import load_book
from scripts.engine.qmd import FRONT_MATTER

# The oldest Quarto the book is verified with (older ones number index.qmd as a chapter).
QUARTO_MIN = (1, 11)


def module_file(module: str) -> Path:
    """The file of a project module (``scripts.data`` -> scripts/data/__init__.py)."""
    base = paths.ROOT / module.replace(".", "/")
    return base / "__init__.py" if base.is_dir() else base.with_suffix(".py")


# Import statements of the project's own modules, anywhere in a file (lazy imports included):
# ``import scripts.x.y`` and ``from scripts.x import a, b`` (also over several lines in brackets).
# A regular expression, not ``ast``: this runs on every ``snakemake`` call, and parsing every
# module costs a noticeable part of a no-op run. tests/test_layout.py checks that it finds every
# import ``ast`` finds (an example in a docstring may add one more input, never miss one).
IMPORT = re.compile(r"^[ \t]*(?:import[ \t]+(scripts(?:\.\w+)*)|from[ \t]+(scripts(?:\.\w+)*)[ \t]+import[ \t]+"
                    r"(\([^)]*\)|[^\n#]*))", re.M)


@functools.cache
def project_imports(module: str) -> frozenset[str]:
    """Project modules ``module`` imports anywhere in its file (lazy imports included)."""
    found = set()
    text = re.sub(r"#[^\n]*", "", module_file(module).read_text(encoding="utf-8"))
    for m in IMPORT.finditer(text):
        if m.group(1):
            found.add(m.group(1))
            continue
        for name in re.findall(r"\w+", m.group(3)):
            if name == "as":
                break  # ``from x import y as z`` names one module at most
            sub = f"{m.group(2)}.{name}"
            found.add(sub if module_file(sub).is_file() else m.group(2))
    return frozenset(m for m in found if m != module and module_file(m).is_file())


def import_closure(*modules: str) -> set[str]:
    """``modules`` and every project module they reach through imports."""
    seen, todo = set(), list(modules)
    while todo:
        m = todo.pop()
        if m not in seen:
            seen.add(m)
            todo += project_imports(m)
    return seen


def code(*modules: str) -> list[str]:
    """The source files a step runs: its modules and everything they import from the project.
    Derived from the code, so a rule's code inputs cannot go stale as imports change."""
    return sorted(str(module_file(m).relative_to(paths.ROOT)) for m in import_closure(*modules))


def chapters(profiles: list[str] | tuple[str, ...] = ()) -> dict[str, Path]:
    """Chapter stem -> .qmd path, in book order (from report/_quarto.yml and the active profiles)."""
    return {p.stem: p for p in load_book(profiles=profiles).files}


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
    # Modules beyond reportkit that the chapter's cells import (paths from the project root),
    # with what they import in turn.
    modules = [str(Path(c).with_suffix("")).replace("/", ".") for c in declared.get("code") or []]
    return inputs + (code(*modules) if modules else [])


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


def all_inputs_under(folder: Path) -> list[str]:
    """Every data file under a folder (what a rule reads when it reads 'the folder')."""
    return sorted(str(p.relative_to(paths.ROOT)) for p in folder.rglob("*")
                  if p.is_file() and not p.name.startswith(".") and p.suffix.lower() in (".csv", ".xlsx"))


def kostra_office_inputs(year: int) -> list[str]:
    """What the per-office KOSTRA figures of ``year`` are read from: the typed-in CSV when it
    exists, otherwise the fetched snapshots and the private mapping that names their offices."""
    csv_path = paths.kostra_offices_csv(year)
    if csv_path.is_file():
        return [str(csv_path.relative_to(paths.ROOT))]
    return [*code("scripts.data.kostra_offices"), *snapshot_files(), *private_mapping()]


def engine_files() -> list[str]:
    """The built-in engine's templates, styles and filters: a change re-renders the report."""
    return sorted(str(p.relative_to(paths.ROOT)) for p in (paths.REPORT / "_engine").rglob("*") if p.is_file())



def normalise_config(config: dict) -> dict:
    """Snakemake's ``--config`` gives strings for what config.yaml gives as numbers and
    booleans (``years=[2014,2015]`` -> ``['2014', '2015']``, ``fetch=true`` -> ``'true'``);
    convert the unambiguous forms before schema validation, so the command line and
    config.yaml mean the same. Anything else is left for the schema to reject."""
    def num(v):
        return int(v) if isinstance(v, str) and v.strip().isdigit() else v

    if "year" in config:
        config["year"] = num(config["year"])
    for key in ("years", "kontor_years", "kontor_storrelser"):
        if isinstance(config.get(key), list):
            config[key] = [num(y) for y in config[key]]
        elif isinstance(config.get(key), str | int):
            # ``years=2015`` (one value, no brackets) means a list of one.
            config[key] = [num(config[key])]
    if isinstance(config.get("fetch"), str) and config["fetch"].strip().lower() in BOOLEANS:
        config["fetch"] = BOOLEANS[config["fetch"].strip().lower()]
    elif config.get("fetch") in (0, 1) and not isinstance(config.get("fetch"), bool):
        config["fetch"] = bool(config["fetch"])
    return config


# The spellings of yes/no a user may type after ``--config fetch=``.
BOOLEANS = {"true": True, "false": False, "yes": True, "no": False, "ja": True, "nei": False,
            "on": True, "off": False}


def config_problems(config: dict, schema_path: Path) -> list[str]:
    """The config's schema violations as Norwegian lines naming key, value and what is allowed.

    Snakemake's own ``validate`` prints jsonschema's English message and a traceback; the
    user's language is Norwegian, so the Snakefile calls this first and stops with these.
    """
    import jsonschema

    with open(schema_path, encoding="utf-8") as fh:
        schema = yaml.safe_load(fh)
    validator = jsonschema.Draft202012Validator(schema)
    out = []
    for e in sorted(validator.iter_errors(config), key=lambda e: [str(p) for p in e.absolute_path]):
        out.append(_config_problem_nb(e))
    return out


def _config_problem_nb(e) -> str:
    """One jsonschema error in Norwegian: ``nøkkel: verdien 'x' ...; forventet ...``."""
    key = "/".join(str(p) for p in e.absolute_path) or "(hele konfigurasjonen)"
    kind, rule, value = e.validator, e.validator_value, e.instance
    types = {"integer": "et heltall", "boolean": "true eller false", "array": "en liste, f.eks. [a,b]",
             "string": "tekst", "object": "en tabell av nøkler"}
    if kind == "additionalProperties":
        known = sorted(e.schema.get("properties", {}))
        extra = sorted(set(value) - set(known))
        # Config keys are short: a looser cutoff than for indicator ids (``yaer`` -> ``year``).
        hints = [f"mente du '{near}'?" for x in extra if (near := nearest(x, known, cutoff=0.6))]
        return (f"ukjent nøkkel {', '.join(map(repr, extra))}; " + " ".join(hints)
                + (" " if hints else "") + f"tillatte nøkler: {', '.join(known)}")
    if kind == "required":
        return f"{key}: mangler nøkkelen {e.message.split(' ')[0]}"
    expected = {
        "type": lambda: types.get(rule, str(rule)),
        "enum": lambda: "én av " + ", ".join(map(str, rule)),
        "minimum": lambda: f"minst {rule}",
        "maximum": lambda: f"høyst {rule}",
        "pattern": lambda: f"tekst på formen {rule}",
        "minItems": lambda: f"minst {rule} element",
        "uniqueItems": lambda: "hvert element bare én gang",
    }.get(kind, lambda: e.message)()
    return f"{key}: verdien {value!r} er ikke gyldig; forventet {expected}"


def snapshot_files() -> list[str]:
    """SSB snapshots and their sidecars under data/raw/kostra (private ones included)."""
    return sorted(str(p.relative_to(paths.ROOT)) for p in paths.RAW_KOSTRA.rglob("*.json"))


def stop(message: str) -> None:
    """Stop reading the workflow with a Norwegian message and exit status 1, without
    Snakemake's traceback (lines naming a private term are withheld, as in every step)."""
    import sys

    from scripts.cli import printable

    print(printable(message), file=sys.stderr)
    sys.exit(1)


def kept_reports_message(formats: list[str]) -> str:
    """What a failed build leaves the reader: the last published report, untouched."""
    import datetime as dt

    kept = [paths.BUILD / f"report.{f}" for f in formats if (paths.BUILD / f"report.{f}").is_file()]
    if not kept:
        return "navrapport: kjøringen feilet, og det finnes ingen tidligere rapport i build/."
    lines = [f"  {p.relative_to(paths.ROOT)} (publisert "
             f"{dt.datetime.fromtimestamp(p.stat().st_mtime).strftime('%d.%m.%Y %H:%M')})" for p in kept]
    return ("navrapport: kjøringen feilet; forrige rapport er beholdt uendret:\n" + "\n".join(lines))


def private_mapping() -> list[str]:
    """The git-ignored office mapping, when there is one (an input of the privacy guard)."""
    return [str(paths.PRIVATE_OFFICES.relative_to(paths.ROOT))] if paths.PRIVATE_OFFICES.is_file() else []


def output_problems(formats: list[str]) -> list[str]:
    """What would stop the build from writing its outputs, found before any job runs, so the
    reader learns it at once instead of after every chapter has run (a publish that fails on it
    keeps the previous report, but only after the whole build)."""
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
