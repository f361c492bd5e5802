"""Draw the thesis's conceptual diagrams (Figur 2.1, 2.2, 2.5, 2.8 and 2.11) as vector SVG.

The content of every diagram lives in ``data/thesis/diagrammer.yaml``; this module only
lays it out. ``draw(name, spec)`` returns a matplotlib Figure, so tests can look at its text
artists; the CLI writes one SVG per diagram::

    python -m scripts.content.diagrams --src data/thesis/diagrammer.yaml --outdir build/results/figurer

House style for all figures of the report (``scripts.content.figures`` uses it too): 16 cm wide
(the A4 text width), text at least 8 pt at that size, black and greys with one accent
colour, never colour alone as a signal. The SVG bytes are deterministic: fixed hash salt,
text as paths, no date in the metadata.

Drawing is in centimetres: one axes covers the whole figure with x to the right and y
downwards, so a box at (x, y) is x cm from the left edge and y cm from the top.
"""
from __future__ import annotations

import argparse
import io
import sys
from dataclasses import dataclass
from pathlib import Path

import matplotlib
import yaml
from matplotlib.backends.backend_agg import FigureCanvasAgg, RendererAgg
from matplotlib.backends.backend_svg import FigureCanvasSVG
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.layout_engine import PlaceHolderLayoutEngine
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch
from matplotlib.text import Text

from scripts import paths
from scripts.atomic import write_bytes
from scripts.cli import entry
from scripts.settings import yaml_error

NAMES = ("hofstede", "samstyring", "resultatkjede", "rapportering", "modell")

# Colours: the report's ink, greys and its one accent (report/_engine/style.css).
INK = "#1a1a1a"
MUTED = "#4a4a4a"
RULE = "#9a9a9a"
FILL = "#eeeeee"
ACCENT = "#0b4f8a"
ACCENT_FILL = "#dde8f3"

WIDTH_CM = 16.0  # the A4 text width; the SVG's natural size
BASE_PT = 9.0
SMALL_PT = 8.0
MIN_PT = 8.0  # nothing smaller, at 16 cm
CM = 1 / 2.54  # inches per cm
LINESPACING = 1.2

STYLE = {
    "svg.hashsalt": "navrapport",
    "svg.fonttype": "path",
    "font.family": "DejaVu Sans",
    "font.size": BASE_PT,
    "text.usetex": False,
    "axes.unicode_minus": True,
    "path.simplify": True,
}
# Applied with rc_context where figures are drawn and saved, never globally at import, so
# importing this module changes nothing for code that does not draw.


# --------------------------------------------------------------------------- text measuring

_MEASURE_DPI = 720  # high, so font hinting does not distort the widths; SVG paths are unhinted
_RENDERER = RendererAgg(10, 10, _MEASURE_DPI)


def _prop(size: float, weight: str = "normal", style: str = "normal") -> FontProperties:
    return FontProperties(family=STYLE["font.family"], size=size, weight=weight, style=style)


def text_width_cm(text: str, size: float = BASE_PT, weight: str = "normal", style: str = "normal") -> float:
    """Width of one line of text in cm, measured with the font that will draw it."""
    if not text:
        return 0.0
    w, _, _ = _RENDERER.get_text_width_height_descent(text, _prop(size, weight, style), ismath=False)
    return w / _MEASURE_DPI * 2.54


def line_height_cm(size: float) -> float:
    return size * LINESPACING / 72 * 2.54


@dataclass
class Block:
    """A wrapped piece of text and the space it takes (cm)."""

    text: str
    size: float
    weight: str
    style: str
    w: float
    h: float

    @property
    def lines(self) -> int:
        return self.text.count("\n") + 1


def wrap(text, width_cm: float, size: float = BASE_PT, weight: str = "normal", style: str = "normal") -> Block:
    """Wrap ``text`` (a string, or a list of printed lines) greedily to ``width_cm``.

    Words are never split (hyphenated words neither), so joining the lines with spaces
    gives back the original text. A word wider than the width gets a line of its own.
    """
    paragraphs = [str(t) for t in text] if isinstance(text, list) else [str(text)]
    lines: list[str] = []
    for para in paragraphs:
        current = ""
        for word in " ".join(para.split()).split(" "):
            trial = f"{current} {word}" if current else word
            if current and text_width_cm(trial, size, weight, style) > width_cm:
                lines.append(current)
                current = word
            else:
                current = trial
        lines.append(current)
    width = max(text_width_cm(line, size, weight, style) for line in lines)
    return Block("\n".join(lines), size, weight, style, width, len(lines) * line_height_cm(size))


