"""Import, validate and summarise NAV målekort exports.

One import format (long/tidy): one row per office × year × month × indicator.
The column definition lives in ``COLUMNS``; the templates in ``data/templates``
and the Norwegian format description in ``docs/malekort-format.md`` follow it.

Reading collects *every* problem in every file of a year before raising a single
``MalekortError``, so whoever maintains the spreadsheets can fix them in one go
instead of one error per run. Messages name the file, the spreadsheet row (the
header is row 1) and the column.

Usage::

    python -m scripts.data.malekort clean --year 2014 --offices A B C D E F \\
        --out build/data/malekort_2014.csv
    python -m scripts.data.malekort templates
"""
from __future__ import annotations

import argparse
import io
import re
import sys
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pandas as pd

from scripts import atomic
from scripts.cli import entry
from scripts.data.values import nearest, parse_numbers, per_unique, value_problem
from scripts.paths import BUILD_DATA, ROOT, TEMPLATES, malekort_dir

# --------------------------------------------------------------------------- #
# The format
# --------------------------------------------------------------------------- #

PERSPECTIVES = ("bruker", "medarbeider", "økonomi", "produksjon")
LINES = ("stat", "kommune")
MONTHS = range(1, 13)
# Years outside this window are almost certainly typing errors (e.g. "214").
YEAR_RANGE = (2000, 2100)


@dataclass(frozen=True)
class Column:
    """One column of the import format.

    ``kind`` selects the parser; the Norwegian fields feed the template's
    "Forklaring" sheet and must stay in step with docs/malekort-format.md.
    """

    name: str
    kind: str  # office | year | month | choice | id | text | number
    required: bool
    type_nb: str
    allowed_nb: str
    description_nb: str
    example: str  # made up, shown only as an illustration of the format
    choices: tuple[str, ...] = ()


COLUMNS: tuple[Column, ...] = (
    Column("kontor", "office", True, "tekst", "kontorene i prosjektets config (A–F)",
           "Kontoret raden gjelder, anonymisert som A–F.", "A"),
    Column("aar", "year", True, "heltall", "samme år som mappen filen ligger i",
           "Året tallet gjelder.", "2014"),
    Column("maaned", "month", True, "heltall", "1–12",
           "Måneden tallet gjelder. 12 = desember, som gir årsresultatet.", "6"),
    Column("perspektiv", "choice", True, "tekst", ", ".join(PERSPECTIVES),
           "Perspektivet i målekortet indikatoren hører til.", "bruker",
           PERSPECTIVES),
    Column("indikator_id", "id", True, "tekst",
           "små bokstaver a–z, tall og _, begynner med bokstav",
           "Fast, kort id for indikatoren. Bruk samme id hver måned og hvert år.",
           "brukertilfredshet_mottak"),
    Column("indikator", "text", True, "tekst", "fritekst",
           "Navnet på indikatoren slik det står i målekortet.",
           "Brukertilfredshet i mottaket"),
    Column("linje", "choice", True, "tekst", ", ".join(LINES),
           "stat = statlig indikator fra statistikkbanken; kommune = kommunal "
           "indikator kontoret selv har lagt inn.", "kommune", LINES),
    Column("verdi", "number", True, "tall", "tall; desimalkomma eller -punktum",
           "Resultatet for måneden, i indikatorens enhet (prosent skrives 52, ikke 0,52).",
           "4,2"),
    Column("maal", "number", False, "tall", "tall eller tom",
           "Målet for indikatoren, om det finnes.", "4,5"),
    Column("grense_rod", "number", False, "tall", "tall eller tom",
           "Grenseverdi for rødt, slik kommunen har satt den.", "3,5"),
    Column("grense_gul", "number", False, "tall", "tall eller tom",
           "Grenseverdi for gult, slik kommunen har satt den.", "4,0"),
    Column("grense_gronn", "number", False, "tall", "tall eller tom",
           "Grenseverdi for grønt, slik kommunen har satt den.", "4,5"),
)

COLUMN_NAMES: tuple[str, ...] = tuple(c.name for c in COLUMNS)
REQUIRED_COLUMNS: tuple[str, ...] = tuple(c.name for c in COLUMNS if c.required)
OPTIONAL_COLUMNS: tuple[str, ...] = tuple(c.name for c in COLUMNS if not c.required)
KEY_COLUMNS: tuple[str, ...] = ("kontor", "aar", "maaned", "indikator_id")
# Provenance columns added by the reader so every value can be traced to a cell.
SOURCE_COLUMNS: tuple[str, ...] = ("kilde", "rad")

