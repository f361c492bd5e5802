"""Editions as data: what one build found, kept as a file, and what changed since the last one.

Every build writes its edition's record, ``build/utgave/utgave.json`` (``lag``): the values
behind Tabell 4.2, Figur 4.1 and the generated sentences (every office, indicator and year
shown), the best value per indicator and the offices holding it, who leads each line, each
hypothesis's verdict with the basis the data give it, the SSB table of each KOSTRA indicator,
and the data files' checksums and sources.

A user keeps an edition by copying its record to a folder of their choice (``behold --til
data/editions/2014``); a kept edition under ``data/`` is input data like any other (the manifest
lists it as new until approved). The config key ``forrige_utgave`` names the edition to compare
with; by default the kept edition of the year before, when there is one (:func:`forrige`).

``endringer`` compares two records: every figure that changed, revisions (the same year's figure
different in the new data), best values and the offices holding them, verdicts, the facts behind
the generated sentences (compared as facts, not as wording), indicators added or removed, and
indicators moved to another SSB table. It writes ``build/endringer.csv`` (one row per change) and
``build/results/endringer.json`` for the appendix «Hva er endret siden forrige utgave».

Pure functions take and return plain dicts; no pandas, so the Snakefile can ask :func:`forrige`
on every call (``-n`` included) at no cost.
"""
from __future__ import annotations

import argparse
import csv
import io
import json
import re
import shutil
import sys
from pathlib import Path

from scripts import paths
from scripts.atomic import write_text
from scripts.cli import entry

FORMAT = "navrapport-utgave"
VERSJON = 1
RECORD = paths.BUILD / "utgave" / "utgave.json"
EDITIONS = paths.DATA / "editions"
CHANGES_CSV = paths.BUILD / "endringer.csv"
CHANGES_JSON = paths.RESULTS / "endringer.json"
# forrige_utgave: «auto» = the kept edition of the year before, if any; «ingen» = never compare.
AUTO, NONE = "auto", "ingen"

# The columns of build/endringer.csv, in order.
COLUMNS = ["type", "indikator", "kontor", "aar_for", "aar_etter", "for", "etter", "retning", "vurdering",
           "beskrivelse"]
# Row types, in the order the appendix and the CSV list them.
TYPES = ["tall", "revisjon", "beste_verdi_flyttet", "beste_verdi_endret", "vurdering", "setning",
         "indikator_ny", "indikator_fjernet", "tabell"]


MD_ESCAPE = re.compile(r"\\(.)")


class EditionError(ValueError):
    """A kept edition that cannot be read or compared; the message names the file and what was expected."""


# --------------------------------------------------------------------------- finding the previous edition


def record_in(place: Path) -> Path:
    """The record file of a kept edition: ``place`` itself, or ``place/utgave.json`` for a folder."""
    return place / "utgave.json" if place.is_dir() or not place.suffix else place


def forrige(setting: str | None, year: int, root: Path | None = None) -> Path | None:
    """The record to compare with, from the config's ``forrige_utgave``.

    ``auto`` (the default): ``data/editions/<year - 1>/utgave.json`` when it exists, else none.
    ``ingen``: none. Anything else is a path (file or folder, relative to the project) that must
    exist: a user who names an edition wants to hear that it is missing, not get a report
    without the section.
    """
    root = paths.ROOT if root is None else root
    setting = (setting or AUTO).strip()
    if setting == NONE:
        return None
    if setting == AUTO:
        found = root / "data" / "editions" / str(year - 1) / "utgave.json"
        return found if found.is_file() else None
    given = record_in(root / setting)
    if not given.is_file():
        raise EditionError(f"forrige_utgave: {setting} finnes ikke (leter etter {given.relative_to(root) if given.is_relative_to(root) else given}); "
                           "forventet en mappe med utgave.json laget av "
                           "`python -m scripts.analysis.utgave behold --til <mappe>`, «auto» eller «ingen»")
    return given


