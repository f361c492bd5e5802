"""The helpers chapters call: figures shown from SVG files."""
from xml.dom import minidom

import pytest
from IPython.display import SVG

from scripts.content import reportkit

MATPLOTLIB_LIKE = ('<?xml version="1.0" encoding="utf-8" standalone="no"?>\n'
                   '<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN"\n'
                   '  "http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">\n'
                   '<svg xmlns="http://www.w3.org/2000/svg" width="10pt" height="10pt">\n'
                   ' <!-- made-up test figure -->\n <rect width="5" height="5"/>\n</svg>\n')


def test_figure_output_is_the_svg_element_ipython_would_give(tmp_path, monkeypatch):
    f = tmp_path / "figurer" / "prove.svg"
    f.parent.mkdir()
    f.write_text(MATPLOTLIB_LIKE, encoding="utf-8")
    monkeypatch.setattr(reportkit.paths, "RESULTS", tmp_path)
    ours = reportkit.figur("prove")._repr_svg_()
    assert ours.startswith("<svg ") and "<?xml" not in ours and "DOCTYPE" not in ours
    ipython = SVG(filename=str(f)).data
    assert minidom.parseString(ours).toxml() == minidom.parseString(ipython).toxml()


def test_a_file_that_is_not_svg_is_named_in_the_error(tmp_path, monkeypatch):
    (tmp_path / "figurer").mkdir()
    (tmp_path / "figurer" / "tom.svg").write_text("<html>ingen figur</html>", encoding="utf-8")
    monkeypatch.setattr(reportkit.paths, "RESULTS", tmp_path)
    with pytest.raises(ValueError, match="tom.svg"):
        reportkit.figur("tom")._repr_svg_()


def test_figurbeskrivelse_is_folded_html_only_and_escaped():
    from scripts.content.reportkit import figurbeskrivelse

    out = figurbeskrivelse("Kontor A <5 & B 7.", overskrift="Alle verdiene")
    text = out.data
    assert text.startswith("```{=html}\n") and text.endswith("\n```")  # raw HTML: not in the PDF
    assert '<details class="figurbeskrivelse"><summary>Alle verdiene</summary>' in text
    assert "Kontor A &lt;5 &amp; B 7." in text and "<5" not in text
