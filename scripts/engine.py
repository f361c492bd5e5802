"""Built-in engine, step 1: execute one chapter (.qmd) in a Jupyter kernel and write markdown.

The chapter is turned into a notebook (``scripts.qmd``), run by nbclient from the project
root, and its outputs become Pandoc markdown: ``text/markdown`` passes through, SVG/PNG
figures are written next to the chapter and referenced with their caption and alt text,
tables get a Pandoc caption carrying their ``tbl-`` label. Cross-reference numbers are
given later, when all chapters are assembled (``scripts.render``).
"""
from __future__ import annotations

import ast
import base64
import os
import shutil
import sys
import tempfile
from pathlib import Path

from jupyter_client import KernelManager
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError, CellTimeoutError

from scripts import paths
from scripts.atomic import write_bytes, write_text
from scripts.kernel import use_fork
from scripts.qmd import INLINE, Cell, parse, to_notebook

# Runs first in every kernel: the inline-expression hook and figure settings that make
# SVG output byte-stable (fixed hash salt, no creation date).
PRELUDE = r"""
import sys as _sys
_sys.path.insert(0, {root!r})
def _navrapport_inline(value):
    md = getattr(value, "_repr_markdown_", None)
    return md() if md else str(value)
"""


class ChapterError(RuntimeError):
    """A chapter failed to execute; the message names the file, the cell and the traceback."""


def _truthy(options: dict, key: str, default: bool = True) -> bool:
    value = options.get(key, default)
    return value not in (False, "false", "False")


def run_notebook(nb, source: Path, plan: list, timeout: int = 300, launch: str | None = None):
    """Execute ``nb`` in a fresh kernel started in the project root; re-raise errors with context.

    ``launch`` is how the kernel starts: ``"fork"`` (default; see ``scripts.kernel``) or
    ``"process"`` (a new Python, as Quarto does; also ``NAVRAPPORT_KERNEL=process``).
    """
    prelude = PRELUDE.format(root=str(paths.ROOT))
    nb.cells.insert(0, __import__("nbformat").v4.new_code_cell(prelude))
    engine_dir = paths.REPORT / "_engine"
    with tempfile.TemporaryDirectory(prefix="navkernel-") as tmp:
        # A private IPython dir per kernel: our settings, and no state written into the project.
        profile = Path(tmp) / "ipython" / "profile_default"
        profile.mkdir(parents=True)
        shutil.copy(engine_dir / "ipython_kernel_config.py", profile / "ipython_kernel_config.py")
        env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(paths.ROOT), os.environ.get("PYTHONPATH", "")]),
                   MPLBACKEND="module://matplotlib_inline.backend_inline", MATPLOTLIBRC=str(engine_dir),
                   IPYTHONDIR=str(profile.parent))
        # IPC sockets in a private folder: no TCP ports, no "unencrypted TCP" warning.
        km = KernelManager(kernel_name="python3", transport="ipc", ip=str(Path(tmp) / "k"))
        use_fork(km, launch)
        client = NotebookClient(nb, km=km, timeout=timeout, kernel_name="python3",
                                resources={"metadata": {"path": str(paths.ROOT)}})
        try:
            client.execute(env=env)
        except (CellExecutionError, CellTimeoutError) as exc:
            raise ChapterError(_describe_failure(nb, source, plan, exc)) from None
        finally:
            nb.cells.pop(0)
            if km.has_kernel:
                km.shutdown_kernel(now=True)
    return nb


def strip_ansi(text: str) -> str:
    """Tracebacks without terminal colours (nbconvert's filter, imported only on failure)."""
    from nbconvert.filters import strip_ansi as _strip

    return _strip(text)


def _describe_failure(nb, source: Path, plan: list, exc: Exception) -> str:
    for i, cell in enumerate(nb.cells[1:]):
        errors = [o for o in cell.get("outputs", []) if o.get("output_type") == "error"]
        if errors or (isinstance(exc, CellTimeoutError) and not cell.get("outputs") and i < len(plan)):
            kind, what = plan[i][0], plan[i][1]
            where = (f"cell '{what.label}' (line {what.line})" if kind == "cell"
                     else f"inline expression near line {what.line}")
            trace = "\n".join(errors[0]["traceback"]) if errors else str(exc)
            return f"{source}: {where} failed:\n{strip_ansi(trace)}"
    return f"{source}: execution failed:\n{strip_ansi(str(exc))}"


def _stream_text(outputs: list) -> str:
    return "".join(o.get("text", "") for o in outputs if o.get("output_type") == "stream")


def _figure_markdown(cell: Cell, data: dict, fig_dir: Path, stem: str, n: int) -> str:
    label = cell.options.get("label") or f"{stem}-figur-{n}"
    ext, raw = ("svg", data["image/svg+xml"].encode("utf-8")) if "image/svg+xml" in data \
        else ("png", base64.b64decode(data["image/png"]))
    out = fig_dir / f"{label}.{ext}"
    out.parent.mkdir(parents=True, exist_ok=True)
    write_bytes_if_changed(out, raw)
    caption = cell.options.get("fig-cap", "")
    alt = cell.options.get("fig-alt") or caption
    attrs = f'#{label} ' if str(label).startswith("fig-") else ""
    alt_attr = str(alt).replace('"', "'")
    src = out.relative_to(paths.ROOT).as_posix() if out.is_relative_to(paths.ROOT) else out.as_posix()
    return f'![{caption}]({src}){{{attrs}fig-alt="{alt_attr}"}}\n'


def write_bytes_if_changed(path: Path, data: bytes) -> None:
    """Keep the old file (and its mtime) when the bytes are the same."""
    if not (path.exists() and path.read_bytes() == data):
        write_bytes(path, data)


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


def execute_chapter(source: Path, out_md: Path, timeout: int = 300, launch: str | None = None) -> str:
    """Execute one chapter and write its markdown to ``out_md`` (atomically). Returns the text."""
    source, out_md = Path(source).resolve(), Path(out_md).resolve()
    qmd = parse(source)
    nb, plan = to_notebook(qmd)
    fig_dir = out_md.parent / "figures"
    if any(kind != "md" for kind, *_ in plan):
        nb = run_notebook(nb, source, plan, timeout=timeout, launch=launch)
    pieces = []
    for (kind, part, *_rest), cell in zip(plan, nb.cells, strict=False):
        outputs = cell.get("outputs", [])
        if kind == "cell":
            pieces.append(cell_markdown(part, outputs, fig_dir, out_md.stem))
        elif kind == "inline":
            values = ast.literal_eval(_stream_text(outputs).strip())
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
    """``python -m scripts.engine CHAPTER.qmd OUT.md``: execute one chapter."""
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) != 2:
        print("usage: python -m scripts.engine CHAPTER.qmd OUT.md", file=sys.stderr)
        return 2
    try:
        execute_chapter(Path(argv[0]), Path(argv[1]))
    except ChapterError as exc:
        print(exc, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
