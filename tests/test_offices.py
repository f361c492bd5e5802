"""Per-office figures (scripts/data/offices.py): the indicator list and the tidy per-year files.

Every value here is made up (oppdiktede testdata)."""
import pandas as pd
import pytest

from scripts import paths
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
    ("kontor\nA\n", ": mangler kolonnen/kolonnene indikator_id, verdi; forventet indikator_id, kontor, verdi"),
    ("kontor,aar,indikator_id,verdi\nA,i fjor,s1,1\n",
     ", rad 2, kolonne 'aar': verdien «i fjor» stemmer ikke med året; forventet 2014"),
    ("kontor,indikator_id,verdi\nA,s1,1e400\n",
     ", rad 2, kolonne 'verdi': verdien '1e400' (s1, kontor A) er ikke et endelig tall; forventet et vanlig tall"),
    ("kontor,indikator_id,verdi\nA,sosialhjelpsmottakere_andel,250\n",
     ", rad 2, kolonne 'verdi': verdien '250' (sosialhjelpsmottakere_andel, kontor A) er utenfor det mulige; "
     "forventet en andel fra 0 til 100 (prosent)"),
    ("kontor,indikator_id,verdi\nA,netto_driftsutgifter_sosialtjenesten,-1\n",
     ", rad 2, kolonne 'verdi': verdien '-1' (netto_driftsutgifter_sosialtjenesten, kontor A) er utenfor det "
     "mulige; forventet et beløp fra 0 til 1 000 000 000 kroner"),
    ("kontor,aar,indikator_id,verdi\nA,2014,s1,1\nA,2013,k1,2\n",
     ", rad 3, kolonne 'aar': verdien «2013» stemmer ikke med året; forventet 2014"),
    ("kontor,indikator_id,verdi\nA,s1,1\nG,s1,2\n", ", rad 3, kolonne 'kontor': ukjent kontor 'G'; forventet én av A, B"),
    ("kontor,indikator_id,verdi\nA,s1,1\nB,k1,mye\n",
     ", rad 3, kolonne 'verdi': verdien 'mye' (k1, kontor B) er ikke et tall; forventet et tall som 3,6 eller 2841"),
])
def test_bad_rows_are_named_with_file_row_column_value_and_expectation(tmp_path, text, message):
    path = office_file(tmp_path, text)
    with pytest.raises(offices.DataError) as exc:
        offices.read_office_values(path, 2014, ["A", "B"], IDS | {"sosialhjelpsmottakere_andel",
                                                                 "netto_driftsutgifter_sosialtjenesten"})
    assert str(exc.value) == f"{path}{message}"


def test_codes_and_sources_are_kept_as_written(tmp_path):
    path = office_file(tmp_path, "kontor,aar,indikator_id,verdi,kilde\n01,2014,007,5,\n02,2014,007,6,SSB\n")
    df = offices.read_office_values(path, 2014, ["01", "02"], {"007"})
    assert df.to_dict(orient="records") == [
        {"kontor": "01", "aar": 2014, "indikator_id": "007", "verdi": 5.0, "kilde": ""},
        {"kontor": "02", "aar": 2014, "indikator_id": "007", "verdi": 6.0, "kilde": "SSB"}]


def test_a_bad_value_in_an_indicator_not_asked_for_is_ignored(tmp_path):
    path = office_file(tmp_path, "kontor,indikator_id,verdi\nA,s1,1\nA,annen,mye\n")
    assert offices.read_office_values(path, 2014, ["A"], IDS)["verdi"].tolist() == [1.0]


def test_the_indicator_list_refuses_an_unknown_direction(tmp_path):
    path = tmp_path / "ind.yaml"
    path.write_text("indikatorer:\n  - {id: a, retning: hoyest_best}\n  - {id: b, retning: best}\n", encoding="utf-8")
    with pytest.raises(offices.DataError) as exc:
        offices.load_indicators(path)
    assert str(exc.value) == (f"{path}: indikatorer[1].retning: ukjent retning 'best'; "
                              "forventet 'hoyest_best' eller 'lavest_best'")
    path.write_text("indikatorer:\n  - {id: a, retning: lavest_best, etikett: Ærlig}\n", encoding="utf-8")
    assert offices.load_indicators(path) == [{"id": "a", "retning": "lavest_best", "etikett": "Ærlig"}]


