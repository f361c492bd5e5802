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
    """Read a tidy ``kontor, aar, indikator_id, verdi[, kilde]`` file for one year and check it.

    The same plausibility rules as the pre-flight check (``scripts.data.preflight``), so a
    file that slipped past it (or a cleaned målekort table) still cannot carry a share of
    250 % or a value of 1e308 into the results. Messages are Norwegian and name file, row
    and column. ``kilde`` (where a figure was published) is kept for the table's source note.
    """
    from scripts.data.preflight import number, value_problem

    df = pd.read_csv(path, dtype={"kontor": str, "indikator_id": str, "verdi": str})
    need = {"kontor", "indikator_id", "verdi"}
    if not need <= set(df.columns):
        raise DataError(f"{path}: mangler kolonnen/kolonnene {', '.join(sorted(need - set(df.columns)))}; "
                        f"forventet {', '.join(sorted(need))}")
    if "aar" in df.columns:
        bad = df[pd.to_numeric(df["aar"], errors="coerce") != year]
        if not bad.empty:
            raise DataError(f"{path}, rad {bad.index[0] + 2}, kolonne 'aar': verdien «{bad['aar'].iloc[0]}» "
                            f"stemmer ikke med året; forventet {year}")
    unknown = df[~df["kontor"].isin(offices)]
    if not unknown.empty:
        raise DataError(f"{path}, rad {unknown.index[0] + 2}, kolonne 'kontor': ukjent kontor "
                        f"{unknown['kontor'].iloc[0]!r}; forventet én av {', '.join(offices)}")
    df = df[df["indikator_id"].isin(indicator_ids)]
    units = {i["id"]: i["enhet"] for i in load_indicators()}
    for row, r in df.iterrows():
        why = value_problem(r["verdi"], units.get(r["indikator_id"]))
        if why:
            raise DataError(f"{path}, rad {row + 2}, kolonne 'verdi': verdien {r['verdi']!r} "
                            f"({r['indikator_id']}, kontor {r['kontor']}) {why}")
    kilde = df["kilde"].fillna("").astype(str) if "kilde" in df.columns else ""
    # Read as the check above did: "3,6" and "2 841" are numbers too.
    return df.assign(verdi=df["verdi"].map(number).astype(float), aar=year, kilde=kilde)[
        ["kontor", "aar", "indikator_id", "verdi", "kilde"]]


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
        finally:
            if fetched:
                a.src.unlink(missing_ok=True)
    except (DataError, FileNotFoundError) as exc:
        print(f"kontortall: {exc}", file=sys.stderr)
        return 1
    write_text(a.out, df.to_csv(index=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
