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
    assert "<td>52</td>" in html or '<td style="text-align: right;">52</td>' in html
