"""Text and tables of the appendix "Hva kan seks kontorer vise?", from ``eksakt.json``.

Every number comes from the results written by :mod:`scripts.analysis.exact`; a changed
coding in the codebook changes the tables and the sentences here, never the chapter by hand.
Functions take the results as a plain dict (``reportkit.resultat`` gives a dict subclass).
"""
from __future__ import annotations

from scripts.content import fmt
from scripts.content.analyse_text import liten
from scripts.content.fmt import md_escape as esc
from scripts.content.tables import pipe_table

NBSP = "\u00a0"
LINJE = {"stat": "statlige", "kommune": "kommunale"}


def p_tekst(p: float) -> str:
    """A p-value in Norwegian format: three decimals below 0,01, else two; exactly 1 as «1»."""
    if p >= 1:
        return "1"
    return fmt.tall(p, 3 if p < 0.01 else 2)


def effekt_tekst(e: float) -> str:
    """An effect size with its sign (+0,72, −0,12, 0,00)."""
    text = fmt.tall(e, 2)
    return text if text.startswith(("−", "-")) or text == "0,00" else "+" + text


def resultattabell(E: dict, utgave_aar: int) -> str:
    """Which results table the exact tests read: the thesis's own (its year), named so in an
    edition for another year, where @tbl-resultater shows that year instead."""
    if int(utgave_aar) == int(E["aar"]):
        return "@tbl-resultater"
    return (f"oppgavens egen resultattabell med tall for {E['aar']} (denne utgavens @tbl-resultater har tall "
            f"for {utgave_aar})")


def indikatorgrunnlag(E: dict, utgave_aar: int) -> str:
    """The sentence on what each code is held against: the thesis's indicators for its year."""
    n = fmt.ord_tall(len(E["indikatorer"]))
    if int(utgave_aar) == int(E["aar"]):
        return f"Hver kode er holdt opp mot de {n} resultatindikatorene for {E['aar']} i @tbl-resultater, det året intervjuene beskriver."
    return (f"Hver kode er holdt opp mot de {n} resultatindikatorene for {E['aar']}, det året intervjuene "
            f"beskriver, slik oppgavens egen resultattabell viser dem; denne utgavens @tbl-resultater har tall for "
            f"{utgave_aar} og er ikke med i testene.")


def _coding(R: dict, cid: str) -> dict:
    return next(c for c in R["kodinger"] if c["id"] == cid)


def _indicator(R: dict, iid: str) -> dict:
    return next(i for i in R["indikatorer"] if i["id"] == iid)


def _test(R: dict, cid: str, iid: str) -> dict:
    return next(t for t in R["tester"] if t["koding"] == cid and t["indikator"] == iid)


def _lowest(tests: list[dict]) -> list[dict]:
    """Every test that shares the smallest p-value (ties are common with six offices)."""
    if not tests:
        return []
    low = min(t["p"] for t in tests)
    return [t for t in tests if abs(t["p"] - low) < 1e-12]


def _which(R: dict, tests: list[dict]) -> str:
    """'«kode» mot «indikator» (samvariasjon +1,00) og …' for one or several tests."""
    return fmt.liste([f"«{esc(liten(_coding(R, t['koding'])['navn']))}» mot "
                      f"«{esc(liten(_indicator(R, t['indikator'])['kort']))}» (samvariasjon "
                      f"{effekt_tekst(t['effekt'])})" for t in tests])


def _levels(c: dict) -> str:
    """'1 = brukes lite: B; 2 = …: A, C og D' (highest level last)."""
    parts = []
    for n in sorted(c["nivaer"], key=lambda n: n["verdi"]):
        who = [k for k, v in c["verdier"].items() if v == n["verdi"]]
        parts.append(f"{n['verdi']} = {esc(n['etikett'])}: {fmt.liste(sorted(who)) if who else 'ingen'}")
    return "; ".join(parts)


def _pipe(header: list[str], rows: list[list[str]], align: list[str], widths: list[float]) -> str:
    """A Pandoc pipe table with relative column widths (``tables.pipe_table``, as Tabell 4.2)."""
    return pipe_table(header, rows, widths, [{"l": "left", "r": "right", "c": "center"}[a] for a in align])


def _cell(effect: float, p: float) -> str:
    """'+0,63 (p = 0,40)', kept on one line inside the parenthesis."""
    return f"{effekt_tekst(effect)} (p{NBSP}={NBSP}{p_tekst(p)})"


def kodebok_tabell(R: dict) -> str:
    """The main codes: tool column of Tabell 4.1, levels with their offices, and the rule."""
    rows = []
    for c in R["kodinger"]:
        if c["hoved"]:
            kind = "ja/nei" if c["type"] == "ja_nei" else "rangert"
            rows.append([esc(c["navn"]), esc(R["verktoy"][c["verktoy_id"]]), kind, _levels(c), esc(c["regel"])])
    return _pipe(["Kode", "Kolonne i tabell 4.1", "Type", "Nivåer og kontorer", "Regel"], rows,
                 ["l", "l", "l", "l", "l"], [0.17, 0.14, 0.08, 0.29, 0.32])


