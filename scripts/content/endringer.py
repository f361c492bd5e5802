"""Words for what changed since the previous edition: the appendix «Hva er endret siden forrige
utgave», the description column of ``build/endringer.csv``, the count printed at the end of the
build, and the section of an office report.

Everything here reads the rows of :func:`scripts.analysis.utgave.diff` (plain dicts) and the two
editions' indicators and hypotheses; nothing compares values again. Text from data is escaped.
"""
from __future__ import annotations

import json

from scripts.content import fmt
from scripts.content.analyse_text import LINJE, indikatorer_nb, kontorer, liten, stor
from scripts.content.fmt import md_escape as esc
from scripts.content.tables import pipe_table

ENHET = {"prosent": "%", "kroner": "kr"}
RETNING = {"opp": "opp", "ned": "ned"}
# H4's basis in the data (scripts.analysis.utgave.h4_grunnlag), in words.
GRUNNLAG = {
    "samme_kontor": "samme kontor er best på alle indikatorene i begge styringslinjene",
    "ulike_kontorer": "ett kontor er best i den statlige og et annet i den kommunale styringslinjen",
    "en_linje": "bare i én styringslinje er ett kontor best på alle indikatorene",
    "ingen_linje": "ingen kontor er best på alle indikatorene i noen av styringslinjene",
}
# Where each generated sentence stands in the report.
SETNING_STED = {
    "samlet": "sammendraget og kapittel 4 og 5 (om noe kontor er best på alle indikatorene)",
    "linje_stat": "sammendraget og kapittel 4 (hvem som er best på de statlige indikatorene)",
    "linje_kommune": "sammendraget og kapittel 4 (hvem som er best på de kommunale indikatorene)",
}
# How each row type is counted in the summary line, singular and plural.
TELLEORD = {
    "tall": ("tall endret", "tall endret"),
    "beste_verdi_flyttet": ("beste verdi flyttet", "beste verdier flyttet"),
    "revisjon": ("tall revidert", "tall revidert"),
    "beste_verdi_endret": ("beste verdi endret (samme kontor)", "beste verdier endret (samme kontor)"),
    "vurdering": ("vurdering endret", "vurderinger endret"),
    "setning": ("setning med nytt innhold", "setninger med nytt innhold"),
    "indikator_ny": ("ny indikator", "nye indikatorer"),
    "indikator_fjernet": ("indikator fjernet", "indikatorer fjernet"),
    "tabell": ("indikator i ny SSB-tabell", "indikatorer i ny SSB-tabell"),
}


def telling(types: list[str]) -> str:
    """The line printed at the end of the build: ``'12 tall endret, 2 beste verdier flyttet'``,
    then any other kind of change that occurred."""
    n = {t: types.count(t) for t in TELLEORD}
    first = ["tall", "beste_verdi_flyttet"]
    parts = [f"{n[t]} {TELLEORD[t][n[t] != 1]}" for t in first]
    parts += [f"{n[t]} {TELLEORD[t][n[t] != 1]}" for t in TELLEORD if t not in first and n[t]]
    return ", ".join(parts)


def _ind(data: dict, iid: str) -> dict:
    return data["denne"]["indikatorer"].get(iid) or data["forrige"]["indikatorer"][iid]


def verdi(ind: dict, v) -> str:
    """A value as Tabell 4.2 prints it, with its unit: ``'56 %'``, ``'1782 kr'``."""
    if v is None or v == "":
        return "–"
    return f"{fmt.tall(float(v), int(ind['desimaler']), min_tusen=10**9)}{fmt.NBSP}" \
           f"{ENHET.get(ind['enhet'], esc(ind['enhet']))}"


def _hvem(offices: list[str]) -> str:
    return kontorer(offices) if offices else "ingen kontorer"


def _linje_fakta(f: dict, linje: str, data: dict) -> str:
    n = len(f["per_indikator"])
    if f["beste"]:
        return f"{_hvem(f['beste'])} er best på {indikatorer_nb(n, LINJE[linje])}"
    per = fmt.liste([f"{_hvem(b)} på {esc(liten(_ind(data, iid)['kort']))}" for iid, b in f["per_indikator"].items()])
    return f"ingen kontor er best på {indikatorer_nb(n, LINJE[linje])}; beste verdi har {per}"


def setning_fakta(sid: str, f: dict, data: dict) -> str:
    """The facts behind one generated sentence, in words."""
    if sid == "samlet":
        return (f"{_hvem(f['beste'])} er best på alle indikatorene" if f["beste"]
                else "ingen kontor er best på alle indikatorene")
    return _linje_fakta(f, sid.split("_", 1)[1], data)


def _json(v):
    return json.loads(v) if isinstance(v, str) else v


