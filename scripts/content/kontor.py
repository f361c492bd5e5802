"""One office's report: markdown, a figure (SVG) and its alt text, from the shared tables.

``python -m scripts.content.kontor --tables build/kontor/tabeller.json --kontor A
--outdir build/kontor/staging`` writes ``A.svg``, ``A.html`` and ``A.pdf`` into the staging
folder and runs the privacy guard over them (``A.guard.json`` lists the checked bytes);
``scripts.guard.publish`` then copies them to ``build/kontorrapporter/``.

Everything here is formatting: the office's values, its side of each group's middle half and
the groups' aggregates come ready from ``scripts.analysis.kontor``, which also applies the
disclosure rule (an aggregate it marks as withheld is never printed or drawn). The tables hold
no other office's value, letter or rank, so no report can show one. No pandas, no matplotlib:
an office job must stay cheap when there are hundreds of them.
"""
from __future__ import annotations

import argparse
import html
import json
import sys
from pathlib import Path

from scripts import paths
from scripts.atomic import write_bytes, write_text
from scripts.cli import entry, run_step
from scripts.content import fmt
from scripts.content.figtext import DIRECTION
from scripts.settings import build_date

TEMPLATES = paths.REPORT / "_kontor"  # the PDF's page layout; the HTML uses the main report's template
MADE_UP = ("Oppdiktede testdata: tallene er laget av en generator og beskriver ingen virkelige "
           "NAV-kontorer.")
THESIS = "*Styring i NAV – hva gir resultater?* (masteroppgave, Høgskolen i Oslo og Akershus, 2015)"
OFFICE_MARK = "svart rombe"
UNIT_WORDS = {"prosent": "prosent", "kroner": "kroner", "antall": "antall"}


# --------------------------------------------------------------------------- values as text


def value(ind: dict, v) -> str:
    """A value with its unit, as the report prints it: ``52 %``, ``3,6 %``, ``2841 kr``."""
    if v is None:
        return "–"
    if ind["enhet"] == "prosent":
        return fmt.prosent(v, ind["desimaler"])
    return fmt.kroner(v) if ind["enhet"] == "kroner" else fmt.tall(v, ind["desimaler"])


def _difference_unit(ind: dict) -> str:
    return "prosentpoeng" if ind["enhet"] == "prosent" else "kr" if ind["enhet"] == "kroner" else ""


def _better(ind: dict, higher: bool) -> str:
    return "bedre" if higher == (ind["retning"] == "hoyest_best") else "svakere"


def change(ind: dict, now, before) -> str:
    """Change from the year before with sign, unit and whether it is for the better:
    ``+2 prosentpoeng (bedre)``; an en dash when either year is missing."""
    if now is None or before is None:
        return "–"
    d = round(float(now) - float(before), int(ind["desimaler"]))
    if d == 0:
        return "uendret"
    sign = "+" if d > 0 else ""
    return f"{sign}{fmt.tall(d, ind['desimaler'])}{fmt.NBSP}{_difference_unit(ind)} ({_better(ind, d > 0)})"


def gap(ind: dict, own, agg: dict | None) -> str:
    """The distance to the group's median, with its direction: ``3 prosentpoeng over medianen
    (bedre)``; an en dash when the median is withheld or there is no group."""
    if own is None or not agg or not agg["vis"]["median"]:
        return "–"
    d = round(float(own) - agg["median"], int(ind["desimaler"]))
    if d == 0:
        return "på medianen"
    where = "over" if d > 0 else "under"
    return f"{fmt.tall(abs(d), ind['desimaler'])}{fmt.NBSP}{_difference_unit(ind)} {where} medianen ({_better(ind, d > 0)})"


def position(ind: dict, side: str | None) -> str:
    """Where the value lies against the middle half of the group, in words, never as a place."""
    if side is None:
        return "–"
    if side == "innenfor":
        return "innenfor den midtre halvdelen"
    higher = side == "hoyere"
    return f"{'over' if higher else 'under'} den midtre halvdelen ({_better(ind, higher)})"