def hoved_tabell(R: dict) -> str:
    """Main codes (columns) × indicators (rows): effect size and exact two-sided p in each cell,
    with the split and the smallest p the split allows on top. Codes as columns keep the table
    narrow enough for the page: the indicator names are the long ones."""
    codes = [c for c in R["kodinger"] if c["hoved"]]
    rows = [["Kontorer per nivå"] + [esc(c["deling"]) for c in codes],
            ["Minste mulige p"] + [p_tekst(c["minste_p_design"]) if c["minste_p_design"] else "–" for c in codes]]
    for ind in R["indikatorer"]:
        row = [esc(ind["kort"])]
        for c in codes:
            t = _test(R, c["id"], ind["id"])
            row.append(_cell(t["effekt"], t["p"]) if t["testbar"] else "ikke testbar")
        rows.append(row)
    header = ["Indikator"] + [esc(c["navn"]) for c in codes]
    return _pipe(header, rows, ["l"] + ["r"] * len(codes), [0.24] + [0.76 / len(codes)] * len(codes))


def folsomhet_tabell(R: dict) -> str:
    """Every coding, main and alternative: what the split allows and the smallest p it gave."""
    rows = []
    for c in R["kodinger"]:
        tests = [t for t in R["tester"] if t["koding"] == c["id"]]
        testable = [t for t in tests if t["testbar"]]
        name = esc(c["navn"]) + (" (hovedkoding)" if c["hoved"] else "")
        if not testable:
            rows.append([name, esc(c["deling"]), "–", f"ikke testbar: {tests[0]['grunn']}", "–"])
            continue
        best = min(testable, key=lambda t: t["p"])
        ind = _indicator(R, best["indikator"])
        rows.append([name, esc(c["deling"]), p_tekst(c["minste_p_design"]),
                     f"{p_tekst(best['p'])} ({esc(liten(ind['kort']))}, {effekt_tekst(best['effekt'])})",
                     str(sum(t["p"] < R["alpha"] for t in testable))])
    header = ["Koding", "Kontorer per nivå", "Minste mulige p", "Minste p i dataene (indikator, samvariasjon)",
              f"Tester med p under {fmt.tall(R['alpha'], 2)}"]
    return _pipe(header, rows, ["l", "c", "r", "l", "r"], [0.28, 0.12, 0.12, 0.34, 0.14])


def design_setning(R: dict) -> str:
    """How many main codings could never reach the conventional level, whatever the results."""
    main = [c for c in R["kodinger"] if c["hoved"] and c["minste_p_design"] is not None]
    never = [c for c in main if c["minste_p_design"] >= R["alpha"]]
    if not never:
        return (f"Alle de {fmt.ord_tall(len(main))} hovedkodingene kan i prinsippet gi en p-verdi under "
                f"{fmt.tall(R['alpha'], 2)}, men bare hvis resultatene faller i nøyaktig den rekkefølgen koden tilsier.")
    names = fmt.liste([f"«{esc(liten(c['navn']))}»" for c in never])
    return (f"For {fmt.ord_tall(len(never))} av de {fmt.ord_tall(len(main))} hovedkodingene ({names}) kan p-verdien "
            f"aldri komme under {fmt.tall(R['alpha'], 2)}, uansett hva resultatene blir: det er delingen av "
            "kontorene som setter grensen, før noen tall er sett.")


def funn_setning(R: dict) -> str:
    """What the main tests gave: how many under the level, the smallest p and where (all tests
    sharing it), and that the alternative codings go lower, when they do."""
    o = R["oppsummering"]
    a = fmt.tall(R["alpha"], 2)
    if o["hoved_antall"] == 0:
        return "Ingen av hovedkodingene varierer mellom kontorene, så ingen test kunne gjøres."
    main = {c["id"] for c in R["kodinger"] if c["hoved"]}
    low = _lowest([t for t in R["tester"] if t["testbar"] and t["koding"] in main])
    under = o["hoved_under_alpha"]
    first = (f"Av de {o['hoved_antall']} testene med hovedkodingene ga {fmt.ord_tall(under) if under else 'ingen'} "
             f"en p-verdi under {a}.")
    n_low = "Den minste var" if len(low) == 1 else f"{fmt.ord_tall(len(low)).capitalize()} tester delte den minste,"
    expected = fmt.tall(o["forventet_under_alpha_hoved"], 1)
    if under == 0:
        verdict = ("Tallene viser altså ingen sammenheng mellom kodene og resultatene som kan skilles fra det "
                   "tilfeldigheter ville gitt.")
    else:
        verdict = ("Treffene må derfor leses med varsomhet: de er ikke flere enn tilfeldigheter kan gi, og "
                   "oppgavens egen vurdering står ved lag.")
    andre = ""
    if o["alle_minste_p"] < low[0]["p"] - 1e-12:
        andre = (f" Med de andre kodingene en nøye leser kunne valgt, kommer den minste p-verdien ned i "
                 f"{p_tekst(o['alle_minste_p'])}; det står i avsnittet om følsomhet nedenfor.")
    return (f"{first} {n_low} {p_tekst(low[0]['p'])}, for {_which(R, low)}.{andre} "
            f"Selv om verktøyene ikke hadde noe med resultatene å gjøre, ville vi vente omtrent {expected} slike "
            f"treff med hovedkodingene, regnet ut fra de samme fordelingene (færre enn én test av "
            f"{fmt.ord_tall(round(1 / R['alpha']))}, fordi mange av kodene aldri kan komme under grensen). {verdict}")