def beskrivelse(r: dict, data: dict) -> str:
    """One change in one sentence (the CSV's last column, and the appendix's lists)."""
    t = r["type"]
    if t in ("tall", "revisjon", "beste_verdi_flyttet", "beste_verdi_endret", "tabell",
             "indikator_ny", "indikator_fjernet"):
        ind = _ind(data, r["indikator"])
        navn = esc(ind["etikett"])
    if t == "tall":
        return (f"Kontor {esc(r['kontor'])}, {liten(navn)}: {verdi(ind, r['for'])} i {r['aar_for']}, "
                f"{verdi(ind, r['etter'])} i {r['aar_etter']} ({r['retning']}, {r['vurdering']}).")
    if t == "revisjon":
        return (f"Revidert tall for {r['aar_for']}: kontor {esc(r['kontor'])}, {liten(navn)}, "
                f"{verdi(ind, r['for'])} i forrige utgave og {verdi(ind, r['etter'])} i de nye dataene.")
    if t in ("beste_verdi_flyttet", "beste_verdi_endret"):
        old = data["forrige"]["indikatorer"][r["indikator"]]["beste"]
        new = data["denne"]["indikatorer"][r["indikator"]]["beste"]
        if t == "beste_verdi_flyttet":
            return (f"Beste verdi på {liten(navn)} har flyttet fra {_hvem(old)} ({verdi(ind, r['for'])}, "
                    f"{r['aar_for']}) til {_hvem(new)} ({verdi(ind, r['etter'])}, {r['aar_etter']}).")
        return (f"Beste verdi på {liten(navn)} har fortsatt {_hvem(new)}, men er endret fra "
                f"{verdi(ind, r['for'])} ({r['aar_for']}) til {verdi(ind, r['etter'])} ({r['aar_etter']}).")
    if t == "vurdering":
        a, b = _json(r["for"]), _json(r["etter"])
        tekst = f"Vurdering av {esc(r['indikator'])}: "
        if a["kategori"] != b["kategori"]:
            tekst += f"kategorien er endret fra «{esc(a['kategori'])}» til «{esc(b['kategori'])}»"
        else:
            tekst += f"oppgavens kategori («{esc(b['kategori'])}») er den samme"
        if a.get("grunnlag") != b.get("grunnlag"):
            tekst += (f", men grunnlaget i tallene er endret ({r['aar_for']}: {GRUNNLAG.get(a.get('grunnlag'), '–')}; "
                      f"{r['aar_etter']}: {GRUNNLAG.get(b.get('grunnlag'), '–')})")
        return tekst + "."
    if t == "setning":
        sid = r["indikator"]
        return (f"Setningen i {SETNING_STED.get(sid, esc(sid))} har fått nytt innhold ({r['aar_for']}: "
                f"{setning_fakta(sid, _json(r['for']), data)}; {r['aar_etter']}: "
                f"{setning_fakta(sid, _json(r['etter']), data)}).")
    if t == "indikator_ny":
        return f"Ny indikator fra {r['aar_etter']}: {liten(navn)}."
    if t == "indikator_fjernet":
        return f"Indikatoren {liten(navn)} er fjernet (den var med i {r['aar_for']})."
    if t == "tabell":
        return (f"{stor(liten(navn))} hentes for {r['aar_etter']} fra SSB-tabell {esc(str(r['etter'] or '–'))}; "
                f"for {r['aar_for']} kom tallet fra tabell {esc(str(r['for'] or '–'))}. Tallene kan derfor "
                "avvike av andre grunner enn en reell endring.")
    raise ValueError(f"ukjent endringstype {t!r}; forventet en av {', '.join(TELLEORD)}")


def _caption(text: str, label: str) -> str:
    return f"\n\n: {text} {{#{label}}}\n"


def beste_tabell(data: dict) -> str:
    rows = [r for r in data["rader"] if r["type"] in ("beste_verdi_flyttet", "beste_verdi_endret")]
    if not rows:
        return ""
    fa, da = data["forrige"]["aar"], data["denne"]["aar"]
    body = []
    for r in rows:
        ind = _ind(data, r["indikator"])
        old = data["forrige"]["indikatorer"][r["indikator"]]["beste"]
        new = data["denne"]["indikatorer"][r["indikator"]]["beste"]
        body.append([esc(ind["kort"]), f"{stor(_hvem(old))}: {verdi(ind, r['for'])}",
                     f"{stor(_hvem(new))}: {verdi(ind, r['etter'])}",
                     "nytt kontor" if r["type"] == "beste_verdi_flyttet" else "samme kontor, ny verdi"])
    return pipe_table(["Indikator", f"Beste verdi {fa}", f"Beste verdi {da}", "Endring"], body,
                      [0.3, 0.25, 0.25, 0.2], ["left"] * 4) + _caption(
        "Beste verdi per indikator: kontor og verdi i forrige og i denne utgaven", "tbl-endringer-beste")


def tall_tabell(data: dict) -> str:
    rows = [r for r in data["rader"] if r["type"] == "tall"]
    if not rows:
        return ""
    fa, da = data["forrige"]["aar"], data["denne"]["aar"]
    body = [[esc(_ind(data, r["indikator"])["kort"]), f"Kontor {esc(r['kontor'])}",
             verdi(_ind(data, r["indikator"]), r["for"]), verdi(_ind(data, r["indikator"]), r["etter"]),
             r["retning"], r["vurdering"]] for r in rows]
    return pipe_table(["Indikator", "Kontor", str(fa), str(da), "Retning", "Bedre eller dårligere"], body,
                      [0.3, 0.12, 0.13, 0.13, 0.1, 0.22], ["left", "left", "right", "right", "left", "left"]) + _caption(
        "Tall som er endret siden forrige utgave", "tbl-endringer-tall")


