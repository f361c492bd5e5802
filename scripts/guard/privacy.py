"""Privacy guard: no output may identify an office or carry personal contact details.

It looks for (1) every municipality name and number in the private office mapping
(``config/offices.private.yaml``, git-ignored), (2) phone numbers, (3) e-mail addresses.
The ``guard`` rule runs it over the final bytes of every document in ``build/staging/`` (both
engines), over every intermediate a chapter reads (results, figures as SVG) and over the
executed chapters; ``scripts.guard.publish`` publishes exactly the bytes it checked, and
nothing when it found something. Format of the private mapping::

    # config/offices.private.yaml  (never commit this file; see docs/kostra.md)
    offices:
      A: "0000"
    names:                         # optional, so the guard can look for names too
      A: "Navn"

How text is matched (see docs/personvern.md):

- Text is normalised first: HTML entities decoded (repeatedly, so ``&amp;#68;`` too), Unicode
  NFKC (full-width letters, ligatures, no-break spaces), invisible format characters removed
  (soft hyphen, zero-width space/joiner, word joiner, BOM, direction marks), case folded,
  Cyrillic and Greek look-alike letters read as Latin, white space collapsed. Each text is also
  read with markup removed (``Dram**men**``,
  ``Dram<strong>men</strong>``, ``Dram#emph[men]``, backslash escapes) and with a hyphen before white space
  joined (``Dram-`` / ``men`` at a line end, ``Dram- men``), and with spaced-out letters joined
  (``D r a m m e n``, ``D.r.a.m.m.e.n``).
- A name matches as a word stem: at the start of a word, with any ending, so inflected and
  compound forms ("Drammens", "Drammensmodellen", "Drammen-kontoret") are caught. Parts of a
  name of several words may be joined by any punctuation or none.
- A municipality number matches when no digit stands next to it.
- Phone numbers: eight digits, alone or grouped 2-2-2-2 or 3-2-3 by spaces, dots or hyphens,
  and any grouping after ``+47``, ``0047`` or ``(+47)``.
- E-mail addresses: ``@`` or the usual disguises (``(at)``, ``[at]``, ``{at}``, ``<at>``,
  ``krøllalfa``, ``snabel-a``; ``(dot)``, ``[punktum]`` …).

Each file is read as a stream (``scripts.guard.extract.stream``): in time linear in its size and
in memory that does not grow with it, so a website of hundreds of MB is checked like a chapter.

A finding inside a phrase of the allow-list (``config/privacy_allow.yaml``: the phrase, the
files where it may stand, and why it is harmless) is allowed; everything else stops the build.
Messages name the file, the position and the office letter, never what was found.
"""
from __future__ import annotations

import argparse
import fnmatch
import functools
import hashlib
import html
import json
import re
import sys
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import yaml

from scripts import paths
from scripts.atomic import write_text
from scripts.guard import extract
from scripts.masking import run_masked

ALLOW_LIST = paths.CONFIG_DIR / "privacy_allow.yaml"
MASK = "«••••»"


class PrivacyError(RuntimeError):
    """An output contains something that could identify an office or a person."""


@dataclass(frozen=True)
class Term:
    """One private term: a municipality name or number, and the office it belongs to."""
    text: str
    letter: str = "?"
    kind: str = "navn"  # "navn" or "nummer"

    @functools.cached_property
    def pattern(self) -> re.Pattern:
        # The test before the match ("no digit before", "start of a word") is written after its first
        # part, so the pattern starts with a literal and the regex engine skips ahead to it.
        if self.kind == "nummer":
            t = re.escape(self.text)
            return re.compile(rf"{t}(?<!\d{t})(?!\d)" if self.text else r"(?<!\d)(?!\d)")
        parts = re.findall(r"[^\W_]+", normalise(self.text))
        if not parts:
            return re.compile(r"(?<![^\W\d_])")
        # Start of a word, any ending (inflection, compounds); parts of a many-word name joined by anything.
        head = re.escape(parts[0])
        return re.compile(rf"{head}(?<![^\W\d_]{head})" + "".join(r"[\W_]*" + re.escape(x) for x in parts[1:]))


@dataclass(frozen=True)
class Allowed:
    """An allow-list entry: a phrase the report publishes in a harmless sense."""
    text: str
    where: tuple[str, ...]
    why: str


