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

Text files (HTML, SVG, XML, markdown, JSON, plain text) are read as a stream (:func:`stream`): a
chunk at a time, cut only where no tag or comment is open, every ``data:`` URI decoded in pieces
as it goes by (a PNG's image data is skipped, never held), the text gathered into windows of about
:attr:`Sizes.window` characters. Each window starts with the end of the one before (at least half
of :attr:`Sizes.overlap` characters, cut at white space), so anything shorter than that which a
cut would split, such as a name over two chunks, is whole in one window; what a window repeats is
in ``Segment.carried`` so a finding there is counted once. Time is linear in the size of the file
and memory bounded by the sizes, whatever the file's size.
"""
from __future__ import annotations

import base64
import codecs
import html
import io
import json
import re
import zipfile
import zlib
from collections.abc import Iterator
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
    carried: str = ""  # the text this segment repeats from the one before it (a finding there is counted once)


# Inline elements: their tags sit inside words, so they are removed without leaving a space.
# (a, abbr, b, bdi, bdo, cite, code, data, del, dfn, em, font, i, ins, kbd, mark, q, s, samp, small,
# span, strong, sub, sup, time, tspan, u, var, wbr: written as a tree, which the regex engine
# tries about twice as fast as a list of 29.)
INLINE = ("a(?:bbr)?|b(?:d[io])?|c(?:ite|ode)|d(?:ata|el|fn)|em|font|i(?:ns)?|kbd|mark|q|"
          "s(?:amp|mall|pan|trong|u[bp])?|t(?:ime|span)|u|var|wbr")
INLINE_TAG = re.compile(rf"</?(?:{INLINE})\b[^>]*>", re.I)
TAG = re.compile(r"<[^>]*>")
COMMENT = re.compile(r"<!--(.*?)-->", re.S)
# Attributes whose values a reader, a screen reader or a click can reach (``Target``: a DOCX link's
# address sits only in the package's .rels part, behind link text such as "skriv til oss").
# (alt, title, aria-label, aria-description, aria-roledescription, href, src, content, value,
# placeholder, label, summary, download, xlink:href, target, data-*; as a tree after a look at the
# first letter, so the white space between numbers in an SVG path is passed over fast.)
TEXT_ATTR = re.compile(r"""\s(?=[acdhlpstvx])(?:a(?:lt|ria-(?:label|description|roledescription))|t(?:itle|arget)|"""
                       r"""href|s(?:rc|ummary)|content|value|placeholder|label|d(?:ownload|ata-[\w-]+)|xlink:href)"""
                       r"""\s*=\s*(?:"([^"]*)"|'([^']*)')""", re.I)
DATA_URI = re.compile(r"data:(?P<mime>[\w.+-]+/[\w.+-]+)?(?P<params>(?:;[\w.+-]+=[^;,\"']*)*)"
                      r"(?P<b64>;base64)?,(?P<body>[^\"'\s)>]*)", re.I)
BETWEEN = "\u2029"  # PARAGRAPH SEPARATOR: white space to a name pattern, a hard break to a phone pattern
SECTION_START = re.compile(r"<(?:section|h[1-6])\b", re.I)
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
    reader = PngText()
    reader.feed(data)
    return reader.text()


def _chunk_text(kind: bytes, body: bytes) -> str:
    """The text of one PNG text chunk ('' when it is broken)."""
    try:
        if kind == b"tEXt":
            return body.replace(b"\0", b" ").decode("latin-1")
        key, _, rest = body.partition(b"\0")
        if kind == b"zTXt":
            return key.decode("latin-1") + " " + zlib.decompress(rest[1:]).decode("latin-1")
        compressed, rest = rest[0], rest[2:]
        _lang, _, rest = rest.partition(b"\0")
        _tkey, _, text = rest.partition(b"\0")
        return key.decode("latin-1") + " " + (zlib.decompress(text) if compressed else text).decode("utf-8", "replace")
    except (zlib.error, IndexError):
        return ""