SPREADSHEET_SUFFIXES = (".xlsx", ".csv")
TEMPLATE_XLSX = "malekort_mal.xlsx"
TEMPLATE_CSV = "malekort_mal.csv"
TEMPLATE_DATA_SHEET = "Målekort"
TEMPLATE_HELP_SHEET = "Forklaring"
TEMPLATE_HELP_HEADER = ("Kolonne", "Påkrevd", "Type", "Tillatte verdier", "Forklaring",
                        "Eksempel (oppdiktet)")
TEMPLATE_HELP_NOTE = ("Eksempelverdiene er oppdiktet og viser bare formatet. "
                      "Én rad per kontor, år, måned og indikator. Fyll ut arket "
                      f"«{TEMPLATE_DATA_SHEET}»; raden med kolonnenavn skal stå på rad 1.")

_ID_PATTERN = r"[a-z][a-z0-9_]*"
_MAX_SHOWN = 60


class MalekortError(ValueError):
    """Målekort data failed validation; ``problems`` lists every problem found."""

    def __init__(self, problems: Sequence[str]):
        self.problems = list(problems)
        count = len(self.problems)
        noun = "feil"
        lines = "\n".join(f"  - {p}" for p in self.problems)
        super().__init__(f"{count} {noun} i målekortdata:\n{lines}")


class Problem(NamedTuple):
    """One validation problem; ``row`` 0 and ``column`` None mean the whole file."""

    source: str
    row: int
    column: str | None
    message: str
    position: int = 0  # header problems: keep the order of the columns in the file

    def sort_key(self) -> tuple[str, int, int, int, str]:
        col = COLUMN_NAMES.index(self.column) if self.column in COLUMN_NAMES else -1
        return (self.source, self.row, col, self.position, self.message)

    def __str__(self) -> str:
        where = self.source
        if self.row:
            where += f", rad {self.row}"
        if self.column:
            where += f", kolonne '{self.column}'"
        return f"{where}: {self.message}"


class _FileProblem(Exception):
    """A file that cannot be read as a table at all (empty, not a spreadsheet)."""


# --------------------------------------------------------------------------- #
# Small helpers
# --------------------------------------------------------------------------- #


def _display(path: Path) -> str:
    """Path as the user knows it: relative to the repository when inside it."""
    try:
        return Path(path).resolve().relative_to(ROOT).as_posix()
    except ValueError:
        return str(path)


def _shown(value: str) -> str:
    """Quote a cell for a message, shortened so one bad cell can't flood the list."""
    text = str(value)
    if len(text) > _MAX_SHOWN:
        text = text[: _MAX_SHOWN - 1] + "…"
    return f"'{text}'"


def _expected_columns_text() -> str:
    return (f"forventede kolonner: {', '.join(REQUIRED_COLUMNS)} (påkrevd) "
            f"og {', '.join(OPTIONAL_COLUMNS)} (valgfri)")


# --------------------------------------------------------------------------- #
# Reading files into text tables
# --------------------------------------------------------------------------- #


def _sniff_problem(head: bytes) -> str | None:
    """Recognise common wrong file types from their first bytes."""
    if head.startswith(b"%PDF"):
        return "ikke et regneark: dette er en PDF-fil; eksporter målekortet som .xlsx eller .csv"
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        return ("ikke et regneark programmet leser: gammel Excel (.xls) eller annet binært "
                "Office-format; åpne filen i Excel og lagre som .xlsx")
    return None


def _table_from_rows(rows: list[list[str]]) -> tuple[list[str], pd.DataFrame]:
    """Split raw rows into header and a text frame indexed by spreadsheet row number.

    Blank rows are dropped here but keep their numbers, so messages still point
    at the row the user sees.
    """
    if not rows or not any(cell.strip() for cell in rows[0]):
        raise _FileProblem("filen er tom (ingen rad med kolonnenavn på rad 1)")
    width = max(len(r) for r in rows)
    padded = [r + [""] * (width - len(r)) for r in rows]
    header = [h.strip().lower() for h in padded[0]]
    data = pd.DataFrame(padded[1:], index=range(2, len(padded) + 1), dtype="str")
    return header, data


