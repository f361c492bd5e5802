"""Compare the offices: build the results the chapters read (tables, rankings, highlights).

Inputs are the thesis facts in ``data/thesis/`` and the cleaned yearly data in
``build/data/`` (målekort year-end results and KOSTRA figures per office). Outputs go to
``build/results/``: JSON facts for the prose and ready markdown tables. Chapters only load
and show these; they never recompute.
"""
from __future__ import annotations

import argparse
import json
import math
import sys
from collections.abc import Iterable, Mapping
from pathlib import Path

import pandas as pd

from scripts import paths
from scripts.atomic import write_text
from scripts.cli import entry
from scripts.content import fmt, tables
from scripts.content.fmt import md_escape
from scripts.data.offices import DataError, load_indicators, read_office_values, read_yaml


def tools_table(csv: Path = paths.THESIS / "tabell_4_1.csv",
                spec: Path = paths.THESIS / "verktoy.yaml", offices: list[str] | None = None) -> pd.DataFrame:
    """Tabell 4.1 as offices × tools (cell text as printed); every cell must be present once."""
    df = pd.read_csv(csv, dtype=str, keep_default_na=False)
    cols = [c["id"] for c in read_yaml(spec)["kolonner"]]
    unknown = sorted(set(df["verktoy_id"]) - set(cols))
    if unknown:
        raise DataError(f"{csv}: kolonne 'verktoy_id': ukjent verktøy {', '.join(unknown)}; forventet ett av {', '.join(cols)}")
    dup = df[df.duplicated(["kontor", "verktoy_id"], keep=False)]
    if not dup.empty:
        rows = ", ".join(str(i + 2) for i in dup.index)
        raise DataError(f"{csv}: rad {rows}: samme kontor og verktøy står mer enn én gang; forventet én rad per kontor og verktøy")
    wide = df.pivot(index="kontor", columns="verktoy_id", values="tekst").reindex(columns=cols)
    if offices is not None:
        wide = wide.reindex(offices)
    missing = [(k, c) for k in wide.index for c in cols if pd.isna(wide.loc[k, c])]
    if missing:
        raise DataError(f"{csv}: mangler celler (kontor, verktøy): {'; '.join(f'{k}, {c}' for k, c in missing)}")
    return wide


def pipe_table(table: pd.DataFrame, widths: list[float], align: list[str]) -> str:
    """``table`` as a Pandoc pipe table with relative column widths (:func:`tables.pipe_table`)."""
    return tables.pipe_table(list(table.columns), table.values.tolist(), widths, align)


def tools_markdown(wide: pd.DataFrame, spec: Path = paths.THESIS / "verktoy.yaml") -> str:
    """Tabell 4.1 as a Pandoc pipe table (pandas + tabulate), office column first."""
    labels = {c["id"]: c["etikett"] for c in read_yaml(spec)["kolonner"]}
    table = pd.DataFrame({"Kontor": [f"Kontor {md_escape(k)}" for k in wide.index]})
    for col in wide.columns:
        table[md_escape(labels[col])] = [md_escape(v) for v in wide[col]]  # headers are data text too
    widths = [0.11] + [0.89 / len(wide.columns)] * len(wide.columns)
    return pipe_table(table, widths, ["left"] * len(table.columns))


def combine_year(year: int, malekort_csv: Path, kostra_csv: Path, indicators: list[dict],
                 offices: list[str]) -> pd.DataFrame:
    """All four indicators for every office in ``year``; missing values are an error naming them."""
    by_source = {"malekort": malekort_csv, "kostra": kostra_csv}
    parts = []
    for source, path in by_source.items():
        ids = {i["id"] for i in indicators if i["kilde"] == source}
        parts.append(read_office_values(path, year, offices, ids))
    df = pd.concat(parts, ignore_index=True)
    expected = {(k, i["id"]) for k in offices for i in indicators}
    missing = sorted(expected - set(df[["kontor", "indikator_id"]].itertuples(index=False, name=None)))
    if missing:
        raise DataError(f"{year}: mangler verdier (kontor, indikator): {'; '.join(f'{k}, {i}' for k, i in missing)}")
    return df


