"""Use SSB snapshots in the report: reference values and fetched-versus-published figures.

Snapshots (``data/raw/kostra/**/*.json`` with ``.meta.json`` sidecars, written only by the
explicit fetch step) are read through the indicator catalogue. Only catalogue entries whose
``content_code`` is known are used: a guessed code would put the wrong figure in the report.

- Public regions (Landet, KOSTRA groups) become *reference values* for the edition year,
  labelled with the group definition that applies to that year.
- Municipalities become office letters through the private mapping (the number itself never
  leaves this module), and are compared with the published figures the report uses.
"""
from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from scripts.data.kostra import read_snapshot
from scripts.settings import indicator_tables, table_breaks

DEFAULT_DIMS = {"region": "Region", "contents": "ContentsCode", "time": "Tid"}


def load_snapshots(folder: Path) -> list[tuple[dict, pd.DataFrame]]:
    """Every snapshot below ``folder`` that has a sidecar, as (sidecar, tidy frame)."""
    out = []
    if not folder.is_dir():
        return out
    for path in sorted(folder.rglob("*.json")):
        if path.name.endswith(".meta.json"):
            continue
        sidecar = path.with_name(path.stem + ".meta.json")
        if sidecar.is_file():
            out.append((json.loads(sidecar.read_text(encoding="utf-8")), read_snapshot(path)))
    return out


def indicator_values(snapshots: list[tuple[dict, pd.DataFrame]], catalogue: dict,
                     offices: dict[str, str]) -> pd.DataFrame:
    """Tidy values: ``omrade`` (office letter or public region code), ``aar``, ``indikator_id``,
    ``verdi``, ``status``. Entries without a confirmed content code are skipped.

    A value is taken only from the table the catalogue names for its year, so a series that
    crosses a change of table is two tables' figures, never one table's read past its end.
    Dimension ids and the codes of further dimensions come from what the fetch resolved
    (sidecar ``resolved``), since nothing assumes a dimension's name."""
    by_number = {number: letter for letter, number in offices.items()}
    rows = []
    for ind in catalogue.get("indicators", []):
        tables = {str(t["table"]): t for t in indicator_tables(ind)}
        for meta, df in snapshots:
            entry = tables.get(str(meta.get("table")))
            if entry is None:
                continue
            # The code the fetch resolved from the table's metadata (sidecar), else a confirmed one.
            resolved = meta.get("resolved") or {}
            own = resolved.get("indikator_id") == ind["id"]
            code = (resolved.get("content") or {}).get("code") if own else entry.get("content_code")
            dims = (resolved.get("dimensions") if own else None) or entry.get("dimensions") or DEFAULT_DIMS
            if not code or not {dims["contents"], dims["region"], dims["time"]} <= set(df.columns):
                continue
            keep = df[dims["contents"]] == code
            for dim, wanted in ((resolved.get("select") or {}) if own else {}).items():
                keep &= df[dim] == wanted if dim in df.columns else False
            sub = df[keep]
            years = entry["years"]
            for r in sub.itertuples(index=False):
                rec = r._asdict()
                region = str(rec[dims["region"]])
                year = int(str(rec[dims["time"]])[:4])
                if not years["from"] <= year <= years.get("to", 10**4):
                    continue
                rows.append({"omrade": by_number.get(region, region), "aar": year,
                             "indikator_id": ind["id"], "verdi": rec["value"], "status": rec.get("status")})
    return pd.DataFrame(rows, columns=["omrade", "aar", "indikator_id", "verdi", "status"])


def reference_values(values: pd.DataFrame, catalogue: dict, year: int) -> dict[str, list[dict]]:
    """Per indicator, the public regions' values for ``year`` with the definition valid then."""
    regions = {r["code"]: r for r in catalogue.get("public_regions", [])}
    out: dict[str, list[dict]] = {}
    sub = values[(values["aar"] == year) & values["omrade"].isin(regions) & values["verdi"].notna()]
    for r in sub.itertuples(index=False):
        reg = regions[r.omrade]
        span = reg.get("years") or {}
        if not span.get("from", year) <= year <= span.get("to", year):
            continue  # the group meant something else that year
        out.setdefault(r.indikator_id, []).append({"omrade": r.omrade, "etikett": reg["label_nb"],
                                                   "definisjon": " ".join(str(reg.get("definition_nb", "")).split()),
                                                   "verdi": float(r.verdi)})
    return out


def fetched_vs_published(values: pd.DataFrame, published: pd.DataFrame, offices: list[str]) -> list[dict]:
    """Where both exist for an office and year: the published figure, the fetched one, the difference."""
    fetched = values[values["omrade"].isin(offices) & values["verdi"].notna()]
    merged = published.merge(fetched.rename(columns={"omrade": "kontor"}), on=["kontor", "aar", "indikator_id"],
                             suffixes=("_publisert", "_hentet"))
    return [{"kontor": r.kontor, "aar": int(r.aar), "indikator_id": r.indikator_id,
             "publisert": float(r.verdi_publisert), "hentet": float(r.verdi_hentet),
             "differanse": round(float(r.verdi_hentet) - float(r.verdi_publisert), 6)}
            for r in merged.sort_values(["aar", "kontor", "indikator_id"]).itertuples(index=False)]


def series_breaks(catalogue: dict, years: list[int]) -> dict[str, list[dict]]:
    """Per indicator, the series breaks that fall inside the years shown: a change of table in the
    catalogue (``tabeller``: the old and the new table) or a ``breaks`` entry. A break in ``aar``
    means figures from ``aar`` on do not compare with those before."""
    lo, hi = min(years), max(years)
    out: dict[str, list[dict]] = {}
    for ind in catalogue.get("indicators", []):
        for b in table_breaks(ind):
            if lo < b["year"] <= hi:
                item = {"aar": b["year"], "grunn": " ".join(b["reason_nb"].split())}
                if "table" in b:
                    item["tabeller"] = [b["previous"], b["table"]]
                out.setdefault(ind["id"], []).append(item)
    return out
