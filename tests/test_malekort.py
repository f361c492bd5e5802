"""Tests for scripts/data/malekort.py.

Every file built in ``tmp_path`` here is MADE UP to exercise the reader; the
only real målekort numbers are the published 2014 year-end values in
``PUBLISHED_2014`` (thesis Tabell 4.2, page 40).
"""
from __future__ import annotations

import re
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scripts.data import malekort as mk
from scripts.paths import ROOT, TEMPLATES, malekort_dir

OFFICES = ["A", "B", "C", "D", "E", "F"]
HEADER = list(mk.COLUMN_NAMES)
# What every message about the header ends with: the format, as docs/malekort-format.md gives it.
EXPECTED = ("forventede kolonner: kontor, aar, maaned, perspektiv, indikator_id, indikator, linje, verdi "
            "(påkrevd) og maal, grense_rod, grense_gul, grense_gronn (valgfri)")

# Real data: thesis Tabell 4.2, page 40 (2014 year-end, percent).
ARBEIDSSOKERE = "arbeidssokere_overgang_arbeid"
NEDSATT = "nedsatt_arbeidsevne_overgang_arbeid"
PUBLISHED_2014 = {
    "A": (52, 41), "B": (52, 30), "C": (50, 37),
    "D": (53, 34), "E": (51, 31), "F": (56, 47),
}


# --------------------------------------------------------------------------- #
# Builders for made-up files
# --------------------------------------------------------------------------- #


def made_up_row(**overrides: object) -> dict[str, object]:
    """One valid, MADE-UP målekort row; override any column."""
    row: dict[str, object] = {
        "kontor": "A", "aar": 2014, "maaned": 12, "perspektiv": "bruker",
        "indikator_id": "oppdiktet_indikator", "indikator": "Oppdiktet indikator",
        "linje": "kommune", "verdi": "4,2", "maal": "", "grense_rod": "",
        "grense_gul": "", "grense_gronn": "",
    }
    row.update(overrides)
    return row


def write_csv(path: Path, rows: list[dict[str, object]], sep: str = ";",
              header: list[str] | None = None) -> Path:
    """Write rows as csv text; values containing the separator are quoted."""
    header = header if header is not None else HEADER

    def cell(value: object) -> str:
        text = "" if value is None else str(value)
        return f'"{text}"' if sep in text else text

    lines = [sep.join(header)]
    lines += [sep.join(cell(r.get(c, "")) for c in header) for r in rows]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def write_xlsx(path: Path, rows: list[dict[str, object]],
               header: list[str] | None = None) -> Path:
    """Write rows to the first sheet of an .xlsx file (header on row 1)."""
    header = header if header is not None else HEADER
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(header)
    for r in rows:
        sheet.append([None if r.get(c, "") == "" else r.get(c) for c in header])
    path.parent.mkdir(parents=True, exist_ok=True)
    workbook.save(path)
    return path


def problems_of(exc_info: pytest.ExceptionInfo[mk.MalekortError]) -> list[str]:
    return exc_info.value.problems


def year_folder(tmp_path: Path, year: int = 2014) -> Path:
    folder = tmp_path / str(year)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


# --------------------------------------------------------------------------- #
# Valid input
# --------------------------------------------------------------------------- #


def test_valid_csv_reads_typed_values_and_provenance(tmp_path):
    folder = year_folder(tmp_path)
    path = write_csv(folder / "kontor_a.csv", [
        made_up_row(maaned=11, verdi="3,6", maal="4", grense_rod="2,5"),
        made_up_row(kontor="b", perspektiv="Økonomi", linje="STAT", indikator_id="x_1",
                    verdi="52"),
    ])
    df = mk.read_year(2014, OFFICES, folder)
    assert list(df.columns) == [*mk.COLUMN_NAMES, "kilde", "rad"]
    assert len(df) == 2
    a = df[df["kontor"] == "A"].iloc[0]
    assert (a["aar"], a["maaned"], a["verdi"], a["maal"], a["grense_rod"]) == (2014, 11, 3.6, 4.0, 2.5)
    assert pd.isna(a["grense_gul"])
    assert (a["kilde"], a["rad"]) == (str(path), 2)
    b = df[df["kontor"] == "B"].iloc[0]
    # case-insensitive input is stored in canonical form
    assert (b["perspektiv"], b["linje"], b["rad"]) == ("økonomi", "stat", 3)
    assert df["aar"].dtype == "int64" and df["verdi"].dtype == "float64"


def test_valid_csv_with_comma_separator_and_quoted_decimal_comma(tmp_path):
    path = write_csv(tmp_path / "komma.csv", [made_up_row(verdi="3,6", maal="1 234,5")], sep=",")
    df = mk.read_file(path, OFFICES, 2014)
    assert df.loc[0, "verdi"] == 3.6
    assert df.loc[0, "maal"] == 1234.5


def test_optional_columns_may_be_left_out(tmp_path):
    header = list(mk.REQUIRED_COLUMNS)
    path = write_csv(tmp_path / "kort.csv", [made_up_row()], header=header)
    df = mk.read_file(path, OFFICES)
    assert list(df.columns[:12]) == HEADER
    assert df[list(mk.OPTIONAL_COLUMNS)].isna().all().all()


def test_valid_xlsx_numbers_text_and_percent_cells(tmp_path):
    path = tmp_path / "kontor_b.xlsx"
    write_xlsx(path, [
        made_up_row(kontor="B", maaned=12, verdi=41, indikator_id="tall"),
        made_up_row(kontor="B", maaned=12, verdi="3,6", indikator_id="tekst_med_komma"),
        made_up_row(kontor="B", maaned=12, verdi=0.52, indikator_id="prosentcelle"),
    ])
    workbook = openpyxl.load_workbook(path)
    workbook.active["H4"].number_format = "0%"  # shown as "52 %" in Excel
    workbook.save(path)
    df = mk.read_file(path, OFFICES, 2014).set_index("indikator_id")
    assert df.loc["tall", "verdi"] == 41.0
    assert df.loc["tekst_med_komma", "verdi"] == 3.6
    assert df.loc["prosentcelle", "verdi"] == 52.0
    assert df.loc["prosentcelle", "rad"] == 4


def test_xlsx_with_wrong_declared_size_is_read_completely(tmp_path):
    # Some exporters write a wrong <dimension> tag; openpyxl's read-only mode
    # would then silently see only cell A1.
    path = write_xlsx(tmp_path / "feil_dimensjon.xlsx",
                      [made_up_row(maaned=m) for m in (10, 11, 12)])
    with zipfile.ZipFile(path) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    sheet = "xl/worksheets/sheet1.xml"
    parts[sheet] = re.sub(rb'<dimension ref="[^"]*"', b'<dimension ref="A1"', parts[sheet])
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    df = mk.read_file(path, OFFICES, 2014)
    assert df["maaned"].tolist() == [10, 11, 12]
    assert df["verdi"].tolist() == [4.2, 4.2, 4.2]


