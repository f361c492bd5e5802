"""Generated sentences for the front of the report (index.qmd): the summary, the English
abstract and the note «Om denne utgaven».

The summary's results sentence follows the edition's data (which office leads which line);
the rest of the summary is the thesis's own finding. Functions take plain dicts as read from
``build/results/*.json``; the chapter cell only loads, calls and shows.

``python -m scripts.content.forside utgave --utgiver NAVN --out build/results/utgave.json``
writes what the note needs from the configuration (the publisher, the edition year).
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from scripts.atomic import write_text
from scripts.cli import entry
from scripts.content import fmt
from scripts.content.analyse_text import indikatorer_nb, linje_nb, liten, stor
from scripts.content.analyse_text import kontorer as kontor_nb
from scripts.content.fmt import md_escape as esc

EN = {1: "one", 2: "two", 3: "three", 4: "four", 5: "five", 6: "six", 7: "seven", 8: "eight",
      9: "nine", 10: "ten", 11: "eleven", 12: "twelve"}


def en_tall(n) -> str:
    """An English number word up to twelve, digits above."""
    return EN.get(int(n), fmt.tall(n))


def tellinger(F: dict, R: dict) -> dict:
    """The counts the summary and the abstract name, from the facts and the results."""
    f = F["fakta"]
    inf = f["informanter"]
    n_ledere = inf["nav_ledere_deltok"]["verdi"]
    return {"kontorer": f["utvalg"]["antall_kontorer"]["verdi"], "ledere": n_ledere,
            "fd": inf["fylkesdirektor"]["verdi"], "ar": inf["assisterende_radmann"]["verdi"],
            "intervjuer": n_ledere + inf["fylkesdirektor"]["verdi"] + inf["assisterende_radmann"]["verdi"],
            "ind": len(R["indikatorer"]), "stat": len(R["statlige_indikatorer"]),
            "kom": len(R["kommunale_indikatorer"]), "oppgave_aar": f["dokumenter"]["malekort"]["aar"]}


def _per_indikator(R: dict, linje_id: str, kontor, ord: dict) -> str:
    """Who has the best value on each indicator of a line no office leads: ``' (beste verdi: kontor
    A på …, kontor B på …)'``, so the summary always says who is best, not only who is not."""
    inds = [i for i in R["indikatorer"] if i["linje"] == linje_id]
    deler = list(dict.fromkeys(ord["per"].format(kontor=kontor(i["beste"]), ind=esc(liten(i["kort"])))
                               for i in inds if i["beste"]))
    return f" ({ord['beste']}: {fmt.liste(deler, og=ord['og'])})" if deler else ""


def _resultatsetning(R: dict, kontor, linje, ord: dict) -> str:
    """The summary's sentence on who is best, in one language (``ord`` holds its words)."""
    n = len(R["statlige_indikatorer"]), len(R["kommunale_indikatorer"])
    samlet = sorted(set(R["statlig_best"]) & set(R["kommunal_best"]))
    if samlet:
        return stor(ord["alle"].format(kontor(samlet)))
    stat = stor(linje(R["statlig_best"], n[0], ord["stat"]))
    if not R["statlig_best"]:
        stat += _per_indikator(R, "stat", kontor, ord)
    if not R["statlig_best"] and not R["kommunal_best"]:
        # No leader in either line: "nor", not a contrast ("mens") between two equal findings.
        return (ord["ingen"] + stat + ". " + ord["heller"].format(ord["indikatorer"](n[1], ord["kommune"]))
                + _per_indikator(R, "kommune", kontor, ord) + ".")
    kom = linje(R["kommunal_best"], n[1], ord["kommune"], kort=True)
    if not R["kommunal_best"]:
        kom += _per_indikator(R, "kommune", kontor, ord)
    return ord["ingen"] + stat + ord["mens"] + kom + "."


# The words of the summary's sentence on who is best, per language, in the order of _ORD_NOKLER.
_ORD_NOKLER = ("alle", "ingen", "stat", "kommune", "mens", "beste", "per", "og", "heller")
_ORD = {
    "nb": ("{} ligger best an på samtlige indikatorer.", "Ingen av kontorene er best på alle indikatorene "
           "samlet. ", "statlige", "kommunale", ", mens ", "beste verdi", "{kontor} på {ind}", "og",
           "Heller ikke på {} er ett enkelt kontor best"),
    # The indicators' short names are Norwegian: in English, only who has a best value.
    "en": ("{} comes out best on every indicator.", "No office is best on all the indicators taken together. ",
           "state", "municipal", ", while ", "best values", "{kontor}", "and", "Nor is any single office best on {}"),
}


def resultatsetning_nb(R: dict) -> str:
    return _resultatsetning(R, kontor_nb, linje_nb, {**dict(zip(_ORD_NOKLER, _ORD["nb"], strict=True)),
                                                     "indikatorer": indikatorer_nb})


def _kontor_en(ks) -> str:
    return f"office {esc(ks[0])}" if len(ks) == 1 else "offices " + fmt.liste([esc(k) for k in ks], og="and")


