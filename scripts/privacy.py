"""Privacy guard: no output may identify an office or carry personal contact details.

It looks for (1) any municipality name or number from the private office mapping
(``config/offices.private.yaml``, git-ignored), (2) phone numbers, (3) e-mail addresses.
The render step runs it on the document before anything is written; the ``guard`` rule runs
it over every intermediate result. Format of the private mapping::

    # config/offices.private.yaml  (never commit this file; see docs/kostra.md)
    offices:
      A: "0000"
    names:                         # optional, so the guard can look for names too
      A: "Navn"
"""
from __future__ import annotations

import argparse
import html
import io
import re
import sys
from pathlib import Path

import yaml

from scripts import paths

PHONE = re.compile(r"(?<![\w,.])(?:\+47[ \u00a0]?)?(?:\d{8}|\d{2}([ \u00a0])\d{2}\1\d{2}\1\d{2}|\d{3}([ \u00a0])\d{2}\2\d{3})(?!\w|[,.]\d)")
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[a-zA-Z]{2,}")
DATA_URI = re.compile(r"data:[\w/+.-]+;base64,[A-Za-z0-9+/=]+")
TAG = re.compile(r"<[^>]+>")


class PrivacyError(RuntimeError):
    """An output contains something that could identify an office or a person."""


def load_private_terms(path: Path = paths.PRIVATE_OFFICES) -> list[str]:
    """Municipality numbers and names from the private mapping; empty when there is none."""
    if not Path(path).exists():
        return []  # the usual case; and no need to import the SSB client (requests, pandas)
    from scripts.kostra_client import load_private_offices

    numbers = load_private_offices(path)  # validates the file and its numbers
    if not numbers and not path.is_file():
        return []
    names = (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("names") or {}
    terms = list(numbers.values()) + [str(v) for v in names.values() if v]
    return sorted({t.strip() for t in terms if t.strip()})


def visible_text(markup: str) -> str:
    """Text a reader sees in HTML: no tags, no embedded images, entities decoded."""
    return html.unescape(TAG.sub(" ", DATA_URI.sub(" ", markup)))


def pdf_text(data: bytes) -> str:
    """All text in a PDF (what a copy-paste or a screen reader gets), via PDFium: fast enough
    to check every edition before it is written (pypdf needs seconds for the same pages)."""
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(data)
    try:
        return "\n".join(page.get_textpage().get_text_range() for page in doc)
    finally:
        doc.close()


TYPST_MARK = re.compile(r"\\(.)|~")
# An inline call with a content block, ``#emph[``, ``#link("…")[`` (its closing ``]`` too):
# markup inside a word, as in ``Oppdikt#emph[by]``, which the reader sees as one word.
TYPST_INLINE = re.compile(r'(?<!\\)#[A-Za-z][\w.-]*(?:\((?:[^()"]|"(?:[^"\\]|\\.)*")*\))?\[|(?<!\\)\]')


def _unescape_typst(source: str) -> str:
    return TYPST_MARK.sub(lambda m: m.group(1) if m.group(1) is not None else "\u00a0", source)


def typst_text(source: str) -> str:
    """What a check must read in a Typst source: the source with escapes undone
    (``a\\@b.no`` is ``a@b.no``, ``~`` the no-break space it stands for), so link targets
    and arguments are seen, and then once more without inline markup, so a word that markup
    splits in the source (``Oppdikt#emph[by]``) is seen whole, as the reader sees it."""
    return _unescape_typst(source) + "\n" + _unescape_typst(TYPST_INLINE.sub("", source))


def docx_text(data: bytes) -> str:
    """The text of a DOCX document (its main part, without markup)."""
    import zipfile

    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return visible_text(z.read("word/document.xml").decode("utf-8"))


def findings(text: str, terms: list[str], where: str) -> list[str]:
    """Everything in ``text`` that must not be published, as ``where: what`` lines."""
    out = []
    for term in terms:
        if re.search(rf"(?<![\w]){re.escape(term)}(?![\w])", text, re.I):
            out.append(f"{where}: contains '{term}' from the private office mapping")
    for m in PHONE.finditer(text):
        out.append(f"{where}: looks like a phone number: '{m.group(0)}'")
    for m in EMAIL.finditer(text):
        out.append(f"{where}: contains an e-mail address: '{m.group(0)}'")
    return list(dict.fromkeys(out))  # a text read in two forms reports each finding once


def check(text: str, where: str, terms: list[str] | None = None) -> None:
    """Raise PrivacyError listing every finding in ``text``."""
    found = findings(text, load_private_terms() if terms is None else terms, where)
    if found:
        raise PrivacyError("Privacy guard stopped the build:\n  " + "\n  ".join(found))


def text_of(path: Path) -> str:
    """The readable text of an output file, by type."""
    if path.suffix == ".pdf":
        return pdf_text(path.read_bytes())
    if path.suffix == ".docx":
        return docx_text(path.read_bytes())
    raw = path.read_text(encoding="utf-8", errors="replace")
    return visible_text(raw) if path.suffix in (".html", ".svg") else raw


def scan_paths(files: list[Path], terms: list[str] | None = None) -> list[str]:
    """Findings over many files (used by the guard rule and the tests)."""
    terms = load_private_terms() if terms is None else terms
    out = []
    for f in files:
        out += findings(text_of(f), terms, str(f))
    return out


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m scripts.privacy")
    p.add_argument("files", nargs="+", type=Path)
    p.add_argument("--stamp", type=Path, help="written only when nothing was found")
    a = p.parse_args(argv)
    found = scan_paths(a.files)
    if found:
        print("Privacy guard stopped the build:\n  " + "\n  ".join(found), file=sys.stderr)
        return 1
    if a.stamp:
        a.stamp.parent.mkdir(parents=True, exist_ok=True)
        a.stamp.write_text(f"{len(a.files)} filer kontrollert, ingen funn\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