@pytest.mark.parametrize(("text", "expected"), [
    ("3,6", 3.6), ("3.6", 3.6), ("-2,5", -2.5), ("\u22122,5", -2.5),
    ("1 234,5", 1234.5), ("1\u00a0234", 1234.0), (" 7 ", 7.0),
])
def test_number_formats_are_accepted(tmp_path, text, expected):
    path = write_csv(tmp_path / "tall.csv", [made_up_row(verdi=text)])
    assert mk.read_file(path, OFFICES).loc[0, "verdi"] == pytest.approx(expected)


def test_blank_rows_are_skipped_but_still_counted(tmp_path):
    path = tmp_path / "blank.csv"
    path.write_text(
        ";".join(HEADER) + "\n"
        + ";".join(str(v) for v in made_up_row().values()) + "\n"
        + "\n;;;\n"
        + ";".join(str(v) for v in made_up_row(indikator_id="b", verdi="x").values()) + "\n",
        encoding="utf-8",
    )
    with pytest.raises(mk.MalekortError) as exc:
        mk.read_file(path, OFFICES)
    assert problems_of(exc) == [f"{path}, rad 5, kolonne 'verdi': forventet et tall, fikk 'x'"]


# --------------------------------------------------------------------------- #
# Error cases: every message names file, rad and column
# --------------------------------------------------------------------------- #


def test_text_in_number_column_in_xlsx_names_spreadsheet_row(tmp_path):
    folder = year_folder(tmp_path)
    rows = [made_up_row(kontor="C", maaned=m, verdi=40 + m) for m in range(1, 13)]
    rows.append(made_up_row(kontor="C", indikator_id="andre", verdi="ca 50"))  # row 14
    path = write_xlsx(folder / "kontor_c.xlsx", rows)
    with pytest.raises(mk.MalekortError) as exc:
        mk.read_year(2014, OFFICES, folder)
    assert problems_of(exc) == [f"{path}, rad 14, kolonne 'verdi': forventet et tall, fikk 'ca 50'"]
    assert f"{path}, rad 14, kolonne 'verdi': forventet et tall, fikk 'ca 50'" in str(exc.value)


def test_text_in_optional_number_column(tmp_path):
    path = write_csv(tmp_path / "m.csv", [made_up_row(), made_up_row(indikator_id="b", grense_gul="gul")])
    with pytest.raises(mk.MalekortError) as exc:
        mk.read_file(path, OFFICES)
    assert problems_of(exc) == [f"{path}, rad 3, kolonne 'grense_gul': forventet et tall, fikk 'gul'"]


@pytest.mark.parametrize("name", ["tom.csv", "tom.xlsx"])
def test_empty_file(tmp_path, name):
    path = tmp_path / name
    path.write_bytes(b"")
    with pytest.raises(mk.MalekortError) as exc:
        mk.read_file(path, OFFICES)
    assert problems_of(exc) == [f"{path}: filen er tom"]


@pytest.mark.parametrize("writer", [write_csv, write_xlsx])
def test_header_without_data_rows(tmp_path, writer):
    path = writer(tmp_path / ("bare_header" + (".csv" if writer is write_csv else ".xlsx")), [])
    with pytest.raises(mk.MalekortError) as exc:
        mk.read_file(path, OFFICES)
    assert problems_of(exc) == [f"{path}: filen er tom: den har kolonnenavn, men ingen datarader"]


@pytest.mark.parametrize(("content", "expected"), [
    (b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj",
     "dette er en PDF-fil; eksporter målekortet som .xlsx eller .csv"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(64),
     "gammel Excel (.xls) eller annet binært Office-format; åpne filen i Excel og lagre som .xlsx"),
    (bytes(range(256)) * 3, "ikke en gyldig .xlsx-fil (ikke et zip-arkiv)"),
    (b"   \n\t", None),
])
@pytest.mark.parametrize("suffix", [".xlsx", ".csv"])
def test_not_a_spreadsheet_is_named_with_what_it_is_and_what_to_do(tmp_path, content, expected, suffix):
    path = tmp_path / f"kontor_d{suffix}"
    path.write_bytes(content)
    with pytest.raises(mk.MalekortError) as exc:
        mk.read_file(path, OFFICES)
    if expected is None:  # only white space
        expected_problem = f"{path}: filen er tom"
    elif "zip" in expected and suffix == ".csv":  # bytes 0..255 hold a NUL byte
        expected_problem = f"{path}: ikke et regneark: filen inneholder binærdata"
    elif expected.startswith("gammel"):
        expected_problem = f"{path}: ikke et regneark programmet leser: {expected}"
    else:
        expected_problem = f"{path}: ikke et regneark: {expected}"
    assert problems_of(exc) == [expected_problem]
    assert str(exc.value) == f"1 feil i målekortdata:\n  - {expected_problem}"


def test_zip_that_is_not_a_workbook(tmp_path):
    path = tmp_path / "arkiv.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("notat.txt", "ikke et regneark")
    with pytest.raises(mk.MalekortError) as exc:
        mk.read_file(path, OFFICES)
    [problem] = problems_of(exc)
    # The library's own reason follows in parentheses, after its error type.
    assert re.fullmatch(rf"{re.escape(str(path))}: ikke et regneark: kunne ikke åpnes som \.xlsx "
                        r"\((KeyError|BadZipFile|InvalidFileException): .*\)", problem, re.S), problem


@pytest.mark.parametrize(("content", "expected"), [
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00", "ikke et regneark: filen inneholder binærdata"),
    ("kontor;aar\nø;2014\n".encode("latin-1"),
     "ikke UTF-8-tekst (byte 11); velg «CSV UTF-8» når du lagrer i Excel"),
    (b"PK\x03\x04rest", "ikke en csv-fil: dette ser ut som en Excel-arbeidsbok; gi den endelsen .xlsx, "
                         "eller lagre som CSV UTF-8"),
    (b"kontor;aar\nA;2014;x\n", "rad 2 har 3 felt, men raden med kolonnenavn har 2; tekst som inneholder "
                                  "skilletegnet «;» må stå i anførselstegn (\")"),
    (b"kontor,aar\nA,2014\n\nB,\"2014,5\n", "rad 4: et anførselstegn (\") åpner en tekst som ikke lukkes før "
                                             "filen slutter"),
    (b"\nkontor;aar\nA;2014\n", "rad 1 er tom; raden med kolonnenavn skal stå på rad 1"),
    (b";;\nA;2014;\n", "filen er tom (ingen rad med kolonnenavn på rad 1)"),
])
def test_csv_that_cannot_be_read_is_named_with_the_reason_and_what_to_do(tmp_path, content, expected):
    path = tmp_path / "feil.csv"
    path.write_bytes(content)
    with pytest.raises(mk.MalekortError) as exc:
        mk.read_file(path, OFFICES)
    assert problems_of(exc) == [f"{path}: {expected}"]


