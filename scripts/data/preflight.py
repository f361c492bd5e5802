"""The check before any work starts: is every input of the edition there, and plausible?

The Snakefile calls :func:`problems` when it is read (every ``snakemake`` call), so a bad
or missing file stops the build before a single job has run and the last report stays as
it was. The messages are Norwegian, one line each, and name the file, the row (the header
is row 1), the column, the value and what was expected.

What is checked, per year of the edition (the edition year and ``years``):

- the målekort folder has an export, and the KOSTRA file per office exists;
- every office has a value for every indicator of Tabell 4.2 (``data/thesis/indikatorer.yaml``);
- ``aar`` in a file matches the year of its folder or file name;
- values are finite numbers in the indicator's range: shares (``enhet: prosent``) 0–100,
  amounts and counts (``kroner``) ≥ 0; anything larger than :data:`MAX_ABS` is refused
  (1e308 is finite, but no figure in this report is that large, and sums of such values
  overflow).

Parse time is every ``snakemake`` call, ``-n`` included, so this module uses the standard
library only (openpyxl is imported only when a year has an .xlsx export). Files it cannot
read as a table are left to the cleaning step, whose messages describe the format in detail.
"""
from __future__ import annotations

import csv
import io
import math
import re
from pathlib import Path

import yaml

from scripts import paths

# Larger than any figure this report shows (kroner per inhabitant, shares, counts of
# indicators); beyond it a value is a typing or export error, not a result.
MAX_ABS = 1e9
RANGES = {"prosent": (0.0, 100.0, "en andel fra 0 til 100 (prosent)"),
          "kroner": (0.0, MAX_ABS, f"et beløp fra 0 til {int(MAX_ABS):,} kroner".replace(",", " "))}
KOSTRA_COLUMNS = ("kontor", "aar", "indikator_id", "verdi", "kilde")
_SPACES = re.compile(r"[\s\u00a0\u202f]")


def load_indicators() -> list[dict]:
    """The indicators of Tabell 4.2 (id, enhet, kilde), read with yaml only."""
    with open(paths.THESIS / "indikatorer.yaml", encoding="utf-8") as fh:
        return yaml.safe_load(fh)["indikatorer"]


def number(text: str) -> float | None:
    """A cell as a number the way the cleaning step reads it (decimal comma, spaces as
    thousands separators, typographic minus); None when it is not a number at all."""
    cleaned = _SPACES.sub("", str(text)).replace("\u2212", "-").replace(",", ".")
    try:
        return float(cleaned)
    except ValueError:
        return None


def value_problem(text: str, enhet: str | None) -> str | None:
    """Why a value cell is not plausible (Norwegian, starting after 'verdien …'), or None."""
    v = number(text)
    if v is None:
        return "er ikke et tall; forventet et tall som 3,6 eller 2841"
    if not math.isfinite(v):
        return "er ikke et endelig tall; forventet et vanlig tall"
    if enhet in RANGES:
        lo, hi, what = RANGES[enhet]
        if not lo <= v <= hi:
            return f"er utenfor det mulige; forventet {what}"
    elif abs(v) > MAX_ABS:
        return f"er urimelig stort; forventet et tall mellom −{MAX_ABS:.0e} og {MAX_ABS:.0e}"
    return None


def _rel(path: Path) -> str:
    """The path as the user knows it: relative to the project when inside it."""
    try:
        return str(Path(path).relative_to(paths.ROOT))
    except ValueError:
        return str(path)


def _where(path: Path, row: int, column: str) -> str:
    return f"{_rel(path)}, rad {row}, kolonne '{column}'"


def _shown(text: str) -> str:
    text = str(text)
    return repr(text if len(text) <= 40 else text[:39] + "…")


def read_rows(path: Path) -> list[dict[str, str]] | None:
    """Rows of a .csv (``,`` or ``;``) or the first sheet of an .xlsx as dicts of text,
    each with ``_rad`` (spreadsheet row); None when the file cannot be read as a table."""
    try:
        if path.suffix.lower() == ".xlsx":
            return _xlsx_rows(path)
        raw = path.read_bytes()
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = raw.decode("cp1252", errors="replace")
        first = text.split("\n", 1)[0]
        delim = ";" if first.count(";") > first.count(",") else ","
        reader = csv.reader(io.StringIO(text), delimiter=delim)
        rows = list(reader)
    except Exception:  # unreadable: the cleaning step explains the format problem
        return None
    return _as_dicts(rows)