def _read_csv_text(path: Path) -> tuple[list[str], pd.DataFrame]:
    """Read a UTF-8 csv file (``;`` or ``,`` separated) as text."""
    raw = path.read_bytes()
    if not raw.strip():
        raise _FileProblem("filen er tom")
    sniffed = _sniff_problem(raw[:8])
    if sniffed:
        raise _FileProblem(sniffed)
    if raw.startswith(b"PK\x03\x04"):
        raise _FileProblem("ikke en csv-fil: dette ser ut som en Excel-arbeidsbok; "
                           "gi den endelsen .xlsx, eller lagre som CSV UTF-8")
    if b"\x00" in raw[:4096]:
        raise _FileProblem("ikke et regneark: filen inneholder binærdata")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise _FileProblem(
            f"ikke UTF-8-tekst (byte {exc.start}); velg «CSV UTF-8» når du lagrer i Excel"
        ) from None
    first_line = text.lstrip().split("\n", 1)[0]
    # The header has no quoted commas, so it reliably reveals the separator even
    # when values use decimal commas.
    sep = ";" if first_line.count(";") >= first_line.count(",") and ";" in first_line else ","
    if not text.split("\n", 1)[0].strip():
        raise _FileProblem("rad 1 er tom; raden med kolonnenavn skal stå på rad 1")
    try:
        frame = pd.read_csv(io.StringIO(text), sep=sep, header=None, dtype="str",
                            na_filter=False, skip_blank_lines=False, engine="c")
    except (pd.errors.ParserError, ValueError) as exc:
        raise _FileProblem(_csv_problem(str(exc), sep)) from None
    frame = frame.fillna("")
    header = [str(h).strip().lower() for h in frame.iloc[0]]
    if not any(header):
        raise _FileProblem("filen er tom (ingen rad med kolonnenavn på rad 1)")
    data = frame.iloc[1:].copy()
    data.index = range(2, len(frame) + 1)
    return header, data


_TOO_MANY_FIELDS = re.compile(r"Expected (\d+) fields in line (\d+), saw (\d+)")
_OPEN_QUOTE = re.compile(r"EOF inside string starting at row (\d+)")


def _csv_problem(error: str, sep: str) -> str:
    """pandas' reason why a csv file cannot be read, in the user's terms (row, separator, quote)."""
    many = _TOO_MANY_FIELDS.search(error)
    if many:
        expected, line, saw = many.groups()
        return (f"rad {line} har {saw} felt, men raden med kolonnenavn har {expected}; "
                f"tekst som inneholder skilletegnet «{sep}» må stå i anførselstegn (\")")
    quote = _OPEN_QUOTE.search(error)
    if quote:
        return (f"rad {int(quote.group(1)) + 1}: et anførselstegn (\") åpner en tekst som "
                "ikke lukkes før filen slutter")
    return f"kunne ikke leses som csv ({error})"


def _cell_text(cell: object) -> str:
    """Text for an openpyxl cell, the way the user sees the number.

    Integers stay integers ("2014", not "2014.0"); percent-formatted cells are
    stored by Excel as fractions, so 0.52 shown as "52 %" becomes "52".
    """
    value = getattr(cell, "value", None)
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, (int, float)):
        if "%" in (getattr(cell, "number_format", "") or ""):
            value = round(value * 100, 10)
        if float(value).is_integer():
            return str(int(value))
        return repr(float(value))
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value).strip()


def _read_xlsx_text(path: Path) -> tuple[list[str], pd.DataFrame]:
    """Read the first sheet of an .xlsx file as text.

    openpyxl is used directly (not ``pandas.read_excel``) because the number
    format is needed to see percent cells, and row numbers must be exact.
    """
    import openpyxl  # local: only needed for xlsx, keeps csv-only use light

    with path.open("rb") as fh:
        head = fh.read(8)
    if not head.strip():
        raise _FileProblem("filen er tom")
    sniffed = _sniff_problem(head)
    if sniffed:
        raise _FileProblem(sniffed)
    if not zipfile.is_zipfile(path):
        raise _FileProblem("ikke et regneark: ikke en gyldig .xlsx-fil (ikke et zip-arkiv)")
    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # corrupt workbooks raise many unrelated error types
        raise _FileProblem(
            f"ikke et regneark: kunne ikke åpnes som .xlsx ({type(exc).__name__}: {exc})"
        ) from None
    try:
        sheet = workbook.worksheets[0]
        # Files written by other tools often declare a wrong sheet size, which
        # makes read-only mode silently drop rows.
        sheet.reset_dimensions()
        rows = [[_cell_text(c) for c in row] for row in sheet.iter_rows(min_row=1)]
    finally:
        workbook.close()
    return _table_from_rows(rows)


def _read_text_table(path: Path) -> tuple[list[str], pd.DataFrame]:
    """Header (lower-cased) and non-blank data rows as text, indexed by row number."""
    suffix = path.suffix.lower()
    if suffix == ".csv":
        header, data = _read_csv_text(path)
    elif suffix == ".xlsx":
        header, data = _read_xlsx_text(path)
    else:
        raise _FileProblem(
            f"ikke et regneark: bare {' og '.join(SPREADSHEET_SUFFIXES)}-filer leses")
    data = data.apply(lambda col: per_unique(col, lambda u: u.str.strip()).astype("str"))
    blank = (data == "").all(axis=1)
    data = data[~blank]
    if data.empty:
        raise _FileProblem("filen er tom: den har kolonnenavn, men ingen datarader")
    return header, data


