"""What a reader, a screen reader or a copy-paste can get out of an output file, as located text.

Every reader returns a list of :class:`Segment` (a place such as "side 3", "avsnitt sec-x
(linje 40–52)" or "linje 7", and its text), so a finding can be named by position without
printing what was found. Readers work on the final bytes:

- HTML and SVG: the text between tags (inline tags such as ``<strong>`` are removed without
  a space, so ``Dram<strong>men</strong>`` reads as one word), the values of the attributes
  a reader can reach (alt text, ``aria-label``, titles, link targets …), comments (matplotlib
  writes each label there while drawing its letters as outlines), the text of ``<style>`` and
  ``<script>``, and every ``data:`` URI decoded (SVG and other text read the same way, PNG
  text chunks).
- PDF: the text of each page (PDFium) and the document information.
- DOCX: each paragraph's runs joined, in every XML part (body, notes, headers, comments,
  document properties), and SVG images in the package.
- JSON: every string (keys too) with its JSON path, after decoding escapes such as ``\\u00e6``.
- Anything else: line by line, as UTF-8.
"""
from __future__ import annotations

import base64
import html
import io
import json
import re
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote_to_bytes


@dataclass(frozen=True)
class Segment:
    where: str  # position in Norwegian: "side 3", "linje 7", "avsnitt sec-x (linje 40–52)"
    text: str
    raw_lines: tuple[str, ...] = ()  # for HTML: the source lines, to narrow a finding to a line
    first_line: int = 0
    parts: tuple[Segment, ...] = ()  # smaller places inside it, read only to locate a finding


# Inline elements: their tags sit inside words, so they are removed without leaving a space.
INLINE = ("a|abbr|b|bdi|bdo|cite|code|data|del|dfn|em|font|i|ins|kbd|mark|q|s|samp|small|span|"
          "strong|sub|sup|time|tspan|u|var|wbr")
INLINE_TAG = re.compile(rf"</?(?:{INLINE})\b[^>]*>", re.I)
TAG = re.compile(r"<[^>]*>")
COMMENT = re.compile(r"<!--(.*?)-->", re.S)
# Attributes whose values a reader, a screen reader or a click can reach (``Target``: a DOCX link's
# address sits only in the package's .rels part, behind link text such as "skriv til oss").
TEXT_ATTR = re.compile(r"""\s(?:alt|title|aria-label|aria-description|aria-roledescription|href|src|content|value|"""
                       r"""placeholder|label|summary|download|xlink:href|target|data-[\w-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')""",
                       re.I)
DATA_URI = re.compile(r"data:(?P<mime>[\w.+-]+/[\w.+-]+)?(?P<params>(?:;[\w.+-]+=[^;,\"']*)*)"
                      r"(?P<b64>;base64)?,(?P<body>[^\"'\s)>]*)", re.I)
BETWEEN = "\u2029"  # PARAGRAPH SEPARATOR: white space to a name pattern, a hard break to a phone pattern
SECTION_START = re.compile(r"(?=<(?:section|h[1-6])\b)", re.I)
SECTION_ID = re.compile(r"""<(?:section|h[1-6])\b[^>]*\sid\s*=\s*["']([^"']+)["']""", re.I)


def decode_data_uri(m: re.Match) -> str:
    """The text inside one ``data:`` URI ('' for a picture without text)."""
    body = m.group("body")
    try:
        data = base64.b64decode(body + "=" * (-len(body) % 4)) if m.group("b64") else unquote_to_bytes(body)
    except ValueError:
        return ""
    mime = (m.group("mime") or "text/plain").lower()
    if mime == "image/png":
        return png_text(data)
    if mime.startswith(("text/", "application/json", "application/xml", "image/svg")):
        text = data.decode("utf-8", "replace")
        return markup_text(text) if ("html" in mime or "xml" in mime or "svg" in mime) else text
    return ""


def png_text(data: bytes) -> str:
    """The text chunks of a PNG (tEXt, zTXt, iTXt): matplotlib and others write metadata there."""
    out, pos = [], 8
    while pos + 8 <= len(data):
        size = int.from_bytes(data[pos:pos + 4], "big")
        kind, body = data[pos + 4:pos + 8], data[pos + 8:pos + 8 + size]
        try:
            if kind == b"tEXt":
                out.append(body.replace(b"\0", b" ").decode("latin-1"))
            elif kind == b"zTXt":
                key, _, rest = body.partition(b"\0")
                out.append(key.decode("latin-1") + " " + zlib.decompress(rest[1:]).decode("latin-1"))
            elif kind == b"iTXt":
                key, _, rest = body.partition(b"\0")
                compressed, rest = rest[0], rest[2:]
                _lang, _, rest = rest.partition(b"\0")
                _tkey, _, text = rest.partition(b"\0")
                out.append(key.decode("latin-1") + " " + (zlib.decompress(text) if compressed else text).decode("utf-8", "replace"))
        except (zlib.error, IndexError):
            out.append("")
        pos += 12 + size
    return "\n".join(out)


