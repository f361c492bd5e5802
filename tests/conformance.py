"""What the conformance test compares between the two engines' HTML, chapter by chapter.

The built-in engine writes one HTML file with a ``<section class="level1">`` per chapter;
Quarto writes a website with one page per chapter. From each chapter both give the same
things, read the same way: its text (block by block), its numbered captions ("Tabell 4.2"),
every cross-reference (target label and words), every citation (keys and text), every image's
alt text and every table cell marked as a best value.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

from scripts.engine.book import Book
from scripts.engine.qmd import FRONT_MATTER

BLOCKS = {"p", "li", "h1", "h2", "h3", "h4", "h5", "h6", "td", "th", "caption", "figcaption", "dt", "dd",
          "blockquote", "div", "section", "tr", "table", "ul", "ol", "dl", "figure", "main", "header", "pre"}
SKIP = {"script", "style", "nav", "svg", "button"}
VOID = {"br", "img", "hr", "meta", "link", "input", "col", "source", "wbr"}
CAPTION = re.compile(r"^((?:Tabell|Figur) [0-9A-Z]+\.[0-9]+)\.")
LABEL = re.compile(r"^(sec|tbl|fig)-")


@dataclass
class Chapter:
    """What one chapter shows a reader, engine-independent."""

    blocks: list[str] = field(default_factory=list)
    captions: list[str] = field(default_factory=list)
    xrefs: list[tuple[str, str]] = field(default_factory=list)
    citations: list[tuple[str, str]] = field(default_factory=list)
    alts: list[str] = field(default_factory=list)  # every image's alt text
    marks: list[str] = field(default_factory=list)  # every cell marked as a best value (.hl)


def norm(text: str) -> str:
    """Whitespace as a reader sees it: no-break spaces and line breaks are spaces, runs are one."""
    return re.sub(r"\s+", " ", text.replace("\u00a0", " ")).strip()


class _Reader(HTMLParser):
    """Collects a Chapter from HTML. ``page_labels`` maps a Quarto page (``03-metode.html``)
    to its chapter's label, for cross-references to a whole chapter, which Quarto links
    to the page without a fragment."""

    def __init__(self, page_labels: dict[str, str]):
        super().__init__(convert_charrefs=True)
        self.page_labels = page_labels
        self.chapter = Chapter()
        self.stack: list[tuple[str, bool]] = []  # (tag, hidden)
        self.buf: list[str] = []
        self.link: tuple[str, list[str]] | None = None
        self.cite: tuple[str, list[str]] | None = None
        self.caption: list[str] | None = None
        self.caption_depth = 0
        self.mark: tuple[list[str], int] | None = None

    @property
    def hidden(self) -> bool:
        return bool(self.stack) and self.stack[-1][1]

    def _flush(self):
        text = norm("".join(self.buf))
        if text:
            self.chapter.blocks.append(text)
        self.buf = []

    def _target(self, href: str) -> str | None:
        page, _, frag = href.partition("#")
        if frag and LABEL.match(frag):
            return frag
        if not frag and page in self.page_labels:
            return self.page_labels[page]
        return None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        classes = (a.get("class") or "").split()
        hidden = self.hidden or tag in SKIP or "display: none" in (a.get("style") or "") \
            or a.get("aria-hidden") == "true"
        if tag in BLOCKS:
            self._flush()
        if tag not in VOID:
            self.stack.append((tag, hidden))
        if hidden:
            return
        if tag == "img" and a.get("alt"):
            self.chapter.alts.append(norm(a["alt"]))
        if tag == "span" and "hl" in classes:
            self.mark = ([], len(self.stack))
        if tag == "a" and (target := self._target(a.get("href") or "")):
            self.link = (target, [])
        if tag == "span" and "citation" in classes:
            self.cite = (a.get("data-cites", ""), [], len(self.stack))
        if tag in ("caption", "figcaption") or (tag == "span" and "figurtekst" in classes):
            self.caption, self.caption_depth = [], len(self.stack)

    def handle_endtag(self, tag):
        if tag in VOID:
            return
        while self.stack:
            t, _ = self.stack.pop()
            if t == tag:
                break
        if tag == "a" and self.link:
            self.chapter.xrefs.append((self.link[0], norm("".join(self.link[1]))))
            self.link = None
        if self.cite and len(self.stack) < self.cite[2]:
            self.chapter.citations.append((self.cite[0], norm("".join(self.cite[1]))))
            self.cite = None
        if self.mark and len(self.stack) < self.mark[1]:
            self.chapter.marks.append(norm("".join(self.mark[0])))
            self.mark = None
        if self.caption is not None and len(self.stack) < self.caption_depth:
            m = CAPTION.match(norm("".join(self.caption)))
            if m:
                self.chapter.captions.append(m.group(1))
            self.caption = None
        if tag in BLOCKS:
            self._flush()

    def handle_data(self, data):
        if self.hidden:
            return
        self.buf.append(data)
        for collector in (self.link, self.cite):
            if collector:
                collector[1].append(data)
        if self.mark:
            self.mark[0].append(data)
        if self.caption is not None:
            self.caption.append(data)

    def close(self):
        super().close()
        self._flush()


def read_chapter(html: str, page_labels: dict[str, str] | None = None) -> Chapter:
    reader = _Reader(page_labels or {})
    reader.feed(html)
    reader.close()
    return reader.chapter


def chapter_labels(book: Book) -> dict[Path, str]:
    """Each chapter file's own label: the id of its first level-1 heading."""
    labels = {}
    for f in book.files:
        text = FRONT_MATTER.sub("", f.read_text(encoding="utf-8"), count=1)
        text = re.sub(r"^```.*?^```", "", text, flags=re.M | re.S)  # code cells: comments are not headings
        m = re.search(r"^# [^\n{]*\{[^}]*#(sec-[\w-]+)", text, re.M)
        labels[f] = m.group(1) if m else ""
    return labels


def builtin_chapters(html: str, book: Book) -> dict[str, Chapter]:
    """The built-in engine's one file, cut at each chapter's level-1 section."""
    labels = chapter_labels(book)
    body = html[html.index("<body"):]
    starts = []
    for f in book.files:
        m = re.search(rf'<section id="{labels[f]}" class="level1', body)
        assert m, f"fant ikke kapitlet {f.name} ({labels[f]}) i HTML-en fra den innebygde motoren"
        starts.append((m.start(), f))
    starts.sort()
    out = {}
    for (pos, f), nxt in zip(starts, [*[p for p, _ in starts[1:]], len(body)], strict=True):
        out[f.stem] = read_chapter(body[pos:nxt])
    return out


def quarto_chapters(site: Path, book: Book) -> dict[str, Chapter]:
    """Quarto's website, one page per chapter: the page's main content, without the hidden
    copy of the bibliography Quarto puts on every page for citation pop-ups."""
    labels = chapter_labels(book)
    page_labels = {f"{f.stem}.html": labels[f] for f in book.files}
    out = {}
    for f in book.files:
        html = (site / f"{f.stem}.html").read_text(encoding="utf-8")
        main = html[html.index('<main class="content"'):html.index("</main>")]
        out[f.stem] = read_chapter(main, page_labels)
    return out