def revisjon_tabell(data: dict) -> str:
    rows = [r for r in data["rader"] if r["type"] == "revisjon"]
    if not rows:
        return ""
    body = [[esc(_ind(data, r["indikator"])["kort"]), f"Kontor {esc(r['kontor'])}", str(r["aar_for"]),
             verdi(_ind(data, r["indikator"]), r["for"]), verdi(_ind(data, r["indikator"]), r["etter"])]
            for r in rows]
    return pipe_table(["Indikator", "Kontor", "År", "Forrige utgave", "Nye data"], body,
                      [0.34, 0.14, 0.1, 0.21, 0.21], ["left", "left", "right", "right", "right"]) + _caption(
        "Reviderte tall: samme år, annet tall i de nye dataene", "tbl-endringer-revisjon")


def vedlegg(data: dict) -> str:
    """The appendix body: one sentence when nothing changed; otherwise what changed, kind by kind."""
    fa, da = data["forrige"]["aar"], data["denne"]["aar"]
    rows = data["rader"]
    kilde = f"forrige utgave ({fa}, fila {esc(data['forrige']['fil'])})"
    if not rows:
        return (f"Ingenting er endret siden {kilde}: tallene, de beste verdiene, vurderingene av hypotesene og "
                "innholdet i de genererte setningene er de samme.\n")
    n = {t: sum(1 for r in rows if r["type"] == t) for t in TELLEORD}
    deler = [
        f"Denne utgaven ({da}) er sammenliknet med {kilde}. Vi sammenlikner tallene bak @tbl-resultater, de "
        "beste verdiene og kontorene som har dem, vurderingene av hypotesene og fakta bak de genererte "
        "setningene; en setning som bare er formulert annerledes, regnes ikke som endret. Et tall for et år "
        "som begge utgavene viser, og som er annerledes i de nye dataene, er en revisjon og ikke en endring. "
        f"I alt: {telling([r['type'] for r in rows])}. Hele listen står også i fila build/endringer.csv."
    ]
    if n["beste_verdi_flyttet"] + n["beste_verdi_endret"]:
        deler += ["**Beste verdier**", beste_tabell(data),
                  "\n".join(f"- {beskrivelse(r, data)}" for r in rows
                            if r["type"] in ("beste_verdi_flyttet", "beste_verdi_endret"))]
    if n["tall"]:
        deler += ["**Endrede tall**", tall_tabell(data)]
    if n["revisjon"]:
        deler += ["**Reviderte tall**", revisjon_tabell(data)]
    for title, types in (("Vurderinger av hypotesene", ("vurdering",)),
                         ("Setninger med nytt innhold", ("setning",)),
                         ("Indikatorer og SSB-tabeller", ("indikator_ny", "indikator_fjernet", "tabell"))):
        chosen = [r for r in rows if r["type"] in types]
        if chosen:
            deler += [f"**{title}**", "\n".join(f"- {beskrivelse(r, data)}" for r in chosen)]
    if not n["vurdering"]:
        deler.append("Ingen vurdering av hypotesene er endret.")
    return "\n\n".join(d.strip("\n") for d in deler if d) + "\n"


# --------------------------------------------------------------------------- office reports


def kontor_avsnitt(office: str, rows: list[dict], indicators: list[dict], year_before: int, year_now: int) -> str:
    """The office report's section «Endret siden forrige rapport»: this office's own figures only."""
    by_id = {i["id"]: i for i in indicators}
    k = esc(office)
    if not rows:
        return (f"Kontor {k}s egne tall er de samme som i forrige rapport ({year_before}); ingen tall er revidert.")
    lines = []
    for r in rows:
        ind = by_id.get(r["indikator"])
        navn = liten(esc(ind["etikett"])) if ind else esc(r["indikator"])
        if r["type"] == "tall":
            lines.append(f"- {stor(navn)}: {verdi(ind, r['for'])} i {year_before}, {verdi(ind, r['etter'])} i "
                         f"{year_now} ({r['retning']}, {r['vurdering']}).")
        elif r["type"] == "revisjon":
            lines.append(f"- {stor(navn)}: tallet for {r['aar']} er revidert fra {verdi(ind, r['for'])} i forrige "
                         f"rapport til {verdi(ind, r['etter'])} i de nye dataene.")
        elif r["type"] == "indikator_ny":
            lines.append(f"- {stor(navn)}: ny indikator siden forrige rapport.")
        else:
            lines.append(f"- Indikatoren {esc(r['indikator'])} er fjernet siden forrige rapport.")
    return (f"Slik har kontor {k}s egne tall endret seg siden forrige rapport ({year_before}). Et revidert tall "
            "gjelder samme år, men er annerledes i de nye dataene.\n\n" + "\n".join(lines))