def _xlsx_rows(path: Path) -> list[dict[str, str]] | None:
    import openpyxl

    wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        ws = wb.worksheets[0]
        rows = [["" if c is None else str(c) for c in r] for r in ws.iter_rows(values_only=True)]
    finally:
        wb.close()
    return _as_dicts(rows)


def _as_dicts(rows: list[list[str]]) -> list[dict[str, str]] | None:
    if not rows:
        return None
    header = [h.strip() for h in rows[0]]
    out = []
    for n, r in enumerate(rows[1:], start=2):
        if not any(str(c).strip() for c in r):
            continue
        d = {h: (str(r[i]).strip() if i < len(r) else "") for i, h in enumerate(header) if h}
        d["_rad"] = str(n)
        out.append(d)
    return out


def _year_problem(path: Path, row: dict, year: int) -> str | None:
    got = number(row.get("aar", ""))
    if got == year:
        return None
    return (f"{_where(path, int(row['_rad']), 'aar')}: verdien {_shown(row.get('aar', ''))} stemmer ikke "
            f"med året filen ligger under; forventet {year}")


def check_kostra_offices(path: Path, year: int, offices: list[str], indicators: list[dict]
                         ) -> tuple[list[str], list[str]]:
    """(missing, implausible) for one year's ``data/raw/kostra_kontor/<år>.csv``."""
    kostra = [i for i in indicators if i["kilde"] == "kostra"]
    rel = _rel(path)
    if not path.is_file() and (fetched := fetched_rows(year)):
        return _check_fetched(fetched, year, offices, kostra)
    if not path.is_file():
        return [f"{rel} finnes ikke: KOSTRA-tall per kontor (kolonner {','.join(KOSTRA_COLUMNS)}; "
                f"indikatorer {', '.join(i['id'] for i in kostra)})"], []
    rows = read_rows(path)
    if rows is None:
        return [], [f"{rel}: kan ikke leses som en csv-fil; forventet kolonnene {','.join(KOSTRA_COLUMNS)}"]
    header_missing = [c for c in ("kontor", "aar", "indikator_id", "verdi") if rows and c not in rows[0]]
    if header_missing:
        return [], [f"{rel}, rad 1: mangler kolonnen/kolonnene {', '.join(header_missing)}; "
                    f"forventet {','.join(KOSTRA_COLUMNS)}"]
    units = {i["id"]: i["enhet"] for i in kostra}
    bad, have = [], set()
    for r in rows:
        n = int(r["_rad"])
        if (p := _year_problem(path, r, year)):
            bad.append(p)
        if r["kontor"] not in offices:
            bad.append(f"{_where(path, n, 'kontor')}: verdien {_shown(r['kontor'])} er ikke et kontor i "
                       f"konfigurasjonen; forventet én av {', '.join(offices)}")
            continue
        if r["indikator_id"] not in units:
            continue  # other KOSTRA figures may ride along; they are not used
        have.add((r["kontor"], r["indikator_id"]))
        why = value_problem(r["verdi"], units[r["indikator_id"]])
        if why:
            bad.append(f"{_where(path, n, 'verdi')}: verdien {_shown(r['verdi'])} ({r['indikator_id']}, "
                       f"kontor {r['kontor']}) {why}")
    missing = [f"{rel}: ingen verdi for kontor {k}, {i['id']}" for k in offices for i in kostra
               if (k, i["id"]) not in have]
    return missing, bad


def fetched_rows(year: int) -> list[dict]:
    """Per-office KOSTRA rows for ``year`` from the fetched private snapshots (empty without
    a private mapping or snapshots); only then are the catalogue and mapping read."""
    folder = paths.RAW_KOSTRA / "private"
    if not paths.PRIVATE_OFFICES.is_file() or not folder.is_dir():
        return []
    from scripts.data.kostra_offices import office_values
    from scripts.settings import load_catalogue, load_private_offices

    return office_values(year, load_private_offices(), load_catalogue(), folder)


