"""The one reader of SSB's answers: JSON-stat 2.0 data and metadata, and SSB's CSV.

Pure functions, no network: the client in ``scripts.data.kostra_client`` fetches, this module
only parses, and every other module (metadata resolution, per-office figures, comparisons)
reads answers through it. ``read_cube`` validates a data answer and yields its cells with the
standard library only (the pre-flight check runs when the Snakefile is read);
``read_meta`` gives a table's roles, dimensions, units, notes and code lists (``codelists`` or
``codeLists``); ``_number`` is the one place a cell value becomes a number.
``parse_jsonstat`` turns any JSON-stat 2.0 dataset into one row per cell with
one column per dimension (category codes, in the dataset's ``id`` order), ``value`` (float;
a missing figure stays missing, never 0) and ``status`` (SSB's markers such as ``"."``,
``".."`` or ``":"``, or missing).

Format reference: https://json-stat.org/format/ (values are stored flat in row-major order
of ``id``/``size``; ``category.index`` may be a list or an object of positions; ``value``
and ``status`` may be arrays or objects keyed by the cell's flat index). SSB explains its
markers under "Standardtegn i tabeller" in every report; see docs/kostra.md.

CLI::

    python -m scripts.data.kostra to-csv FILE.json   # tidy CSV on stdout, exit 2 on bad input
"""
from __future__ import annotations

import argparse
import json
import math
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from numbers import Real
from pathlib import Path

from scripts.cli import entry

VALUE = "value"
STATUS = "status"
RESERVED_COLUMNS = (VALUE, STATUS)
# SSB's markers for a missing figure ("Standardtegn i tabeller"); the words go into messages.
MARKERS = {".": "ikke mulig å oppgi tall", "..": "tallgrunnlag mangler",
           ":": "vises ikke av konfidensialitetshensyn"}


class KostraFormatError(ValueError):
    """The input is not a JSON-stat 2.0 dataset this module can read; the message (in Norwegian)
    names the field, the value found and what was expected."""


@dataclass(frozen=True)
class Cube:
    """A validated JSON-stat 2.0 data answer: dimension ids, their codes in storage order, and
    one value (NaN where null) and one status marker (or None) per cell, row-major."""

    ids: list[str]
    codes: list[list[str]]
    values: list[float]
    statuses: list[str | None]

    def cells(self) -> Iterator[tuple[dict[str, str], float, str | None]]:
        """(code per dimension, value, status) for every cell, last dimension varying fastest."""
        for flat, (value, status) in enumerate(zip(self.values, self.statuses, strict=True)):
            rest, combo = flat, []
            for dim_codes in reversed(self.codes):
                rest, pos = divmod(rest, len(dim_codes))
                combo.append(dim_codes[pos])
            yield dict(zip(self.ids, reversed(combo), strict=True)), value, status


@dataclass(frozen=True)
class Dimension:
    """One dimension as SSB describes it: its label, codes in order, their labels, whether it may
    be left out of a query (``extension.elimination``), units and notes per code, code lists."""

    id: str
    label: str
    codes: list[str]
    labels: dict[str, str]
    elimination: bool | None = None
    units: dict[str, dict] = field(default_factory=dict)
    notes: dict[str, list[str]] = field(default_factory=dict)
    dimension_notes: list[str] = field(default_factory=list)
    codelists: list[dict] = field(default_factory=list)


@dataclass(frozen=True)
class TableMeta:
    """What a metadata answer (or the head of a data answer) says about a table."""

    table: str
    label: str
    updated: str | None
    roles: dict[str, list[str]]
    dimensions: dict[str, Dimension]
    notes: list[str]

    def by_role(self, role: str) -> list[str]:
        """Dimension ids with this job (``geo``, ``time``, ``metric``), as ``role`` lists them."""
        return list(self.roles.get(role, []))


def read_cube(obj: object) -> Cube:
    """Validate a JSON-stat 2.0 data answer and return its cells. Standard library only, so the
    pre-flight check (run when the Snakefile is read) can use it without pandas."""
    _check_is_dataset(obj)
    if VALUE not in obj:
        raise KostraFormatError("JSON-stat: mangler 'value' (et svar med bare metadata?)")
    ids, sizes = _dimension_ids_and_sizes(obj)
    codes = [_category_codes(obj, dim, size) for dim, size in zip(ids, sizes, strict=True)]
    n_cells = math.prod(sizes)
    return Cube(ids, codes, _values(obj.get(VALUE), n_cells, sizes), _statuses(obj.get(STATUS), n_cells))


