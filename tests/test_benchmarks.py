"""A benchmark reports only what it measured: the office-report benchmark's targets for 250
offices appear only when 250 offices were built (the figures here are made up)."""
import sys

from tests.conftest import ROOT

sys.path.insert(0, str(ROOT / "benchmarks"))
from bench_kontor import targets  # noqa: E402


def test_a_run_of_25_offices_claims_nothing_about_250():
    one = [{"kontorer": 25, "per_rapport_s": 0.4, "total_s": 10.0, "ingenting_aa_gjore_s": 1.1,
            "en_endret_verdi": {"kontorjobber": 1}}]
    out = targets(one)
    assert not any("250" in k for k in out)
    assert "per_rapport_forhold" not in out
    assert out == {"maal_ingenting_under_3_s (25 kontorer)": True, "maal_en_endret_alene (25 kontorer)": True}


def test_250_offices_measured_are_judged():
    runs = [{"kontorer": 25, "per_rapport_s": 0.4, "total_s": 10.0},
            {"kontorer": 250, "per_rapport_s": 0.7, "total_s": 190.0}]
    out = targets(runs)
    assert out["maal_250_under_180_s"] is False and out["maal_lineaer (≤ 1,2)"] is False
    assert out["per_rapport_forhold"] == 1.75