class PngText:
    """A PNG fed in pieces of any size: the text chunks are kept, the image data is skipped as it
    goes by (a picture of tens of MB in a ``data:`` URI is never held)."""

    TEXT = (b"tEXt", b"zTXt", b"iTXt")

    def __init__(self) -> None:
        self.skip = 8  # the signature
        self.head = b""
        self.kind = b""
        self.body: list[bytes] | None = None  # a text chunk being read
        self.left = 0
        self.texts: list[str] = []

    def feed(self, data: bytes) -> None:
        i, n = 0, len(data)
        while i < n:
            if self.skip:
                k = min(self.skip, n - i)
                self.skip -= k
                i += k
            elif self.body is not None:
                k = min(self.left, n - i)
                self.body.append(data[i:i + k])
                self.left -= k
                i += k
                if not self.left:
                    self._end_chunk()
            else:
                k = min(8 - len(self.head), n - i)
                self.head += data[i:i + k]
                i += k
                if len(self.head) == 8:
                    self._start_chunk()

    def _start_chunk(self) -> None:
        size, self.kind, self.head = int.from_bytes(self.head[:4], "big"), self.head[4:], b""
        if self.kind in self.TEXT:
            self.body, self.left = [], size
            if not size:
                self._end_chunk()
        else:
            self.skip = size + 4  # and its checksum

    def _end_chunk(self) -> None:
        self.texts.append(_chunk_text(self.kind, b"".join(self.body or [])))
        self.body, self.skip = None, 4

    def text(self) -> str:
        """Every text chunk read so far, one a line (a chunk cut short is read as far as it goes)."""
        if self.body is not None:
            self._end_chunk()
        return "\n".join(self.texts)


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


def html_segments(markup: str, sizes: Sizes | None = None) -> list[Segment]:
    """HTML or SVG in parts, one per section (a name never spans a heading), each with its lines;
    a long section in windows (see :func:`stream`), and the text of each ``data:`` URI on its own,
    named by the line where it stands."""
    out: list[Segment] = []
    reader = MarkupReader(out, sizes or Sizes())
    reader.feed(markup)
    reader.close()
    return out


def pdf_segments(data: bytes | Path) -> list[Segment]:
    """One segment per page (what a copy-paste or a screen reader gets), plus the document info.
    Given a path, PDFium reads the file itself, a page at a time."""
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(str(data) if isinstance(data, Path) else data)
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
    """The located text of one file, read by its type from its final bytes, all at once (the
    guard itself reads text files with :func:`stream`)."""
    suffix = path.suffix.lower()
    if suffix == ".pdf":
        return pdf_segments(path)
    if suffix == ".docx":
        return docx_segments(path.read_bytes())
    if suffix == ".png":
        reader = PngText()
        with open(path, "rb") as f:
            while block := f.read(Sizes.chunk):
                reader.feed(block)
        return [Segment("bildets tekstfelt", reader.text())]
    return list(stream(path))


# --- streaming --------------------------------------------------------------------------


@dataclass(frozen=True)
class Sizes:
    """How much is read and held at a time (characters). The defaults keep the guard's memory
    at a few tens of MB for a file of any size; the tests use small ones to cut often."""
    chunk: int = 1 << 20  # read from the file at a time
    window: int = 1 << 18  # extracted text per segment (a soft bound: a chunk is not split)
    raw: int = 1 << 21  # markup per segment, for locating a finding by its line
    overlap: int = 1 << 12  # a match shorter than half of it is never split by a cut
    token: int = 1 << 23  # a tag or comment longer than this is read as plain text
    json_whole: int = 1 << 24  # a JSON file up to this size is parsed, to name findings by JSON path


TEXT_SUFFIXES = (".html", ".htm", ".svg", ".xml")
LIBRARY_READ = (".pdf", ".docx", ".png")