def test_a_csv_with_a_byte_order_mark_and_a_comma_header_is_read(tmp_path):
    path = write_csv(tmp_path / "bom.csv", [made_up_row(verdi="7")], sep=",")
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    assert mk.read_file(path, OFFICES).loc[0, "verdi"] == 7.0


def test_an_xlsx_whose_first_row_is_empty_has_no_header(tmp_path):
    workbook = openpyxl.Workbook()
    workbook.active["A2"] = "kontor"
    path = tmp_path / "uten_header.xlsx"
    workbook.save(path)
    with pytest.raises(mk.MalekortError) as exc:
        mk.read_file(path, OFFICES)
    assert problems_of(exc) == [f"{path}: filen er tom (ingen rad med kolonnenavn på rad 1)"]


@pytest.mark.parametrize("suffix", [".ods", ".txt", ""])
def test_a_file_that_is_neither_xlsx_nor_csv_is_named(tmp_path, suffix):
    path = tmp_path / f"kontor{suffix}"
    path.write_text("kontor;aar\n", encoding="utf-8")
    with pytest.raises(mk.MalekortError) as exc:
        mk.read_file(path, OFFICES)
    assert problems_of(exc) == [f"{path}: ikke et regneark: bare .xlsx og .csv-filer leses"]


def test_a_file_that_cannot_be_opened_is_named_with_the_reason(tmp_path):
    folder = tmp_path / "mappe.csv"
    folder.mkdir()
    with pytest.raises(mk.MalekortError) as exc:
        mk.read_file(folder, OFFICES)
    assert problems_of(exc) == [f"{folder}: kunne ikke lese filen: dette er en mappe, ikke en fil"]
    with pytest.raises(mk.MalekortError) as exc:
        mk.read_file(tmp_path / "borte.xlsx", OFFICES)
    assert problems_of(exc) == [f"{tmp_path / 'borte.xlsx'}: kunne ikke lese filen: filen finnes ikke"]


def test_missing_required_column_names_it_and_lists_expected(tmp_path):
    header = [c for c in HEADER if c not in ("verdi", "linje")]
    path = write_csv(tmp_path / "mangler.csv", [made_up_row()], header=header)
    with pytest.raises(mk.MalekortError) as exc:
        mk.read_file(path, OFFICES)
    assert problems_of(exc) == [f"{path}: mangler påkrevd(e) kolonne(r) 'linje', 'verdi'; " + EXPECTED]


def test_unknown_and_repeated_column_names(tmp_path):
    header = [*HEADER, "grense_grønn", "verdi"]
    path = write_csv(tmp_path / "ekstra.csv", [made_up_row()], header=header)
    with pytest.raises(mk.MalekortError) as exc:
        mk.read_file(path, OFFICES)
    assert problems_of(exc) == [f"{path}, rad 1: ukjent kolonne 'grense_grønn'; " + EXPECTED,
                                f"{path}, rad 1: kolonnen 'verdi' står to ganger"]


def test_header_problems_are_listed_in_the_order_of_the_columns_in_the_file(tmp_path):
    header = ["verdi", "kontor", "verdi", "farge", *[c for c in HEADER if c not in ("kontor", "verdi")], ""]
    path = write_csv(tmp_path / "rekkefolge.csv", [made_up_row(**{"": "løs verdi"})], header=header)
    with pytest.raises(mk.MalekortError) as exc:
        mk.read_file(path, OFFICES)
    assert problems_of(exc) == [
        f"{path}, rad 1: kolonnen 'verdi' står to ganger",
        f"{path}, rad 1: ukjent kolonne 'farge'; " + EXPECTED,
        f"{path}, rad 1: kolonne {len(header)} har verdier, men ikke noe kolonnenavn; " + EXPECTED]


def test_a_column_without_a_name_is_allowed_when_it_is_empty(tmp_path):
    path = write_csv(tmp_path / "tom_kolonne.csv", [made_up_row()], header=[*HEADER[:3], "", *HEADER[3:]])
    assert mk.read_file(path, OFFICES).loc[0, "verdi"] == 4.2


def test_header_names_are_read_without_case_or_surrounding_space(tmp_path):
    path = write_csv(tmp_path / "store.csv", [], header=[f" {c.upper()} " for c in HEADER])
    row = made_up_row()
    with path.open("a", encoding="utf-8") as fh:
        fh.write(";".join(str(row[c]) for c in HEADER) + "\n")
    assert mk.read_file(path, OFFICES).loc[0, "kontor"] == "A"


@pytest.mark.parametrize(("month", "message"), [
    ("13", "måned utenfor 1–12, fikk '13'"),
    ("0", "måned utenfor 1–12, fikk '0'"),
    ("des", "forventet et helt månedsnummer 1–12, fikk 'des'"),
    ("6,5", "forventet et helt månedsnummer 1–12, fikk '6,5'"),
])
def test_month_out_of_range(tmp_path, month, message):
    path = write_csv(tmp_path / "maaned.csv", [made_up_row(), made_up_row(maaned=month)])
    with pytest.raises(mk.MalekortError) as exc:
        mk.read_file(path, OFFICES)
    assert problems_of(exc) == [f"{path}, rad 3, kolonne 'maaned': {message}"]


def test_unknown_perspective_and_line(tmp_path):
    path = write_csv(tmp_path / "valg.csv", [made_up_row(perspektiv="samfunn", linje="fylke")])
    with pytest.raises(mk.MalekortError) as exc:
        mk.read_file(path, OFFICES)
    assert problems_of(exc) == [
        f"{path}, rad 2, kolonne 'perspektiv': ukjent perspektiv 'samfunn'; "
        "tillatt: bruker, medarbeider, økonomi, produksjon",
        f"{path}, rad 2, kolonne 'linje': ukjent linje 'fylke'; tillatt: stat, kommune",
    ]


def test_unknown_office(tmp_path):
    path = write_csv(tmp_path / "kontor.csv", [made_up_row(kontor="G")])
    with pytest.raises(mk.MalekortError) as exc:
        mk.read_file(path, OFFICES)
    assert problems_of(exc) == [
        f"{path}, rad 2, kolonne 'kontor': ukjent kontor 'G'; kjente kontorer: A, B, C, D, E, F"]


