"""Exact permutation tests: what six offices can show about tools and results.

The codebook (``data/thesis/kodebok.yaml``) turns each cell of Tabell 4.1 into a code per
office; Tabell 4.2 gives four result indicators per office. For every coding (the main one
and each alternative) and every indicator this module computes, by enumerating every
possible assignment of the codes to the offices:

- the exact permutation distribution of the test statistic (all 6! = 720 orderings for a
  ranked code; all C(6, k) splits, 20 for 3 against 3, 15 for 2 against 4, for a yes/no code),
- the observed statistic, the exact two-sided p-value and an effect size on a −1…+1 scale,
- the smallest p-value the design could ever give (untied results, once per coding) and the
  smallest these results could give (their ties included).

Statistics are rank based, because six values say little about distances:

- yes/no code: the Mann–Whitney count U of (yes-office, no-office) pairs where the yes-office
  has the better result (a tie counts one half); effect size the rank-biserial correlation
  ``2U / (n1·n2) − 1``;
- ranked code: Spearman's rho between the code and the result, ties given average ranks.

"Better" comes from the indicator's direction through :func:`scripts.analysis.compare.ranks`
(rank 1 = best), so a positive effect always means: more of the tool goes with better results.
Two-sided p-values double the smaller one-sided tail (capped at 1), the convention of scipy's
``permutation_test`` and ``mannwhitneyu``; every p-value is checked against scipy's exact
``permutation_test`` at build time, so a disagreement stops the build instead of reaching text.

Statistics are compared as integers (twice the ranks), so "at least as extreme" is exact,
never a floating-point accident.

``python -m scripts.analysis.exact --offices A B C D E F --out build/results/eksakt.json``
"""
from __future__ import annotations

import argparse
import itertools
import json
import math
import sys
from fractions import Fraction
from pathlib import Path

import jsonschema
import numpy as np
import pandas as pd
import yaml
from scipy import stats

from scripts import paths
from scripts.analysis.compare import ranks
from scripts.atomic import write_text
from scripts.cli import entry, run_step
from scripts.data.offices import DataError, load_indicators, read_yaml

ALPHA = 0.05  # the conventional level the prose compares with; a reference line, not a verdict
POWER = 0.8   # the conventional power for "how many offices would it take"
# Correlations for "how many offices would it take": Cohen's medium (0.3) and large (0.5), and a
# very strong 0.7. Illustrations of the design, not estimates from these data.
EFFECTS = (0.3, 0.5, 0.7)


class KodebokError(DataError):
    """The codebook is malformed; the message (in Norwegian) names file, field, value, expectation."""


# --------------------------------------------------------------------------- codebook

_TYPE_NB = {"object": "en tabell av felt", "array": "en liste", "string": "tekst", "integer": "et heltall",
            "number": "et tall", "boolean": "ja/nei (true/false)", "null": "tom verdi"}


def _field(path) -> str:
    return "/".join(str(p) for p in path) or "(rot)"