def fit_size(texts, width_cm: float, weight: str = "normal", start: float = BASE_PT) -> float:
    """The largest size from ``start`` down to MIN_PT (in 0.25 pt steps) at which every word fits."""
    words = [w for t in texts for w in str(t).split()]
    size = start
    while size > MIN_PT and any(text_width_cm(w, size, weight) > width_cm for w in words):
        size -= 0.25
    return size


# --------------------------------------------------------------------------- canvas


class Canvas:
    """A figure WIDTH_CM wide and ``height_cm`` tall, drawn in cm with y downwards."""

    def __init__(self, height_cm: float, width_cm: float = WIDTH_CM):
        self.w, self.h = width_cm, height_cm
        self.fig = Figure(figsize=(width_cm * CM, height_cm * CM))
        FigureCanvasAgg(self.fig)
        ax = self.fig.add_axes((0, 0, 1, 1))
        ax.set_xlim(0, width_cm)
        ax.set_ylim(height_cm, 0)
        ax.set_axis_off()
        self.ax = ax

    def text(self, x, y, block: Block | str, *, size=BASE_PT, weight="normal", style="normal", color=INK,
             ha="center", va="center", bbox=None, gid=None) -> Text:
        if isinstance(block, Block):
            s, size, weight, style = block.text, block.size, block.weight, block.style
        else:
            s = block
        t = self.ax.text(x, y, s, fontsize=size, fontweight=weight, fontstyle=style, color=color, ha=ha,
                         va=va, multialignment=ha if ha in ("left", "right") else "center",
                         linespacing=LINESPACING, parse_math=False, bbox=bbox, zorder=5)
        if gid:
            t.set_gid(gid)
        return t

    def box(self, x, y, w, h, *, face="white", edge=INK, lw=0.8, ls="-", rounding=0.12, zorder=2, gid=None):
        """A rounded rectangle with its top-left corner at (x, y)."""
        p = FancyBboxPatch((x, y), w, h, boxstyle=f"round,pad=0,rounding_size={rounding}", facecolor=face,
                           edgecolor=edge, linewidth=lw, linestyle=ls, zorder=zorder)
        if gid:
            p.set_gid(gid)
        self.ax.add_patch(p)
        return p

    def rect(self, x, y, w, h, *, face="white", edge=RULE, lw=0.6, zorder=1):
        return self.box(x, y, w, h, face=face, edge=edge, lw=lw, rounding=0.0001, zorder=zorder)

    def arrow(self, p, q, *, color=INK, lw=0.9, ls="-", style="-|>", scale=9, zorder=3):
        a = FancyArrowPatch(p, q, arrowstyle=style, mutation_scale=scale, color=color, linewidth=lw,
                            linestyle=ls, shrinkA=0, shrinkB=0, zorder=zorder, joinstyle="miter",
                            capstyle="butt")
        self.ax.add_patch(a)
        return a

    def line(self, xs, ys, *, color=INK, lw=0.9, ls="-", zorder=3):
        return self.ax.plot(xs, ys, color=color, linewidth=lw, linestyle=ls, zorder=zorder,
                            solid_capstyle="butt", dash_capstyle="butt")[0]


def badge(c: Canvas, x, y, label: str, *, size=BASE_PT, face=ACCENT, color="white", gid=None) -> Text:
    """A short label (a number or an id) in a filled rounded box centred at (x, y)."""
    return c.text(x, y, label, size=size, weight="bold", color=color, gid=gid,
                  bbox={"boxstyle": "round,pad=0.25,rounding_size=0.35", "facecolor": face, "edgecolor": face,
                        "linewidth": 0.8})


# --------------------------------------------------------------------------- Figur 2.1


def _tree(node: dict, depth: int, counter: list[int]) -> dict:
    """Lay out Hofstede's decision tree: leaves get rows 0, 1, 2 … in order (ja before nei)."""
    if "sporsmal" in node:
        kids = [(ans, _tree(node[ans], depth + 1, counter)) for ans in ("ja", "nei")]
        return {"q": node["sporsmal"], "depth": depth, "kids": kids,
                "row": sum(k["row"] for _, k in kids) / len(kids)}
    if "type" not in node or "navn" not in node:
        raise ValueError(f"hofstede: noden {node} er ufullstendig; forventet enten «sporsmal» (med «ja» og "
                         "«nei») eller både «type» og «navn»")
    counter[0] += 1
    return {"leaf": node, "depth": depth, "row": counter[0] - 1}


