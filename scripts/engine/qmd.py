"""Parse the subset of Quarto markdown (.qmd) that the built-in engine supports.

The subset (checked by ``lint``) is: YAML front matter; ```` ```{python} ```` cells whose
``#|`` options are among ``CELL_OPTIONS``; inline `` `{python} expr` ``; the shortcodes
``{{< include file >}}`` and ``{{< pagebreak >}}``; ``@tbl-``/``@fig-``/``@sec-``
cross-references; Pandoc citations. Anything else that is Quarto-only (other shortcodes,
other cell languages, callouts, ``::: {.panel-…}``) is reported so the two engines
cannot drift apart silently.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

CELL_OPTIONS = {"label", "echo", "output", "include", "tbl-cap", "fig-cap", "fig-alt"}
SHORTCODES = {"include", "pagebreak"}

FRONT_MATTER = re.compile(r"\A---\n(.*?)\n---\n", re.S)
CELL = re.compile(r"^```\{(?P<lang>[^}]*)\}[ \t]*\n(?P<body>.*?)^```[ \t]*$\n?", re.S | re.M)
INLINE = re.compile(r"`\{python\}\s+([^`]+)`")
SHORTCODE = re.compile(r"\{\{<\s*(\S+)\s*(.*?)\s*>\}\}")
OPTION = re.compile(r"^#\|\s*([\w-]+)\s*:\s*(.*)$")
QUARTO_ONLY = [
    (re.compile(r"^:::+\s*\{?\.?callout", re.M), "callout-blokker"),
    (re.compile(r"^:::+\s*\{?\.?panel-", re.M), "panel-oppsett"),
    (re.compile(r"^:::+\s*\{?\.?column-", re.M), "kolonneoppsett"),
    (re.compile(r"\{\{%"), "kortkoder av typen {{% %}}"),
    (re.compile(r"(?<!`)`\{(?!python\})\w+\}"), "innebygd kode i et annet språk enn python"),
]


class QmdError(ValueError):
    """A .qmd file uses syntax outside the supported subset or is malformed."""


@dataclass
class Cell:
    """One ```{python} cell: its source (without ``#|`` lines), options and line number."""

    source: str
    options: dict
    line: int

    @property
    def label(self) -> str:
        return str(self.options.get("label", f"linje {self.line}"))


@dataclass
class Chunk:
    """Markdown text between cells; ``line`` is where it starts in the file."""

    text: str
    line: int


@dataclass
class Qmd:
    path: Path
    meta: dict
    parts: list = field(default_factory=list)  # Chunk and Cell in document order

    @property
    def cells(self) -> list[Cell]:
        return [p for p in self.parts if isinstance(p, Cell)]


def _line_of(text: str, pos: int) -> int:
    return text.count("\n", 0, pos) + 1


def _yaml_line(exc: yaml.YAMLError, first_line: int) -> int:
    """The file line of a YAML error in text that starts on ``first_line``."""
    mark = getattr(exc, "problem_mark", None)
    return first_line + mark.line if mark is not None else first_line


def _yaml_problem(exc: yaml.YAMLError) -> str:
    """PyYAML's one-line problem (e.g. "expected ',' or ']'") without its multi-line context."""
    return getattr(exc, "problem", None) or str(exc).splitlines()[0]


def split_options(body: str, path: Path, line: int) -> tuple[dict, str]:
    """Split leading ``#| key: value`` lines (YAML values) from a cell's code."""
    options, code, in_header = {}, [], True
    for i, raw in enumerate(body.splitlines()):
        m = OPTION.match(raw) if in_header else None
        if m:
            key, value = m.group(1), m.group(2)
            if key not in CELL_OPTIONS:
                raise QmdError(f"{path}:{line + 1 + i}: celleinnstillingen «{key}» støttes ikke av den "
                               f"innebygde motoren; forventet en av {', '.join(sorted(CELL_OPTIONS))}")
            try:
                options[key] = yaml.safe_load(value) if value.strip() else None
            except yaml.YAMLError as exc:
                raise QmdError(f"{path}:{line + 1 + i}: celleinnstillingen «{key}»: verdien «{value.strip()}» "
                               f"er ikke gyldig YAML ({_yaml_problem(exc)})") from exc
            continue
        in_header = False
        code.append(raw)
    return options, "\n".join(code).strip("\n") + "\n"


def expand_includes(text: str, base: Path, seen: tuple = (), source: Path | None = None) -> str:
    """Replace ``{{< include file >}}`` by the file's text, relative to ``base``; ``source``
    is the file ``text`` comes from, named in the messages."""
    where = source or base

    def repl(m: re.Match) -> str:
        if m.group(1) != "include":
            return m.group(0)
        name = m.group(2).strip()
        target = (base / name).resolve()
        if target in seen:
            raise QmdError(f"{where}: «{{{{< include {name} >}}}}» går i ring: {target} tar (direkte eller "
                           "via andre filer) med seg selv; forventet at ingen fil inkluderer seg selv")
        if not target.is_file():
            raise QmdError(f"{where}: «{{{{< include {name} >}}}}»: fila finnes ikke; "
                           f"forventet en fil med denne stien relativt til {base}")
        body = FRONT_MATTER.sub("", target.read_text(encoding="utf-8"))
        return expand_includes(body, target.parent, seen + (target,), target)

    return SHORTCODE.sub(repl, text)


def parse(path: Path | str, text: str | None = None) -> Qmd:
    """Parse a .qmd file into front matter and an ordered list of chunks and cells."""
    path = Path(path)
    text = path.read_text(encoding="utf-8") if text is None else text
    meta, offset = {}, 0
    m = FRONT_MATTER.match(text)
    if m:
        try:
            meta = yaml.safe_load(m.group(1)) or {}
        except yaml.YAMLError as exc:
            raise QmdError(f"{path}:{_yaml_line(exc, 2)}: YAML-hodet øverst i fila (mellom linjene ---) er "
                           f"ikke gyldig YAML ({_yaml_problem(exc)})") from exc
        offset = m.end()
    body = expand_includes(text[offset:], path.parent, (path.resolve(),), path)
    lint_text(body, path, _line_of(text, offset))
    parts, pos = [], 0
    for c in CELL.finditer(body):
        line = _line_of(text, offset) + _line_of(body, c.start()) - 1
        if c.group("lang").split()[0] != "python":
            raise QmdError(f"{path}:{line}: kodecelle i «{c.group('lang')}» støttes ikke; "
                           "forventet bare ```{python}-celler")
        if c.start() > pos:
            parts.append(Chunk(body[pos:c.start()], _line_of(text, offset) + _line_of(body, pos) - 1))
        options, code = split_options(c.group("body"), path, line)
        parts.append(Cell(code, options, line))
        pos = c.end()
    if pos < len(body):
        parts.append(Chunk(body[pos:], _line_of(text, offset) + _line_of(body, pos) - 1))
    return Qmd(path, meta, parts)