def test_offices_come_from_the_caller(tmp_path):
    path = write_csv(tmp_path / "kontor.csv", [made_up_row(kontor="G")])
    assert mk.read_file(path, ["G"]).loc[0, "kontor"] == "G"
    with pytest.raises(ValueError) as exc:
        mk.read_file(path, [])
    assert str(exc.value) == "ingen kontorer oppgitt: gi kontornavnene fra config (A–F)"
    with pytest.raises(ValueError) as exc:
        mk.read_year(2014, [], tmp_path)
    assert str(exc.value) == "ingen kontorer oppgitt: gi kontornavnene fra config (A–F)"


def test_bad_indicator_id_and_missing_required_value(tmp_path):
    path = write_csv(tmp_path / "id.csv", [made_up_row(indikator_id="Andel AAP", indikator="")])
    with pytest.raises(mk.MalekortError) as exc:
        mk.read_file(path, OFFICES)
    assert problems_of(exc) == [
        f"{path}, rad 2, kolonne 'indikator_id': forventet en id med a–z, "
        "0–9 og _, som begynner med en bokstav, fikk 'Andel AAP'",
        f"{path}, rad 2, kolonne 'indikator': verdi mangler (kolonnen er påkrevd)",
    ]


def test_year_differs_from_folder_year(tmp_path):
    folder = year_folder(tmp_path, 2014)
    path = write_csv(folder / "feil_aar.csv", [made_up_row(), made_up_row(aar=2015, maaned=1)])
    with pytest.raises(mk.MalekortError) as exc:
        mk.read_year(2014, OFFICES, folder)
    assert problems_of(exc) == [
        f"{path}, rad 3, kolonne 'aar': året 2015 stemmer ikke med mappens år 2014; "
        "flytt filen til mappen for 2015 eller rett året"]


def test_implausible_year(tmp_path):
    path = write_csv(tmp_path / "aar.csv", [made_up_row(aar="214")])
    with pytest.raises(mk.MalekortError) as exc:
        mk.read_file(path, OFFICES)
    assert problems_of(exc) == [
        f"{path}, rad 2, kolonne 'aar': forventet et årstall mellom 2000 og 2100, fikk '214'"]


def test_duplicate_rows_in_one_file_name_both_rows(tmp_path):
    path = write_csv(tmp_path / "dup.csv", [
        made_up_row(), made_up_row(indikator_id="annen"), made_up_row(verdi="9"),
    ])
    with pytest.raises(mk.MalekortError) as exc:
        mk.read_file(path, OFFICES)
    assert problems_of(exc) == [
        f"{path}, rad 4: dobbel rad: samme kontor/aar/maaned/indikator_id "
        "(A/2014/12/oppdiktet_indikator) som rad 2"]


def test_duplicate_rows_across_files_name_both_files(tmp_path):
    folder = year_folder(tmp_path)
    first = write_csv(folder / "a.csv", [made_up_row(kontor="E")])
    second = write_xlsx(folder / "b.xlsx", [made_up_row(indikator_id="x"), made_up_row(kontor="E")])
    with pytest.raises(mk.MalekortError) as exc:
        mk.read_year(2014, OFFICES, folder)
    assert problems_of(exc) == [
        f"{second}, rad 3: dobbel rad: samme kontor/aar/maaned/indikator_id "
        f"(E/2014/12/oppdiktet_indikator) som {first}, rad 2"]


def test_indicator_must_keep_its_line(tmp_path):
    path = write_csv(tmp_path / "linje.csv", [
        made_up_row(maaned=11, linje="stat"), made_up_row(maaned=12, linje="kommune"),
    ])
    with pytest.raises(mk.MalekortError) as exc:
        mk.read_file(path, OFFICES)
    assert problems_of(exc) == [
        f"{path}, rad 3, kolonne 'linje': indikatoren 'oppdiktet_indikator' for kontor A "
        "er 'kommune' her, men 'stat' i rad 2"]


def test_all_problems_in_all_files_are_collected(tmp_path):
    folder = year_folder(tmp_path)
    a = write_csv(folder / "a.csv", [made_up_row(verdi="?"), made_up_row(indikator_id="b", maaned=14)])
    b = folder / "b.xlsx"
    b.write_bytes(b"%PDF-1.7")
    c = folder / "c.pdf"
    c.write_bytes(b"%PDF-1.7")
    with pytest.raises(mk.MalekortError) as exc:
        mk.read_year(2014, OFFICES, folder)
    problems = [f"{a}, rad 2, kolonne 'verdi': forventet et tall, fikk '?'",
                f"{a}, rad 3, kolonne 'maaned': måned utenfor 1–12, fikk '14'",
                f"{b}: ikke et regneark: dette er en PDF-fil; eksporter målekortet som .xlsx eller .csv",
                f"{c}: ikke et regneark: bare .xlsx- og .csv-filer leses i en målekortmappe"]
    assert problems_of(exc) == problems
    assert str(exc.value) == "4 feil i målekortdata:\n" + "\n".join(f"  - {p}" for p in problems)


def test_missing_or_empty_folder(tmp_path):
    with pytest.raises(mk.MalekortError) as exc:
        mk.read_year(2014, OFFICES, tmp_path / "2014")
    assert problems_of(exc) == [f"{tmp_path / '2014'}: mappen finnes ikke"]
    folder = year_folder(tmp_path)
    (folder / "ReadMe.txt").write_text("notater", encoding="utf-8")
    (folder / "~$laast.xlsx").write_bytes(b"lock")
    (folder / ".skjult.csv").write_bytes(b"%PDF")
    (folder / "undermappe.csv").mkdir()
    with pytest.raises(mk.MalekortError) as exc:
        mk.read_year(2014, OFFICES, folder)
    assert problems_of(exc) == [f"{folder}: ingen .xlsx- eller .csv-filer i mappen"]


# --------------------------------------------------------------------------- #
# Derived tables
# --------------------------------------------------------------------------- #


def made_up_year(tmp_path: Path, rows: list[dict[str, object]]) -> pd.DataFrame:
    folder = year_folder(tmp_path)
    write_csv(folder / "oppdiktet.csv", rows)
    return mk.read_year(2014, OFFICES, folder)


def test_year_end_picks_december(tmp_path):
    df = made_up_year(tmp_path, [made_up_row(maaned=m, verdi=str(10 * m)) for m in (12, 1, 6)])
    result = mk.year_end(df)
    assert list(result.columns) == HEADER
    assert result[["kontor", "maaned", "verdi"]].values.tolist() == [["A", 12, 120.0]]


