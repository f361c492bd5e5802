"""Generated sentences for chapter 4 (Analyse) and appendices 1–4.

The chapter states what the results show in sentences built here from the data, so that a
new edition (other figures, ties, another leading office) changes the words too. Each
function takes plain dicts as read from ``build/results/*.json`` (``scripts.content.reportkit``'s
``Obj`` is a dict) and returns markdown. Text from data is escaped; the markdown around it
is our own.
"""
from __future__ import annotations

from scripts.content import fmt
from scripts.content.figtext import decimals, tabellskifte
from scripts.content.fmt import md_escape as esc

LINJE = {"stat": "statlige", "kommune": "kommunale"}
RETNING = {"hoyest_best": "høyest", "lavest_best": "lavest"}


def stor(text: str) -> str:
    """First letter upper case (``'kontor F'`` -> ``'Kontor F'``)."""
    return text[:1].upper() + text[1:]


def liten(text: str) -> str:
    """First letter lower case, for labels used inside a sentence."""
    return text[:1].lower() + text[1:]


ORDENSTALL = {1: "første", 2: "andre", 3: "tredje", 4: "fjerde", 5: "femte", 6: "sjette", 7: "sjuende",
              8: "åttende", 9: "niende", 10: "tiende"}


def ordenstall(n: int) -> str:
    """``ordenstall(4) == 'fjerde'``; larger numbers as ``'11.'``."""
    return ORDENSTALL.get(int(n), f"{int(n)}.")


def kontorer(bokstaver) -> str:
    """``['F'] -> 'kontor F'``, ``['C', 'F'] -> 'kontorene C og F'``, ``[] -> 'ingen kontorer'``."""
    b = [esc(x) for x in bokstaver]
    if not b:
        return "ingen kontorer"
    return f"kontor {b[0]}" if len(b) == 1 else "kontorene " + fmt.liste(b)


def indikatorer_nb(n: int, linje: str) -> str:
    """``(1, 'statlige') -> 'den statlige indikatoren'``, 2 -> ``'begge de …'``, more -> ``'alle de fire …'``."""
    if n == 1:
        return f"den {linje} indikatoren"
    return f"begge de {linje} indikatorene" if n == 2 else f"alle de {fmt.ord_tall(n)} {linje} indikatorene"


def linje_nb(best, n: int, linje: str, kort: bool = False) -> str:
    """Who is best on a line's ``n`` indicators, as a clause: ``'kontor F er best på begge de
    statlige indikatorene'``; the long form says ``'har/deler det beste resultatet på'``."""
    if not best:
        return f"ingen enkelt kontor er best på {indikatorer_nb(n, linje)}"
    if kort:
        return f"{kontorer(best)} er best på {indikatorer_nb(n, linje)}"
    verb = "har" if len(best) == 1 else "deler"
    return f"{kontorer(best)} {verb} det beste resultatet på {indikatorer_nb(n, linje)}"


def hypotese(hypoteser: dict, hid: str) -> dict:
    """One hypothesis from ``F.hypoteser`` by id (``'H1'`` …)."""
    for h in hypoteser["hypoteser"]:
        if h["id"] == hid:
            return h
    raise KeyError(f"hypotesen «{hid}» finnes ikke i hypoteser.yaml; forventet en av "
                   f"{', '.join(h['id'] for h in hypoteser['hypoteser'])}")


def vurdering(h: dict, utgave_aar: int | None = None, oppgave_aar: int | None = None) -> str:
    """``'**Vurdering av H1:** Støttet – <begrunnelse>'``: the verdict as classified in hypoteser.yaml.

    The verdict is the thesis's, drawn from its own year's results; in an edition for another
    year the label says so (``'Vurdering av H4 i oppgaven (tall for 2014)'``), so it never reads as a
    verdict on the edition's table.
    """
    v = h["vurdering"]
    hvem = (f" i oppgaven (tall for {oppgave_aar})" if utgave_aar is not None and oppgave_aar is not None
            and utgave_aar != oppgave_aar else "")
    return (f"**Vurdering av {esc(h['id'])}{hvem}:** {stor(esc(v['kategori']))} – "
            f"{esc(' '.join(v['begrunnelse'].split()))}")


