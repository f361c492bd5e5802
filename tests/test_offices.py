"""Per-office figures (scripts/data/offices.py): the indicator list and the tidy per-year files.

Every value here is made up (oppdiktede testdata)."""
import pytest

from scripts.data import offices

IDS = {"s1", "k1"}


def office_file(tmp_path, text):
    path = tmp_path / "2014.csv"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_good_file_gives_the_tidy_table_for_the_asked_indicators_only(tmp_path):
    path = office_file(tmp_path, "kontor,aar,indikator_id,verdi,kilde\nA,2014,s1,52,x\nB,2014,k1,3.6,x\n"
                                 "A,2014,annen,1,x\n")
    df = offices.read_office_values(path, 2014, ["A", "B"], IDS)
    assert list(df.columns) == ["kontor", "aar", "indikator_id", "verdi", "kilde"]
    assert df.to_dict(orient="records") == [
        {"kontor": "A", "aar": 2014, "indikator_id": "s1", "verdi": 52.0, "kilde": "x"},
        {"kontor": "B", "aar": 2014, "indikator_id": "k1", "verdi": 3.6, "kilde": "x"}]


def test_a_file_without_a_year_column_takes_the_year_asked_for(tmp_path):
    df = offices.read_office_values(office_file(tmp_path, "kontor,indikator_id,verdi\n01,s1,5\n"), 2015, ["01"], IDS)
    assert df.to_dict(orient="records") == [{"kontor": "01", "aar": 2015, "indikator_id": "s1", "verdi": 5.0,
                                             "kilde": ""}]


@pytest.mark.parametrize("text, message", [
    ("kontor,verdi\nA,1\n", ": mangler kolonnen/kolonnene indikator_id; forventet indikator_id, kontor, verdi"),
    ("kontor,aar,indikator_id,verdi\nA,2014,s1,1\nA,2013,k1,2\n",
     ", rad 3, kolonne 'aar': verdien «2013» stemmer ikke med året; forventet 2014"),
    ("kontor,indikator_id,verdi\nA,s1,1\nG,s1,2\n", ", rad 3, kolonne 'kontor': ukjent kontor 'G'; forventet én av A, B"),
    ("kontor,indikator_id,verdi\nA,s1,1\nB,k1,mye\n",
     ", rad 3, kolonne 'verdi': verdien 'mye' (k1, kontor B) er ikke et tall; forventet et tall som 3,6 eller 2841"),
])
def test_bad_rows_are_named_with_file_row_column_value_and_expectation(tmp_path, text, message):
    path = office_file(tmp_path, text)
    with pytest.raises(offices.DataError) as exc:
        offices.read_office_values(path, 2014, ["A", "B"], IDS)
    assert str(exc.value) == f"{path}{message}"


def test_a_bad_value_in_an_indicator_not_asked_for_is_ignored(tmp_path):
    path = office_file(tmp_path, "kontor,indikator_id,verdi\nA,s1,1\nA,annen,mye\n")
    assert offices.read_office_values(path, 2014, ["A"], IDS)["verdi"].tolist() == [1.0]


def test_the_indicator_list_refuses_an_unknown_direction(tmp_path):
    path = tmp_path / "ind.yaml"
    path.write_text("indikatorer:\n  - {id: a, retning: hoyest_best}\n  - {id: b, retning: best}\n", encoding="utf-8")
    with pytest.raises(offices.DataError) as exc:
        offices.load_indicators(path)
    assert str(exc.value) == (f"{path}: indikatorer[1].retning: expected 'hoyest_best' or 'lavest_best', "
                              "got 'best'")
    path.write_text("indikatorer:\n  - {id: a, retning: lavest_best, etikett: Ærlig}\n", encoding="utf-8")
    assert offices.load_indicators(path) == [{"id": "a", "retning": "lavest_best", "etikett": "Ærlig"}]


def test_the_shipped_indicator_list_is_tabell_4_2_in_order():
    assert [i["id"] for i in offices.load_indicators()] == [
        "arbeidssokere_overgang_arbeid", "nedsatt_arbeidsevne_overgang_arbeid", "sosialhjelpsmottakere_andel",
        "netto_driftsutgifter_sosialtjenesten"]