def figur_setning(R: dict) -> str:
    """The text under the figure: which test, how many assignments, the tail and the p-value."""
    s = R["sterkest"]
    t = _test(R, s["koding"], s["indikator"])
    c, ind = _coding(R, s["koding"]), _indicator(R, s["indikator"])
    unit = "rekkefølger" if c["type"] == "rang" else "delinger"
    return (f"Figuren gjelder koden «{esc(liten(c['navn']))}» mot «{esc(liten(ind['kort']))}», den testen "
            f"blant hovedkodingene som ga minst p-verdi. Av alle {t['antall']} mulige {unit} av kodene på kontorene "
            f"gir {t['hale']} en minst like sterk samvariasjon i samme retning som den observerte "
            f"({effekt_tekst(t['effekt'])}). Den tosidige p-verdien er to ganger denne andelen: "
            f"{p_tekst(t['p'])}.")


def folsomhet_setning(R: dict) -> str:
    """Whether any coding a careful reader could defend moves the conclusion; every test that
    shares the smallest p is named."""
    o = R["oppsummering"]
    a = fmt.tall(R["alpha"], 2)
    low = _lowest([t for t in R["tester"] if t["testbar"]])
    n_cod = len(R["kodinger"])
    if not low:
        return "Ingen av kodingene varierer mellom kontorene."
    head = (f"Med alle {n_cod} kodingene, hovedkodingene og alternativene, blir det {o['alle_antall']} tester. ")
    if o["alle_under_alpha"] == 0:
        mid = f"Ingen av dem gir en p-verdi under {a}. "
    else:
        mid = f"{fmt.ord_tall(o['alle_under_alpha']).capitalize()} av dem gir en p-verdi under {a}. "
    hvem = ("Den minste, {p}, kommer med kodingen {w}." if len(low) == 1 else
            "Den minste, {p}, deles av " + fmt.ord_tall(len(low)) + " tester: {w}.")
    floor = ""
    at_floor = [t for t in low if _coding(R, t["koding"])["minste_p_design"] is not None
                and abs(t["p"] - _coding(R, t["koding"])["minste_p_design"]) < 1e-12]
    if at_floor and len(at_floor) == len(low):
        floor = (" Det er den minste p-verdien de delingene i det hele tatt kan gi" if len(low) > 1 else
                 " Det er den minste p-verdien den delingen i det hele tatt kan gi") + (
            ": mønsteret er så tydelig som det kan bli, og likevel ikke tydelig nok." if low[0]["p"] >= R["alpha"] else ".")
    return head + mid + hvem.format(p=p_tekst(low[0]["p"]), w=_which(R, low)) + floor


def linje_setning(R: dict) -> str:
    """H3's angle: the smallest p on the state and on the municipal indicators, with the main
    codings and with all codings (the alternatives can go lower)."""
    main = {c["id"] for c in R["kodinger"] if c["hoved"]}
    deler = []
    for navn, koder in (("hovedkodingene", main), ("alle kodingene", {c["id"] for c in R["kodinger"]})):
        parts = []
        for linje in ("stat", "kommune"):
            ids = {i["id"] for i in R["indikatorer"] if i["linje"] == linje}
            ps = [t["p"] for t in R["tester"] if t["testbar"] and t["koding"] in koder and t["indikator"] in ids]
            if ps:
                parts.append(f"{p_tekst(min(ps))} på de {LINJE[linje]}")
        if parts:
            deler.append(f"med {navn} {fmt.liste(parts)} indikatorene")
    return ("Den minste p-verdien er " + "; ".join(deler) + ".") if deler else ""


def behov_setning(R: dict) -> str:
    """How many offices a true correlation of each size would need (80 % power, 0,05)."""
    b = sorted(R["behov"], key=lambda x: -x["rho"])
    parts = [f"omtrent {x['kontorer']} kontorer hvis den sanne samvariasjonen er {fmt.tall(x['rho'], 1)}" for x in b]
    return fmt.liste(parts)


def h4_setning(R: dict) -> str:
    """What the exact tests add to H4: nothing beyond chance, or a few hits to be read with care."""
    o = R["oppsummering"]
    if o["alle_under_alpha"] == 0:
        return ("er svaret at tallene verken bekrefter eller avkrefter den: ingen koding gir et mønster som skiller "
                "seg fra tilfeldigheter, og utvalget er så lite at heller ikke et sterkt mønster sikkert ville gjort "
                "det. Det stemmer med oppgavens egen vurdering.")
    return (f"gir {o['alle_under_alpha']} av {o['alle_antall']} tester en p-verdi under {fmt.tall(R['alpha'], 2)}. "
            "Med så mange tester og så få kontorer er det ikke nok til å si at verktøyene gir bedre resultater, "
            "og det endrer ikke oppgavens egen vurdering.")
