"""Text from data files is shown as text: markup in an office or indicator name breaks nothing."""
import pandas as pd

from scripts.analysis import compare
from scripts.engine import render

NASTY = "Kontor <script>alert(1)</script> #1 *fet* $x$ _u_ [lenke](http://x) @nøkkel `kode` | rør = \\slutt"


def test_md_escape_round_trips_through_pandoc_html():
    md = f"Navn: {compare.md_escape(NASTY)}\n"
    html = render.run_pandoc(["--from=markdown", "--to=html5"], md).decode("utf-8")
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "<em>" not in html and "<a " not in html and "<code>" not in html
    assert "$x$" in html and "*fet*" in html and "@nøkkel" in html


def test_escaped_text_compiles_in_typst_and_shows_literally(tmp_path):
    import typst
    from pypdf import PdfReader

    md = f"Navn: {compare.md_escape(NASTY)}\n"
    typ = render.run_pandoc(["--from=markdown", "--to=typst", "--standalone"], md).decode("utf-8")
    src = tmp_path / "t.typ"
    src.write_text(typ, encoding="utf-8")
    pdf = tmp_path / "t.pdf"
    typst.compile(str(src), output=str(pdf))
    text = PdfReader(pdf).pages[0].extract_text()
    for piece in ("<script>", "#1", "*fet*", "$x$", "@nøkkel", "\\slutt"):
        assert piece in text.replace("\n", " "), piece


def test_table_with_markup_in_cells_keeps_its_shape():
    wide = pd.DataFrame({"budsjett_ressursstyring": ["a | b"], "malstyring": ["<b>x</b>"],
                         "balansert_malstyring": ["*y*"], "risikostyring": ["$z"]}, index=["A"])
    md = compare.tools_markdown(wide)
    html = render.run_pandoc(["--from=markdown", "--to=html5"], md).decode("utf-8")
    assert html.count("<td") == 5 and "a | b" in html and "&lt;b&gt;x&lt;/b&gt;" in html


def test_html_tables_get_column_and_row_headers():
    md = "| Kontor | Verdi |\n|---|---:|\n| Kontor A | 52 |\n| Kontor B | 30 |\n"
    html = render.table_headers(render.run_pandoc(["--from=markdown", "--to=html5"], md).decode("utf-8"))
    assert html.count('scope="col"') == 2
    assert '<th scope="row">Kontor A</th>' in html and '<th scope="row">Kontor B</th>' in html
    assert re.search(r'<td data-label="Verdi"(?: style="text-align: right;")?>52</td>', html)


# --- one escaping function per output format (scripts/content/escape.py) -------------------

import html as html_lib  # noqa: E402
import re  # noqa: E402

import pytest  # noqa: E402
import yaml  # noqa: E402
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from scripts.content import escape  # noqa: E402
from scripts.engine import numbering  # noqa: E402

HOSTILE_LABELS = {
    "budsjett_ressursstyring": "<b onmouseover=alert(1)>Budsjett</b>",
    "malstyring": '<a href="javascript:alert(1)">Mål</a>',
    "balansert_malstyring": "Før <script>alert(1)</script> etter",
    "risikostyring": "Risiko [lenke](javascript:alert(1)) @tbl-verktoy $x$ <http://x.no>",
}


def html_of(md: str) -> str:
    return render.run_pandoc(["--from=markdown+smart", "--to=html5"], md).decode("utf-8")


def test_tabell_4_1_column_labels_from_data_reach_html_as_text(tmp_path):
    spec = tmp_path / "verktoy.yaml"
    spec.write_text(yaml.safe_dump({"kolonner": [{"id": k, "etikett": v} for k, v in HOSTILE_LABELS.items()]},
                                   allow_unicode=True), encoding="utf-8")
    wide = pd.DataFrame({k: ["Ja"] for k in HOSTILE_LABELS}, index=["A"])
    md = compare.tools_markdown(wide, spec)
    out = " ".join(html_of(md).split())  # Pandoc wraps long headers
    for tag in ("<b", "<a ", "<script", "<em", "<code"):
        assert tag not in out, tag
    assert "onmouseover" in out and "&lt;b onmouseover=alert(1)&gt;Budsjett&lt;/b&gt;" in out
    assert "&lt;script&gt;alert(1)&lt;/script&gt; etter" in out  # nothing of the label is cut
    assert "@tbl-verktoy" in out and "$x$" in out
    # The engine's cross-reference pass leaves an escaped @ alone (it used to stop the build).
    assert numbering.resolve_xrefs(md, {}, {}) == md


