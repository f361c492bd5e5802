"""One office's report: markdown, a strip plot (SVG) and its alt text, from the shared tables.

``python -m scripts.content.kontor --tables build/kontor/tabeller.json --kontor A
--outdir build/kontor/staging`` writes ``A.svg``, ``A.html`` and ``A.pdf`` into the staging
folder and runs the privacy guard over them (``A.guard.json`` lists the checked bytes);
``scripts.guard.publish`` then copies them to ``build/kontorrapporter/``.

Everything here is formatting: values, ranks, best-value flags and group medians come ready
from ``scripts.analysis.kontor``. No pandas, no matplotlib: an office job must stay cheap when
there are hundreds of them. Anonymity: the report names only its own office; other offices
appear as unnamed points and as a median, and only in groups of four or more offices.
"""
from __future__ import annotations

import argparse
import html
import json
import sys
from pathlib import Path

from scripts import paths
from scripts.atomic import write_bytes, write_text
from scripts.cli import run_step
from scripts.content import fmt
from scripts.content.figtext import DIRECTION
from scripts.settings import build_date

TEMPLATES = paths.REPORT / "_kontor"  # the PDF's page layout; the HTML uses the main report's template
MADE_UP = ("Oppdiktede testdata: tallene er laget av en generator og beskriver ingen virkelige "
           "NAV-kontorer.")
THESIS = "*Styring i NAV – hva gir resultater?* (masteroppgave, Høgskolen i Oslo og Akershus, 2015)"
OFFICE_MARK = "svart rombe"


# --------------------------------------------------------------------------- values as text


def value(ind: dict, v) -> str:
    """A value with its unit, as the report prints it: ``52 %``, ``3,6 %``, ``2841 kr``."""
    if v is None:
        return "–"
    if ind["enhet"] == "prosent":
        return fmt.prosent(v, ind["desimaler"])
    return fmt.kroner(v) if ind["enhet"] == "kroner" else fmt.tall(v, ind["desimaler"])


def change(ind: dict, now, before) -> str:
    """Change from the year before with sign, unit and whether it is for the better:
    ``+2 prosentpoeng (bedre)``; an en dash when either year is missing."""
    if now is None or before is None:
        return "–"
    d = round(float(now) - float(before), int(ind["desimaler"]))
    unit = "prosentpoeng" if ind["enhet"] == "prosent" else "kr" if ind["enhet"] == "kroner" else ""
    if d == 0:
        return "uendret"
    better = (d > 0) == (ind["retning"] == "hoyest_best")
    sign = "+" if d > 0 else ""
    return f"{sign}{fmt.tall(d, ind['desimaler'])}{fmt.NBSP}{unit} ({'bedre' if better else 'svakere'})".replace(
        f"{fmt.NBSP} (", " (")


def place(rank, count) -> str:
    """``3 av 12``; an en dash when there is no comparison."""
    return "–" if rank is None or not count else f"{rank} av {count}"


# --------------------------------------------------------------------------- the office's view


def view(tables: dict, office: str) -> dict:
    """What one office's report shows, with the other offices only as unnamed values."""
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
        for y in map(str, tables["aar_serie"]):
            dist = tables["fordeling"].get(i, {}).get(y, {})
            per_year.append({
                "aar": int(y),
                "verdi": me["verdier"].get(i, {}).get(y),
                "plass_alle": me["plass"].get(i, {}).get(y, {}).get("alle"),
                "plass_gruppe": me["plass"].get(i, {}).get(y, {}).get("gruppe"),
                "beste_alle": me["beste"].get(i, {}).get(y, {}).get("alle", False),
                "beste_gruppe": me["beste"].get(i, {}).get(y, {}).get("gruppe", False),
                "alle": dist.get("alle"),
                "gruppe": dist.get(gid) if gid else None,
            })
        rows.append({"ind": ind, "aar": per_year, "naa": next(p for p in per_year if str(p["aar"]) == year)})
    return {"kontor": office, "aar": int(year), "gruppe": group, "rader": rows,
            "antall": tables["antall_kontorer"], "oppdiktet": tables["oppdiktet"],
            "referanser": tables.get("referanser") or {}, "inndeling": tables["inndeling"],
            "kilder": tables["kilder"], "datamappe": tables["datamappe"],
            "kostragruppe": me.get("kostragruppe")}


