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


def message(path, text) -> str:
    with pytest.raises(QmdError) as info:
        parse(path, text)
    return str(info.value)


def test_unknown_cell_option_is_rejected_with_line(tmp_path):
    f = tmp_path / "a.qmd"
    assert message(f, "```{python}\n#| fig-width: 4\nx=1\n```\n") == (
        f"{f}:2: celleinnstillingen «fig-width» støttes ikke av den innebygde motoren; "
        "forventet en av echo, fig-alt, fig-cap, include, label, output, tbl-cap")
    assert message(f, "Tekst\n\n```{python}\n#| echo: [1\nx=1\n```\n") == (
        f"{f}:4: celleinnstillingen «echo»: verdien «[1» er ikke gyldig YAML "
        "(expected ',' or ']', but got '<stream end>')")


def test_other_languages_and_shortcodes_are_rejected(tmp_path):
    f = tmp_path / "a.qmd"
    assert message(f, "```{r}\nx <- 1\n```\n") == f"{f}:1: kodecelle i «r» støttes ikke; forventet bare ```{{python}}-celler"
    # Lines count from the top of the file, front matter included.
    assert message(f, "---\ntitle: x\n---\n\n{{< video x.mp4 >}}\n") == (
        f"{f}:5: kortkoden «video» støttes ikke; forventet en av include, pagebreak")
    assert message(f, "Tekst\n\n::: {.callout-note}\nx\n:::\n") == (
        f"{f}:3: callout-blokker («::: {{.callout») støttes ikke av den innebygde motoren; "
        "skriv det om med vanlig Pandoc-markdown")


def test_include_and_pagebreak(tmp_path):
    (tmp_path / "del.md").write_text("---\nx: 1\n---\nInkludert tekst.\n", encoding="utf-8")
    q = parse(tmp_path / "a.qmd", "Før\n\n{{< include del.md >}}\n\n{{< pagebreak >}}\n")
    text = "".join(p.text for p in q.parts)
    assert "Inkludert tekst." in text and "x: 1" not in text
    assert message(tmp_path / "b.qmd", "{{< include mangler.md >}}\n") == (
        f"{tmp_path / 'b.qmd'}: «{{{{< include mangler.md >}}}}»: fila finnes ikke; "
        f"forventet en fil med denne stien relativt til {tmp_path}")


def test_an_include_cycle_names_the_file_and_the_include(tmp_path):
    (tmp_path / "a.qmd").write_text("Før\n{{< include del.md >}}\n", encoding="utf-8")
    (tmp_path / "del.md").write_text("Del\n{{< include a.qmd >}}\n", encoding="utf-8")
    assert message(tmp_path / "a.qmd", None) == (
        f"{(tmp_path / 'del.md').resolve()}: «{{{{< include a.qmd >}}}}» går i ring: {(tmp_path / 'a.qmd').resolve()} "
        "tar (direkte eller via andre filer) med seg selv; forventet at ingen fil inkluderer seg selv")


def test_bad_front_matter_names_file(tmp_path):
    f = tmp_path / "b.qmd"
    assert message(f, "---\ntittel: x\na: [1\n---\ntekst\n") == (
        f"{f}:3: YAML-hodet øverst i fila (mellom linjene ---) er ikke gyldig YAML "
        "(expected ',' or ']', but got '<stream end>')")


def test_shipped_chapters_stay_inside_the_subset():
    """Every chapter parses: the built-in engine and Quarto cannot drift apart silently."""
    from scripts.engine.book import load_book

    for f in load_book().files:
        parse(Path(f))