# --------------------------------------------------------------------------- the best-value rule
# The one place that decides which office is best, how offices rank and who leads a line.
# Tabell 4.2's highlight, the prose, Figur 4.1 and its alt text (through ``beste`` in the
# results file) and the office reports all ask these functions; nothing else compares values.

DIRECTIONS = ("hoyest_best", "lavest_best")


def present_values(values: Mapping[str, float | None]) -> dict[str, float]:
    """The offices that have a value; None and NaN mean "no value" and take no part in a comparison."""
    out = {}
    for office, value in values.items():
        if value is None or math.isnan(float(value)):
            continue
        out[office] = float(value)
    return out


def rank_values(values: Mapping[str, float | None], retning: str) -> dict[str, int]:
    """Competition ranking of the offices that have a value: 1 = best under ``retning``.

    Tied values share the better rank and the next rank is skipped ("1, 2, 2, 4"), so every
    office ranked 1 is a best office. ``retning`` is ``hoyest_best`` or ``lavest_best``.
    """
    if retning not in DIRECTIONS:
        raise ValueError(f"retning {retning!r}: forventet en av {list(DIRECTIONS)}")
    vals = present_values(values)
    better = (lambda w, v: w > v) if retning == "hoyest_best" else (lambda w, v: w < v)
    return {k: 1 + sum(1 for w in vals.values() if better(w, v)) for k, v in vals.items()}


def best_of(values: Mapping[str, float | None], retning: str) -> list[str]:
    """Offices with the best value under ``retning``, sorted (all of them when tied; none without values)."""
    return sorted(k for k, r in rank_values(values, retning).items() if r == 1)


def common_leaders(best_per_indicator: Iterable[Iterable[str]]) -> list[str]:
    """Offices that are among the best on every indicator given (none when no indicator is given)."""
    sets = [set(b) for b in best_per_indicator]
    return sorted(set.intersection(*sets)) if sets else []


def indicator_values(df: pd.DataFrame, indicator: dict) -> dict[str, float]:
    """Office -> value of one indicator in a tidy frame (``kontor``, ``indikator_id``, ``verdi``)."""
    sub = df[df["indikator_id"] == indicator["id"]]
    return {k: float(v) for k, v in sub.set_index("kontor")["verdi"].items()}


def best_offices(df: pd.DataFrame, indicator: dict) -> list[str]:
    """Offices with the best value on one indicator (all of them when tied)."""
    return best_of(indicator_values(df, indicator), indicator["retning"])


def ranks(df: pd.DataFrame, indicator: dict) -> dict[str, int]:
    """Rank 1 = best, ties share the best rank (competition ranking)."""
    return rank_values(indicator_values(df, indicator), indicator["retning"])


def line_leaders(df: pd.DataFrame, indicators: list[dict], linje: str) -> list[str]:
    """Offices that are best on every indicator of one line (stat or kommune)."""
    return common_leaders(best_offices(df, i) for i in indicators if i["linje"] == linje)


def indicator_summary(df: pd.DataFrame, ind: dict) -> dict:
    """What the chapters, the figure and the office reports read about one indicator.

    ``beste`` and ``rang`` come from the one rule above; the figure and the sentences take
    them from here instead of comparing values again.
    """
    values = indicator_values(df, ind)
    return {
        **{k: ind[k] for k in ("id", "etikett", "kort", "enhet", "retning", "kilde", "linje", "kildetekst")},
        "verdier": values,
        "tekst": {k: fmt.tall(v, ind["desimaler"], min_tusen=10**9) for k, v in values.items()},
        "beste": best_of(values, ind["retning"]),
        "rang": rank_values(values, ind["retning"]),
    }


def compare_with_thesis(df: pd.DataFrame, thesis_csv: Path, year: int) -> list[dict]:
    """Where the thesis publishes a value for this year, list any difference from our data."""
    pub = pd.read_csv(thesis_csv)
    pub = pub[pub["aar"] == year]
    merged = pub.merge(df, on=["kontor", "indikator_id"], how="inner", suffixes=("_oppgave", "_data"))
    return [{"kontor": r.kontor, "indikator_id": r.indikator_id, "oppgave": float(r.verdi_oppgave),
             "data": float(r.verdi_data)} for r in merged.itertuples() if r.verdi_oppgave != r.verdi_data]