def schema_message(error: jsonschema.ValidationError) -> str:
    """One schema error as a Norwegian sentence: field, value and what was expected."""
    v, val, inst = error.validator, error.validator_value, error.instance
    field = _field(error.absolute_path)
    if "propertyNames" in error.schema_path:  # jsonschema reports the failing key's own check (a pattern)
        return f"felt «{field}»: ugyldig kontornavn {inst!r}, forventet én stor bokstav (A–F)"
    if v == "required":
        missing = [k for k in val if not isinstance(inst, dict) or k not in inst]
        return f"felt «{field}»: mangler {', '.join(f'«{k}»' for k in missing)} (påkrevd: {', '.join(val)})"
    if v == "additionalProperties":
        allowed = sorted(error.schema.get("properties", {}))
        extra = sorted(set(inst) - set(allowed)) if isinstance(inst, dict) else []
        wanted = f"tillatt: {', '.join(allowed)}" if allowed else "forventet et heltall per kontor"
        return f"felt «{field}»: ukjent felt {', '.join(f'«{k}»' for k in extra)} ({wanted})"
    if v == "type":
        wanted = " eller ".join(_TYPE_NB.get(t, t) for t in ([val] if isinstance(val, str) else val))
        return f"felt «{field}»: verdien {inst!r} har feil type, forventet {wanted}"
    if v == "enum":
        return f"felt «{field}»: verdien {inst!r} er ikke tillatt, forventet en av {', '.join(map(str, val))}"
    if v == "const":
        return f"felt «{field}»: verdien {inst!r}, forventet {val!r}"
    if v == "pattern":
        return f"felt «{field}»: verdien {inst!r} har feil form, forventet mønsteret {val}"
    if v in ("minimum", "maximum"):
        word = "minst" if v == "minimum" else "høyst"
        return f"felt «{field}»: verdien {inst!r}, forventet {word} {val}"
    if v in ("minItems", "minLength", "minProperties"):
        what = {"minItems": "elementer", "minLength": "tegn", "minProperties": "felt"}[v]
        return f"felt «{field}»: verdien {inst!r} er for kort, forventet minst {val} {what}"
    return f"felt «{field}»: ugyldig verdi {inst!r} ({error.message})"


def load_codebook(path: Path = paths.KODEBOK, schema_path: Path = paths.KODEBOK_SCHEMA,
                  offices: list[str] | None = None,
                  tools_spec: Path = paths.THESIS / "verktoy.yaml") -> dict:
    """Read and validate the codebook; every error names the file, the field and the value.

    Beyond the schema: ids are unique, every office is coded exactly once (and nothing else),
    each value is one of the code's levels, a yes/no code has the levels 0 and 1, each office
    has its basis in the thesis, and the tool exists in Tabell 4.1.
    """
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise KodebokError(f"{path}: fila finnes ikke") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" på linje {mark.line + 1}" if mark is not None else ""
        raise KodebokError(f"{path}: YAML-feil{where}: {getattr(exc, 'problem', None) or exc}") from exc
    schema = read_yaml(Path(schema_path))
    errors = sorted(jsonschema.Draft202012Validator(schema).iter_errors(data), key=lambda e: [str(p) for p in e.absolute_path])
    if errors:
        shown = "; ".join(schema_message(e) for e in errors[:5])
        more = f" (og {len(errors) - 5} feil til)" if len(errors) > 5 else ""
        raise KodebokError(f"{path}: {shown}{more}")
    offices = list(offices) if offices is not None else sorted({k for c in data["koder"] for k in c["verdier"]})
    tools = {c["id"] for c in read_yaml(Path(tools_spec))["kolonner"]}
    seen: set[str] = set()
    for i, code in enumerate(data["koder"]):
        field = f"koder/{i} ({code['id']})"
        if code["verktoy_id"] not in tools:
            raise KodebokError(f"{path}: felt «{field}/verktoy_id»: verdien {code['verktoy_id']!r} finnes ikke i "
                               f"tabell 4.1, forventet en av {', '.join(sorted(tools))}")
        based = [g["kontor"] for g in code["grunnlag"]]
        if sorted(based) != sorted(offices):
            raise KodebokError(f"{path}: felt «{field}/grunnlag»: kontorene {', '.join(based)}, forventet hvert av "
                               f"{', '.join(offices)} nøyaktig én gang")
        for j, coding in enumerate([code, *code.get("alternativer", [])]):
            where = field if j == 0 else f"{field}/alternativer/{j - 1} ({coding['id']})"
            _check_coding(coding, path, where, offices, seen)
    return data


