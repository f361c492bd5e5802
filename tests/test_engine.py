"""Executing a chapter with Jupyter semantics: outputs, inline values, tables, figures, errors,
and the same outputs as a real Jupyter kernel (what Quarto's Jupyter engine runs)."""
import os
import subprocess
import sys

import pytest

from scripts.engine.execute import ChapterError, execute_chapter
from tests.conftest import ROOT

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


def run_engine(src, out, cwd=ROOT):
    """The chapter rule's command: a fresh process per chapter."""
    return subprocess.run([sys.executable, "-m", "scripts.engine.execute", str(src), str(out)], cwd=cwd,
                          capture_output=True, text=True, env=dict(os.environ, PYTHONPATH=str(ROOT)), timeout=120)


def test_execute_chapter_outputs(tmp_path):
    src = tmp_path / "k.qmd"
    src.write_text(CHAPTER, encoding="utf-8")
    out = tmp_path / "build" / "k.md"
    proc = run_engine(src, out)
    assert proc.returncode == 0, proc.stderr
    md = out.read_text(encoding="utf-8")
    assert "Svaret er 42 og teksten er **fet**." in md
    assert ": Liten tabell {#tbl-liten}" in md and "| 1 | 2 |" in md
    # plt.show() in a cell gives an SVG figure, as with the inline backend of a Jupyter kernel.
    assert '{#fig-strek fig-alt="En rett linje"}' in md
    assert (tmp_path / "build" / "k.figures" / "fig-strek.svg").read_text().startswith("<?xml")
    assert "skjult" not in md and "synlig" in md
    assert "verdi = 6 * 7" not in md  # echo is off


def test_same_outputs_as_a_jupyter_kernel(tmp_path):
    """Every cell gives the same rich outputs (MIME type and content) as in a fresh ipykernel
    run by nbclient, the way Quarto's Jupyter engine runs a chapter."""
    nbclient = pytest.importorskip("nbclient")
    import nbformat

    from scripts.engine.execute import PRELUDE, run_notebook
    from scripts.engine.qmd import parse, to_notebook

    doc = CHAPTER.replace("import matplotlib.pyplot as plt\n", "").replace(
        "fig, ax = plt.subplots(figsize=(2, 1)); ax.plot([0, 1]); plt.show()",
        "from IPython.display import SVG, display\n"
        "display(SVG('<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"4\" height=\"4\"/>'))")
    doc += "\n```{python}\nfrom IPython.display import HTML, display\ndisplay(HTML('<b>x</b>'))\n{'a': 1}\n```\n"
    src = tmp_path / "k.qmd"
    src.write_text(doc, encoding="utf-8")
    nb, plan = to_notebook(parse(src))
    ours = run_notebook(nb, src, plan)
    theirs = nbformat.from_dict(to_notebook(parse(src))[0])
    theirs.cells.insert(0, nbformat.v4.new_code_cell(PRELUDE))
    nbclient.NotebookClient(theirs, timeout=60, kernel_name="python3",
                            resources={"metadata": {"path": str(ROOT)}}).execute()

    def rich(cell):
        return [(o.get("output_type") == "stream" and o["name"], {k: v for k, v in o.get("data", {}).items()
                 if k != "text/plain"} or o.get("text")) for o in cell.get("outputs", [])]

    for mine, kernel in zip(ours["cells"], theirs.cells[1:], strict=True):
        assert rich(mine) == rich(kernel), mine["source"]


def test_failing_cell_names_file_label_and_traceback(tmp_path):
    src = tmp_path / "feil.qmd"
    src.write_text("# K\n\n```{python}\n#| label: regn\n1 / 0\n```\n", encoding="utf-8")
    out = tmp_path / "feil.md"
    proc = run_engine(src, out)
    assert proc.returncode == 1
    assert "feil.qmd" in proc.stderr and "celle «regn» (linje 3)" in proc.stderr
    assert "ZeroDivisionError" in proc.stderr and "Traceback (most recent call last)" not in proc.stderr.split("\n")[0]
    assert not out.exists()


@pytest.mark.parametrize("text, line", [
    ("Tekst `{python} 1 + 1` og\n`{python} ukjent_navn`.\n", 7),  # second line of a paragraph
    ("Tekst.\n\nMer tekst.\n\nHer: `{python} ukjent_navn`.\n", 10),  # a later paragraph
])
def test_failing_inline_expression_names_file_expression_and_line(tmp_path, text, line):
    src = tmp_path / "inl.qmd"
    src.write_text("---\ntitle: x\n---\n# K\n\n" + text, encoding="utf-8")
    with pytest.raises(ChapterError) as exc:
        execute_chapter(src, tmp_path / "inl.md")
    first, _, rest = str(exc.value).partition("\n")
    assert first == f"{src}: inline-uttrykk `ukjent_navn` på linje {line} feilet:"
    assert "NameError" in rest


def test_chapter_without_code_runs_no_cell(tmp_path, monkeypatch):
    from scripts.engine import execute

    monkeypatch.setattr(execute, "new_shell", lambda: pytest.fail("a chapter without code started a shell"))
    src = tmp_path / "ren.qmd"
    src.write_text("# Ren tekst\n\nIngen kode her.\n", encoding="utf-8")
    assert "Ingen kode her." in execute_chapter(src, tmp_path / "ren.md")


def test_each_chapter_starts_with_a_fresh_namespace(tmp_path):
    a, b = tmp_path / "a.qmd", tmp_path / "b.qmd"
    a.write_text("```{python}\nhemmelig = 1\n```\n", encoding="utf-8")
    b.write_text("Verdi: `{python} hemmelig`\n", encoding="utf-8")
    execute_chapter(a, tmp_path / "a.md")
    with pytest.raises(ChapterError, match="NameError"):
        execute_chapter(b, tmp_path / "b.md")


def test_unwritable_output_is_a_clear_message(tmp_path):
    src = tmp_path / "k.qmd"
    src.write_text("Tekst\n", encoding="utf-8")
    blocker = tmp_path / "fil"
    blocker.write_text("", encoding="utf-8")
    proc = run_engine(src, blocker / "k.md")  # a file where a folder should be
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert "kunne ikke skrive" in proc.stderr and "fil" in proc.stderr
