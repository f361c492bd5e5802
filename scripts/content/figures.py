"""Data figures of the report: the results of Tabell 4.2 as a figure, and its alt text.

::

    python -m scripts.content.figures results --src build/results/resultater.json \\
        --out build/results/figurer/resultater.svg

One panel per indicator in a 2 × 2 grid. With one year (``aar_serie`` has one entry) each
panel has a horizontal bar per office with its value in Norwegian format; with several years
each office is a line across the years. The best office of the edition year is marked by
the accent colour and, so colour is never the only cue, by a bold label that says "beste".
"Best" is what ``beste`` in the results says (the one rule, scripts/analysis/compare.py); a ``beste``
that is missing or names an office without a value is an error, not something to draw.

Same house style and deterministic SVG as :mod:`scripts.content.diagrams`.
"""
from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path

import matplotlib
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import FixedLocator, FuncFormatter, MaxNLocator

from scripts import paths
from scripts.atomic import write_bytes
from scripts.cli import entry
from scripts.content import escape, fmt
from scripts.content.diagrams import (
    ACCENT,
    BASE_PT,
    CM,
    INK,
    MUTED,
    SMALL_PT,
    STYLE,
    WIDTH_CM,
    svg_bytes,
    text_width_cm,
)
from scripts.content.figtext import (  # noqa: F401  (re-exported: figures.alt_text etc.)
    BEST,
    DIRECTION,
    NEVER_GROUP,
    ResultsError,
    alt_text,
    best_offices,
    decimals,
    offices,
    series,
    value_text,
    years,
)

GREY = "#b3b3b3"
UNIT_AXIS = {"prosent": "Prosent", "kroner": "Kroner"}


# --------------------------------------------------------------------------- drawing


def _number_formatter():
    def f(value, _pos):
        d = 0 if abs(value - round(value)) < 1e-9 else (1 if abs(value * 10 - round(value * 10)) < 1e-6 else 2)
        return fmt.tall(value, d, min_tusen=NEVER_GROUP)
    return FuncFormatter(f)


def _title(ind: dict) -> str:
    return escape.matplotlib(f"{ind['kort']}\n({DIRECTION[ind['retning']]})")


def _unit_label(ind: dict) -> str:
    """The axis label for the indicator's unit (text from the catalogue: drawn as written)."""
    return escape.matplotlib(UNIT_AXIS.get(ind.get("enhet"), str(ind.get("enhet", "")).capitalize()))


def _bars(ax, results: dict, ind: dict) -> list[tuple[float, str, bool]]:
    names = offices(results)
    best = set(best_offices(ind))
    vals = [float(ind["verdier"][k]) for k in names]
    ys = list(range(len(names)))
    labels = []
    for y, k, v in zip(ys, names, vals, strict=True):
        is_best = k in best
        bar = ax.barh(y, v, height=0.62, color=ACCENT if is_best else GREY, edgecolor=INK if is_best else GREY,
                      linewidth=1.0 if is_best else 0.0)
        bar.patches[0].set_gid(f"{ind['id']}:{k}")
        label = value_text(ind, v) + (f" – {BEST}" if is_best else "")
        t = ax.annotate(label, (v, y), xytext=(3, 0), textcoords="offset points", va="center", ha="left",
                        fontsize=SMALL_PT, fontweight="bold" if is_best else "normal",
                        color=ACCENT if is_best else INK, annotation_clip=False)
        t.set_gid(f"{BEST}:{ind['id']}:{k}" if is_best else f"verdi:{ind['id']}:{k}")
        t.set_in_layout(False)  # _fit_right keeps it inside the panel; the margins need not
        labels.append((v, label, is_best))
    ax.set_yticks(ys, [f"Kontor {k}" for k in names])
    for tick, k in zip(ax.get_yticklabels(), names, strict=True):
        if k in best:
            tick.set_fontweight("bold")
    ax.invert_yaxis()
    top = max(vals)
    ax.set_xlim(min(0, min(vals)), top * 1.08 if top > 0 else 1)  # widened for the labels after layout
    ax.xaxis.set_major_locator(MaxNLocator(nbins=4, steps=[1, 2, 2.5, 5, 10]))
    ax.xaxis.set_major_formatter(_number_formatter())
    ax.set_xlabel(_unit_label(ind), fontsize=SMALL_PT)
    ax.spines[["top", "right"]].set_visible(False)
    ax.tick_params(axis="y", length=0)
    return labels