def test_the_shipped_indicator_list_is_tabell_4_2_in_order():
    assert [i["id"] for i in offices.load_indicators()] == [
        "arbeidssokere_overgang_arbeid", "nedsatt_arbeidsevne_overgang_arbeid", "sosialhjelpsmottakere_andel",
        "netto_driftsutgifter_sosialtjenesten"]


# --- the command (the rule clean_kostra_offices), in-process ------------------------------------

SHIPPED = paths.RAW_KOSTRA_OFFICES / "2014.csv"
KOSTRA_IDS = ["sosialhjelpsmottakere_andel", "netto_driftsutgifter_sosialtjenesten"]


def test_the_command_writes_the_kostra_figures_of_the_typed_in_file(tmp_path, capsys):
    out = tmp_path / "kostra_kontor_2014.csv"
    assert offices.main(["--year", "2014", "--offices", *"ABCDEF", "--src", str(SHIPPED), "--out", str(out)]) == 0
    assert capsys.readouterr().err == ""
    written = pd.read_csv(out)
    assert list(written.columns) == ["kontor", "aar", "indikator_id", "verdi", "kilde"]
    assert sorted(set(written["indikator_id"])) == sorted(KOSTRA_IDS)  # only the KOSTRA indicators
    assert len(written) == 12 and set(written["aar"]) == {2014}
    assert written.loc[(written["kontor"] == "A") & (written["indikator_id"] == KOSTRA_IDS[0]), "verdi"].tolist() == [3.6]


def test_the_command_names_a_bad_row_and_writes_nothing(tmp_path, capsys):
    src = office_file(tmp_path, "kontor,indikator_id,verdi\nA,sosialhjelpsmottakere_andel,3.6\n"
                                "G,sosialhjelpsmottakere_andel,2\n")
    out = tmp_path / "ut.csv"
    assert offices.main(["--year", "2014", "--offices", "A", "B", "--src", str(src), "--out", str(out)]) == 1
    assert capsys.readouterr().err == (f"kontortall: {src}, rad 3, kolonne 'kontor': ukjent kontor 'G'; "
                                       "forventet én av A, B\n")
    assert not out.exists()


def test_without_a_typed_in_file_the_command_uses_the_fetched_figures_and_removes_its_temporary_file(
        tmp_path, monkeypatch, capsys):
    """The fetched figures and the mapping are stand-ins here (oppdiktede testdata)."""
    from scripts import settings
    from scripts.data import kostra_offices

    asked = []

    def fetched(year, mapping, catalogue):
        asked.append((year, mapping, catalogue == settings.load_catalogue()))
        return [{"kontor": "A", "aar": year, "indikator_id": KOSTRA_IDS[1], "verdi": "2841", "kilde": "SSB"},
                {"kontor": "B", "aar": year, "indikator_id": KOSTRA_IDS[0], "verdi": "2,9", "kilde": "SSB"}]

    monkeypatch.setattr(offices, "missing_values", lambda *a: [])  # completeness is tested below

    monkeypatch.setattr(kostra_offices, "office_values", fetched)
    monkeypatch.setattr(settings, "load_private_offices", lambda: {"A": "9901", "B": "9902"})
    out = tmp_path / "kostra_kontor_2013.csv"
    assert offices.main(["--year", "2013", "--offices", "A", "B", "--src", str(tmp_path / "finnes_ikke.csv"),
                         "--out", str(out)]) == 0
    assert capsys.readouterr().err == ""
    assert asked == [(2013, {"A": "9901", "B": "9902"}, True)]
    assert pd.read_csv(out).to_dict(orient="records") == [
        {"kontor": "A", "aar": 2013, "indikator_id": KOSTRA_IDS[1], "verdi": 2841.0, "kilde": "SSB"},
        {"kontor": "B", "aar": 2013, "indikator_id": KOSTRA_IDS[0], "verdi": 2.9, "kilde": "SSB"}]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["kostra_kontor_2013.csv"]

    monkeypatch.setattr(kostra_offices, "office_values", lambda year, mapping, catalogue: [
        {"kontor": "C", "aar": year, "indikator_id": KOSTRA_IDS[0], "verdi": "3", "kilde": "SSB"}])
    assert offices.main(["--year", "2013", "--offices", "A", "B", "--src", str(tmp_path / "finnes_ikke.csv"),
                         "--out", str(out)]) == 1
    assert capsys.readouterr().err == (f"kontortall: {tmp_path / '.kostra_kontor_2013.csv.hentet.csv'}, rad 2, "
                                       "kolonne 'kontor': ukjent kontor 'C'; forventet én av A, B\n")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["kostra_kontor_2013.csv"]