def read_meta(obj: object) -> TableMeta:
    """The table description in a metadata answer (``value: []``) or a data answer.

    ``extension.codelists`` is read under both spellings SSB has used (``codeLists`` in older
    answers and documentation).
    """
    _check_is_dataset(obj)
    ids, sizes = _dimension_ids_and_sizes(obj)
    dims = {}
    for dim, size in zip(ids, sizes, strict=True):
        spec = obj["dimension"][dim]
        category = spec.get("category") or {}
        codes = _category_codes(obj, dim, size)
        labels = category.get("label") if isinstance(category.get("label"), dict) else {}
        ext = spec.get("extension") if isinstance(spec.get("extension"), dict) else {}
        lists = ext.get("codelists", ext.get("codeLists")) or []
        elim = ext.get("elimination")
        dims[dim] = Dimension(
            id=dim, label=str(spec.get("label") or dim), codes=codes,
            labels={c: str(labels.get(c, c)) for c in codes},
            elimination=elim if isinstance(elim, bool) else None,
            units={str(k): v for k, v in (category.get("unit") or {}).items() if isinstance(v, dict)},
            notes={str(k): _note_list(v) for k, v in (category.get("note") or {}).items()},
            dimension_notes=_note_list(spec.get("note")),
            codelists=[c for c in lists if isinstance(c, dict)])
    roles = obj.get("role") if isinstance(obj.get("role"), dict) else {}
    bad = [d for ds in roles.values() for d in (ds if isinstance(ds, list) else [ds]) if d not in dims]
    if bad:
        raise KostraFormatError(f"JSON-stat: 'role' nevner dimensjonen {bad[0]!r}, som ikke står i 'id' {ids}")
    px = (obj.get("extension") or {}).get("px") or {}
    label = str(obj.get("label") or "")
    table = str(px.get("tableid") or label.split(":", 1)[0].strip() or "ukjent")
    return TableMeta(table=table, label=label, updated=obj.get("updated"),
                     roles={str(k): [str(d) for d in (v if isinstance(v, list) else [v])] for k, v in roles.items()},
                     dimensions=dims, notes=_note_list(obj.get("note")))


def parse_jsonstat(obj: dict):
    """Turn a JSON-stat 2.0 dataset into a tidy DataFrame, one row per cell.

    Columns: one per dimension (category codes as strings, in ``id`` order), then
    ``value`` (float, NaN where the dataset has null) and ``status`` (marker string or
    missing). Rows follow the dataset's row-major order, so the last dimension in ``id``
    varies fastest. Raises ``KostraFormatError`` naming the offending field and value.
    """
    # pandas only here: the rest of the module serves steps that must start fast.
    import numpy as np
    import pandas as pd

    cube = read_cube(obj)
    sizes = [len(c) for c in cube.codes]
    columns = _row_major_codes(cube.codes, sizes, np)
    frame = pd.DataFrame({dim: col for dim, col in zip(cube.ids, columns, strict=True)})
    frame[VALUE] = np.asarray(cube.values, dtype=float)
    frame[STATUS] = pd.Series(cube.statuses, dtype=object)
    return frame


def load_json(path: str | Path) -> dict:
    """A saved SSB answer as JSON; every error message starts with the file name.

    Non-standard JSON tokens (NaN, Infinity) are rejected: SSB never sends them, so a file
    containing them has been edited or damaged.
    """
    path = Path(path)
    try:
        return json.loads(path.read_bytes(), parse_constant=_reject_constant)
    except json.JSONDecodeError as exc:
        raise KostraFormatError(
            f"{path}: ikke gyldig JSON på linje {exc.lineno}, kolonne {exc.colno} ({exc.msg})"
        ) from exc
    except UnicodeDecodeError as exc:
        raise KostraFormatError(
            f"{path}: ikke gyldig JSON: ikke UTF-8-tekst (byte {exc.start})"
        ) from exc
    except ValueError as exc:
        raise KostraFormatError(f"{path}: ikke gyldig JSON: {exc}") from exc


def read_snapshot(path: str | Path):
    """Parse a saved JSON-stat file into a tidy DataFrame; errors start with the file name."""
    obj = load_json(path)
    try:
        return parse_jsonstat(obj)
    except KostraFormatError as exc:
        raise KostraFormatError(f"{path}: {exc}") from exc