def load(path: Path) -> dict:
    """A record as written by :func:`record`; anything else is an error naming the file and field."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise EditionError(f"{path}: kan ikke leses som en utgave ({exc}); forventet JSON laget av "
                           "`python -m scripts.analysis.utgave`") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise EditionError(f"{path}: feltet «format» er {data.get('format') if isinstance(data, dict) else None!r}; "
                           f"forventet {FORMAT!r}")
    if data.get("versjon") != VERSJON:
        raise EditionError(f"{path}: feltet «versjon» er {data.get('versjon')!r}; forventet {VERSJON}")
    for key in ("aar", "kontorer", "indikatorer", "hypoteser", "setninger"):
        if key not in data:
            raise EditionError(f"{path}: mangler feltet «{key}»")
    return data


# --------------------------------------------------------------------------- the record of one edition


def ssb_tabell(catalogue: dict, indicator_id: str, year: int) -> str | None:
    """The SSB table that carries a KOSTRA indicator for ``year`` in the catalogue (None when none does)."""
    from scripts.settings import table_for_year

    for ind in catalogue.get("indicators", []):
        if ind["id"] == indicator_id:
            t = table_for_year(ind, year)
            return str(t["table"]) if t else None
    return None


def h4_grunnlag(stat_best: list[str], kommune_best: list[str]) -> str:
    """What the results say about H4's basis, as one of four patterns (see ``GRUNNLAG`` in
    scripts.content.endringer): the thesis's reading rests on one office leading each line."""
    if set(stat_best) & set(kommune_best):
        return "samme_kontor"
    if stat_best and kommune_best:
        return "ulike_kontorer"
    return "en_linje" if (stat_best or kommune_best) else "ingen_linje"


def record(results: dict, facts: dict, provenance: dict, catalogue: dict, data_dir: str = "data/raw") -> dict:
    """The edition's record from the comparison step's results, the thesis facts, the provenance
    table and the KOSTRA catalogue (all as read from their files)."""
    aar = int(results["aar"])
    serie: dict[str, dict[str, dict[str, float]]] = {}
    kilder: dict[str, list[str]] = {}
    for r in results.get("tidsserie") or []:
        serie.setdefault(r["indikator_id"], {}).setdefault(str(int(r["aar"])), {})[r["kontor"]] = float(r["verdi"])
        k = str(r.get("kilde") or "").strip()
        if int(r["aar"]) == aar and k and k.lower() != "nan" and k not in kilder.setdefault(r["indikator_id"], []):
            kilder[r["indikator_id"]].append(k)
    from scripts.content.figtext import decimals

    indikatorer = {}
    for i in results["indikatorer"]:
        best = list(i["beste"])
        indikatorer[i["id"]] = {
            **{k: i[k] for k in ("etikett", "kort", "enhet", "retning", "linje", "kilde")},
            "desimaler": decimals(i),
            "ssb_tabell": ssb_tabell(catalogue, i["id"], aar) if i["kilde"] == "kostra" else None,
            "kilder": kilder.get(i["id"]) or [i["kildetekst"]],
            "verdier": serie.get(i["id"]) or {str(aar): dict(i["verdier"])},
            "beste": best,
            "beste_verdi": i["verdier"][best[0]] if best else None,
        }
    linjer = {"stat": list(results["statlig_best"]), "kommune": list(results["kommunal_best"])}
    per_linje = {linje: {iid: indikatorer[iid]["beste"] for iid in ids}
                 for linje, ids in (("stat", results["statlige_indikatorer"]),
                                    ("kommune", results["kommunale_indikatorer"]))}
    hypoteser = {}
    for h in facts["hypoteser"]["hypoteser"]:
        grunnlag = h4_grunnlag(linjer["stat"], linjer["kommune"]) if h["id"] == "H4" else None
        hypoteser[h["id"]] = {"kategori": h["vurdering"]["kategori"], "grunnlag": grunnlag}
    return {
        "format": FORMAT,
        "versjon": VERSJON,
        "aar": aar,
        "oppgave_aar": int(facts["fakta"]["dokumenter"]["malekort"]["aar"]),
        "aar_serie": [int(y) for y in results["aar_serie"]],
        "kontorer": list(results["kontorer"]),
        "datamappe": data_dir,
        "indikatorer": indikatorer,
        # Tabell 4.2's order (the record's keys are sorted when written).
        "rekkefolge": [i["id"] for i in results["indikatorer"]],
        "linjer": linjer,
        "hypoteser": hypoteser,
        # The facts each generated sentence is built from (scripts.content.analyse_text and
        # scripts.content.forside): the sentence changes meaning exactly when these change.
        "setninger": {
            "samlet": {"beste": sorted(set(linjer["stat"]) & set(linjer["kommune"]))},
            "linje_stat": {"beste": linjer["stat"], "per_indikator": per_linje["stat"]},
            "linje_kommune": {"beste": linjer["kommune"], "per_indikator": per_linje["kommune"]},
        },
        "datafiler": [{k: f[k] for k in ("sti", "bytes", "sha256") if k in f} for f in provenance.get("filer", [])],
    }


