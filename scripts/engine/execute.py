"""Built-in engine, step 1: execute one chapter (.qmd) with Jupyter semantics and write markdown.

The chapter is turned into a notebook (``scripts.engine.qmd``) and its code cells run, in
order, in an IPython shell in this process: the Snakemake job that calls
``python -m scripts.engine.execute`` is a fresh process per chapter, so every chapter starts
from a clean state, as with Quarto's Jupyter engine. Outputs go through IPython's display
protocol (``display``, ``Markdown``, ``_repr_svg_``, the value of a cell's last
expression), the same protocol a Jupyter kernel uses, without a kernel subprocess and
ZeroMQ in between (0.2 s instead of 1.5–2 s per chapter).

Outputs become Pandoc markdown: ``text/markdown`` passes through, SVG/PNG figures are
written next to the chapter and referenced with their caption and alt text, tables get a
Pandoc caption carrying their ``tbl-`` label. Cross-reference numbers are given later, when
all chapters are assembled (``scripts.engine.numbering``).
"""
from __future__ import annotations

import ast
import base64
import os
import re
import sys
from pathlib import Path

from scripts import paths
from scripts.atomic import write_bytes, write_text
from scripts.cli import entry, run_step
from scripts.engine.qmd import INLINE, Cell, QmdError, parse, to_notebook

ENGINE_DIR = paths.REPORT / "_engine"
# Runs first in every chapter: the hook inline expressions are printed through.
# Quarto's rule for an inline expression's value (core/jupyter/jupyter-inline.ts): its
# markdown representation when it has one, else its plain-text representation shown as text
# (quotes dropped, markdown characters escaped), so both engines print the same value.
PRELUDE = r"""
def _navrapport_inline(value):
    import re
    data = get_ipython().display_formatter.format(value)[0]
    if "text/markdown" in data:
        return data["text/markdown"]
    s = data.get("text/plain", "")
    if len(s) >= 2 and s[0] == s[-1] and s[0] in "'\"":
        return re.sub(r"([\\`*_{}\[\]()>#+\-.!])", r"\\\1", s[1:-1].replace("\\", "\\\\"))
    return s
"""
ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


class ChapterError(RuntimeError):
    """A chapter failed to execute; the message names the file, the cell and the traceback."""


def _truthy(options: dict, key: str, default: bool = True) -> bool:
    value = options.get(key, default)
    return value not in (False, "false", "False")


def _publishing_displayhook():
    """A display hook that publishes a cell's last value with all its formats (SVG, markdown,
    …) through the display publisher, as a Jupyter kernel does with ``execute_result``; the
    terminal's own hook prints only ``text/plain`` after an ``Out[n]:`` prompt."""
    from IPython.core.displayhook import DisplayHook

    class PublishingDisplayHook(DisplayHook):
        def write_output_prompt(self):
            pass

        def write_format_data(self, format_dict, md_dict=None):
            self.shell.display_pub.publish(format_dict, md_dict or {})

    return PublishingDisplayHook


def new_shell():
    """A fresh IPython shell with the engine's settings (``report/_engine/ipython_kernel_config.py``:
    SVG figures without a date, no history database written into the project)."""
    from IPython.core.interactiveshell import InteractiveShell
    from traitlets.config.loader import PyFileConfigLoader

    # Figures drawn in a cell behave as in a Jupyter kernel (shown when the cell ends), with
    # the project's matplotlibrc; matplotlib itself is imported only if a cell uses it.
    os.environ.setdefault("MPLBACKEND", "module://matplotlib_inline.backend_inline")
    os.environ.setdefault("MATPLOTLIBRC", str(ENGINE_DIR))
    config = PyFileConfigLoader("ipython_kernel_config.py", str(ENGINE_DIR)).load_config()
    InteractiveShell.clear_instance()
    return InteractiveShell.instance(config=config, displayhook_class=_publishing_displayhook())


def run_cell(shell, source: str) -> tuple[list, str | None]:
    """Run one cell; return its outputs in notebook form and the traceback text if it failed."""
    from IPython.utils.capture import capture_output

    with capture_output() as cap:
        result = shell.run_cell(source, store_history=False)
    outputs = [{"output_type": "display_data", "data": o.data, "metadata": o.metadata} for o in cap.outputs]
    error = result.error_before_exec or result.error_in_exec
    if error is not None:
        # IPython has printed the traceback (the cell's own frames) to the captured stdout.
        return outputs, ANSI.sub("", cap.stdout).strip() or repr(error)
    for name, text in (("stdout", cap.stdout), ("stderr", cap.stderr)):
        if text:
            outputs.append({"output_type": "stream", "name": name, "text": text})
    return outputs, None


def _where(shell, plan_entry) -> str:
    """Where a failed cell is in the .qmd: a cell's label and line, or the line of the first
    inline expression that fails when the chunk's expressions are tried one by one."""
    kind, what = plan_entry[0], plan_entry[1]
    if kind == "cell":
        return f"celle «{what.label}» (linje {what.line})"
    for m in INLINE.finditer(what.text):
        if run_cell(shell, f"_navrapport_inline({m.group(1).strip()})")[1] is not None:
            return f"inline-uttrykk `{m.group(1).strip()}` på linje {what.line + what.text.count(chr(10), 0, m.start())}"
    return f"inline-uttrykk i avsnittet fra linje {what.line}"