def _walk(n: dict):
    yield n
    for _, k in n.get("kids", []):
        yield from _walk(k)


def draw_hofstede(spec: dict) -> Figure:
    """Top-down tree: questions on levels by depth, the six control types in one row below."""
    root = _tree(spec["tre"], 0, [0])
    nodes = list(_walk(root))
    questions = [n for n in nodes if "q" in n]
    leaves = [n for n in nodes if "leaf" in n]
    margin, pad, vgap = 0.15, 0.15, 0.75
    slot = (WIDTH_CM - 2 * margin) / len(leaves)
    leaf_w = slot - 0.12
    n_levels = max(n["depth"] for n in questions) + 1
    for n in nodes:
        n["x"] = margin + (n["row"] + 0.5) * slot
    # A question box may be as wide as the room between its neighbours on the same level.
    for n in questions:
        same = sorted(m["x"] for m in questions if m["depth"] == n["depth"] and m is not n)
        room = min([abs(n["x"] - x) for x in same] + [2 * min(n["x"] - margin, WIDTH_CM - margin - n["x"])])
        n["w"] = min(room - 0.3, 5.2)
        n["block"] = wrap(n["q"], n["w"] - 2 * pad)
    badge_h = 0.55
    name_size = fit_size([n["leaf"]["navn"] for n in leaves], leaf_w - 2 * pad, weight="bold")
    for n in leaves:
        n["name"] = wrap(n["leaf"]["navn"], leaf_w - 2 * pad, size=name_size, weight="bold")
        note = n["leaf"].get("merknad")
        n["note"] = wrap(note, slot - 0.1, size=SMALL_PT, style="italic") if note else None
    q_h = max(n["block"].h for n in questions) + 2 * pad
    leaf_h = max(badge_h + n["name"].h for n in leaves) + 2 * pad
    note_h = max([n["note"].h + 0.1 for n in leaves if n["note"]], default=0)
    y_level = [margin + i * (q_h + vgap) for i in range(n_levels)]
    y_leaves = margin + n_levels * (q_h + vgap)
    height = y_leaves + leaf_h + note_h + margin

    c = Canvas(height)
    answers = spec["svar"]
    for n in questions:
        y0 = y_level[n["depth"]]
        c.box(n["x"] - n["w"] / 2, y0, n["w"], q_h, face=FILL, edge=INK)
        c.text(n["x"], y0 + q_h / 2, n["block"])
        elbow = y0 + q_h + 0.25
        xs = [k["x"] for _, k in n["kids"]]
        c.line([n["x"], n["x"]], [y0 + q_h, elbow])
        c.line([min(xs), max(xs)], [elbow, elbow])
        for ans, k in n["kids"]:
            top = y_leaves if "leaf" in k else y_level[k["depth"]]
            c.arrow((k["x"], elbow), (k["x"], top))
            c.text(k["x"] + 0.08, elbow + 0.06, answers[ans], size=SMALL_PT, color=MUTED, ha="left", va="top")
    for n in leaves:
        x0 = n["x"] - leaf_w / 2
        c.box(x0, y_leaves, leaf_w, leaf_h, face="white", edge=INK, lw=1.1)
        badge(c, n["x"], y_leaves + pad + badge_h / 2 - 0.03, str(n["leaf"]["type"]),
              gid=f"type-{n['leaf']['type']}")
        c.text(n["x"], y_leaves + pad + badge_h, n["name"], va="top")
        if n["note"]:
            c.text(n["x"], y_leaves + leaf_h + 0.1, n["note"], color=MUTED, va="top")
    return c.fig


# --------------------------------------------------------------------------- Figur 2.2