def lint_text(body: str, path: Path, first_line: int = 1) -> None:
    """Raise QmdError for Quarto syntax outside the subset the built-in engine renders.

    ``first_line`` is the file line ``body`` starts on (after the front matter), so the
    message points at the right line of the file."""
    for m in SHORTCODE.finditer(body):
        if m.group(1) not in SHORTCODES:
            raise QmdError(f"{path}:{first_line + _line_of(body, m.start()) - 1}: kortkoden «{m.group(1)}» "
                           f"støttes ikke; forventet en av {', '.join(sorted(SHORTCODES))}")
    for pattern, what in QUARTO_ONLY:
        m = pattern.search(body)
        if m:
            raise QmdError(f"{path}:{first_line + _line_of(body, m.start()) - 1}: {what} («{m.group(0).strip()}») "
                           "støttes ikke av den innebygde motoren; skriv det om med vanlig Pandoc-markdown")


def inline_expressions(text: str) -> list[str]:
    """The Python expressions of all inline `` `{python} expr` `` in ``text``."""
    return [e.strip() for e in INLINE.findall(text)]


def to_notebook(qmd: Qmd) -> tuple[dict, list]:
    """Turn a parsed .qmd into a notebook (nbformat 4 structure, as plain dicts) whose code
    cells run in document order.

    Inline expressions become a code cell placed just before their markdown chunk, so they
    see the state that Quarto's inline evaluation would see there. The returned plan maps
    each notebook cell back to what it came from: ``("cell", Cell)``, ``("inline", Chunk,
    exprs)`` or ``("md", Chunk)``.
    """
    nb = {"nbformat": 4, "nbformat_minor": 5, "cells": [],
          "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}}}

    def code(source: str) -> dict:
        return {"id": f"cell-{len(nb['cells'])}", "cell_type": "code", "source": source, "metadata": {},
                "outputs": [], "execution_count": None}

    plan = []
    for part in qmd.parts:
        if isinstance(part, Cell):
            nb["cells"].append(code(part.source))
            plan.append(("cell", part))
            continue
        exprs = inline_expressions(part.text)
        if exprs:
            # repr() of the list of str() values: printed once, parsed back with ast.literal_eval.
            src = "print(repr([" + ", ".join(f"_navrapport_inline({e})" for e in exprs) + "]))"
            nb["cells"].append(code(src))
            plan.append(("inline", part, exprs))
        nb["cells"].append({"id": f"cell-{len(nb['cells'])}", "cell_type": "markdown", "source": part.text,
                            "metadata": {}})
        plan.append(("md", part))
    return nb, plan
