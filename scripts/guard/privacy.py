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

How text is matched (see README, «Pålitelighet og personvern»):

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
from dataclasses import dataclass
from pathlib import Path

import yaml

from scripts import paths
from scripts.atomic import write_text
from scripts.guard import extract

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
        if self.kind == "nummer":
            return re.compile(rf"(?<!\d){re.escape(self.text)}(?!\d)")
        parts = re.findall(r"[^\W_]+", normalise(self.text))
        # Start of a word, any ending (inflection, compounds); parts of a many-word name joined by anything.
        return re.compile(r"(?<![^\W\d_])" + r"[\W_]*".join(map(re.escape, parts)))


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
INVISIBLE = re.compile(
    "[\u00ad\u034f\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2\u115f\u1160\u17b4\u17b5\u180e"
    "\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\u3164\ufeff\uffa0\ufff9-\ufffb"
    "\U000110bd\U000110cd\U00013430-\U0001343f\U0001bca0-\U0001bca3\U0001d173-\U0001d17a"
    "\U000e0001\U000e0020-\U000e007f]"
)


AROUND_BETWEEN = re.compile(rf"\s*{extract.BETWEEN}\s*")
AROUND_NEWLINE = re.compile(rf"[^\S{extract.BETWEEN}]*\n[^\S{extract.BETWEEN}]*")
OTHER_SPACE = re.compile(rf"[^\S\n{extract.BETWEEN}]+")


# Lower-case Cyrillic and Greek letters that look like Latin ones (Unicode's confusables for the
# Latin alphabet, the common part): "Oppdiktbу" with a Cyrillic у reads as the Latin name.
LOOK_ALIKES = str.maketrans({
    "а": "a", "в": "b", "е": "e", "ё": "e", "к": "k", "м": "m", "н": "h", "о": "o", "р": "p", "с": "c",
    "т": "t", "у": "y", "х": "x", "ѕ": "s", "і": "i", "ї": "i", "ј": "j", "ԁ": "d", "ԛ": "q", "ԝ": "w",
    "ɡ": "g", "ӏ": "l", "α": "a", "ε": "e", "ι": "i", "κ": "k", "ν": "v", "ο": "o", "ρ": "p", "τ": "t",
    "υ": "u", "χ": "x", "ϲ": "c", "ı": "i",
})


def normalise(text: str) -> str:
    """Entities decoded, NFKC, invisible characters removed, case folded, white space collapsed."""
    for _ in range(3):  # double-escaped entities (&amp;#68;) too
        decoded = html.unescape(text)
        if decoded == text:
            break
        text = decoded
    text = unicodedata.normalize("NFKC", INVISIBLE.sub("", text))
    text = unicodedata.normalize("NFKC", text.casefold()).translate(LOOK_ALIKES)
    # Runs of white space become one element break (extract.BETWEEN), else one line break, else one space.
    text = AROUND_BETWEEN.sub(extract.BETWEEN, text)
    text = AROUND_NEWLINE.sub("\n", text)
    return OTHER_SPACE.sub(" ", text)


MARKUP = re.compile(
    r"<[^>]*>"                 # inline HTML in markdown
    r"|#[a-z][\w.-]*\["        # Typst function opening: #emph[, #strong[, #text(…)[ is rarer
    r"|\{[.#][^}]*\}"          # Pandoc attributes {.hl}
    r"|[\\*_~^`\[\]]"          # emphasis, escapes, code, brackets
)
# A hyphen between two words and white space: a line-end hyphenation in a PDF ("Dram-" / "men"),
# or the same after a renderer re-wrapped the line ("Dram- men" in HTML).
LINE_END_HYPHEN = re.compile(r"(?<=\w)[\-\u2010\u2011\u00ad\x02]\s+(?=\w)")


# Four or more single letters, each followed by one space or dot ("o p p d i k t b y", "o.p.p.d").
SPACED = re.compile(r"(?<![^\W\d_])(?:[^\W\d_][ .\n]){3,}[^\W\d_](?![^\W\d_])")


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
    if SPACED.search(n):  # "o p p d i k t b y": letters with a space between each
        forms.append(SPACED.sub(_joined_tails, n))
    return list(dict.fromkeys(forms))


# --- patterns ---------------------------------------------------------------------------

