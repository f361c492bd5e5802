"""The book with real Quarto: `quarto render report` as a Quarto user types it, the same
document as the built-in engine (the conformance test), and the guarded Quarto path through
Snakemake.

Uses the `quarto` on PATH (a user's own installation); else a Quarto CLI kept beside the
project's checkout (`../shared/quarto`, with its helper programs in `.quarto-tools/`, as
`.ci/run` installs them); else the tests are skipped with a message saying how to get Quarto.
"""
from __future__ import annotations

import difflib
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from scripts.engine.book import load_book
from scripts.workflow import QUARTO_MIN
from tests.conformance import builtin_chapters, norm, quarto_chapters
from tests.conftest import ROOT, copy_repo, run_snakemake

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

SHARED_QUARTO = ROOT.parent / "shared" / "quarto" / "bin" / "quarto"
TOOLS = ROOT / ".quarto-tools"

# Warnings real Quarto prints that are not ours, each with why (docs/arkitektur.md).
UPSTREAM_WARNINGS = {
    # ipykernel >= 7 says so at every kernel start; Quarto starts its kernels over local TCP.
    r"\[IPKernelApp\] WARNING \| Kernel is running over TCP without encryption": "ipykernel 7, Quarto's kernel",
    # A Quarto built from source has no typst-gather; it then stages all of its bundled packages.
    r"WARN: typst-gather analyze failed": "Quarto from source without typst-gather",
}

# Differences between the engines' HTML that are allowed: (chapter, pattern of a diff line, reason).
# Anything else fails the conformance test.
def _title_block() -> str:
    """Quarto's title block as diff lines: the book's title, subtitle and author from _quarto.yml,
    Quarto's words "Forfatter" and "Utgitt", and the date."""
    import yaml

    book = yaml.safe_load((ROOT / "report" / "_quarto.yml").read_text(encoding="utf-8"))["book"]
    parts = [re.escape(book[k]) for k in ("title", "subtitle", "author")] + ["Forfatter", "Utgitt", r"\d\d\.\d\d\.\d{4}"]
    return r"\+(" + "|".join(parts) + ")"


ALLOWED_HTML = [
    ("index", _title_block(),
     "Quarto's book puts its title block (title, subtitle, author, date) on the first page; the built-in "
     "engine has the same in the document's header, outside the chapters, checked separately below"),
]

# Words that may differ between the two PDFs: page chrome, not content. Page numbers (Quarto's
# PDF has the "Vedlegg" divider page Quarto's book filter adds before the appendices, so later
# pages shift), the table of contents' dot leaders, that divider's heading, and the date the
# edition was rendered (the built-in engine's comes from SOURCE_DATE_EPOCH).
PDF_CHROME = re.compile(r"^(\d+|\.+|Vedlegg|\d\d\.\d\d\.\d{4})$")


def find_quarto() -> tuple[str, dict] | None:
    """The Quarto to test with and the environment it needs, or None."""
    exe = shutil.which("quarto")
    if exe:
        return exe, {}
    if SHARED_QUARTO.is_file() and TOOLS.is_dir():
        return str(SHARED_QUARTO), {"QUARTO_TOOLS": str(TOOLS)}
    return None


@pytest.fixture(scope="module")
def quarto():
    found = find_quarto()
    if found is None:
        pytest.skip("Quarto finnes ikke: installer Quarto >= " + ".".join(map(str, QUARTO_MIN))
                    + " fra https://quarto.org og legg `quarto` på PATH")
    return found


def quarto_user_env(quarto: tuple[str, dict]) -> dict:
    """A Quarto user's shell: the project's environment activated and quarto on PATH, none of
    the variables the project's own tests use (NAVRAPPORT_ROOT, PYTHONPATH)."""
    exe, extra = quarto
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NAVRAPPORT_", "PYTHONPATH"))}
    venv = str(Path(sys.executable).parent)
    env["PATH"] = os.pathsep.join([venv, str(Path(exe).parent), env.get("PATH", "")])
    env.update(extra)
    return env


def unexplained_warnings(stderr: str) -> list[str]:
    lines = [ln for ln in stderr.splitlines() if re.search(r"\bWARN(ING)?\b", ln, re.I)]
    return [ln for ln in lines if not any(re.search(p, ln) for p in UPSTREAM_WARNINGS)]


