"""Built-in engine, step 2: assemble the executed chapters and render HTML and PDF.

Chapters come in the order of ``report/_quarto.yml`` (``book.chapters`` then
``book.appendices``). Numbering follows the thesis: chapters 1–5 with sections 2.1.1 …,
tables and figures numbered by chapter (Tabell 4.2, Figur 2.1), appendices "Vedlegg N".
Numbers are written into the text here, so HTML and PDF agree and Pandoc does no
numbering of its own. Pandoc (from pypandoc-binary) writes the self-contained HTML and
the Typst source; the ``typst`` wheel compiles the PDF.
"""
from __future__ import annotations

import base64
import datetime as dt
import os
import re
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from scripts import paths, privacy, typst_service
from scripts.atomic import write_bytes, write_text

ENGINE_DIR = paths.REPORT / "_engine"
HEADING = re.compile(r"^(?P<hashes>#{1,6})\s+(?P<title>.*?)\s*(?:\{(?P<attrs>[^}]*)\})?\s*$")
TABLE_CAPTION = re.compile(r"^: (?P<cap>.*?)\s*\{#(?P<label>tbl-[\w-]+)\}\s*$")
FIGURE_IMAGE = re.compile(r"^!\[(?P<cap>[^\]]*)\]\((?P<src>[^)]+)\)\{#(?P<label>fig-[\w-]+)(?P<rest>[^}]*)\}\s*$")
FIGURE_DIV = re.compile(r"^:::+\s*\{#(?P<label>fig-[\w-]+)(?P<rest>[^}]*)\}\s*$")
XREF = re.compile(r"(?<![\w@\[])@(?P<cap>[Tt]bl|[Ff]ig|[Ss]ec)-(?P<name>[\w-]*\w)")
FENCE = re.compile(r"^(```|~~~)")


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


def build_date(env: dict | None = None) -> dt.date:
    """The edition date: ``SOURCE_DATE_EPOCH`` when set (reproducible builds), else today."""
    env = os.environ if env is None else env
    epoch = env.get("SOURCE_DATE_EPOCH")
    if epoch:
        return dt.datetime.fromtimestamp(int(epoch), tz=dt.UTC).date()
    return dt.date.today()


def _attrs(text: str | None) -> tuple[str | None, set[str], str]:
    """Split a Pandoc attribute string into id, classes and the rest."""
    ident, classes, rest = None, set(), []
    for tok in (text or "").split():
        if tok.startswith("#"):
            ident = tok[1:]
        elif tok.startswith("."):
            classes.add(tok[1:])
        else:
            rest.append(tok)
    return ident, classes, " ".join(rest)


def _fmt_attrs(ident: str | None, classes: set[str], rest: str) -> str:
    toks = ([f"#{ident}"] if ident else []) + [f".{c}" for c in sorted(classes)] + ([rest] if rest else [])
    return "{" + " ".join(toks) + "}"


@dataclass
class Numbering:
    """Walks the chapters in order and assigns thesis-style numbers."""

    prefixes: dict
    chapter: int = 0
    appendix: int = 0
    counters: list = field(default_factory=lambda: [0, 0, 0, 0, 0, 0])
    tables: int = 0
    figures: int = 0
    labels: dict = field(default_factory=dict)  # label -> number text
    chapter_key: str = "0"

    def heading(self, level: int, title: str, attrs: str | None, appendix: bool) -> str:
        ident, classes, rest = _attrs(attrs)
        number = None
        if level == 1 and appendix:
            self.appendix += 1
            number = f"{self.prefixes['appendix']} {self.appendix}"
            self.chapter_key = f"V{self.appendix}"  # tables in Vedlegg 5 are Tabell V5.1, …
            self.tables = self.figures = 0
        elif appendix or "unnumbered" in classes:
            pass
        else:
            if level == 1:
                self.chapter += 1
                self.counters = [self.chapter, 0, 0, 0, 0, 0]
                self.tables = self.figures = 0
                self.chapter_key = str(self.chapter)
            else:
                self.counters[level - 1] += 1
                for i in range(level, 6):
                    self.counters[i] = 0
            number = ".".join(str(c) for c in self.counters[:level])
        if ident and number:
            self.labels[ident] = number
        classes.add("unnumbered")
        text = f"{number} {title}" if number else title
        return f"{'#' * level} {text} {_fmt_attrs(ident, classes, rest)}"

    def next_table(self, label: str) -> str:
        self.tables += 1
        self.labels[label] = f"{self.chapter_key}.{self.tables}"
        return self.labels[label]

    def next_figure(self, label: str) -> str:
        self.figures += 1
        self.labels[label] = f"{self.chapter_key}.{self.figures}"
        return self.labels[label]