def draw_samstyring(spec: dict) -> Figure:
    margin, pad, head_w, num_w = 0.15, 0.2, 2.7, 0.55
    cols, rows = spec["kolonner"], spec["rader"]
    col_w = (WIDTH_CM - 2 * margin - head_w) / len(cols)
    hl = spec.get("uthev") or {}
    marker_w = text_width_cm(hl.get("markor", ""), SMALL_PT, "bold") + 0.45 if hl else 0

    col_blocks = [wrap(t, col_w - 2 * pad, weight="bold") for t in cols]
    row_blocks = [wrap(t, head_w - 2 * pad, weight="bold") for t in rows]
    head_h = max(b.h for b in col_blocks) + 2 * pad
    cells = {}
    for cell in spec["celler"]:
        key = (cell["rad"], cell["kolonne"])
        if key in cells:
            raise ValueError(f"samstyring: to celler står på rad {key[0]}, kolonne {key[1]} (nr {cells[key][0]['nr']} "
                             f"og {cell['nr']}); forventet høyst én celle per plass")
        extra = marker_w if cell["nr"] == hl.get("celle") else 0
        cells[key] = (cell, wrap(cell["linjer"], col_w - 2 * pad - num_w - extra))
    row_h = [max([row_blocks[r].h] + [b.h for (rr, _), (_, b) in cells.items() if rr == r]) + 2 * pad
             for r in range(len(rows))]
    note = wrap(hl["forklaring"], WIDTH_CM - 2 * margin - marker_w - 0.1, style="italic") if hl else None
    height = margin + head_h + sum(row_h) + (0.3 + note.h if note else 0) + margin

    c = Canvas(height)
    x_cols = [margin + head_w + i * col_w for i in range(len(cols))]
    y_rows = [margin + head_h + sum(row_h[:i]) for i in range(len(rows))]
    for i, b in enumerate(col_blocks):
        c.rect(x_cols[i], margin, col_w, head_h, face=FILL)
        c.text(x_cols[i] + col_w / 2, margin + head_h / 2, b)
    for r, b in enumerate(row_blocks):
        c.rect(margin, y_rows[r], head_w, row_h[r], face=FILL)
        c.text(margin + pad, y_rows[r] + row_h[r] / 2, b, ha="left")
    highlighted = None
    for (r, k), (cell, b) in sorted(cells.items()):
        x, y = x_cols[k], y_rows[r]
        c.rect(x, y, col_w, row_h[r], face="white")
        c.text(x + pad, y + pad, str(cell["nr"]), size=11, weight="bold", ha="left", va="top",
               gid=f"celle-{cell['nr']}")
        c.text(x + pad + num_w, y + pad, b, ha="left", va="top")
        if cell["nr"] == hl.get("celle"):
            highlighted = (x, y, col_w, row_h[r])
    if highlighted:
        x, y, w, h = highlighted
        c.rect(x, y, w, h, face=ACCENT_FILL, edge=ACCENT, lw=2.6, zorder=1.5)
        badge(c, x + w - marker_w / 2 - 0.05, y + pad + 0.2, hl["markor"], size=SMALL_PT, gid="uthev-markor")
        ny = margin + head_h + sum(row_h) + 0.3
        badge(c, margin + marker_w / 2 - 0.1, ny + line_height_cm(BASE_PT) / 2, hl["markor"], size=SMALL_PT)
        c.text(margin + marker_w + 0.05, ny, note, color=MUTED, ha="left", va="top")
    elif hl:
        raise ValueError(f"samstyring: uthev.celle er {hl.get('celle')!r}; forventet nummeret («nr») på en av "
                         f"cellene ({', '.join(str(cell['nr']) for cell, _ in sorted(cells.values(), key=lambda v: v[0]['nr']))})")
    return c.fig


# --------------------------------------------------------------------------- Figur 2.5


def _bracket(c: Canvas, x0, x1, y, *, up: bool, color=INK, lw=0.9):
    """A horizontal bracket from x0 to x1 whose ends turn towards the boxes (down when ``up``)."""
    tick = 0.18 if up else -0.18
    c.line([x0, x0, x1, x1], [y + tick, y, y, y + tick], color=color, lw=lw)


