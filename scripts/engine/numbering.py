"""Numbering and cross-references, the same as Quarto's book crossref gives.

Chapters 1–5 with sections 2.1.1 … (to ``number-depth``), tables and figures numbered by
chapter (Tabell 4.2, Figur 2.1), appendices lettered as Quarto letters them ("Vedlegg D:
Assosiasjonsark", sections D.1, Tabell D.1); the words and delimiters come from the
``crossref:`` keys of ``report/_quarto.yml``. Numbers are written into the markdown before
Pandoc sees it, so HTML, PDF and DOCX agree and Pandoc does no numbering of its own. A
cross-reference to a label that does not exist is an error.
"""
from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from pathlib import Path

from scripts.engine.book import Book

HEADING = re.compile(r"^(?P<hashes>#{1,6})\s+(?P<title>.*?)\s*(?:\{(?P<attrs>[^}]*)\})?\s*$")
TABLE_CAPTION = re.compile(r"^: (?P<cap>.*?)\s*\{#(?P<label>tbl-[\w-]+)\}\s*$")
FIGURE_IMAGE = re.compile(r"^!\[(?P<cap>[^\]]*)\]\((?P<src>[^)]+)\)\{#(?P<label>fig-[\w-]+)(?P<rest>[^}]*)\}\s*$")
FIGURE_DIV = re.compile(r"^:::+\s*\{#(?P<label>fig-[\w-]+)(?P<rest>[^}]*)\}\s*$")
# Not after a backslash: "\@tbl-x" is text from data (scripts/content/escape.py), not a reference.
XREF = re.compile(r"(?<![\w@\[\\])@(?P<cap>[Tt]bl|[Ff]ig|[Ss]ec)-(?P<name>[\w-]*\w)")
FENCE = re.compile(r"^(```|~~~)")



class XrefError(KeyError):
    """A cross-reference to a label that no table, figure or section carries."""

    def __str__(self) -> str:
        # KeyError's own str() wraps the message in quotes.
        return str(self.args[0])


def _expected(label: str, labels: dict) -> str:
    """What the author probably meant: the nearest defined labels of the same kind."""
    kind = label.split("-", 1)[0] + "-"
    same = [k for k in labels if k.startswith(kind)]
    near = difflib.get_close_matches(label, same, n=3, cutoff=0.6)
    if near:
        return "en definert etikett, f.eks. " + ", ".join(f"@{k}" for k in near)
    return f"en definert etikett; det finnes {len(same)} som begynner med {kind}"


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


NBSP = "\u00a0"


@dataclass
class Numbering:
    """Walks the chapters in order and assigns Quarto's book numbers."""

    prefixes: dict
    depth: int = 3
    chapter: int = 0
    appendix: int = 0
    counters: list = field(default_factory=lambda: [0, 0, 0, 0, 0, 0])
    tables: int = 0
    figures: int = 0
    labels: dict = field(default_factory=dict)  # label -> number text ("4.2", "D.1")
    kinds: dict = field(default_factory=dict)  # section label -> "ch", "apx" or "sec" (the word it takes)
    chapter_key: str = "0"

    def heading(self, level: int, title: str, attrs: str | None, appendix: bool) -> str:
        ident, classes, rest = _attrs(attrs)
        number, text = None, title
        if "unnumbered" not in classes:
            if level == 1:
                if appendix:
                    self.appendix += 1
                    self.chapter_key = chr(ord("A") + self.appendix - 1)
                else:
                    self.chapter += 1
                    self.chapter_key = str(self.chapter)
                self.counters = [0, 0, 0, 0, 0, 0]
                self.tables = self.figures = 0
                number = self.chapter_key
            else:
                self.counters[level - 1] += 1
                for i in range(level, 6):
                    self.counters[i] = 0
                number = ".".join([self.chapter_key, *(str(c) for c in self.counters[1:level])])
        if number and level > self.depth:
            number = None
        if number and level == 1 and appendix:
            text = f"{self.prefixes['appendix-title']} {number}{self.prefixes['appendix-delim']} {title}"
        elif number:
            text = f"{number} {title}"
        if ident and number:
            self.labels[ident] = number
            self.kinds[ident] = ("apx" if appendix else "ch") if level == 1 else "sec"
        classes.add("unnumbered")
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
            out.append(f": {caption_title(num.prefixes, 'tbl', n)} {m['cap']} {{#{m['label']}}}")
        elif m := FIGURE_IMAGE.match(line):
            n = num.next_figure(m["label"])
            out.append(f"![{caption_title(num.prefixes, 'fig', n)} {m['cap']}]({m['src']}){{#{m['label']}{m['rest']}}}")
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
                    # The caption paragraph (lines k..j) as one span, styled like the captions
                    # of drawn figures in both outputs (style.css, filters.lua).
                    out[k] = f"[{caption_title(num.prefixes, 'fig', n)} {out[k]}"
                    out[j] = f"{out[j]}]{{.figurtekst}}"
                    break
            out.append(line)
            div_figure = None
        else:
            out.append(line)
    return "\n".join(out) + "\n"