def number_chapter(md: str, num: Numbering, appendix: bool) -> str:
    """Number headings, table captions and figures of one chapter's markdown."""
    out, in_fence, div_figure = [], False, None
    lines = md.splitlines()
    for _i, line in enumerate(lines):
        if FENCE.match(line):
            in_fence = not in_fence
        if in_fence:
            out.append(line)
            continue
        if m := HEADING.match(line):
            out.append(num.heading(len(m["hashes"]), m["title"], m["attrs"], appendix))
        elif m := TABLE_CAPTION.match(line):
            n = num.next_table(m["label"])
            out.append(f": {num.prefixes['tbl-title']} {n}. {m['cap']} {{#{m['label']}}}")
        elif m := FIGURE_IMAGE.match(line):
            n = num.next_figure(m["label"])
            out.append(f"![{num.prefixes['fig-title']} {n}. {m['cap']}]({m['src']}){{#{m['label']}{m['rest']}}}")
        elif m := FIGURE_DIV.match(line):
            # A figure the report does not redraw: a div whose last paragraph is the caption.
            div_figure = (len(out), num.next_figure(m["label"]))
            out.append(f"::: {{#{m['label']}{m['rest']} .figur-ikke-gjengitt}}")
        elif div_figure and line.startswith(":::"):
            start, n = div_figure
            for j in range(len(out) - 1, start, -1):
                if out[j].strip():
                    k = j
                    while k - 1 > start and out[k - 1].strip():
                        k -= 1
                    out[k] = f"**{num.prefixes['fig-title']} {n}.** {out[k]}"
                    break
            out.append(line)
            div_figure = None
        else:
            out.append(line)
    return "\n".join(out) + "\n"


def resolve_xrefs(md: str, labels: dict, prefixes: dict, source: str = "report") -> str:
    """Replace ``@tbl-x``/``@fig-x``/``@sec-x`` by a linked "tabell 4.2"; unknown labels fail."""

    def repl(m: re.Match) -> str:
        kind = m["cap"].lower()
        label = f"{kind}-{m['name']}"
        if label not in labels:
            raise KeyError(f"{source}: cross-reference @{label} points to no table, figure or section")
        number = labels[label]
        if number.startswith(prefixes["appendix"]):
            # Appendices carry their own word: "vedlegg 2", not "kapittel Vedlegg 2".
            text = number if m["cap"][0].isupper() else number[:1].lower() + number[1:]
            return f"[{text}](#{label})"
        word = prefixes[f"{kind}-prefix"]
        if m["cap"][0].isupper():
            word = word[:1].upper() + word[1:]
        return f"[{word} {number}](#{label})"

    return XREF.sub(repl, md)


def assemble(book: Book, chapter_texts: dict[Path, str]) -> str:
    """Number all chapters, resolve cross-references and join them into one document."""
    prefixes = {"tbl-title": "Tabell", "fig-title": "Figur", "tbl-prefix": "tabell",
                "fig-prefix": "figur", "sec-prefix": "kapittel", "appendix": "Vedlegg"}
    prefixes.update({k: v for k, v in book.crossref.items() if k in prefixes})
    prefixes["appendix"] = book.meta.get("navrapport", {}).get("appendix-word", prefixes["appendix"])
    num = Numbering(prefixes)
    numbered = []
    for f in book.files:
        numbered.append(number_chapter(chapter_texts[f], num, appendix=f in book.appendices))
    return resolve_xrefs("\n\n".join(numbered), num.labels, prefixes)


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
        raise RuntimeError(f"pandoc {' '.join(args[:4])} … failed:\n{proc.stderr.decode('utf-8', 'replace')}")
    return proc.stdout


def document(book: Book, body: str, date: dt.date) -> str:
    """The full Pandoc markdown: YAML metadata block plus the numbered chapters."""
    meta = {k: v for k, v in metadata(book, date).items() if v is not None}
    return "---\n" + yaml.safe_dump(meta, allow_unicode=True, sort_keys=True) + "---\n\n" + body


COMMON = ["--from=markdown+smart", "--citeproc", "--lua-filter", str(ENGINE_DIR / "filters.lua"),
          "--resource-path", str(paths.ROOT), "--standalone"]


