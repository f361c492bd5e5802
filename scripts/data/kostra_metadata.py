"""Resolve the KOSTRA catalogue's labels to SSB's codes, from a table's own metadata.

SSB's PxWebApi v2 answers ``/tables/{id}/metadata`` with a JSON-stat 2.0 dataset without
values (``value: []``). Nothing here assumes a dimension's name: the region, time and
contents dimensions are the ones ``role`` names ``geo``, ``time`` and ``metric`` (KOSTRA
tables call their region dimension ``KOKkommuneregion0000``, other tables ``Region``), and
when a table has two geographic dimensions, or none marked, the catalogue's
``geo_dimension`` (a dimension label or id) says which. Codes are found from labels after
:func:`normalise`, through the catalogue's short reviewed alias lists; a label that matches
nothing or more than one code stops with the nearest candidates.

Pure functions, no network: ``scripts.data.kostra_client`` fetches the metadata.
"""
from __future__ import annotations

import difflib
import re
import unicodedata

from scripts.data.kostra import KostraFormatError, TableMeta, read_meta

CATALOGUE_FILE = "config/kostra_catalogue.yaml"


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


def _meta(meta: dict | TableMeta) -> TableMeta:
    if isinstance(meta, TableMeta):
        return meta
    try:
        return read_meta(meta)
    except KostraFormatError as exc:
        raise ResolveError(f"metadata kan ikke leses: {exc}") from None


def _dims_text(m: TableMeta) -> str:
    return ", ".join(f"{d.id} «{d.label}»" for d in m.dimensions.values())


def categories(meta: dict | TableMeta, dim: str) -> dict[str, str]:
    """Code -> label of one dimension, in the table's order (labels default to the code)."""
    m = _meta(meta)
    if dim not in m.dimensions:
        raise ResolveError(f"dimensjonen {dim!r} finnes ikke i tabell {m.table}; den har {_dims_text(m)}")
    return dict(m.dimensions[dim].labels)


def find_dimensions(meta: dict | TableMeta, geo_dimension: str | None = None) -> dict[str, str]:
    """The ids of the region, contents and time dimensions: ``{"region", "contents", "time"}``.

    Found by ``role`` (``geo``, ``metric``, ``time``), never by an assumed name. ``geo_dimension``
    (from the catalogue: a dimension label such as ``region`` or an id) picks the region dimension
    when ``role.geo`` names two, or names none although the table has regions.
    """
    m = _meta(meta)
    found = {}
    for key, role in (("time", "time"), ("contents", "metric")):
        ids = m.by_role(role)
        if len(ids) != 1:
            raise ResolveError(
                f"tabell {m.table}: metadata oppgir {len(ids)} dimensjon(er) med rollen «{role}» "
                f"(role.{role} = {ids}); forventet nøyaktig én. Dimensjonene er {_dims_text(m)}")
        found[key] = ids[0]
    geos = m.by_role("geo")
    if geo_dimension:
        want = normalise(geo_dimension)
        hits = [d.id for d in m.dimensions.values() if d.id == geo_dimension or normalise(d.label) == want]
        if len(hits) != 1:
            raise ResolveError(
                f"tabell {m.table}: geo_dimension «{geo_dimension}» i {CATALOGUE_FILE} passer "
                f"{'ingen' if not hits else 'flere'} dimensjon(er); tabellen har {_dims_text(m)}. "
                "Skriv etiketten eller id-en til regiondimensjonen.")
        found["region"] = hits[0]
    elif len(geos) == 1:
        found["region"] = geos[0]
    elif not geos:
        raise ResolveError(
            f"tabell {m.table}: metadata oppgir ingen geografisk dimensjon (role.geo); dimensjonene er "
            f"{_dims_text(m)}. Hvis en av dem er regionene, sett geo_dimension: <etikett> for tabellen i "
            f"{CATALOGUE_FILE}.")
    else:
        names = ", ".join(f"{d} «{m.dimensions[d].label}»" for d in geos)
        raise ResolveError(
            f"tabell {m.table} har {len(geos)} geografiske dimensjoner ({names}), og {CATALOGUE_FILE} sier "
            f"ikke hvilken som gir regionene. Sett geo_dimension: <etikett> for tabellen i katalogen, "
            f"f.eks. geo_dimension: {m.dimensions[geos[0]].label}.")
    return found


def resolve_selection(meta: dict | TableMeta, dims: dict[str, str], select: list[dict] = ()) -> dict[str, str]:
    """Codes for the table's other dimensions (function, type of account ...): ``{dim id: code}``.

    The catalogue's ``select`` gives, per dimension label, the label of the one value wanted. A
    dimension that may be left out (``extension.elimination: true``) and is not in ``select`` is
    left out; one that may not is an error naming it, unless it has a single value.
    """
    m = _meta(meta)
    taken = set(dims.values())
    wanted = {normalise(s["dimension"]): s for s in select}
    out: dict[str, str] = {}
    for d in m.dimensions.values():
        if d.id in taken:
            continue
        choice = wanted.pop(normalise(d.label), None) or wanted.pop(normalise(d.id), None)
        if choice:
            out[d.id] = resolve(m, d.id, choice["label"], choice.get("aliases", ()), what=choice["label"])[0]
        elif d.elimination is not True and len(d.codes) != 1:
            raise ResolveError(
                f"tabell {m.table}: dimensjonen {d.id} «{d.label}» kan ikke utelates (elimination: "
                f"{str(d.elimination).lower() if d.elimination is not None else 'ikke oppgitt'}), og {CATALOGUE_FILE} "
                f"velger ingen verdi i den. Legg til under select: {{dimension: {d.label}, label: <etikett>}}; "
                "verdiene begynner med "
                + "; ".join(f"{c} «{lab}»" for c, lab in list(d.labels.items())[:3]) + ".")
    if wanted:
        raise ResolveError(f"tabell {m.table}: select i {CATALOGUE_FILE} nevner dimensjonen "
                           f"«{next(iter(wanted.values()))['dimension']}», som tabellen ikke har; den har {_dims_text(m)}")
    return out


