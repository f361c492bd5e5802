"""Built-in engine, step 3: render the numbered book to HTML, PDF and DOCX in the staging folder.

Pandoc (from pypandoc-binary) writes the self-contained HTML and the Typst source; the
``typst`` wheel compiles a tagged PDF/UA-1. Documents are written to ``build/staging/``
only: the privacy guard reads their final bytes, and ``scripts.guard.publish`` copies them
to ``build/report.*`` once every check has passed, so a failed render never touches the
last good report.
"""
from __future__ import annotations

import base64
import datetime as dt
import html as html_lib
import re
import subprocess
import sys
from pathlib import Path

import yaml

from scripts import paths
from scripts.atomic import write_bytes, write_text
from scripts.cli import entry, run_step
from scripts.engine.book import Book, chapter_md, load_book
from scripts.engine.numbering import assemble
from scripts.settings import build_date

ENGINE_DIR = paths.REPORT / "_engine"


def metadata(book: Book, date: dt.date) -> dict:
    """Document metadata for Pandoc: title page fields, language and bibliography."""
    b = book.meta.get("book", {})
    fmt = book.meta.get("navrapport", {})
    return {
        "title": b.get("title"),
        "subtitle": b.get("subtitle"),
        "original-author": fmt.get("original-author"),
        "original-source": fmt.get("original-source"),
        "date": date.strftime("%d.%m.%Y"),
        "generated-note": fmt.get("generated-note", "Generert {date} fra data").format(
            date=date.strftime("%d.%m.%Y")),
        "lang": book.meta.get("lang", "nb"),
        "toc-title": "Innhold",
        "link-citations": True,
        "reference-section-title": None,
        "bibliography": str(paths.REPORT / b.get("bibliography", "references.bib")),
        "csl": str(ENGINE_DIR / fmt["csl"]) if fmt.get("csl") else None,
    }


def pandoc_path() -> str:
    """The Pandoc binary shipped in the pypandoc-binary wheel (or one on PATH)."""
    try:
        import pypandoc

        return pypandoc.get_pandoc_path()
    except (ImportError, OSError):
        return "pandoc"


def run_pandoc(args: list[str], text: str) -> bytes:
    """Run Pandoc on ``text``; a failure raises with Pandoc's own message."""
    proc = subprocess.run([pandoc_path(), *args], input=text.encode("utf-8"), capture_output=True,
                          cwd=paths.ROOT)
    if proc.returncode != 0:
        raise RuntimeError(f"pandoc {' '.join(args[:4])} … feilet (avslutningskode {proc.returncode}); "
                           f"Pandocs melding:\n{proc.stderr.decode('utf-8', 'replace')}")
    return proc.stdout


def document(book: Book, body: str, date: dt.date) -> str:
    """The full Pandoc markdown: YAML metadata block plus the numbered chapters."""
    meta = {k: v for k, v in metadata(book, date).items() if v is not None}
    return "---\n" + yaml.safe_dump(meta, allow_unicode=True, sort_keys=True) + "---\n\n" + body


COMMON = ["--from=markdown+smart", "--citeproc", "--lua-filter", str(ENGINE_DIR / "filters.lua"),
          "--resource-path", str(paths.ROOT), "--standalone"]


ROW_START = re.compile(r"(<tr[^>]*>\s*)<td([^>]*)>(.*?)</td>", re.S)
TABLE = re.compile(r"<table\b.*?</table>", re.S)
HEAD_CELL = re.compile(r"<th\b[^>]*>(.*?)</th>", re.S)
BODY_ROW = re.compile(r"<tr\b[^>]*>.*?</tr>", re.S)
TAG = re.compile(r"<[^>]+>")


def _label(cell_html: str) -> str:
    """A header cell's text, for a body cell's ``data-label`` (plain text, attribute-escaped)."""
    text = " ".join(html_lib.unescape(TAG.sub("", cell_html)).split())
    return html_lib.escape(text, quote=True)