def middle(ind: dict, agg: dict | None) -> str:
    """``49–53 %`` for the middle half, or why it is not shown."""
    if not agg:
        return "–"
    if agg["vis"]["q1"] and agg["vis"]["q3"]:
        return f"{value(ind, agg['q1'])}–{value(ind, agg['q3'])}".replace(f"{fmt.NBSP}%–", "–")
    return "holdt tilbake"


def median(ind: dict, agg: dict | None) -> str:
    if not agg:
        return "–"
    return value(ind, agg["median"]) if agg["vis"]["median"] else "holdt tilbake"


# --------------------------------------------------------------------------- the office's view


def view(tables: dict, office: str) -> dict:
    """What one office's report shows: its own values, and of each group only aggregates."""
    if office not in tables["kontorer"]:
        raise KeyError(f"kontor «{office}» finnes ikke i tabellene (kontorer: {len(tables['kontorer'])})")
    me = tables["kontorer"][office]
    year = str(tables["aar"])
    gid = me["gruppe"]
    group = tables["grupper"].get(gid) if gid else None
    rows = []
    for ind in tables["indikatorer"]:
        i = ind["id"]
        per_year = []
        before = None
        for y in map(str, tables["aar_serie"]):
            dist = tables["fordeling"].get(i, {}).get(y, {})
            sides = me["side"].get(i, {}).get(y, {})
            own = me["verdier"].get(i, {}).get(y)
            per_year.append({"aar": int(y), "verdi": own, "endring": change(ind, own, before),
                             "alle": dist.get("alle"), "side_alle": sides.get("alle"),
                             "gruppe": dist.get(gid) if gid else None, "side_gruppe": sides.get("gruppe")})
            before = own
        rows.append({"ind": ind, "aar": per_year, "naa": next(p for p in per_year if str(p["aar"]) == year)})
    years_with_values = {p["aar"] for r in rows for p in r["aar"] if p["verdi"] is not None}
    return {"kontor": office, "aar": int(year), "gruppe": group, "rader": rows, "k": tables["min_gruppe"],
            "flere_aar": len(years_with_values) > 1,
            "antall": tables["antall_kontorer"], "oppdiktet": tables["oppdiktet"],
            "referanser": tables.get("referanser") or {}, "inndeling": tables["inndeling"],
            "kilder": tables["kilder"], "kostragruppe": me.get("kostragruppe"),
            "forrige": me.get("forrige"), "verdier": me["verdier"]}


def _comparisons(v: dict, now: dict) -> list[tuple[str, dict, str | None]]:
    """(name, aggregates, side) of each comparison shown for one indicator and year."""
    out = []
    if v["gruppe"] and now["gruppe"]:
        out.append((_lower_first(v["gruppe"]["etikett"]), now["gruppe"], now["side_gruppe"]))
    if now["alle"]:
        out.append(("alle kontorer", now["alle"], now["side_alle"]))
    return out


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


# --------------------------------------------------------------------------- figure


def _scale(points: list[float], better_right: bool, left: float, width: float):
    """x for a value on an axis from the shown values only (so no withheld figure shapes it),
    with the better end on the right."""
    lo, hi = min(points), max(points)
    pad = (hi - lo) * 0.25 or max(abs(hi) * 0.05, 1.0)
    lo, hi = lo - pad, hi + pad

    def x(v: float) -> float:
        t = (v - lo) / (hi - lo)
        return left + (t if better_right else 1 - t) * width
    return x