def draw_resultatkjede(spec: dict) -> Figure:
    margin, gap, pad = 0.15, 0.38, 0.12
    links = spec["ledd"]
    n = len(links)
    box_w = (WIDTH_CM - 2 * margin - (n - 1) * gap) / n
    size = fit_size([link["tekst"] for link in links], box_w - 2 * pad, weight="bold")
    blocks = [wrap(link["tekst"], box_w - 2 * pad, size=size, weight="bold") for link in links]
    box_h = max(b.h for b in blocks) + 2 * pad + 0.3
    index = {link["id"]: i for i, link in enumerate(links)}

    def span(group):
        i, j = index[group["fra"]], index[group["til"]]
        return margin + i * (box_w + gap), margin + j * (box_w + gap) + box_w

    above = [(g, wrap(g["tekst"], span(g)[1] - span(g)[0], weight="bold")) for g in spec.get("styring", [])]
    below = [(g, wrap(g["tekst"], span(g)[1] - span(g)[0], weight="bold")) for g in spec.get("maling", [])]
    top_h = max([b.h for _, b in above], default=0) + 0.4
    bottom_h = max([b.h for _, b in below], default=0) + 0.4
    height = margin + top_h + box_h + bottom_h + margin
    c = Canvas(height)
    y0 = margin + top_h
    # Links the organisation controls get a grey fill, a second cue besides the bracket text.
    controlled = {i for g, _ in above if g.get("kontroll") for i in range(index[g["fra"]], index[g["til"]] + 1)}
    for i, b in enumerate(blocks):
        x = margin + i * (box_w + gap)
        c.box(x, y0, box_w, box_h, face=FILL if i in controlled else "white", edge=INK, lw=1.0)
        c.text(x + box_w / 2, y0 + box_h / 2, b)
        if i < n - 1:
            c.arrow((x + box_w, y0 + box_h / 2), (x + box_w + gap, y0 + box_h / 2), lw=1.2)
    for g, b in above:
        x0, x1 = span(g)
        yb = y0 - 0.12
        _bracket(c, x0, x1, yb - 0.18, up=True)
        c.text((x0 + x1) / 2, yb - 0.26, b, va="bottom")
    for g, b in below:
        x0, x1 = span(g)
        yb = y0 + box_h + 0.12
        _bracket(c, x0, x1, yb + 0.18, up=False, color=ACCENT, lw=1.3)
        c.text((x0 + x1) / 2, yb + 0.26, b, color=ACCENT, va="top")
    return c.fig


# --------------------------------------------------------------------------- Figur 2.8