def read_cube_file(path: str | Path) -> Cube:
    """Parse a saved JSON-stat file into cells (no pandas); errors start with the file name."""
    obj = load_json(path)
    try:
        return read_cube(obj)
    except KostraFormatError as exc:
        raise KostraFormatError(f"{path}: {exc}") from exc


def read_ssb_csv(text: str):
    """SSB's CSV answer (``outputformatparams=separatorsemicolon,usecodesandtexts``) as the tidy
    frame ``parse_jsonstat`` gives: one column per dimension (codes), ``value``, ``status``.

    The header names each column ``"<code> - <text>"``; dimension columns hold
    ``"<code> - <text>"`` too, and every other column is one content code. SSB writes its
    markers (``..``) in place of a number.
    """
    import io

    import pandas as pd

    raw = pd.read_csv(io.StringIO(text), sep=";", dtype=str, keep_default_na=False)
    heads = {col: col.split(" - ", 1)[0] for col in raw.columns}
    dims = [col for col in raw.columns if raw[col].str.contains(" - ", regex=False).all()]
    contents = [col for col in raw.columns if col not in dims]
    if not dims or not contents:
        raise KostraFormatError("CSV: forventet kolonner «kode - tekst» for dimensjonene og én kolonne per "
                                f"statistikkvariabel; fant {list(raw.columns)}")
    rows = []
    for rec in raw.to_dict(orient="records"):
        keys = {heads[d]: rec[d].split(" - ", 1)[0] for d in dims}
        for col in contents:
            cell = rec[col].strip()
            status = cell if cell in MARKERS else None
            rows.append({**keys, "ContentsCode": heads[col],
                         VALUE: math.nan if status or not cell else _number(float(cell), col), STATUS: status})
    return pd.DataFrame(rows)


def to_csv_text(frame) -> str:
    """Tidy CSV for a parsed dataset: missing values and statuses become empty fields."""
    return frame.to_csv(index=False, lineterminator="\n")


def main(argv: list[str] | None = None) -> int:
    """Entry point of ``python -m scripts.data.kostra``; returns the process exit code."""
    parser = argparse.ArgumentParser(
        prog="python -m scripts.data.kostra", description="Read SSB JSON-stat 2.0 snapshots."
    )
    sub = parser.add_subparsers(dest="command", required=True)
    to_csv = sub.add_parser("to-csv", help="print a JSON-stat file as tidy CSV on stdout")
    to_csv.add_argument("file", type=Path)
    args = parser.parse_args(argv)
    try:
        frame = read_snapshot(args.file)
    except (KostraFormatError, OSError) as exc:
        # One line on stderr: callers (Snakemake, shell scripts) show it as is.
        print(f"kostra: feil: {_one_line(str(exc))}", file=sys.stderr)
        return 2
    sys.stdout.write(to_csv_text(frame))
    return 0


def _note_list(raw: object) -> list[str]:
    if raw is None:
        return []
    return [str(n) for n in raw] if isinstance(raw, list) else [str(raw)]


# --- validation helpers -------------------------------------------------------------


def _check_is_dataset(obj: object) -> None:
    """Refuse anything that is not a single JSON-stat 2.0 dataset object."""
    if not isinstance(obj, dict):
        raise KostraFormatError(
            f"JSON-stat: forventet et datasett (et JSON-objekt), fikk {_json_type(obj)}"
        )
    klass = obj.get("class")
    if klass is not None and klass != "dataset":
        raise KostraFormatError(
            f"JSON-stat: 'class' er {klass!r}; bare class 'dataset' kan leses"
        )
    version = obj.get("version")
    if version is not None and not str(version).startswith("2"):
        raise KostraFormatError(f"JSON-stat: 'version' er {version!r}; forventet 2.x")
    if "dataset" in obj and "id" not in obj:
        # JSON-stat 1.x bundles wrap datasets under a name; SSB's v2 API never does.
        raise KostraFormatError(
            "JSON-stat: dette ser ut som en samling (bundle) i format 1.x; forventet et "
            "datasett i format 2.0"
        )
    for key in ("id", "size", "dimension"):
        if key not in obj:
            raise KostraFormatError(f"JSON-stat: mangler {key!r} (ikke et datasett?)")