def test_year_end_uses_latest_month_when_december_missing(tmp_path):
    df = made_up_year(tmp_path, [
        made_up_row(indikator_id="uten_des", maaned=3, verdi="3"),
        made_up_row(indikator_id="uten_des", maaned=9, verdi="9"),
        made_up_row(indikator_id="med_des", maaned=9, verdi="90"),
        made_up_row(indikator_id="med_des", maaned=12, verdi="120"),
        made_up_row(kontor="B", indikator_id="uten_des", maaned=11, verdi="11"),
    ])
    result = mk.year_end(df).set_index(["kontor", "indikator_id"])
    assert result.loc[("A", "uten_des"), ["maaned", "verdi"]].tolist() == [9, 9.0]
    assert result.loc[("A", "med_des"), ["maaned", "verdi"]].tolist() == [12, 120.0]
    assert result.loc[("B", "uten_des"), ["maaned", "verdi"]].tolist() == [11, 11.0]
    assert len(result) == 3


def test_indicator_counts(tmp_path):
    rows = [made_up_row(kontor="A", indikator_id=i, linje="stat", maaned=m)
            for i in ("s1", "s2") for m in (1, 12)]
    rows += [made_up_row(kontor="A", indikator_id="k1", linje="kommune", maaned=m) for m in (5, 6)]
    rows += [made_up_row(kontor="B", indikator_id="s1", linje="stat")]
    counts = mk.indicator_counts(made_up_year(tmp_path, rows))
    assert counts.to_dict("records") == [
        {"kontor": "A", "aar": 2014, "antall_stat": 2, "antall_kommune": 1, "antall_totalt": 3},
        {"kontor": "B", "aar": 2014, "antall_stat": 1, "antall_kommune": 0, "antall_totalt": 1},
    ]


# --------------------------------------------------------------------------- #
# The shipped 2014 data
# --------------------------------------------------------------------------- #


def test_shipped_2014_file_equals_published_values():
    df = mk.read_year(2014, OFFICES)
    assert set(df["kilde"]) == {"data/raw/malekort/2014/malekort_2014.csv"}
    result = mk.year_end(df)
    assert len(result) == 12
    got = {(r.kontor, r.indikator_id): r.verdi for r in result.itertuples()}
    expected = {(k, ARBEIDSSOKERE): v[0] for k, v in PUBLISHED_2014.items()}
    expected |= {(k, NEDSATT): v[1] for k, v in PUBLISHED_2014.items()}
    assert got == expected
    assert set(result["maaned"]) == {12}
    assert set(result["linje"]) == {"stat"}
    assert set(result["perspektiv"]) == {"bruker"}
    assert result[list(mk.OPTIONAL_COLUMNS)].isna().all().all()
    counts = mk.indicator_counts(df)
    assert counts["antall_stat"].tolist() == [2] * 6 and counts["antall_kommune"].sum() == 0


# --------------------------------------------------------------------------- #
# CLI
# --------------------------------------------------------------------------- #


def test_cli_writes_year_end(tmp_path):
    folder = year_folder(tmp_path)
    write_csv(folder / "a.csv", [made_up_row(maaned=m, verdi=f"{m},5") for m in (11, 12)])
    out = tmp_path / "ut" / "malekort_2014.csv"
    none = tmp_path / "ingen_indikatorer.yaml"  # the made-up indicator is not one of Tabell 4.2's
    none.write_text("indikatorer: []\n", encoding="utf-8")
    code = mk.main(["clean", "--year", "2014", "--offices", *OFFICES, "--indicators", str(none),
                    "--folder", str(folder), "--out", str(out)])
    assert code == 0
    written = pd.read_csv(out)
    assert list(written.columns) == HEADER
    assert written[["maaned", "verdi"]].values.tolist() == [[12, 12.5]]
    assert sorted(p.name for p in out.parent.iterdir()) == ["malekort_2014.csv"]
    # the output is itself a valid import file
    assert mk.read_file(out, OFFICES, 2014).loc[0, "verdi"] == 12.5


def test_failing_cli_leaves_existing_output_untouched(tmp_path, capsys):
    folder = year_folder(tmp_path)
    bad = write_csv(folder / "a.csv", [made_up_row(verdi="ca 50")])
    out = tmp_path / "malekort_2014.csv"
    out.write_bytes(b"tidligere innhold\r\n\xff")
    before = out.read_bytes()
    code = mk.main(["clean", "--year", "2014", "--offices", *OFFICES,
                    "--folder", str(folder), "--out", str(out)])
    assert code == 1
    assert out.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["2014", "malekort_2014.csv"]
    err = capsys.readouterr().err
    assert f"{bad}, rad 2, kolonne 'verdi': forventet et tall, fikk 'ca 50'" in err
    assert "ingenting er skrevet" in err


def test_failing_cli_creates_no_output(tmp_path):
    folder = year_folder(tmp_path)
    write_csv(folder / "a.csv", [made_up_row(kontor="Z")])
    out = tmp_path / "ny" / "malekort_2014.csv"
    assert mk.main(["clean", "--year", "2014", "--offices", *OFFICES,
                    "--folder", str(folder), "--out", str(out)]) == 1
    assert not out.parent.exists()