@dataclass(frozen=True)
class Finding:
    file: str
    where: str
    kind: str  # "navn", "nummer", "telefon", "e-post", "ulesbar"
    letter: str = ""
    key: str = ""  # the normalised match: used to report each leak once, never printed
    detail: str = ""

    def __str__(self) -> str:
        what = {
            "navn": f"kommunenavn for kontor {self.letter} fra den private kontorfilen",
            "nummer": f"kommunenummer for kontor {self.letter} fra den private kontorfilen",
            "telefon": "et telefonnummer",
            "e-post": "en e-postadresse",
        }.get(self.kind)
        if what is None:
            return f"{self.file}: {self.detail}"
        return f"{self.file}, {self.where}: inneholder {what} {MASK} (maskert)"


# --- normalising ------------------------------------------------------------------------

# Invisible characters that can sit inside a word without showing: Unicode's format characters
# (category Cf: soft hyphen, zero-width space/joiners, word joiner, BOM, direction marks, tags …)
# and the fillers that render as nothing. tests/test_privacy.py checks this covers every Cf character.
_INVISIBLE_BMP = ("\u00ad\u034f\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2\u115f\u1160\u17b4\u17b5\u180e"
                  "\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\u3164\ufeff\uffa0\ufff9-\ufffb")
_INVISIBLE_ASTRAL = ("\U000110bd\U000110cd\U00013430-\U0001343f\U0001bca0-\U0001bca3\U0001d173-\U0001d17a"
                     "\U000e0001\U000e0020-\U000e007f")
INVISIBLE = re.compile(f"[{_INVISIBLE_BMP}{_INVISIBLE_ASTRAL}]")
# The same in two parts, for speed: a class of characters below U+10000 only is a bitmap to the
# regex engine (five times faster), and the rare characters above it are looked for only when
# the text has any such character at all.
INVISIBLE_BMP = re.compile(f"[{_INVISIBLE_BMP}]")
INVISIBLE_ASTRAL = re.compile(f"[{_INVISIBLE_ASTRAL}]")
ASTRAL = re.compile("[\U00010000-\U0010ffff]")


# White space that may need collapsing: anything but a single space. Each run is matched once, whole.
SPACE_RUN = re.compile(r"[^\S ]\s*| \s+")


def _one_space(m: re.Match) -> str:
    """A run of white space as one element break (extract.BETWEEN), else one line break, else one space."""
    run = m.group(0)
    return extract.BETWEEN if extract.BETWEEN in run else "\n" if "\n" in run else " "


# Lower-case Cyrillic and Greek letters that look like Latin ones (Unicode's confusables for the
# Latin alphabet, the common part): "Oppdiktbу" with a Cyrillic у reads as the Latin name.
LOOK_ALIKES = str.maketrans({
    "а": "a", "в": "b", "е": "e", "ё": "e", "к": "k", "м": "m", "н": "h", "о": "o", "р": "p", "с": "c",
    "т": "t", "у": "y", "х": "x", "ѕ": "s", "і": "i", "ї": "i", "ј": "j", "ԁ": "d", "ԛ": "q", "ԝ": "w",
    "ɡ": "g", "ӏ": "l", "α": "a", "ε": "e", "ι": "i", "κ": "k", "ν": "v", "ο": "o", "ρ": "p", "τ": "t",
    "υ": "u", "χ": "x", "ϲ": "c", "ı": "i",
})
# Translating is slow on text that is not ASCII (æ, ø, å): done only when there is a look-alike.
LOOK_ALIKE = re.compile("[" + "".join(map(chr, LOOK_ALIKES)) + "]")


def normalise(text: str) -> str:
    """Entities decoded, NFKC, invisible characters removed, case folded, white space collapsed."""
    for _ in range(3):  # double-escaped entities (&amp;#68;) too
        decoded = html.unescape(text)
        if decoded == text:
            break
        text = decoded
    text = INVISIBLE_BMP.sub("", text)
    if ASTRAL.search(text):
        text = INVISIBLE_ASTRAL.sub("", text)
    text = unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", text).casefold())
    if LOOK_ALIKE.search(text):
        text = text.translate(LOOK_ALIKES)
    return SPACE_RUN.sub(_one_space, text)


