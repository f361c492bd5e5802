"""What a chapter's code cells use: load results, format values, show tables and figures.

Chapters read results; they do not recompute them. A typical cell is a few lines::

    from scripts.content.reportkit import resultat, tall, vis_tabell
    R = resultat("resultater")

Text values returned here are ``Markdown`` objects, so Quarto and the built-in engine
both insert them as markdown in inline expressions.
"""
from __future__ import annotations

import html
import json
import re
from functools import cache
from pathlib import Path

from IPython.display import Markdown

from scripts import paths
from scripts.content import fmt
from scripts.content.fmt import md_escape

__all__ = ["resultat", "fakta", "tall", "prosent", "kroner", "dato", "spenn", "liste", "ord_tall",
           "md", "esc", "vis", "figur", "figurbeskrivelse", "Obj"]

tall, prosent, kroner, dato, spenn, liste, ord_tall = (fmt.tall, fmt.prosent, fmt.kroner, fmt.dato,
                                                       fmt.spenn, fmt.liste, fmt.ord_tall)
esc = md_escape


class Obj(dict):
    """A dict whose keys are also attributes (``F.utvalg.antall_kontorer.verdi``)."""

    def __getattr__(self, name):
        try:
            return self[name]
        except KeyError:
            raise AttributeError(f"nøkkelen «{name}» finnes ikke; forventet en av {', '.join(self)}") from None


def _wrap(value):
    if isinstance(value, dict):
        return Obj({k: _wrap(v) for k, v in value.items()})
    if isinstance(value, list):
        return [_wrap(v) for v in value]
    return value


@cache
def _load(name: str):
    with open(paths.RESULTS / f"{name}.json", encoding="utf-8") as fh:
        return json.load(fh)


def _strings_are_markdown() -> None:
    """Give ``str`` a markdown representation in the running IPython kernel.

    Chapters build prose from data as strings that already carry markdown (escaped data text,
    non-breaking spaces, emphasis). Without a markdown representation, Quarto shows an inline
    expression's ``str`` value through its ``repr``, escaped as literal text (``\\xa0`` for a
    non-breaking space); with it, Quarto and the built-in engine insert the string as markdown."""
    try:
        from IPython import get_ipython
    except ImportError:
        return
    shell = get_ipython()
    if shell is not None:
        shell.display_formatter.formatters["text/markdown"].for_type(str, lambda s: s)


_strings_are_markdown()


def resultat(name: str) -> Obj:
    """Load ``build/results/<name>.json`` (written by the compare rules)."""
    return _wrap(_load(name))


def fakta() -> Obj:
    """The thesis facts (sample, method, demographics, hypotheses, appendices)."""
    return resultat("fakta")


def md(text: str) -> Markdown:
    """Mark a string as markdown for inline expressions and cell output."""
    return Markdown(str(text))


def vis(markdown_table: str) -> Markdown:
    """Show a ready markdown table from the results (give the cell tbl-cap and a tbl- label)."""
    return Markdown(markdown_table)


class SvgFigur:
    """An SVG file as a cell's figure output (``image/svg+xml``): the file from its root
    element on, without the XML declaration and doctype. IPython's ``SVG`` gives the same
    output but parses the whole file with minidom to find that element, a fifth of a second
    for one of our matplotlib figures."""

    def __init__(self, path: Path):
        self.path = Path(path)

    def _repr_svg_(self) -> str:
        return _svg_text(self.path)

    def _repr_mimebundle_(self, include=None, exclude=None) -> dict:
        """The SVG, and the phone variant drawn beside it (``X-smal.svg``) when there is one:
        scripts/engine/execute.py writes that next to the chapter's figure, and the HTML shows it
        on narrow screens."""
        bundle = {"image/svg+xml": self._repr_svg_()}
        narrow = self.path.with_name(self.path.stem + "-smal" + self.path.suffix)
        if narrow.is_file():
            bundle[SMAL_MIME] = _svg_text(narrow)
        return bundle


SMAL_MIME = "application/x-navrapport-smal+svg"


def _svg_text(path: Path) -> str:
    text = path.read_text(encoding="utf-8")
    root = SVG_ROOT.search(text)
    if root is None:
        raise ValueError(f"{path} er ikke et SVG-bilde: fila har ikke noe <svg>-element")
    return text[root.start():]


SVG_ROOT = re.compile(r"<svg[\s>]")


def figur(name: str) -> SvgFigur:
    """Show ``build/results/figurer/<name>.svg`` (give the cell fig-cap, fig-alt and a fig- label)."""
    return SvgFigur(paths.RESULTS / "figurer" / f"{name}.svg")


def figurbeskrivelse(tekst: str, overskrift: str = "Beskrivelse av figuren med alle verdiene") -> Markdown:
    """A figure's long description as a folded ``<details>`` in the HTML only: the reader who
    wants every value opens it, and the body text (and the PDF, where the table has the same
    numbers) is not filled with a list of values. Raw HTML block, so Pandoc leaves it out of
    Typst; the text is HTML-escaped."""
    body = (f'<details class="figurbeskrivelse"><summary>{html.escape(overskrift)}</summary>'
            f"<p>{html.escape(tekst)}</p></details>")
    return Markdown(f"```{{=html}}\n{body}\n```")