def stream(path: Path, sizes: Sizes | None = None) -> Iterator[Segment]:
    """The located text of one file as it is read: a text file chunk by chunk (see the module
    docstring); PDF, DOCX and PNG through :func:`segments`."""
    sizes = sizes or Sizes()
    suffix = path.suffix.lower()
    if suffix in LIBRARY_READ:
        yield from segments(path)
        return
    out: list[Segment] = []
    if suffix in TEXT_SUFFIXES:
        reader: MarkupReader | TextReader = MarkupReader(out, sizes)
    elif suffix == ".json" and path.stat().st_size <= sizes.json_whole:
        yield from json_segments(path.read_bytes().decode("utf-8", "replace"))
        return
    else:
        reader = TextReader(out, sizes, json_strings=suffix == ".json")
    # newline="": the lines as written (a \r\n stays), as the bytes are published.
    with open(path, encoding="utf-8", errors="replace", newline="") as f:
        while chunk := f.read(sizes.chunk):
            reader.feed(chunk)
            yield from out
            out.clear()
    reader.close()
    yield from out


def _is_word(ch: str) -> bool:
    return ch.isalnum() or ch == "_"


def _blocker(ch: str) -> str:
    """A character that stops a pattern from reading past a cut that is not at white space:
    a digit next to a digit (no number or phone number ends or starts there), else a letter."""
    return "0" if ch.isdigit() or ch in ".," else "x" if _is_word(ch) else ""


def _cut_end(text: str, lo: int, hi: int) -> int:
    """The last place in text[lo:hi] where a window may end: before an element break, else a line
    break, else a space (every pattern reads white space as it reads the end of the text); -1 if none."""
    for ch in (BETWEEN, "\n", " ", "\t"):
        p = text.rfind(ch, lo, hi)
        if p >= 0:
            return p
    return -1


def _cut_start(text: str, lo: int, hi: int) -> int:
    """The last place in text[lo:hi] where a window may start: after white space, and not after
    "digit space" (the tail of a number grouped in thousands); -1 if none."""
    for ch in (BETWEEN, "\n"):
        p = text.rfind(ch, lo, hi)
        if p >= 0:
            return p + 1
    p = text.rfind(" ", lo, hi)
    while p > 0 and text[p - 1].isdigit():
        p = text.rfind(" ", lo, p)
    return p + 1 if p >= 0 else -1


class Windows:
    """Text gathered in pieces and cut into overlapping windows (see the module docstring).
    Joined only at a cut, so a long text costs linear time."""

    def __init__(self, sizes: Sizes):
        self.sizes = sizes
        self.pieces: list[str] = []
        self.length = 0
        self.carried = ""  # the start of the current window, repeated from the window before

    def add(self, text: str) -> None:
        if text:
            self.pieces.append(text)
            self.length += len(text)

    def take(self, final: bool, whole: bool = False) -> tuple[str, str, int]:
        """(the window's text, what it repeats from the one before, where the next window starts
        in it). With ``final`` the whole text is taken and nothing carried on; with ``whole`` the
        whole text is taken and its end carried on too."""
        text, carried = "".join(self.pieces), self.carried
        if final or not text:
            self.pieces, self.length, self.carried = [], 0, ""
            return text, carried, len(text)
        half = self.sizes.overlap // 2
        end = -1 if whole else _cut_end(text, max(0, len(text) - half), len(text))
        if end > 0:
            window = text[:end]
        else:
            window, end = text + _blocker(text[-1]), len(text)
        lo = max(0, end - self.sizes.overlap)
        start = _cut_start(text, lo, max(lo, end - half))
        prefix = ""
        if start < 0:  # no white space to start at: a blocker keeps a word's tail from reading as a word
            start = lo
            prefix = _blocker(text[start]) if 0 < start < len(text) else ""
        self.carried = prefix + text[start:end]
        self.pieces = [prefix + text[start:]]
        self.length = len(self.pieces[0])
        return window, carried, start


def _span(first: int, last: int) -> str:
    return f"linje {first}" if first == last else f"linje {first}–{last}"