def test_cross_references_are_not_read_inside_code_or_raw_blocks():
    """Pandoc leaves @ alone in code spans and raw blocks (the folded figure description is raw
    HTML with data text), so the engine must too; a reference in prose is still resolved."""
    labels = {"tbl-a": "4.1"}
    prefixes = {"tbl-prefix": "tabell", "appendix": "Vedlegg"}
    raw = "```{=html}\n<p>etikett @tbl-x</p>\n```\n"
    code = "Filen `data/@tbl-y.csv` finnes.\n"
    assert numbering.resolve_xrefs(raw + code, labels, prefixes) == raw + code
    assert numbering.resolve_xrefs("Se @tbl-a.\n" + raw, labels, prefixes) == "Se [tabell\u00a04.1](#tbl-a).\n" + raw
    with pytest.raises(KeyError) as info:
        numbering.resolve_xrefs("Se @tbl-x.\n", labels, prefixes, "report/04-analyse.qmd")
    assert str(info.value) == ("report/04-analyse.qmd: kryssreferansen @tbl-x peker ikke på noen tabell, figur "
                               "eller seksjon; forventet en definert etikett, f.eks. @tbl-a")
    with pytest.raises(KeyError) as info:
        numbering.resolve_xrefs("Se @tbl-helt-annet.\n", labels, prefixes, "report/04-analyse.qmd")
    assert str(info.value).endswith("@tbl-helt-annet peker ikke på noen tabell, figur eller seksjon; forventet en "
                                    "definert etikett; det finnes 1 som begynner med tbl-")


def test_escaped_text_has_no_live_link_in_the_pdf(tmp_path):
    import typst
    from pypdf import PdfReader

    md = "Tekst: " + escape.markdown('[klikk](javascript:alert(1)) <a href="javascript:alert(2)">x</a>') + "\n"
    typ = render.run_pandoc(["--from=markdown", "--to=typst", "--standalone"], md).decode("utf-8")
    (tmp_path / "t.typ").write_text(typ, encoding="utf-8")
    pdf = tmp_path / "t.pdf"
    typst.compile(str(tmp_path / "t.typ"), output=str(pdf))
    page = PdfReader(pdf).pages[0]
    assert not page.get("/Annots")
    assert "javascript:alert(1)" in page.extract_text()


BIB = """@book{trygg, author = {Oppdiktet, Ola}, title = {Trygg kilde}, year = {2014}, publisher = {Forlag},
  url = {https://example.org/bok}}
@book{farlig, author = {Oppdiktet, Kari}, title = {Farlig <script>alert(1)</script> kilde}, year = {2014},
  publisher = {Forlag}, url = {javascript:alert(document.cookie)}}
@misc{data, author = {Oppdiktet, Per}, title = {Datakilde}, year = {2014}, howpublished = {\\url{ JaVaScRiPt:alert(3)}}}
"""


@pytest.mark.parametrize("fmt", ["html5", "typst"])
def test_bibliography_links_are_only_http_and_https(tmp_path, fmt):
    bib = tmp_path / "ref.bib"
    bib.write_text(BIB, encoding="utf-8")
    md = "---\nbibliography: " + str(bib) + "\nlang: nb\n---\n\nSe @trygg, @farlig og @data.\n"
    out = render.run_pandoc(["--from=markdown+smart", "--citeproc", "--lua-filter",
                             str(render.ENGINE_DIR / "filters.lua"), f"--to={fmt}"], md).decode("utf-8")
    low = out.lower()
    if fmt == "html5":
        assert 'href="https://example.org/bok"' in out
        assert not re.search(r'href="\s*javascript', low) and "<script" not in low
    else:
        assert '#link("https://example.org/bok")' in out
        assert '#link("javascript' not in low and "#link(\" javascript" not in low
    assert "alert(document.cookie)" in out  # shown as text, not dropped