def _lines(ax, results: dict, ind: dict) -> list[tuple]:
    """One line per office across the years; returns the end labels to place after layout."""
    names = offices(results)
    best = set(best_offices(ind))
    data = series(results, ind)
    yrs = years(results)
    all_vals = [v for pts in data.values() for _, v in pts]
    lo, hi = min(all_vals), max(all_vals)
    span = (hi - lo) or max(abs(hi), 1) * 0.1
    ax.set_ylim(lo - 0.12 * span, hi + 0.12 * span)
    ax.set_xlim(yrs[0] - 0.25, yrs[-1] + 0.25)
    ends = []
    for k in sorted(names, key=lambda k: k in best):  # the best on top
        pts = data.get(k) or []
        if not pts:
            continue
        xs, ys = zip(*pts, strict=True)
        is_best = k in best
        (line,) = ax.plot(xs, ys, color=ACCENT if is_best else GREY, linewidth=2.0 if is_best else 1.0,
                          marker="o", markersize=4 if is_best else 2.5, zorder=3 if is_best else 2)
        line.set_gid(f"{ind['id']}:{k}")
        label = f"Kontor {k} – {BEST}" if is_best else k
        ends.append((ys[-1], xs[-1], k, label, is_best))
    for b in (results.get("serieskifter") or {}).get(ind["id"], []):
        # A series break: a dotted line before its first year, named in words (not colour alone).
        x = b["aar"] - 0.5
        ax.axvline(x, color=MUTED, linestyle=":", linewidth=0.9).set_gid(f"brudd:{ind['id']}:{b['aar']}")
        ax.annotate("serieskifte", (x, 1.0), xycoords=("data", "axes fraction"), xytext=(2, -2), textcoords="offset points",
                    fontsize=SMALL_PT, color=MUTED, ha="left", va="top", annotation_clip=False)
    ax.xaxis.set_major_locator(FixedLocator(yrs))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _pos: str(int(round(v)))))
    ax.yaxis.set_major_locator(MaxNLocator(nbins=4))
    ax.yaxis.set_major_formatter(_number_formatter())
    ax.set_ylabel(_unit_label(ind), fontsize=SMALL_PT)
    ax.spines[["top", "right"]].set_visible(False)
    return ends


def _fit_right(ax, labels: list[tuple[float, str, bool]], offset_pt: float) -> None:
    """Widen the x range so every label (x where it starts, text, bold) ends inside the panel.
    Needs the final axes size, so it runs after a first layout."""
    width_pt = ax.get_window_extent().width * 72 / ax.figure.dpi
    x0, x1 = ax.get_xlim()
    right = x1
    for x, label, bold in labels:
        need = (text_width_cm(label, SMALL_PT, "bold" if bold else "normal") / 2.54 * 72 + offset_pt + 3) / max(
            width_pt, 1)
        if need < 0.9:
            right = max(right, (x - need * x0) / (1 - need))
    ax.set_xlim(x0, right)


def _end_labels(ax, ind: dict, ends: list[tuple]) -> None:
    """Label each line at its end, pushed apart vertically so no two labels overlap, and widen
    the x range so the longest label fits inside the panel. Needs the final axes size."""
    offset_pt = 6
    _fit_right(ax, [(e[1], e[3], e[4]) for e in ends], offset_pt)
    bbox = ax.get_window_extent()
    height_pt = bbox.height * 72 / ax.figure.dpi
    y0, y1 = ax.get_ylim()
    gap = (y1 - y0) * (SMALL_PT * 1.2) / max(height_pt, 1)
    ordered = sorted(ends, key=lambda e: e[0])
    placed: list[float] = []
    for e in ordered:
        placed.append(e[0] if not placed else max(e[0], placed[-1] + gap))
    overflow = placed[-1] - (y1 - gap / 2) if placed else 0
    if overflow > 0:
        placed = [max(p - overflow, y0 + gap / 2 + i * gap) for i, p in enumerate(placed)]
    for (y_end, x, k, label, is_best), y in zip(ordered, placed, strict=True):
        dy_pt = (y - y_end) / (y1 - y0) * height_pt
        moved = abs(dy_pt) > 1.5  # a label pushed away from its line gets a thin leader
        t = ax.annotate(label, (x, y_end), xytext=(offset_pt, dy_pt), textcoords="offset points", va="center",
                        ha="left", fontsize=SMALL_PT, fontweight="bold" if is_best else "normal",
                        color=ACCENT if is_best else MUTED, annotation_clip=False,
                        arrowprops={"arrowstyle": "-", "color": GREY, "linewidth": 0.6, "shrinkA": 0,
                                    "shrinkB": 1} if moved else None)
        t.set_gid(f"{BEST}:{ind['id']}:{k}" if is_best else f"verdi:{ind['id']}:{k}")


# The phone variant: one panel per row, half the A4 width, so at a 390 px screen the 8 pt labels
# are still about 12 px and the figure fits without sideways scrolling (the HTML shows it below
# 600 px through <picture>; scripts/engine/render.py pairs ``X.svg`` with ``X-smal.svg``).
NARROW_WIDTH_CM = 8.4