def _indikatorer_en(n: int, linje: str) -> str:
    if n == 1:
        return f"the {linje} indicator"
    return f"both {linje} indicators" if n == 2 else f"all {en_tall(n)} {linje} indicators"


def _linje_en(best, n: int, linje: str, kort: bool = False) -> str:
    if not best:
        return f"no single office is best on {_indikatorer_en(n, linje)}"
    if kort:
        return f"{_kontor_en(best)} {'leads' if len(best) == 1 else 'lead'} on {_indikatorer_en(n, linje)}"
    return f"{_kontor_en(best)} {'has' if len(best) == 1 else 'share'} the best result on {_indikatorer_en(n, linje)}"


def resultatsetning_en(R: dict) -> str:
    return _resultatsetning(R, _kontor_en, _linje_en, {**dict(zip(_ORD_NOKLER, _ORD["en"], strict=True)),
                                                       "indikatorer": _indikatorer_en})


def aar_merknad_nb(R: dict, oppgave_aar: int) -> str:
    return "" if R["aar"] == oppgave_aar else f" Oppgaven selv bygde på tallene for {oppgave_aar}; her vises {R['aar']}."


def aar_merknad_en(R: dict, oppgave_aar: int) -> str:
    return "" if R["aar"] == oppgave_aar else (f" The thesis itself used the figures for {oppgave_aar}; this "
                                               f"edition shows {R['aar']}.")


# What the thesis concludes about H4 (systematic use of tools and results), by its category in
# hypoteser.yaml.
H4_NB = {
    "støttet": "Oppgaven finner støtte for at kontorer som bruker styringsverktøy systematisk, "
               "oppnår bedre resultater.",
    "delvis støttet": "Oppgaven finner bare delvis støtte for at systematisk bruk av "
                      "styringsverktøy gir bedre resultater.",
    "ikke tilstrekkelig grunnlag": "Fordi kontorene er få og ikke trukket tilfeldig, er "
                                   "materialet for tynt til å avgjøre om noen styringsgrep "
                                   "virker bedre enn andre.",
    "ikke støttet": "Oppgaven finner ikke støtte for at systematisk bruk av styringsverktøy "
                    "gir bedre resultater.",
}
H4_EN = {
    "støttet": "The thesis finds support for the view that offices using management tools "
               "systematically achieve better results.",
    "delvis støttet": "The thesis finds only partial support for the view that systematic use "
                      "of management tools leads to better results.",
    "ikke tilstrekkelig grunnlag": "Because the offices are few and were not randomly "
                                   "selected, the material is too thin to decide whether some "
                                   "management measures work better than others.",
    "ikke støttet": "The thesis finds no support for the view that systematic use of management "
                    "tools leads to better results.",
}


def h4_kategori(F: dict) -> str:
    return next(h for h in F["hypoteser"]["hypoteser"] if h["id"] == "H4")["vurdering"]["kategori"]


def om_utgaven(U: dict, F: dict) -> str:
    """The note at the front: who publishes the edition, what it is, and who «vi» is."""
    oppgave = F["fakta"]
    aar = oppgave["dokumenter"]["malekort"]["aar"]
    return (
        f"Denne utgaven gis ut av {esc(U['utgiver'])}. Den bygger masteroppgaven *Styring i NAV – hva gir "
        f"resultater?* opp på nytt som en datadrevet rapport: innholdet følger oppgaven kapittel for kapittel, "
        f"men teksten er skrevet på nytt med egne ord, og tallene hentes fra datafiler hver gang rapporten "
        f"bygges. Fakta, tall, tabellceller, begreper, hypoteser og kildehenvisninger er oppgavens; de fire "
        f"hypotesene står ordrett, som sitat. Intervjusitatene er ikke gjengitt.\n\n"
        f"Når teksten sier «oppgaven» eller «forfatteren», gjelder det masteroppgaven og den som skrev den. "
        f"«Vi» er utgiveren av denne utgaven, og det vi har lagt til, er merket som vårt: merknader der "
        f"oppgaven kan leses på to måter, vår lesning av hvordan oppgaven vurderer hypotesene, og vedleggene "
        f"om datagrunnlaget, om hvordan rapporten er laget og om hva seks kontorer kan vise."
        + (f" Resultattabellen i denne utgaven gjelder {U['aar']}; oppgaven bygde på tallene for {aar}."
           if U["aar"] != aar else f" Resultattabellen gjelder {aar}, samme år som i oppgaven.")
    )


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m scripts.content.forside")
    sub = p.add_subparsers(dest="cmd", required=True)
    u = sub.add_parser("utgave", help="what the note «Om denne utgaven» takes from the configuration")
    u.add_argument("--utgiver", required=True)
    u.add_argument("--aar", type=int, required=True)
    u.add_argument("--out", type=Path, required=True)
    a = p.parse_args(argv)
    if not a.utgiver.strip():
        print("forside: utgiveren er tom; forventet et navn i config/config.yaml (utgiver)", file=sys.stderr)
        return 1
    write_text(a.out, json.dumps({"utgiver": a.utgiver.strip(), "aar": a.aar}, ensure_ascii=False, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(entry(main))
