"""Made-up test data for the office reports: målekort files and KOSTRA figures for N offices.

Everything written here is invented ("oppdiktede testdata") and says so: the folder holds a
marker file (``MARKER``), the målekort file's name carries ``oppdiktet``, every målekort row's
indicator text and every row of the KOSTRA and office files say it in ``kilde``, and every report built from the folder
prints it on every page. The values are drawn around the thesis's published values
(Tabell 4.2: 50–56 % and 30–47 % of job seekers with overgang til arbeid, 2,9–3,6 % social
assistance recipients, about 2 800 kr net expenditure per inhabitant) so the reports look like
real ones, and from a seeded generator so the same seed gives the same bytes.

    python -m scripts.data.generate --offices 250 --seed 1 --years 2013 2014 --out build/oppdiktet/250

The folder has the layout of ``data/raw`` (which it never touches)::

    <out>/OPPDIKTEDE_TESTDATA.txt
    <out>/malekort/<år>/malekort_<år>_oppdiktet.csv
    <out>/kostra_kontor/<år>.csv
    <out>/kontorinfo.csv          kontor, innbyggere, kostragruppe (for the peer groups)
"""
from __future__ import annotations

import argparse
import csv
import io
import sys
from pathlib import Path

import numpy as np

from scripts import paths
from scripts.atomic import write_text
from scripts.cli import entry
from scripts.data.kontor_input import MARKER

LABEL = "oppdiktede testdata"
# Made-up KOSTRA group codes (the assignment is invented; the codes only give the groups names).
GROUPS = ("EKG10", "EKG11", "EKG12", "EKG13")

# id -> (centre, spread, lowest, highest, decimals): around the thesis's values (p. 40–41).
SPREAD = {
    "arbeidssokere_overgang_arbeid": (52.0, 3.5, 35.0, 70.0, 0),
    "nedsatt_arbeidsevne_overgang_arbeid": (36.0, 6.0, 15.0, 60.0, 0),
    "sosialhjelpsmottakere_andel": (3.2, 0.8, 1.0, 8.0, 1),
    "netto_driftsutgifter_sosialtjenesten": (2800.0, 450.0, 1200.0, 5000.0, 0),
}
MALEKORT_TEXT = {
    "arbeidssokere_overgang_arbeid": "Andel arbeidssøkere med overgang til arbeid",
    "nedsatt_arbeidsevne_overgang_arbeid": "Andel personer med nedsatt arbeidsevne med overgang til arbeid",
}
HEADER = ("kontor;aar;maaned;perspektiv;indikator_id;indikator;linje;verdi;maal;"
          "grense_rod;grense_gul;grense_gronn")


def office_ids(n: int) -> list[str]:
    """``K001`` … : identifiers that are obviously not real offices or municipalities."""
    width = max(3, len(str(n)))
    return [f"K{i:0{width}d}" for i in range(1, n + 1)]


def draw(n: int, seed: int, years: list[int]) -> dict:
    """All values: ``{"info": {office: (inhabitants, group)}, "values": {year: {id: {office: v}}}}``.

    The first year is drawn around the centre; each later year moves a little from the one
    before (offices keep their level, as real ones mostly do).
    """
    rng = np.random.default_rng(seed)
    ids = office_ids(n)
    inhabitants = np.clip(np.round(rng.lognormal(np.log(25_000), 0.9, n), -2), 3_000, 700_000).astype(int)
    groups = rng.choice(len(GROUPS), n)
    values: dict[int, dict[str, dict[str, float]]] = {}
    level = {k: rng.normal(c, s, n) for k, (c, s, *_rest) in SPREAD.items()}
    for y in sorted(years):
        values[y] = {}
        for k, (_c, s, lo, hi, dec) in SPREAD.items():
            level[k] = level[k] + rng.normal(0, s / 4, n) if y != min(years) else level[k]
            v = np.round(np.clip(level[k], lo, hi), dec)
            values[y][k] = {o: float(x) for o, x in zip(ids, v, strict=True)}
    info = {o: (int(i), GROUPS[g]) for o, i, g in zip(ids, inhabitants, groups, strict=True)}
    return {"info": info, "values": values}


def fmt_value(v: float, dec: int) -> str:
    return f"{v:.{dec}f}"


def malekort_csv(year: int, values: dict[str, dict[str, float]]) -> str:
    """One målekort export (the import format of docs/malekort-format.md), December only."""
    lines = [HEADER]
    for ind, text in MALEKORT_TEXT.items():
        for office, v in values[ind].items():
            lines.append(f"{office};{year};12;bruker;{ind};{text} ({LABEL});stat;"
                         f"{fmt_value(v, SPREAD[ind][4])};;;;")
    return "\n".join([lines[0], *sorted(lines[1:])]) + "\n"


def kostra_csv(year: int, values: dict[str, dict[str, float]]) -> str:
    """KOSTRA figures per office, in the columns of data/raw/kostra_kontor/<år>.csv."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["kontor", "aar", "indikator_id", "verdi", "kilde"])
    offices = sorted(next(iter(values.values())))
    for office in offices:
        for ind in SPREAD:
            if ind not in MALEKORT_TEXT:
                w.writerow([office, year, ind, fmt_value(values[ind][office], SPREAD[ind][4]),
                            f"{LABEL.capitalize()}, ikke KOSTRA"])
    return buf.getvalue()


def info_csv(info: dict[str, tuple[int, str]]) -> str:
    """Inhabitants and KOSTRA group per office: what the peer groups are made from."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["kontor", "innbyggere", "kostragruppe", "kilde"])
    for office, (inh, group) in sorted(info.items()):
        w.writerow([office, inh, group, LABEL])
    return buf.getvalue()


def generate(n: int, seed: int, years: list[int], out: Path) -> list[Path]:
    """Write the whole made-up data folder; refuses to write into data/raw."""
    out = Path(out).resolve()
    if out == paths.RAW or paths.RAW in out.parents:
        raise ValueError(f"{out}: oppdiktede testdata skrives aldri under {paths.RAW}; velg en annen mappe")
    if n < 1:
        raise ValueError(f"--offices {n}: forventet minst ett kontor")
    data = draw(n, seed, years)
    written = []

    def put(path: Path, text: str) -> None:
        write_text(path, text)
        written.append(path)

    put(out / MARKER, f"Alt i denne mappen er {LABEL}: {n} kontorer, frø {seed}, år "
        f"{', '.join(map(str, sorted(years)))}.\nLaget av python -m scripts.data.generate; "
        "tallene beskriver ingen virkelige NAV-kontorer.\n")
    for y in sorted(years):
        put(out / "malekort" / str(y) / f"malekort_{y}_oppdiktet.csv", malekort_csv(y, data["values"][y]))
        put(out / "kostra_kontor" / f"{y}.csv", kostra_csv(y, data["values"][y]))
    put(out / "kontorinfo.csv", info_csv(data["info"]))
    return written


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m scripts.data.generate", description=__doc__.split("\n")[0])
    p.add_argument("--offices", type=int, required=True, help="antall kontorer")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--years", type=int, nargs="+", default=[2013, 2014])
    p.add_argument("--out", type=Path, required=True, help="mappe utenfor data/raw, f.eks. build/oppdiktet/250")
    a = p.parse_args(argv)
    try:
        files = generate(a.offices, a.seed, a.years, a.out)
    except ValueError as exc:
        print(f"generate: {exc}", file=sys.stderr)
        return 1
    print(f"skrev {len(files)} filer med {LABEL} i {a.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(entry(main))
