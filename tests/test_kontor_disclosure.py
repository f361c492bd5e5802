"""The office reports' disclosure rule, attacked: given every office's values (the attacker's
view, as public KOSTRA figures are), nothing a report prints may be matched to another office.

Property-based over generated offices whose values are drawn from a narrow range, so that
quartiles and medians often fall on an office's value. Every office identifier (K01 …) and
value here is made up (oppdiktede testdata).
"""
from __future__ import annotations

import datetime as dt
import re

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from scripts.analysis import kontor
from scripts.content import fmt
from scripts.content import kontor as report
from scripts.data.offices import load_indicators

INDICATORS = load_indicators()
DATE = dt.date(2015, 4, 30)
# A number with its unit, as the reports print values: "52 %", "3,6 %", "2841 kr", "12 841 kr".
PRINTED = re.compile(r"(?<![\d,])(\d{1,3}(?:\u00a0\d{3})+|\d+)(?:,(\d+))?\u00a0(%|kr)")


def tables_for(values: dict, years: list[int], k: int = kontor.MIN_GROUP) -> dict:
    """The shared tables for offices with ``values[(office, year, indicator)]``, all offices one group."""
    offices = sorted({o for o, _y, _i in values})
    df = pd.DataFrame([{"kontor": o, "aar": y, "indikator_id": i, "verdi": float(v)} for (o, y, i), v in values.items()])
    t = kontor.comparisons(df, offices, [], INDICATORS, years, k)
    for o in offices:
        t["kontorer"][o]["kostragruppe"] = None
    return {"aar": years[-1], "aar_serie": years, "min_gruppe": k, "oppdiktet": True,
            "inndeling": {"valgt": "alle", "merknad": None}, "grupper": {}, "antall_kontorer": len(offices),
            "indikatorer": [dict(i) for i in INDICATORS], "kilder": {"malekort_aar": years, "kostra_kilde": []},
            "referanser": {}, **t}


def printed_numbers(text: str) -> set[str]:
    return {f"{m.group(1)}{',' + m.group(2) if m.group(2) else ''}\u00a0{m.group(3)}" for m in PRINTED.finditer(text)}


def everything_printed(tables: dict, office: str) -> str:
    v = report.view(tables, office)
    return "\n".join([report.markdown(v, "f.svg", DATE), report.band_svg(v), report.alt_text(v)])


def allowed(tables: dict, office: str) -> set[str]:
    """What an office's report may print with a unit: its own values, changes and distances, and
    the aggregates the tables mark as shown."""
    out = set()
    v = report.view(tables, office)
    for r in v["rader"]:
        ind = r["ind"]
        for p in r["aar"]:
            out.add(report.value(ind, p["verdi"]))
            out |= printed_numbers(p["endring"])
            for key in ("alle", "gruppe"):
                agg = p[key]
                if agg:
                    out |= {report.value(ind, agg[x]) for x in ("q1", "median", "q3") if agg["vis"][x]}
                    out |= printed_numbers(report.gap(ind, p["verdi"], agg))
    return out


offices_values = st.integers(5, 9).flatmap(lambda n: st.tuples(
    st.just(n),
    st.lists(st.integers(40, 46), min_size=n, max_size=n),       # a share in per cent, whole numbers
    st.lists(st.integers(28, 34), min_size=n, max_size=n),
    st.lists(st.integers(25, 35), min_size=n, max_size=n),       # a share with one decimal (tenths)
    st.lists(st.integers(2400, 2410), min_size=n, max_size=n),   # kroner
    st.booleans()))


def make_values(n, arb, ned, sos, netto, two_years):
    ids = [i["id"] for i in INDICATORS]
    years = [2013, 2014] if two_years else [2014]
    values = {}
    for y in years:
        shift = 0 if y == 2014 else 1
        for j, o in enumerate(f"K{i:02d}" for i in range(1, n + 1)):
            for ind_id, series in zip(ids, (arb, ned, [x / 10 for x in sos], netto), strict=True):
                values[(o, y, ind_id)] = series[(j + shift) % n]
    return values, years


@settings(max_examples=60, deadline=None)
@given(offices_values)
def test_no_printed_aggregate_equals_an_office_value_of_its_indicator(case):
    values, years = make_values(*case)
    t = tables_for(values, years)
    for ind in INDICATORS:
        for y in map(str, years):
            for agg in t["fordeling"][ind["id"]].get(y, {}).values():
                printed = {fmt.tall(v, ind["desimaler"]) for (o, yy, i), v in values.items()
                           if i == ind["id"] and str(yy) == y}
                for name in ("q1", "median", "q3"):
                    if agg["vis"][name]:
                        assert fmt.tall(agg[name], ind["desimaler"]) not in printed


@settings(max_examples=40, deadline=None)
@given(offices_values)
def test_a_report_prints_no_number_but_its_own_and_the_shown_aggregates(case):
    """Every number with a unit in the text, the figure and its alt text is one the rule allows;
    so no other office's value is printed, unless it is the same as something the report may show."""
    values, years = make_values(*case)
    t = tables_for(values, years)
    for office in t["kontorer"]:
        text = everything_printed(t, office)
        assert printed_numbers(text) <= allowed(t, office), office
        assert not re.search(r"\b\d+ av \d+\b|★|beste verdi\)", text)  # no rank, no best-value mark
        others = set(re.findall(r"K\d{2}", text)) - {office}
        assert others == set()


def test_a_group_below_k_shows_no_figures_and_says_why():
    values = {(f"K{j}", 2014, i["id"]): 40 + j for j in range(4) for i in INDICATORS}
    t = tables_for(values, [2014])
    text = everything_printed(t, "K0")
    assert "færre enn fem kontorer" in text and "Sammenliknet med andre kontorer" not in text
    assert printed_numbers(text) <= {report.value(i, 40) for i in INDICATORS}
