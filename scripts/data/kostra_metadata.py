"""Resolve the KOSTRA catalogue's labels to SSB's codes, from a table's own metadata.

SSB's PxWebApi v2 answers ``/tables/{id}/metadata`` with a JSON-stat 2.0 dataset without
values: ``id`` lists the dimensions, ``dimension[d].category.index`` the codes and
``dimension[d].category.label`` their labels, ``updated`` when the figures last changed
(PxAPI-2.yml, components/schemas/Dataset and the example examplesAsYml/dataset-meta.yml).
The catalogue names indicators and regions by *label*; this module finds the code whose
label matches after :func:`normalise`, through the catalogue's short reviewed alias list,
and stops with the nearest candidates when a label matches nothing or more than one code.

Pure functions, no network: ``scripts.data.kostra_client`` fetches the metadata.
"""
from __future__ import annotations

import difflib
import re
import unicodedata


class ResolveError(ValueError):
    """A label was not found, or matched several codes; the message lists the nearest candidates."""


def normalise(label: str) -> str:
    """Compare labels the way a reader would: case, dashes, punctuation and SSB's
    abbreviations (``pr.``/``pr`` = ``per``) do not matter, the words do.

    >>> normalise("Netto driftsutgifter til sosialtjenesten pr. innbygger (kr)")
    'netto driftsutgifter til sosialtjenesten per innbygger kr'
    """
    text = unicodedata.normalize("NFKC", str(label)).lower()
    text = re.sub(r"[\u2010-\u2015\u2212-]", " ", text)
    text = re.sub(r"\bpr\b\.?", "per", text)
    text = re.sub(r"[^\w\s]", " ", text)
    return " ".join(text.split())


def categories(meta: dict, dim: str) -> dict[str, str]:
    """Code -> label of one dimension, in the table's order (labels default to the code)."""
    spec = (meta.get("dimension") or {}).get(dim)
    if not isinstance(spec, dict):
        raise ResolveError(f"dimensjonen {dim!r} finnes ikke i tabellen; den har "
                           f"{', '.join(meta.get('id') or (meta.get('dimension') or {}))}")
    cat = spec.get("category") or {}
    index = cat.get("index") or list(cat.get("label") or {})
    codes = sorted(index, key=index.__getitem__) if isinstance(index, dict) else list(index)
    labels = cat.get("label") or {}
    return {str(c): str(labels.get(c, c)) for c in codes}


def resolve(meta: dict, dim: str, label: str, aliases: list[str] | tuple[str, ...] = (),
            what: str = "") -> tuple[str, str]:
    """The one code of ``dim`` whose label matches ``label`` or an alias: (code, SSB's label)."""
    cats = categories(meta, dim)
    wanted = {normalise(x) for x in (label, *aliases)}
    hits = [(c, lab) for c, lab in cats.items() if normalise(lab) in wanted]
    if len(hits) == 1:
        return hits[0]
    table = meta.get("extension", {}).get("px", {}).get("tableid") or meta.get("label") or "tabellen"
    if hits:
        raise ResolveError(f"{what or label!r}: flere koder i {dim} passer i {table}: "
                           + "; ".join(f"{c} «{lab}»" for c, lab in hits)
                           + ". Gjør etiketten i katalogen entydig.")
    raise ResolveError(f"{what or label!r}: fant ingen kode i {dim} med denne etiketten i {table}. "
                       f"Nærmeste: {nearest(label, cats)}. Legg riktig etikett til som alias i "
                       "config/kostra_catalogue.yaml etter at den er kontrollert.")


def nearest(label: str, cats: dict[str, str], n: int = 3) -> str:
    """The ``n`` closest labels as ``'code «label»'``, closest first."""
    by_norm = {normalise(lab): (c, lab) for c, lab in cats.items()}
    close = difflib.get_close_matches(normalise(label), list(by_norm), n=n, cutoff=0.0)
    return "; ".join(f"{by_norm[x][0]} «{by_norm[x][1]}»" for x in close) or "(ingen)"


def missing_codes(meta: dict, dim: str, codes: list[str]) -> list[str]:
    """Codes (e.g. the private mapping's municipalities) that the table does not have."""
    have = categories(meta, dim)
    return [c for c in codes if c not in have]


def time_codes(meta: dict, dim: str) -> list[str]:
    """The periods the table covers."""
    return list(categories(meta, dim))


def resolve_indicator(meta: dict, indicator: dict, municipalities: list[str] = ()) -> dict:
    """Everything the fetch needs for one catalogue indicator, resolved from its table's metadata.

    Returns ``{"table", "table_updated", "content": {"code", "label"}, "regions": [{"code",
    "label", "label_nb"}], "periods": [...]}``. Raises ``ResolveError`` naming what is missing;
    a municipality that is not in the table is reported by count only (the numbers are private).
    """
    dims = indicator["dimensions"]
    code, lab = resolve(meta, dims["contents"], indicator["label_nb"], indicator.get("label_aliases", ()),
                        what=indicator["id"])
    regions = []
    for r in indicator["regions"]:
        rc, rl = resolve(meta, dims["region"], r["label_nb"], r.get("aliases", ()), what=r["label_nb"])
        regions.append({"code": rc, "label": rl, "label_nb": r["label_nb"]})
    absent = missing_codes(meta, dims["region"], list(municipalities))
    if absent:
        raise ResolveError(f"{len(absent)} av kommunenumrene i den private kontorfilen finnes ikke i "
                           f"{dims['region']} i tabell {indicator['table']}; kontroller filen "
                           "(numrene vises ikke her)")
    return {"table": indicator["table"], "table_updated": meta.get("updated"),
            "content": {"code": code, "label": lab}, "regions": regions,
            "periods": time_codes(meta, dims["time"])}