class TextReader:
    """Plain text (markdown, JSON, text in a ``data:`` URI) fed in pieces: windows named by their
    lines, with the lines new in each window as its parts. With ``json_strings`` each JSON string
    with an escape is read decoded too; with ``where`` every window is named by it, without parts."""

    def __init__(self, out: list[Segment], sizes: Sizes, where: str | None = None, json_strings: bool = False):
        self.out, self.sizes, self.where, self.json_strings = out, sizes, where, json_strings
        self.windows = Windows(sizes)
        self.line = 1  # line of the window's first character
        self.emitted = False

    def feed(self, text: str) -> None:
        self.windows.add(text)
        if self.windows.length >= self.sizes.window:
            self._emit(final=False)

    def close(self) -> None:
        self._emit(final=True)

    def _emit(self, final: bool) -> None:
        text, carried, start = self.windows.take(final)
        new = text[len(carried):]
        if new or not self.emitted:
            self.emitted = True
            first = self.line + carried.count("\n")
            last = self.line + text.count("\n")
            body = text + "".join(BETWEEN + s for s in _decoded_strings(text)) if self.json_strings else text
            if self.where is not None:
                self.out.append(Segment(self.where, body, carried=carried))
            else:
                parts = tuple(Segment(f"linje {first + i}", line) for i, line in enumerate(new.split("\n")))
                self.out.append(Segment(_span(self.line, last), body, parts=parts, carried=carried))
        self.line += text.count("\n", 0, start)


JSON_STRING = re.compile(r'"(?:[^"\\\n]|\\.)*"')


def _decoded_strings(text: str) -> list[str]:
    """The JSON strings in ``text`` that hold an escape (\\u00e6), decoded; the others read as written."""
    out = []
    for s in JSON_STRING.findall(text):
        if "\\" in s:
            try:
                out.append(json.loads(s))
            except ValueError:
                pass  # cut by a window: whole in the next one
    return out


DATA_START = re.compile("[dD][aA][tT][aA]:")  # as re.I, but the engine skips ahead to a "d"
URI_HEAD = re.compile(r"data:(?P<mime>[\w.+-]+/[\w.+-]+)?(?P<params>(?:;[\w.+-]+=[^;,\"']*)*)(?P<b64>;base64)?,", re.I)
URI_BODY = re.compile(r"[^\"'\s)>]*")
HEAD_MAX = 512  # a longer header is not read as one
MAX_DEPTH = 8  # data: URIs inside data: URIs