def test_cli_runs_as_module(tmp_path):
    out = tmp_path / "malekort_2014.csv"
    result = subprocess.run(
        [sys.executable, "-m", "scripts.data.malekort", "clean", "--year", "2014",
         "--offices", *OFFICES, "--out", str(out)],
        cwd=ROOT, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    assert len(pd.read_csv(out)) == 12


def test_atomic_write_keeps_old_file_when_rename_fails(tmp_path, monkeypatch):
    out = tmp_path / "x.csv"
    out.write_text("gammel\n", encoding="utf-8")

    def failing_replace(src, dst):
        raise OSError("disk full (made up)")

    monkeypatch.setattr("os.replace", failing_replace)
    with pytest.raises(OSError):
        mk.write_csv_atomic(pd.DataFrame({"a": [1]}), out)
    assert out.read_text(encoding="utf-8") == "gammel\n"
    assert [p.name for p in tmp_path.iterdir()] == ["x.csv"]


def test_atomic_write_output_is_readable_by_others(tmp_path):
    out = mk.write_csv_atomic(pd.DataFrame({"a": [1.5]}), tmp_path / "y.csv")
    assert out.read_text(encoding="utf-8") == "a\n1.5\n"
    assert out.stat().st_mode & 0o044 == 0o044


# --------------------------------------------------------------------------- #
# Templates and docs stay in step with COLUMNS
# --------------------------------------------------------------------------- #


def sheet_values(path: Path) -> dict[str, list[tuple]]:
    workbook = openpyxl.load_workbook(path)
    return {ws.title: list(ws.iter_rows(values_only=True)) for ws in workbook.worksheets}


def test_write_templates_follows_column_spec(tmp_path):
    xlsx, csv_path = mk.write_templates(tmp_path)
    sheets = sheet_values(xlsx)
    assert list(sheets) == ["Målekort", "Forklaring"]
    assert sheets["Målekort"] == [tuple(HEADER)]
    help_rows = sheets["Forklaring"]
    assert help_rows[0] == mk.TEMPLATE_HELP_HEADER
    assert [r[0] for r in help_rows[1:13]] == HEADER
    assert [r[1] for r in help_rows[1:13]] == ["ja" if c.required else "nei" for c in mk.COLUMNS]
    assert "oppdiktet" in help_rows[0][5] and "oppdiktet" in help_rows[-1][0]
    assert csv_path.read_text(encoding="utf-8") == ";".join(HEADER) + "\n"
    # an untouched template is accepted by the reader (only "no data rows")
    for path in (xlsx, csv_path):
        with pytest.raises(mk.MalekortError) as exc:
            mk.read_file(path, OFFICES)
        assert problems_of(exc) == [f"{path}: filen er tom: den har kolonnenavn, men ingen datarader"]


def test_shipped_templates_are_up_to_date_byte_for_byte(tmp_path):
    """Writing the templates again gives the approved bytes, so `templates` never trips the
    manifest check of the next build."""
    xlsx, csv_path = mk.write_templates(tmp_path)
    assert sheet_values(TEMPLATES / mk.TEMPLATE_XLSX) == sheet_values(xlsx)
    assert (TEMPLATES / mk.TEMPLATE_XLSX).read_bytes() == xlsx.read_bytes()
    assert (TEMPLATES / mk.TEMPLATE_CSV).read_bytes() == csv_path.read_bytes()


def test_format_doc_describes_every_column():
    # backticks are markdown formatting only
    doc = (ROOT / "docs" / "malekort-format.md").read_text(encoding="utf-8").replace("`", "")
    for column in mk.COLUMNS:
        required = "ja" if column.required else "nei"
        assert f"| {column.name} | {column.type_nb} | {required} |" in doc, column.name
        assert column.description_nb in doc, column.name
    assert "oppdiktet" in doc.lower()


def test_shipped_data_lives_in_the_year_folder():
    assert (malekort_dir(2014) / "malekort_2014.csv").is_file()


# --------------------------------------------------------------------------- #
# Property: whatever valid made-up rows are written, they read back unchanged
# --------------------------------------------------------------------------- #

made_up_rows = st.lists(
    st.tuples(
        st.sampled_from(OFFICES),
        st.integers(1, 12),
        st.sampled_from(["oppdiktet_a", "oppdiktet_b", "x9"]),
        st.decimals(min_value=-1000, max_value=100000, places=2, allow_nan=False),
    ),
    min_size=1, max_size=30, unique_by=lambda t: t[:3],
)


@settings(max_examples=25, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=made_up_rows, sep=st.sampled_from([";", ","]), comma=st.booleans())
def test_round_trip_property(rows, sep, comma):
    records = [made_up_row(kontor=k, maaned=m, indikator_id=i, linje="stat",
                           verdi=str(v).replace(".", ",") if comma else str(v))
               for k, m, i, v in rows]
    with tempfile.TemporaryDirectory() as tmp:
        path = write_csv(Path(tmp) / "egenskap.csv", records, sep=sep)
        df = mk.read_file(path, OFFICES, 2014)
    got = sorted(zip(df["kontor"], df["maaned"], df["indikator_id"], df["verdi"], strict=True))
    want = sorted((k, m, i, float(v)) for k, m, i, v in rows)
    assert got == want
    last = mk.year_end(df)
    want_last = {}
    for k, m, i, _ in rows:
        want_last[(k, i)] = max(m, want_last.get((k, i), 0))
    assert dict(zip(zip(last["kontor"], last["indikator_id"], strict=True),
                    last["maaned"], strict=True)) == want_last


@pytest.mark.parametrize("text", ["inf", "-inf", "Infinity", "nan", "1e400"])
def test_a_value_that_is_not_a_finite_number_is_refused(tmp_path, text):
    path = write_csv(tmp_path / "uendelig.csv", [made_up_row(verdi=text)])
    with pytest.raises(mk.MalekortError) as exc:
        mk.read_file(path, OFFICES)
    assert problems_of(exc) == [f"{path}, rad 2, kolonne 'verdi': forventet et tall, fikk {text!r}"]


@pytest.mark.parametrize("text", ["2014,5", "2014.5", "inf"])
def test_a_fractional_or_infinite_year_is_refused(tmp_path, text):
    path = write_csv(tmp_path / "aar.csv", [made_up_row(aar=text)])
    with pytest.raises(mk.MalekortError) as exc:
        mk.read_file(path, OFFICES)
    assert problems_of(exc) == [
        f"{path}, rad 2, kolonne 'aar': forventet et årstall mellom 2000 og 2100, fikk {text!r}"]


# --------------------------------------------------------------------------- #
# Cells of an .xlsx file read as the user sees them
# --------------------------------------------------------------------------- #


class Cell:
    """A stand-in for an openpyxl cell: a value and (maybe) a number format."""

    def __init__(self, value, number_format="General"):
        self.value = value
        self.number_format = number_format


@pytest.mark.parametrize(("value", "number_format", "shown"), [
    (None, "General", ""),
    (2014, "General", "2014"),
    (2014.0, "General", "2014"),
    (3.6, "General", "3.6"),
    (-0.25, "General", "-0.25"),
    (0.52, "0%", "52"),           # Excel stores "52 %" as 0.52
    (0.525, "0.0%", "52.5"),
    (0.07, "0%", "7"),            # 0.07 * 100 is 7.000000000000001 in floating point
    (1, "0%", "100"),
    (0.52, None, "0.52"),         # no number format at all: shown as stored
    (0.52, "0.00", "0.52"),
    (True, "General", "True"),
    ("  4,2 ", "General", "4,2"),
    ("52 %", "@", "52 %"),
])
def test_cell_text_is_what_the_spreadsheet_shows(value, number_format, shown):
    assert mk._cell_text(Cell(value, number_format)) == shown


def test_cell_text_of_a_cell_without_a_number_format_or_a_value():
    class Bare:
        value = 12.0

    assert mk._cell_text(Bare()) == "12"
    assert mk._cell_text(object()) == ""


def test_a_date_cell_is_shown_as_an_iso_date():
    import datetime

    assert mk._cell_text(Cell(datetime.date(2014, 12, 31), "yyyy-mm-dd")) == "2014-12-31"


def test_a_percent_cell_in_a_real_workbook_is_read_as_percent_points(tmp_path):
    path = write_xlsx(tmp_path / "prosent.xlsx", [made_up_row(verdi=0.07), made_up_row(indikator_id="b", verdi=0.415)])
    workbook = openpyxl.load_workbook(path)
    workbook.active["H2"].number_format = "0%"
    workbook.active["H3"].number_format = "0.0 %"
    workbook.save(path)
    assert mk.read_file(path, OFFICES).sort_values("rad")["verdi"].tolist() == [7.0, 41.5]


# --------------------------------------------------------------------------- #
# Year-end rows: order
# --------------------------------------------------------------------------- #


def test_year_end_rows_are_sorted_by_office_then_state_before_municipal_then_id(tmp_path):
    rows = [made_up_row(kontor=k, indikator_id=i, linje=line, maaned=m)
            for k in ("B", "A") for i, line in (("k_b", "kommune"), ("s_b", "stat"), ("k_a", "kommune"),
                                                 ("s_a", "stat")) for m in (11, 12)]
    result = mk.year_end(made_up_year(tmp_path, rows[::-1]))
    assert result[["kontor", "linje", "indikator_id"]].values.tolist() == [
        [k, line, i] for k in ("A", "B")
        for line, i in (("stat", "s_a"), ("stat", "s_b"), ("kommune", "k_a"), ("kommune", "k_b"))]
    assert result.index.tolist() == list(range(8))
    assert set(result["maaned"]) == {12}


def test_year_end_of_two_years_keeps_the_years_in_order():
    frame = pd.DataFrame([{**made_up_row(aar=aar, maaned=m), "verdi": float(aar + m)}
                          for aar in (2015, 2014) for m in (12, 6)])
    result = mk.year_end(frame)
    assert result[["aar", "maaned", "verdi"]].values.tolist() == [[2014, 12, 2026.0], [2015, 12, 2027.0]]


def test_year_end_of_nothing_is_an_empty_table_with_the_import_columns():
    empty = pd.DataFrame(columns=[*HEADER, "kilde", "rad"])
    result = mk.year_end(empty)
    assert list(result.columns) == HEADER and result.empty
    assert list(mk.year_end(pd.DataFrame()).columns) == HEADER


# --------------------------------------------------------------------------- #
# The xlsx template's layout
# --------------------------------------------------------------------------- #


def test_the_template_header_is_bold_frozen_and_wide_enough_to_read(tmp_path):
    xlsx, _ = mk.write_templates(tmp_path / "ny" / "maler")
    workbook = openpyxl.load_workbook(xlsx)
    data = workbook["Målekort"]
    assert data.freeze_panes == "A2"  # the header stays in view while scrolling
    assert [c.font.b for c in data[1]] == [True] * len(HEADER)
    widths = [data.column_dimensions[c.column_letter].width for c in data[1]]
    assert widths == [max(12, len(name) + 4) for name in HEADER]
    help_sheet = workbook["Forklaring"]
    assert [c.font.b for c in help_sheet[1]] == [True] * 6
    assert not any(c.font.b for row in help_sheet.iter_rows(min_row=2) for c in row)
    help_widths = [help_sheet.column_dimensions[letter].width for letter in "ABCDEF"]
    # each column fits its header; "Forklaring" (E) holds the longest texts and is the widest
    assert all(w >= len(h) for w, h in zip(help_widths, mk.TEMPLATE_HELP_HEADER, strict=True))
    assert help_widths[4] == max(help_widths)
    assert help_widths == [16, 9, 9, 40, 70, 30]
    rows = list(help_sheet.iter_rows(values_only=True))
    assert rows[1:13] == [tuple(r) for r in mk.template_help_rows()]
    assert rows[13] == (None,) * 6 and rows[14][0] == mk.TEMPLATE_HELP_NOTE and len(rows) == 15


def test_templates_go_to_the_shipped_folder_by_default(tmp_path, monkeypatch):
    monkeypatch.setattr(mk, "TEMPLATES", tmp_path / "maler")
    assert mk.write_templates() == (tmp_path / "maler" / "malekort_mal.xlsx", tmp_path / "maler" / "malekort_mal.csv")
    assert sorted(p.name for p in (tmp_path / "maler").iterdir()) == ["malekort_mal.csv", "malekort_mal.xlsx"]


# --------------------------------------------------------------------------- #
# The command, in-process
# --------------------------------------------------------------------------- #


def test_cli_templates_writes_both_files_and_names_them(tmp_path, capsys):
    assert mk.main(["templates", "--folder", str(tmp_path)]) == 0
    assert capsys.readouterr().err == f"skrev {tmp_path / 'malekort_mal.xlsx'}\nskrev {tmp_path / 'malekort_mal.csv'}\n"
    assert (tmp_path / "malekort_mal.csv").read_text(encoding="utf-8") == ";".join(HEADER) + "\n"


def test_cli_templates_in_the_repository_names_them_relative_to_it(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(mk, "ROOT", tmp_path)
    monkeypatch.setattr(mk, "TEMPLATES", tmp_path / "data" / "maler")
    assert mk.main(["templates"]) == 0
    assert capsys.readouterr().err == "skrev data/maler/malekort_mal.xlsx\nskrev data/maler/malekort_mal.csv\n"


def test_cli_clean_reads_the_shipped_year_and_writes_to_the_default_place(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(mk, "BUILD_DATA", tmp_path)
    assert mk.main(["clean", "--year", "2014", "--offices", *OFFICES]) == 0
    out = tmp_path / "malekort_2014.csv"
    assert capsys.readouterr().err == f"skrev {out} (12 rader med årsresultat)\n"
    written = pd.read_csv(out)
    assert list(written.columns) == HEADER
    assert written["kontor"].tolist() == sorted(OFFICES * 2)


def test_cli_clean_with_bad_data_prints_every_problem_and_writes_nothing(tmp_path, capsys):
    folder = year_folder(tmp_path)
    bad = write_csv(folder / "a.csv", [made_up_row(verdi="ca 50"), made_up_row(indikator_id="b", kontor="Z")])
    out = tmp_path / "ut.csv"
    assert mk.main(["clean", "--year", "2014", "--offices", *OFFICES, "--folder", str(folder),
                    "--out", str(out)]) == 1
    assert capsys.readouterr().err == (
        f"målekort: ingenting er skrevet til {out}.\n2 feil i målekortdata:\n"
        f"  - {bad}, rad 2, kolonne 'verdi': forventet et tall, fikk 'ca 50'\n"
        f"  - {bad}, rad 3, kolonne 'kontor': ukjent kontor 'Z'; kjente kontorer: A, B, C, D, E, F\n")
    assert not out.exists()


@pytest.mark.parametrize("argv", [
    [], ["clean"], ["clean", "--year", "2014"], ["clean", "--offices", "A"],
    ["clean", "--year", "i fjor", "--offices", "A"], ["clean", "--year", "2014", "--offices"],
    ["maler"],
])
def test_cli_refuses_an_incomplete_command(argv, capsys):
    with pytest.raises(SystemExit) as exc:
        mk.main(argv)
    assert exc.value.code == 2
    assert capsys.readouterr().err.startswith("usage: python -m scripts.data.malekort")


# --------------------------------------------------------------------------- #
# More of what the reader promises
# --------------------------------------------------------------------------- #


def test_a_formula_cell_is_read_as_the_value_excel_saved(tmp_path):
    path = write_xlsx(tmp_path / "formel.xlsx", [made_up_row(verdi="=40+12")])
    with zipfile.ZipFile(path) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    sheet = "xl/worksheets/sheet1.xml"
    assert b"<f>40+12</f><v />" in parts[sheet]
    parts[sheet] = parts[sheet].replace(b"<f>40+12</f><v />", b"<f>40+12</f><v>52</v>")  # as Excel saves it
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    assert mk.read_file(path, OFFICES).loc[0, "verdi"] == 52.0


@pytest.mark.parametrize(("length", "shown"), [(60, "x" * 60), (61, "x" * 59 + "…"), (200, "x" * 59 + "…")])
def test_a_long_bad_cell_is_shortened_to_sixty_characters_in_the_message(tmp_path, length, shown):
    path = write_csv(tmp_path / "lang.csv", [made_up_row(verdi="x" * length)])
    with pytest.raises(mk.MalekortError) as exc:
        mk.read_file(path, OFFICES)
    assert problems_of(exc) == [f"{path}, rad 2, kolonne 'verdi': forventet et tall, fikk '{shown}'"]


@pytest.mark.parametrize(("error", "reason"), [
    (PermissionError(13, "Permission denied"), "mangler lesetilgang til filen"),
    (OSError(5, "Input/output error"), "systemet svarte «Input/output error»"),
])
def test_a_file_the_system_refuses_is_named_with_the_reason(tmp_path, monkeypatch, error, reason):
    path = write_csv(tmp_path / "laast.csv", [made_up_row()])

    def refuse(self):
        raise error

    monkeypatch.setattr(Path, "read_bytes", refuse)
    with pytest.raises(mk.MalekortError) as exc:
        mk.read_file(path, OFFICES)
    assert problems_of(exc) == [f"{path}: kunne ikke lese filen: {reason}"]


def test_read_file_checks_the_year_it_is_given(tmp_path):
    path = write_csv(tmp_path / "aar.csv", [made_up_row(aar=2015)])
    assert mk.read_file(path, OFFICES).loc[0, "aar"] == 2015
    with pytest.raises(mk.MalekortError) as exc:
        mk.read_file(path, OFFICES, 2014)
    assert problems_of(exc) == [f"{path}, rad 2, kolonne 'aar': året 2015 stemmer ikke med mappens år 2014; "
                                "flytt filen til mappen for 2015 eller rett året"]


def test_files_that_are_skipped_do_not_hide_the_files_after_them(tmp_path):
    folder = year_folder(tmp_path)
    (folder / ".skjult.csv").write_bytes(b"%PDF")
    (folder / "README.md").write_text("notater", encoding="utf-8")
    (folder / "Arkiv").mkdir()
    write_csv(folder / "b.CSV", [made_up_row(kontor="B")])
    write_csv(folder / "c.csv", [made_up_row(kontor="C")])
    (folder / "~$c.csv").write_bytes(b"lock")
    assert mk.read_year(2014, OFFICES, folder)["kontor"].tolist() == ["B", "C"]


def test_indicator_counts_are_whole_numbers(tmp_path):
    rows = [made_up_row(kontor="A", indikator_id="s1", linje="stat"),
            made_up_row(kontor="B", indikator_id="k1", linje="kommune")]
    counts = mk.indicator_counts(made_up_year(tmp_path, rows))
    assert {c: str(t) for c, t in counts.dtypes.items() if c != "kontor"} == {
        "aar": "int64", "antall_stat": "int64", "antall_kommune": "int64", "antall_totalt": "int64"}
    assert counts.to_csv(index=False) == "kontor,aar,antall_stat,antall_kommune,antall_totalt\nA,2014,1,0,1\nB,2014,0,1,1\n"


def test_a_csv_row_may_stop_before_the_empty_optional_cells(tmp_path):
    """Hand-typed rows often end after the value; the cells not typed are empty, not an error."""
    path = tmp_path / "kort_rad.csv"
    path.write_text(";".join(HEADER) + "\nA;2014;12;bruker;x;X;kommune;4,2\n", encoding="utf-8")
    df = mk.read_file(path, OFFICES)
    assert df.loc[0, "verdi"] == 4.2
    assert df[list(mk.OPTIONAL_COLUMNS)].isna().all().all()


def test_office_codes_and_years_in_a_csv_are_read_as_written(tmp_path):
    path = write_csv(tmp_path / "koder.csv", [made_up_row(kontor="01"), made_up_row(kontor="1", indikator_id="b")])
    df = mk.read_file(path, ["01", "1"])
    assert df["kontor"].tolist() == ["01", "1"]


@pytest.mark.parametrize("column", ["kontor", "aar", "maaned", "perspektiv", "indikator_id", "indikator", "linje",
                                    "verdi"])
def test_an_empty_required_cell_is_one_problem_not_also_a_bad_value(tmp_path, column):
    path = write_csv(tmp_path / "tom_celle.csv", [made_up_row(**{column: ""})])
    with pytest.raises(mk.MalekortError) as exc:
        mk.read_file(path, OFFICES)
    assert problems_of(exc) == [f"{path}, rad 2, kolonne '{column}': verdi mangler (kolonnen er påkrevd)"]


def test_a_problem_with_the_whole_file_comes_before_the_problems_of_its_rows(tmp_path):
    header = [c for c in HEADER if c != "verdi"] + ["farge"]
    path = write_csv(tmp_path / "begge.csv", [made_up_row()], header=header)
    with pytest.raises(mk.MalekortError) as exc:
        mk.read_file(path, OFFICES)
    assert problems_of(exc) == [f"{path}: mangler påkrevd(e) kolonne(r) 'verdi'; " + EXPECTED,
                                f"{path}, rad 1: ukjent kolonne 'farge'; " + EXPECTED]
