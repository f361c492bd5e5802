"""The report follows its style sheet, docs/stilark.md: one spelling per word, no double
punctuation, no stock sentence repeated over and over."""
import collections
import html as htmllib
import re
from pathlib import Path

import pytest

from scripts import paths

STILARK = paths.ROOT / "docs" / "stilark.md"


def forbidden_stems(text: str) -> dict[str, str]:
    """{forbidden stem: the form to write}, from the table in the style sheet."""
    stems = {}
    for line in text.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) != 3 or cells[0] in ("Skriv", "") or set(cells[0]) <= set("-"):
            continue
        for stem in (s.strip() for s in cells[1].split(",")):
            if stem:
                stems[stem.lower()] = cells[0]
    return stems


def style_problems(text: str, where: str, stems: dict[str, str]) -> list[str]:
    problems = []
    for stem, write in stems.items():
        for m in re.finditer(rf"(?<![\wæøå]){re.escape(stem)}[\wæøå-]*", text, re.I):
            problems.append(f"{where}: «{m.group(0)}», skriv {write}")
    return problems


def source_texts():
    """Everything the report's words come from: chapters, text helpers, the thesis facts
    (without YAML comments, which are notes to the developers)."""
    for p in sorted(paths.REPORT.glob("*.qmd")):
        yield p, p.read_text(encoding="utf-8")
    for p in sorted((paths.ROOT / "scripts" / "content").glob("*.py")):
        yield p, p.read_text(encoding="utf-8")
    for p in sorted(paths.THESIS.glob("*.yaml")) + sorted(paths.THESIS.glob("*.csv")):
        text = "\n".join(re.sub(r"^\s*#.*", "", line) for line in p.read_text(encoding="utf-8").splitlines())
        yield p, text


def test_the_style_sheet_has_rules():
    stems = forbidden_stems(STILARK.read_text(encoding="utf-8"))
    assert {"sammenligning", "deltagelse", "søppelbøtte-teori"} <= set(stems)


def test_style_problems_finds_a_forbidden_form_and_passes_the_chosen_one():
    stems = {"sammenlign": "sammenlikne", "deltagelse": "deltakelse"}
    assert style_problems("Sammenligningen viste deltakelse.", "x", stems) == [
        "x: «Sammenligningen», skriv sammenlikne"]
    assert style_problems("En sammenlikning og deltakelse.", "x", stems) == []


def test_report_sources_follow_the_style_sheet():
    stems = forbidden_stems(STILARK.read_text(encoding="utf-8"))
    problems = []
    for path, text in source_texts():
        problems += style_problems(text, str(Path(path).relative_to(paths.ROOT)), stems)
    assert problems == []


def report_text(html: str) -> str:
    """The reader's text of the HTML report: block elements become line breaks, inline markup
    disappears without adding spaces, styles and scripts are dropped."""
    html = re.sub(r"<(style|script)\b.*?</\1>", "", html, flags=re.S)
    html = re.sub(r"<(?:p|div|h\d|li|tr|td|th|br|figcaption|caption|section|table|ul|ol|figure)\b[^>]*>",
                  "\n", html)
    text = htmllib.unescape(re.sub(r"<[^>]+>", "", html))
    return re.sub(r"[ \t\r]*\n\s*", "\n", text)


DOUBLE_PUNCTUATION = re.compile(r"(?<![.\w])\.\.(?!\.)|,,|[?!]\.|\.,(?!\d)(?<![A-ZÆØÅ]\.,)")


def repeated_sentences(text: str, times: int = 3, words: int = 6) -> list[str]:
    sentences = re.split(r"(?<=[.!?])\s+", re.sub(r"\s+", " ", text))
    counts = collections.Counter(s for s in sentences if len(s.split()) >= words)
    return [f"{n}× {s}" for s, n in counts.items() if n >= times]


def test_checks_on_the_built_text_find_what_they_look_for():
    assert DOUBLE_PUNCTUATION.search("Styring i NAV – hva gir resultater?. Innholdet")
    assert not DOUBLE_PUNCTUATION.search("Cohen, Michael D., James G. March og Johan P. Olsen. 1972.")
    same = "Kontor F er best på de statlige indikatorene i år. "
    assert repeated_sentences(same * 3) and not repeated_sentences(same * 2)
    assert report_text("<p>Et <em>ord</em>.</p><p>Neste</p>") == "\nEt ord.\nNeste"


@pytest.mark.e2e
def test_the_built_report_follows_the_style_sheet(built_repo):
    text = report_text((built_repo / "build" / "report.html").read_text(encoding="utf-8"))
    assert style_problems(text, "build/report.html", forbidden_stems(STILARK.read_text(encoding="utf-8"))) == []
    assert [m.group(0) for m in re.finditer(rf".{{0,30}}(?:{DOUBLE_PUNCTUATION.pattern}).{{0,30}}", text)] == []
    assert repeated_sentences(text) == []
