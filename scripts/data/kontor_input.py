"""Which offices get a report: every office in the edition year's målekort files.

Read when Snakemake parses the workflow (every ``snakemake`` call, ``-n`` and no-op runs
included), so this module uses only ``csv`` and, for ``.xlsx``, openpyxl's read-only mode;
no pandas. The full validation of the files happens in the job that reads them
(``scripts.analysis.kontor``, through ``scripts.data.malekort``).

An office identifier becomes part of a file name and a Snakemake wildcard, so it must be
short and plain: letters, digits, ``_`` or ``-`` (the thesis's A–F, or the generator's K001).
"""
from __future__ import annotations

import csv
import re
from pathlib import Path

from scripts import paths

OFFICE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$")
MARKER = "OPPDIKTEDE_TESTDATA.txt"  # written by scripts.data.generate in every made-up folder


class OfficeListError(ValueError):
    """The målekort files do not give a usable list of offices; the message says where."""


def data_dir(setting: str | None) -> Path:
    """The folder the office reports read (``kontor_data`` in the config; default data/raw)."""
    p = Path(setting or paths.RAW)
    return p if p.is_absolute() else paths.ROOT / p


def _under(base: Path, folder: Path) -> str:
    out = base if Path(folder).resolve() == paths.RAW.resolve() else base / Path(folder).resolve().name
    return str(out.relative_to(paths.ROOT))


def publish_dir(folder: Path) -> str:
    """Where the office reports from ``folder`` are published: ``build/kontorrapporter`` for the
    shipped data, a subfolder named after any other data folder (made-up data never end up
    beside the real reports, and switching folders leaves each set whole and up to date)."""
    return _under(paths.BUILD / "kontorrapporter", folder)


def work_dir(folder: Path) -> str:
    """Shared tables and staging for the reports from ``folder`` (``build/kontor[/<name>]``)."""
    return _under(paths.BUILD / "kontor", folder)


def malekort_files(folder: Path, year: int) -> list[Path]:
    """The målekort exports of one year in a data folder (as scripts.data.malekort reads them)."""
    d = folder / "malekort" / str(year)
    if not d.is_dir():
        return []
    return sorted(p for p in d.iterdir() if p.is_file() and not p.name.startswith(".")
                  and p.suffix.lower() in (".csv", ".xlsx"))


def _csv_offices(path: Path) -> list[tuple[int, str]]:
    text = path.read_text(encoding="utf-8-sig")
    first = text.split("\n", 1)[0]
    delim = ";" if first.count(";") >= first.count(",") else ","
    rows = csv.reader(text.splitlines(), delimiter=delim)
    header = [h.strip().lower() for h in next(rows, [])]
    if "kontor" not in header:
        raise OfficeListError(f"{path}: rad 1 mangler kolonnen «kontor»; fant {header}")
    i = header.index("kontor")
    return [(n, r[i].strip()) for n, r in enumerate(rows, start=2) if len(r) > i and r[i].strip()]


def _xlsx_offices(path: Path) -> list[tuple[int, str]]:
    import openpyxl

    wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        rows = wb.worksheets[0].iter_rows(values_only=True)
        header = [str(h or "").strip().lower() for h in next(rows, ())]
        if "kontor" not in header:
            raise OfficeListError(f"{path}: rad 1 mangler kolonnen «kontor»; fant {header}")
        i = header.index("kontor")
        return [(n, str(r[i]).strip()) for n, r in enumerate(rows, start=2)
                if len(r) > i and r[i] is not None and str(r[i]).strip()]
    finally:
        wb.close()


def offices(folder: Path, year: int) -> list[str]:
    """The distinct offices in the målekort files of ``year``, sorted; an identifier that
    cannot be a file name is an error naming file, row and value."""
    files = malekort_files(folder, year)
    if not files:
        raise OfficeListError(f"{folder / 'malekort' / str(year)}/: ingen målekort (.csv eller .xlsx) for {year}; "
                              "kontorrapportene lages for kontorene i disse filene")
    found: set[str] = set()
    for f in files:
        for row, office in (_xlsx_offices(f) if f.suffix.lower() == ".xlsx" else _csv_offices(f)):
            if not OFFICE_ID.match(office):
                raise OfficeListError(f"{f}, rad {row}, kolonne «kontor»: «{office}» kan ikke brukes som "
                                      "kontornavn; forventet bokstaver, sifre, _ eller - (høyst 32 tegn)")
            found.add(office)
    return sorted(found)


def is_made_up(folder: Path) -> bool:
    """Whether a data folder holds made-up test data (the generator's marker file is there)."""
    return (folder / MARKER).is_file()


def inputs(folder: Path, years: list[int]) -> list[str]:
    """Every file the shared office tables read from ``folder`` (for the rule's input)."""
    out = [p for y in years for p in malekort_files(folder, y)]
    out += [folder / "kostra_kontor" / f"{y}.csv" for y in years if (folder / "kostra_kontor" / f"{y}.csv").is_file()]
    out += [p for p in (folder / "kontorinfo.csv", folder / MARKER) if p.is_file()]
    kostra = folder / "kostra"
    if kostra.is_dir():
        out += sorted(kostra.rglob("*.json"))
    return [str(p.relative_to(paths.ROOT)) if p.is_relative_to(paths.ROOT) else str(p) for p in out]