@pytest.fixture(scope="module")
def both_engines(tmp_path_factory, quarto):
    """A clean copy built with the built-in engine, then rendered by `quarto render report
    --to html` and `--to typst`, typed from the repository root."""
    repo = copy_repo(tmp_path_factory.mktemp("quarto") / "repo")
    proc = run_snakemake(repo, "--config", "engine=builtin", env={"SOURCE_DATE_EPOCH": "1430352000"})
    assert proc.returncode == 0, proc.stderr[-4000:]
    renders = {}
    for to in ("html", "typst"):
        renders[to] = subprocess.run([quarto[0], "render", "report", "--to", to], cwd=repo,
                                     env=quarto_user_env(quarto), capture_output=True, text=True, timeout=1200)
        # A full render of a book empties its output folder first: keep each format's output.
        if (repo / "report" / "_book").is_dir():
            shutil.copytree(repo / "report" / "_book", repo.parent / f"quarto-{to}")
    return repo, renders


def test_quarto_renders_the_book_to_html_and_pdf(both_engines):
    repo, renders = both_engines
    for to, proc in renders.items():
        assert proc.returncode == 0, f"quarto render --to {to}:\n{proc.stderr[-4000:]}"
        assert unexplained_warnings(proc.stderr) == [], to
    site = repo.parent / "quarto-html"
    assert (site / "index.html").is_file()
    assert (repo.parent / "quarto-typst" / "report.pdf").read_bytes().startswith(b"%PDF")
    # Each page stands alone: no page embeds another (as embed-resources did in a book).
    sizes = [p.stat().st_size for p in site.glob("*.html")]
    assert max(sizes) < 1_000_000, sizes
    # Quarto's intermediate files stay out of the project (report/.gitignore covers the rest).
    assert not list((repo / "report").glob("*.typ")) and not list((repo / "report").glob("*_files"))


def test_html_is_the_same_document_chapter_by_chapter(both_engines):
    repo, _ = both_engines
    book = load_book(repo / "report")
    builtin_html = (repo / "build" / "report.html").read_text(encoding="utf-8")
    ours = builtin_chapters(builtin_html, book)
    theirs = quarto_chapters(repo.parent / "quarto-html", book)
    assert list(ours) == list(theirs)
    problems = []
    for name in ours:
        a, b = ours[name], theirs[name]
        for what in ("captions", "xrefs", "citations", "alts", "marks"):
            if getattr(a, what) != getattr(b, what):
                problems.append(f"{name}: {what} differ: "
                                + "; ".join(difflib.unified_diff(list(map(str, getattr(a, what))),
                                                                 list(map(str, getattr(b, what))), lineterm="", n=0)))
        allowed = [pattern for chapter, pattern, _ in ALLOWED_HTML if chapter == name]
        for line in difflib.unified_diff(a.blocks, b.blocks, lineterm="", n=0):
            if not line.startswith(("---", "+++", "@@")) and not any(re.fullmatch(p, line) for p in allowed):
                problems.append(f"{name}: {line[:300]}")
    assert problems == []
    # The header of the built-in document carries what Quarto's title block does.
    head = norm(re.sub(r"<[^>]+>", " ", builtin_html[:builtin_html.index("<section")]))
    import yaml

    book = yaml.safe_load((repo / "report" / "_quarto.yml").read_text(encoding="utf-8"))["book"]
    assert book["title"] in head and book["subtitle"] in head
    # Sanity: the comparison saw the document (the thesis's tables, figures and citations).
    assert sum(len(c.captions) for c in ours.values()) >= 20
    assert sum(len(c.citations) for c in ours.values()) >= 100
    assert sum(len(c.xrefs) for c in ours.values()) >= 80
    assert sum(len(c.alts) for c in ours.values()) >= 6
    assert sum(len(c.marks) for c in ours.values()) >= 4  # Tabell 4.2: the best office on each indicator


def pdf_words(path: Path) -> tuple[int, list[str]]:
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(path)
    # Each page without the page number its footer ends with, so a word hyphenated across a page
    # break is joined as on any other line ("alterna-" | "9" | "tiver" is "alternativer").
    pages = [re.sub(r"\s*\d+\s*$", "", pdf[i].get_textpage().get_text_range()) for i in range(len(pdf))]
    text = "\n".join(pages).replace("\u00a0", " ").replace("\u00ad", "")
    # pdfium writes a line-end hyphen as "-" + line break, or as U+FFFE where the line is a page's last.
    return len(pdf), re.sub(r"(?:-\s*\r?\n|\ufffe\s*)\s*", "", text).split()