# --------------------------------------------------------------------------- strip plot


def _x(v: float, lo: float, hi: float, left: float, width: float) -> float:
    return left + (0.5 if hi == lo else (v - lo) / (hi - lo)) * width


def strip_svg(v: dict) -> str:
    """One panel per indicator, one row per comparison (the group, then all offices): every
    office a grey ring without a name, the median a vertical bar, this office a black diamond
    with its value written beside it. Text is real SVG text (readable in the PDF); shape and
    label, not colour, tell this office apart."""
    W, left, right, row_h, head = 640, 150, 30, 34, 30
    width = W - left - right
    parts, y = [], 8
    for r in v["rader"]:
        now = r["naa"]
        comparisons = [("Gruppen" if v["gruppe"] else None, now["gruppe"]), ("Alle kontorer", now["alle"])]
        comparisons = [(name, d) for name, d in comparisons if name and d]
        if not comparisons:
            continue
        ind = r["ind"]
        values = [x for _n, d in comparisons for x in d["verdier"]] + [now["verdi"]]
        lo, hi = min(values), max(values)
        parts.append(f'<text x="4" y="{y + 14}" font-size="13" font-weight="bold">{_esc(ind["etikett"])} '
                     f'({DIRECTION[ind["retning"]]})</text>')
        y += head
        for name, d in comparisons:
            mid = y + row_h / 2
            parts.append(f'<text x="4" y="{mid + 4}" font-size="11">{name} ({len(d["verdier"])})</text>')
            parts.append(f'<line x1="{left}" y1="{mid}" x2="{left + width}" y2="{mid}" stroke="#c8c8c8"/>')
            seen: dict[float, int] = {}
            for x in d["verdier"]:
                k = seen[x] = seen.get(x, -1) + 1  # equal values side by side vertically
                dy = (k % 3 - 1) * 6
                parts.append(f'<circle cx="{_x(x, lo, hi, left, width):.1f}" cy="{mid + dy:.1f}" r="4" '
                             'fill="none" stroke="#6b6b6b" stroke-width="1.2"/>')
            mx = _x(d["median"], lo, hi, left, width)
            parts.append(f'<line x1="{mx:.1f}" y1="{mid - 11}" x2="{mx:.1f}" y2="{mid + 11}" stroke="#0b4f8a" '
                         'stroke-width="2.5"/>')
            ox = _x(now["verdi"], lo, hi, left, width)
            parts.append(f'<path d="M{ox:.1f},{mid - 8} L{ox + 7:.1f},{mid} L{ox:.1f},{mid + 8} L{ox - 7:.1f},{mid} Z" '
                         'fill="#1a1a1a"/>')
            y += row_h
        parts.append(f'<text x="{left}" y="{y + 6}" font-size="10" fill="#4a4a4a">{_esc(value(ind, lo))}</text>')
        parts.append(f'<text x="{left + width}" y="{y + 6}" font-size="10" fill="#4a4a4a" '
                     f'text-anchor="end">{_esc(value(ind, hi))}</text>')
        parts.append(f'<text x="{left + width / 2}" y="{y + 6}" font-size="10" text-anchor="middle">'
                     f'Kontor {_esc(v["kontor"])}: {_esc(value(ind, now["verdi"]))}</text>')
        y += 22
    H = y + 4
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" viewBox="0 0 {W} {H}" '
            f'font-family="DejaVu Sans, sans-serif" fill="#1a1a1a">' + "".join(parts) + "</svg>\n")


def _esc(text: str) -> str:
    return html.escape(str(text), quote=False)