def hofstede(typer: list[str], *navn: str) -> str:
    """Hofstede's types with their number as the thesis writes them: ``'fagstyring (2)'``.

    ``typer`` is ``F.fakta.teori.hofstede_styringstyper.liste``; names are matched on the text
    before the parenthesis, so the numbers come from the data.
    """
    funnet = []
    for n in navn:
        treff = [t for t in typer if t.split(" (")[0].lower() == n.lower()]
        if not treff:
            raise KeyError(f"Hofstede-typen «{n}» finnes ikke; forventet en av {', '.join(typer)}")
        funnet.append(esc(treff[0]))
    return fmt.liste(funnet)


def verdi(ind: dict, kontor: str) -> str:
    """One office's value on one indicator, formatted as in Tabell 4.2."""
    return ind["tekst"][kontor]


def med_enhet(ind: dict, kontor: str) -> str:
    """The value with its unit: ``'56 %'``, ``'1782 kr'``."""
    enhet = {"prosent": "%", "kroner": "kr"}.get(ind["enhet"], esc(ind["enhet"]))
    return f"{verdi(ind, kontor)}{fmt.NBSP}{enhet}"


def _linje(results: dict, linje: str) -> list[dict]:
    return [i for i in results["indikatorer"] if i["linje"] == linje]


def _best_key(linje: str) -> str:
    return "statlig_best" if linje == "stat" else "kommunal_best"


def markeringsregel(indikatorer: list[dict]) -> str:
    """The highlight rule of Tabell 4.2, from each indicator's ``retning``."""
    grupper: dict[str, list[str]] = {}
    for i in indikatorer:
        grupper.setdefault(i["retning"], []).append(esc(liten(i["kort"])))
    deler = [f"{RETNING[r]} for {fmt.liste(navn)}" for r, navn in grupper.items()]
    tekst = ("Markert (gul bakgrunn, fet skrift og ★): beste verdi for hver indikator – "
             + "; ".join(deler) + ".")
    if any(len(i["beste"]) > 1 for i in indikatorer):
        tekst += " Der flere kontorer deler beste verdi, er alle markert."
    return tekst


def kildenote(indikatorer: list[dict], aar: int, tidsserie: list[dict] | None = None) -> str:
    """Where the figures of Tabell 4.2 come from, grouped by source text.

    For KOSTRA indicators the source is the data's own ``kilde`` column for ``aar`` (rows of
    ``tidsserie``, i.e. ``resultater.json``), so a 2015 table never carries the 2014 note;
    ``kildetekst`` from indikatorer.yaml is used only where the data name no source (målekort
    rows name their file, which says less than the indicator's own description).
    """
    fra_data: dict[str, list[str]] = {}
    for r in tidsserie or []:
        k = str(r.get("kilde") or "").strip()
        if r.get("aar") == aar and k and k.lower() != "nan":
            liste = fra_data.setdefault(r["indikator_id"], [])
            if k not in liste:
                liste.append(k)
    grupper: dict[str, list[str]] = {}
    for i in indikatorer:
        kilder = fra_data.get(i["id"]) if i.get("kilde") == "kostra" else None
        for kilde in kilder or [i["kildetekst"]]:
            linjer = grupper.setdefault(kilde, [])
            if LINJE[i["linje"]] not in linjer:
                linjer.append(LINJE[i["linje"]])
    deler = [f"{esc(k)} ({fmt.liste(linjer)} indikatorer)" for k, linjer in grupper.items()]
    return f"Tallene gjelder {aar}. Kilder: " + "; ".join(deler) + "."


