"""Executing a chapter in a real Jupyter kernel: outputs, inline values, tables, figures, errors."""
import pytest

from scripts.engine import ChapterError, execute_chapter

CHAPTER = """# Kapittel

```{python}
#| label: setup
#| include: false
from IPython.display import Markdown
import matplotlib.pyplot as plt
verdi = 6 * 7
```

Svaret er `{python} verdi` og teksten er `{python} Markdown("**fet**")`.

```{python}
#| label: tbl-liten
#| tbl-cap: "Liten tabell"
Markdown("| a | b |\\n|---|---|\\n| 1 | 2 |")
```

```{python}
#| label: fig-strek
#| fig-cap: "En strek"
#| fig-alt: "En rett linje"
fig, ax = plt.subplots(figsize=(2, 1)); ax.plot([0, 1]); plt.show()
```

```{python}
#| output: false
print("skjult")
```

```{python}
print("synlig")
```
"""


def test_execute_chapter_outputs(tmp_path):
    src = tmp_path / "k.qmd"
    src.write_text(CHAPTER, encoding="utf-8")
    out = tmp_path / "build" / "k.md"
    md = execute_chapter(src, out)
    assert out.read_text(encoding="utf-8") == md
    assert "Svaret er 42 og teksten er **fet**." in md
    assert ": Liten tabell {#tbl-liten}" in md and "| 1 | 2 |" in md
    assert '{#fig-strek fig-alt="En rett linje"}' in md
    assert (tmp_path / "build" / "figures" / "fig-strek.svg").read_text().startswith("<?xml")
    assert "skjult" not in md and "synlig" in md
    assert "verdi = 6 * 7" not in md  # echo is off


def test_failing_cell_names_file_label_and_traceback(tmp_path):
    src = tmp_path / "feil.qmd"
    src.write_text("# K\n\n```{python}\n#| label: regn\n1 / 0\n```\n", encoding="utf-8")
    out = tmp_path / "feil.md"
    with pytest.raises(ChapterError) as exc:
        execute_chapter(src, out)
    msg = str(exc.value)
    assert "feil.qmd" in msg and "cell 'regn' (line 3)" in msg and "ZeroDivisionError" in msg
    assert not out.exists()


def test_failing_inline_expression_is_located(tmp_path):
    src = tmp_path / "inl.qmd"
    src.write_text("# K\n\nTekst `{python} ukjent_navn`.\n", encoding="utf-8")
    with pytest.raises(ChapterError, match=r"inline expression near line \d+.*\n.*NameError|NameError"):
        execute_chapter(src, tmp_path / "inl.md")


def test_chapter_without_code_needs_no_kernel(tmp_path):
    src = tmp_path / "ren.qmd"
    src.write_text("# Ren tekst\n\nIngen kode her.\n", encoding="utf-8")
    assert "Ingen kode her." in execute_chapter(src, tmp_path / "ren.md")