# --------------------------------------------------------------------------- #
# Validation
# --------------------------------------------------------------------------- #


def _header_problems(header: list[str], data: pd.DataFrame, source: str
                     ) -> tuple[list[Problem], dict[str, int]]:
    """Check column names; return problems and the position of each known column."""
    problems: list[Problem] = []
    positions: dict[str, int] = {}
    for pos, name in enumerate(header):
        if not name:
            if (data[pos] != "").any():
                problems.append(Problem(source, 1, None,
                                        f"kolonne {pos + 1} har verdier, men ikke noe kolonnenavn; "
                                        + _expected_columns_text(), pos))
        elif name in positions:
            problems.append(Problem(source, 1, None, f"kolonnen '{name}' står to ganger", pos))
        elif name not in COLUMN_NAMES:
            problems.append(Problem(source, 1, None,
                                    f"ukjent kolonne '{name}'; " + _expected_columns_text(),
                                    pos))
        else:
            positions[name] = pos
    missing = [c for c in REQUIRED_COLUMNS if c not in positions]
    if missing:
        names = ", ".join(f"'{c}'" for c in missing)
        problems.append(Problem(source, 0, None,
                                f"mangler påkrevd(e) kolonne(r) {names}; " + _expected_columns_text()))
    return problems, positions


# Each parser takes a column of stripped text and returns the parsed values
# (NaN/NA where empty or invalid) and, for invalid non-empty cells only, the
# reason, so the happy path builds no messages.
Parsed = tuple[pd.Series, pd.Series]


def _reasons(prefix: str | pd.Series, text: pd.Series, bad: pd.Series, suffix: str = "") -> pd.Series:
    """'<prefix>'<cell>'<suffix>' for the bad cells only."""
    return pd.Series(prefix + text[bad].map(_shown) + suffix, dtype="str")


def _parse_number(column: Column, text: pd.Series, offices: Sequence[str]) -> Parsed:
    values = parse_numbers(text)
    bad = (text != "") & values.isna()
    return values, _reasons("forventet et tall, fikk ", text, bad)


def _parse_year(column: Column, text: pd.Series, offices: Sequence[str]) -> Parsed:
    values = parse_numbers(text)
    lo, hi = YEAR_RANGE
    ok = (values == values.round()) & values.between(lo, hi)
    bad = (text != "") & ~ok
    reasons = _reasons(f"forventet et årstall mellom {lo} og {hi}, fikk ", text, bad)
    return values.where(ok).astype("Int64"), reasons


def _parse_month(column: Column, text: pd.Series, offices: Sequence[str]) -> Parsed:
    values = parse_numbers(text)
    whole = values == values.round()  # False for NaN too
    ok = whole & values.between(MONTHS.start, MONTHS.stop - 1)
    bad = (text != "") & ~ok
    prefix = pd.Series(np.where(whole[bad], "måned utenfor 1–12, fikk ",
                                "forventet et helt månedsnummer 1–12, fikk "),
                       index=text[bad].index, dtype="str")
    return values.where(ok).astype("Int64"), _reasons(prefix, text, bad)


def _parse_choice(column: Column, text: pd.Series, offices: Sequence[str]) -> Parsed:
    is_office = column.kind == "office"
    allowed = tuple(map(str, offices)) if is_office else column.choices
    # Case-insensitive so "a" or "Bruker" are accepted; output uses the canonical form.
    canonical = {a.lower(): a for a in allowed}
    values = per_unique(text, lambda u: u.str.lower().map(canonical)).astype("str")
    bad = (text != "") & values.isna()
    label, what = ("kontor", "kjente kontorer") if is_office else (column.name, "tillatt")
    return values, _reasons(f"ukjent {label} ", text, bad, f"; {what}: {', '.join(allowed)}")


def _parse_id(column: Column, text: pd.Series, offices: Sequence[str]) -> Parsed:
    ok = per_unique(text, lambda u: u.str.fullmatch(_ID_PATTERN)).fillna(False).astype(bool)
    bad = (text != "") & ~ok
    return text.where(ok), _reasons(
        "forventet en id med a–z, 0–9 og _, som begynner med en bokstav, fikk ", text, bad)


def _parse_text(column: Column, text: pd.Series, offices: Sequence[str]) -> Parsed:
    return text.where(text != ""), pd.Series([], dtype="str")


_PARSERS = {
    "number": _parse_number, "year": _parse_year, "month": _parse_month,
    "office": _parse_choice, "choice": _parse_choice, "id": _parse_id, "text": _parse_text,
}