def run_notebook(nb, source: Path, plan: list):
    """Execute the code cells of ``nb`` in order from the project root; a failing cell raises
    ChapterError naming the chapter file and the cell."""
    shell = new_shell()
    cwd = os.getcwd()
    os.chdir(paths.ROOT)
    sys.path.insert(0, str(paths.ROOT))
    try:
        run_cell(shell, PRELUDE)
        for entry, cell in zip(plan, nb["cells"], strict=True):
            if cell["cell_type"] != "code":
                continue
            cell["outputs"], error = run_cell(shell, cell["source"])
            if error is not None:
                raise ChapterError(f"{source}: {_where(shell, entry)} feilet:\n{error}")
    finally:
        os.chdir(cwd)
        sys.path.remove(str(paths.ROOT))
    return nb


def _stream_text(outputs: list, names: tuple[str, ...] = ("stdout", "stderr")) -> str:
    return "".join(o.get("text", "") for o in outputs
                   if o.get("output_type") == "stream" and o.get("name") in names)


# A figure's phone variant in the cell's display bundle (same string as scripts.content.reportkit).
SMAL_MIME = "application/x-navrapport-smal+svg"


def _figure_markdown(cell: Cell, data: dict, fig_dir: Path, stem: str, n: int) -> str:
    label = cell.options.get("label") or f"{stem}-figur-{n}"
    ext, raw = ("svg", data["image/svg+xml"].encode("utf-8")) if "image/svg+xml" in data \
        else ("png", base64.b64decode(data["image/png"]))
    out = fig_dir / f"{label}.{ext}"
    write_bytes(out, raw)
    # The phone variant of the same figure (scripts.content.reportkit.SMAL_MIME), beside it.
    if ext == "svg" and SMAL_MIME in data:
        write_bytes(fig_dir / f"{label}-smal.svg", data[SMAL_MIME].encode("utf-8"))
    caption = cell.options.get("fig-cap", "")
    alt = cell.options.get("fig-alt") or caption
    attrs = f'#{label} ' if str(label).startswith("fig-") else ""
    alt_attr = str(alt).replace('"', "'")
    src = out.relative_to(paths.ROOT).as_posix() if out.is_relative_to(paths.ROOT) else out.as_posix()
    return f'![{caption}]({src}){{{attrs}fig-alt="{alt_attr}"}}\n'


def cell_markdown(cell: Cell, outputs: list, fig_dir: Path, stem: str) -> str:
    """The markdown a cell contributes to the chapter, following Quarto's option semantics."""
    if not _truthy(cell.options, "include") or not _truthy(cell.options, "output"):
        return ""
    parts, figures = [], 0
    for out in outputs:
        kind = out.get("output_type")
        data = out.get("data", {})
        if kind in ("display_data", "execute_result"):
            if "image/svg+xml" in data or "image/png" in data:
                figures += 1
                parts.append(_figure_markdown(cell, data, fig_dir, stem, figures))
            elif "text/markdown" in data:
                parts.append(data["text/markdown"].rstrip("\n") + "\n")
    stream = _stream_text(outputs)
    if stream.strip():
        parts.append("```\n" + stream.rstrip("\n") + "\n```\n")
    body = "\n".join(parts)
    label = str(cell.options.get("label", ""))
    if label.startswith("tbl-") and body:
        caption = cell.options.get("tbl-cap", "")
        body = body.rstrip("\n") + f"\n\n: {caption} {{#{label}}}\n"
    return body


def substitute_inline(text: str, values: list[str]) -> str:
    """Replace each inline expression in ``text`` by its evaluated value, in order."""
    it = iter(values)
    return INLINE.sub(lambda m: next(it), text)


def figure_dir(out_md: Path) -> Path:
    """Where a chapter's figures go: ``build/chapters/<chapter>.figures/``."""
    return out_md.with_name(out_md.stem + ".figures")


def execute_chapter(source: Path, out_md: Path) -> str:
    """Execute one chapter and write its markdown to ``out_md`` (atomically). Returns the text."""
    source, out_md = Path(source).resolve(), Path(out_md).resolve()
    qmd = parse(source)
    nb, plan = to_notebook(qmd)
    # Declared as the chapter job's second output, so it exists even when the chapter draws nothing.
    fig_dir = figure_dir(out_md)
    fig_dir.mkdir(parents=True, exist_ok=True)
    if any(kind != "md" for kind, *_ in plan):
        nb = run_notebook(nb, source, plan)
    pieces = []
    for (kind, part, *_rest), cell in zip(plan, nb["cells"], strict=True):
        outputs = cell.get("outputs", [])
        if kind == "cell":
            pieces.append(cell_markdown(part, outputs, fig_dir, out_md.stem))
        elif kind == "inline":
            values = ast.literal_eval(_stream_text(outputs, ("stdout",)).strip())
            pending = values
        else:
            text = part.text
            if INLINE.search(text):
                text = substitute_inline(text, pending)
            pieces.append(text)
    md = "\n".join(p.strip("\n") + "\n" for p in pieces if p.strip())
    write_text(out_md, md)
    return md


def main(argv: list[str] | None = None) -> int:
    """``python -m scripts.engine.execute CHAPTER.qmd OUT.md``: execute one chapter."""
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) != 2:
        print("bruk: python -m scripts.engine.execute KAPITTEL.qmd UT.md", file=sys.stderr)
        return 2
    src, out = Path(argv[0]), Path(argv[1])

    def run() -> list[Path]:
        execute_chapter(src, out)
        return [out]

    return run_step(str(src), run, (ChapterError, QmdError))


if __name__ == "__main__":
    sys.exit(entry(main))
