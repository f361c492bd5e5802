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


def load_book(report_dir: Path = paths.REPORT) -> Book:
    """Read the book definition from ``report/_quarto.yml``."""
    conf = yaml.safe_load((report_dir / "_quarto.yml").read_text(encoding="utf-8"))
    book = conf.get("book", {})

    def files(key):
        out = []
        for entry in book.get(key, []):
            out.append(report_dir / (entry if isinstance(entry, str) else entry["file"]))
        return out

    return Book(meta=conf, chapters=files("chapters"), appendices=files("appendices"),
                crossref=conf.get("crossref", {}))


def chapter_md(qmd: Path) -> Path:
    """Where the executed markdown of a chapter is written."""
    return paths.CHAPTERS / (qmd.stem + ".md")