def band_svg(v: dict) -> str:
    """One panel per indicator, one row per comparison: the group's middle half as a grey band,
    its median as a blue bar (when shown), and this office as a black diamond with its value
    written at it. The better end is always on the right, and the axis says so in words. The
    axis is scaled from what is shown, and no other office is drawn. Text is real SVG text
    (readable in the PDF); shape and words, not colour, tell the parts apart."""
    W, left, right, row_h, head = 640, 170, 24, 46, 34
    width = W - left - right
    parts, y = [], 6
    for r in v["rader"]:
        ind, now = r["ind"], r["naa"]
        comps = _comparisons(v, now)
        if now["verdi"] is None:
            continue
        shown = [now["verdi"]] + [a[k] for _n, a, _s in comps for k in ("q1", "median", "q3") if a["vis"][k]]
        x = _scale(shown, ind["retning"] == "hoyest_best", left, width)
        parts.append(f'<text x="4" y="{y + 16}" font-size="13" font-weight="bold">{_esc(ind["kort"])} '
                     f'({DIRECTION[ind["retning"]]})</text>')
        y += head
        for name, agg, _side in comps or [("kontoret", None, None)]:
            mid = y + row_h / 2
            label = f"{name[:1].upper()}{name[1:]}" if agg else "Kontoret"
            parts.append(f'<text x="4" y="{mid + 4}" font-size="11">{_esc(_short(label))}</text>')
            parts.append(f'<line x1="{left}" y1="{mid}" x2="{left + width}" y2="{mid}" stroke="#8a8a8a"/>')
            if agg and agg["vis"]["q1"] and agg["vis"]["q3"]:
                a, b = sorted((x(agg["q1"]), x(agg["q3"])))
                parts.append(f'<rect x="{a:.1f}" y="{mid - 9}" width="{max(b - a, 2):.1f}" height="18" '
                             'fill="#d9d9d9" stroke="#6b6b6b"/>')
            if agg and agg["vis"]["median"]:
                m = x(agg["median"])
                parts.append(f'<line x1="{m:.1f}" y1="{mid - 12}" x2="{m:.1f}" y2="{mid + 12}" stroke="#0b4f8a" '
                             'stroke-width="3"/>')
            o = x(now["verdi"])
            parts.append(f'<path d="M{o:.1f},{mid - 8} L{o + 7:.1f},{mid} L{o:.1f},{mid + 8} L{o - 7:.1f},{mid} Z" '
                         'fill="#1a1a1a"/>')
            anchor = "end" if o > left + width - 40 else "start" if o < left + 40 else "middle"
            parts.append(f'<text x="{o:.1f}" y="{mid - 13}" font-size="11" text-anchor="{anchor}">'
                         f'{_esc(value(ind, now["verdi"]))}</text>')
            y += row_h
        parts.append(f'<text x="{left}" y="{y + 2}" font-size="10" fill="#4a4a4a">← svakere</text>')
        parts.append(f'<text x="{left + width}" y="{y + 2}" font-size="10" fill="#4a4a4a" text-anchor="end">'
                     'bedre →</text>')
        y += 18
    H = y + 4
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" viewBox="0 0 {W} {H}" '
            f'font-family="DejaVu Sans, sans-serif" fill="#1a1a1a">' + "".join(parts) + "</svg>\n")


def _short(label: str) -> str:
    """A comparison's name for the figure's narrow left margin."""
    return label if len(label) <= 26 else "Gruppen"


def _esc(text: str) -> str:
    return html.escape(str(text), quote=False)


def alt_text(v: dict) -> str:
    """The figure in words: this office's value and where it lies against each group."""
    k = v["kontor"]
    parts = [f"Diagram med én del per indikator for {v['aar']}, der bedre verdier alltid ligger til høyre. "
             f"Kontor {k} er en {OFFICE_MARK}; et grått felt viser den midtre halvdelen av en gruppe og en blå "
             "strek dens median. Andre kontorer er ikke tegnet."]
    for r in v["rader"]:
        ind, now = r["ind"], r["naa"]
        bits = [f"{ind['etikett']} ({DIRECTION[ind['retning']]}): kontor {k} har {value(ind, now['verdi'])}"]
        for name, agg, side in _comparisons(v, now):
            bit = f"blant {name} ligger kontoret {position(ind, side)}"
            if agg["vis"]["q1"] and agg["vis"]["q3"]:
                bit += f", som går fra {value(ind, agg['q1'])} til {value(ind, agg['q3'])}"
            if agg["vis"]["median"]:
                bit += f", og er {gap(ind, now['verdi'], agg)}"
            bits.append(bit)
        parts.append("; ".join(bits) + ".")
    return " ".join(parts)


# --------------------------------------------------------------------------- markdown


def _table(head: list[str], rows: list[list[str]], caption: str) -> str:
    lines = ["| " + " | ".join(head) + " |", "|" + "|".join([":---"] + ["---:"] * (len(head) - 1)) + "|"]
    lines += ["| " + " | ".join(cells) + " |" for cells in rows]
    return "\n".join(lines) + f"\n\n: {caption}\n"