def resultatfunn(results: dict, oppgave_aar: int, oppgave_stat: str, oppgave_kom: str) -> str:
    """What @tbl-resultater shows, generated from the edition's data, followed by the thesis's
    own reading, explicitly as the thesis's ``oppgave_aar`` finding, unless the table says the
    same (then the sentence says it agrees)."""
    aar = results["aar"]
    begge = sorted(set(results["statlig_best"]) & set(results["kommunal_best"]))
    if begge:
        samlet = f"I @tbl-resultater ({aar}) er {kontorer(begge)} best på alle indikatorene."
    else:
        samlet = f"I @tbl-resultater ({aar}) er ingen kontor best på alle indikatorene."
    deler = [stor(d) + "." for d in (linjens_beste(results, "stat"), linjens_beste(results, "kommune")) if d]
    tekst = " ".join([samlet, *deler])
    if (aar == oppgave_aar and list(results["statlig_best"]) == [oppgave_stat]
            and list(results["kommunal_best"]) == [oppgave_kom]):
        return tekst + (" Det er også oppgavens lesning: ingen kontor peker seg klart ut som best, men "
                        "ett kontor er best i hver styringslinje.")
    return tekst + (f" I oppgaven, med tall for {oppgave_aar}, pekte ingen kontor seg klart ut som best, men kontor "
                    f"{esc(oppgave_stat)} var klart best på de statlige indikatorene og kontor "
                    f"{esc(oppgave_kom)} på de kommunale.")


ENHET_KORT = {"prosent": "%", "kroner": "kr"}


def endringer_md(results: dict) -> str:
    """Each office's change over the years shown, as a markdown table with a header row, and a
    note on series breaks; ``''`` when the edition shows one year only.

    A cell reads ``'52 → 51 (−1)'``: the values in year order and the change from the first
    to the last year. Across a series break (``serieskifter``) no change is computed; the cell
    shows ``'→ serieskifte →'`` where the break falls, in words, so it never depends on a symbol or a colour.
    """
    aar = sorted({int(r["aar"]) for r in results.get("tidsserie") or []} | {int(results["aar"])})
    if len(aar) < 2:
        return ""
    brudd = results.get("serieskifter") or {}
    verdier: dict[tuple[str, str], dict[int, float]] = {}
    for r in results.get("tidsserie") or []:
        verdier.setdefault((r["kontor"], r["indikator_id"]), {})[int(r["aar"])] = float(r["verdi"])
    head = ["Kontor"] + [f"{esc(i['kort'])} ({ENHET_KORT.get(i['enhet'], esc(i['enhet']))})"
                         for i in results["indikatorer"]]
    rows = []
    for k in results["kontorer"]:
        celler = [f"Kontor {esc(k)}"]
        for i in results["indikatorer"]:
            d = decimals(i)  # as Tabell 4.2 prints the indicator
            serie = verdier.get((k, i["id"]), {})
            skift = [b["aar"] for b in brudd.get(i["id"], [])]
            tekst = ""
            for n, a in enumerate(aar):
                if n:
                    # A break between two shown years is written where it falls, in words.
                    tekst += " → serieskifte → " if any(aar[n - 1] < b <= a for b in skift) else " → "
                tekst += fmt.tall(serie[a], d, min_tusen=10**9) if a in serie else "–"
            if not skift and aar[0] in serie and aar[-1] in serie:
                diff = round(serie[aar[-1]] - serie[aar[0]], d)
                tekst += f" ({'+' if diff > 0 else ''}{fmt.tall(diff, d, min_tusen=10**9)})"
            celler.append(tekst)
        rows.append(celler)
    lines = ["| " + " | ".join(head) + " |", "|" + "|".join([":---"] + ["---:"] * (len(head) - 1)) + "|"]
    lines += ["| " + " | ".join(r) + " |" for r in rows]
    noter = [f"Serieskifte for {esc(liten(i['kort']))} i {b['aar']}{tabellskifte(b)}: {esc(b['grunn'])}"
             for i in results["indikatorer"] for b in brudd.get(i["id"], [])]
    note = (f"Verdiene står i årsrekkefølge ({'–'.join(map(str, (aar[0], aar[-1])))}), med endringen fra "
            f"{aar[0]} til {aar[-1]} i parentes. " + " ".join(noter)).strip()
    tittel = f"**Endring per kontor og indikator, {aar[0]}–{aar[-1]}**"
    return tittel + "\n\n" + "\n".join(lines) + "\n\n" + note + "\n"