def draw_results(results: dict, n_cols: int = 2, width_cm: float = WIDTH_CM) -> Figure:
    """The results figure: one panel per indicator, best office marked twice (colour and label)."""
    with matplotlib.rc_context(STYLE):
        return _draw_results(results, n_cols, width_cm)


def _reference_lines(ax, results: dict, ind: dict, vertical: bool) -> None:
    """Dashed lines for public reference values (Landet, KOSTRA group) from SSB snapshots,
    labelled with their name so the line is never identified by colour alone."""
    for ref in (results.get("referanser") or {}).get(ind["id"], []):
        v = float(ref["verdi"])
        line = (ax.axvline if vertical else ax.axhline)(v, color=MUTED, linestyle="--", linewidth=0.9)
        line.set_gid(f"referanse:{ind['id']}:{ref['omrade']}")
        label = f"{ref['etikett']} {value_text(ind, v)}"
        if vertical:
            ax.annotate(label, (v, 1.0), xycoords=("data", "axes fraction"), xytext=(2, 2), textcoords="offset points",
                        fontsize=SMALL_PT, color=MUTED, ha="left", va="bottom", annotation_clip=False)
        else:
            ax.annotate(label, (0.0, v), xycoords=("axes fraction", "data"), xytext=(2, 2), textcoords="offset points",
                        fontsize=SMALL_PT, color=MUTED, ha="left", va="bottom", annotation_clip=False)


def _draw_results(results: dict, n_cols: int = 2, width_cm: float = WIDTH_CM) -> Figure:
    inds = results.get("indikatorer") or []
    if not inds:
        raise ResultsError("resultatene har ingen «indikatorer»; forventet minst én indikator å tegne")
    n_rows = math.ceil(len(inds) / n_cols)
    several = len(years(results)) > 1
    height_cm = (6.4 if several else 5.6) * n_rows + 0.2
    fig = Figure(figsize=(width_cm * CM, height_cm * CM), layout="constrained")
    FigureCanvasAgg(fig)
    axes = fig.subplots(n_rows, n_cols, squeeze=False)
    fig.get_layout_engine().set(w_pad=0.06, h_pad=0.08, wspace=0.06, hspace=0.08)
    pending = []
    for ax, ind in zip(axes.flat, inds, strict=False):
        ax.set_gid(ind["id"])
        # y given: matplotlib then skips re-measuring every tick label at each draw to place
        # the title; with nothing drawn above the panel, 1.0 is where it would put it.
        ax.set_title(_title(ind), fontsize=BASE_PT, fontweight="bold", color=INK, loc="left", y=1.0)
        ax.tick_params(labelsize=SMALL_PT)
        if several:
            pending.append((ax, ind, _lines(ax, results, ind)))
        else:
            pending.append((ax, ind, _bars(ax, results, ind)))
        _reference_lines(ax, results, ind, vertical=not several)
    for ax in list(axes.flat)[len(inds):]:
        ax.set_visible(False)
    fig.draw_without_rendering()  # lay the panels out once, so the labels know the panel sizes
    for ax, ind, labels in pending:
        if labels and several:
            _end_labels(ax, ind, labels)
        elif labels:
            _fit_right(ax, labels, 3)
    # The labels were fitted to these panel sizes: keep them. Laying out again at save time
    # would cost a second pass over every text and could move the panels under the labels.
    fig.set_layout_engine("none")
    return fig


# --------------------------------------------------------------------------- alt text




# --------------------------------------------------------------------------- CLI


def load_results(path: Path) -> dict:
    with open(path, encoding="utf-8") as fh:
        return json.load(fh)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m scripts.content.figures", description=__doc__.splitlines()[0])
    sub = p.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("results", help="the results figure for Tabell 4.2")
    r.add_argument("--src", type=Path, default=paths.RESULTS / "resultater.json")
    r.add_argument("--out", type=Path, default=paths.RESULTS / "figurer" / "resultater.svg")
    r.add_argument("--out-smal", type=Path, default=None,
                   help="also the phone variant here: one panel per row at half the A4 width")
    a = p.parse_args(argv)
    try:
        results = load_results(a.src)
        # Both variants in one process: matplotlib's start is most of the cost.
        wanted = [(a.out, draw_results(results))]
        if a.out_smal:
            wanted.append((a.out_smal, draw_results(results, 1, NARROW_WIDTH_CM)))
        data = [(out, svg_bytes(fig)) for out, fig in wanted]
    except (ResultsError, KeyError, FileNotFoundError, json.JSONDecodeError) as exc:
        print(f"figures: {a.src}: {exc}", file=sys.stderr)
        return 1
    for out, svg in data:
        write_bytes(out, svg)
    return 0


if __name__ == "__main__":
    sys.exit(entry(main))