def draw_rapportering(spec: dict) -> Figure:
    margin, pad, box_w, off = 0.15, 0.15, 4.4, 0.55
    lines = spec["styringslinjer"]
    if len(lines) != 2:
        raise ValueError(f"rapportering: styringslinjer har {len(lines)} linje(r); forventet nøyaktig to "
                         "(stat og kommune)")
    centres = [3.9, WIDTH_CM - 3.9]
    outer = [-1, 1]  # which side of its column each line's downward arrows sit on
    kontor = spec["kontor"]
    boxes: dict[str, dict] = {}
    n_levels = max(leg["niva"] for line in lines for leg in line["ledd"]) + 1
    for li, line in enumerate(lines):
        for leg in line["ledd"]:
            boxes[leg["id"]] = {"line": li, "level": leg["niva"], "block": wrap(leg["tekst"], box_w - 2 * pad,
                                                                               weight="bold")}
    # Labels of downward arrows go on the outer side of a column, of upward arrows on the inner side.
    outer_w = centres[0] - off - 0.12 - margin
    inner_w = WIDTH_CM / 2 - (centres[0] + off + 0.12) - 0.15
    edge_blocks = []
    for li, line in enumerate(lines):
        for kind in ("signaler", "rapportering"):
            for e in line.get(kind, []):
                w = outer_w if kind == "signaler" else inner_w
                edge_blocks.append((li, kind, e, wrap(e["tekst"], w, size=SMALL_PT)))
    headers = [wrap(line["overskrift"], WIDTH_CM / 2 - 0.3, weight="bold", size=BASE_PT + 1) for line in lines]
    notes = [wrap(line["merknad"], box_w, size=SMALL_PT, style="italic") if line.get("merknad") else None
             for line in lines]
    box_h = max(b["block"].h for b in boxes.values()) + 2 * pad
    k_w = centres[1] + box_w / 2 - (centres[0] - box_w / 2)
    k_title = wrap(kontor["tekst"], k_w - 2 * pad, weight="bold", size=BASE_PT + 1)
    k_sub = wrap(kontor.get("undertekst", ""), k_w - 2 * pad)
    k_h = k_title.h + k_sub.h + 2 * pad + 0.05
    part = spec.get("partnerskap")
    legend = spec.get("forklaring", {})
    part_w = centres[1] - centres[0] - box_w - 0.2
    part_title = wrap(part["tekst"], part_w, weight="bold") if part else None
    part_sub = wrap(part["undertekst"], part_w, size=SMALL_PT, style="italic") if part and part.get(
        "undertekst") else None
    # Room between levels: the arrows' labels, and the partnership texts above its line.
    part_text_h = (part_title.h if part_title else 0) + (part_sub.h + 0.04 if part_sub else 0)
    gap = max([b.h for *_, b in edge_blocks] + [part_text_h - box_h / 2 + 0.2]) + 0.45

    head_h = max(b.h for b in headers) + 0.25
    y_level = [margin + head_h + i * (box_h + gap) for i in range(n_levels)]
    y_kontor = y_level[-1] + box_h + gap
    legend_y = y_kontor + k_h + 0.45
    height = legend_y + (line_height_cm(BASE_PT) + margin if legend else 0)
    c = Canvas(height)

    for li, b in enumerate(headers):
        c.text(centres[li], margin, b, va="top")
    for bid, b in boxes.items():
        x = centres[b["line"]] - box_w / 2
        b["x0"], b["y0"], b["y1"] = x, y_level[b["level"]], y_level[b["level"]] + box_h
        c.box(x, b["y0"], box_w, box_h, face=FILL, edge=INK, gid=bid)
        c.text(centres[b["line"]], b["y0"] + box_h / 2, b["block"])
    for li, note in enumerate(notes):
        if note is None:
            continue
        first = min(b["level"] for b in boxes.values() if b["line"] == li)
        if first == 0:
            raise ValueError(f"rapportering: styringslinjen «{lines[li]['id']}» har en merknad, men ingen ledig rad "
                             "over seg; forventet at linjens første boks ikke står på øverste nivå")
        y_mid = (y_level[0] + y_level[first]) / 2
        c.text(centres[li], y_mid, note, color=MUTED)

    kx0 = centres[0] - box_w / 2
    c.box(kx0, y_kontor, k_w, k_h, face=ACCENT_FILL, edge=ACCENT, lw=2.4, gid=kontor["id"])
    c.text(WIDTH_CM / 2, y_kontor + pad, k_title, va="top")
    c.text(WIDTH_CM / 2, y_kontor + pad + k_title.h + 0.05, k_sub, va="top")
    boxes[kontor["id"]] = {"y0": y_kontor, "y1": y_kontor + k_h}

    for li, kind, e, b in edge_blocks:
        src, dst = boxes[e["fra"]], boxes[e["til"]]
        down = kind == "signaler"
        side = outer[li] if down else -outer[li]
        x = centres[li] + side * off
        if down:
            c.arrow((x, src["y1"]), (x, dst["y0"]))
        else:
            c.arrow((x, src["y0"]), (x, dst["y1"]), ls=(0, (3.5, 2.2)), color=MUTED)
        upper, lower = (src, dst) if down else (dst, src)
        ym = (upper["y1"] + lower["y0"]) / 2
        tx = x + side * 0.12
        c.text(tx, ym, b, color=INK if down else MUTED, ha="left" if side > 0 else "right")

    if part:
        a, b2 = boxes[part["mellom"][0]], boxes[part["mellom"][1]]
        if a.get("level") != b2.get("level"):
            raise ValueError(f"rapportering: partnerskap.mellom {part['mellom']} står på nivå {a.get('level')} og "
                             f"{b2.get('level')}; forventet to bokser på samme nivå")
        x0, x1 = a["x0"] + box_w, b2["x0"]
        ym = (a["y0"] + a["y1"]) / 2
        c.arrow((x0, ym), (x1, ym), style="<|-|>", ls=(0, (1, 1.6)), lw=1.4, color=ACCENT)
        # Both texts above the line: below it, the arrows' labels need the room.
        if part_sub:
            c.text((x0 + x1) / 2, ym - 0.12, part_sub, color=MUTED, va="bottom")
        c.text((x0 + x1) / 2, ym - 0.12 - (part_sub.h + 0.04 if part_sub else 0), part_title, va="bottom")

    if legend:
        entries = [("signal", {"color": INK}), ("rapport", {"color": MUTED, "ls": (0, (3.5, 2.2))}),
                   ("partnerskap", {"color": ACCENT, "ls": (0, (1, 1.6)), "lw": 1.4, "style": "<|-|>"})]
        x = margin
        yl = legend_y + line_height_cm(BASE_PT) / 2
        for key, kw in entries:
            if key not in legend:
                continue
            c.arrow((x, yl), (x + 0.9, yl), **kw)
            t = wrap(legend[key], WIDTH_CM, size=SMALL_PT)
            c.text(x + 1.05, yl, t, ha="left")
            x += 1.05 + t.w + 0.6
    return c.fig