def linjens_beste(results: dict, linje: str) -> str:
    """Which office leads one line (stat or kommune), or who is best on each indicator if none does."""
    inds = _linje(results, linje)
    if not inds:
        return ""
    best = list(results[_best_key(linje)])
    hvor = f"den {LINJE[linje]} indikatoren" if len(inds) == 1 else \
        f"{'begge' if len(inds) == 2 else 'alle'} de {LINJE[linje]} indikatorene"
    if best:
        verdier = fmt.liste([med_enhet(i, best[0]) for i in inds])
        return f"{kontorer(best)} har beste verdi på {hvor} ({verdier})"
    per = fmt.liste([f"{kontorer(i['beste'])} på {esc(liten(i['kort']))}" for i in inds])
    return f"ingen kontor er best på {hvor}; beste verdi har {per}"


def h4_grunnlag(results: dict) -> str:
    """The evidence for H4 from the results: the leader of each line and whether one office leads both."""
    deler = [s for s in (linjens_beste(results, "stat"), linjens_beste(results, "kommune")) if s]
    tekst = f"Tallene er fra {results['aar']}. " + ". ".join(stor(s) for s in deler) + "."
    begge = sorted(set(results["statlig_best"]) & set(results["kommunal_best"]))
    if begge:
        tekst += (f" {stor(kontorer(begge))} er altså best i begge styringslinjene og skiller seg ut "
                  "samlet – et annet bilde enn i oppgaven, der ingen kontor var klart best.")
    else:
        tekst += (" Ingen kontor er best i begge styringslinjene, så ingen peker seg klart ut som best "
                  "samlet; det er også oppgavens lesning.")
    return tekst


def sosialhjelp_endringer(sosialhjelp: dict) -> list[str]:
    """Sentences for every office with counts of social-assistance recipients in the facts.

    ``sosialhjelp`` is ``F.fakta.sosialhjelp_mottakere``; entries ``kontor_x`` with ``fra``/``til``
    give a sentence, entries without numbers (the thesis gives none) give none.
    """
    out = []
    for key, v in sosialhjelp.items():
        if not key.startswith("kontor_") or not {"fra", "til"} <= set(v):
            continue
        k = esc(key.split("_", 1)[1].upper())
        fra, til = v["fra"], v["til"]
        if til < fra:
            hva = f"gikk ned fra {fmt.tall(fra)} i {v['fra_aar']} til {fmt.tall(til)} i {v['til_aar']}"
        elif til > fra:
            hva = f"økte fra {fmt.tall(fra)} i {v['fra_aar']} til {fmt.tall(til)} i {v['til_aar']}"
        else:
            hva = f"var {fmt.tall(fra)} både i {v['fra_aar']} og {v['til_aar']}"
        out.append(f"Antallet mottakere av økonomisk sosialhjelp ved kontor {k} {hva}.")
    return out