def _dimension_ids_and_sizes(obj: dict) -> tuple[list[str], list[int]]:
    """Validated ``id`` and ``size`` lists of equal length."""
    ids, sizes = obj["id"], obj["size"]
    if not isinstance(ids, list) or not all(isinstance(i, str) and i for i in ids):
        raise KostraFormatError(
            f"JSON-stat: 'id' er {ids!r}; forventet en liste med dimensjonsnavn (tekst, ikke tom)"
        )
    if not ids:
        raise KostraFormatError("JSON-stat: 'id' er tom; forventet minst én dimensjon")
    repeated = _first_repeat(ids)
    if repeated is not None:
        raise KostraFormatError(
            f"JSON-stat: 'id' har dimensjonen {repeated!r} mer enn én gang: {ids}"
        )
    clash = [i for i in ids if i in RESERVED_COLUMNS]
    if clash:
        raise KostraFormatError(
            f"JSON-stat: dimensjonen {clash[0]!r} har samme navn som en kolonne i tabellen som "
            f"lages; navnene {' og '.join(map(repr, RESERVED_COLUMNS))} er opptatt"
        )
    if not isinstance(sizes, list) or not all(_is_count(s) for s in sizes):
        raise KostraFormatError(
            f"JSON-stat: 'size' er {sizes!r}; forventet en liste med hele tall, 0 eller større"
        )
    if len(sizes) != len(ids):
        raise KostraFormatError(
            f"JSON-stat: 'id' har {len(ids)} dimensjoner, men 'size' har {len(sizes)} tall"
        )
    if not isinstance(obj["dimension"], dict):
        raise KostraFormatError(
            f"JSON-stat: 'dimension' er {_json_type(obj['dimension'])}; forventet et objekt"
        )
    return ids, sizes


def _first_repeat(items: list[str]) -> str | None:
    """The first item that occurs a second time, or None."""
    seen: set[str] = set()
    for item in items:
        if item in seen:
            return item
        seen.add(item)
    return None


def _is_count(x: object) -> bool:
    return isinstance(x, int) and not isinstance(x, bool) and x >= 0


def _category_codes(obj: dict, dim: str, size: int) -> list[str]:
    """Category codes of one dimension in storage order, checked against ``size``."""
    where = f"JSON-stat: dimensjonen {dim!r}"
    spec = obj["dimension"].get(dim)
    if not isinstance(spec, dict):
        raise KostraFormatError(f"{where} står i 'id', men mangler i 'dimension'")
    category = spec.get("category")
    if not isinstance(category, dict):
        raise KostraFormatError(f"{where} har ikke noe 'category'-objekt")
    index = category.get("index")
    if index is None:
        # The format lets a one-category dimension omit index and give only a label.
        labels = category.get("label")
        if isinstance(labels, dict) and len(labels) == 1:
            index = list(labels)
        else:
            raise KostraFormatError(
                f"{where}: 'category' har ingen 'index' (bare en dimensjon med én kategori kan "
                "klare seg med 'label')"
            )
    if isinstance(index, list):
        codes = index
    elif isinstance(index, dict):
        codes = _codes_from_positions(index, where)
    else:
        raise KostraFormatError(
            f"{where}: 'index' er {_json_type(index)}; forventet en liste eller et objekt"
        )
    not_text = [c for c in codes if not isinstance(c, str)]
    if not_text:
        raise KostraFormatError(
            f"{where}: kategorikoden {not_text[0]!r} er ikke tekst; forventet tekst som \"0301\""
        )
    repeated = _first_repeat(codes)
    if repeated is not None:
        raise KostraFormatError(f"{where}: kategorikoden {repeated!r} står mer enn én gang")
    if len(codes) != size:
        raise KostraFormatError(
            f"{where} har {len(codes)} kategorier, men 'size' sier {size}"
        )
    return codes


def _codes_from_positions(index: dict, where: str) -> list[str]:
    """Order codes by their position; positions must be exactly 0..n-1."""
    n = len(index)
    seen: set[int] = set()
    for code, p in index.items():
        if not _is_count(p) or p >= n or p in seen:
            raise KostraFormatError(
                f"{where}: kategorien {code!r} har posisjon {p!r} i 'index'; forventet "
                f"posisjonene 0..{n - 1}, hver én gang"
            )
        seen.add(p)
    return sorted(index, key=index.__getitem__)


