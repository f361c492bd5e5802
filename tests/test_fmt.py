"""The Norwegian number formatter, with property-based tests (hypothesis)."""
import datetime as dt
import re
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from scripts.content.fmt import NBSP, dato, liste, ord_tall, prosent, spenn, tall


def parse_back(text: str) -> Decimal:
    return Decimal(text.replace(NBSP, "").replace("\u2212", "-").replace(",", "."))


def test_examples_from_the_thesis():
    assert tall(2841) == "2841"
    assert tall(3.6, 1) == "3,6"
    assert tall(3.0, 1) == "3,0"
    assert tall(285000) == f"285{NBSP}000"
    assert prosent(14) == f"14{NBSP}%"
    assert dato(dt.date(2015, 3, 15)) == "15.03.2015"
    assert dato("2014-10-27") == "27.10.2014"
    assert spenn(70, 160) == "70–160"
    assert liste(["A", "B", "C"]) == "A, B og C"
    assert liste(["A"]) == "A"
    assert ord_tall(6) == "seks" and ord_tall(1, intetkjonn=True) == "ett" and ord_tall(40) == "40"


def test_rounds_half_up_not_to_even():
    assert tall(2.5) == "3" and tall(0.125, 2) == "0,13" and tall(-2.5) == "\u22123"


def test_missing_is_a_dash():
    assert tall(None) == "–" and tall(float("nan")) == "–"


@given(st.decimals(min_value=-10**9, max_value=10**9, allow_nan=False, places=3), st.integers(0, 3))
def test_round_trip_and_shape(value, places):
    text = tall(value, places)
    assert re.fullmatch(rf"\u2212?\d{{1,3}}(({NBSP}\d{{3}})*|\d*)(,\d{{{places}}})?", text), text
    back = parse_back(text)
    assert abs(back - value) <= Decimal(1).scaleb(-places) / 2
    if places:
        assert text.split(",")[1].__len__() == places
    assert "." not in text


@given(st.integers(min_value=10_000, max_value=10**12))
def test_thousands_are_grouped_by_three(n):
    groups = tall(n).split(NBSP)
    assert all(len(g) == 3 for g in groups[1:]) and 1 <= len(groups[0]) <= 3


@given(st.integers(min_value=0, max_value=9_999))
def test_four_digit_numbers_are_not_grouped(n):
    assert NBSP not in tall(n)


def test_a_value_that_rounds_to_zero_never_prints_a_minus_sign():
    assert tall(-0.4) == "0"
    assert tall(-0.0) == "0"
    assert tall(-0.04, 1) == "0,0"
    assert tall(-0.004, 2) == "0,00"


def test_negative_values_that_do_not_round_to_zero_keep_the_typographic_minus():
    assert tall(-0.5) == "\u22121"
    assert tall(-0.05, 1) == "\u22120,1"
    assert tall(-28410) == f"\u221228{NBSP}410"
