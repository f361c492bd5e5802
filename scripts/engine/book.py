"""The book as ``report/_quarto.yml`` defines it: metadata and chapter files in order.

Chapters come in the order of ``book.chapters`` then ``book.appendices``, exactly as Quarto
reads them, so both engines render the same book.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import yaml

from scripts import paths


@dataclass
class Book:
    """What ``_quarto.yml`` says about the book: metadata and chapter files in order."""

    meta: dict
    chapters: list[Path]
    appendices: list[Path]
    crossref: dict = field(default_factory=dict)

    @property
    def files(self) -> list[Path]:
        return self.chapters + self.appendices


def load_book(report_dir: Path = paths.REPORT, profiles: list[str] | tuple[str, ...] = ()) -> Book:
    """Read the book definition from ``report/_quarto.yml``, with the chapters and appendices of
    each active Quarto profile (``_quarto-<profile>.yml``) appended, as Quarto merges them
    (``quarto render --profile``): the appendix «Hva er endret siden forrige utgave» is in the
    book only when there is a previous edition (profile ``endringer``)."""
    conf = yaml.safe_load((report_dir / "_quarto.yml").read_text(encoding="utf-8"))
    book = conf.get("book", {})
    extra: dict[str, list] = {}
    for name in profiles:
        prof = yaml.safe_load((report_dir / f"_quarto-{name}.yml").read_text(encoding="utf-8")) or {}
        for key, entries in (prof.get("book") or {}).items():
            if key in ("chapters", "appendices"):
                extra.setdefault(key, []).extend(entries)

    def files(key):
        out = []
        for entry in [*book.get(key, []), *extra.get(key, [])]:
            path = report_dir / (entry if isinstance(entry, str) else entry["file"])
            if path not in out:  # Quarto drops a repeated entry when it merges a profile
                out.append(path)
        return out

    return Book(meta=conf, chapters=files("chapters"), appendices=files("appendices"),
                crossref=conf.get("crossref", {}))


def chapter_md(qmd: Path) -> Path:
    """Where the executed markdown of a chapter is written."""
    return paths.CHAPTERS / (qmd.stem + ".md")