# Separators inside a phone number: space, dot, or a hyphen of any kind, but not an en or em dash,
# which between numbers is a range ("20 000–49 999 innbyggere", a size class of the office reports).
_SEP = r"(?:[ \n]?[.\-\u2010\u2011\u2012][ \n]?|[ \n])"
# Norwegian eight-digit numbers start with 2–9. A digit group right after "digit space" is the
# tail of a number grouped in thousands ("20 300"), not the start of a phone number.
PHONE = re.compile(
    r"(?<![\w+])(?<!\d[.,])(?<!\d )(?:"
    rf"(?:(?:\+|00) ?47|\(\+?47\)){_SEP}?[2-9](?:{_SEP}?\d){{7}}"      # +47 / 0047: any grouping
    rf"|[2-9]\d{{7}}|[2-9]\d{_SEP}\d\d{_SEP}\d\d{_SEP}\d\d|[2-9]\d\d{_SEP}\d\d{_SEP}\d{{3}}"
    r")(?!\w)(?![.,]\d)"
)
_OPEN, _CLOSE = r"[(\[{<]", r"[)\]}>]"
_S = r"[ \n]"
_AT = rf"(?:@|{_S}?{_OPEN}{_S}?(?:at|alfa|krøllalfa|snabel-?a){_S}?{_CLOSE}{_S}?|{_S}(?:krøllalfa|snabel-?a){_S})"
_DOT = rf"(?:\.|{_S}?{_OPEN}{_S}?(?:dot|punkt|punktum|prikk){_S}?{_CLOSE}{_S}?|{_S}(?:dot|punktum|prikk){_S})"
AT_SIGN = re.compile(_AT)
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
    if not allow:
        return []
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
        if contacts and AT_SIGN.search(view):  # the full pattern only where an "at" can be (it is the slow one)
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


def _narrow(seg: extract.Segment, hit: tuple[str, str, str], terms: list[Term | str], file: str,
            allow: list[Allowed]) -> str:
    """The one source line of an HTML section that holds the finding, when a single line does."""
    for i, line in enumerate(seg.raw_lines):
        if hit in hits(extract.markup_text(line), terms, file, allow):
            return f"{seg.where.split(' (')[0]}, linje {seg.first_line + i}" if seg.where.startswith("avsnitt") \
                else f"linje {seg.first_line + i}"
    return seg.where


def scan_file(path: Path, terms: list[Term | str], allow: list[Allowed] | None = None,
              contacts: bool = True) -> list[Finding]:
    """Findings in one file, each reported once, at the first (most precise) place it is seen.
    ``contacts=False`` looks for the private terms only, not phone numbers and e-mail addresses."""
    file = str(path)
    try:
        segs = extract.segments(Path(path))
    except Exception as exc:  # noqa: BLE001 (the guard fails closed on anything it cannot read)
        kind = path.suffix.lstrip(".").upper() or "tekst"
        return [Finding(file, "", "ulesbar", detail=f"kan ikke leses som {kind} ({type(exc).__name__}); "
                        "en fil vakten ikke kan lese, blir aldri publisert")]
    first: dict[tuple[str, str, str], extract.Segment] = {}
    count: dict[tuple[str, str, str], int] = {}
    for seg in segs:
        found = hits(seg.text, terms, file, allow, contacts)
        if not found:
            continue  # the usual case: the parts are read only to locate a finding
        for part in seg.parts:
            for hit in hits(part.text, terms, file, allow, contacts):
                if hit in found:
                    first.setdefault(hit, part)
                    count[hit] = count.get(hit, 0) + 1
        for hit in found:
            if hit not in first:  # no part holds it alone (split over two lines), or there are no parts
                first[hit] = seg
                count[hit] = count.get(hit, 0) + 1
            elif not seg.parts:  # seen before, in another page or section
                count[hit] += 1
    out = []
    for hit, seg in first.items():
        where = _narrow(seg, hit, terms, file, allow or []) if len(seg.raw_lines) > 1 else seg.where
        more = count[hit] - 1
        out.append(Finding(file, where + (f" (og {more} andre steder i filen)" if more else ""), *hit))
    return out


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
            for a, b in IMAGE_REF.findall(f.read_text(encoding="utf-8", errors="replace")):
                target = paths.ROOT / (a or b)
                if (a or b) and "://" not in (a or b) and not (a or b).startswith("data:") and target.is_file():
                    out.append(target)
    return list(dict.fromkeys(out))


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
        checked = {str(f): hashlib.sha256(f.read_bytes()).hexdigest() for f in files}
        write_text(a.stamp, json.dumps({"kontrollert": checked}, ensure_ascii=False, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