def _cell_problems(data: pd.DataFrame, positions: dict[str, int], offices: Sequence[str],
                   year: int | None, source: str) -> tuple[pd.DataFrame, list[Problem]]:
    """Parse every known column; collect problems for invalid and missing cells."""
    problems: list[Problem] = []
    parsed: dict[str, pd.Series] = {}
    for column in COLUMNS:
        if column.name not in positions:
            # Only optional columns can be absent here; missing required ones stop earlier.
            parsed[column.name] = pd.Series(np.nan, index=data.index, dtype="float64")
            continue
        text = data[positions[column.name]]
        values, reasons = _PARSERS[column.kind](column, text, offices)
        parsed[column.name] = values
        problems.extend(Problem(source, int(r), column.name, m) for r, m in reasons.items())
        if column.required:
            for row in text.index[text == ""]:
                problems.append(Problem(source, int(row), column.name,
                                        "verdi mangler (kolonnen er påkrevd)"))
    typed = pd.DataFrame(parsed, index=data.index)
    if year is not None:
        wrong_year = typed["aar"].notna() & (typed["aar"] != year)
        problems.extend(
            Problem(source, int(row), "aar",
                    f"året {value} stemmer ikke med mappens år {year}; "
                    f"flytt filen til mappen for {value} eller rett året")
            for row, value in typed.loc[wrong_year, "aar"].items())
    typed["kilde"] = source
    typed["rad"] = typed.index.astype("int64")
    return typed, problems


def _where(kilde: str, rad: int, here: str) -> str:
    """'row N' within the same file, 'file, row N' across files."""
    return f"rad {rad}" if kilde == here else f"{kilde}, rad {rad}"


def _with_first(frame: pd.DataFrame, keys: list[str], extra: list[str]) -> pd.DataFrame:
    """Each row joined with the first row (in file order) sharing its ``keys``."""
    firsts = frame.drop_duplicates(keys)[[*keys, *extra, *SOURCE_COLUMNS]]
    return frame.merge(firsts, on=keys, how="left", suffixes=("", "_first"))


def _duplicate_problems(frame: pd.DataFrame) -> list[Problem]:
    """Rows repeating kontor/aar/maaned/indikator_id, each naming the first such row."""
    keys = list(KEY_COLUMNS)
    valid = frame.dropna(subset=keys)
    if not valid.duplicated(keys).any():
        return []
    merged = _with_first(valid, keys, [])
    dups = merged[(merged["kilde"] != merged["kilde_first"]) | (merged["rad"] != merged["rad_first"])]
    return [
        Problem(row.kilde, int(row.rad), None,
                "dobbel rad: samme kontor/aar/maaned/indikator_id "
                f"({row.kontor}/{row.aar}/{row.maaned}/{row.indikator_id}) som "
                f"{_where(row.kilde_first, row.rad_first, row.kilde)}")
        for row in dups.itertuples(index=False)
    ]


def _consistency_problems(frame: pd.DataFrame) -> list[Problem]:
    """An indicator must keep its perspektiv and linje within an office and year.

    Otherwise ``indicator_counts`` would count one indicator under two lines.
    """
    keys = ["kontor", "aar", "indikator_id"]
    problems = []
    for column in ("perspektiv", "linje"):
        valid = frame.dropna(subset=[*keys, column])
        merged = _with_first(valid, keys, [column])
        bad = merged[merged[column] != merged[f"{column}_first"]]
        problems.extend(
            Problem(row["kilde"], int(row["rad"]), column,
                    f"indikatoren '{row['indikator_id']}' for kontor {row['kontor']} er "
                    f"'{row[column]}' her, men '{row[column + '_first']}' i "
                    f"{_where(row['kilde_first'], row['rad_first'], row['kilde'])}")
            for _, row in bad.iterrows())
    return problems


def _validate_table(header: list[str], data: pd.DataFrame, offices: Sequence[str],
                    year: int | None, source: str) -> tuple[pd.DataFrame | None, list[Problem]]:
    """Validate one text table; ``None`` when the header makes rows meaningless."""
    problems, positions = _header_problems(header, data, source)
    if any(c not in positions for c in REQUIRED_COLUMNS):
        return None, problems
    typed, cell_problems = _cell_problems(data, positions, offices, year, source)
    return typed, problems + cell_problems


def _finish(frames: list[pd.DataFrame], problems: list[Problem]) -> pd.DataFrame:
    """Cross-row checks, then either raise all problems or return the clean frame."""
    combined = (pd.concat(frames, ignore_index=True) if frames
                else pd.DataFrame(columns=[*COLUMN_NAMES, *SOURCE_COLUMNS]))
    if frames:
        problems = problems + _duplicate_problems(combined) + _consistency_problems(combined)
    if problems:
        raise MalekortError([str(p) for p in sorted(problems, key=Problem.sort_key)])
    return _typed(combined)


