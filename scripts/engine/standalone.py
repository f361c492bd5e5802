"""Render one short standalone document (Pandoc markdown) to HTML and PDF/UA-1.

Used by the office reports: the same Pandoc, filter, stylesheet and Typst compiler as the
main report (``scripts.engine.render``), with a document's own templates, and without the
book machinery (no chapters, numbering, citations or table of contents), so one small
document costs two Pandoc runs and one Typst compile. Knows nothing of the data: it gets
markdown with its metadata block and returns bytes.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path

from scripts import paths
from scripts.engine import render

FILTER = render.ENGINE_DIR / "filters.lua"
CSS = render.ENGINE_DIR / "style.css"
ARGS = ["--from=markdown+smart", "--lua-filter", str(FILTER), "--resource-path", str(paths.ROOT), "--standalone"]


def html(doc: str, template: Path) -> bytes:
    """One self-contained HTML file: stylesheet and images inlined, table headers scoped."""
    out = render.run_pandoc(ARGS + ["--to=html5", "--template", str(template), "--css", str(CSS),
                                    "--section-divs"], doc).decode("utf-8")
    return render.table_headers(render.embed_resources(out, CSS)).encode("utf-8")


def pdf(doc: str, template: Path, date: dt.date) -> bytes:
    """A tagged PDF/UA-1 with a fixed timestamp, compiled from Typst source held in memory
    (parallel jobs never share a source file)."""
    import typst

    source = render.run_pandoc(ARGS + ["--to=typst", "--wrap=none", "--template", str(template)], doc)
    stamp = int(dt.datetime.combine(date, dt.time(), tzinfo=dt.UTC).timestamp())
    try:
        return typst.compile(source, root=str(paths.ROOT), pdf_standards=["ua-1"], timestamp=stamp,
                             ignore_system_fonts=True)
    except RuntimeError as exc:
        raise RuntimeError(f"typst kunne ikke kompilere dokumentet ({template.parent.name}): {exc}") from None
