"""Series breaks from the KOSTRA catalogue reach the results, the time-series figure and its
alt text. Values are made up (oppdiktede testdata)."""
from scripts.analysis.kostra_compare import series_breaks
from scripts.content.diagrams import svg_bytes
from scripts.content.figtext import alt_text
from scripts.content.figures import draw_results

CATALOGUE = {"indicators": [{"id": "y", "breaks": [{"year": 2017, "reason_nb": "Ny tabell  (oppdiktet)."}]},
                            {"id": "x"}]}


def test_only_breaks_inside_the_years_shown_are_kept():
    assert series_breaks(CATALOGUE, [2014, 2015]) == {}
    assert series_breaks(CATALOGUE, [2014, 2017]) == {"y": [{"aar": 2017, "grunn": "Ny tabell (oppdiktet)."}]}
    assert series_breaks(CATALOGUE, [2017, 2018]) == {}  # the break is before the first year shown


def results(breaks):
    vals = {2016: {"A": 2841.0, "B": 1782.0}, 2017: {"A": 2600.0, "B": 1800.0}}
    ind = {"id": "y", "etikett": "Utgifter", "kort": "Utgifter", "enhet": "kroner", "retning": "lavest_best",
           "desimaler": 0, "linje": "kommune", "verdier": vals[2017], "beste": ["B"]}
    return {"aar": 2017, "aar_serie": [2016, 2017], "kontorer": ["A", "B"], "indikatorer": [ind],
            "tidsserie": [{"aar": a, "kontor": k, "indikator_id": "y", "verdi": v}
                          for a, by in vals.items() for k, v in by.items()],
            "serieskifter": breaks}


def test_figure_draws_the_break_as_a_named_line():
    svg = svg_bytes(draw_results(results({"y": [{"aar": 2017, "grunn": "Ny tabell."}]}))).decode("utf-8")
    assert 'id="brudd:y:2017"' in svg and "brudd" in svg
    plain = svg_bytes(draw_results(results({}))).decode("utf-8")
    assert "brudd:y" not in plain


def test_alt_text_names_the_break():
    text = alt_text(results({"y": [{"aar": 2017, "grunn": "Ny tabell."}]}))
    assert "Prikket linje før 2017: brudd i serien (Ny tabell.)." in text
    assert "brudd" not in alt_text(results({}))