def _typed(frame: pd.DataFrame) -> pd.DataFrame:
    """Final dtypes and a stable order, independent of file order."""
    out = frame[[*COLUMN_NAMES, *SOURCE_COLUMNS]].copy()
    for name in ("aar", "maaned", "rad"):
        out[name] = out[name].astype("int64")
    for name in ("verdi", *OPTIONAL_COLUMNS):
        out[name] = out[name].astype("float64")
    for name in ("kontor", "perspektiv", "indikator_id", "indikator", "linje", "kilde"):
        out[name] = out[name].astype("str")
    return out.sort_values(["kontor", "aar", "maaned", "indikator_id"]).reset_index(drop=True)


def _read_one(path: Path, offices: Sequence[str], year: int | None
              ) -> tuple[pd.DataFrame | None, list[Problem]]:
    source = _display(path)
    try:
        header, data = _read_text_table(path)
    except _FileProblem as exc:
        return None, [Problem(source, 0, None, str(exc))]
    except OSError as exc:
        return None, [Problem(source, 0, None, f"kunne ikke lese filen: {_os_reason(exc)}")]
    return _validate_table(header, data, offices, year, source)


def _os_reason(exc: OSError) -> str:
    """Why the system refused to read a file, in Norwegian where the reason is a common one."""
    if isinstance(exc, IsADirectoryError):
        return "dette er en mappe, ikke en fil"
    if isinstance(exc, FileNotFoundError):
        return "filen finnes ikke"
    if isinstance(exc, PermissionError):
        return "mangler lesetilgang til filen"
    return f"systemet svarte «{exc.strerror or exc}»"


def _check_offices(offices: Iterable[str]) -> list[str]:
    offices = [str(o) for o in offices]
    if not offices:
        raise ValueError("ingen kontorer oppgitt: gi kontornavnene fra config (A–F)")
    return offices


# --------------------------------------------------------------------------- #
# Public reading API
# --------------------------------------------------------------------------- #


def read_file(path: Path | str, offices: Iterable[str], year: int | None = None
              ) -> pd.DataFrame:
    """Read and validate one målekort file (.xlsx or .csv).

    ``offices`` are the known office names; ``year``, when given, is the year
    every row must have. Returns the import columns plus ``kilde`` (file) and
    ``rad`` (spreadsheet row). Raises ``MalekortError`` listing all problems.
    """
    offices = _check_offices(offices)
    typed, problems = _read_one(Path(path), offices, year)
    return _finish([typed] if typed is not None else [], problems)


def year_files(folder: Path) -> tuple[list[Path], list[Problem]]:
    """Spreadsheet files in a year folder, plus problems for files that are not.

    Hidden files, Excel lock files (``~$…``) and READMEs are skipped silently.
    """
    if not folder.is_dir():
        return [], [Problem(_display(folder), 0, None, "mappen finnes ikke")]
    paths, problems = [], []
    for path in sorted(folder.iterdir()):
        name = path.name
        if not path.is_file() or name.startswith((".", "~$")) or name.lower().startswith("readme"):
            continue
        if path.suffix.lower() in SPREADSHEET_SUFFIXES:
            paths.append(path)
        else:
            problems.append(Problem(_display(path), 0, None,
                                    "ikke et regneark: bare .xlsx- og .csv-filer leses "
                                    "i en målekortmappe"))
    if not paths and not problems:
        problems.append(Problem(_display(folder), 0, None, "ingen .xlsx- eller .csv-filer i mappen"))
    return paths, problems


def read_year(year: int, offices: Iterable[str], folder: Path | str | None = None
              ) -> pd.DataFrame:
    """Read and validate every målekort file for one year.

    Reads all .xlsx and .csv files in ``folder`` (default ``malekort_dir(year)``),
    checks each row against the format and that its ``aar`` equals ``year``,
    and checks for duplicates across all files. Raises one ``MalekortError``
    listing every problem; otherwise returns one row per office × month ×
    indicator with the import columns plus ``kilde`` and ``rad``.
    """
    offices = _check_offices(offices)
    folder = Path(folder) if folder is not None else malekort_dir(year)
    paths, problems = year_files(folder)
    frames = []
    for path in paths:
        typed, file_problems = _read_one(path, offices, year)
        problems.extend(file_problems)
        if typed is not None:
            frames.append(typed)
    return _finish(frames, problems)