def test_pdf_is_the_same_document(both_engines):
    repo, _ = both_engines
    pages_a, a = pdf_words(repo / "build" / "report.pdf")
    pages_b, b = pdf_words(repo.parent / "quarto-typst" / "report.pdf")
    gone, new = [], []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op != "equal":
            gone.append(" ".join(w for w in a[i1:i2] if not PDF_CHROME.match(w)))
            new.append(" ".join(w for w in b[j1:j2] if not PDF_CHROME.match(w)))
    # A figure Typst floats to another place on the page (or the next) is the same figure:
    # a run of words removed in one place and inserted in another cancels out.
    for text in list(gone):
        if text in new:
            gone.remove(text)
            new.remove(text)
    # A page number the text layer joins to the page's last word ("ja/nei38" | "ja/nei40").
    for i, (x, y) in enumerate(zip(gone, new, strict=False)):
        if re.sub(r"(?<=\D)\d+$", "", x) == re.sub(r"(?<=\D)\d+$", "", y):
            gone[i] = new[i] = ""
    assert [t for t in gone if t] == [] and [t for t in new if t] == []
    assert abs(pages_a - pages_b) <= 2, (pages_a, pages_b)
    refs = re.compile(r"^(Tabell|Figur|tabell|figur|kapittel|Kapittel|vedlegg|Vedlegg)$")
    assert sum(1 for w in a if refs.match(w)) > 80


@pytest.fixture
def quarto_build(tmp_path, quarto):
    """`snakemake --config engine=quarto` in a clean copy, with quarto on PATH."""
    repo = copy_repo(tmp_path / "repo")
    env = quarto_user_env(quarto)
    proc = run_snakemake(repo, "--config", "engine=quarto", env={"PATH": env["PATH"], **quarto[1]}, timeout=1800)
    assert proc.returncode == 0, (proc.stdout + proc.stderr)[-5000:]
    return repo, env


def test_snakemake_with_quarto_publishes_guarded_documents_and_keeps_them_on_failure(quarto_build, quarto):
    repo, env = quarto_build
    build = repo / "build"
    assert (build / "report.pdf").read_bytes().startswith(b"%PDF")
    assert 'href="quarto/index.html"' in (build / "report.html").read_text(encoding="utf-8")
    assert (build / "quarto" / "04-analyse.html").is_file()
    assert "Tabell\u00a04.2" in (build / "quarto" / "04-analyse.html").read_text(encoding="utf-8") \
        or "Tabell&nbsp;4.2" in (build / "quarto" / "04-analyse.html").read_text(encoding="utf-8")
    assert list((build / "staging").glob("published-?.json"))  # written by publish, after the guard
    before = {p: p.read_bytes() for p in [build / "report.html", build / "report.pdf", *(build / "quarto").rglob("*.html")]}

    qmd = repo / "report" / "index.qmd"
    qmd.write_text(qmd.read_text(encoding="utf-8") + "\n```{python}\n#| label: knekk\n1 / 0\n```\n", encoding="utf-8")
    # The config's default, engine: auto, takes Quarto when it is on PATH.
    proc = run_snakemake(repo, env={"PATH": env["PATH"], **quarto[1]}, timeout=1800)
    out = proc.stdout + proc.stderr
    assert proc.returncode != 0, out[-3000:]
    assert "quarto render --to html feilet i" in out and "index.qmd" in out and "ZeroDivisionError" in out
    assert "forrige rapport er beholdt uendret" in out
    for path, data in before.items():
        assert path.read_bytes() == data, f"{path} was changed by a failed build"


A11Y = ROOT / "tests" / "a11y"


@pytest.mark.browser
@pytest.mark.skipif(shutil.which("chromium") is None or not (A11Y / "node_modules" / "axe-core").is_dir(),
                    reason="needs chromium and `npm install --prefix tests/a11y` (.ci/run does both)")
def test_quarto_html_passes_axe_and_reflows(both_engines):
    """WCAG 2.1 AA (axe-core) at laptop and phone width on Quarto's pages, as for the built-in HTML."""
    from tests.test_browser import assert_accessible

    repo, _ = both_engines
    for page in ("index", "02-teori", "04-analyse", "litteratur", "vedlegg-7-seks-kontorer"):
        assert_accessible(repo.parent / "quarto-html" / f"{page}.html")