def test_a_value_written_the_norwegian_way_is_read_as_the_pre_flight_check_reads_it(tmp_path):
    """A decimal comma (quoted in a comma-separated file) and a space between thousands passed the
    check but stopped the reader with a Python error before; now they are read as numbers."""
    path = office_file(tmp_path, 'kontor,indikator_id,verdi\nA,s1,"3,6"\nB,k1,2 841\nC,s1,\u22121\n')
    df = offices.read_office_values(path, 2014, ["A", "B", "C"], IDS)
    assert df["verdi"].tolist() == [3.6, 2841.0, -1.0]


def test_without_a_typed_in_file_or_fetched_figures_the_command_says_what_is_missing(tmp_path, monkeypatch, capsys):
    from scripts.data import kostra_offices

    monkeypatch.setattr(kostra_offices, "office_values", lambda year, mapping, catalogue: [])
    out = tmp_path / "kostra_kontor_2013.csv"
    assert offices.main(["--year", "2013", "--offices", "A", "--src", str(tmp_path / "borte.csv"),
                         "--out", str(out)]) == 1
    assert capsys.readouterr().err == ("kontortall: data/raw/kostra_kontor/2013.csv finnes ikke, og det er ingen "
                                       "hentede KOSTRA-tall per kontor for 2013\n")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("argv", [[], ["--year", "2014", "--offices", "A", "--src", "x.csv"],
                                  ["--year", "i fjor", "--offices", "A", "--src", "x.csv", "--out", "y.csv"],
                                  ["--year", "2014", "--offices", "--src", "x.csv", "--out", "y.csv"],
                                  ["--year", "2014", "--offices", "A", "--out", "y.csv"],
                                  ["--year", "2014", "--src", "x.csv", "--out", "y.csv"],
                                  ["--offices", "A", "--src", "x.csv", "--out", "y.csv"]])
def test_the_command_refuses_an_incomplete_call(argv, capsys):
    with pytest.raises(SystemExit) as exc:
        offices.main(argv)
    assert exc.value.code == 2
    assert capsys.readouterr().err.startswith("usage: python -m scripts.data.offices")


def test_the_command_lists_each_missing_figure_and_a_typo_that_resembles_it(tmp_path, capsys):
    src = office_file(tmp_path, f"kontor,indikator_id,verdi\nA,{KOSTRA_IDS[0]},3.6\nA,netto_driftsutgifter_sosialtjeneste,5\n")
    out = tmp_path / "ut.csv"
    assert offices.main(["--year", "2014", "--offices", "A", "--src", str(src), "--out", str(out)]) == 1
    assert capsys.readouterr().err == (
        f"kontortall: 1 verdier mangler:\n  {src}: ingen verdi for kontor A, {KOSTRA_IDS[1]} i 2014; rad 3 har "
        f"indikator_id 'netto_driftsutgifter_sosialtjeneste', som ligner: mente du '{KOSTRA_IDS[1]}'?\n")
    assert not out.exists()