@pytest.mark.parametrize("target, ok", [
    ("https://www.ssb.no/statbank", True), ("http://example.org", True), ("HTTPS://example.org/x", True),
    ("javascript:alert(1)", False), (" java\tscript:alert(1)", False), ("JaVaScRiPt:alert(1)", False),
    ("data:text/html;base64,PHNjcmlwdD4=", False), ("file:///etc/passwd", False), ("//evil.example", False),
    ("https:/no-host", False), ("mailto:ola@example.no", False),
])
def test_url_allows_only_http_and_https(target, ok):
    assert (escape.url(target) is not None) == ok


def test_html_escape_is_text_in_text_and_attributes():
    s = 'a"b\'c<d>&e'
    assert escape.html(s) == "a&quot;b&#x27;c&lt;d&gt;&amp;e"
    assert html_lib.unescape(escape.html(s)) == s


def test_typst_escape_compiles_and_shows_literally(tmp_path):
    import typst
    from pypdf import PdfReader

    nasty = 'Kontor #set text(red) $x$ @ref <lab> *b* _i_ `r` = H - l + e / t: ~ [x] \\ "q" // c /* c */'
    src = tmp_path / "t.typ"
    src.write_text(f"#let s = {escape.typst_string(nasty)}\n{escape.typst(nasty)}\n\n#s\n", encoding="utf-8")
    pdf = tmp_path / "t.pdf"
    typst.compile(str(src), output=str(pdf))
    lines = [ln for ln in PdfReader(pdf).pages[0].extract_text().replace("\u201c", '"').replace("\u201d", '"')
             .splitlines() if ln.strip()]
    assert " ".join(lines).count("Kontor #set text(red) $x$ @ref <lab> *b* _i_") == 2