def motstrid_statlig(results: dict, tekst_kontor: str, oppgave_aar: int, oppgave_best: str,
                     celler: dict, skala: list[str] | None = None) -> str:
    """The note on 4.2.4: one paragraph of the thesis is written about office ``tekst_kontor``
    (E) and says it is best on the state indicators, while the table and the section's own
    earlier sentence point to ``oppgave_best`` (F).

    The note does not decide for the reader: it says what the thesis says, what the table
    shows, and which details of the paragraph fit which office's cell in Tabell 4.1
    (``celler``: office -> tool -> cell text). ``skala`` is the pair of offices the thesis
    later places at each end of its state–municipal scale.
    """
    t, b = esc(tekst_kontor), esc(oppgave_best)
    inds = _linje(results, "stat")
    best = list(results["statlig_best"])
    if results["aar"] == oppgave_aar and tekst_kontor in best:
        return (f"Oppgaven sier at kontor {t} leverer best på de statlige indikatorene, og det stemmer "
                "med @tbl-resultater.")
    if results["aar"] != oppgave_aar:
        # Two tables, two years: say which table each claim is about, and who leads in this edition's.
        tall_del = (f"Oppgavens tabell for {oppgave_aar} peker på kontor {b}, ikke kontor {t}, som best på de "
                    f"statlige indikatorene. Denne utgavens @tbl-resultater har tall for {results['aar']}: "
                    f"{linjens_beste(results, 'stat')}.")
    elif best:
        hvor = "begge" if len(inds) == 2 else "alle"
        tall_del = (f"I @tbl-resultater har {kontorer(best)} beste verdi på {hvor} de statlige indikatorene "
                    f"({fmt.liste([med_enhet(i, best[0]) for i in inds])}), mens kontor {t} har "
                    f"{fmt.liste([med_enhet(i, tekst_kontor) for i in inds])}.")
    else:
        tall_del = ("I @tbl-resultater har " + fmt.liste([f"{kontorer(i['beste'])} beste verdi på "
                                                          f"{esc(liten(i['kort']))}" for i in inds]) + ".")
    mot_b, mot_t = [], []
    mote = sorted(k for k, c in celler.items() if "målekortmøte" in c.get("balansert_malstyring", "").lower())
    if mote:
        (mot_b if oppgave_best in mote and tekst_kontor not in mote else mot_t).append(
            f"avsnittet beskriver egne målekortmøter, og i @tbl-verktoy er det {kontorer(mote)} som har "
            "etablert slike møter")
    mot_b.append(f"oppgaven peker selv på kontor {b} som best på de statlige indikatorene tidligere i samme "
                 "delkapittel")
    if skala and oppgave_best in skala and tekst_kontor not in skala:
        mot_b.append(f"når oppgaven straks etter plasserer to ledere på hver sin side av en skala fra statlig "
                     f"til kommunal tilnærming, nevner den {kontorer(skala)}")
    vp = sorted(k for k, c in celler.items() if "virksomhets" in c.get("risikostyring", "").lower())
    if vp:
        (mot_t if tekst_kontor in vp and oppgave_best not in vp else mot_b).append(
            f"avsnittet sier at risikovurderingen gjøres før virksomhetsplanen, og i @tbl-verktoy er det "
            f"{kontorer(vp)} som knytter risikovurderingen til arbeidet med virksomhetsplanen "
            f"(«{esc(celler[vp[0]]['risikostyring'])}»)")
    begge = sorted(k for k, c in celler.items()
                   if "målekort" in c.get("balansert_malstyring", "").lower()
                   and "tiltaksplan" in c.get("balansert_malstyring", "").lower())
    felles = (f" At tiltaksplanen brukes når målekortet gjennomgås, passer med cellene for {kontorer(begge)}."
              if tekst_kontor in begge and oppgave_best in begge else "")
    tekst = (f"Avsnittet over står i oppgaven som et avsnitt om kontor {t}, og ifølge det har kontor {t} bedre "
             f"statlige resultater enn resten av kontorene. {tall_del} Noe i oppgaven taler for "
             f"at avsnittet egentlig gjelder kontor {b}: " + "; ".join(mot_b) + ".")
    if mot_t:
        tekst += f" Annet passer best med kontor {t}: " + "; ".join(mot_t) + "."
    return (tekst + felles + f" Oppgaven sier ikke selv at bokstaven er feil. Vi gjengir avsnittet med "
            f"bokstaven {t}, slik det står, og lar leseren se begge lesningene.")


# --------------------------------------------------------------------------- appendices 2–4


def samtykke_md(v2: dict) -> str:
    """The consent form's sections as a definition-like list: heading in bold, our summary."""
    return "\n\n".join(f"**{esc(s['overskrift'])}** {esc(' '.join(s['sammendrag'].split()))}"
                       for s in v2["seksjoner"])


