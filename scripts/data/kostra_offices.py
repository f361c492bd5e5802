"""KOSTRA figures per office from the fetched SSB snapshots, so nobody types them in.

``fetch_kostra`` stores the offices' municipalities in ``data/raw/kostra/private/`` (git-ignored),
each snapshot with a sidecar that records which content code the indicator's label resolved
to (``resolved``). At build time the private mapping (``config/offices.private.yaml``) turns
municipality numbers into office letters here; the numbers never leave this module: rows
carry the letter, and ``kilde`` names the SSB table and dates only.

Standard library only (the pre-flight check runs it when the Snakefile is read); the JSON-stat
reading is ``scripts.data.kostra``'s, the one parser of SSB answers.
"""
from __future__ import annotations

import json
import math
from pathlib import Path

from scripts import paths
from scripts.data.kostra import read_cube_file
from scripts.settings import table_for_year

DEFAULT_DIMS = {"region": "Region", "contents": "ContentsCode", "time": "Tid"}


def kilde_text(meta: dict) -> str:
    """Where a fetched figure comes from, for the table note: table, SSB's update date, fetch date.
    Figures on both sides of a change of table therefore name different tables."""
    def day(iso: str | None) -> str:
        return f"{iso[8:10]}.{iso[5:7]}.{iso[0:4]}" if iso and len(iso) >= 10 else "ukjent dato"

    resolved = meta.get("resolved") or {}
    updated = resolved.get("table_updated") or meta.get("ssb_updated")
    return (f"SSB, Statistikkbanken tabell {meta.get('table')}, oppdatert {day(updated)}, "
            f"hentet {day(meta.get('fetched_at'))}")


def office_values(year: int, offices: dict[str, str], catalogue: dict,
                  folder: Path | None = None) -> list[dict]:
    """Rows ``kontor, aar, indikator_id, verdi, kilde`` for ``year`` from the private snapshots.

    Only snapshots whose sidecar says which content code the indicator resolved to are used;
    the latest fetch wins when several snapshots hold the same cell, also when it has no
    figure (null: SSB withdrew or never had it). ``offices`` is letter -> municipality number
    (the private mapping). Missing figures are left out, so the pre-flight check names them.
    """
    folder = folder or paths.RAW_KOSTRA / "private"
    if not offices or not folder.is_dir():
        return []
    by_number = {n: k for k, n in offices.items()}
    inds = {i["id"]: i for i in catalogue.get("indicators", [])}
    found: dict[tuple[str, str], tuple[str, dict]] = {}
    for sidecar in sorted(folder.glob("*.meta.json")):
        meta = json.loads(sidecar.read_text(encoding="utf-8"))
        resolved = meta.get("resolved") or {}
        ind = inds.get(resolved.get("indikator_id"))
        data_path = sidecar.with_name(sidecar.name.replace(".meta.json", ".json"))
        if ind is None or not data_path.is_file():
            continue
        entry = table_for_year(ind, year)
        if entry is None or str(entry["table"]) != str(meta.get("table")):
            continue  # another table carries this year: never read a table past its range
        dims = resolved.get("dimensions") or entry.get("dimensions") or DEFAULT_DIMS
        wanted = {dims["contents"]: resolved["content"]["code"], **(resolved.get("select") or {})}
        for cell, value, _status in read_cube_file(data_path).cells():
            if (any(cell.get(d) != c for d, c in wanted.items()) or str(cell.get(dims["time"]))[:4] != str(year)
                    or cell.get(dims["region"]) not in by_number):
                continue
            key = (by_number[cell[dims["region"]]], ind["id"])
            row = {"kontor": key[0], "aar": year, "indikator_id": ind["id"],
                   "verdi": None if math.isnan(value) else value, "kilde": kilde_text(meta)}
            if key not in found or meta.get("fetched_at", "") >= found[key][0]:
                found[key] = (meta.get("fetched_at", ""), row)
    return [found[k][1] for k in sorted(found) if found[k][1]["verdi"] is not None]