def _check_coding(coding: dict, path: Path, field: str, offices: list[str], seen: set[str]) -> None:
    def fail(sub: str, text: str):
        raise KodebokError(f"{path}: felt «{field}/{sub}»: {text}")

    if coding["id"] in seen:
        fail("id", f"verdien {coding['id']!r} er brukt før, forventet en unik id")
    seen.add(coding["id"])
    levels = [n["verdi"] for n in coding["nivaer"]]
    if len(set(levels)) != len(levels):
        fail("nivaer", f"verdiene {levels} gjentas, forventet hver verdi én gang")
    if coding["type"] == "ja_nei" and sorted(levels) != [0, 1]:
        fail("nivaer", f"verdiene {levels}, forventet nøyaktig 0 og 1 for type ja_nei")
    values = coding["verdier"]
    if sorted(values) != sorted(offices):
        fail("verdier", f"kontorene {', '.join(sorted(values))}, forventet {', '.join(offices)}")
    for office, value in values.items():
        if value not in levels:
            fail(f"verdier/{office}", f"verdien {value!r}, forventet en av {levels}")


def codings(codebook: dict) -> list[dict]:
    """Every coding to test, main codes first, each alternative after its main code."""
    out = []
    for code in codebook["koder"]:
        for j, c in enumerate([code, *code.get("alternativer", [])]):
            out.append({"id": c["id"], "kode_id": code["id"], "hoved": j == 0, "verktoy_id": code["verktoy_id"],
                        "navn": c["navn"], "kode_navn": code["navn"], "type": c["type"], "nivaer": c["nivaer"],
                        "regel": c["regel"], "verdier": c["verdier"], "begrunnelse": c.get("begrunnelse", ""),
                        "sider": c.get("sider") or sorted({g["side"] for g in code["grunnlag"]})})
    return out


# --------------------------------------------------------------------------- exact tests


def twice_ranks(values: list[float]) -> list[int]:
    """Average ranks (1 = smallest) times two, so ties stay integers: [5, 3, 3] -> [6, 3, 3]."""
    order = sorted(values)
    out = []
    for v in values:
        first = order.index(v) + 1
        last = first + order.count(v) - 1
        out.append(first + last)
    return out


def _pairs_better_twice(yes: list[float], no: list[float]) -> int:
    """2·U: pairs where the yes-value is larger count 2, ties count 1."""
    return sum(2 if a > b else 1 if a == b else 0 for a in yes for b in no)


def split_distribution(groups: list[int], scores: list[float]) -> tuple[int, list[int]]:
    """(observed 2U, 2U for every way of giving the yes-code to as many offices as now)."""
    n, k = len(groups), sum(groups)
    observed = _pairs_better_twice([s for g, s in zip(groups, scores, strict=True) if g],
                                   [s for g, s in zip(groups, scores, strict=True) if not g])
    dist = []
    for yes in itertools.combinations(range(n), k):
        chosen = set(yes)
        dist.append(_pairs_better_twice([scores[i] for i in chosen], [scores[i] for i in range(n) if i not in chosen]))
    return observed, dist


def rank_distribution(code: list[int], scores: list[float]) -> tuple[int, list[int]]:
    """(observed Σ rank·rank, the same sum for every one of the n! orderings of the results).

    Spearman's rho is a fixed increasing function of this sum (the means and spreads of the two
    rank vectors do not change under permutation), so the sum orders the orderings exactly.
    """
    a, b = twice_ranks(code), twice_ranks(scores)
    observed = sum(x * y for x, y in zip(a, b, strict=True))
    return observed, [sum(x * y for x, y in zip(a, perm, strict=True)) for perm in itertools.permutations(b)]


def spearman_from_sum(total: int, code: list[int], scores: list[float]) -> float:
    """Spearman's rho (Pearson on average ranks) from the integer sum of twice-ranks."""
    a, b = twice_ranks(code), twice_ranks(scores)
    n = len(a)
    cov = total - sum(a) * sum(b) / n
    sa = sum(x * x for x in a) - sum(a) ** 2 / n
    sb = sum(x * x for x in b) - sum(b) ** 2 / n
    return cov / math.sqrt(sa * sb)


