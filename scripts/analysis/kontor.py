"""Shared tables for the office reports: computed once, then every office job only formats.

``python -m scripts.analysis.kontor --data data/raw --year 2014 --years 2013 2014
--grupper storrelse --storrelser 20000 50000 --out build/kontor/tabeller.json``

reads the målekort files and KOSTRA figures per office in one data folder (the shipped
``data/raw`` or a folder of made-up data from ``scripts.data.generate``), builds the peer
groups, and writes for every office its own values and where they lie against its groups,
and for every group only aggregates.

**The disclosure rule** (docs/kontorrapporter.md), decided here and nowhere else:

- A report shows its own office's values. Of a comparison group it shows only the middle half
  (lower quartile, median, upper quartile), and only when the group has at least *k* offices
  (``kontor_min_gruppe``, default 5). Smaller groups are merged (size classes) or left out
  (KOSTRA groups), with a note.
- An aggregate that, as printed, equals any single office's value in the group is withheld:
  with every office's public figures at hand, it would tell the reader that office's value.
- No other office's value, letter, rank or extreme (best, worst, lowest, highest) is stored
  for a report to show: the tables hold no list of values and no ranks.

Peer groups (``kontor_grupper`` in the config):

- ``alle``: every office is compared with all offices.
- ``storrelse``: by inhabitants (``kontorinfo.csv``), in classes bounded by ``kontor_storrelser``;
  a class with fewer than *k* offices is merged with its smaller neighbour until every class
  has *k* or more.
- ``kostragruppe``: by KOSTRA group (``kontorinfo.csv``); a group with fewer than *k* offices is
  not shown (those offices are compared with all offices only).

Without ``kontorinfo.csv`` the size and KOSTRA groups cannot be formed; the tables say so and
compare with all offices. With fewer than *k* offices in all, no comparison is shown.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import pandas as pd

from scripts.analysis import compare
from scripts.atomic import write_text
from scripts.cli import entry
from scripts.content import fmt
from scripts.data import kontor_input, malekort
from scripts.data.offices import DataError, load_indicators, read_office_values

MIN_GROUP = 5  # kontor_min_gruppe's default: the office and at least four others
SCHEMES = ("alle", "storrelse", "kostragruppe")


def read_values(folder: Path, years: list[int], offices: list[str], indicators: list[dict]) -> pd.DataFrame:
    """``kontor, aar, indikator_id, verdi`` for the four indicators in every year found."""
    parts = []
    mk_ids = {i["id"] for i in indicators if i["kilde"] == "malekort"}
    ko_ids = {i["id"] for i in indicators if i["kilde"] == "kostra"}
    for y in years:
        if kontor_input.malekort_files(folder, y):
            ye = malekort.year_end(malekort.read_year(y, offices, folder / "malekort" / str(y)))
            parts.append(ye.loc[ye["indikator_id"].isin(mk_ids), ["kontor", "aar", "indikator_id", "verdi"]])
        kostra = folder / "kostra_kontor" / f"{y}.csv"
        if kostra.is_file():
            parts.append(read_office_values(kostra, y, offices, ko_ids))
    df = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=["kontor", "aar", "indikator_id", "verdi"])
    df["aar"] = df["aar"].astype(int)
    df["verdi"] = df["verdi"].astype(float)
    return df


def check_edition(df: pd.DataFrame, folder: Path, year: int, offices: list[str], indicators: list[dict]) -> None:
    """Every office of the edition year needs all four values; list every gap at once."""
    have = set(zip(df.loc[df["aar"] == year, "kontor"], df.loc[df["aar"] == year, "indikator_id"], strict=True))
    gaps = []
    for ind in indicators:
        where = (folder / "malekort" / str(year) if ind["kilde"] == "malekort"
                 else folder / "kostra_kontor" / f"{year}.csv")
        gaps += [f"{where}: kontor {k} mangler verdi for «{ind['id']}»" for k in offices if (k, ind["id"]) not in have]
    if gaps:
        raise DataError(f"Kontorrapportene for {year} kan ikke lages; det mangler tall:\n  " + "\n  ".join(gaps[:50])
                        + (f"\n  … og {len(gaps) - 50} til" if len(gaps) > 50 else ""))


def read_info(folder: Path, offices: list[str]) -> pd.DataFrame | None:
    """Inhabitants and KOSTRA group per office from ``kontorinfo.csv``, or None when there is none."""
    path = folder / "kontorinfo.csv"
    if not path.is_file():
        return None
    # innbyggere as text, so a bad cell is quoted as written (not as a numpy number)
    df = pd.read_csv(path, dtype={"kontor": str, "kostragruppe": str, "innbyggere": str})
    need = {"kontor", "innbyggere", "kostragruppe"}
    if not need <= set(df.columns):
        raise DataError(f"{path}: mangler kolonne(r) {sorted(need - set(df.columns))}; forventet {sorted(need)}")
    inh = pd.to_numeric(df["innbyggere"], errors="coerce")
    bad = df[inh.isna() | (inh < 0) | (inh % 1 != 0)]
    if not bad.empty:
        raise DataError(f"{path}, rad {bad.index[0] + 2}, kolonne «innbyggere»: forventet et helt tall ≥ 0, "
                        f"fikk {bad['innbyggere'].iloc[0]!r}")
    missing = sorted(set(offices) - set(df["kontor"]))
    if missing:
        raise DataError(f"{path}: mangler rad for kontor {fmt.liste(missing[:20])}")
    return df.assign(innbyggere=inh.astype(int)).set_index("kontor").loc[offices]


def size_label(lo: int, hi: int | None) -> str:
    """``Kontorer i kommuner med 20 000–49 999 innbyggere`` (Norwegian number format)."""
    if hi is None:
        return f"Kontorer i kommuner med {fmt.tall(lo)} innbyggere eller flere"
    if lo == 0:
        return f"Kontorer i kommuner med færre enn {fmt.tall(hi)} innbyggere"
    return f"Kontorer i kommuner med {fmt.tall(lo)}–{fmt.tall(hi - 1)} innbyggere"


def size_groups(inhabitants: pd.Series, bounds: list[int], k: int = MIN_GROUP) -> list[dict]:
    """Size classes (lower bound inclusive), merged until each has at least ``k`` offices.

    A too small class joins the neighbour with fewer offices (the lower one on a tie), so the
    merged class stays as narrow as it can. Empty classes are dropped first.
    """
    edges = [0, *sorted({int(b) for b in bounds if b > 0})]
    classes = []
    for i, lo in enumerate(edges):
        hi = edges[i + 1] if i + 1 < len(edges) else None
        members = sorted(inhabitants[(inhabitants >= lo) & ((inhabitants < hi) if hi else True)].index)
        if members:
            classes.append({"lo": lo, "hi": hi, "kontorer": members})
    while len(classes) > 1:
        small = [i for i, c in enumerate(classes) if len(c["kontorer"]) < k]
        if not small:
            break
        i = min(small, key=lambda j: (len(classes[j]["kontorer"]), j))
        nbrs = [j for j in (i - 1, i + 1) if 0 <= j < len(classes)]
        j = min(nbrs, key=lambda n: (len(classes[n]["kontorer"]), n))
        a, b = sorted((i, j))
        classes[a:b + 1] = [{"lo": classes[a]["lo"], "hi": classes[b]["hi"],
                             "kontorer": sorted(classes[a]["kontorer"] + classes[b]["kontorer"])}]
    return [{"id": f"storrelse_{c['lo']}", "etikett": size_label(c["lo"], c["hi"]), "kontorer": c["kontorer"]}
            for c in classes if len(c["kontorer"]) >= k]


def kostra_groups(groups: pd.Series, k: int = MIN_GROUP) -> tuple[list[dict], int]:
    """One peer group per KOSTRA group with at least ``k`` offices; also how many offices
    are in groups too small to show."""
    out, hidden = [], 0
    for code, members in sorted(groups.groupby(groups).groups.items()):
        if len(members) >= k:
            out.append({"id": f"kostra_{code}", "etikett": f"Kontorer i KOSTRA-gruppe {code}",
                        "kostragruppe": str(code), "kontorer": sorted(members)})
        else:
            hidden += len(members)
    return out, hidden


def peer_groups(offices: list[str], info: pd.DataFrame | None, scheme: str, bounds: list[int],
                k: int = MIN_GROUP) -> tuple[list[dict], str | None]:
    """The peer groups to show and, when the chosen scheme could not be applied as asked, why."""
    if scheme not in SCHEMES:
        raise DataError(f"kontor_grupper: «{scheme}», forventet en av {', '.join(SCHEMES)}")
    if len(offices) < k:
        return [], (f"Det er bare {fmt.ord_tall(len(offices), intetkjonn=True)} kontor(er) i dataene; med færre enn "
                    f"{fmt.ord_tall(k)} vises ingen sammenlikning, så ingen andre kan kjennes igjen.")
    if scheme == "alle":
        return [], None
    if info is None:
        return [], ("Dataene har ingen opplysninger om innbyggertall og KOSTRA-gruppe (kontorinfo.csv), "
                    "så kontoret sammenliknes bare med alle kontorer.")
    if scheme == "storrelse":
        classes = size_groups(info["innbyggere"], bounds, k)
        if len(classes) == 1:  # merged into one class of every office: the same as all offices
            return [], ("Størrelsesklassene ble for små og er slått sammen til alle kontorer, så kontoret "
                        "sammenliknes bare med alle kontorer.")
        return classes, None
    groups, hidden = kostra_groups(info["kostragruppe"], k)
    note = None
    if hidden:
        note = (f"KOSTRA-grupper med færre enn {fmt.ord_tall(k)} kontorer vises ikke; kontorene i dem "
                "sammenliknes bare med alle kontorer.")
    return groups, note


def shown(ind: dict, v: float) -> str:
    """A value as a report prints it (its number, by the report's own formatting): the precision
    at which two values look the same to a reader."""
    return fmt.tall(v, int(ind["desimaler"]))


def middle_half(values: list[float], ind: dict) -> dict:
    """The group's aggregates under the disclosure rule: lower quartile, median and upper
    quartile (linear interpolation), each with whether it may be shown. One that, as printed,
    equals a single office's value is withheld (``vis`` false)."""
    s = pd.Series(values, dtype=float)
    agg = {"q1": float(s.quantile(0.25)), "median": float(s.median()), "q3": float(s.quantile(0.75))}
    printed = {shown(ind, v) for v in values}
    return {"antall": len(values), **agg, "vis": {name: shown(ind, x) not in printed for name, x in agg.items()}}


def side(v: float, agg: dict) -> str:
    """Where a value lies against the group's middle half: ``lavere``, ``innenfor`` or ``hoyere``
    (in numbers; the report says which is better)."""
    return "lavere" if v < agg["q1"] else "hoyere" if v > agg["q3"] else "innenfor"


def own_previous(edition: dict, office: str) -> dict | None:
    """This office's own values in the previous edition (``scripts.analysis.utgave``), for the
    section «Endret siden forrige rapport»: indicator -> year -> value of this office only, so no
    other office's value can reach its report. None when the office was not in that edition."""
    if office not in edition["kontorer"]:
        return None
    own = {iid: {y: v[office] for y, v in ind["verdier"].items() if office in v}
           for iid, ind in edition["indikatorer"].items()}
    return {"aar": edition["aar"], "verdier": own}


def build_tables(folder: Path, year: int, years: list[int], scheme: str = "alle",
                 bounds: list[int] | None = None, snapshots: Path | None = None, k: int = MIN_GROUP,
                 previous: dict | None = None) -> dict:
    """Everything the office reports show, for every office, in one JSON-ready dict
    (``previous``: the previous edition's record, when it was built from the same data folder)."""
    indicators = load_indicators()
    offices = kontor_input.offices(folder, year)
    years = sorted(set(years) | {year})
    df = read_values(folder, years, offices, indicators)
    check_edition(df, folder, year, offices, indicators)
    info = read_info(folder, offices)
    groups, note = peer_groups(offices, info, scheme, bounds or [], k)
    tables = comparisons(df, offices, groups, indicators, years, k)
    refs = {}
    if snapshots is not None:
        series = df[df["aar"] == year]
        refs = compare.ssb_comparisons(series, year, offices, snapshots)[0]
    for office in offices:
        # the office's own KOSTRA group picks its reference figure, whatever the peer groups
        tables["kontorer"][office]["kostragruppe"] = None if info is None else str(info.loc[office, "kostragruppe"])
        if previous is not None:
            tables["kontorer"][office]["forrige"] = own_previous(previous, office)
    return {
        "aar": year,
        "aar_serie": years,
        "min_gruppe": k,
        "oppdiktet": kontor_input.is_made_up(folder),
        "inndeling": {"valgt": scheme, "merknad": note},
        "grupper": {g["id"]: {k_: v for k_, v in g.items() if k_ != "kontorer"} | {"antall": len(g["kontorer"])}
                    for g in groups},
        "antall_kontorer": len(offices),
        "indikatorer": [{k_: i[k_] for k_ in ("id", "etikett", "kort", "enhet", "desimaler", "retning", "kilde",
                                              "linje", "kildetekst")} for i in indicators],
        "kilder": sources(folder, years),
        "referanser": refs,
        **tables,
    }


def comparisons(df: pd.DataFrame, offices: list[str], groups: list[dict], indicators: list[dict],
                years: list[int], k: int = MIN_GROUP) -> dict:
    """Each office's own values and its side of each group's middle half; each group's
    aggregates per indicator and year. Pure: the re-identification tests call it directly."""
    membership = {o: g["id"] for g in groups for o in g["kontorer"]}
    kontorer = {o: {"gruppe": membership.get(o), "verdier": {}, "side": {}} for o in offices}
    fordeling: dict = {}
    members = {"alle": offices} | {g["id"]: g["kontorer"] for g in groups}
    for ind in indicators:
        fordeling[ind["id"]] = {}
        for y in years:
            dy = df[(df["aar"] == y) & (df["indikator_id"] == ind["id"])]
            values = dict(zip(dy["kontor"], dy["verdi"].astype(float), strict=True))
            for o, v in values.items():
                kontorer[o]["verdier"].setdefault(ind["id"], {})[str(y)] = v
            if len(offices) < k:
                continue
            for gid, who in members.items():
                vals = [values[o] for o in who if o in values]
                if len(vals) < k:  # an earlier year may lack offices
                    continue
                agg = middle_half(vals, ind)
                fordeling[ind["id"]].setdefault(str(y), {})[gid] = agg
                for o in who:
                    if o in values:
                        key = "alle" if gid == "alle" else "gruppe"
                        kontorer[o]["side"].setdefault(ind["id"], {}).setdefault(str(y), {})[key] = side(values[o], agg)
    return {"kontorer": kontorer, "fordeling": fordeling}


def sources(folder: Path, years: list[int]) -> dict:
    """What the report's «Datakilder» says in words: the years with målekort figures, and the
    source text of the KOSTRA rows (table, publication) as the data give it."""
    malekort_years = [y for y in years if kontor_input.malekort_files(folder, y)]
    kilde = []
    for y in years:
        f = folder / "kostra_kontor" / f"{y}.csv"
        if f.is_file():
            df = pd.read_csv(f, dtype=str)
            if "kilde" in df.columns:
                kilde += [k for k in df["kilde"].dropna().unique() if k not in kilde]
    return {"malekort_aar": malekort_years, "kostra_kilde": kilde}


def main(argv: list[str] | None = None) -> int:
    """CLI used by the rule ``kontor_tabeller``."""
    p = argparse.ArgumentParser(prog="python -m scripts.analysis.kontor")
    p.add_argument("--data", required=True, help="datamappen (data/raw eller oppdiktede testdata)")
    p.add_argument("--year", type=int, required=True)
    p.add_argument("--years", type=int, nargs="*", default=[])
    p.add_argument("--grupper", default="alle", choices=SCHEMES)
    p.add_argument("--storrelser", type=int, nargs="*", default=[])
    p.add_argument("--min-gruppe", type=int, default=MIN_GROUP, help="k: the smallest group shown (kontor_min_gruppe)")
    p.add_argument("--forrige", type=Path, help="forrige utgave (utgave.json), for «Endret siden forrige rapport»")
    p.add_argument("--out", type=Path, required=True)
    a = p.parse_args(argv)
    folder = kontor_input.data_dir(a.data)
    try:
        previous = None
        if a.forrige:
            from scripts.analysis import utgave

            previous = utgave.load(a.forrige)
            # Another data folder (made-up offices) has other offices under the same letters.
            if previous.get("datamappe") != a.data:
                previous = None
        data = build_tables(folder, a.year, a.years, a.grupper, a.storrelser, snapshots=folder / "kostra",
                            k=a.min_gruppe, previous=previous)
    except (DataError, kontor_input.OfficeListError, malekort.MalekortError, FileNotFoundError,
            ValueError) as exc:
        print(f"kontor: {exc}", file=sys.stderr)
        return 1
    write_text(a.out, json.dumps(data, ensure_ascii=False, indent=None, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(entry(main))
