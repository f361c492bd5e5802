"""The figure of the appendix "Hva kan seks kontorer vise?": one exact permutation distribution.

::

    python -m scripts.content.eksakt_figur --src build/results/eksakt.json \\
        --out build/results/figurer/permutasjon.svg

It shows the test the results name as the strongest of the main codings (``sterkest``): one bar
per value the effect size takes over every assignment of the codes to the offices, its height
the number of assignments. The bars at least as far out as the observed value, on its side, are
the tail that gives the p-value; they are dark *and* hatched and the observed value has a
labelled line, so colour is never the only cue. Same house style and deterministic SVG as
:mod:`scripts.content.diagrams`.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import matplotlib
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from scripts import paths
from scripts.atomic import write_bytes
from scripts.cli import entry, run_step
from scripts.content import fmt
from scripts.content.diagrams import ACCENT, BASE_PT, CM, INK, MUTED, SMALL_PT, STYLE, WIDTH_CM, svg_bytes

GREY = "#b3b3b3"
EFFECT_AXIS = {"rho": "Rangkorrelasjon (Spearmans rho)", "U": "Rang-biserial korrelasjon"}


class EksaktError(ValueError):
    """The results lack what the figure needs."""


def chosen_test(results: dict) -> dict:
    """The test named by ``sterkest`` in the results."""
    pick = results.get("sterkest")
    if not pick:
        raise EksaktError("resultatene har ingen «sterkest»-test (ingen hovedkoding kunne testes); "
                          "forventet feltet «sterkest» med koding og indikator")
    for t in results["tester"]:
        if t["koding"] == pick["koding"] and t["indikator"] == pick["indikator"]:
            return t
    raise EksaktError(f"«sterkest» peker på koding {pick.get('koding')!r} og indikator {pick.get('indikator')!r}, "
                      "men den testen finnes ikke blant «tester»; forventet en av dem")


def in_tail(value: float, test: dict) -> bool:
    """Whether an effect value lies in the observed tail (as far out or further, same side)."""
    eps = 1e-9
    return value >= test["effekt"] - eps if test["hale_retning"] == "over" else value <= test["effekt"] + eps


def draw(results: dict) -> Figure:
    """The distribution of the chosen test, tail marked by shade, hatching and a labelled line."""
    test = chosen_test(results)
    with matplotlib.rc_context(STYLE):
        fig = Figure(figsize=(WIDTH_CM * CM, 7.2 * CM), layout="constrained")
        FigureCanvasAgg(fig)
        ax = fig.subplots()
        values = [v for v, _ in test["fordeling"]]
        gaps = [b - a for a, b in zip(values, values[1:], strict=False)]
        width = 0.8 * min(gaps) if gaps else 0.1
        for v, n in test["fordeling"]:
            tail = in_tail(v, test)
            bar = ax.bar(v, n, width=width, color=ACCENT if tail else GREY, edgecolor=INK if tail else GREY,
                         hatch="///" if tail else None, linewidth=0.6)
            bar.patches[0].set_gid(f"{'hale' if tail else 'fordeling'}:{fmt.tall(v, 3)}")
        top = max(n for _, n in test["fordeling"])
        ax.set_ylim(0, top * 1.3)
        ax.axvline(test["effekt"], color=INK, linestyle="--", linewidth=1.0, gid="observert")
        side = "right" if test["effekt"] <= 0 else "left"
        ax.annotate(f"Observert: {fmt.tall(test['effekt'], 2)}", (test["effekt"], top * 1.22),
                    xytext=(4 if side == "right" else -4, 0), textcoords="offset points", ha="left" if side == "right"
                    else "right", va="center", fontsize=SMALL_PT, fontweight="bold", color=INK)
        ax.set_xlim(-1.08, 1.08)
        ax.set_xticks([-1, -0.5, 0, 0.5, 1])  # labelled exactly: one decimal never rounds a tick
        ax.set_xlabel(EFFECT_AXIS[test["statistikk"]] + " i hver tildeling", fontsize=SMALL_PT)
        ax.set_ylabel(f"Antall tildelinger (av {test['antall']})", fontsize=SMALL_PT)
        ax.tick_params(labelsize=SMALL_PT)
        ax.xaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda v, _p: fmt.tall(v, 1)))
        ax.spines[["top", "right"]].set_visible(False)
        ax.set_title(f"Skravert: minst like sterk sammenheng som observert ({test['hale']} av {test['antall']})",
                     fontsize=BASE_PT, color=MUTED, loc="left")
    return fig


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m scripts.content.eksakt_figur", description=__doc__.splitlines()[0])
    p.add_argument("--src", type=Path, default=paths.RESULTS / "eksakt.json")
    p.add_argument("--out", type=Path, default=paths.RESULTS / "figurer" / "permutasjon.svg")
    a = p.parse_args(argv)

    def write() -> list[Path]:
        with open(a.src, encoding="utf-8") as fh:
            write_bytes(a.out, svg_bytes(draw(json.load(fh))))
        return [a.out]

    return run_step(f"eksakt_figur: {a.src}", write, (EksaktError, KeyError, FileNotFoundError, json.JSONDecodeError))

if __name__ == "__main__":
    sys.exit(entry(main))