def caption_title(prefixes: dict, kind: str, number: str) -> str:
    """"Tabell 4.2." as Quarto writes a caption's start: title, no-break space, number, delimiter."""
    return f"{prefixes[kind + '-title']}{NBSP}{number}{prefixes['title-delim']}"


def resolve_xrefs(md: str, labels: dict, prefixes: dict, source: str = "report", kinds: dict | None = None) -> str:
    """Replace ``@tbl-x``/``@fig-x``/``@sec-x`` by a linked "tabell 4.2"; unknown labels fail.
    A section reference takes Quarto's word for what it points to: a chapter ``ch-prefix``, an
    appendix ``apx-prefix``, any other section ``sec-prefix``; ``@Tbl-`` capitalises the word."""
    kinds = kinds or {}

    def repl(m: re.Match) -> str:
        kind = m["cap"].lower()
        label = f"{kind}-{m['name']}"
        if label not in labels:
            raise XrefError(f"{source}: kryssreferansen @{label} peker ikke på noen tabell, figur eller "
                            f"seksjon; forventet {_expected(label, labels)}")
        word = prefixes[f"{kinds.get(label, kind)}-prefix"]
        if m["cap"][0].isupper():
            word = word[:1].upper() + word[1:]
        # Quarto puts a no-break space between word and number for tables and figures only.
        space = " " if kind == "sec" else NBSP
        return f"[{word}{space}{labels[label]}](#{label})"

    # Pandoc reads no cross-reference inside code or a raw block (a folded figure description is
    # raw HTML with data text in it), so neither do we.
    out, pos = [], 0
    for m in LITERAL.finditer(md):
        out += [XREF.sub(repl, md[pos:m.start()]), m.group(0)]
        pos = m.end()
    return "".join(out) + XREF.sub(repl, md[pos:])


# Fenced blocks (code and raw ``{=html}``) and inline code spans.
LITERAL = re.compile(r"(^(?P<f>`{3,}|~{3,})[^\n]*\n.*?^(?P=f)[ \t]*$|(?P<t>`+)(?!`).+?(?<!`)(?P=t)(?!`))",
                     re.M | re.S)


def assemble(book: Book, chapter_texts: dict[Path, str]) -> str:
    """Number all chapters, resolve cross-references and join them into one document."""
    prefixes = dict(DEFAULT_PREFIXES)
    # As Quarto's refPrefix: the language's crossref-X-prefix, overridden by crossref: X-prefix.
    language = book.meta.get("language") or {}
    prefixes.update({k: str(language[f"crossref-{k}"]) for k in prefixes if f"crossref-{k}" in language})
    prefixes.update({k: str(v) for k, v in book.crossref.items() if k in prefixes})
    num = Numbering(prefixes, depth=int(book.meta.get("number-depth", 3)))
    numbered = []
    for f in book.files:
        numbered.append(number_chapter(chapter_texts[f], num, appendix=f in book.appendices))
    return resolve_xrefs("\n\n".join(numbered), num.labels, prefixes, kinds=num.kinds)


# Quarto's own defaults for the crossref keys the book may set (its crossref filter).
DEFAULT_PREFIXES = {"tbl-title": "Table", "fig-title": "Figure", "tbl-prefix": "Table", "fig-prefix": "Figure",
                    "sec-prefix": "Section", "ch-prefix": "Chapter", "apx-prefix": "Appendix",
                    "appendix-title": "Appendix", "appendix-delim": " —", "title-delim": ":"}