def report_problems(df: pd.DataFrame, year: int, offices: Sequence[str], indicators: list[dict],
                    folder: Path) -> list[Problem]:
    """What the report needs beyond a valid file: a plausible value for every office and every
    målekort indicator of Tabell 4.2 (``indicators``, from data/thesis/indikatorer.yaml). A
    missing indicator whose id is close to one in the files is named with file and row, since
    that is almost always a typing error in the export."""
    wanted = {i["id"]: i["enhet"] for i in indicators if i["kilde"] == "malekort"}
    problems = []
    used = df[df["indikator_id"].isin(wanted)]
    for r in used.itertuples(index=False):
        why = value_problem(r.verdi, wanted[r.indikator_id])
        if why:
            problems.append(Problem(r.kilde, int(r.rad), "verdi",
                                    f"verdien '{r.verdi:g}' ({r.indikator_id}, kontor {r.kontor}) {why}"))
    have = set(zip(used["kontor"], used["indikator_id"], strict=True))
    others = df[~df["indikator_id"].isin(wanted)].drop_duplicates(["kontor", "indikator_id"])
    for k in offices:
        for ind in wanted:
            if (k, ind) in have:
                continue
            message = f"ingen verdi for kontor {k}, {ind} i {year}"
            typo = others[(others["kontor"] == k)
                          & (others["indikator_id"].map(lambda x, ind=ind: nearest(x, [ind])) == ind)]
            if not typo.empty:
                t = typo.iloc[0]
                message += (f"; {t['kilde']}, rad {t['rad']} har indikator_id '{t['indikator_id']}', "
                            f"som ligner: mente du '{ind}'?")
            problems.append(Problem(_display(folder), 0, None, message))
    return problems


def clean_year(year: int, offices: Iterable[str], indicators: list[dict], folder: Path | str | None = None
               ) -> pd.DataFrame:
    """:func:`read_year`, then :func:`report_problems`: the year-end table the report reads,
    or one ``MalekortError`` listing every problem."""
    folder = Path(folder) if folder is not None else malekort_dir(year)
    offices = _check_offices(offices)
    df = read_year(year, offices, folder)
    problems = report_problems(df, year, offices, indicators, folder)
    if problems:
        raise MalekortError([str(p) for p in sorted(problems, key=Problem.sort_key)])
    return year_end(df)


# --------------------------------------------------------------------------- #
# Derived tables
# --------------------------------------------------------------------------- #


def year_end(df: pd.DataFrame) -> pd.DataFrame:
    """Year-end result per office × year × indicator: the row of the last month present.

    Normally that is December (``maaned`` 12). When December is missing for an
    office's indicator, the latest month reported for it is used instead and
    ``maaned`` tells which month the value comes from, so a reader can see it
    is not a full-year figure. Returns the import columns (no provenance), so
    the result is itself a valid import file. Rows are sorted by office, year,
    line (``stat`` before ``kommune``, the order of Tabell 4.2) and indicator
    id, so the output does not depend on the order of files or rows.
    """
    columns = list(COLUMN_NAMES)
    if df.empty:
        return pd.DataFrame({c: df[c] if c in df else pd.Series(dtype="float64")
                             for c in columns})
    last = df.groupby(["kontor", "aar", "indikator_id"], sort=False)["maaned"].idxmax()
    out = df.loc[last.to_numpy(), columns]
    return out.sort_values(["kontor", "aar", "linje", "indikator_id"],
                           ascending=[True, True, False, True]).reset_index(drop=True)


def indicator_counts(df: pd.DataFrame) -> pd.DataFrame:
    """Distinct indicators per office and year: state, municipal and total.

    Columns: ``kontor``, ``aar``, ``antall_stat``, ``antall_kommune``,
    ``antall_totalt``. An indicator counts once however many months it has.
    """
    keys = ["kontor", "aar"]
    distinct = df.drop_duplicates([*keys, "linje", "indikator_id"])
    by_line = (distinct.groupby([*keys, "linje"]).size().unstack("linje")
               .reindex(columns=list(LINES)).fillna(0).astype("int64"))
    by_line.columns = [f"antall_{line}" for line in LINES]
    by_line["antall_totalt"] = df.groupby(keys)["indikator_id"].nunique().astype("int64")
    return by_line.reset_index()


# --------------------------------------------------------------------------- #
# Writing
# --------------------------------------------------------------------------- #


def write_csv_atomic(df: pd.DataFrame, out: Path | str) -> Path:
    """Write ``df`` as UTF-8 csv so readers never see a half-written file.

    ``scripts.atomic`` writes a temporary file beside ``out`` and renames it
    over ``out`` (``os.replace``), removing the temporary file on error.
    """
    out = Path(out)
    atomic.write_text(out, df.to_csv(index=False, lineterminator="\n", float_format="%.10g"))
    return out


def template_help_rows() -> list[tuple[str, ...]]:
    """Rows of the "Forklaring" sheet, one per column, derived from ``COLUMNS``."""
    return [(c.name, "ja" if c.required else "nei", c.type_nb, c.allowed_nb,
             c.description_nb, c.example) for c in COLUMNS]