# --------------------------------------------------------------------------- comparing two editions


def _printed(v: float | None, d: int) -> float | None:
    """The value as the report prints it: a figure changes when its printed form changes."""
    return None if v is None else round(float(v), d)


def _direction(old: float, new: float, retning: str) -> tuple[str, str]:
    """(``opp``/``ned``, ``bedre``/``dårligere``) for a change from ``old`` to ``new``."""
    opp = new > old
    bedre = opp if retning == "hoyest_best" else not opp
    return ("opp" if opp else "ned"), ("bedre" if bedre else "dårligere")


def kontor_endringer(own_before: dict, own_now: dict, indicators: list[dict], year_before: int, year_now: int) -> list[dict]:
    """One office's own changes since its last report: ``own_*`` are indicator -> year -> value of
    this office only (the previous edition's and the current data), so nothing of another office
    can enter. Rows as :func:`diff` gives them (types tall, revisjon,
    indikator_ny, indikator_fjernet)."""
    rows = []
    by_id = {i["id"]: i for i in indicators}
    for iid, ind in by_id.items():
        if iid not in own_before:
            rows.append({"type": "indikator_ny", "indikator": iid})
            continue
        d = int(ind["desimaler"])
        before, now = own_before[iid], own_now.get(iid, {})
        for y in sorted(set(before) & set(now), key=int):
            a, b = _printed(before[y], d), _printed(now[y], d)
            if a is not None and b is not None and a != b:
                rows.append({"type": "revisjon", "indikator": iid, "aar": int(y), "for": a, "etter": b})
        if year_before != year_now:
            a, b = _printed(before.get(str(year_before)), d), _printed(now.get(str(year_now)), d)
            if a is not None and b is not None and a != b:
                retning, vurdering = _direction(a, b, ind["retning"])
                rows.append({"type": "tall", "indikator": iid, "for": a, "etter": b, "retning": retning,
                             "vurdering": vurdering})
    rows += [{"type": "indikator_fjernet", "indikator": iid} for iid in own_before if iid not in by_id]
    return rows


def _order(edition: dict) -> list[str]:
    """The edition's indicators in Tabell 4.2's order."""
    ids = [i for i in edition.get("rekkefolge", []) if i in edition["indikatorer"]]
    return ids + sorted(set(edition["indikatorer"]) - set(ids))


def _row(type_: str, **kw) -> dict:
    return {"type": type_, **{c: kw.get(c) for c in COLUMNS if c != "type"}}


def _shared(old: dict, new: dict):
    """(id, old indicator, new indicator, decimals) for each indicator in both editions, in Tabell 4.2's order."""
    for iid in _order(new):
        if iid in old["indikatorer"]:
            ni = new["indikatorer"][iid]
            yield iid, old["indikatorer"][iid], ni, int(ni["desimaler"])


def _value_row(type_: str, ind: dict, a: float | None, b: float | None, **kw) -> dict | None:
    """A figure's row when both values exist and differ as printed, with direction and whether it is better."""
    if a is None or b is None or a == b:
        return None
    retning, vurdering = _direction(a, b, ind["retning"])
    return _row(type_, **kw, **{"for": a, "etter": b}, retning=retning, vurdering=vurdering)


def value_changes(old: dict, new: dict) -> list[dict]:
    """Figures that changed (the old edition's year against the new one's) and revisions (the
    same year in both editions, different in the new data), per indicator and office."""
    rows = []
    for iid, oi, ni, d in _shared(old, new):
        for y in sorted(set(oi["verdier"]) & set(ni["verdier"]), key=int):
            rows += [_value_row("revisjon", ni, _printed(oi["verdier"][y].get(k), d), _printed(ni["verdier"][y].get(k), d),
                                indikator=iid, kontor=k, aar_for=int(y), aar_etter=int(y)) for k in new["kontorer"]]
        if old["aar"] == new["aar"]:
            continue  # the same year again: a different figure is a revision, listed above
        oy, ny = str(old["aar"]), str(new["aar"])
        rows += [_value_row("tall", ni, _printed(oi["verdier"].get(oy, {}).get(k), d),
                            _printed(ni["verdier"].get(ny, {}).get(k), d), indikator=iid, kontor=k,
                            aar_for=old["aar"], aar_etter=new["aar"]) for k in new["kontorer"]]
    return [r for r in rows if r is not None]