def alt_text(v: dict) -> str:
    """The figure in words: this office's value, place and the median of each comparison."""
    k = v["kontor"]
    g = v["gruppe"]
    parts = [f"Punktdiagram med én del per indikator for {v['aar']}. Hvert punkt er ett kontor uten navn; "
             f"kontor {k} er en {OFFICE_MARK}, og en loddrett strek viser medianen."]
    for r in v["rader"]:
        ind, now = r["ind"], r["naa"]
        bits = [f"{ind['etikett']} ({DIRECTION[ind['retning']]}): kontor {k} har {value(ind, now['verdi'])}"]
        if g and now["gruppe"]:
            bits.append(f"plass {place(now['plass_gruppe'], len(now['gruppe']['verdier']))} blant "
                        f"{g['etikett'][0].lower() + g['etikett'][1:]}, der medianen er {value(ind, now['gruppe']['median'])}")
        if now["alle"]:
            bits.append(f"plass {place(now['plass_alle'], len(now['alle']['verdier']))} blant alle kontorer, "
                        f"der medianen er {value(ind, now['alle']['median'])} og verdiene går fra "
                        f"{value(ind, min(now['alle']['verdier']))} til {value(ind, max(now['alle']['verdier']))}")
        parts.append("; ".join(bits) + ".")
    return " ".join(parts)


# --------------------------------------------------------------------------- markdown


def _cell_best(text: str, best: bool) -> str:
    """The main report's marker for a best value (:func:`scripts.content.fmt.beste`)."""
    return fmt.beste(text) if best else text


def summary_table(v: dict) -> str:
    yr = v["aar"]
    prev = yr - 1
    g = v["gruppe"]
    head = ["Indikator", f"Kontorets verdi {yr}", f"Endring fra {prev}"]
    if g:
        head.append("Plass i gruppen")
    head.append("Plass blant alle")
    lines = ["| " + " | ".join(head) + " |", "|" + "|".join([":---"] + ["---:"] * (len(head) - 1)) + "|"]
    for r in v["rader"]:
        ind, now = r["ind"], r["naa"]
        before = next((p["verdi"] for p in r["aar"] if p["aar"] == prev), None)
        cells = [fmt.md_escape(ind["etikett"]), _cell_best(fmt.md_escape(value(ind, now["verdi"])), now["beste_alle"]),
                 fmt.md_escape(change(ind, now["verdi"], before))]
        if g:
            cells.append(place(now["plass_gruppe"], len(now["gruppe"]["verdier"]) if now["gruppe"] else 0))
        cells.append(place(now["plass_alle"], len(now["alle"]["verdier"]) if now["alle"] else 0))
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + f"\n\n: Resultater for kontor {fmt.md_escape(v['kontor'])} i {yr}\n"


def years_table(v: dict, r: dict) -> str:
    ind = r["ind"]
    g = v["gruppe"]
    head = ["År", "Kontorets verdi", "Endring fra året før", "Plass blant alle", "Median alle"]
    if g:
        head.insert(4, "Median i gruppen")
    lines = ["| " + " | ".join(head) + " |", "|" + "|".join([":---"] + ["---:"] * (len(head) - 1)) + "|"]
    before = None
    for p in r["aar"]:
        cells = [str(p["aar"]), _cell_best(fmt.md_escape(value(ind, p["verdi"])), p["beste_alle"]),
                 fmt.md_escape(change(ind, p["verdi"], before)),
                 place(p["plass_alle"], len(p["alle"]["verdier"]) if p["alle"] else 0)]
        if g:
            cells.append(fmt.md_escape(value(ind, p["gruppe"]["median"])) if p["gruppe"] else "–")
        cells.append(fmt.md_escape(value(ind, p["alle"]["median"])) if p["alle"] else "–")
        lines.append("| " + " | ".join(cells) + " |")
        before = p["verdi"]
    return "\n".join(lines) + f"\n\n: {fmt.md_escape(ind['etikett'])}, kontor {fmt.md_escape(v['kontor'])}\n"


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