def intervjuguide_md(v3: dict) -> str:
    """The interview guide, part by part, as nested markdown lists (questions in our words)."""
    linjer = []
    for d in v3["deler"]:
        linjer.append(f"**{esc(d['del'])}**\n")
        if "punkter" in d:
            linjer += [f"- {esc(p)}" for p in d["punkter"]]
        if "innledende_felt" in d:
            linjer.append(f"- Innledende felt: {fmt.liste([esc(liten(f)) for f in d['innledende_felt']])}")
            linjer.append(f"- Om lederen: {fmt.liste([esc(liten(f)) for f in d['om_lederen']])}")
            linjer.append(f"- Om kontoret: {fmt.liste([esc(liten(f)) for f in d['om_kontoret']])}")
            linjer.append(f"- {esc(d['om_kontoret_sporsmal'])}")
        if "sporsmal" in d:
            linjer += [f"- {esc(s)}" for s in d["sporsmal"]]
        for t in d.get("temaer", []):
            linjer.append(f"- *{esc(t['tema'])}*")
            linjer += [f"    - {esc(s)}" for s in t["sporsmal"]]
            if t.get("formaal"):
                linjer.append(f"    - Formål med temaet: {esc(liten(t['formaal']))}")
        linjer.append("")
    return "\n".join(linjer).strip() + "\n"


def assosiasjonsark_md(v4: dict, kolonner: int = 3) -> str:
    """The legible management forms as a compact numbered table, ``kolonner`` pairs wide."""
    former = v4["styringsformer"]
    celler = []
    for n, f in enumerate(former, 1):
        navn = esc(f["navn"])
        if f.get("avkuttet_i_kilden"):
            navn += f" (trykt «{esc(f.get('trykt', f['navn']))}»)"
        celler.append((str(n), navn))
    rader = -(-len(celler) // kolonner)
    head = "| " + " | ".join(["Nr.", "Styringsform"] * kolonner) + " |"
    # Long dashes: Pandoc then gives the columns these relative widths (narrow numbers).
    sep = "|" + "|".join(["-" * 5 + ":", ":" + "-" * 40] * kolonner) + "|"
    body = []
    for r in range(rader):
        rad = []
        for c in range(kolonner):
            i = c * rader + r
            rad += list(celler[i]) if i < len(celler) else ["", ""]
        body.append("| " + " | ".join(rad) + " |")
    return "\n".join([head, sep, *body]) + "\n"


def assosiasjonsark_note(v4: dict) -> str:
    """The note on the count: the thesis says one number; our copy of its text breaks off in the list.

    Our copy of the thesis text ends in the middle of this appendix, so a shorter list is a
    gap in the copy, not a discrepancy in the thesis, and the note says that.
    """
    oppgitt, lesbart = v4["oppgitt_antall"], v4["lesbart_antall"]
    siste = [f for f in v4["styringsformer"] if f.get("avkuttet_i_kilden")]
    if oppgitt == lesbart:
        tekst = f"Arket har {fmt.ord_tall(lesbart)} styringsformer, som metodekapitlet oppgir."
    else:
        tekst = (f"Metodekapitlet oppgir {fmt.ord_tall(oppgitt)} styringsformer på arket. Kopien av oppgaveteksten "
                 f"som denne utgaven bygger på, slutter midt i listen, etter {fmt.ord_tall(lesbart)} oppføringer.")
    if siste:
        f = siste[-1]
        tekst += (f" Den siste er kuttet av midt i ordet (trykt «{esc(f.get('trykt', f['navn']))}»); "
                  f"vi leser den som «{esc(f['navn'])}».")
    if oppgitt > lesbart:
        tekst += (" Resten av listen mangler altså i kopien vår; det er ikke et avvik i oppgaven, og vi gjetter "
                  "ikke på hva som stod der.")
    return tekst