ROW_START = re.compile(r"(<tr[^>]*>\s*)<td([^>]*)>(.*?)</td>", re.S)


def table_headers(html: str) -> str:
    """Give tables header scopes: column headers ``scope="col"``, and the first cell of each body
    row (the office) a row header, so screen readers announce "Kontor C" with every value."""
    html = html.replace("<th ", '<th scope="col" ').replace("<th>", '<th scope="col">')
    out, pos = [], 0
    for m in re.finditer(r"<tbody>.*?</tbody>", html, re.S):
        out.append(html[pos:m.start()])
        out.append(ROW_START.sub(r'\1<th scope="row"\2>\3</th>', m.group(0)))
        pos = m.end()
    out.append(html[pos:])
    return "".join(out)


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
        raise RuntimeError(f"the HTML template no longer links {css}; cannot inline the stylesheet")
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
            raise RuntimeError(f"image '{src.group('src')}' is not a local SVG/PNG/JPEG file under {root}")
        uri = f'src="data:{mime};base64,{base64.b64encode(path.read_bytes()).decode("ascii")}"'
        rest = SRC.sub("", attrs).strip()
        alt = ALT.search(attrs)
        role = f'role="img" aria-label="{alt.group("alt")}" ' if mime == "image/svg+xml" and alt else ""
        return f"<img {role}{uri} {rest} />"

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
    Unwrapped (``--wrap=none``), so the privacy check sees each paragraph on one line."""
    args = COMMON + ["--to=typst", "--wrap=none", "--toc", "--toc-depth=3",
                     "--template", str(ENGINE_DIR / "template.typ")]
    return run_pandoc(args, doc).decode("utf-8")


def compile_pdf(typ_source: str, date: dt.date) -> bytes:
    """Compile Typst to a tagged PDF/UA-1 with a fixed timestamp (byte-reproducible)."""
    typ = paths.BUILD / "tmp" / "report.typ"
    write_text(typ, typ_source)
    stamp = int(dt.datetime.combine(date, dt.time(), tzinfo=dt.UTC).timestamp())
    try:
        return typst_service.compile_pdf(typ, paths.ROOT, stamp, ["ua-1"])
    except RuntimeError as exc:
        raise RuntimeError(f"typst could not compile {typ}: {exc}") from None


def render(formats: list[str], out_dir: Path = paths.BUILD, env: dict | None = None) -> list[Path]:
    """Assemble the executed chapters and write ``report.<fmt>`` for each requested format."""
    book = load_book()
    texts = {}
    for f in book.files:
        md = chapter_md(f)
        if not md.exists():
            raise FileNotFoundError(f"{md} is missing: chapter {f.name} has not been executed")
        texts[f] = md.read_text(encoding="utf-8")
    date = build_date(env)
    doc = document(book, assemble(book, texts), date)
    terms = privacy.load_private_terms()
    privacy.check(doc, "report (assembled markdown)", terms)
    written = []
    for fmt in formats:
        out = out_dir / f"report.{fmt}"
        if fmt == "html":
            data = render_html(doc)
            privacy.check(privacy.visible_text(data.decode("utf-8")), str(out), terms)
        elif fmt == "pdf":
            # The Typst source is checked rather than the PDF's text: every word in the PDF
            # comes from it (the figures' words are drawn as outlines), and in the source no
            # hyphenation or line break can split a name. Checked before compiling.
            typ = render_typst(doc)
            privacy.check(privacy.typst_text(typ), f"{out} (Typst source)", terms)
            data = compile_pdf(typ, date)
        elif fmt == "docx":
            data = run_pandoc(COMMON + ["--to=docx", "--toc", "-o", "-"], doc)
            privacy.check(privacy.docx_text(data), str(out), terms)
        else:
            raise ValueError(f"unknown format '{fmt}' (expected html, pdf or docx)")
        # Only a document that passed every check replaces the previous edition.
        write_bytes(out, data)
        written.append(out)
    return written


def main(argv: list[str] | None = None) -> int:
    """``python -m scripts.render html pdf``: render the requested formats into build/."""
    argv = sys.argv[1:] if argv is None else argv
    try:
        for p in render(argv or ["html", "pdf"]):
            print(f"skrev {p.relative_to(paths.ROOT)}", file=sys.stderr)
    except (RuntimeError, KeyError, FileNotFoundError, ValueError, privacy.PrivacyError) as exc:
        print(f"render: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