def comparison_text(v: dict) -> str:
    n = v["antall"]
    g = v["gruppe"]
    if not v["rader"][0]["naa"]["alle"]:
        return ("Dataene har for få kontorer til at kontoret kan sammenliknes med andre uten at de kan "
                "kjennes igjen; rapporten viser derfor bare kontorets egne tall.")
    text = f"Kontoret sammenliknes med alle {fmt.tall(n)} kontorer i dataene"
    if g:
        text += (f" og med sammenlikningsgruppen «{fmt.md_escape(g['etikett'])}» "
                 f"({fmt.tall(g['antall'])} kontorer medregnet dette)")
    text += ". De andre kontorene er ikke navngitt."
    if v["inndeling"].get("merknad"):
        text += " " + fmt.md_escape(v["inndeling"]["merknad"])
    return text


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
        f"## Sammendrag for {yr}",
        summary_table(v),
        "## Plassering blant kontorene",
        f"![Kontor {k} blant de andre kontorene i {yr}. Hvert punkt er ett kontor; kontor {k} er en "
        f"{OFFICE_MARK}, og den blå streken er medianen."
        + (f" «Gruppen» er {fmt.md_escape(v['gruppe']['etikett'][0].lower() + v['gruppe']['etikett'][1:])}." if v["gruppe"] else "")
        + f"]({figure}){{fig-alt=\"{alt_text(v).replace(chr(34), '')}\"}}",
        "## Utvikling over tid",
    ]
    if len(years) > 1:
        body.append(f"Tallene for {fmt.liste([str(y) for y in years])}, med plass blant alle kontorer som hadde tall det året.")
        for r in v["rader"]:
            body += [f"### {fmt.md_escape(r['ind']['etikett'])}", years_table(v, r)]
    else:
        body.append(f"Utgaven har bare tall for {yr}, så rapporten viser ingen endring fra året før.")
    body += [
        "## Landet og KOSTRA-gruppen", references(v),
        "## Slik leser du rapporten",
        "- **Plass** er kontorets plass når kontorene ordnes fra beste til svakeste verdi; plass 1 er best. "
        "Like verdier får samme plass, og neste plass hoppes over.\n"
        "- **Beste verdi** avgjøres som i hovedrapporten: høyest er best for overgang til arbeid, lavest er best "
        "for andelen sosialhjelpsmottakere og for netto driftsutgifter pr innbygger. Er kontorets verdi den beste "
        "blant alle kontorer, står den i fet skrift med ★ og gul bakgrunn.\n"
        "- **Endring** er forskjellen fra året før, i prosentpoeng for andeler og i kroner for utgifter, og "
        "ordet i parentes sier om endringen er til det bedre eller det svakere.\n"
        "- **Median** er verdien midt i gruppen: halvparten av kontorene ligger på hver side.\n"
        "- **Andre kontorer** vises bare som punkter uten navn og som median, og bare i grupper med minst fire "
        "kontorer, slik at ingen enkeltkontorer kan pekes ut.\n"
        "- En høy eller lav plass sier ikke hvorfor kontoret ligger der: kontorene har ulike brukere og ulike "
        "lokale forhold, og oppgaven fant ingen enkel sammenheng mellom styringsverktøy og resultater.",
        "## Datakilder",
        "- Overgang til arbeid: kontorets målekort, årsresultat ved utgangen av året "
        "(desember, ellers siste måned med tall).\n"
        "- Sosialhjelpsmottakere og netto driftsutgifter: KOSTRA-tall per kontor"
        + (f" ({fmt.md_escape(fmt.liste(v['kilder']['kostra_kilde']))})" if v["kilder"]["kostra_kilde"] else "") + ".\n"
        f"- Filer lest fra {_path(v['datamappe'])}: " + ", ".join(_path(f) for f in v["kilder"]["filer"]) + ".\n"
        "- Indikatorene og reglene for beste verdi er de samme som i hovedrapporten, der de er forklart nærmere.",
    ]
    if v["oppdiktet"]:
        body.append(note)
    return "---\n" + yaml.safe_dump(meta, allow_unicode=True, sort_keys=True) + "---\n\n" + "\n\n".join(body) + "\n"


def _path(path: str) -> str:
    """A file path that may wrap after each ``/`` (a long path must not widen a phone screen)."""
    return fmt.md_escape(path).replace("/", "/\u200b")


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
    write_text(svg, strip_svg(v))
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
    sys.exit(main())
