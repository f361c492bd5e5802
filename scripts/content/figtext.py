"""Text about the results figure (Figur 4.1) without drawing it: best offices, values as the
table prints them, and the full alt text. Kept apart from scripts/content/figures.py so a chapter can
use it without importing matplotlib.
"""
from __future__ import annotations

from scripts.content import fmt

DIRECTION = {"hoyest_best": "høyere er bedre", "lavest_best": "lavere er bedre"}
BEST = "beste"
NEVER_GROUP = 10**9  # Tabell 4.2 prints 2841, not 2 841; the figure and its alt text follow the table


class ResultsError(ValueError):
    """The results file does not have the shape the figure needs; the message says what."""


# --------------------------------------------------------------------------- reading the results


def decimals(ind: dict) -> int:
    """Decimals for an indicator: as given, else as in its formatted values, else from the values."""
    if "desimaler" in ind:
        return int(ind["desimaler"])
    texts = list((ind.get("tekst") or {}).values())
    if texts:
        return max(len(t.partition(",")[2]) for t in texts)
    values = list(ind["verdier"].values())
    return 0 if all(float(v).is_integer() for v in values) else 1


def value_text(ind: dict, value) -> str:
    """One value of an indicator, formatted as the report prints it (decimal comma)."""
    return fmt.tall(value, decimals(ind), min_tusen=NEVER_GROUP)


def best_offices(ind: dict) -> list[str]:
    """The offices ``beste`` names for the edition year, as decided by the one best-value rule
    (:func:`scripts.analysis.compare.best_of`, written into the results file). The figure never
    compares values itself; a ``beste`` that is missing or names an office without a value is an
    error, not something to draw."""
    best = ind.get("beste")
    if not best:
        raise ResultsError(f"indikator {ind['id']}: «beste» mangler eller er tom; forventet kontorene "
                           "med beste verdi fra resultatfilen")
    unknown = sorted(set(best) - set(ind["verdier"]))
    if unknown:
        raise ResultsError(f"indikator {ind['id']}: «beste» nevner {unknown}, som ikke har noen verdi; "
                           f"forventet noen av {sorted(ind['verdier'])}")
    return sorted(best)


def offices(results: dict) -> list[str]:
    if results.get("kontorer"):
        return list(results["kontorer"])
    return sorted({k for ind in results["indikatorer"] for k in ind["verdier"]})


def years(results: dict) -> list[int]:
    return sorted(set(results.get("aar_serie") or []) | {int(results["aar"])})


def series(results: dict, ind: dict) -> dict[str, list[tuple[int, float]]]:
    """Office -> [(year, value)] for one indicator; the edition year comes from ``verdier``."""
    out: dict[str, dict[int, float]] = {k: {} for k in offices(results)}
    for rec in results.get("tidsserie") or []:
        if rec["indikator_id"] == ind["id"] and rec["kontor"] in out:
            out[rec["kontor"]][int(rec["aar"])] = float(rec["verdi"])
    for k, v in ind["verdier"].items():
        out.setdefault(k, {})[int(results["aar"])] = float(v)
    return {k: sorted(v.items()) for k, v in out.items()}


def alt_text(results: dict) -> str:
    """A full Norwegian description of the figure, every value included, for screen readers."""
    inds = results["indikatorer"]
    names = offices(results)
    yrs = years(results)
    year = int(results["aar"])
    n = fmt.ord_tall(len(inds))
    office_list = fmt.liste(names)
    if len(yrs) == 1:
        parts = [f"Figuren viser {n} resultatindikatorer for kontorene {office_list} i {year}, med ett "
                 f"stolpediagram per indikator. Beste kontor er markert med farge og ordet «{BEST}»."]
    else:
        parts = [f"Figuren viser {n} resultatindikatorer for kontorene {office_list} i årene "
                 f"{fmt.liste([str(y) for y in yrs])}, med ett linjediagram per indikator og én linje per "
                 f"kontor. Beste kontor i {year} er markert med farge, tykkere linje og ordet «{BEST}»."]
    for ind in inds:
        best = best_offices(ind)
        unit = ind.get("enhet", "")
        head = f"{ind['etikett']} ({unit}, {DIRECTION[ind['retning']]})"
        if len(yrs) == 1:
            values = fmt.liste([f"kontor {k} {value_text(ind, ind['verdier'][k])}" for k in names
                                if k in ind["verdier"]])
        else:
            data = series(results, ind)
            values = "; ".join(f"kontor {k}: " + ", ".join(f"{y} {value_text(ind, v)}" for y, v in data[k])
                               for k in names if data.get(k))
        best_text = fmt.liste([f"kontor {k}" for k in best])
        best_value = value_text(ind, ind["verdier"][best[0]])
        verb = "er" if len(best) == 1 else "er delt mellom"
        parts.append(f"{head}: {values}. Best i {year} {verb} {best_text} med {best_value}.")
        for b in (results.get("serieskifter") or {}).get(ind["id"], []) if len(yrs) > 1 else []:
            parts.append(f"Prikket linje før {b['aar']}: serieskifte{tabellskifte(b)} ({b['grunn']}).")
        for ref in (results.get("referanser") or {}).get(ind["id"], []):
            parts.append(f"Stiplet referanselinje: {ref['etikett']} {value_text(ind, ref['verdi'])} "
                         f"({ref['definisjon']}).")
    return " ".join(parts)


def tabellskifte(brudd: dict) -> str:
    """``' fra tabell 04906 til 12210'`` when the break is a change of SSB table, else ``''``."""
    old_new = brudd.get("tabeller")
    return f" fra tabell {old_new[0]} til {old_new[1]}" if old_new else ""
