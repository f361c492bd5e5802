"""Figures per office and indicator: the indicator list and the published KOSTRA figures.

``python -m scripts.data.offices --year 2014 --offices A B … --src data/raw/kostra_kontor/2014.csv
--out build/data/kostra_kontor_2014.csv`` validates one year's KOSTRA figures per office and
writes the tidy table the comparisons read. Errors name the file, row and column.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pandas as pd
import yaml

from scripts import paths
from scripts.atomic import write_text
from scripts.cli import entry
from scripts.data.values import nearest, number, value_problem


class DataError(ValueError):
    """Input data that do not have the expected shape; the message names file and field."""


def read_yaml(path: Path) -> dict:
    with open(path, encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def load_indicators(path: Path = paths.THESIS / "indikatorer.yaml") -> list[dict]:
    """The indicators of Tabell 4.2 in printed order, with unit, source and direction."""
    inds = read_yaml(path)["indikatorer"]
    for i, ind in enumerate(inds):
        if ind.get("retning") not in ("hoyest_best", "lavest_best"):
            raise DataError(f"{path}: indikatorer[{i}].retning: ukjent retning {ind.get('retning')!r}; "
                            "forventet 'hoyest_best' eller 'lavest_best'")
    return inds


def read_office_values(path: Path, year: int, offices: list[str], indicator_ids: set[str]) -> pd.DataFrame:
    """Read a tidy ``kontor, aar, indikator_id, verdi[, kilde]`` file for one year and check each
    row: the year, the office, a plausible value (``scripts.data.values``) for the indicators asked
    for. Raises one ``DataError`` naming file, row and column of every bad row (the header is
    row 1). ``kilde`` (where a figure was published) is kept for the source note."""
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    need = {"kontor", "indikator_id", "verdi"}
    if not need <= set(df.columns):
        raise DataError(f"{path}: mangler kolonnen/kolonnene {', '.join(sorted(need - set(df.columns)))}; "
                        f"forventet {', '.join(sorted(need))}")
    units = {i["id"]: i["enhet"] for i in load_indicators()}
    problems = []
    for n, r in zip(df.index + 2, df.to_dict("records"), strict=True):
        where = f"{path}, rad {n}, kolonne"
        if "aar" in r and number(r["aar"]) != year:
            problems.append(f"{where} 'aar': verdien «{r['aar']}» stemmer ikke med året; forventet {year}")
        if r["kontor"] not in offices:
            problems.append(f"{where} 'kontor': ukjent kontor {r['kontor']!r}; forventet én av {', '.join(offices)}")
        elif r["indikator_id"] in indicator_ids and (why := value_problem(r["verdi"], units.get(r["indikator_id"]))):
            problems.append(f"{where} 'verdi': verdien {r['verdi']!r} ({r['indikator_id']}, kontor {r['kontor']}) {why}")
    if problems:
        raise DataError(problems[0] if len(problems) == 1 else
                        f"{len(problems)} feil i {path}:\n  " + "\n  ".join(problems))
    df = df[df["indikator_id"].isin(indicator_ids)]
    kilde = df["kilde"] if "kilde" in df.columns else ""
    return df.assign(verdi=df["verdi"].map(number).astype(float), aar=year, kilde=kilde)[
        ["kontor", "aar", "indikator_id", "verdi", "kilde"]]


def missing_values(path: Path, year: int, offices: list[str], indicator_ids: set[str]) -> list[str]:
    """Each office and indicator without a figure in ``path``; an id in the file that resembles a
    missing one is named with its row (almost always a typing error)."""
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    have = set(zip(df["kontor"], df["indikator_id"], strict=True))
    lines = []
    for k in offices:
        for ind in sorted(indicator_ids):
            if (k, ind) in have:
                continue
            line = f"{path}: ingen verdi for kontor {k}, {ind} i {year}"
            typos = [(n, i) for n, (kk, i) in enumerate(zip(df["kontor"], df["indikator_id"], strict=True), 2)
                     if kk == k and i not in indicator_ids and nearest(i, [ind])]
            if typos:
                line += f"; rad {typos[0][0]} har indikator_id '{typos[0][1]}', som ligner: mente du '{ind}'?"
            lines.append(line)
    return lines


def fetched_csv(year: int, out: Path) -> Path:
    """No typed-in file for ``year``: the figures the fetch stored for the offices' municipalities,
    turned into office letters through the private mapping, as a CSV beside ``out``."""
    from scripts.data.kostra_offices import office_values
    from scripts.settings import load_catalogue, load_private_offices

    rows = office_values(year, load_private_offices(), load_catalogue())
    if not rows:
        raise DataError(f"{paths.kostra_offices_csv(year).relative_to(paths.ROOT)} finnes ikke, og det er "
                        f"ingen hentede KOSTRA-tall per kontor for {year}")
    tmp = out.with_name(f".{out.name}.hentet.csv")
    write_text(tmp, pd.DataFrame(rows).to_csv(index=False))
    return tmp


def main(argv: list[str] | None = None) -> int:
    """CLI used by the rule ``clean_kostra_offices``."""
    p = argparse.ArgumentParser(prog="python -m scripts.data.offices")
    p.add_argument("--year", type=int, required=True)
    p.add_argument("--offices", nargs="+", required=True)
    p.add_argument("--src", type=Path, required=True)
    p.add_argument("--out", type=Path, required=True)
    a = p.parse_args(argv)
    try:
        ids = {i["id"] for i in load_indicators() if i["kilde"] == "kostra"}
        fetched = not a.src.is_file()
        if fetched:
            a.src = fetched_csv(a.year, a.out)
        try:
            df = read_office_values(a.src, a.year, a.offices, ids)
            if missing := missing_values(a.src, a.year, a.offices, ids):
                raise DataError(f"{len(missing)} verdier mangler:\n  " + "\n  ".join(missing))
        finally:
            if fetched:
                a.src.unlink(missing_ok=True)
    except (DataError, FileNotFoundError) as exc:
        print(f"kontortall: {exc}", file=sys.stderr)
        return 1
    write_text(a.out, df.to_csv(index=False))
    return 0


if __name__ == "__main__":
    sys.exit(entry(main))