def _check_fetched(rows: list[dict], year: int, offices: list[str], kostra: list[dict]
                   ) -> tuple[list[str], list[str]]:
    """The same checks for figures that came from the fetch (no file row to name: the office
    and indicator say where; the municipality number is never shown)."""
    where = f"{_rel(paths.RAW_KOSTRA / 'private')} (hentet fra SSB)"
    units = {i["id"]: i["enhet"] for i in kostra}
    have = {(r["kontor"], r["indikator_id"]) for r in rows}
    bad = [f"{where}, kontor {r['kontor']}, {r['indikator_id']}, {year}: verdien {_shown(r['verdi'])} {why}"
           for r in rows if r["indikator_id"] in units
           and (why := value_problem(str(r["verdi"]), units[r["indikator_id"]]))]
    missing = [f"{where}: ingen verdi for kontor {k}, {i['id']} i {year} (hent på nytt, eller legg tallene i "
               f"{_rel(paths.kostra_offices_csv(year))})" for k in offices for i in kostra if (k, i["id"]) not in have]
    return missing, bad


def check_malekort(folder: Path, year: int, offices: list[str], indicators: list[dict]
                   ) -> tuple[list[str], list[str]]:
    """(missing, implausible) for one year's målekort folder (Tabell 4.2's målekort indicators)."""
    rel = _rel(folder)
    files = sorted(p for p in folder.iterdir() if p.is_file() and not p.name.startswith((".", "~$"))
                   and p.suffix.lower() in (".csv", ".xlsx")) if folder.is_dir() else []
    wanted = [i for i in indicators if i["kilde"] == "malekort"]
    if not files:
        return [f"{rel}/ har ingen målekorteksport (.xlsx eller .csv) for {year}; se docs/malekort-format.md"], []
    units = {i["id"]: i["enhet"] for i in wanted}
    bad, have, readable = [], set(), True
    for path in files:
        rows = read_rows(path)
        if rows is None or (rows and not {"kontor", "aar", "indikator_id", "verdi"} <= set(rows[0])):
            readable = False  # the cleaning step names the format problem
            continue
        for r in rows:
            n = int(r["_rad"])
            if r.get("aar", "") and (p := _year_problem(path, r, year)):
                bad.append(p)
            if not r.get("verdi"):
                continue  # an empty required cell: the cleaning step names it
            have.add((r.get("kontor"), r.get("indikator_id")))
            why = value_problem(r["verdi"], units.get(r.get("indikator_id")))
            if why:
                bad.append(f"{_where(path, n, 'verdi')}: verdien {_shown(r['verdi'])} "
                           f"({r.get('indikator_id')}, kontor {r.get('kontor')}) {why}")
    if not readable:
        return [], bad
    missing = [f"{rel}/: ingen verdi for kontor {k}, {i['id']}" for k in offices for i in wanted
               if (k, i["id"]) not in have]
    return missing, bad


def problems(year: int, years: list[int], offices: list[str], fetch: bool = False) -> str:
    """Everything wrong with the edition's inputs as one Norwegian message ('' when all is well).

    Missing things are listed per year (only years with something missing); implausible
    values follow, each with file, row, column, value and what was expected.

    With ``fetch`` (``--config fetch=true``) the KOSTRA figures are not checked, since the
    fetch is what brings them, and nothing is reported missing, so a new year can be fetched
    before its målekort exports are in. The values of the målekort files that are there are
    still checked: a bad file is named before any work, fetch or build, starts. The next
    build without ``fetch`` checks everything.
    """
    indicators = load_indicators()
    missing: dict[int, list[str]] = {}
    bad: list[str] = []
    for y in sorted(set(years) | {year}):
        m1, b1 = check_malekort(paths.malekort_dir(y), y, offices, indicators)
        m2, b2 = ([], []) if fetch else check_kostra_offices(paths.kostra_offices_csv(y), y, offices, indicators)
        if m1 + m2 and not fetch:
            missing[y] = m1 + m2
        bad += b1 + b2
    parts = []
    if missing:
        parts.append(f"Data mangler for {', '.join(map(str, missing))}; ingenting er bygget.")
        for y, lines in missing.items():
            parts.append(f"Mangler for {y}:\n  " + "\n  ".join(lines))
    if bad:
        parts.append(("Ugyldige verdier; ingenting er bygget:" if not missing else "Ugyldige verdier:")
                     + "\n  " + "\n  ".join(bad))
    if parts:
        parts.append("Se README.md, «Oppdatere med nye tall», og docs/malekort-format.md.")
    return "\n".join(parts)