def best_changes(old: dict, new: dict) -> list[dict]:
    """Per indicator: the offices holding the best value moved, or the best value itself changed."""
    rows = []
    for iid, oi, ni, d in _shared(old, new):
        a, b = _printed(oi["beste_verdi"], d), _printed(ni["beste_verdi"], d)
        kw = {"indikator": iid, "aar_for": old["aar"], "aar_etter": new["aar"], "for": a, "etter": b,
              "kontor": " → ".join(["/".join(oi["beste"]) or "–", "/".join(ni["beste"]) or "–"])}
        if a is not None and b is not None and a != b:
            kw["retning"], kw["vurdering"] = _direction(a, b, ni["retning"])
        if list(oi["beste"]) != list(ni["beste"]):
            rows.append(_row("beste_verdi_flyttet", **kw))
        elif a != b:
            rows.append(_row("beste_verdi_endret", **kw))
    return rows


def verdict_changes(old: dict, new: dict) -> list[dict]:
    """Hypotheses whose verdict (the thesis's category) or whose basis in the data changed."""
    rows = []
    for hid, nh in new["hypoteser"].items():
        oh = old["hypoteser"].get(hid)
        if oh is None or oh == nh:
            continue
        rows.append(_row("vurdering", indikator=hid, aar_for=old["aar"], aar_etter=new["aar"],
                         **{"for": json.dumps(oh, ensure_ascii=False, sort_keys=True),
                            "etter": json.dumps(nh, ensure_ascii=False, sort_keys=True)}))
    return rows


def sentence_changes(old: dict, new: dict) -> list[dict]:
    """Generated sentences whose facts changed: compared as facts, so a rewording is no change."""
    rows = []
    for sid, nf in new["setninger"].items():
        of = old["setninger"].get(sid)
        if of is not None and of != nf:
            rows.append(_row("setning", indikator=sid, aar_for=old["aar"], aar_etter=new["aar"],
                             **{"for": json.dumps(of, ensure_ascii=False, sort_keys=True),
                                "etter": json.dumps(nf, ensure_ascii=False, sort_keys=True)}))
    return rows


def indicator_changes(old: dict, new: dict) -> list[dict]:
    """Indicators added or removed, and KOSTRA indicators now read from another SSB table."""
    rows = [_row("indikator_ny", indikator=i, aar_etter=new["aar"]) for i in _order(new)
            if i not in old["indikatorer"]]
    rows += [_row("indikator_fjernet", indikator=i, aar_for=old["aar"]) for i in _order(old)
             if i not in new["indikatorer"]]
    for iid in _order(new):
        ni, oi = new["indikatorer"][iid], old["indikatorer"].get(iid)
        if oi is not None and oi.get("ssb_tabell") != ni.get("ssb_tabell"):
            rows.append(_row("tabell", indikator=iid, aar_for=old["aar"], aar_etter=new["aar"],
                             **{"for": oi.get("ssb_tabell"), "etter": ni.get("ssb_tabell")}))
    return rows


def diff(old: dict, new: dict) -> list[dict]:
    """Every change from ``old`` to ``new``, one row each, in the order of ``TYPES``.
    An edition compared with itself gives no rows."""
    rows = (value_changes(old, new) + best_changes(old, new) + verdict_changes(old, new)
            + sentence_changes(old, new) + indicator_changes(old, new))
    return sorted(rows, key=lambda r: TYPES.index(r["type"]))


def counts(rows: list[dict]) -> dict[str, int]:
    """Number of rows per type (every type listed, zero included)."""
    return {t: sum(1 for r in rows if r["type"] == t) for t in TYPES}