def write_templates(folder: Path | str | None = None) -> tuple[Path, Path]:
    """Write the empty import templates (xlsx and csv) from ``COLUMNS``.

    The xlsx has the header on sheet "Målekort" (bold, the first row frozen so
    it stays in view, each column 12 characters wide or four more than its name)
    and a "Forklaring" sheet in Norwegian (bold header, then one row per column,
    a blank row and a note); the csv is ``;``-separated, which Norwegian Excel
    opens directly. Returns ``(xlsx_path, csv_path)``.
    """
    from openpyxl import Workbook
    from openpyxl.styles import Font

    folder = Path(folder) if folder is not None else TEMPLATES
    folder.mkdir(parents=True, exist_ok=True)
    xlsx_path, csv_path = folder / TEMPLATE_XLSX, folder / TEMPLATE_CSV

    workbook = Workbook()
    data = workbook.active
    data.title = TEMPLATE_DATA_SHEET
    data.append(list(COLUMN_NAMES))
    for cell in data[1]:
        cell.font = Font(bold=True)
        data.column_dimensions[cell.column_letter].width = max(12, len(cell.value) + 4)
    data.freeze_panes = "A2"
    help_sheet = workbook.create_sheet(TEMPLATE_HELP_SHEET)
    help_sheet.append(list(TEMPLATE_HELP_HEADER))
    for row in template_help_rows():
        help_sheet.append(list(row))
    help_sheet.append([])
    help_sheet.append([TEMPLATE_HELP_NOTE])
    for cell in help_sheet[1]:
        cell.font = Font(bold=True)
    for letter, width in zip("ABCDEF", (16, 9, 9, 40, 70, 30), strict=True):
        help_sheet.column_dimensions[letter].width = width
    atomic.write_bytes(xlsx_path, _fixed_xlsx_bytes(workbook))
    atomic.write_text(csv_path, ";".join(COLUMN_NAMES) + "\n")
    return xlsx_path, csv_path


# The templates are approved input data (data/manifest.json): writing them again must give the
# same bytes, so the workbook's dates and the zip entries' times are fixed.
_TEMPLATE_DATE = (2015, 1, 1, 0, 0, 0)


def _fixed_xlsx_bytes(workbook) -> bytes:
    """The workbook as .xlsx bytes that do not depend on when they were written."""
    import datetime as dt

    workbook.properties.created = workbook.properties.modified = dt.datetime(*_TEMPLATE_DATE)
    raw = io.BytesIO()
    workbook.save(raw)
    out = io.BytesIO()
    with zipfile.ZipFile(raw) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=_TEMPLATE_DATE)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            data = src.read(info.filename)
            if info.filename == "docProps/core.xml":  # openpyxl stamps the save time here
                data = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*", rb"\g<1>2015-01-01T00:00:00Z", data)
            dst.writestr(fixed, data)
    return out.getvalue()


# --------------------------------------------------------------------------- #
# CLI
# --------------------------------------------------------------------------- #


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m scripts.data.malekort",
                                     description="Validate målekort exports.")
    sub = parser.add_subparsers(dest="command", required=True)
    clean = sub.add_parser("clean", help="validate one year and write year-end results")
    clean.add_argument("--year", type=int, required=True)
    clean.add_argument("--offices", nargs="+", required=True,
                       help="known office names, as in the config (e.g. A B C D E F)")
    clean.add_argument("--folder", type=Path, default=None,
                       help="folder with the year's files (default data/raw/malekort/YEAR)")
    clean.add_argument("--out", type=Path, default=None,
                       help="output csv (default build/data/malekort_YEAR.csv)")
    clean.add_argument("--indicators", type=Path, default=None,
                       help="the indicators every office needs (default data/thesis/indikatorer.yaml)")
    templates = sub.add_parser("templates", help="write the empty import templates")
    templates.add_argument("--folder", type=Path, default=None,
                           help="output folder (default data/templates)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """CLI entry point; returns the exit code (1 on invalid data, nothing written)."""
    args = _parser().parse_args(argv)
    if args.command == "templates":
        for path in write_templates(args.folder):
            print(f"skrev {_display(path)}", file=sys.stderr)
        return 0
    out = args.out if args.out is not None else BUILD_DATA / f"malekort_{args.year}.csv"
    try:
        from scripts.data.offices import load_indicators

        indicators = load_indicators(args.indicators) if args.indicators else load_indicators()
        result = clean_year(args.year, args.offices, indicators, args.folder)
    except MalekortError as exc:
        print(f"målekort: ingenting er skrevet til {out}.\n{exc}", file=sys.stderr)
        return 1
    write_csv_atomic(result, out)
    print(f"skrev {out} ({len(result)} rader med årsresultat)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(entry(main))