def _scoped_table(table: str) -> str:
    """One table: scoped headers, and on every body data cell its column header as
    ``data-label``, which the stacked phone layout (style.css) shows above the value. The
    header row stays a real ``<thead>`` (hidden only visually there)."""
    table = table.replace("<th ", '<th scope="col" ').replace("<th>", '<th scope="col">')
    head = re.search(r"<thead>.*?</thead>", table, re.S)
    labels = [_label(c) for c in HEAD_CELL.findall(head.group(0))] if head else []
    body = re.search(r"<tbody>.*?</tbody>", table, re.S)
    if body:
        rows = []
        pos = 0
        text = ROW_START.sub(r'\1<th scope="row"\2>\3</th>', body.group(0))
        for m in BODY_ROW.finditer(text):
            rows.append(text[pos:m.start()])
            row, col = m.group(0), 0

            def cell(c: re.Match) -> str:
                nonlocal col
                tag, attrs = c.group(1), c.group(2)
                i, col = col, col + 1
                if tag == "td" and i < len(labels) and labels[i]:
                    attrs = f' data-label="{labels[i]}"{attrs}'
                return f"<{tag}{attrs}>"

            rows.append(re.sub(r"<(td|th)\b([^>]*)>", cell, row))
            pos = m.end()
        rows.append(text[pos:])
        table = table[:body.start()] + "".join(rows) + table[body.end():]
    return table


def table_headers(html: str) -> str:
    """Give tables header scopes: column headers ``scope="col"``, and the first cell of each body
    row (the office) a row header, so screen readers announce "Kontor C" with every value. Body
    cells carry their column header as ``data-label`` for the stacked layout on phones."""
    return TABLE.sub(lambda m: _scoped_table(m.group(0)), html)


IMG = re.compile(r"<img\b(?P<attrs>[^>]*?)\s*/?>", re.S)
SRC = re.compile(r'\ssrc="(?P<src>[^"]*)"')
ALT = re.compile(r'\salt="(?P<alt>[^"]*)"')
STYLESHEET = '<link rel="stylesheet" href="{href}" />'


def embed_resources(html: str, css: Path, root: Path = paths.ROOT) -> str:
    """Make the HTML one self-contained file: the stylesheet becomes a ``<style>`` element
    and every image a ``data:`` URI. Pandoc's ``--embed-resources`` does the same (SVG
    images also get ``role="img"`` and an ``aria-label`` from their alt text, as Pandoc
    gives them) but parses the whole document a second time to do it, about a third of
    the HTML render. An image that is not a local file is an error: nothing may be fetched
    when the report is read."""
    link = STYLESHEET.format(href=css)
    if link not in html:
        raise RuntimeError(f"HTML-malen lenker ikke lenger til stilarket {css}; forventet «{link}» i "
                           "HTML-en fra Pandoc, så stilarket kan ikke bygges inn")
    html = html.replace(link, "<style>\n" + css.read_text(encoding="utf-8") + "</style>")

    def inline(m: re.Match) -> str:
        attrs = m.group("attrs")
        src = SRC.search(attrs)
        if src is None or src.group("src").startswith("data:"):
            return m.group(0)
        path = root / src.group("src")
        mime = {".svg": "image/svg+xml", ".png": "image/png", ".jpg": "image/jpeg",
                ".jpeg": "image/jpeg"}.get(path.suffix.lower())
        if "://" in src.group("src") or mime is None or not path.is_file():
            raise RuntimeError(f"bildet «{src.group('src')}» er ikke en lokal SVG-, PNG- eller JPEG-fil under "
                               f"{root}; forventet en fil som finnes der (ingenting hentes fra nettet)")
        uri = f'src="data:{mime};base64,{base64.b64encode(path.read_bytes()).decode("ascii")}"'
        rest = SRC.sub("", attrs).strip()
        alt = ALT.search(attrs)
        role = f'role="img" aria-label="{alt.group("alt")}" ' if mime == "image/svg+xml" and alt else ""
        img = f"<img {role}{uri} {rest} />"
        # A figure drawn also for phones (``X-smal.svg`` beside ``X.svg``) is shown in that
        # layout below 600 px, so it fits the screen instead of scrolling sideways.
        narrow = path.with_name(path.stem + "-smal" + path.suffix)
        if narrow.is_file():
            data = base64.b64encode(narrow.read_bytes()).decode("ascii")
            return f'<picture><source media="(max-width: 600px)" srcset="data:{mime};base64,{data}" />{img}</picture>'
        return img

    return IMG.sub(inline, html)


