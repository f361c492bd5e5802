"""The project's own settings files, read and validated: the KOSTRA catalogue
(``config/kostra_catalogue.yaml``) and the git-ignored office mapping
(``config/offices.private.yaml``).

Kept apart from the SSB client so the offline build (comparisons, the privacy guard) can
read them without importing the network code.
"""
from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Sequence
from pathlib import Path

import yaml

from scripts import paths

MUNICIPALITY = re.compile(r"^\d{4}$")
OFFICE_LETTERS = "ABCDEF"


class ConfigError(ValueError):
    """The KOSTRA catalogue or the private office file is missing something or malformed."""


def load_catalogue(
    path: str | Path = paths.KOSTRA_CATALOGUE, schema_path: str | Path = paths.KOSTRA_CATALOGUE_SCHEMA
) -> dict:
    """Read and validate the KOSTRA catalogue; errors name the file and field path."""
    path = Path(path)
    data = _load_yaml(path)
    schema = _load_yaml(Path(schema_path))
    # Imported here, not at the top: jsonschema costs 0.3 s, and most steps that import this
    # module only want build_date (every render, every office report).
    import jsonschema

    validator = jsonschema.Draft202012Validator(schema)
    errors = sorted(validator.iter_errors(data), key=lambda e: [str(p) for p in e.absolute_path])
    if errors:
        shown = "; ".join(f"{_field_path(e.absolute_path)}: {e.message}" for e in errors[:5])
        more = f" (og {len(errors) - 5} feil til)" if len(errors) > 5 else ""
        raise ConfigError(f"{path}: {shown}{more}")
    _check_catalogue_consistency(data, path)
    return data


def _check_catalogue_consistency(data: dict, path: Path) -> None:
    """Rules JSON schema cannot say well: unique ids, ordered year ranges, tables in sequence."""
    seen: set[str] = set()
    for i, indicator in enumerate(data["indicators"]):
        where = f"{path}: indicators/{i} ({indicator['id']})"
        if indicator["id"] in seen:
            raise ConfigError(f"{where}: id «{indicator['id']}» er brukt to ganger; forventet en unik id per indikator")
        seen.add(indicator["id"])
        _check_tables(indicator["tables"], f"{where}/tables")
        codes = [r["code"] for r in indicator["regions"]]
        if len(set(codes)) != len(codes):
            dup = sorted({c for c in codes if codes.count(c) > 1})
            raise ConfigError(f"{where}/regions: regionkoden {', '.join(dup)} står to ganger; forventet hver kode én gang")
        for j, region in enumerate(indicator["regions"]):
            _check_years(region["years"], f"{where}/regions/{j}/years")


def _check_tables(tables: list[dict], where: str) -> None:
    """Tables follow each other year by year; the break between two is described; only the last
    may be current (a closed series is never continued in place)."""
    for n, t in enumerate(tables):
        here = f"{where}/{n} (tabell {t['table']})"
        last = n == len(tables) - 1
        if "to" in t["years"]:
            _check_years(t["years"], f"{here}/years")
        elif not last:
            raise ConfigError(f"{here}/years: mangler «to»; bare den siste tabellen kan være åpen framover")
        if t["series"] == "current" and not last:
            raise ConfigError(f"{here}/series: «current», men tabell {tables[n + 1]['table']} kommer etter; "
                              "forventet closed for alle tabeller før den siste")
        if n and not t.get("change_nb"):
            raise ConfigError(f"{here}: mangler change_nb; forventet en setning om hva som endret seg fra tabell "
                              f"{tables[n - 1]['table']}")
        if n and tables[n - 1]["years"].get("to", 10**4) + 1 != t["years"]["from"]:
            raise ConfigError(f"{here}/years/from: {t['years']['from']}, men tabell {tables[n - 1]['table']} slutter "
                              f"med {tables[n - 1]['years'].get('to', 'åpent')}; forventet året etter")


def indicator_tables(indicator: dict) -> list[dict]:
    """The tables of one indicator in year order, each with ``table``, ``years`` and the rest of its
    entry. An indicator written with a single ``table`` (older in-memory catalogues) is one table."""
    if indicator.get("tables"):
        return list(indicator["tables"])
    if "table" not in indicator:
        return []
    return [{"table": indicator["table"], "years": indicator.get("years") or {"from": 1900},
             "content_code": indicator.get("content_code"), "dimensions": indicator.get("dimensions")}]


