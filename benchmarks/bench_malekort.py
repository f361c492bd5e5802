"""Benchmark ``read_year`` on a large made-up målekort CSV.

All data generated here is MADE UP (random values for invented indicators); it
only exercises the reader. Reports wall time and peak Python memory
(tracemalloc) for a clean file, and for one with a share of bad cells so the
cost of building problem messages is visible too.

    python benchmarks/bench_malekort.py [--rows 100000] [--bad 1000] [--xlsx-rows 10000]

Reading .xlsx is dominated by openpyxl's XML parsing (``pandas.read_excel``
costs the same); real målekort workbooks have hundreds of rows, not 100 000,
so the xlsx run is off unless ``--xlsx-rows`` is given.
"""
from __future__ import annotations

import argparse
import contextlib
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from scripts.data.malekort import COLUMN_NAMES, MalekortError, read_year  # noqa: E402

OFFICES = list("ABCDEF")
YEAR = 2014


def made_up_frame(rows: int, seed: int = 2014) -> pd.DataFrame:
    """Unique office × month × indicator rows with random (made-up) values."""
    per_indicator = len(OFFICES) * 12
    n_indicators = -(-rows // per_indicator)
    rng = np.random.default_rng(seed)
    grid = pd.MultiIndex.from_product(
        [OFFICES, range(1, 13), range(n_indicators)], names=["kontor", "maaned", "nr"]
    ).to_frame(index=False).iloc[:rows]
    ids = "indikator_" + grid["nr"].astype(str).str.zfill(5)
    values = rng.uniform(0, 100, rows).round(1)
    return pd.DataFrame({
        "kontor": grid["kontor"],
        "aar": YEAR,
        "maaned": grid["maaned"],
        "perspektiv": np.array(["bruker", "medarbeider", "økonomi", "produksjon"])[grid["nr"] % 4],
        "indikator_id": ids,
        "indikator": "Oppdiktet indikator " + grid["nr"].astype(str),
        "linje": np.where(grid["nr"] % 3 == 0, "kommune", "stat"),
        # decimal comma, as a Norwegian Excel export would write it
        "verdi": pd.Series(values).map(lambda v: f"{v:.1f}".replace(".", ",")),
        "maal": "50",
        "grense_rod": "30",
        "grense_gul": "40",
        "grense_gronn": "50",
    })[list(COLUMN_NAMES)]


def write_xlsx(frame: pd.DataFrame, path: Path) -> None:
    """Write like Excel does (shared strings), via openpyxl's streaming writer."""
    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet("Målekort")
    sheet.append(list(frame.columns))
    for row in frame.itertuples(index=False):
        sheet.append(list(row))
    workbook.save(path)


def measure(folder: Path) -> tuple[float, float, str]:
    """Seconds (untraced run), peak MiB (traced run) and the outcome."""
    start = time.perf_counter()
    try:
        outcome = f"{len(read_year(YEAR, OFFICES, folder))} rows"
    except MalekortError as exc:
        outcome = f"{len(exc.problems)} problems"
    seconds = time.perf_counter() - start
    tracemalloc.start()
    with contextlib.suppress(MalekortError):
        read_year(YEAR, OFFICES, folder)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return seconds, peak / 2**20, outcome


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--bad", type=int, default=1_000,
                        help="rows with a non-numeric verdi in the second run")
    parser.add_argument("--xlsx-rows", type=int, default=0,
                        help="also time an .xlsx file with this many rows (0 = skip)")
    args = parser.parse_args()
    frame = made_up_frame(args.rows)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / str(YEAR)
        folder.mkdir()
        path = folder / "malekort_oppdiktet.csv"
        frame.to_csv(path, sep=";", index=False)
        size = path.stat().st_size / 2**20
        seconds, peak, outcome = measure(folder)
        print(f"clean: {args.rows} rows, {size:.1f} MiB csv: {seconds:.2f} s, "
              f"peak {peak:.0f} MiB (tracemalloc), {outcome}")
        bad = frame.copy()
        bad.loc[bad.index[: args.bad], "verdi"] = "ca 50"
        bad.to_csv(path, sep=";", index=False)
        seconds, peak, outcome = measure(folder)
        print(f"{args.bad} bad cells: {seconds:.2f} s, peak {peak:.0f} MiB, {outcome}")
        path.unlink()
        if args.xlsx_rows:
            write_xlsx(made_up_frame(args.xlsx_rows), folder / "malekort_oppdiktet.xlsx")
            seconds, peak, outcome = measure(folder)
            print(f"xlsx: {args.xlsx_rows} rows: {seconds:.2f} s, peak {peak:.0f} MiB, {outcome}")


if __name__ == "__main__":
    main()