def render_html(doc: str) -> bytes:
    """Self-contained HTML (CSS and figures inlined, nothing fetched at view time)."""
    css = ENGINE_DIR / "style.css"
    args = COMMON + ["--to=html5", "--toc", "--toc-depth=3", "--template", str(ENGINE_DIR / "template.html"),
                     "--css", str(css), "--section-divs"]
    html = embed_resources(run_pandoc(args, doc).decode("utf-8"), css)
    return table_headers(html).encode("utf-8")


def render_typst(doc: str) -> str:
    """Typst source for the PDF, from our template (title page, TOC, A4, page numbers).
    Unwrapped (``--wrap=none``): one paragraph per line, easier to read when a compile fails."""
    args = COMMON + ["--to=typst", "--wrap=none", "--toc", "--toc-depth=3",
                     "--template", str(ENGINE_DIR / "template.typ")]
    return run_pandoc(args, doc).decode("utf-8")


def compile_pdf(typ_source: str, date: dt.date) -> bytes:
    """Compile Typst to a tagged PDF/UA-1 with a fixed timestamp (byte-reproducible)."""
    import typst

    # A scratch file, removed again: the rule declares only the PDF as its output.
    typ = paths.STAGING / ".report.pdf.typ"
    write_text(typ, typ_source)
    stamp = int(dt.datetime.combine(date, dt.time(), tzinfo=dt.UTC).timestamp())
    try:
        # Typst's own fonts only, so the PDF does not depend on what the machine has installed.
        return typst.compile(str(typ), root=str(paths.ROOT), pdf_standards=["ua-1"], timestamp=stamp,
                             ignore_system_fonts=True)
    except RuntimeError as exc:
        raise RuntimeError(f"typst kunne ikke kompilere PDF-en: {exc}") from None
    finally:
        typ.unlink(missing_ok=True)


def render(formats: list[str], out_dir: Path = paths.STAGING, env: dict | None = None,
           profiles: list[str] | tuple[str, ...] = ()) -> list[Path]:
    """Assemble the executed chapters and write ``report.<fmt>`` into ``out_dir`` for each format
    (``profiles``: the Quarto profiles whose chapters belong to the book, see ``load_book``)."""
    book = load_book(profiles=profiles)
    texts = {}
    for f in book.files:
        md = chapter_md(f)
        if not md.exists():
            raise FileNotFoundError(f"{md} mangler: kapitlet {f.name} er ikke kjørt")
        texts[f] = md.read_text(encoding="utf-8")
    date = build_date(env)
    doc = document(book, assemble(book, texts), date)
    written = []
    for fmt in formats:
        out = out_dir / f"report.{fmt}"
        if fmt == "html":
            data = render_html(doc)
        elif fmt == "pdf":
            data = compile_pdf(render_typst(doc), date)
        elif fmt == "docx":
            data = run_pandoc(COMMON + ["--to=docx", "--toc", "-o", "-"], doc)
        else:
            raise ValueError(f"ukjent format «{fmt}» (forventet html, pdf eller docx)")
        write_bytes(out, data)
        written.append(out)
    return written


def main(argv: list[str] | None = None) -> int:
    """``python -m scripts.engine.render html pdf [--profil endringer]``: render the requested formats
    into build/staging/."""
    import argparse

    p = argparse.ArgumentParser(prog="python -m scripts.engine.render")
    p.add_argument("formats", nargs="*", default=["html", "pdf"])
    p.add_argument("--profil", action="append", default=[], help="Quarto-profil (report/_quarto-<profil>.yml)")
    a = p.parse_args(sys.argv[1:] if argv is None else argv)
    return run_step("render", lambda: render(a.formats or ["html", "pdf"], profiles=a.profil),
                    (RuntimeError, KeyError, ValueError))

if __name__ == "__main__":
    sys.exit(entry(main))