def table_for_year(indicator: dict, year: int) -> dict | None:
    """The catalogue table that carries ``indicator`` for ``year``, or None."""
    for t in indicator_tables(indicator):
        if t["years"]["from"] <= year <= t["years"].get("to", 10**4):
            return t
    return None


def table_breaks(indicator: dict) -> list[dict]:
    """Series breaks of one indicator: each change of table (``year`` = the new table's first
    year, ``reason_nb`` = its ``change_nb``) and the catalogue's ``breaks`` inside a table."""
    tables = indicator_tables(indicator)
    out = [{"year": t["years"]["from"], "table": t["table"], "previous": prev["table"],
            "reason_nb": t.get("change_nb") or f"Ny tabell ({t['table']})."}
           for prev, t in zip(tables, tables[1:], strict=False)]
    out += [dict(b) for b in indicator.get("breaks") or []]
    return sorted(out, key=lambda b: b["year"])


def _check_years(years: dict, where: str) -> None:
    if years["from"] > years["to"]:
        raise ConfigError(f"{where}: «from» ({years['from']}) er etter «to» ({years['to']}); forventet from <= to")


def load_private_offices(path: str | Path = paths.PRIVATE_OFFICES) -> dict[str, str]:
    """Office letter -> municipality number from the git-ignored file; {} if it is absent.

    Format (see docs/kostra.md)::

        offices:
          A: "9901"   # made-up example; the real numbers never leave this file
        names:        # optional: municipality names, so the privacy guard can look for them
          A: "Oppdiktby"
    """
    path = Path(path)
    if not path.exists():
        return {}
    data = _load_yaml(path)
    if data is None:
        return {}
    if not isinstance(data, dict) or not isinstance(data.get("offices"), dict):
        raise ConfigError(f"{path}: forventet en tabell «offices:» med kontorbokstav -> kommunenummer")
    unknown = set(data) - {"offices", "names"}  # names: used only by the privacy guard
    if unknown:
        raise ConfigError(f"{path}: ukjent(e) nøkkel(er) øverst: {', '.join(sorted(map(str, unknown)))}; "
                          "forventet bare offices og names")
    offices: dict[str, str] = {}
    for letter, number in data["offices"].items():
        if not isinstance(letter, str) or letter not in OFFICE_LETTERS:
            raise ConfigError(
                f"{path}: offices/{letter}: ukjent kontor; forventet en av {', '.join(OFFICE_LETTERS)}"
            )
        if not isinstance(number, str):
            # YAML reads 0123 as a number (even octal), losing the leading zero. The value itself
            # is never echoed: it is (nearly) a private municipality number.
            raise ConfigError(
                f"{path}: offices/{letter}: kommunenummeret står uten anførselstegn (leses som "
                f'{type(number).__name__}); forventet det i anførselstegn, f.eks. "9901"'
            )
        if not MUNICIPALITY.match(number):
            raise ConfigError(f"{path}: offices/{letter}: verdien har {len(number)} tegn; forventet fire sifre "
                              '(verdien vises ikke: den hører til den private filen)')
        offices[letter] = number
    return offices


def yaml_error(exc: yaml.YAMLError) -> str:
    """A YAML error as the messages of every settings and data file put it: ``YAML-feil på
    linje 3: <PyYAML's one-line problem>``."""
    mark = getattr(exc, "problem_mark", None)
    where = f" på linje {mark.line + 1}" if mark is not None else ""
    return f"YAML-feil{where}: {getattr(exc, 'problem', None) or exc}"


def _load_yaml(path: Path) -> object:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{path}: fila finnes ikke") from None
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: {yaml_error(exc)}") from exc


def _field_path(parts: Sequence[object]) -> str:
    return "/".join(str(p) for p in parts) or "(øverste nivå)"


def build_date(env: dict | None = None) -> dt.date:
    """The edition date: ``SOURCE_DATE_EPOCH`` when set (reproducible builds), else today."""
    env = os.environ if env is None else env
    epoch = env.get("SOURCE_DATE_EPOCH")
    if epoch:
        return dt.datetime.fromtimestamp(int(epoch), tz=dt.UTC).date()
    return dt.date.today()