def ssb_comparisons(series: pd.DataFrame, year: int, offices: list[str], snapshots: Path) -> tuple[dict, list]:
    """Reference values (public regions) and fetched-versus-published figures from SSB snapshots.

    Empty when there are no snapshots, or when the catalogue's content codes are not confirmed.
    """
    from scripts.analysis import kostra_compare
    from scripts.settings import load_catalogue, load_private_offices

    snaps = kostra_compare.load_snapshots(snapshots)
    if not snaps:
        return {}, []
    catalogue = load_catalogue()
    values = kostra_compare.indicator_values(snaps, catalogue, load_private_offices())
    return (kostra_compare.reference_values(values, catalogue, year),
            kostra_compare.fetched_vs_published(values, series, offices))


def _series_breaks(years: list[int]) -> dict:
    from scripts.analysis.kostra_compare import series_breaks
    from scripts.settings import load_catalogue

    return series_breaks(load_catalogue(), years)


def build_results(year: int, years: list[int], offices: list[str], data_dir: Path = paths.BUILD_DATA,
                  snapshots: Path = paths.RAW_KOSTRA) -> dict:
    """Assemble everything about the results of one edition year (plus the time series)."""
    indicators = load_indicators()
    frames = {}
    for y in sorted(set(years) | {year}):
        frames[y] = combine_year(y, data_dir / f"malekort_{y}.csv", data_dir / f"kostra_kontor_{y}.csv",
                                 indicators, offices)
    df = frames[year]
    state = [i for i in indicators if i["linje"] == "stat"]
    municipal = [i for i in indicators if i["linje"] == "kommune"]
    series = pd.concat(frames.values(), ignore_index=True)
    refs, fetched = ssb_comparisons(series, year, offices, snapshots)
    return {
        "referanser": refs,
        "hentet_mot_publisert": fetched,
        "aar": year,
        "aar_serie": sorted(frames),
        "kontorer": offices,
        "indikatorer": [indicator_summary(df, i) for i in indicators],
        "statlig_best": line_leaders(df, indicators, "stat"),
        "kommunal_best": line_leaders(df, indicators, "kommune"),
        "statlige_indikatorer": [i["id"] for i in state],
        "kommunale_indikatorer": [i["id"] for i in municipal],
        "avvik_fra_oppgaven": compare_with_thesis(df, paths.THESIS / "tabell_4_2.csv", year),
        "oppgaven_har_tall": bool((pd.read_csv(paths.THESIS / "tabell_4_2.csv")["aar"] == year).any()),
        "tidsserie": series.to_dict(orient="records"),
        # Series breaks inside the years shown (from the KOSTRA catalogue), for table and figure.
        "serieskifter": _series_breaks(sorted(frames)),
    }


def main(argv: list[str] | None = None) -> int:
    """CLI used by the Snakemake rules."""
    p = argparse.ArgumentParser(prog="python -m scripts.analysis.compare")
    sub = p.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("results", help="Tabell 4.2, rankings and highlights for one year")
    r.add_argument("--year", type=int, required=True)
    r.add_argument("--years", type=int, nargs="*", default=[])
    r.add_argument("--offices", nargs="+", required=True)
    r.add_argument("--out", type=Path, required=True)
    t = sub.add_parser("tools", help="Tabell 4.1")
    t.add_argument("--offices", nargs="+", required=True)
    t.add_argument("--out", type=Path, required=True)
    a = p.parse_args(argv)
    try:
        if a.cmd == "results":
            data = build_results(a.year, a.years, a.offices)
        else:
            wide = tools_table(offices=a.offices)
            spec = read_yaml(paths.THESIS / "verktoy.yaml")
            data = {"tabell_4_1_md": tools_markdown(wide), "tabell": spec["tabell"],
                    "andre_grep": spec["andre_grep"], "celler": wide.to_dict(orient="index")}
    except (DataError, FileNotFoundError) as exc:
        print(f"compare: {exc}", file=sys.stderr)
        return 1
    write_text(a.out, json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(entry(main))