class MarkupReader:
    """HTML or SVG fed in pieces of any size; located segments are appended to ``out``.

    Each ``data:`` URI is cut out as it goes by (read as a space, as :func:`markup_text` does) and
    decoded in pieces by a :class:`UriBody`. The rest is cut only after a complete tag or comment,
    split at every section or heading, and read as :func:`markup_text` reads it: the text between
    tags (a :class:`Windows`) and, apart, the attributes and comments (another)."""

    def __init__(self, out: list[Segment], sizes: Sizes, where: str | None = None, depth: int = 0):
        self.out, self.sizes, self.where, self.depth = out, sizes, where, depth
        self.tail = ""  # possibly the start of a data: URI
        self.uri: UriBody | None = None
        self.pending = ""  # markup after the last safe cut
        self.line = 1  # line where ``pending`` starts
        self.section: str | None = None
        self.body, self.side = Windows(sizes), Windows(sizes)
        # The markup of the current window, what it carries included: (offset of its text in the
        # body window, its first line, the markup), so a finding can be narrowed to its line.
        self.raw: list[tuple[int, int, str]] = []
        self.new_raw = 0  # characters of markup not yet in a segment
        self.window_section: str | None = None

    # -- data: URIs ------------------------------------------------------------------------

    def feed(self, text: str, closing: bool = False) -> None:
        text, self.tail = self.tail + text, ""
        pos, n, keep = 0, len(text), []
        while pos < n:
            if self.uri is not None:
                end = URI_BODY.match(text, pos).end()
                self.uri.feed(text[pos:end])
                pos = end
                if end < n:
                    self.uri.close()
                    self.uri = None
                continue
            m = DATA_START.search(text, pos)
            if m is None:
                cut = n if closing else max(pos, n - 4)  # "dat" may be the start of "data:"
                keep.append(text[pos:cut])
                self.tail = text[cut:]
                break
            s = m.start()
            if n - s < HEAD_MAX and not closing:
                keep.append(text[pos:s])
                self.tail = text[s:]
                break
            keep.append(text[pos:s])
            head = URI_HEAD.match(text, s, min(n, s + HEAD_MAX))
            if head is None:
                keep.append(text[s:m.end()])
                pos = m.end()
                continue
            self._markup("".join(keep))
            self._emit(final=False, whole=True)  # the text before the URI first: findings in the order of the page
            keep = [" "]
            self.uri = UriBody(head, self._uri_sink(head))
            pos = head.end()
        self._markup("".join(keep))

    def _uri_sink(self, head: re.Match) -> ByteSink | None:
        """Where the decoded bytes of a URI go: text and markup are read, a PNG's text chunks; other
        pictures and fonts are skipped without decoding (they hold no text)."""
        mime = (head.group("mime") or "text/plain").lower()
        readable = mime == "image/png" or mime.startswith(("text/", "application/json", "application/xml", "image/svg"))
        if not readable or self.depth >= MAX_DEPTH:
            return None
        return ByteSink(mime, self.location(), self.out, self.sizes, self.depth + 1)

    def location(self) -> str:
        """The place of what was fed last: its section and line."""
        if self.where is not None:
            return self.where
        line, section = self.line + self.pending.count("\n"), self.section
        for m in SECTION_START.finditer(self.pending):
            sid = SECTION_ID.match(self.pending, m.start())
            section = sid.group(1) if sid else section
        return f"avsnitt {section}, linje {line}" if section else f"linje {line}"

    def close(self) -> None:
        self.feed("", closing=True)
        if self.uri is not None:
            self.uri.close()
            self.uri = None
        self._markup("", closing=True)
        self._emit(final=True)

    # -- markup ----------------------------------------------------------------------------

    def _markup(self, text: str, closing: bool = False) -> None:
        buf = self.pending + text
        cut = len(buf) if closing else self._safe_cut(buf)
        if cut <= 0 and len(buf) > self.sizes.token:
            # A tag or comment of many MB (never written by our renderers): read as plain text,
            # cut at white space; it may then stop the build on what it holds, never pass it.
            cut = max(buf.rfind(" "), buf.rfind("\n")) + 1 or len(buf)
            self.pending = buf[cut:]
            self._piece(buf[:cut], plain=True)
            return
        self.pending = buf[max(cut, 0):]
        if cut > 0:
            self._piece(buf[:cut])

    def _safe_cut(self, buf: str) -> int:
        """The end of the last complete tag or comment in ``buf``, or the start of a tag that is
        still open (the text before it is complete); 0 if there is none."""
        cut = buf.rfind(">") + 1
        lt = buf.rfind("<")
        if lt >= cut:
            cut = lt
        elif not cut and lt < 0 and len(buf) > self.sizes.window:
            cut = max(buf.rfind(" "), buf.rfind("\n")) + 1  # long text without tags: at white space
        opened = buf.rfind("<!--", 0, cut)
        if opened >= 0:
            closed = buf.find("-->", opened + 4)
            if closed < 0 or closed + 3 > cut:
                cut = opened  # a comment can hold ">" and "<"
        return cut

    def _piece(self, markup: str, plain: bool = False) -> None:
        """Markup that ends after a complete tag or comment (or with ``plain``, text)."""
        for i, part in enumerate(_sections(markup) if not plain else [markup]):
            if not part:
                continue
            if i and self.where is None:  # a section or heading starts: a new segment, nothing carried
                self._emit(final=True)
                sid = SECTION_ID.match(part)
                self.section = sid.group(1) if sid else self.section
                self.window_section = self.section
            self.raw.append((self.body.length, self.line, part))
            self.new_raw += len(part)
            body, side = (html.unescape(part), "") if plain else _piece_text(part)
            self.body.add(body)
            self.side.add(side)
            self.line += part.count("\n")
            if max(self.body.length, self.side.length) >= self.sizes.window or self.new_raw >= self.sizes.raw:
                self._emit(final=False)

    def _emit(self, final: bool, whole: bool = False) -> None:
        """The current window as a segment (if it has markup not read before); ``whole``: all of its
        text, up to what was fed last."""
        if not self.new_raw:  # nothing new: what it carries was read already
            if final:
                self.body.take(final=True)
                self.side.take(final=True)
                self.raw = []
            return
        length = self.body.length
        body, body_carried, start = self.body.take(final, whole)
        side, side_carried, _ = self.side.take(final, whole)
        raw = "".join(r for _, _, r in self.raw)
        first = self.raw[0][1]
        last = first + raw.count("\n")
        if self.where is not None:
            where, lines = self.where, ()
        else:
            span = _span(first, last)
            where = f"avsnitt {self.window_section} ({span})" if self.window_section else span
            lines = tuple(raw.split("\n"))
        carried = body_carried + BETWEEN + side_carried if body_carried or side_carried else ""
        self.out.append(Segment(where, body + BETWEEN + side, lines, first, carried=carried))
        ends = [off for off, _, _ in self.raw[1:]] + [length]
        # The markup of the text carried on stays, so the next window can name a line of it.
        self.raw = [] if final else [(max(0, off - start), line, r) for (off, line, r), e in zip(self.raw, ends, strict=True)
                                     if e > start]
        self.new_raw = 0


