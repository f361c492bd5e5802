"""scripts.analysis.compare: messages that name several problems at once, compared whole, and
the results' series-break field. Values and tool cells are made up (oppdiktede testdata)."""
import pytest

from scripts.analysis import compare

TOOLS = ("budsjett_ressursstyring", "malstyring", "balansert_malstyring", "risikostyring")
FULL = [f"{k},{t},Ja" for k in "AB" for t in TOOLS]


def tools_csv(tmp_path, rows):
    path = tmp_path / "tabell_4_1.csv"
    path.write_text("kontor,verktoy_id,tekst,side\n" + "".join(f"{r},39\n" for r in rows), encoding="utf-8")
    return path


def test_every_unknown_tool_is_named_with_the_tools_expected(tmp_path):
    p = tools_csv(tmp_path, FULL + ["A,ukjent,Ja", "B,lean,Nei"])
    with pytest.raises(compare.DataError) as exc:
        compare.tools_table(p)
    assert str(exc.value) == (f"{p}: kolonne 'verktoy_id': ukjent verktøy lean, ukjent; "
                              f"forventet ett av {', '.join(TOOLS)}")


def test_every_missing_cell_is_named_office_by_office_in_the_tables_order(tmp_path):
    p = tools_csv(tmp_path, FULL[:-2])  # B lacks the last two tools
    with pytest.raises(compare.DataError) as exc:
        compare.tools_table(p)
    assert str(exc.value) == f"{p}: mangler celler (kontor, verktøy): B, balansert_malstyring; B, risikostyring"


def test_every_missing_value_of_a_year_is_named(tmp_path):
    mk, ko = tmp_path / "mk.csv", tmp_path / "ko.csv"
    rows = (("arbeidssokere_overgang_arbeid", 52), ("nedsatt_arbeidsevne_overgang_arbeid", 41))
    mk.write_text("kontor,indikator_id,verdi\n" + "".join(f"A,{i},{v}\n" for i, v in rows), encoding="utf-8")
    ko.write_text("kontor,indikator_id,verdi\n", encoding="utf-8")  # no KOSTRA figure at all
    with pytest.raises(compare.DataError) as exc:
        compare.combine_year(2014, mk, ko, compare.load_indicators(), ["A"])
    assert str(exc.value) == ("2014: mangler verdier (kontor, indikator): A, netto_driftsutgifter_sosialtjenesten; "
                              "A, sosialhjelpsmottakere_andel")


def test_results_of_a_single_year_have_no_series_break(tmp_path):
    ids = [i["id"] for i in compare.load_indicators()]
    (tmp_path / "malekort_2015.csv").write_text("kontor,indikator_id,verdi\n" + "".join(
        f"{k},{ids[j]},{40 + n + j}\n" for n, k in enumerate("ABCD") for j in (0, 1)), encoding="utf-8")
    (tmp_path / "kostra_kontor_2015.csv").write_text("kontor,indikator_id,verdi\n" + "".join(
        f"{k},{ids[2 + j]},{3 + n + j}\n" for n, k in enumerate("ABCD") for j in (0, 1)), encoding="utf-8")
    res = compare.build_results(2015, [2015], list("ABCD"), data_dir=tmp_path, snapshots=tmp_path / "ingen")
    # a break counts from the year after the first year shown, so one year can show none
    assert res["serieskifter"] == {}
    assert [(r["kontor"], r["indikator_id"]) for r in res["tidsserie"]][:2] == [("A", ids[0]), ("A", ids[1])]
