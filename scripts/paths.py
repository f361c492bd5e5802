"""The one place for paths. No other module builds a project path by hand.

Every path is absolute and derived from ``ROOT`` so scripts, chapters and tests
work from any working directory inside the project (and from anywhere with
``NAVRAPPORT_ROOT``, which tests point at a temporary copy of the repository).
"""
from __future__ import annotations

import os
from pathlib import Path


def _project_root() -> Path:
    """The project being built: ``NAVRAPPORT_ROOT`` if set, else the checkout the working
    directory is in (Quarto runs a chapter's kernel in ``report/``, and the modules may be
    imported from another checkout's editable install), else the one this module is in."""
    if os.environ.get("NAVRAPPORT_ROOT"):
        return Path(os.environ["NAVRAPPORT_ROOT"]).resolve()
    here = Path.cwd().resolve()
    for folder in (here, *here.parents):
        if (folder / "report" / "_quarto.yml").is_file() and (folder / "scripts" / "paths.py").is_file():
            return folder
    return Path(__file__).resolve().parent.parent


ROOT = _project_root()

CONFIG_DIR = ROOT / "config"
CONFIG = CONFIG_DIR / "config.yaml"
CONFIG_SCHEMA = CONFIG_DIR / "schema.yaml"
KOSTRA_CATALOGUE = CONFIG_DIR / "kostra_catalogue.yaml"
KOSTRA_CATALOGUE_SCHEMA = CONFIG_DIR / "kostra_catalogue.schema.yaml"
PRIVATE_OFFICES = CONFIG_DIR / "offices.private.yaml"  # git-ignored: office -> municipality

DATA = ROOT / "data"
THESIS = DATA / "thesis"
KODEBOK = THESIS / "kodebok.yaml"  # Tabell 4.1 as codes per office (scripts.analysis.exact)
KODEBOK_SCHEMA = CONFIG_DIR / "kodebok.schema.yaml"
RAW = DATA / "raw"
RAW_KOSTRA = RAW / "kostra"
RAW_MALEKORT = RAW / "malekort"
RAW_KOSTRA_OFFICES = RAW / "kostra_kontor"  # published KOSTRA figures per office, one CSV per year
TEMPLATES = DATA / "templates"

REPORT = ROOT / "report"
BUILD = ROOT / "build"
BUILD_DATA = BUILD / "data"
RESULTS = BUILD / "results"
CHAPTERS = BUILD / "chapters"
# Documents are rendered here and checked; only scripts.guard.publish writes build/report.*.
STAGING = BUILD / "staging"


def malekort_dir(year: int) -> Path:
    """Folder holding the målekort exports for one year."""
    return RAW_MALEKORT / str(year)


def kostra_offices_csv(year: int) -> Path:
    """Published KOSTRA figures for the offices A–F for one year."""
    return RAW_KOSTRA_OFFICES / f"{year}.csv"