def p_values(observed: int, dist: list[int]) -> dict:
    """Exact tail counts and p-values; two-sided = 2 × the smaller tail, at most 1."""
    n = len(dist)
    upper = sum(d >= observed for d in dist)
    lower = sum(d <= observed for d in dist)
    return {"antall": n, "over": upper, "under": lower,
            "p_over": upper / n, "p_under": lower / n, "p": min(1.0, 2 * min(upper, lower) / n),
            "p_brok": str(min(Fraction(1), Fraction(2 * min(upper, lower), n)))}


def smallest_p(dist: list[int]) -> float:
    """The smallest two-sided p any assignment could give, with these results."""
    return min(p_values(v, dist)["p"] for v in set(dist))


def design_smallest_p(coding_values: list[int], kind: str) -> float:
    """The smallest two-sided p this code's split or levels could ever give (untied results)."""
    untied = list(range(1, len(coding_values) + 1))
    if kind == "ja_nei":
        _, dist = split_distribution(coding_values, untied)
    else:
        _, dist = rank_distribution(coding_values, untied)
    return smallest_p(dist)


def scipy_p(coding_values: list[int], scores: list[float], kind: str) -> float:
    """The same two-sided p from scipy's exact ``permutation_test`` (every assignment enumerated)."""
    x = np.asarray(coding_values)
    s = np.asarray(scores, dtype=float)
    # "pairings" with the codes as the only sample permutes them over the offices, which keep
    # their results: all n! orderings (scipy permutes every sample given, so the results stay
    # out of ``data``). For a yes/no code each split then appears k!(n-k)! times, so the p-value
    # is the one over the C(n, k) splits; scipy's "independent" type refuses a group of one.
    # Vectorised statistics (one row per assignment): scipy then evaluates all n! orderings in a
    # few array operations instead of one Python call each.
    if kind == "ja_nei":
        better = np.sign(s[:, None] - s[None, :])

        def statistic(c, axis=-1):
            c = np.moveaxis(c, axis, -1)
            return np.einsum("...i,ij,...j->...", c == 1, better, c == 0)
    else:
        rs = stats.rankdata(s)
        rs = rs - rs.mean()

        def statistic(c, axis=-1):
            rc = stats.rankdata(np.moveaxis(c, axis, -1), axis=-1)
            rc = rc - rc.mean(axis=-1, keepdims=True)
            return (rc @ rs) / np.sqrt((rc ** 2).sum(axis=-1) * (rs ** 2).sum())
    res = stats.permutation_test((x,), statistic, permutation_type="pairings", n_resamples=np.inf,
                                 alternative="two-sided", vectorized=True)
    return float(res.pvalue)


def exact_test(coding_values: list[int], scores: list[float], kind: str) -> dict:
    """The full exact test of one code against one indicator (scores: higher = better).

    A code that gives every office the same value, or an indicator on which all offices are equal,
    cannot be tested: ``testbar`` is False and ``grunn`` says why.
    """
    if len(set(coding_values)) < 2:
        return {"testbar": False, "grunn": "alle kontorene har samme kode"}
    if len(set(scores)) < 2:
        return {"testbar": False, "grunn": "alle kontorene har samme resultat"}
    if kind == "ja_nei":
        observed, dist = split_distribution(coding_values, scores)
        n1 = sum(coding_values)
        pairs = n1 * (len(coding_values) - n1)
        effect = (observed - pairs) / pairs  # rank-biserial: (2U - n1 n2) / (n1 n2)
        effects = [(d - pairs) / pairs for d in dist]
        statistic = "U"
        stat_value = observed / 2
    else:
        observed, dist = rank_distribution(coding_values, scores)
        effect = spearman_from_sum(observed, coding_values, scores)
        # One correlation per distinct rank sum (720 orderings give few distinct sums).
        rho = {d: spearman_from_sum(d, coding_values, scores) for d in set(dist)}
        effects = [rho[d] for d in dist]
        statistic = "rho"
        stat_value = effect
    pv = p_values(observed, dist)
    # Chance of a p-value below ALPHA if the codes had nothing to do with the results: the share
    # of assignments whose own p is below it (0 when the split can never get there).
    p_of = {v: p_values(v, dist)["p"] for v in set(dist)}
    hits = sum(p_of[d] < ALPHA for d in dist) / len(dist)
    tail = pv["over"] if pv["over"] <= pv["under"] else pv["under"]
    counts: dict[float, int] = {}
    for e in effects:
        key = round(e, 10)
        counts[key] = counts.get(key, 0) + 1
    return {
        "testbar": True, "statistikk": statistic, "observert": stat_value, "effekt": effect, **pv,
        "sjanse_under_alpha": hits, "hale": tail, "hale_retning": "over" if pv["over"] <= pv["under"] else "under",
        "minste_p_data": min(p_of.values()),
        "fordeling": sorted([k, v] for k, v in counts.items()),
    }


