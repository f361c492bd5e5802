"""Privacy guard: no output may identify an office or carry personal contact details.

It looks for (1) any municipality name or number from the private office mapping
(``config/offices.private.yaml``, git-ignored), (2) phone numbers, (3) e-mail addresses.
The ``guard`` rule runs it over every intermediate result and over the final bytes of every
rendered document in ``build/staging/``; ``scripts.guard.publish`` publishes exactly the
bytes it checked, and nothing when it found something. Format of the private mapping::

    # config/offices.private.yaml  (never commit this file; see docs/kostra.md)
    offices:
      A: "0000"
    names:                         # optional, so the guard can look for names too
      A: "Navn"
"""
from __future__ import annotations

import argparse
import hashlib
import html
import io
import json
import re
import sys
from pathlib import Path

import yaml

from scripts import paths
from scripts.atomic import write_text

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
    from scripts.settings import load_private_offices

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


SVG_URI = re.compile(r"data:image/svg\+xml;base64,(?P<b64>[A-Za-z0-9+/=]+)")
# Attributes whose values a reader, a screen reader or a click can reach.
TEXT_ATTR = re.compile(r"""\s(?:alt|title|aria-label|aria-description|href|content|value|placeholder|label)\s*=\s*(?:"([^"]*)"|'([^']*)')""", re.I)
COMMENT = re.compile(r"<!--(.*?)-->", re.S)


def html_text(markup: str) -> str:
    """Everything a reader can get from an HTML or SVG file: the visible text, the text in
    attributes (alt text, ``aria-label``, titles, link targets), comments (matplotlib writes
    each label's text there, though it draws the letters as outlines), all with entities
    decoded, and the same again for every SVG embedded as a ``data:`` URI."""
    import base64

    plain = DATA_URI.sub(" ", markup)
    parts = [visible_text(markup)]
    parts += [html.unescape(a or b) for a, b in TEXT_ATTR.findall(plain)]
    parts += [html.unescape(c) for c in COMMENT.findall(plain)]
    for m in SVG_URI.finditer(markup):
        parts.append(html_text(base64.b64decode(m.group("b64")).decode("utf-8", "replace")))
    return "\n".join(parts)


def pdf_metadata(data: bytes) -> str:
    """The PDF's document information (title, author, subject, keywords)."""
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(data)
    try:
        return "\n".join(str(v) for v in doc.get_metadata_dict().values())
    finally:
        doc.close()


def text_of(path: Path) -> str:
    """The readable text of an output file, by type, read from its final bytes."""
    if path.suffix == ".pdf":
        data = path.read_bytes()
        return pdf_text(data) + "\n" + pdf_metadata(data)
    if path.suffix == ".docx":
        return docx_text(path.read_bytes())
    raw = path.read_text(encoding="utf-8", errors="replace")
    return html_text(raw) if path.suffix in (".html", ".svg") else raw


def scan_paths(files: list[Path], terms: list[str] | None = None) -> list[str]:
    """Findings over many files (used by the guard rule and the tests)."""
    terms = load_private_terms() if terms is None else terms
    out = []
    for f in files:
        try:
            text = text_of(f)
        except Exception as exc:  # noqa: BLE001 (the guard fails closed on anything it cannot read)
            out.append(f"{f}: cannot be read as {f.suffix or 'text'} ({type(exc).__name__}: {exc}); "
                       "a file the guard cannot read is never published")
            continue
        out += findings(text, terms, str(f))
    return out


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m scripts.guard.privacy")
    p.add_argument("files", nargs="+", type=Path)
    p.add_argument("--stamp", type=Path, help="written only when nothing was found")
    a = p.parse_args(argv)
    # A folder (Quarto's website) stands for every file in it.
    a.files = [g for f in a.files for g in (sorted(x for x in f.rglob("*") if x.is_file()) if f.is_dir() else [f])]
    found = scan_paths(a.files)
    if found:
        print("Privacy guard stopped the build:\n  " + "\n  ".join(found), file=sys.stderr)
        return 1
    if a.stamp:
        # The checksums let the publish step copy exactly the bytes that were checked.
        checked = {str(f): hashlib.sha256(f.read_bytes()).hexdigest() for f in a.files}
        write_text(a.stamp, json.dumps({"kontrollert": checked}, ensure_ascii=False, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
