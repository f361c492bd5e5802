"""The Quarto engine: a thin, checked wrapper around ``quarto render report``.

Used when ``engine: quarto`` (or ``auto`` finds Quarto >= QUARTO_MIN). Quarto renders the book
as it would for any user: the HTML book (a small website, one page per chapter) into
``build/staging/quarto/``, the Typst book into a folder of its own, from which the PDF is
copied to ``build/staging/report.pdf``. ``build/staging/report.html`` is a one-page entry that
links to the site. The privacy guard then checks all of it and ``scripts.guard.publish`` moves
it to ``build/`` (the site to ``build/quarto/``), exactly as for the built-in engine, so a
failed Quarto run leaves the last good report alone. Failures become one clear message:
binary missing, too old, or which chapter failed.
"""
from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from scripts import paths
from scripts.atomic import write_bytes, write_text
from scripts.cli import entry, run_step
from scripts.workflow import QUARTO_MIN, quarto_version

TO = {"html": "html", "pdf": "typst", "docx": "docx"}
OUT_DIR = paths.STAGING / "quarto"


class QuartoError(RuntimeError):
    """Quarto is missing, too old, or failed; the message says which and what to do."""


def check_quarto(exe: str = "quarto") -> tuple[int, ...]:
    """Return Quarto's version or raise a QuartoError that tells the user what to do."""
    version = quarto_version(exe)
    if version is None:
        raise QuartoError(f"fant ikke programmet «{exe}» på PATH; forventet Quarto >= "
                          f"{'.'.join(map(str, QUARTO_MIN))}. Installer Quarto eller bygg med "
                          "--config engine=builtin.")
    if version[:2] < QUARTO_MIN:
        have = ".".join(map(str, version))
        raise QuartoError(f"quarto {have} er for gammel; rapporten trenger >= {'.'.join(map(str, QUARTO_MIN))}. "
                          "Oppgrader Quarto eller bygg med --config engine=builtin.")
    return version


def failed_file(stderr: str) -> str | None:
    """The chapter Quarto names in its error output, if any."""
    m = re.findall(r"([\w./-]+\.qmd)", stderr)
    return m[-1] if m else None


def quarto_env() -> dict:
    """Quarto runs the chapters in a Jupyter kernel of the Python it finds; without
    ``QUARTO_PYTHON`` that is ``python3`` on PATH, which need not be the project's environment
    when Snakemake was started as ``.venv/bin/snakemake``. Point it at this interpreter."""
    return {"QUARTO_PYTHON": sys.executable, **os.environ}


def out_dir(fmt: str) -> Path:
    """Where Quarto writes one format: the HTML site where it is guarded and published from,
    other formats apart, so one render never removes another's files."""
    return OUT_DIR if fmt == "html" else paths.STAGING / f"quarto-{fmt}"


def render(formats: list[str], exe: str = "quarto", profiles: list[str] | tuple[str, ...] = ()) -> list[Path]:
    """Run ``quarto render report --to X`` for each format and stage the results for the guard
    (``profiles``: ``--profile`` for each, e.g. ``endringer`` when there is a previous edition)."""
    check_quarto(exe)
    written = []
    for fmt in formats:
        if fmt not in TO:
            raise QuartoError(f"ukjent format «{fmt}»; forventet en av {', '.join(TO)}")
        cmd = [shutil.which(exe) or exe, "render", str(paths.REPORT), "--to", TO[fmt],
               "--output-dir", str(out_dir(fmt))] + (["--profile", ",".join(profiles)] if profiles else [])
        proc = subprocess.run(cmd, capture_output=True, text=True, env=quarto_env(), cwd=paths.ROOT)
        if proc.returncode != 0:
            where = failed_file(proc.stderr)
            raise QuartoError(f"quarto render --to {TO[fmt]} feilet" + (f" i {where}" if where else "")
                              + f" (avslutningskode {proc.returncode}); forrige rapport er beholdt. "
                              f"Quartos melding:\n{proc.stderr.strip()[-4000:]}")
        written.append(stage(fmt))
    return written


def stage(fmt: str) -> Path:
    """Put Quarto's output for one format at ``build/staging/report.<fmt>``."""
    out = paths.STAGING / f"report.{fmt}"
    if fmt == "html":
        index = OUT_DIR / "index.html"
        if not index.is_file():
            raise QuartoError(f"quarto meldte at alt gikk bra, men {index} mangler; forventet HTML-boka der")
        write_text(out, '<!DOCTYPE html>\n<html lang="nb"><head><meta charset="utf-8">'
                        '<meta name="viewport" content="width=device-width, initial-scale=1">'
                        "<title>Styring i NAV – hva gir resultater?</title></head><body><main>"
                        "<h1>Styring i NAV – hva gir resultater?</h1>"
                        '<p>Rapporten er laget med Quarto som en bok med én side per kapittel: '
                        '<a href="quarto/index.html">åpne boka</a>.</p>'
                        "</main></body></html>\n")
    else:
        src = out_dir(fmt) / f"report.{fmt}"
        if not src.is_file():
            raise QuartoError(f"quarto meldte at alt gikk bra, men {src} mangler; forventet {fmt}-fila der")
        write_bytes(out, src.read_bytes())
        shutil.rmtree(out_dir(fmt))
    return out


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m scripts.engine.quarto")
    p.add_argument("formats", nargs="+")
    p.add_argument("--profil", action="append", default=[], help="Quarto-profil (report/_quarto-<profil>.yml)")
    a = p.parse_args(argv)
    return run_step("quarto", lambda: render(a.formats, profiles=a.profil), (QuartoError,))

if __name__ == "__main__":
    sys.exit(entry(main))