def markup_text(markup: str) -> str:
    """Everything a reader can get from HTML or SVG markup (see the module docstring)."""
    uris = [decode_data_uri(m) for m in DATA_URI.finditer(markup)]
    plain = DATA_URI.sub(" ", markup)
    attrs = [html.unescape(a or b) for a, b in TEXT_ATTR.findall(plain)]
    comments = [html.unescape(c) for c in COMMENT.findall(plain)]
    # Between elements a paragraph separator, not a space: two table cells or two figure labels
    # side by side ("52", "52", "50", "53") must not read as one phone number.
    body = TAG.sub(BETWEEN, INLINE_TAG.sub("", COMMENT.sub(BETWEEN, plain)))
    return BETWEEN.join([html.unescape(body), *attrs, *comments, *uris])


def html_segments(markup: str) -> list[Segment]:
    """HTML or SVG in parts, one per section (a name never spans a heading), each with its lines."""
    out, line, current = [], 1, None
    for part in SECTION_START.split(markup):
        if not part:
            continue
        lines = part.split("\n")
        sid = SECTION_ID.match(part)
        current = sid.group(1) if sid else current  # a heading without id belongs to its section
        last = line + len(lines) - 1
        span = f"linje {line}" if last == line else f"linje {line}–{last}"
        where = f"avsnitt {current} ({span})" if current else span
        out.append(Segment(where, markup_text(part), tuple(lines), line))
        line = last  # the split point is inside a line
    return out


def pdf_segments(data: bytes) -> list[Segment]:
    """One segment per page (what a copy-paste or a screen reader gets), plus the document info."""
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(data)
    try:
        out = [Segment(f"side {i}", page.get_textpage().get_text_range()) for i, page in enumerate(doc, 1)]
        out.append(Segment("dokumentinformasjonen", "\n".join(str(v) for v in doc.get_metadata_dict().values())))
        return out
    finally:
        doc.close()


PARAGRAPH = re.compile(r"<w:p\b.*?</w:p>", re.S)
RUN_TEXT = re.compile(r"<w:(?:t|delText|instrText)\b[^>]*>([^<]*)</w:(?:t|delText|instrText)>")
BREAK = re.compile(r"<w:(?:tab|br|cr)\b[^>]*/>")


def docx_segments(data: bytes) -> list[Segment]:
    """Each paragraph's text with its runs joined (Word splits a word into runs at every change of
    formatting), in every XML part of the package; SVG images read as markup."""
    out = []
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        for name in sorted(z.namelist()):
            raw = z.read(name)
            if name.endswith(".svg"):
                out += [Segment(f"{name}, {s.where}", s.text) for s in html_segments(raw.decode("utf-8", "replace"))]
            elif name.endswith((".xml", ".rels")):
                xml = raw.decode("utf-8", "replace")
                paragraphs = PARAGRAPH.findall(xml)
                for i, p in enumerate(paragraphs, 1):
                    text = "".join(html.unescape(t) for t in RUN_TEXT.findall(BREAK.sub("<w:t> </w:t>", p)))
                    out.append(Segment(f"{name}, avsnitt {i}", text))
                # Text outside paragraphs (document properties, link targets in .rels).
                out.append(Segment(name, markup_text(PARAGRAPH.sub(" ", xml))))
    return out


def json_segments(text: str) -> list[Segment]:
    """A JSON document as one segment (every string, keys too, escapes decoded, then the raw text);
    its parts name each string by its path and each raw line by its number."""
    parts: list[Segment] = []

    def walk(node, path: str, key: str | None = None) -> None:
        if isinstance(node, dict):
            for k, v in node.items():
                walk(v, f"{path}/{k}", str(k))
        elif isinstance(node, list):
            for i, v in enumerate(node):
                walk(v, f"{path}[{i}]")
        else:
            # Written as in the file ("key": "value"), so an allow-list phrase reads the same in both.
            value = f'"{node}"' if isinstance(node, str) else json.dumps(node)  # decoded, line breaks kept
            parts.append(Segment(path or "/", value if key is None else f"{json.dumps(key, ensure_ascii=False)}: {value}"))

    walk(json.loads(text), "")
    # The raw lines too: a JSON file is published as it is written, not only as parsed.
    lines = line_segments(text)[0]
    whole = BETWEEN.join(p.text for p in parts) + BETWEEN + text
    return [Segment("hele filen", whole, parts=tuple(parts) + lines.parts)]


def line_segments(text: str) -> list[Segment]:
    """The whole text (so what a line break splits, such as an address over two lines, is seen),
    with its lines as parts for locating a finding."""
    lines = text.split("\n")
    parts = tuple(Segment(f"linje {i}", line) for i, line in enumerate(lines, 1))
    return [Segment(f"linje 1–{len(lines)}" if len(lines) > 1 else "linje 1", text, parts=parts)]


def segments(path: Path) -> list[Segment]:
    """The located text of one file, read by its type from its final bytes."""
    suffix = path.suffix.lower()
    data = path.read_bytes()
    if suffix == ".pdf":
        return pdf_segments(data)
    if suffix == ".docx":
        return docx_segments(data)
    if suffix == ".png":
        return [Segment("bildets tekstfelt", png_text(data))]
    text = data.decode("utf-8", "replace")
    if suffix in (".html", ".htm", ".svg", ".xml"):
        return html_segments(text)
    if suffix == ".json":
        return json_segments(text)
    return line_segments(text)
