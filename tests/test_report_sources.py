"""The report's prose: numbers come from data, sentences are our own, anonymity is kept."""
import ast
import re

import pytest
import yaml

from scripts import paths
from scripts.engine.book import load_book
from scripts.engine.lint import near_copies, numbers_in_prose, prose_of, shared_runs
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


# Three of the sentences a review found (4.1.2, 4.2.1, 4.2.4): each changes a word or two of a
# thesis sentence, so no 12-word run is shared, yet the sentence is the thesis's. The thesis's own
# sentences are read from its text (named by their first words), not copied into the project.
REWORDED = [
    ("Flertallet har sin utdanning fra sosiale eller pedagogiske fag, og de fleste har relevant "
     "tilleggsutdanning.", "Flertallet har sin utdanningsbakgrunn"),
    ("I intervjuene er det likevel vanskelig å skille styring kontorene utsettes for, fra grep lederne gjør "
     "selv.", "I intervjuene er det likevel vanskelig"),
    ("På samme måte kan det se ut til at lederens demografi og bruk av verktøyene passer bedre med "
     "henholdsvis kommunale og statlige styringssignaler.", "På samme måte kan det se ut til at NAV-leders"),
]


def thesis_sentence(start: str) -> str:
    """The thesis's sentence that begins with ``start`` (its printed lines joined)."""
    text = " ".join(SEED.read_text(encoding="utf-8").split())
    i = text.index(start)
    return text[i:text.index(".", i) + 1]


@pytest.mark.skipif(not SEED.exists(), reason="the thesis text (shared/seed) is not beside the repository")
def test_near_copies_finds_a_reworded_sentence_and_passes_a_paraphrase_or_a_quotation():
    pairs = [(ours, thesis_sentence(start)) for ours, start in REWORDED]
    for ours, theirs in pairs:
        assert near_copies(ours, theirs), ours
    theirs = pairs[0][1]
    assert not near_copies("De fleste er utdannet i sosialfag eller pedagogikk og har tatt videre utdanning "
                           "som er relevant for jobben.", theirs)
    assert not near_copies(f"Oppgaven skriver: «{theirs}» (s. 40).", theirs)
    # A sentence of the thesis split over printed lines, as the thesis text is, is still one sentence.
    assert near_copies(pairs[1][0], pairs[1][1].replace(" for ", " for \n\n "))


def _generated_texts():
    """The text the report shows besides the chapters: strings in the content modules (f-strings
    with their expressions left out) and free text in the thesis facts (not the hypotheses, which
    stand in the thesis's words)."""
    for f in sorted((paths.ROOT / "scripts" / "content").glob("*.py")):
        for node in ast.walk(ast.parse(f.read_text(encoding="utf-8"))):
            if isinstance(node, ast.JoinedStr):
                yield f.name, "".join(v.value if isinstance(v, ast.Constant) else " … " for v in node.values)
            elif isinstance(node, ast.Constant) and isinstance(node.value, str):
                yield f.name, node.value

    def strings(node, where):
        if isinstance(node, dict):
            for k, v in node.items():
                yield from strings(v, f"{where}.{k}")
        elif isinstance(node, list):
            for i, v in enumerate(node):
                yield from strings(v, f"{where}[{i}]")
        elif isinstance(node, str):
            yield where, node

    for f in sorted(paths.THESIS.glob("*.yaml")):
        for where, text in strings(yaml.safe_load(f.read_text(encoding="utf-8")), f.name):
            # Labels and lists (indicator names, document titles, figure cells) carry over as table
            # cells do; the sentences are in the free-text fields.
            if re.search(r"\.(tekst|merknad|begrunnelse|sammendrag|innhold|grunn\w*|bakgrunn)$", where) \
                    and not re.fullmatch(r"hypoteser\.yaml\.hypoteser\[\d\]\.tekst", where):
                yield where, text


@pytest.mark.skipif(not SEED.exists(), reason="the thesis text (shared/seed) is not beside the repository")
@pytest.mark.parametrize("qmd", CHAPTERS, ids=lambda p: p.name)
def test_no_sentence_of_a_chapter_follows_a_thesis_sentence(qmd):
    found = near_copies(prose_of(qmd.read_text(encoding="utf-8")), SEED.read_text(encoding="utf-8"))
    assert not found, f"{qmd.name}: " + "\n".join(f"«{o}» ~ «{t}» ({a})" for o, t, a in found)


@pytest.mark.skipif(not SEED.exists(), reason="the thesis text (shared/seed) is not beside the repository")
def test_no_generated_sentence_follows_a_thesis_sentence():
    seed = SEED.read_text(encoding="utf-8")
    found = [(where, o, t) for where, text in _generated_texts() for o, t, _a in near_copies(text, seed)]
    assert not found, "\n".join(f"{w}: «{o}» ~ «{t}»" for w, o, t in found)


@pytest.mark.parametrize("qmd", CHAPTERS, ids=lambda p: p.name)
def test_no_interview_quotations(qmd):
    """Interview quotations are not reproduced: no «…» passages longer than a few words."""
    text = qmd.read_text(encoding="utf-8")
    long_quotes = [q for q in re.findall(r"«([^»]+)»", text) if len(q.split()) > 6]
    assert not long_quotes, long_quotes