def changes_file(old: dict, new: dict, old_path: str) -> dict:
    """What the appendix reads: both editions' indicators and hypotheses (for the words) and the rows."""
    rows = diff(old, new)
    return {"forrige": {"aar": old["aar"], "fil": old_path, "indikatorer": old["indikatorer"],
                        "hypoteser": old["hypoteser"], "setninger": old["setninger"]},
            "denne": {"aar": new["aar"], "indikatorer": new["indikatorer"], "hypoteser": new["hypoteser"],
                      "setninger": new["setninger"], "oppgave_aar": new["oppgave_aar"]},
            "rader": rows, "antall": counts(rows)}


def csv_text(data: dict) -> str:
    """``build/endringer.csv``: one row per change, with the appendix's description of it."""
    from scripts.content.endringer import beskrivelse

    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=COLUMNS, lineterminator="\n")
    w.writeheader()
    for r in data["rader"]:
        # Plain text in the CSV: the description is written for the appendix (markdown escapes).
        text = MD_ESCAPE.sub(r"\1", beskrivelse(r, data))
        w.writerow({**{k: ("" if v is None else v) for k, v in r.items()}, "beskrivelse": text})
    return buf.getvalue()


def summary_line(csv_file: Path) -> str:
    """The count printed at the end of the build, from ``build/endringer.csv``."""
    from scripts.content.endringer import telling

    with open(csv_file, encoding="utf-8", newline="") as fh:
        return telling([r["type"] for r in csv.DictReader(fh)])


# --------------------------------------------------------------------------- commands


def keep(record_file: Path, dest: Path) -> Path:
    """Copy an edition's record to ``dest`` (a folder; made if needed). An edition already kept
    there is never overwritten: it is the data later editions compare with."""
    data = load(record_file)
    target = record_in(dest)
    if target.exists():
        raise EditionError(f"{target} finnes allerede (utgaven for {load(target)['aar']}); en beholdt utgave "
                           "overskrives ikke. Velg en annen mappe, eller slett den gamle selv.")
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(record_file, target)
    print(f"beholdt utgaven for {data['aar']} i {target}; godkjenn den som inndata med "
          "`python -m scripts.guard.manifest approve`", file=sys.stderr)
    return target


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m scripts.analysis.utgave")
    sub = p.add_subparsers(dest="cmd", required=True)
    lag = sub.add_parser("lag", help="this build's record (build/utgave/utgave.json)")
    lag.add_argument("--resultater", type=Path, default=paths.RESULTS / "resultater.json")
    lag.add_argument("--fakta", type=Path, default=paths.RESULTS / "fakta.json")
    lag.add_argument("--datagrunnlag", type=Path, default=paths.RESULTS / "datagrunnlag.json")
    lag.add_argument("--out", type=Path, default=RECORD)
    e = sub.add_parser("endringer", help="what changed since a kept edition (CSV and the appendix's JSON)")
    e.add_argument("--forrige", type=Path, required=True)
    e.add_argument("--denne", type=Path, default=RECORD)
    e.add_argument("--csv", type=Path, default=CHANGES_CSV)
    e.add_argument("--json", type=Path, default=CHANGES_JSON)
    b = sub.add_parser("behold", help="keep this build's edition in a folder, e.g. data/editions/2014")
    b.add_argument("--til", type=Path, required=True)
    b.add_argument("--fra", type=Path, default=RECORD)
    s = sub.add_parser("oppsummer", help="one line: how many figures changed, how many best values moved")
    s.add_argument("--csv", type=Path, default=CHANGES_CSV)
    a = p.parse_args(argv)
    try:
        if a.cmd == "lag":
            from scripts.settings import load_catalogue

            data = record(json.loads(a.resultater.read_text(encoding="utf-8")),
                          json.loads(a.fakta.read_text(encoding="utf-8")),
                          json.loads(a.datagrunnlag.read_text(encoding="utf-8")), load_catalogue())
            write_text(a.out, json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True) + "\n")
        elif a.cmd == "endringer":
            old, new = load(a.forrige), load(a.denne)
            shown = a.forrige.resolve()
            data = changes_file(old, new, str(shown.relative_to(paths.ROOT)) if shown.is_relative_to(paths.ROOT)
                                else shown.name)
            write_text(a.json, json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True) + "\n")
            write_text(a.csv, csv_text(data))
        elif a.cmd == "behold":
            keep(a.fra, a.til)
        else:
            print(summary_line(a.csv))
    except (EditionError, FileNotFoundError) as exc:
        print(f"utgave: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(entry(main))