def own_table(v: dict) -> str:
    """The office's own values in the edition year (and the change from the year before, when
    the data have it)."""
    yr = v["aar"]
    head = ["Indikator", "Bedre er", f"Kontorets verdi {yr}"]
    if v["flere_aar"]:
        head.append("Endring fra året før")
    rows = []
    for r in v["rader"]:
        ind, now = r["ind"], r["naa"]
        cells = [fmt.md_escape(ind["etikett"]), "høyere" if ind["retning"] == "hoyest_best" else "lavere",
                 fmt.md_escape(value(ind, now["verdi"]))]
        if v["flere_aar"]:
            cells.append(fmt.md_escape(now["endring"]))
        rows.append(cells)
    return _table(head, rows, f"Kontor {fmt.md_escape(v['kontor'])} i {yr}")


def comparison_table(v: dict, name: str, key: str) -> str:
    """The office against one group's middle half and median, indicator by indicator."""
    rows = []
    for r in v["rader"]:
        ind, now = r["ind"], r["naa"]
        agg, side = now[key], now[f"side_{key}"]
        rows.append([fmt.md_escape(ind["kort"]), fmt.md_escape(middle(ind, agg)), fmt.md_escape(median(ind, agg)),
                     fmt.md_escape(position(ind, side)), fmt.md_escape(gap(ind, now["verdi"], agg))])
    return _table(["Indikator", "Midtre halvdel", "Median", "Kontoret ligger", "Avstand til medianen"], rows,
                  f"Kontor {fmt.md_escape(v['kontor'])} mot {fmt.md_escape(name)} i {v['aar']}")


def years_table(v: dict, r: dict) -> str:
    ind = r["ind"]
    rows = [[str(p["aar"]), fmt.md_escape(value(ind, p["verdi"])), fmt.md_escape(p["endring"]),
             fmt.md_escape(median(ind, p["alle"])), fmt.md_escape(position(ind, p["side_alle"]))]
            for p in r["aar"]]
    return _table(["År", "Kontorets verdi", "Endring fra året før", "Median, alle kontorer", "Kontoret ligger"], rows,
                  f"{fmt.md_escape(ind['etikett'])}, kontor {fmt.md_escape(v['kontor'])}")


def references(v: dict) -> str:
    """National and KOSTRA-group figures where they were fetched from SSB; otherwise say so."""
    lines = []
    for r in v["rader"]:
        ind = r["ind"]
        for ref in v["referanser"].get(ind["id"], []):
            # Landet, and the office's own KOSTRA group; every fetched group when it is not known.
            if not ref["omrade"].startswith("EKG") or v["kostragruppe"] in (None, ref["omrade"]):
                lines.append(f"- {fmt.md_escape(ind['etikett'])}: {fmt.md_escape(ref['etikett'])} "
                             f"{fmt.md_escape(value(ind, ref['verdi']))} (kontoret: {fmt.md_escape(value(ind, r['naa']['verdi']))}). "
                             f"{fmt.md_escape(ref['definisjon'])}")
    if not lines:
        return (f"Det er ikke hentet tall for landet eller KOSTRA-grupper fra SSB for {v['aar']} i denne "
                "utgaven, så rapporten har ingen slike referanser.\n")
    return f"Tall hentet fra SSB for {v['aar']}:\n\n" + "\n".join(lines) + "\n"


def promise(v: dict) -> str:
    """What the report guarantees about the other offices, exactly as the tables enforce it."""
    k = fmt.ord_tall(v["k"])
    return (f"**Om de andre kontorene.** Rapporten viser bare kontor {fmt.md_escape(v['kontor'])}s egne tall. Fra "
            f"en sammenlikningsgruppe viser den bare den midtre halvdelen og medianen, og bare når gruppen har minst "
            f"{k} kontorer, dette medregnet. Et slikt tall holdes tilbake når det, slik det skrives, er likt verdien "
            "til ett enkelt kontor i gruppen. Rapporten viser ingen andres verdier, bokstaver, plasser, beste eller "
            "svakeste verdier, og ordner ikke kontorene i rekkefølge.")