def resolve(meta: dict, dim: str, label: str, aliases: list[str] | tuple[str, ...] = (),
            what: str = "") -> tuple[str, str]:
    """The one code of ``dim`` whose label matches ``label`` or an alias: (code, SSB's label)."""
    m = _meta(meta)
    cats = categories(m, dim)
    wanted = {normalise(x) for x in (label, *aliases)}
    hits = [(c, lab) for c, lab in cats.items() if normalise(lab) in wanted]
    if len(hits) == 1:
        return hits[0]
    table = f"tabell {m.table}"
    if hits:
        raise ResolveError(f"{what or label!r}: flere koder i {dim} passer i {table}: "
                           + "; ".join(f"{c} «{lab}»" for c, lab in hits)
                           + ". Gjør etiketten i katalogen entydig.")
    raise ResolveError(f"{what or label!r}: fant ingen kode i {dim} med denne etiketten i {table}. "
                       f"Nærmeste: {nearest(label, cats)}. Har SSB endret etiketten, legg den nye "
                       f"til som alias i {CATALOGUE_FILE} (label_aliases, eller aliases for en region) etter å ha "
                       "kontrollert at den betyr det samme, og hent på nytt.")


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


def resolve_indicator(meta: dict | TableMeta, entry: dict, municipalities: list[str] = ()) -> dict:
    """Everything the fetch needs for one catalogue indicator in one table, from the table's metadata.

    ``entry`` is the indicator merged with one of its ``tables`` (``table``, ``label_nb`` or the
    table's ``label``, ``label_aliases``, ``geo_dimension``, ``select``, ``regions``). Returns
    ``{"table", "table_updated", "dimensions": {"region", "contents", "time"}, "select": {dim: code},
    "content": {"code", "label", "unit"}, "regions": [{"code", "label", "label_nb"}], "periods"}``.
    Raises ``ResolveError`` naming what is missing; a municipality that is not in the table is
    reported by count only (the numbers are private).
    """
    m = _meta(meta)
    dims = find_dimensions(m, entry.get("geo_dimension"))
    # A table's own label (and its aliases) replaces the indicator's: tables word it differently.
    code, lab = resolve(m, dims["contents"], entry.get("label") or entry["label_nb"], entry.get("label_aliases") or (),
                        what=entry["id"])
    unit = m.dimensions[dims["contents"]].units.get(code)
    regions = []
    for r in entry["regions"]:
        rc, rl = resolve(m, dims["region"], r["label_nb"], r.get("aliases", ()), what=r["label_nb"])
        regions.append({"code": rc, "label": rl, "label_nb": r["label_nb"]})
    absent = missing_codes(m, dims["region"], list(municipalities))
    if absent:
        raise ResolveError(f"{len(absent)} av kommunenumrene i den private kontorfilen finnes ikke i "
                           f"{dims['region']} i tabell {entry['table']}; kontroller filen "
                           "(numrene vises ikke her)")
    return {"table": entry["table"], "table_updated": m.updated, "dimensions": dims,
            "select": resolve_selection(m, dims, entry.get("select") or ()),
            "content": {"code": code, "label": lab, **({"unit": unit} if unit else {})}, "regions": regions,
            "periods": time_codes(m, dims["time"])}


def table_info(obj: dict) -> dict:
    """The facts a ``/tables/{id}`` answer gives about a table: ``id``, ``label``, ``updated``,
    ``firstPeriod``, ``lastPeriod`` and ``variableNames`` (a closed series stops being updated)."""
    missing = [k for k in ("id", "label", "firstPeriod", "lastPeriod") if k not in obj]
    if missing:
        raise ResolveError(f"tabellinformasjonen mangler {', '.join(missing)}; forventet svaret fra /tables/{{id}}")
    return {k: obj.get(k) for k in ("id", "label", "updated", "firstPeriod", "lastPeriod", "variableNames")}


def table_search_page(obj: dict) -> tuple[list[dict], str | None]:
    """One page of ``/tables?query=…``: the tables on it (as :func:`table_info`) and the link
    to the next page, or None on the last one."""
    tables = [table_info(t) for t in obj.get("tables") or []]
    links = (obj.get("page") or {}).get("links") or []
    return tables, next((link["href"] for link in links if link.get("rel") == "next"), None)


def codelist_values(obj: dict) -> dict[str, dict]:
    """A ``/codelists/{id}`` answer as ``{code: {"label", "members"}}`` (``valueMap``: the
    codes of the table's own list that the grouped value stands for)."""
    return {v["code"]: {"label": v.get("label", v["code"]), "members": list(v.get("valueMap") or [])}
            for v in obj.get("values") or []}