# A tag or attribute block is at most 512 characters long: so a "<" with no ">" after it (R code,
# "x <- 1") costs at most that much, not a read to the end of the text.
MARKUP = re.compile(
    r"<[^>]{0,512}>"           # inline HTML in markdown
    r"|#[a-z][\w.-]*\["        # Typst function opening: #emph[, #strong[, #text(…)[ is rarer
    r"|\{[.#][^}]{0,512}\}"    # Pandoc attributes {.hl}
    r"|[\\*_~^`\[\]]"          # emphasis, escapes, code, brackets
)
# A hyphen between two words and white space: a line-end hyphenation in a PDF ("Dram-" / "men"),
# or the same after a renderer re-wrapped the line ("Dram- men" in HTML).
# (The test for a letter before is written after the hyphen, so the engine skips ahead to a hyphen.)
LINE_END_HYPHEN = re.compile(r"[\-\u2010\u2011\u00ad\x02](?<=\w[\-\u2010\u2011\u00ad\x02])\s+(?=\w)")


# Four or more single letters, each followed by one space or dot ("o p p d i k t b y", "o.p.p.d").
SPACED = re.compile(r"(?<![^\W\d_])(?:[^\W\d_][ .\n]){3,}[^\W\d_](?![^\W\d_])")
# What every SPACED match holds, starting with a character the engine can skip ahead to (a cheap first look).
MAYBE_SPACED = re.compile(r"[ .\n][^\W\d_][ .\n][^\W\d_][ .\n]")


def _joined_tails(m: re.Match) -> str:
    """Spaced-out letters joined, once from each letter ("i a b c" -> "iabc abc bc c"): a single-letter
    word before the name ("i") would otherwise hide the start of the name."""
    letters = re.sub(r"[ .\n]", "", m.group(0))
    return " ".join(letters[i:] for i in range(len(letters)))


def views(text: str) -> list[str]:
    """The forms in which ``text`` is searched: as written, without markup, with hyphenation joined,
    and with spaced-out letters joined."""
    n = normalise(text)  # first, so an escaped tag (&lt;b&gt;) or a full-width asterisk counts as markup too
    forms = [n, MARKUP.sub("", n), LINE_END_HYPHEN.sub("", n)]
    if MAYBE_SPACED.search(n) and SPACED.search(n):  # "o p p d i k t b y": letters with a space between each
        forms.append(SPACED.sub(_joined_tails, n))
    return list(dict.fromkeys(forms))


# --- patterns ---------------------------------------------------------------------------

# Separators inside a phone number: space, dot, or a hyphen of any kind, but not an en or em dash,
# which between numbers is a range ("20 000–49 999 innbyggere", a size class of the office reports).
_SEP = r"(?:[ \n]?[.\-\u2010\u2011\u2012][ \n]?|[ \n])"
# Norwegian eight-digit numbers start with 2–9. A digit group right after "digit space" is the
# tail of a number grouped in thousands ("20 300"), not the start of a phone number.
# Written to start with the class of its first character, with the tests of what stands before it
# after that character (one wider), so the regex engine skips ahead to a candidate (4× faster).
_FIRST = r"(?<![\w+][\s\S])(?<!\d[.,][\s\S])(?<!\d [\s\S])"  # nothing of a word or a number before
PHONE = re.compile(
    rf"[+0(2-9]{_FIRST}(?:"
    rf"(?<=\+) ?47{_SEP}?[2-9](?:{_SEP}?\d){{7}}"                       # +47: any grouping
    rf"|(?<=0)0 ?47{_SEP}?[2-9](?:{_SEP}?\d){{7}}"                       # 0047
    rf"|(?<=\()\+?47\){_SEP}?[2-9](?:{_SEP}?\d){{7}}"                    # (+47)
    rf"|(?<=[2-9])(?:\d{{7}}|\d{_SEP}\d\d{_SEP}\d\d{_SEP}\d\d|\d\d{_SEP}\d\d{_SEP}\d{{3}})"
    r")(?!\w)(?![.,]\d)"
)
_OPEN, _CLOSE = r"[(\[{<]", r"[)\]}>]"
_S = r"[ \n]"
_AT = rf"(?:@|{_S}?{_OPEN}{_S}?(?:at|alfa|krøllalfa|snabel-?a){_S}?{_CLOSE}{_S}?|{_S}(?:krøllalfa|snabel-?a){_S})"
_DOT = rf"(?:\.|{_S}?{_OPEN}{_S}?(?:dot|punkt|punktum|prikk){_S}?{_CLOSE}{_S}?|{_S}(?:dot|punktum|prikk){_S})"
AT_SIGN = re.compile(_AT)
# What every AT_SIGN match holds (a cheap first look): "@", an opening bracket before "at"/"alfa"/
# "krøllalfa"/"snabel", or the spelled-out words.
MAYBE_AT = re.compile(rf"{_OPEN}[ \n]?(?:at|alfa|krøllalfa|snabel)|krøllalfa|snabel")