# --------------------------------------------------------------------------- Figur 2.11


def draw_modell(spec: dict) -> Figure:
    margin, pad = 0.15, 0.2
    specs = spec["bokser"]
    n_cols = max(b["kolonne"] for b in specs) + 1
    n_rows = max(b["rad"] for b in specs) + 1
    col_w = 4.0
    gap = (WIDTH_CM - 2 * margin - col_w * n_cols) / (n_cols - 1)
    boxes = {b["id"]: dict(b, block=wrap(b["tekst"], col_w - 2 * pad, weight="bold")) for b in specs}
    box_h = max(b["block"].h for b in boxes.values()) + 2 * pad
    row_gap = 0.55
    height = 2 * margin + n_rows * box_h + (n_rows - 1) * row_gap
    c = Canvas(height)
    for b in boxes.values():
        b["x0"] = margin + b["kolonne"] * (col_w + gap)
        b["y0"] = margin + b["rad"] * (box_h + row_gap)
        hl = b.get("uthev", False)
        c.box(b["x0"], b["y0"], col_w, box_h, face=ACCENT_FILL if hl else FILL, edge=ACCENT if hl else INK,
              lw=2.2 if hl else 0.9, gid=b["id"])
        c.text(b["x0"] + col_w / 2, b["y0"] + box_h / 2, b["block"])
    incoming: dict[str, list] = {}
    for a in spec["piler"]:
        incoming.setdefault(a["til"], []).append(a)
    for target, arrows in incoming.items():
        t = boxes[target]
        ordered = sorted(arrows, key=lambda a: boxes[a["fra"]]["y0"])
        k = len(ordered)
        for i, a in enumerate(ordered):
            s = boxes[a["fra"]]
            p = (s["x0"] + col_w, s["y0"] + box_h / 2)
            q = (t["x0"], t["y0"] + box_h / 2 + (i - (k - 1) / 2) * min(0.3, box_h / (k + 1)))
            c.arrow(p, q, lw=1.2)
            mx, my = (p[0] + q[0]) / 2, (p[1] + q[1]) / 2
            badge(c, mx, my, a["hypotese"], gid=f"pil-{a['hypotese']}")
            if a.get("tekst"):
                c.text(mx, my + 0.35, wrap(a["tekst"], gap - 0.2, size=SMALL_PT, style="italic"), color=MUTED,
                       va="top")
    return c.fig


DRAWERS = {
    "hofstede": draw_hofstede,
    "samstyring": draw_samstyring,
    "resultatkjede": draw_resultatkjede,
    "rapportering": draw_rapportering,
    "modell": draw_modell,
}


def draw(name: str, spec: dict) -> Figure:
    """Draw one diagram from its entry in diagrammer.yaml."""
    try:
        drawer = DRAWERS[name]
    except KeyError:
        raise ValueError(f"ukjent diagram «{name}»; forventet en av {', '.join(NAMES)}") from None
    with matplotlib.rc_context(STYLE):  # the house style even if someone changed rcParams
        try:
            return drawer(spec)
        except KeyError as exc:
            # A bare KeyError would print only the key; say which diagram lacks which field.
            raise ValueError(f"{name}: feltet «{exc.args[0]}» mangler; forventet det i beskrivelsen av "
                             "diagrammet") from None


# --------------------------------------------------------------------------- output and checks


def svg_bytes(fig: Figure) -> bytes:
    """The figure as SVG; the same figure gives the same bytes on every run."""
    buf = io.BytesIO()
    with matplotlib.rc_context(STYLE):  # hash salt and text-as-paths are read at save time
        if isinstance(fig.get_layout_engine(), PlaceHolderLayoutEngine | None):
            # Layout already fixed: savefig would draw everything once more for an engine
            # that does nothing. Same bytes, one pass fewer.
            canvas = fig.canvas
            FigureCanvasSVG(fig).print_svg(buf, metadata={"Date": None})
            fig.set_canvas(canvas)
        else:
            fig.savefig(buf, format="svg", metadata={"Date": None})
    return buf.getvalue()