def _sections(markup: str) -> list[str]:
    """``markup`` cut before every section and heading (the first part may be empty)."""
    starts = [m.start() for m in SECTION_START.finditer(markup)]
    return [markup[a:b] for a, b in zip([0, *starts], [*starts, len(markup)], strict=True)]


def _piece_text(markup: str) -> tuple[str, str]:
    """What :func:`markup_text` reads in markup without ``data:`` URIs: the text between tags,
    and apart from it the attributes and comments (each after an element break)."""
    attrs = [html.unescape(a or b) for a, b in TEXT_ATTR.findall(markup)]
    comments = [html.unescape(c) for c in COMMENT.findall(markup)]
    body = TAG.sub(BETWEEN, INLINE_TAG.sub("", COMMENT.sub(BETWEEN, markup)))
    return html.unescape(body), "".join(BETWEEN + t for t in attrs + comments)


class ByteSink:
    """The decoded bytes of one ``data:`` URI, read by its type as they come: markup by a nested
    :class:`MarkupReader`, other text by a :class:`TextReader`, a PNG by :class:`PngText`."""

    def __init__(self, mime: str, where: str, out: list[Segment], sizes: Sizes, depth: int):
        self.where, self.out = where, out
        self.png = PngText() if mime == "image/png" else None
        self.decoder = codecs.getincrementaldecoder("utf-8")("replace")
        markup = "html" in mime or "xml" in mime or "svg" in mime
        self.reader = MarkupReader(out, sizes, where, depth) if markup else TextReader(out, sizes, where)

    def feed(self, data: bytes) -> None:
        if self.png is not None:
            self.png.feed(data)
        elif data:
            self.reader.feed(self.decoder.decode(data))

    def close(self) -> None:
        if self.png is not None:
            text = self.png.text()
            if text:
                self.out.append(Segment(self.where, text))
            return
        self.reader.feed(self.decoder.decode(b"", final=True))
        self.reader.close()


B64_OTHER = re.compile(r"[^A-Za-z0-9+/=]")


class UriBody:
    """The body of one ``data:`` URI fed in pieces: base64 decoded four characters at a time,
    percent-escapes as they are complete; the bytes go to a :class:`ByteSink` (or nowhere)."""

    def __init__(self, head: re.Match, sink: ByteSink | None):
        self.sink, self.base64 = sink, bool(head.group("b64"))
        self.rest = ""
        self.broken = False

    def feed(self, text: str) -> None:
        if self.sink is None or self.broken or not text:
            return
        text = self.rest + text
        if self.base64:
            if B64_OTHER.search(text):
                text = B64_OTHER.sub("", text)  # what b64decode ignores too
            n = len(text) - len(text) % 4
        else:
            escape = text.rfind("%", max(0, len(text) - 2))
            n = escape if escape >= 0 else len(text)
        self.rest = text[n:]
        self._decode(text[:n])

    def _decode(self, text: str) -> None:
        try:
            data = base64.b64decode(text) if self.base64 else unquote_to_bytes(text)
        except ValueError:
            self.broken = True  # not base64: what was decoded is read, the rest is not
            return
        self.sink.feed(data)

    def close(self) -> None:
        if self.sink is None:
            return
        if self.rest and not self.broken:
            self._decode(self.rest + "=" * (-len(self.rest) % 4) if self.base64 else self.rest)
        self.sink.close()