def _has_at(view: str) -> bool:
    """Whether ``view`` has an "@" or one of its disguises (where the slow e-mail pattern is worth running)."""
    return ("@" in view or MAYBE_AT.search(view) is not None) and AT_SIGN.search(view) is not None


EMAIL = re.compile(rf"(?<![\w.+\-])[\w.+\-]+{_AT}[\w\-]+(?:{_DOT}[\w\-]+)*{_DOT}[a-z]{{2,}}(?![\w\-])")


# --- the private mapping and the allow-list ---------------------------------------------


def load_terms(path: Path = paths.PRIVATE_OFFICES) -> list[Term]:
    """Municipality numbers and names from the private mapping, with their office letters."""
    path = Path(path)
    if not path.exists():
        return []  # the usual case; and no need to import more
    from scripts.settings import load_private_offices

    numbers = load_private_offices(path)  # validates the file and its numbers
    names = (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("names") or {}
    terms = [Term(str(n).strip(), str(k), "nummer") for k, n in numbers.items()]
    terms += [Term(str(v).strip(), str(k), "navn") for k, v in names.items() if v and str(v).strip()]
    return sorted(set(terms), key=lambda t: (t.letter, t.kind, t.text))


def load_private_terms(path: Path = paths.PRIVATE_OFFICES) -> list[str]:
    """The private terms as plain strings (sorted)."""
    return sorted({t.text for t in load_terms(path)})


def load_allow_list(path: Path = ALLOW_LIST) -> list[Allowed]:
    """The allow-list; every entry must say which phrase, where and why (a message in Norwegian if not)."""
    path = Path(path)
    if not path.is_file():
        return []
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    entries = data.get("tillatt") if isinstance(data, dict) else None
    if not isinstance(entries, list):
        raise PrivacyError(f"{path}: forventet en liste «tillatt:» med oppføringer (tekst, hvor, hvorfor)")
    out = []
    for i, e in enumerate(entries, 1):
        if not isinstance(e, dict) or set(e) != {"tekst", "hvor", "hvorfor"}:
            raise PrivacyError(f"{path}: oppføring {i}: forventet nøyaktig feltene tekst, hvor og hvorfor")
        where = e["hvor"] if isinstance(e["hvor"], list) else [e["hvor"]]
        if not all(isinstance(x, str) and x.strip() for x in [e["tekst"], e["hvorfor"], *where]) or not where:
            raise PrivacyError(f"{path}: oppføring {i}: tekst, hvor og hvorfor må være utfylt")
        if len(re.findall(r"[^\W_]+", normalise(e["tekst"]))) < 2:
            # A single word would allow the name everywhere; the phrase must show the harmless sense.
            raise PrivacyError(f"{path}: oppføring {i}: tekst må være et uttrykk på minst to ord, ikke ett navn")
        out.append(Allowed(normalise(e["tekst"]), tuple(where), e["hvorfor"].strip()))
    return out


def _relative(file: str) -> str:
    p = Path(file)
    try:
        return p.resolve().relative_to(paths.ROOT).as_posix()
    except ValueError:
        return p.as_posix()


def _phrases(file: str, allow: list[Allowed]) -> list[re.Pattern]:
    """The allow-list phrases that apply to ``file``, as patterns (a line may break anywhere in one)."""
    return _phrases_for(file, tuple(allow)) if allow else []


@functools.lru_cache(maxsize=64)
def _phrases_for(file: str, allow: tuple[Allowed, ...]) -> list[re.Pattern]:
    """(Cached: a file with many findings asks again for each part that holds one.)"""
    rel = _relative(file)
    return [re.compile(r"\s+".join(map(re.escape, a.text.split()))) for a in allow
            if any(fnmatch.fnmatch(rel, w) or fnmatch.fnmatch(Path(rel).name, w) for w in a.where)]


# --- finding ----------------------------------------------------------------------------


def hits(text: str, terms: list[Term | str], file: str = "", allow: list[Allowed] | None = None,
         contacts: bool = True) -> list[tuple[str, str, str]]:
    """What must not be published in ``text``, as (kind, office letter, normalised match)."""
    terms = [t if isinstance(t, Term) else Term(t, "?", "nummer" if t.isdigit() else "navn") for t in terms]
    phrases = None
    out: list[tuple[str, str, str]] = []
    for view in views(text):
        found = [(t.kind, t.letter, m) for t in terms for m in t.pattern.finditer(view)]
        found += [("telefon", "", m) for m in PHONE.finditer(view)] if contacts else []
        if contacts and _has_at(view):  # the full pattern only where an "at" can be (it is the slow one)
            found += [("e-post", "", m) for m in EMAIL.finditer(view)]
        if not found:
            continue
        phrases = _phrases(file, allow or []) if phrases is None else phrases
        spans = [(m.start(), m.end()) for p in phrases for m in p.finditer(view)]
        for kind, letter, m in found:
            if not any(s <= m.start() and m.end() <= e for s, e in spans):
                key = {"telefon": re.sub(r"\D", "", m.group(0))[-8:], "navn": re.sub(r"[\W_]+", " ", m.group(0))
                       }.get(kind, m.group(0))
                out.append((kind, letter, key))
    return list(dict.fromkeys(out))


def findings(text: str, terms: list[Term | str], where: str, allow: list[Allowed] | None = None) -> list[str]:
    """Everything in ``text`` that must not be published, as masked messages."""
    return [str(Finding(where, "teksten", k, letter, key)) for k, letter, key in hits(text, terms, where, allow)]


WITHHELD = ("(denne linjen av meldingen er holdt tilbake: den nevner et navn eller nummer fra den private "
            "kontorfilen; rett inndataene og kjør igjen)")


def withhold_private(message: str, terms: list[Term | str] | None = None) -> str:
    """``message`` as it may be printed or logged: each line that names something from the private
    mapping (in any of the disguises the guard knows) is replaced by a note, so a failing step that
    quotes a value from the data never writes the secret to a terminal, a log or a CI record."""
    try:
        terms = load_terms(paths.PRIVATE_OFFICES) if terms is None else terms  # read at call time
    except Exception:  # noqa: BLE001 (a broken mapping: the guard step reports it, without its content)
        return message
    if not terms:
        return message
    return "\n".join(WITHHELD if hits(line, terms, contacts=False) else line for line in message.split("\n"))


def check(text: str, where: str, terms: list[Term | str] | None = None) -> None:
    """Raise PrivacyError listing every finding in ``text`` (masked)."""
    found = findings(text, load_terms() if terms is None else terms, where, load_allow_list())
    if found:
        raise PrivacyError("Personvernvakten fant:\n  " + "\n  ".join(found))


def _holding(texts: list[str], hit: tuple[str, str, str], terms: list[Term | str], file: str,
             allow: list[Allowed], read=lambda t: t) -> Iterator[int]:
    """The indexes of the texts that hold ``hit`` alone, first to last. Halves that do not hold it
    together are passed over, so this costs about twice the length of the texts, not one check
    per text."""
    def holds(lo: int, hi: int) -> bool:
        return hit in hits(read("\n".join(texts[lo:hi])), terms, file, allow)

    stack = [(0, len(texts))]
    while stack:
        lo, hi = stack.pop()
        if hi - lo == 1:
            if holds(lo, hi):
                yield lo
        elif hi > lo and holds(lo, hi):
            mid = (lo + hi) // 2
            stack += [(mid, hi), (lo, mid)]


def _in_parts(parts: tuple[extract.Segment, ...], wanted: set, terms: list[Term | str], file: str,
              allow: list[Allowed], contacts: bool, block: int = 64) -> Iterator[tuple[tuple[str, str, str], str]]:
    """Each (leak, place) of ``wanted`` that a part holds alone, in order. The parts are read a
    block at a time first, and one at a time only in a block that holds a leak: a window of
    thousands of lines with one leak costs a few dozen checks, not one per line."""
    for b in range(0, len(parts), block):
        group = parts[b:b + block]
        present = wanted & set(hits("\n".join(p.text for p in group), terms, file, allow, contacts))
        if len(group) == 1 or present:
            for part in group:
                for hit in hits(part.text, terms, file, allow, contacts):
                    if hit in wanted:
                        yield hit, part.where


def _narrow(seg: extract.Segment, hit: tuple[str, str, str], terms: list[Term | str], file: str,
            allow: list[Allowed]) -> str:
    """The one source line of an HTML section that holds the finding, when a single line does."""
    for i in _holding(list(seg.raw_lines), hit, terms, file, allow, extract.markup_text):
        return f"{seg.where.split(' (')[0]}, linje {seg.first_line + i}" if seg.where.startswith("avsnitt") \
            else f"linje {seg.first_line + i}"
    return seg.where


def scan_file(path: Path, terms: list[Term | str], allow: list[Allowed] | None = None,
              contacts: bool = True, sizes: extract.Sizes | None = None) -> list[Finding]:
    """Findings in one file, each reported once, at the first (most precise) place it is seen.
    ``contacts=False`` looks for the private terms only, not phone numbers and e-mail addresses.
    The file is read as a stream (:func:`extract.stream`); ``sizes`` are the stream's."""
    file = str(path)
    first: dict[tuple[str, str, str], tuple[str, bool]] = {}  # where each leak was seen first; one line?
    count: dict[tuple[str, str, str], int] = {}
    try:
        for seg in extract.stream(Path(path), sizes):
            found = hits(seg.text, terms, file, allow, contacts)
            if found:  # the usual case is not: the parts are read only to locate a finding
                _record(seg, found, first, count, terms, file, allow or [], contacts)
    except Exception as exc:  # noqa: BLE001 (the guard fails closed on anything it cannot read)
        kind = path.suffix.lstrip(".").upper() or "tekst"
        return [Finding(file, "", "ulesbar", detail=f"kan ikke leses som {kind} ({type(exc).__name__}); "
                        "en fil vakten ikke kan lese, blir aldri publisert")]
    out = []
    for hit, (where, _) in first.items():
        more = count[hit] - 1
        out.append(Finding(file, where + (f" (og {more} andre steder i filen)" if more else ""), *hit))
    return out


def _record(seg: extract.Segment, found: list[tuple[str, str, str]], first: dict, count: dict,
            terms: list[Term | str], file: str, allow: list[Allowed], contacts: bool) -> None:
    """Count each leak found in ``seg`` once per place (a part, else the segment) and remember where
    it was seen first; a leak in the text the segment repeats from the one before was counted there.
    A place of one line is preferred to a range seen before it in the same section (or file), as
    when the whole section was one segment."""
    seen_before = set(hits(seg.carried, terms, file, allow, contacts)) if seg.carried else set()
    for hit, where in _in_parts(seg.parts, set(found), terms, file, allow, contacts):
        _remember(first, hit, where, True)
        count[hit] = count.get(hit, 0) + 1
    for hit in found:
        if hit in seen_before:
            continue
        if hit not in first or not first[hit][1]:  # no part holds it alone (split over two lines), or there are no parts
            where = _narrow(seg, hit, terms, file, allow) if len(seg.raw_lines) > 1 else ONE_LINE.sub(r"\1, \2", seg.where)
            _remember(first, hit, where, where != seg.where or len(seg.raw_lines) <= 1 and not seg.parts)
            if hit not in count or not seg.parts:
                count[hit] = count.get(hit, 0) + 1
        elif not seg.parts:  # seen before, in another page or section
            count[hit] += 1


# A segment of one line in a section, "avsnitt x (linje 5)": named as a narrowed one is, "avsnitt x, linje 5".
ONE_LINE = re.compile(r"^(avsnitt \S+) \((linje \d+)\)$")


def _remember(first: dict, hit: tuple[str, str, str], where: str, one_line: bool) -> None:
    """Keep the first place of ``hit``, unless it was a range and this one line of the same section."""
    def section(w: str) -> str:
        return w.split(" (")[0].split(",")[0] if w.startswith("avsnitt ") else ""

    seen = first.get(hit)
    if seen is None or (one_line and not seen[1] and section(seen[0]) == section(where)):
        first[hit] = (where, one_line)


def scan_paths(files: list[Path], terms: list[Term | str] | None = None,
               allow: list[Allowed] | None = None) -> list[str]:
    """Masked messages for every finding in ``files`` (used by the guard rule and the tests)."""
    terms = load_terms() if terms is None else terms
    allow = load_allow_list() if allow is None else allow
    return [str(f) for path in files for f in scan_file(Path(path), terms, allow, contacts=not vendored(Path(path)))]


def vendored(path: Path) -> bool:
    """A library Quarto copies into every website (``site_libs/``: Bootstrap, its own scripts). Its
    authors' addresses and its numeric constants are not ours, so only the private terms are looked
    for there; nothing from our data is written into it."""
    return "site_libs" in path.parts


IMAGE_REF = re.compile(r"""!\[[^\]]*\]\(\s*<?([^)\s>]+)|\ssrc\s*=\s*["']([^"']+)["']""")


def expand(files: list[Path]) -> list[Path]:
    """Every file to check: a folder (Quarto's website) stands for every file in it, and a
    chapter (markdown) brings the local figures it shows, which the PDF draws as outlines."""
    out = [g for f in files for g in (sorted(x for x in f.rglob("*") if x.is_file()) if f.is_dir() else [f])]
    for f in list(out):
        if f.suffix in (".md", ".qmd"):
            for ref in _image_refs(f):
                target = paths.ROOT / ref
                if "://" not in ref and not ref.startswith("data:") and target.is_file():
                    out.append(target)
    return list(dict.fromkeys(out))


def _image_refs(path: Path, chunk: int = 1 << 20) -> dict[str, None]:
    """The image paths a chapter shows, read a chunk at a time; each chunk is read together with
    the end of the one before, so a reference over a cut is read whole."""
    refs: dict[str, None] = {}
    tail = ""
    with open(path, encoding="utf-8", errors="replace") as f:
        while block := f.read(chunk):
            text = tail + block
            refs.update((a or b, None) for a, b in IMAGE_REF.findall(text) if a or b)
            tail = text[-4096:]
    return refs


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m scripts.guard.privacy")
    p.add_argument("files", nargs="+", type=Path)
    p.add_argument("--stamp", type=Path, help="written only when nothing was found")
    a = p.parse_args(argv)
    files = expand(a.files)
    try:
        allow = load_allow_list()
    except PrivacyError as exc:
        print(f"Personvernvakten kunne ikke starte: {exc}; ingenting er publisert.", file=sys.stderr)
        return 1
    try:
        terms = load_terms(paths.PRIVATE_OFFICES)  # read at call time (tests move it)
    except Exception as exc:  # noqa: BLE001 (its message may quote a value from the private file)
        print(f"Personvernvakten kunne ikke lese den private kontorfilen ({type(exc).__name__}); rett filen "
              "etter formatet i docs/kostra.md. Ingenting er publisert.", file=sys.stderr)
        return 1
    found = scan_paths(files, terms, allow)
    if found:
        print(f"Personvernvakten stoppet byggingen ({len(found)} funn); ingenting er publisert:\n  "
              + "\n  ".join(found), file=sys.stderr)
        return 1
    if a.stamp:
        # The checksums let the publish step copy exactly the bytes that were checked.
        checked = {str(f): _sha256(f) for f in files}
        write_text(a.stamp, json.dumps({"kontrollert": checked}, ensure_ascii=False, indent=1) + "\n")
    return 0


def _sha256(path: Path) -> str:
    """The file's SHA-256, read a block at a time (a report of hundreds of MB is never held)."""
    with open(path, "rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


if __name__ == "__main__":
    # As scripts.cli.entry, which cannot be imported here (it masks with this module).
    sys.exit(run_masked(main, withhold_private if paths.PRIVATE_OFFICES.exists() else None))
