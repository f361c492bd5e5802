"""The .qmd parser: front matter, cells and options, inline expressions, includes, the lint."""
from pathlib import Path

import pytest

from scripts.engine.qmd import Cell, Chunk, QmdError, inline_expressions, parse, to_notebook

DOC = """---
title: Prøve
navrapport:
  inputs: [results/fakta.json]
---
# Tittel

Tekst med `{python} x` og `{python} f(2)`.

```{python}
#| label: tbl-a
#| tbl-cap: "En tabell"
#| echo: false
x = 1
```

Slutt.
"""


def test_front_matter_cells_and_options(tmp_path):
    q = parse(tmp_path / "a.qmd", DOC)
    assert q.meta["navrapport"]["inputs"] == ["results/fakta.json"]
    kinds = [type(p) for p in q.parts]
    assert kinds == [Chunk, Cell, Chunk]
    cell = q.cells[0]
    assert cell.options == {"label": "tbl-a", "tbl-cap": "En tabell", "echo": False}
    assert cell.source.strip() == "x = 1"
    assert cell.line == 10  # the ```{python} line in the file


def test_inline_expressions_in_order():
    assert inline_expressions("a `{python} x` b `{python}  y[0] ` c") == ["x", "y[0]"]


def test_notebook_places_inline_cell_before_its_chunk(tmp_path):
    nb, plan = to_notebook(parse(tmp_path / "a.qmd", DOC))
    assert [p[0] for p in plan] == ["inline", "md", "cell", "md"]
    first = nb["cells"][0]
    assert first["cell_type"] == "code"
    assert "_navrapport_inline(x)" in first["source"] and "_navrapport_inline(f(2))" in first["source"]
    # A valid nbformat 4 notebook, so the same cells can be handed to a Jupyter kernel.
    import nbformat

    nbformat.validate(nbformat.from_dict(nb))


def test_unknown_cell_option_is_rejected_with_line(tmp_path):
    with pytest.raises(QmdError, match=r"a.qmd:2: cell option 'fig-width'"):
        parse(tmp_path / "a.qmd", "```{python}\n#| fig-width: 4\nx=1\n```\n")


def test_other_languages_and_shortcodes_are_rejected(tmp_path):
    with pytest.raises(QmdError, match="only python cells"):
        parse(tmp_path / "a.qmd", "```{r}\nx <- 1\n```\n")
    with pytest.raises(QmdError, match="shortcode 'video'"):
        parse(tmp_path / "a.qmd", "{{< video x.mp4 >}}\n")
    with pytest.raises(QmdError, match="callout"):
        parse(tmp_path / "a.qmd", "::: {.callout-note}\nx\n:::\n")


def test_include_and_pagebreak(tmp_path):
    (tmp_path / "del.md").write_text("---\nx: 1\n---\nInkludert tekst.\n", encoding="utf-8")
    q = parse(tmp_path / "a.qmd", "Før\n\n{{< include del.md >}}\n\n{{< pagebreak >}}\n")
    text = "".join(p.text for p in q.parts)
    assert "Inkludert tekst." in text and "x: 1" not in text
    with pytest.raises(QmdError, match="not found"):
        parse(tmp_path / "b.qmd", "{{< include mangler.md >}}\n")


def test_bad_front_matter_names_file(tmp_path):
    with pytest.raises(QmdError, match="b.qmd: front matter"):
        parse(tmp_path / "b.qmd", "---\na: [1\n---\ntekst\n")


def test_shipped_chapters_stay_inside_the_subset():
    """Every chapter parses: the built-in engine and Quarto cannot drift apart silently."""
    from scripts.engine.book import load_book

    for f in load_book().files:
        parse(Path(f))
