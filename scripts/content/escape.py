"""Text from data stays text: one escaping function per output format.

Text that comes from data files (office and indicator names, table headers and cells, labels,
captions, alt text, file names, bibliography fields) is never markup. The chapters write
Pandoc markdown, and Pandoc writes HTML and Typst from it with its own escaping, so text from
data goes through :func:`markdown`; the few places that write HTML or Typst themselves use
:func:`html` and :func:`typst` / :func:`typst_string`; matplotlib labels use :func:`matplotlib`;
a link target from data goes through :func:`url`. ``tests/test_escaping.py`` checks each of them
by running the real tool (Pandoc, Typst, a browser's parser rules) on hostile text.

Long unbreakable strings (a 10,000-character identifier in a table cell) get a zero-width
space, a line-break opportunity every :data:`BREAK_EVERY` characters, so they wrap inside
their cell in HTML and PDF instead of running off the page. The privacy guard removes these
characters before it reads the text, so they cannot hide a name either.
"""
from __future__ import annotations

import html as _html
import re
from urllib.parse import urlsplit

ZWSP = "\u200b"
BREAK_EVERY = 30
LONG_RUN = re.compile(rf"\S{{{2 * BREAK_EVERY},}}")

# Pandoc markdown lets any ASCII punctuation be escaped with a backslash. Quotes, hyphens, dots,
# commas and the like stay as they are inside a line (typographic quotes and dashes are wanted);
# everything that can start markup anywhere in a line is escaped.
MD_SPECIAL = set("\\`*_{}[]<>()#+!|$@~^&=:%")
# At the start of a line these begin a block (list, quote, heading, table, definition list).
# (The other block markers, # > + * | : = %, are escaped everywhere already.)
LINE_START = re.compile(r"^(\s*)(\d+[.)]|-)")


def breakable(text: str) -> str:
    """Give runs of more than ``2 * BREAK_EVERY`` non-space characters a line-break opportunity
    every ``BREAK_EVERY`` characters (a zero-width space)."""
    def split(m: re.Match) -> str:
        s = m.group(0)
        return ZWSP.join(s[i:i + BREAK_EVERY] for i in range(0, len(s), BREAK_EVERY))
    return LONG_RUN.sub(split, text)


def markdown(text) -> str:
    """Pandoc markdown that shows ``text`` literally: no emphasis, link, raw HTML or Typst, math,
    citation or cross-reference (``@``), footnote, no block at the start of a line; newlines become
    spaces (a table cell is one line)."""
    s = breakable(str(text).replace("\r", " ").replace("\n", " "))
    s = "".join("\\" + c if c in MD_SPECIAL else c for c in s)
    return LINE_START.sub(lambda m: m.group(1) + m.group(2)[:-1] + "\\" + m.group(2)[-1], s)


def code(text) -> str:
    """A Pandoc code span showing ``text`` literally. Inside a code span a backslash is not an
    escape, so :func:`markdown` would show its backslashes; the fence is one backtick longer than
    the longest run of backticks in the text instead."""
    s = str(text).replace("\r", " ").replace("\n", " ")
    fence = "`" * (max((len(r) for r in re.findall(r"`+", s)), default=0) + 1)
    return f"{fence} {s} {fence}" if s.startswith("`") or s.endswith("`") else f"{fence}{s}{fence}"


def html(text) -> str:
    """HTML text or a quoted attribute value that shows ``text`` literally."""
    return _html.escape(breakable(str(text)), quote=True)


# Characters with a meaning in Typst markup; a backslash makes each one literal.
TYPST_SPECIAL = set("\\#$*_`<>@[]~/=-+\"'.:")


def typst(text) -> str:
    """Typst markup that shows ``text`` literally (no function call, math, label, reference,
    emphasis, raw, heading, list or comment)."""
    return "".join("\\" + c if c in TYPST_SPECIAL else c for c in breakable(str(text)).replace("\n", " "))


def typst_string(text) -> str:
    """A Typst string literal (for ``alt:`` and other string arguments)."""
    return '"' + str(text).replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def matplotlib(text) -> str:
    """A matplotlib label that is drawn as written: ``$`` would start mathtext."""
    return str(text).replace("$", r"\$")


SAFE_SCHEMES = ("http", "https")


def url(target) -> str | None:
    """``target`` when it is an http(s) link; None for anything else (``javascript:``, ``data:``,
    ``file:``, a scheme hidden behind spaces or control characters), which must not become a link."""
    s = re.sub(r"[\x00-\x20\x7f]+", "", str(target))
    scheme = urlsplit(s).scheme.lower()
    return str(target).strip() if scheme in SAFE_SCHEMES and urlsplit(s).netloc else None