def _values(raw: object, n_cells: int, sizes: list[int]) -> list[float]:
    """Flat list of floats (NaN for null) of length ``n_cells``."""
    if isinstance(raw, list):
        if len(raw) != n_cells:
            raise KostraFormatError(
                f"JSON-stat: 'value' har {len(raw)} tall, forventet {n_cells} "
                f"(produktet av 'size' {sizes})"
            )
        return [_number(v, i) for i, v in enumerate(raw)]
    if isinstance(raw, dict):
        # Sparse form: only the cells present are listed; the rest are missing, not 0.
        out = [math.nan] * n_cells
        for key, v in raw.items():
            out[_flat_index(key, n_cells, VALUE)] = _number(v, key)
        return out
    raise KostraFormatError(
        f"JSON-stat: 'value' er {_json_type(raw)}; forventet en liste eller et objekt"
    )


def _number(v: object, where: object) -> float:
    """One cell value as float; null becomes NaN so that it can never pass for 0."""
    if v is None:
        return math.nan
    if isinstance(v, bool) or not isinstance(v, Real):
        raise KostraFormatError(
            f"JSON-stat: value[{where}] er {v!r}; forventet et tall eller null"
        )
    return float(v)


def _statuses(raw: object, n_cells: int) -> list[str | None]:
    """Flat list of status markers (None where a cell has none)."""
    if raw is None:
        return [None] * n_cells
    if isinstance(raw, str):
        return [raw] * n_cells
    if isinstance(raw, list):
        if len(raw) == 1 and n_cells != 1:
            # The format allows a one-element array that applies to every cell.
            return [_marker(raw[0], 0)] * n_cells
        if len(raw) != n_cells:
            raise KostraFormatError(
                f"JSON-stat: 'status' har {len(raw)} merker, forventet {n_cells} eller 1"
            )
        return [_marker(s, i) for i, s in enumerate(raw)]
    if isinstance(raw, dict):
        out: list[str | None] = [None] * n_cells
        for key, s in raw.items():
            out[_flat_index(key, n_cells, STATUS)] = _marker(s, key)
        return out
    raise KostraFormatError(
        f"JSON-stat: 'status' er {_json_type(raw)}; forventet tekst, en liste eller et objekt"
    )


def _marker(s: object, where: object) -> str | None:
    if s is None or isinstance(s, str):
        return s
    raise KostraFormatError(f"JSON-stat: status[{where}] er {s!r}; forventet tekst eller null")


def _flat_index(key: object, n_cells: int, field: str) -> int:
    """A sparse object's key as a cell index within range."""
    try:
        i = int(key)
    except (TypeError, ValueError):
        raise KostraFormatError(
            f"JSON-stat: nøkkelen {key!r} i {field!r} er ikke et cellenummer; "
            f"forventet et helt tall 0..{n_cells - 1}"
        ) from None
    if not 0 <= i < n_cells:
        raise KostraFormatError(
            f"JSON-stat: nøkkelen {key!r} i {field!r} er utenfor cellene 0..{n_cells - 1}"
        )
    return i


def _row_major_codes(codes: list[list[str]], sizes: list[int], np) -> list:
    """Per-dimension code columns for all cells, last dimension varying fastest."""
    n_cells = math.prod(sizes)
    columns = []
    for i, dim_codes in enumerate(codes):
        inner = math.prod(sizes[i + 1 :])
        outer = math.prod(sizes[:i])
        column = np.tile(np.repeat(np.asarray(dim_codes, dtype=object), inner), outer)
        columns.append(column if n_cells else np.asarray([], dtype=object))
    return columns


def _reject_constant(token: str) -> float:
    raise ValueError(f"{token} er ikke en JSON-verdi (SSB sender aldri NaN eller Infinity)")


def _json_type(x: object) -> str:
    """What a parsed JSON value is, in the words of a message (never called with an object:
    every field it describes is wrong because it is not one)."""
    if x is None:
        return "null"
    if isinstance(x, bool):
        return f"{str(x).lower()} (sannhetsverdi)"
    if isinstance(x, list):
        return "en liste"
    if isinstance(x, str):
        return f"teksten {x!r}"
    if isinstance(x, Real):
        return f"tallet {x!r}"
    return type(x).__name__


def _one_line(text: str) -> str:
    return " ".join(text.split())


if __name__ == "__main__":
    sys.exit(entry(main))
