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
    assert 'id="brudd:y:2017"' in svg and "serieskifte" in svg
    plain = svg_bytes(draw_results(results({}))).decode("utf-8")
    assert "brudd:y" not in plain and "serieskifte" not in plain


def test_alt_text_names_the_break_and_the_tables_on_either_side():
    text = alt_text(results({"y": [{"aar": 2017, "grunn": "Ny tabell.", "tabeller": ["77776", "77777"]}]}))
    assert "Prikket linje før 2017: serieskifte fra tabell 77776 til 77777 (Ny tabell.)." in text
    assert "serieskifte" not in alt_text(results({}))


def test_a_change_of_table_in_the_catalogue_is_a_break_named_by_its_tables():
    catalogue = {"indicators": [{"id": "y", "tables": [
        {"table": "77776", "years": {"from": 1999, "to": 2014}},
        {"table": "77777", "years": {"from": 2015, "to": 2021}, "change_nb": "Ny  struktur (oppdiktet)."},
        {"table": "77778", "years": {"from": 2022}, "change_nb": "Nye tabeller (oppdiktet)."}]}]}
    assert series_breaks(catalogue, [2014, 2022]) == {"y": [
        {"aar": 2015, "grunn": "Ny struktur (oppdiktet).", "tabeller": ["77776", "77777"]},
        {"aar": 2022, "grunn": "Nye tabeller (oppdiktet).", "tabeller": ["77777", "77778"]}]}
    assert series_breaks(catalogue, [2015, 2021]) == {}  # both years in one table
