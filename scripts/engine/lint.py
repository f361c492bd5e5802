"""Checks on the report sources that keep the prose honest.

- ``numbers_in_prose``: every number in the prose must come from data (inline
  expressions or generated text). Digits are allowed only in code cells, inline code,
  citations (``[@key, 12]``, ``@key, s. 12``), Pandoc attributes (``{#sec-x}``), front matter and comments.
- ``shared_runs``: passages that repeat the thesis word for word (12 words or more).
"""
from __future__ import annotations

import re
import sys
import unicodedata
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


def main(argv: list[str] | None = None) -> int:
    """``python -m scripts.engine.lint report/*.qmd [--seed THESIS.txt]``"""
    argv = sys.argv[1:] if argv is None else argv
    seed = None
    if "--seed" in argv:
        i = argv.index("--seed")
        seed = Path(argv[i + 1]).read_text(encoding="utf-8")
        argv = argv[:i] + argv[i + 2:]
    bad = 0
    for f in argv:
        text = Path(f).read_text(encoding="utf-8")
        for line, snippet in numbers_in_prose(text):
            print(f"{f}:{line}: tall i løpende tekst: «{snippet}»; forventet tallet hentet fra dataene")
            bad += 1
        if seed:
            for run in shared_runs(text, seed):
                print(f"{f}: gjentar oppgaven ord for ord: «{run} …»; forventet egne formuleringer")
                bad += 1
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(entry(main))