def comparison_text(v: dict) -> str:
    n = v["antall"]
    g = v["gruppe"]
    if not v["rader"][0]["naa"]["alle"]:
        return (f"Dataene har færre enn {fmt.ord_tall(v['k'])} kontorer, så kontoret kan ikke sammenliknes med "
                "andre uten at de kan kjennes igjen; rapporten viser derfor bare kontorets egne tall.")
    text = f"Kontoret sammenliknes med alle {fmt.tall(n)} kontorer i dataene"
    if g:
        text += (f" og med sammenlikningsgruppen «{fmt.md_escape(g['etikett'])}» "
                 f"({fmt.tall(g['antall'])} kontorer medregnet dette)")
    text += "."
    if v["inndeling"].get("merknad"):
        text += " " + fmt.md_escape(v["inndeling"]["merknad"])
    return text


def indicator_list(v: dict) -> str:
    """Each indicator in words: what it measures, its unit, which direction is better and where it comes from."""
    lines = []
    for r in v["rader"]:
        ind = r["ind"]
        lines.append(f"- **{fmt.md_escape(ind['etikett'])}** ({UNIT_WORDS.get(ind['enhet'], ind['enhet'])}; "
                     f"{DIRECTION[ind['retning']]}). Kilde: {fmt.md_escape(ind['kildetekst'])}.")
    return "\n".join(lines)


def sources_text(v: dict) -> str:
    k = v["kilder"]
    years = fmt.liste([str(y) for y in k["malekort_aar"]]) if k["malekort_aar"] else "ingen år"
    text = (f"- Overgang til arbeid: kontorenes målekort, årsresultatet ved utgangen av året (desember, ellers siste "
            f"måned med tall), for {years}.\n"
            "- Sosialhjelpsmottakere og netto driftsutgifter: KOSTRA-tall per kontor fra Statistisk sentralbyrå")
    text += (f" ({fmt.md_escape(fmt.liste(k['kostra_kilde']))}).\n" if k["kostra_kilde"] else ".\n")
    return text + "- Indikatorene og hva som regnes som bedre, er de samme som i hovedrapporten."


def changes_text(v: dict) -> str:
    """What changed in this office's own figures since the report of the previous edition
    (scripts.content.endringer): its own values only, never another office's."""
    from scripts.analysis.utgave import kontor_endringer
    from scripts.content.endringer import kontor_avsnitt

    inds = [r["ind"] for r in v["rader"]]
    before = v["forrige"]
    rows = kontor_endringer(before["verdier"], v["verdier"], inds, before["aar"], v["aar"])
    return kontor_avsnitt(v["kontor"], rows, inds, before["aar"], v["aar"])