def test_matplotlib_labels_are_drawn_as_written(tmp_path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots()
    ax.set_title(escape.matplotlib("Andel $x$ i kroner"))
    with matplotlib.rc_context({"svg.fonttype": "none"}):
        fig.savefig(tmp_path / "f.svg")
    plt.close(fig)
    assert "Andel $x$ i kroner" in (tmp_path / "f.svg").read_text(encoding="utf-8")


def test_a_10000_character_unbreakable_string_wraps_inside_its_cell_in_the_pdf(tmp_path):
    import pypdfium2 as pdfium
    import typst

    long = "X" * 10_000
    md = ("| Kontor | Merknad |\n|---|---|\n| Kontor A | " + escape.markdown(long) + " |\n")
    typ = render.run_pandoc(["--from=markdown", "--to=typst", "--standalone"], md).decode("utf-8")
    (tmp_path / "t.typ").write_text(typ, encoding="utf-8")
    pdf = pdfium.PdfDocument(typst.compile(str(tmp_path / "t.typ")))
    try:
        right_edges, xs = [], 0
        for page in pdf:
            width = page.get_width()
            text = page.get_textpage()
            for i in range(text.count_chars()):
                left, _bottom, right, _top = text.get_charbox(i)
                right_edges.append(right / width)
                xs += text.get_text_range(i, 1) == "X"
    finally:
        pdf.close()
    assert xs == 10_000  # every character is there
    assert max(right_edges) <= 1.0  # and none runs off the page


def test_a_10000_character_unbreakable_string_can_break_in_html():
    out = html_of("| Kontor | Merknad |\n|---|---|\n| Kontor A | " + escape.markdown("X" * 10_000) + " |\n")
    cell = re.search(r"<td>(X[^<]*)</td>", out).group(1)
    runs = cell.split(escape.ZWSP)
    assert "".join(runs) == "X" * 10_000 and max(map(len, runs)) <= escape.BREAK_EVERY


TEXT = st.text(alphabet=st.sampled_from(list("abcæøå ABC019.,;:!?-_*#$@<>[](){}|\\`~^&=%+/'\"")), min_size=1,
               max_size=40)


@settings(max_examples=40, deadline=None)
@given(TEXT)
def test_any_text_from_data_comes_out_of_pandoc_as_the_same_text(text):
    """Property: whatever punctuation a data value holds, the HTML shows exactly that text
    (markdown without +smart, so typographic quotes do not count as a difference)."""
    out = render.run_pandoc(["--from=markdown-smart", "--to=html5"], "Verdi: " + escape.markdown(text) + "\n").decode("utf-8")
    assert out.count("<") == 2 and out.startswith("<p>")  # one paragraph and nothing else
    shown = html_lib.unescape(out.strip()[len("<p>"):-len("</p>")])
    assert " ".join(shown.split()) == " ".join(("Verdi: " + text).split())


@pytest.mark.parametrize("text", ["1. ledd", "2) ledd", "- punkt", "+ punkt", "> sitat", "# overskrift", ": definisjon",
                                  "| a | b |", "::: div", "% tittel", "= Typst-overskrift"])
def test_data_text_at_the_start_of_a_line_starts_no_block(text):
    out = render.run_pandoc(["--from=markdown-smart", "--to=html5"], escape.markdown(text) + "\n").decode("utf-8")
    assert out.strip() == f"<p>{html_lib.escape(text, quote=False)}</p>"


@pytest.mark.parametrize("text", ["data/raw/kostra/04688_abc*def*.json", "a`b``c", "`start", "<script>", "\\slutt"])
def test_code_spans_show_data_text_literally_without_backslashes(text):
    out = render.run_pandoc(["--from=markdown-smart", "--to=html5"], escape.code(text) + "\n").decode("utf-8")
    shown = html_lib.unescape(re.search(r"<code>(.*)</code>", out).group(1))
    assert shown == text


@pytest.mark.e2e
def test_hostile_text_in_the_data_files_stays_text_in_the_built_report(tmp_path, built_repo):
    """Markup, script, links, math and cross-reference syntax planted in five data files
    (indicator labels, Tabell 4.1 column labels and cells, a diagram label): the build succeeds,
    and nothing of it acts in the HTML or the PDF (made-up text, in a copy of the project)."""
    import os
    import shutil
    import subprocess
    import sys

    from tests.conftest import run_snakemake

    repo = tmp_path / "repo"
    shutil.copytree(built_repo, repo, symlinks=True)

    def plant(rel, old, new):
        p = repo / rel
        text = p.read_text(encoding="utf-8")
        assert old in text, (rel, old)
        p.write_text(text.replace(old, new, 1), encoding="utf-8")

    plant("data/thesis/indikatorer.yaml", 'etikett: "Andel arbeidssøkere med overgang til arbeid"',
          'etikett: "Andel arbeidssøkere <b>X1</b> *y1* @tbl-x $z$ [l1](javascript:alert(1))"')
    plant("data/thesis/indikatorer.yaml", 'kort: "Arbeidssøkere til arbeid"', 'kort: "Arbeidssøkere $q$ <i>X2</i>"')
    plant("data/thesis/verktoy.yaml", 'etikett: "Målstyring"',
          'etikett: "<b onmouseover=alert(1)>X3</b> <script>alert(2)</script>Mål"')
    plant("data/thesis/tabell_4_1.csv", "A,malstyring,Ja,39",
          "A,malstyring,Ja <script>alert(3)</script> [l4](javascript:alert(4)) X4,39")
    plant("data/thesis/diagrammer.yaml", 'navn: "Regelstyring"', 'navn: "Regelstyring $m$ <b>X5</b>"')
    env = dict(os.environ, NAVRAPPORT_ROOT=str(repo), PYTHONPATH=str(repo))
    subprocess.run([sys.executable, "-m", "scripts.guard.manifest", "approve"], cwd=repo, env=env, check=True,
                   capture_output=True)
    proc = run_snakemake(repo, env={"SOURCE_DATE_EPOCH": "1430352000"})
    assert proc.returncode == 0, proc.stderr[-3000:]

    page = (repo / "build" / "report.html").read_text(encoding="utf-8")
    for acting in ("<b>X", "<b onmouseover", "<i>X2", "<script>alert", 'href="javascript', "<em>y1"):
        assert acting not in page, acting
    shown = html_lib.unescape(" ".join(re.sub(r"<[^>]+>", "", re.sub(r"data:[^\"']+", "", page)).split()))
    for literal in ("<b>X1</b> *y1* @tbl-x $z$ [l1](javascript:alert(1))", "$q$ <i>X2</i>",
                    "<b onmouseover=alert(1)>X3</b> <script>alert(2)</script>Mål",
                    "Ja <script>alert(3)</script> [l4](javascript:alert(4)) X4"):
        assert literal in shown, literal
    from pypdf import PdfReader

    targets = [str(a.get_object().get("/A", {}).get("/URI", "")) for pg in PdfReader(repo / "build" / "report.pdf").pages
               for a in pg.get("/Annots") or []]
    assert targets and not [t for t in targets if t and not t.startswith(("http://", "https://"))]
    figure = (repo / "build" / "results" / "figurer" / "resultater.svg").read_text(encoding="utf-8")
    assert "Arbeidssøkere $q$ &lt;i&gt;X2&lt;/i&gt;" in figure  # drawn as written, not as mathtext


@pytest.mark.e2e
@pytest.mark.browser
@pytest.mark.skipif(__import__("shutil").which("chromium") is None,
                    reason="Debian's chromium is not installed (.ci/run installs it)")
def test_a_10000_character_unbreakable_string_wraps_inside_its_cell_in_a_browser(tmp_path):
    """The report's own template and stylesheet, a narrow window: the cell is no wider than its table's region."""
    from tests.test_browser import chromium

    md = ("---\ntitle: Prøve\nlang: nb\n---\n\n# Tabell\n\n| Kontor | Merknad |\n|---|---|\n| Kontor A | "
          + escape.markdown("X" * 10_000) + " |\n\n: Prøvetabell {#tbl-prove}\n")
    page = render.render_html(md).decode("utf-8")
    probe = ("<script>window.addEventListener('load', () => { const td = document.querySelector('td:last-child');"
             " const wrap = td.closest('.table-wrap') || document.body;"
             " document.body.setAttribute('data-cell', Math.round(td.getBoundingClientRect().width));"
             " document.body.setAttribute('data-wrap', Math.round(wrap.clientWidth));"
             " document.body.setAttribute('data-page', document.documentElement.scrollWidth > window.innerWidth);"
             " });</script>")
    f = tmp_path / "p.html"
    f.write_text(page.replace("</body>", probe + "</body>"), encoding="utf-8")
    out = chromium(tmp_path, "--window-size=800,900", "--virtual-time-budget=3000", "--dump-dom", f.as_uri()).stdout
    body = re.search(r"<body[^>]*>", out).group(0)
    cell, wrap = (int(re.search(rf'data-{k}="(\d+)"', body).group(1)) for k in ("cell", "wrap"))
    assert 0 < cell <= wrap <= 800 and 'data-page="false"' in body


def test_bibliography_links_are_checked_in_both_engines():
    """Bibliography links exist only after citeproc. The built-in engine runs the link check
    after citeproc. Quarto always runs citeproc last, after every user filter (quarto-cli,
    src/command/render/filters.ts), so there the bibliography itself may only hold http(s)
    addresses: no field of references.bib is a link target of another scheme."""
    from scripts import paths

    assert render.COMMON.index("--citeproc") < render.COMMON.index("--lua-filter")
    conf = yaml.safe_load((paths.REPORT / "_quarto.yml").read_text(encoding="utf-8"))
    assert "_engine/filters.lua" in conf["filters"] and "citeproc" not in conf["filters"]
    bib = (paths.REPORT / "references.bib").read_text(encoding="utf-8")
    for field, value in re.findall(r"^\s*(url|doi|howpublished|note)\s*=\s*[{\"](.*?)[}\"],?\s*$", bib, re.M | re.I):
        for target in re.findall(r"([a-z][a-z0-9+.-]*):(?!\s)", value, re.I):
            assert target.lower() in ("http", "https"), (field, value)
