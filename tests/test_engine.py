"""Executing a chapter in a real Jupyter kernel: outputs, inline values, tables, figures, errors."""
import pytest

from scripts.engine.execute import ChapterError, execute_chapter

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


def _children() -> set[int]:
    import os
    from pathlib import Path

    kids = set()
    for task in Path(f"/proc/{os.getpid()}/task").iterdir():
        kids |= {int(p) for p in (task / "children").read_text().split()}
    return kids


def test_forked_kernel_gives_the_same_chapter_as_a_new_kernel_process(tmp_path):
    """The default kernel is forked from the engine (scripts.kernel); the result must be the
    same bytes as with a kernel started the standard way, even when this process has set
    matplotlib up differently (as the step worker does when it preloads the figure code)."""
    import matplotlib

    matplotlib.use("Agg")
    matplotlib.rcParams["lines.linewidth"] = 9  # must not leak into the kernel
    src = tmp_path / "k.qmd"
    src.write_text(CHAPTER, encoding="utf-8")
    before = _children()
    try:
        forked = execute_chapter(src, tmp_path / "fork" / "k.md", launch="fork")
    finally:
        matplotlib.rcParams["lines.linewidth"] = matplotlib.rcParamsDefault["lines.linewidth"]
    assert _children() <= before, "the forked kernel was not reaped"
    plain = execute_chapter(src, tmp_path / "proc" / "k.md", launch="process")
    assert forked.replace("/fork/", "/proc/") == plain
    svg = "figures/fig-strek.svg"
    assert (tmp_path / "fork" / svg).read_bytes() == (tmp_path / "proc" / svg).read_bytes()


def test_failing_cell_in_a_forked_kernel_is_reported_and_reaped(tmp_path):
    src = tmp_path / "feil.qmd"
    src.write_text("```{python}\n#| label: knekk\nraise KeyError('mangler')\n```\n", encoding="utf-8")
    before = _children()
    with pytest.raises(ChapterError, match="knekk"):
        execute_chapter(src, tmp_path / "feil.md", launch="fork")
    assert _children() <= before


def test_stopping_a_forked_kernel_stops_what_its_cells_started(tmp_path):
    """The forked kernel has its own process group, as a kernel started by jupyter_client does,
    so shutting it down also ends processes a cell left running."""
    import time
    from pathlib import Path

    pidfile = tmp_path / "sleep.pid"
    src = tmp_path / "bak.qmd"
    src.write_text("```{python}\n#| include: false\nimport subprocess\n"
                   f"p = subprocess.Popen(['sleep', '60'])\nopen({str(pidfile)!r}, 'w').write(str(p.pid))\n```\n",
                   encoding="utf-8")
    execute_chapter(src, tmp_path / "bak.md", launch="fork")
    pid = int(pidfile.read_text())
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        stat = Path(f"/proc/{pid}/stat")
        if not stat.exists() or stat.read_text().split()[2] == "Z":  # gone, or dead and unreaped
            break
        time.sleep(0.05)
    else:
        raise AssertionError("a process started by a cell outlived its kernel")
