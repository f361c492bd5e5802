"""The report's prose: numbers come from data, sentences are our own, anonymity is kept."""
import re

import pytest

from scripts.engine.book import load_book
from scripts.engine.lint import numbers_in_prose, shared_runs
from tests.conftest import SEED

CHAPTERS = load_book().files


def test_lint_catches_a_typed_number():
    text = "---\nx: 1\n---\n# Tittel {#sec-a}\n\nDet var 285 000 innbyggere `{python} n` [@ssb2015, 12].\n"
    assert {line for line, _ in numbers_in_prose(text)} == {6}
    ok = "# T\n\nDet var `{python} tall(n)` innbyggere [@ssb2015, 12] (se @tbl-a).\n\n```{python}\nx = 2014\n```\n"
    assert numbers_in_prose(ok) == []
    # A figure source names the page after a narrative citation; a bare page number is still typed.
    assert numbers_in_prose("Figur. Kilde: @sso2006, s. 6.\n") == []
    assert numbers_in_prose("Figur. Kilde: SSØ, s. 6.\n") == [(1, "Figur. Kilde: SSØ, s. 6.")]


@pytest.mark.parametrize("qmd", CHAPTERS, ids=lambda p: p.name)
def test_no_typed_numbers_in_chapter_prose(qmd):
    problems = numbers_in_prose(qmd.read_text(encoding="utf-8"))
    assert not problems, "numbers typed into prose instead of coming from data:\n" + "\n".join(
        f"  {qmd.name}:{line}: {snippet}" for line, snippet in problems)


def test_shared_runs_finds_copied_text():
    seed = "en to tre fire fem seks sju åtte ni ti elleve tolv tretten"
    assert shared_runs("x en to tre fire fem seks sju åtte ni ti elleve tolv y", seed)
    assert not shared_runs("en to tre fire fem seks sju åtte ni ti elleve x", seed)


@pytest.mark.skipif(not SEED.exists(), reason="the thesis text (shared/seed) is not beside the repository")
@pytest.mark.parametrize("qmd", CHAPTERS, ids=lambda p: p.name)
def test_chapters_are_in_our_own_words(qmd):
    runs = shared_runs(qmd.read_text(encoding="utf-8"), SEED.read_text(encoding="utf-8"))
    assert not runs, f"{qmd.name} repeats the thesis word for word: {runs[:3]}"


@pytest.mark.parametrize("qmd", CHAPTERS, ids=lambda p: p.name)
def test_no_interview_quotations(qmd):
    """Interview quotations are not reproduced: no «…» passages longer than a few words."""
    text = qmd.read_text(encoding="utf-8")
    long_quotes = [q for q in re.findall(r"«([^»]+)»", text) if len(q.split()) > 6]
    assert not long_quotes, long_quotes