def markdown(v: dict, figure: str, date) -> str:
    """The whole report as Pandoc markdown with its metadata block."""
    import yaml

    k = fmt.md_escape(v["kontor"])
    yr = v["aar"]
    years = [p["aar"] for p in v["rader"][0]["aar"]]
    meta = {"title": f"Kontorrapport {yr}: kontor {v['kontor']}",
            "subtitle": "Resultater på fire indikatorer, sammenliknet med andre NAV-kontorer",
            "pagetitle": f"Kontorrapport {yr}: kontor {v['kontor']}", "lang": "nb",
            "date": fmt.dato(date), "generated-note": f"Generert {fmt.dato(date)} fra data"}
    note = f"::: {{.merknad role=\"note\"}}\n**{MADE_UP}**\n:::"
    if v["oppdiktet"]:
        meta["made-up-note"] = MADE_UP  # the PDF's page header
    body = [note] if v["oppdiktet"] else []
    body += [
        f"Denne rapporten viser hvordan kontor {k} ligger an på de fire resultatindikatorene fra {THESIS}. "
        + comparison_text(v),
        "## Slik leser du rapporten",
        "- Tabellene og figuren viser kontorets egne verdier. For hver indikator står det om høyere eller lavere "
        "er bedre.\n"
        "- **Den midtre halvdelen** av en gruppe er spennet der halvparten av kontorene ligger: en firedel ligger "
        "under og en firedel over. **Medianen** er verdien midt i gruppen.\n"
        "- **Kontoret ligger** sier om verdien er under, innenfor eller over den midtre halvdelen, og om det er "
        "bedre eller svakere. **Avstand til medianen** sier hvor langt fra midten verdien er.\n"
        "- Verdier innenfor den midtre halvdelen er vanlige. En verdi utenfor sier ikke hvorfor: kontorene har ulike "
        "brukere og lokale forhold, og oppgaven fant ingen enkel sammenheng mellom styringsverktøy og resultater.",
        promise(v),
        f"## Kontorets tall for {yr}",
        own_table(v),
    ]
    comps = []
    if v["gruppe"] and any(r["naa"]["gruppe"] for r in v["rader"]):
        comps.append((_lower_first(v["gruppe"]["etikett"]), "gruppe"))
    if v["rader"][0]["naa"]["alle"]:
        comps.append(("alle kontorer", "alle"))
    if comps:
        body += [f"## Sammenliknet med andre kontorer i {yr}"]
        body += [comparison_table(v, name, key) for name, key in comps]
        body.append(f"![Kontor {k} mot den midtre halvdelen av hver gruppe i {yr}. Bedre verdier ligger til høyre; "
                    f"kontor {k} er en {OFFICE_MARK}, det grå feltet er den midtre halvdelen og den blå streken "
                    f"medianen.]({figure}){{width=\"100%\" fig-alt=\"{alt_text(v).replace(chr(34), '')}\"}}")
    if v["flere_aar"]:
        body += ["## Utvikling over tid",
                 f"Kontorets tall for {fmt.liste([str(y) for y in years])}, med medianen blant alle kontorer som "
                 "hadde tall det året."]
        for r in v["rader"]:
            body += [f"### {fmt.md_escape(r['ind']['etikett'])}", years_table(v, r)]
    if v.get("forrige"):
        body += ["## Endret siden forrige rapport", changes_text(v)]
    body += ["## Indikatorene", indicator_list(v),
             "## Landet og KOSTRA-gruppen", references(v),
             "## Datakilder", sources_text(v)]
    if v["oppdiktet"]:
        body.append(note)
    return "---\n" + yaml.safe_dump(meta, allow_unicode=True, sort_keys=True) + "---\n\n" + "\n\n".join(body) + "\n"


# --------------------------------------------------------------------------- the job


def build(tables_file: Path, office: str, outdir: Path, formats: list[str]) -> list[Path]:
    """Write the office's figure and documents to the staging folder, then run the privacy
    guard over their final bytes (stamp ``<office>.guard.json``, only when nothing was found)."""
    from scripts.engine import standalone
    from scripts.guard import privacy

    tables = json.loads(tables_file.read_text(encoding="utf-8"))
    v = view(tables, office)
    date = build_date()
    svg = outdir / f"{office}.svg"
    write_text(svg, band_svg(v))
    doc = markdown(v, str(svg.relative_to(paths.ROOT)) if svg.is_relative_to(paths.ROOT) else str(svg), date)
    written = [svg]
    for f in formats:
        out = outdir / f"{office}.{f}"
        data = standalone.html(doc, paths.REPORT / "_engine" / "template.html") if f == "html" else \
            standalone.pdf(doc, TEMPLATES / "template.typ", date)
        write_bytes(out, data)
        written.append(out)
    stamp = outdir / f"{office}.guard.json"
    if privacy.main([*map(str, written), "--stamp", str(stamp)]) != 0:
        raise RuntimeError(f"personvernkontrollen stoppet rapporten for kontor {office}; ingenting er publisert")
    return [*written, stamp]


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m scripts.content.kontor")
    p.add_argument("--tables", type=Path, required=True)
    p.add_argument("--kontor", required=True)
    p.add_argument("--outdir", type=Path, required=True)
    p.add_argument("--formats", nargs="+", default=["html", "pdf"], choices=["html", "pdf"])
    a = p.parse_args(argv)
    return run_step("kontorrapport", lambda: build(a.tables, a.kontor, a.outdir, a.formats),
                    (KeyError, RuntimeError, ValueError))


if __name__ == "__main__":
    sys.exit(entry(main))
