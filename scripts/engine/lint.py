"""Checks on the report sources that keep the prose honest.

- ``numbers_in_prose``: every number in the prose must come from data (inline
  expressions or generated text). Digits are allowed only in code cells, inline code,
  citations (``[@key, 12]``, ``@key, s. 12``), Pandoc attributes (``{#sec-x}``), front matter and comments.
- ``shared_runs``: passages that repeat the thesis word for word (12 words or more).
- ``near_copies``: sentences of ours that follow one sentence of the thesis closely with a few
  words changed (most of the sentence in runs of three or more words shared, in order). Long runs
  alone miss these: a changed word every tenth word breaks every 12-word run.
"""
from __future__ import annotations

import re
import sys
import unicodedata
from difflib import SequenceMatcher
from pathlib import Path

from scripts.cli import entry
from scripts.engine.qmd import CELL, FRONT_MATTER

ALLOWED = [
    re.compile(r"`[^`]*`"),                      # inline code, incl. `{python} expr`
    re.compile(r"\[[^\[\]]*@[^\[\]]*\]"),        # bracketed citations with locators
    re.compile(r"@[\w:-]+, s\. \d+(?:[–-]\d+)?"),   # narrative citation with its page (figure sources)
    re.compile(r"@[\w:-]+"),                     # bare citation keys / cross-references
    re.compile(r"\{[#.][^}]*\}"),                # attributes
    re.compile(r"<!--.*?-->", re.S),             # comments
    re.compile(r"\]\([^)]*\)"),                  # link targets
]
DIGIT = re.compile(r"\d+")


def prose_of(text: str) -> str:
    """The prose of a .qmd: no front matter and no code cells (same length, for line numbers)."""
    blank = lambda m: re.sub(r"[^\n]", " ", m.group(0))  # noqa: E731
    text = FRONT_MATTER.sub(blank, text)
    return CELL.sub(blank, text)


def numbers_in_prose(text: str) -> list[tuple[int, str]]:
    """(line, snippet) for every digit in prose that is not in an allowed place."""
    prose = prose_of(text)
    for pattern in ALLOWED:
        prose = pattern.sub(lambda m: re.sub(r"[^\n]", " ", m.group(0)), prose)
    out = []
    for m in DIGIT.finditer(prose):
        line = prose.count("\n", 0, m.start()) + 1
        src_line = text.splitlines()[line - 1]
        out.append((line, src_line.strip()[:100]))
    return out


def words(text: str) -> list[str]:
    return re.findall(r"\w+", unicodedata.normalize("NFC", text).lower())


def shared_runs(text: str, seed_text: str, n: int = 12) -> list[str]:
    """Every run of ``n`` words in ``text`` that also occurs in ``seed_text``."""
    sw = words(seed_text)
    seed = {" ".join(sw[i:i + n]) for i in range(len(sw) - n + 1)}
    w = words(text)
    return [" ".join(w[i:i + n]) for i in range(len(w) - n + 1) if " ".join(w[i:i + n]) in seed]


# Quotations and titles in italics (a title is cited, not written).
QUOTE = re.compile(r"«[^«»]*»|(?<![*\w])\*(?!\*)[^*\n]+\*(?!\*)")
CITATION = re.compile(r"\[[^\[\]]*@[^\[\]]*\]|@[\w:-]+")
SENTENCE_END = re.compile(r"(?<=[.!?:;])\s+")


def sentences(text: str, blocks: bool = True) -> list[str]:
    """Sentences of running text: quotations («…», quoted with their page) and citations left out.
    With ``blocks`` a heading, list item or blank line also ends a sentence (our markdown; the
    thesis text has a blank line after every printed line, so it is read without)."""
    text = CITATION.sub(" ", QUOTE.sub(" ", text))
    if not blocks:
        return [s for s in SENTENCE_END.split(" ".join(text.split())) if s]
    out = []
    # A heading, a list item or a blank line ends a sentence even without a full stop.
    for block in re.split(r"\n\s*\n|\n(?=\s*(?:#|[-*+] |\d+\. |:::))", text):
        out += [s for s in SENTENCE_END.split(" ".join(block.split())) if s]
    return out


def _seed_index(seed_text: str, k: int = 3):
    cached = _SEED_CACHE.get(id(seed_text))
    if cached and cached[0] is seed_text:
        return cached[1], cached[2]
    sents = [words(s) for s in sentences(seed_text, blocks=False)]
    index: dict[tuple, set[int]] = {}
    for n, w in enumerate(sents):
        for i in range(len(w) - k + 1):
            index.setdefault(tuple(w[i:i + k]), set()).add(n)
    _SEED_CACHE[id(seed_text)] = (seed_text, sents, index)
    return sents, index


_SEED_CACHE: dict[int, tuple] = {}


def copied_share(ours: list[str], theirs: list[str], min_block: int = 3) -> float:
    """Share of the words of ``ours`` that lie in runs of ``min_block`` or more words matching
    ``theirs`` in the same order (a near copy scores close to 1, a paraphrase low)."""
    m = SequenceMatcher(None, ours, theirs, autojunk=False)
    return sum(b.size for b in m.get_matching_blocks() if b.size >= min_block) / max(len(ours), 1)


def near_copies(text: str, seed_text: str, min_words: int = 8, share: float = 0.6,
                k: int = 3) -> list[tuple[str, str, float]]:
    """(our sentence, thesis sentence, share) for every sentence of ``text`` of at least
    ``min_words`` words of which at least ``share`` repeats one thesis sentence in order."""
    sents, index = _seed_index(seed_text, k)
    found = []
    for s in sentences(text):
        w = words(s)
        # Headings carry the thesis's own section titles, as a table of contents would.
        if len(w) < min_words or s.startswith("#"):
            continue
        hits: dict[int, int] = {}
        for i in range(len(w) - k + 1):
            for n in index.get(tuple(w[i:i + k]), ()):
                hits[n] = hits.get(n, 0) + 1
        best = (0.0, -1)
        for n, count in hits.items():
            if count >= 2:
                best = max(best, (copied_share(w, sents[n]), n))
        if best[0] >= share:
            found.append((s, " ".join(sents[best[1]]), round(best[0], 2)))
    return found


def main(argv: list[str] | None = None) -> int:
    """``python -m scripts.engine.lint report/*.qmd [--seed THESIS.txt]``"""
    import argparse

    p = argparse.ArgumentParser(prog="python -m scripts.engine.lint",
                                description="Typed numbers in prose, and text copied from the thesis.")
    p.add_argument("files", nargs="+", type=Path)
    p.add_argument("--seed", type=Path, help="the thesis as text: also look for copied runs and sentences")
    a = p.parse_args(argv)
    seed = a.seed.read_text(encoding="utf-8") if a.seed else None
    bad = 0
    for f in a.files:
        text = Path(f).read_text(encoding="utf-8")
        for line, snippet in numbers_in_prose(text):
            print(f"{f}:{line}: tall i løpende tekst: «{snippet}»; forventet tallet hentet fra dataene")
            bad += 1
        if seed:
            for run in shared_runs(text, seed):
                print(f"{f}: gjentar oppgaven ord for ord: «{run} …»; forventet egne formuleringer")
                bad += 1
            for ours, theirs, andel in near_copies(prose_of(text), seed):
                print(f"{f}: setningen «{ours}» følger oppgavens «{theirs}» nesten ord for ord "
                      f"({andel:.0%}); forventet egne ord, eller sitat i «» med side")
                bad += 1
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(entry(main))
