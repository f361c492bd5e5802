"""Citations print exactly what the thesis prints: author, year, year letter and page.

Citeproc gives year letters (2008a, 2008b) itself, in the order the reference list is sorted;
left alone it lettered the thesis's "NAV 2008b" as "NAV 2008a" because that work is cited
first. ``report/_engine/navrapport.csl`` sorts on the key (``nav2008a``) right after the year.
The thesis's own label for every citation is in ``data/thesis/sitater.csv`` (``etikett``).
"""
import csv
import html as htmllib
import re
from collections import defaultdict

import pytest

from scripts import paths
from scripts.engine import render
from scripts.engine.book import load_book


def sitater() -> list[dict[str, str]]:
    with open(paths.THESIS / "sitater.csv", encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def pages(text: str) -> str:
    """Page locators compared as printed: the thesis writes 15-16, the report 15–16."""
    return text.replace("–", "-").strip()


def render_citations(markdown: str, to: str = "plain") -> str:
    """Render with the report's own bibliography and style, as the built-in engine does."""
    meta = render.metadata(load_book(), render.dt.date(2015, 1, 1))
    args = ["--from=markdown", "--citeproc", f"--to={to}", "--wrap=none",
            f"--metadata=bibliography:{meta['bibliography']}", f"--metadata=csl:{meta['csl']}",
            "--metadata=lang:nb"]
    return render.run_pandoc(args, markdown).decode("utf-8")


def test_the_report_uses_the_navrapport_style():
    meta = render.metadata(load_book(), render.dt.date(2015, 1, 1))
    assert meta["csl"] and meta["csl"].endswith("navrapport.csl")


def test_every_thesis_citation_renders_with_the_thesis_label():
    """All of the thesis's citations, in the thesis's order (the order that made citeproc
    swap 2008a and 2008b), each rendered on its own line and compared with the label."""
    rows = sitater()
    lines = []
    for row in rows:
        loc = f", {row['sider_sitert']}" if row["sider_sitert"] else ""
        if row["form"] == "narrativ":
            lines.append(f"@{row['nokkel']}")
        else:
            lines.append(f"[@{row['nokkel']}{loc}]")
    out = render_citations("\n\n".join(lines))
    rendered = out.split("\n\n")[: len(rows)]
    wrong = []
    for row, got in zip(rows, rendered, strict=True):
        label = row["etikett"]
        if row["form"] == "narrativ":
            author, year = label.rsplit(" ", 1)
            want = f"{author} ({year})"
        else:
            want = f"({label}, {row['sider_sitert']})" if row["sider_sitert"] else f"({label})"
        if pages(got.strip()) != want:
            wrong.append(f"s. {row['side']} {row['nokkel']}: {got.strip()!r}, oppgaven: {want!r}")
    assert wrong == []


def test_works_of_one_author_and_year_keep_the_thesis_letters():
    # Cited b before a, as in the thesis (s. 27-28): the letters must still follow the keys.
    out = render_citations("[@nav2008b, 6] og [@nav2008a, 3].\n")
    assert out.startswith("(NAV 2008b, 6) og (NAV 2008a, 3).")


def test_reference_list_uses_norwegian_name_lists():
    out = render_citations("[@vanebo2009] [@cohen1972] [@christoffersen2011]\n")
    refs = out.split("\n\n", 1)[1]
    assert "Vanebo, Johnsen og Busch" in refs
    assert "Cohen, Michael D., James G. March og Johan P. Olsen" in refs
    assert not re.search(r", og ", refs), "serial comma before «og» in the reference list"


def cited_spans(html: str):
    """(keys, text) for every citation in the report's HTML, text without markup."""
    for m in re.finditer(r'<span class="citation" data-cites="([^"]*)">', html):
        depth, text = 1, []
        for tok in re.finditer(r"<(/?)span\b[^>]*>|<[^>]+>|[^<]+", html[m.end():]):
            g = tok.group(0)
            if g.startswith("<span"):
                depth += 1
            elif g.startswith("</span"):
                depth -= 1
                if depth == 0:
                    break
            elif not g.startswith("<"):
                text.append(g)
        yield m.group(1).split(), re.sub(r"\s+", " ", htmllib.unescape("".join(text))).strip()


def citation_problems(html: str, rows: list[dict[str, str]]) -> list[str]:
    """Every citation in ``html`` whose label differs from the thesis's, or whose page the
    thesis never gives for that work."""
    label = {r["nokkel"]: r["etikett"] for r in rows}
    cited_pages = defaultdict(set)
    for r in rows:
        if r["sider_sitert"]:
            cited_pages[r["nokkel"]].add(pages(r["sider_sitert"]))
    problems = []
    for keys, text in cited_spans(html):
        narrative = not text.startswith("(")
        inner = text.strip("()") if not narrative else text
        parts = inner.split("; ")
        if len(parts) != len(keys):
            problems.append(f"{keys}: cannot split {text!r}")
            continue
        for key, part in zip(keys, parts, strict=True):
            want = label.get(key)
            if want is None:
                problems.append(f"{key}: not a work the thesis cites")
                continue
            if narrative:
                m = re.fullmatch(r"(.+) \((\d{4}[ab]?)(?:, (.+))?\)", part)
                got, page = (f"{m.group(1)} {m.group(2)}", m.group(3)) if m else (part, None)
            else:
                m = re.fullmatch(r"(.*?)(\d{4}[ab]?)(?:, (.+))?", part)
                got, page = (part, None) if m is None else (m.group(1) + m.group(2), m.group(3))
                if m and not m.group(1):  # "NAV 2008b, 6; 2007, 14": the author is collapsed
                    got = f"{want.rsplit(' ', 1)[0]} {got}"
            if got != want:
                problems.append(f"{key}: report {got!r}, thesis {want!r}")
            if page and pages(page) not in cited_pages[key]:
                problems.append(f"{key}: page {page!r} is not a page the thesis cites")
    return problems


def test_citation_problems_catches_a_swapped_letter_and_a_wrong_page():
    rows = [{"nokkel": "nav2008a", "etikett": "NAV 2008a", "sider_sitert": "3"},
            {"nokkel": "nav2008b", "etikett": "NAV 2008b", "sider_sitert": "6"}]
    good = '<span class="citation" data-cites="nav2008b">(NAV 2008b, 6)</span>'
    swapped = '<span class="citation" data-cites="nav2008b">(NAV 2008a, 6)</span>'
    wrong_page = '<span class="citation" data-cites="nav2008a">(NAV 2008a, 4)</span>'
    assert citation_problems(good, rows) == []
    assert citation_problems(swapped, rows) == ["nav2008b: report 'NAV 2008a', thesis 'NAV 2008b'"]
    assert citation_problems(wrong_page, rows) == ["nav2008a: page '4' is not a page the thesis cites"]


@pytest.mark.e2e
def test_every_citation_in_the_built_report_has_the_thesis_label(built_repo):
    html = (built_repo / "build" / "report.html").read_text(encoding="utf-8")
    assert 'data-cites="nav2008b' in html
    assert citation_problems(html, sitater()) == []


def test_the_reference_list_marks_every_incomplete_entry():
    bib = "\n".join(line for line in (paths.REPORT / "references.bib").read_text(encoding="utf-8").splitlines()
                    if not line.startswith("%"))
    incomplete = len(re.findall(r"note\s*=\s*\{Ufullstendig referanse\.", bib))
    assert incomplete > 0
    out = render_citations("---\nnocite: '[@*]'\n---\n\nTekst.\n")
    assert out.count("Ufullstendig referanse.") == incomplete
    litteratur = (paths.REPORT / "litteratur.qmd").read_text(encoding="utf-8")
    assert litteratur.count("Ufullstendig referanse") == 1, "the list explains the mark once, above the list"