def texts(fig: Figure) -> list[str]:
    """Every visible, non-empty text of a figure (the SVG has them as paths, not text)."""
    return [t.get_text() for t in fig.findobj(Text) if t.get_visible() and t.get_text().strip()]


def layout_problems(fig: Figure, min_pt: float = MIN_PT) -> list[str]:
    """Texts that overlap each other, fall outside the figure, or are smaller than ``min_pt``."""
    renderer = fig.canvas.get_renderer()
    fig.draw_without_rendering()
    hidden = set()  # tick labels matplotlib keeps but does not draw (outside the view)
    for ax in fig.axes:
        for axis in (ax.xaxis, ax.yaxis):
            lo, hi = sorted(axis.get_view_interval())
            tol = (hi - lo) * 1e-6
            for tick in axis.get_major_ticks() + axis.get_minor_ticks():
                loc = tick.get_loc()
                if loc is None or not (lo - tol <= loc <= hi + tol):
                    hidden.update({id(tick.label1), id(tick.label2)})
    items = [t for t in fig.findobj(Text) if t.get_visible() and t.get_text().strip() and id(t) not in hidden
             and (t.axes is None or t.axes.get_visible())]
    problems = []
    fb = fig.bbox
    boxes = []
    for t in items:
        if t.get_fontsize() < min_pt - 1e-9:
            problems.append(f"{t.get_text()!r} is {t.get_fontsize():g} pt")
        bb = Text.get_window_extent(t, renderer)  # the text alone, without an annotation's arrow
        if bb.x0 < fb.x0 - 0.5 or bb.y0 < fb.y0 - 0.5 or bb.x1 > fb.x1 + 0.5 or bb.y1 > fb.y1 + 0.5:
            problems.append(f"{t.get_text()!r} is outside the figure")
        boxes.append((t, bb))
    for i in range(len(boxes)):
        for j in range(i + 1, len(boxes)):
            (ta, a), (tb, b) = boxes[i], boxes[j]
            overlap_w = min(a.x1, b.x1) - max(a.x0, b.x0)
            overlap_h = min(a.y1, b.y1) - max(a.y0, b.y0)
            if overlap_w > 0.5 and overlap_h > 0.5:
                problems.append(f"{ta.get_text()!r} overlaps {tb.get_text()!r}")
    return problems


def load_specs(src: Path = paths.THESIS / "diagrammer.yaml") -> dict:
    """The diagram descriptions, checked for the fields every figure needs."""
    try:
        specs = yaml.safe_load(src.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ValueError(f"{src}: fila finnes ikke; forventet diagrambeskrivelsene der") from None
    except yaml.YAMLError as exc:
        raise ValueError(f"{src}: {yaml_error(exc)}") from None
    if not isinstance(specs, dict):
        raise ValueError(f"{src}: forventet en tabell med diagramnavn øverst, fant {type(specs).__name__}")
    missing = [n for n in NAMES if n not in specs]
    if missing:
        raise ValueError(f"{src}: mangler diagram(mer) {', '.join(missing)}; forventet alle av {', '.join(NAMES)}")
    for n in NAMES:
        for key in ("figur", "tittel", "kilde", "alt"):
            if not str(specs[n].get(key, "")).strip():
                raise ValueError(f"{src}: feltet «{n}.{key}» mangler eller er tomt; forventet en tekst")
    return specs


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m scripts.content.diagrams", description=__doc__.splitlines()[0])
    p.add_argument("--src", type=Path, default=paths.THESIS / "diagrammer.yaml")
    p.add_argument("--outdir", type=Path, default=paths.RESULTS / "figurer")
    p.add_argument("--only", nargs="*", choices=NAMES, help="draw only these diagrams")
    a = p.parse_args(argv)
    try:
        specs = load_specs(a.src)
        for name in a.only or NAMES:
            try:
                fig = draw(name, specs[name])
            except ValueError as exc:
                raise ValueError(f"{a.src}: {exc}") from None
            write_bytes(a.outdir / f"{name}.svg", svg_bytes(fig))
    except ValueError as exc:
        print(f"diagrams: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(entry(main))