# --------------------------------------------------------------------------- design


def offices_for_perfect(alpha: float = ALPHA, kind: str = "rang") -> int:
    """Fewest offices at which a perfect pattern can give a two-sided p below ``alpha``:
    a perfect ranking (p = 2/n!) or a perfect even yes/no split (p = 2/C(n, n//2))."""
    n = 2
    while True:
        count = math.factorial(n) if kind == "rang" else math.comb(n, n // 2)
        if 2 / count < alpha:
            return n
        n += 1


def offices_needed(rho: float, alpha: float = ALPHA, power: float = POWER) -> int:
    """Offices needed to detect a true correlation ``rho`` with the given power (two-sided),
    by Fisher's z approximation: n = ((z_{1-α/2} + z_{power}) / atanh(rho))² + 3."""
    z = stats.norm.ppf(1 - alpha / 2) + stats.norm.ppf(power)
    return math.ceil((z / math.atanh(rho)) ** 2 + 3)


# --------------------------------------------------------------------------- results


def goodness(table: pd.DataFrame, indicator: dict) -> dict[str, float]:
    """Office -> score where higher is better, from compare.ranks (rank 1 = best)."""
    return {k: -float(r) for k, r in ranks(table, indicator).items()}


def thesis_results(csv: Path, year: int, offices: list[str]) -> pd.DataFrame:
    """Tabell 4.2 for ``year`` (kontor, indikator_id, verdi), every office present."""
    df = pd.read_csv(csv)
    df = df[(df["aar"] == year) & df["kontor"].isin(offices)]
    if df.empty:
        raise DataError(f"{csv}: ingen verdier for {year}, forventet tabell 4.2 for kontorene {', '.join(offices)}")
    return df


def build(offices: list[str], codebook_path: Path = paths.KODEBOK, schema_path: Path = paths.KODEBOK_SCHEMA,
          table_csv: Path = paths.THESIS / "tabell_4_2.csv",
          indicators_path: Path = paths.THESIS / "indikatorer.yaml", tools_spec: Path = paths.THESIS / "verktoy.yaml",
          check_scipy: bool = True) -> dict:
    """Every coding × indicator tested exactly, plus what the design allows; for eksakt.json."""
    book = load_codebook(codebook_path, schema_path, offices, tools_spec)
    year = book["resultattabell"]["aar"]
    table = thesis_results(table_csv, year, offices)
    indicators = load_indicators(indicators_path)
    cods = codings(book)
    scores = {ind["id"]: [goodness(table, ind)[k] for k in offices] for ind in indicators}
    tests = []
    for c in cods:
        values = [c["verdier"][k] for k in offices]
        c["deling"] = _split_text(c)
        c["minste_p_design"] = design_smallest_p(values, c["type"]) if len(set(values)) > 1 else None
        for ind in indicators:
            res = exact_test(values, scores[ind["id"]], c["type"])
            if res["testbar"] and check_scipy:
                sp = scipy_p(values, scores[ind["id"]], c["type"])
                if not math.isclose(sp, res["p"], rel_tol=1e-9, abs_tol=1e-12):
                    raise DataError(f"{c['id']} × {ind['id']}: opptellingen gir p = {res['p']}, "
                                    f"scipy gir {sp}; ingen resultater skrevet")
                res["p_scipy"] = sp
            vals = table[table["indikator_id"] == ind["id"]].set_index("kontor")["verdi"]
            res.update({"koding": c["id"], "hoved": c["hoved"], "indikator": ind["id"],
                        "verdier": {k: float(vals[k]) for k in offices}, "rang": ranks(table, ind)})
            tests.append(res)
    testable = [t for t in tests if t["hoved"] and t["testbar"]]
    every = [t for t in tests if t["testbar"]]
    strongest = min(testable, key=lambda t: (t["p"], -abs(t["effekt"]))) if testable else None
    n = len(offices)
    return {
        "aar": year, "kontorer": offices, "n_kontorer": n, "alpha": ALPHA, "styrke": POWER,
        "indikatorer": [{k: i[k] for k in ("id", "etikett", "kort", "enhet", "retning", "linje", "desimaler")}
                        for i in indicators],
        "verktoy": {c["id"]: c["etikett"] for c in read_yaml(tools_spec)["kolonner"]},
        "kodinger": cods,
        "tester": tests,
        "oppsummering": {
            "hoved_antall": len(testable), "hoved_under_alpha": sum(t["p"] < ALPHA for t in testable),
            "hoved_minste_p": min((t["p"] for t in testable), default=None),
            "alle_antall": len(every), "alle_under_alpha": sum(t["p"] < ALPHA for t in every),
            "alle_minste_p": min((t["p"] for t in every), default=None),
            "ikke_testbare": sorted({t["koding"] for t in tests if not t["testbar"]}),
            "forventet_under_alpha_hoved": sum(t["sjanse_under_alpha"] for t in testable),
            "forventet_under_alpha_alle": sum(t["sjanse_under_alpha"] for t in every),
        },
        "sterkest": {"koding": strongest["koding"], "indikator": strongest["indikator"]} if strongest else None,
        "design": {
            "rekkefolger": math.factorial(n), "perfekt_rang_p": 2 / math.factorial(n),
            "jevn_deling": math.comb(n, n // 2), "jevn_deling_min_p": min(1.0, 2 / math.comb(n, n // 2)),
            "kontorer_perfekt_rang": offices_for_perfect(ALPHA, "rang"),
            "kontorer_perfekt_deling": offices_for_perfect(ALPHA, "ja_nei"),
        },
        "behov": [{"rho": r, "kontorer": offices_needed(r)} for r in EFFECTS],
    }


def _split_text(c: dict) -> str:
    """'2 mot 4' for a yes/no code, the group sizes per level ('2–3–1') for a ranked code."""
    vals = list(c["verdier"].values())
    if c["type"] == "ja_nei":
        return f"{vals.count(1)} mot {vals.count(0)}"
    return "–".join(str(vals.count(n["verdi"])) for n in sorted(c["nivaer"], key=lambda n: n["verdi"]))


def main(argv: list[str] | None = None) -> int:
    """CLI used by the Snakemake rule ``exact``."""
    p = argparse.ArgumentParser(prog="python -m scripts.analysis.exact", description=__doc__.splitlines()[0])
    p.add_argument("--offices", nargs="+", required=True)
    p.add_argument("--codebook", type=Path, default=paths.KODEBOK)
    p.add_argument("--out", type=Path, required=True)
    a = p.parse_args(argv)

    def write() -> list[Path]:
        data = build(a.offices, a.codebook)
        write_text(a.out, json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True))
        return [a.out]

    return run_step("exact", write, (DataError, FileNotFoundError))

if __name__ == "__main__":
    sys.exit(entry(main))
