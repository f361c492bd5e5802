"""Read JSON-stat 2.0 datasets (as SSB's PxWebApi v2 returns them) into tidy tables.

Pure functions, no network: the client in ``scripts.data.kostra_client`` fetches, this module
only parses. ``parse_jsonstat`` turns any JSON-stat 2.0 dataset into one row per cell with
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
from numbers import Real
from pathlib import Path

import numpy as np
import pandas as pd

VALUE = "value"
STATUS = "status"
RESERVED_COLUMNS = (VALUE, STATUS)


class KostraFormatError(ValueError):
    """The input is not a JSON-stat 2.0 dataset this module can read; says what is wrong."""


def parse_jsonstat(obj: dict) -> pd.DataFrame:
    """Turn a JSON-stat 2.0 dataset into a tidy DataFrame, one row per cell.

    Columns: one per dimension (category codes as strings, in ``id`` order), then
    ``value`` (float, NaN where the dataset has null) and ``status`` (marker string or
    missing). Rows follow the dataset's row-major order, so the last dimension in ``id``
    varies fastest. Raises ``KostraFormatError`` naming the offending field.
    """
    _check_is_dataset(obj)
    ids, sizes = _dimension_ids_and_sizes(obj)
    codes = [_category_codes(obj, dim, size) for dim, size in zip(ids, sizes, strict=True)]
    n_cells = math.prod(sizes)
    values = _values(obj.get(VALUE), n_cells, sizes)
    statuses = _statuses(obj.get(STATUS), n_cells)
    columns = _row_major_codes(codes, sizes)
    frame = pd.DataFrame({dim: col for dim, col in zip(ids, columns, strict=True)})
    frame[VALUE] = np.asarray(values, dtype=float)
    frame[STATUS] = pd.Series(statuses, dtype=object)
    return frame


def read_snapshot(path: str | Path) -> pd.DataFrame:
    """Parse a saved JSON-stat file; every error message starts with the file name.

    Non-standard JSON tokens (NaN, Infinity) are rejected: SSB never sends them, so a file
    containing them has been edited or damaged.
    """
    path = Path(path)
    try:
        obj = json.loads(path.read_bytes(), parse_constant=_reject_constant)
    except (json.JSONDecodeError, UnicodeDecodeError, ValueError) as exc:
        raise KostraFormatError(f"{path}: not valid JSON: {exc}") from exc
    try:
        return parse_jsonstat(obj)
    except KostraFormatError as exc:
        raise KostraFormatError(f"{path}: {exc}") from exc


def to_csv_text(frame: pd.DataFrame) -> str:
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
        print(f"kostra: error: {_one_line(str(exc))}", file=sys.stderr)
        return 2
    sys.stdout.write(to_csv_text(frame))
    return 0


# --- validation helpers -------------------------------------------------------------


def _check_is_dataset(obj: object) -> None:
    """Refuse anything that is not a single JSON-stat 2.0 dataset object."""
    if not isinstance(obj, dict):
        raise KostraFormatError(
            f"JSON-stat: expected a dataset object, got {type(obj).__name__}"
        )
    klass = obj.get("class")
    if klass is not None and klass != "dataset":
        raise KostraFormatError(
            f"JSON-stat: not a dataset (class is {klass!r}); only class 'dataset' is supported"
        )
    version = obj.get("version")
    if version is not None and not str(version).startswith("2"):
        raise KostraFormatError(f"JSON-stat: version {version!r} is not 2.x")
    if "dataset" in obj and "id" not in obj:
        # JSON-stat 1.x bundles wrap datasets under a name; SSB's v2 API never does.
        raise KostraFormatError("JSON-stat: this looks like a 1.x bundle, not a 2.0 dataset")
    for key in ("id", "size", "dimension"):
        if key not in obj:
            raise KostraFormatError(f"JSON-stat: missing {key!r} (not a dataset?)")
    if VALUE not in obj:
        raise KostraFormatError("JSON-stat: missing 'value' (metadata-only answer?)")


def _dimension_ids_and_sizes(obj: dict) -> tuple[list[str], list[int]]:
    """Validated ``id`` and ``size`` lists of equal length."""
    ids, sizes = obj["id"], obj["size"]
    if not isinstance(ids, list) or not all(isinstance(i, str) and i for i in ids):
        raise KostraFormatError("JSON-stat: 'id' must be a list of non-empty strings")
    if not ids:
        raise KostraFormatError("JSON-stat: 'id' is empty (dataset without dimensions)")
    if len(set(ids)) != len(ids):
        raise KostraFormatError(f"JSON-stat: 'id' repeats a dimension: {ids}")
    clash = [i for i in ids if i in RESERVED_COLUMNS]
    if clash:
        raise KostraFormatError(
            f"JSON-stat: dimension named {clash[0]!r} clashes with the output column of that name"
        )
    if not isinstance(sizes, list) or not all(_is_count(s) for s in sizes):
        raise KostraFormatError("JSON-stat: 'size' must be a list of non-negative integers")
    if len(sizes) != len(ids):
        raise KostraFormatError(
            f"JSON-stat: 'id' has {len(ids)} dimensions but 'size' has {len(sizes)} entries"
        )
    if not isinstance(obj["dimension"], dict):
        raise KostraFormatError("JSON-stat: 'dimension' must be an object")
    return ids, sizes


def _is_count(x: object) -> bool:
    return isinstance(x, int) and not isinstance(x, bool) and x >= 0


def _category_codes(obj: dict, dim: str, size: int) -> list[str]:
    """Category codes of one dimension in storage order, checked against ``size``."""
    where = f"JSON-stat: dimension {dim!r}"
    spec = obj["dimension"].get(dim)
    if not isinstance(spec, dict):
        raise KostraFormatError(f"{where} is listed in 'id' but missing from 'dimension'")
    category = spec.get("category")
    if not isinstance(category, dict):
        raise KostraFormatError(f"{where} has no 'category' object")
    index = category.get("index")
    if index is None:
        # The format lets a one-category dimension omit index and give only a label.
        labels = category.get("label")
        if isinstance(labels, dict) and len(labels) == 1:
            index = list(labels)
        else:
            raise KostraFormatError(f"{where}: category has no 'index'")
    if isinstance(index, list):
        codes = index
    elif isinstance(index, dict):
        codes = _codes_from_positions(index, where)
    else:
        raise KostraFormatError(f"{where}: category 'index' must be a list or an object")
    if not all(isinstance(c, str) for c in codes):
        raise KostraFormatError(f"{where}: category codes must be strings")
    if len(set(codes)) != len(codes):
        raise KostraFormatError(f"{where}: category codes repeat")
    if len(codes) != size:
        raise KostraFormatError(
            f"{where} has {len(codes)} categories but 'size' says {size}"
        )
    return codes


def _codes_from_positions(index: dict, where: str) -> list[str]:
    """Order codes by their position; positions must be exactly 0..n-1."""
    positions = list(index.values())
    if not all(_is_count(p) for p in positions) or sorted(positions) != list(
        range(len(positions))
    ):
        raise KostraFormatError(
            f"{where}: category 'index' positions must be 0..{len(positions) - 1}, each once"
        )
    return sorted(index, key=index.__getitem__)


def _values(raw: object, n_cells: int, sizes: list[int]) -> list[float]:
    """Flat list of floats (NaN for null) of length ``n_cells``."""
    if isinstance(raw, list):
        if len(raw) != n_cells:
            raise KostraFormatError(
                f"JSON-stat: 'value' has {len(raw)} entries, expected {n_cells} "
                f"(product of size {sizes})"
            )
        return [_number(v, i) for i, v in enumerate(raw)]
    if isinstance(raw, dict):
        # Sparse form: only the cells present are listed; the rest are missing, not 0.
        out = [math.nan] * n_cells
        for key, v in raw.items():
            out[_flat_index(key, n_cells, VALUE)] = _number(v, key)
        return out
    raise KostraFormatError("JSON-stat: 'value' must be a list or an object")


def _number(v: object, where: object) -> float:
    """One cell value as float; null becomes NaN so that it can never pass for 0."""
    if v is None:
        return math.nan
    if isinstance(v, bool) or not isinstance(v, Real):
        raise KostraFormatError(
            f"JSON-stat: value[{where}] is {v!r}, expected a number or null"
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
                f"JSON-stat: 'status' has {len(raw)} entries, expected {n_cells} or 1"
            )
        return [_marker(s, i) for i, s in enumerate(raw)]
    if isinstance(raw, dict):
        out: list[str | None] = [None] * n_cells
        for key, s in raw.items():
            out[_flat_index(key, n_cells, STATUS)] = _marker(s, key)
        return out
    raise KostraFormatError("JSON-stat: 'status' must be a string, a list or an object")


def _marker(s: object, where: object) -> str | None:
    if s is None or isinstance(s, str):
        return s
    raise KostraFormatError(f"JSON-stat: status[{where}] is {s!r}, expected a string")


def _flat_index(key: object, n_cells: int, field: str) -> int:
    """A sparse object's key as a cell index within range."""
    try:
        i = int(key)
    except (TypeError, ValueError):
        raise KostraFormatError(
            f"JSON-stat: {field!r} key {key!r} is not a cell index"
        ) from None
    if not 0 <= i < n_cells:
        raise KostraFormatError(
            f"JSON-stat: {field!r} key {key!r} is outside 0..{n_cells - 1}"
        )
    return i


def _row_major_codes(codes: list[list[str]], sizes: list[int]) -> list[np.ndarray]:
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
    raise ValueError(f"non-standard JSON constant {token}")


def _one_line(text: str) -> str:
    return " ".join(text.split())


if __name__ == "__main__":
    sys.exit(main())
