"""The generated sentences of chapter 4 and appendices 1–4 (scripts.content.analyse_text).

The results here are small made-up dicts shaped like build/results/resultater.json; the
2014 figures of the thesis are used where a test checks the published wording.
"""
import csv

import pytest

from scripts import paths
from scripts.content.analyse_text import (
    assosiasjonsark_md,
    assosiasjonsark_note,
    h4_grunnlag,
    hofstede,
    hypotese,
    intervjuguide_md,
    kildenote,
    kontorer,
    linjens_beste,
    markeringsregel,
    motstrid_statlig,
    ordenstall,
    resultatfunn,
    samtykke_md,
    sosialhjelp_endringer,
    vurdering,
)
from scripts.content.fmt import NBSP


def ind(id_, linje, retning, tekst, enhet="prosent", kort=None, kilde="Kilde X"):
    """One indicator as compare.indicator_summary writes it (values as formatted text)."""
    vals = {k: float(v.replace(",", ".")) for k, v in tekst.items()}
    best_val = max(vals.values()) if retning == "hoyest_best" else min(vals.values())
    return {"id": id_, "etikett": id_.replace("_", " ").capitalize(), "kort": kort or id_.capitalize(),
            "linje": linje, "retning": retning, "enhet": enhet, "kildetekst": kilde, "tekst": tekst,
            "beste": sorted(k for k, v in vals.items() if v == best_val),
            "beste_tekst": "", "verdier": vals}


def results(aar=2014, stat_best=("F",), kom_best=("C",), tie=False):
    """The published 2014 pattern by default (F best on state, C on municipal indicators)."""
    a = {"A": "52", "C": "50", "E": "51", "F": "56"}
    if tie:
        a["A"] = "56"
    inds = [
        ind("arbeid", "stat", "hoyest_best", a, kort="Arbeidssøkere til arbeid", kilde="Målekort"),
        ind("nedsatt", "stat", "hoyest_best", {"A": "41", "C": "37", "E": "31", "F": "47"}, kilde="Målekort"),
        ind("sosialhjelp", "kommune", "lavest_best", {"A": "3,6", "C": "2,5", "E": "3,4", "F": "3,0"},
            kort="Sosialhjelpsmottakere (andel)", kilde="KOSTRA"),
        ind("utgifter", "kommune", "lavest_best", {"A": "2841", "C": "1782", "E": "2486", "F": "2507"},
            enhet="kroner", kilde="KOSTRA"),
    ]
    return {"aar": aar, "kontorer": ["A", "C", "E", "F"], "indikatorer": inds,
            "statlig_best": list(stat_best), "kommunal_best": list(kom_best)}


def test_kontorer_and_ordinals():
    assert kontorer(["F"]) == "kontor F"
    assert kontorer(["C", "F"]) == "kontorene C og F"
    assert kontorer([]) == "ingen kontorer"
    assert ordenstall(4) == "fjerde" and ordenstall(11) == "11."


def test_h4_evidence_for_the_published_pattern():
    text = h4_grunnlag(results())
    assert "Kontor F har beste verdi på begge de statlige indikatorene" in text
    assert "Kontor C har beste verdi på begge de kommunale indikatorene" in text
    assert f"1782{NBSP}kr" in text
    assert "Ingen kontor er best i begge styringslinjene" in text


def test_h4_evidence_when_one_office_leads_both_lines():
    text = h4_grunnlag(results(stat_best=["C"], kom_best=["C"]))
    assert "Kontor C er altså best i begge styringslinjene" in text
    assert "Ingen kontor er best i begge" not in text


def test_h4_evidence_when_no_office_leads_a_line():
    r = results(stat_best=[], tie=True)
    line = linjens_beste(r, "stat")
    assert line.startswith("ingen kontor er best på begge de statlige indikatorene")
    assert "kontorene A og F på arbeidssøkere til arbeid" in line
    assert "kontor F på nedsatt" in line
    assert "Ingen kontor er best i begge styringslinjene" in h4_grunnlag(r)


def test_h4_evidence_with_a_tie_on_a_whole_line():
    text = h4_grunnlag(results(stat_best=["A", "F"], tie=True))
    assert "Kontorene A og F har beste verdi på begge de statlige indikatorene" in text


def test_highlight_rule_follows_the_direction_of_each_indicator():
    rule = markeringsregel(results()["indikatorer"])
    assert "høyest for arbeidssøkere til arbeid og nedsatt" in rule
    assert "lavest for sosialhjelpsmottakere \\(andel\\) og utgifter" in rule
    assert "deler beste verdi" not in rule
    assert "deler beste verdi" in markeringsregel(results(tie=True)["indikatorer"])


def test_source_note_groups_indicators_by_source():
    note = kildenote(results()["indikatorer"], 2014)
    assert note == ("Tallene gjelder 2014. Kilder: Målekort (statlige indikatorer); "
                    "KOSTRA (kommunale indikatorer).")


def with_sources(r, kilder):
    """Mark the municipal indicators as KOSTRA and add data rows with ``kilde`` per indicator."""
    for i in r["indikatorer"]:
        i["kilde"] = "kostra" if i["linje"] == "kommune" else "malekort"
    r["tidsserie"] = [{"aar": r["aar"], "indikator_id": iid, "kontor": "A", "kilde": k}
                      for iid, k in kilder.items()]
    return r


def test_source_note_takes_kostra_sources_from_the_data_of_the_edition_year():
    r = with_sources(results(aar=2015), {"sosialhjelp": "SSB, publisert 15.03.2016 (oppdiktet)",
                                          "utgifter": "SSB, publisert 15.03.2016 (oppdiktet)",
                                          "arbeid": "data/raw/malekort/2015/m.csv"})
    r["tidsserie"].append({"aar": 2014, "indikator_id": "utgifter", "kilde": "KOSTRA 2014-kilde"})
    note = kildenote(r["indikatorer"], 2015, r["tidsserie"])
    assert note == ("Tallene gjelder 2015. Kilder: Målekort (statlige indikatorer); "
                    "SSB, publisert 15.03.2016 \\(oppdiktet\\) (kommunale indikatorer).")
    assert "KOSTRA" not in note


def test_source_note_falls_back_to_the_indicator_text_when_the_data_name_no_source():
    r = with_sources(results(), {"sosialhjelp": "", "utgifter": "nan"})
    assert kildenote(r["indikatorer"], 2014, r["tidsserie"]).endswith("KOSTRA (kommunale indikatorer).")


def test_results_sentence_agrees_with_the_thesis_in_2014():
    text = resultatfunn(results(), 2014, "F", "C")
    assert text.startswith("I @tbl-resultater (2014) er ingen kontor best på alle indikatorene. "
                           "Kontor F har beste verdi på begge de statlige indikatorene")
    assert "Det er også oppgavens lesning" in text and "I oppgaven, med tall for" not in text


def test_results_sentence_for_another_year_follows_the_table_and_marks_the_thesis_finding():
    r = results(aar=2015, stat_best=[], kom_best=[])
    # Different best office per indicator (made-up): A, F | C, C tie broken below.
    r["indikatorer"][0]["beste"] = ["A"]
    r["indikatorer"][1]["beste"] = ["F"]
    r["indikatorer"][2]["beste"] = ["C"]
    r["indikatorer"][3]["beste"] = ["E"]
    text = resultatfunn(r, 2014, "F", "C")
    assert "I @tbl-resultater (2015) er ingen kontor best på alle indikatorene." in text
    assert "Ingen kontor er best på begge de statlige indikatorene; beste verdi har kontor A på" in text
    assert "kontor E på utgifter" in text
    assert text.endswith("I oppgaven, med tall for 2014, pekte ingen kontor seg klart ut som best, men kontor F var "
                         "klart best på de statlige indikatorene og kontor C på de kommunale.")
    assert "Kontor F har beste verdi" not in text


def test_results_sentence_when_one_office_leads_everything():
    text = resultatfunn(results(stat_best=["C"], kom_best=["C"]), 2014, "F", "C")
    assert text.startswith("I @tbl-resultater (2014) er kontor C best på alle indikatorene.")
    assert "I oppgaven, med tall for 2014, pekte ingen kontor" in text


def test_verdict_names_the_thesis_year_in_another_edition():
    h = {"id": "H4", "vurdering": {"kategori": "ikke tilstrekkelig grunnlag", "begrunnelse": "Tekst."}}
    assert vurdering(h, 2014, 2014).startswith("**Vurdering av H4:**")
    assert vurdering(h, 2015, 2014).startswith("**Vurdering av H4 i oppgaven (tall for 2014):** Ikke")


def tabell_4_1_cells(offices, tools):
    """Tabell 4.1's cells as the project holds them (data/thesis/tabell_4_1.csv), not copied here."""
    with open(paths.THESIS / "tabell_4_1.csv", encoding="utf-8", newline="") as fh:
        rows = [r for r in csv.DictReader(fh) if r["kontor"] in offices and r["verktoy_id"] in tools]
    cells: dict[str, dict[str, str]] = {}
    for r in rows:
        cells.setdefault(r["kontor"], {})[r["verktoy_id"]] = r["tekst"]
    return cells


CELLER = tabell_4_1_cells({"E", "F"}, {"balansert_malstyring", "risikostyring"})


def test_e_and_f_note_gives_both_readings():
    note = motstrid_statlig(results(), "E", 2014, "F", CELLER, ["C", "F"])
    assert "som et avsnitt om kontor E" in note
    assert f"har kontor F beste verdi på begge de statlige indikatorene (56{NBSP}% og 47{NBSP}%)" in note
    assert f"mens kontor E har 51{NBSP}% og 31{NBSP}%" in note
    # Each way: the meetings and the scale point to F, the risk assessment before the plan to E.
    for_f, for_e = note.split("Annet passer best med kontor E")
    assert "kontor F som har etablert slike møter" in for_f and "nevner den kontorene C og F" in for_f
    assert "risikovurderingen gjøres før virksomhetsplanen" in for_e and "kontor E som knytter" in for_e
    assert "passer med cellene for kontorene E og F" in note
    assert "Oppgaven sier ikke selv at bokstaven er feil" in note and "Vi følger tallene" not in note


def test_e_and_f_note_when_the_text_is_right_or_the_year_differs():
    assert "det stemmer med @tbl-resultater" in motstrid_statlig(results(stat_best=["E"]), "E", 2014, "F", CELLER)
    other = motstrid_statlig(results(aar=2015), "E", 2014, "F", CELLER, ["C", "F"])
    assert "Oppgavens tabell for 2014 peker på kontor F" in other and "@tbl-resultater har tall for 2015" in other
    assert "Annet passer best med kontor E" in other


def test_social_assistance_sentences_only_where_the_thesis_gives_numbers():
    facts = {"okning_2014": {"tekst": "x", "side": 55},
             "kontor_b": {"fra_aar": 2013, "fra": 2108, "til_aar": 2014, "til": 1934, "side": 55},
             "kontor_e": {"endring": "liten", "tall_oppgitt": False, "side": 55}}
    assert sosialhjelp_endringer(facts) == [
        "Antallet mottakere av økonomisk sosialhjelp ved kontor B gikk ned fra 2108 i 2013 til 1934 i 2014."]
    facts["kontor_b"]["til"] = 2200
    assert "økte fra 2108 i 2013 til 2200 i 2014" in sosialhjelp_endringer(facts)[0]


def test_verdict_and_hofstede_types():
    hyps = {"hypoteser": [{"id": "H1", "vurdering": {"kategori": "delvis støttet",
                                                     "begrunnelse": "Første.\n  Andre (x)."}}]}
    assert vurdering(hypotese(hyps, "H1")) == "**Vurdering av H1:** Delvis støttet – Første. Andre \\(x\\)."
    with pytest.raises(KeyError):
        hypotese(hyps, "H9")
    typer = ["regelstyring (1)", "fagstyring (2)", "intuitiv styring (4)"]
    assert hofstede(typer, "fagstyring", "intuitiv styring") == "fagstyring \\(2\\) og intuitiv styring \\(4\\)"
    with pytest.raises(KeyError):
        hofstede(typer, "saksstyring")


def test_appendix_texts():
    v2 = {"seksjoner": [{"overskrift": "Frivillig deltakelse", "sammendrag": "Det er\n frivillig."}]}
    assert samtykke_md(v2) == "**Frivillig deltakelse** Det er frivillig."
    v3 = {"deler": [
        {"del": "Innledning", "punkter": ["Presentere prosjektet."]},
        {"del": "Faktaspørsmål", "innledende_felt": ["Hvilket kontor"], "om_lederen": ["Antall år"],
         "om_kontoret": ["Antall ansatte"], "om_kontoret_sporsmal": "Særtrekk?"},
        {"del": "Nøkkelspørsmål", "temaer": [{"tema": "Målbildet", "sporsmal": ["Hvordan?"]}]},
    ]}
    guide = intervjuguide_md(v3)
    assert "**Innledning**\n\n- Presentere prosjektet." in guide
    assert "- Om lederen: antall år" in guide and "- *Målbildet*\n    - Hvordan?" in guide
    forms = [{"navn": f"Form{i}"} for i in range(1, 5)] + [{"navn": "Rammestyring", "trykt": "Rammestyrin",
                                                             "avkuttet_i_kilden": True}]
    v4 = {"styringsformer": forms, "oppgitt_antall": 6, "lesbart_antall": 5}
    table = assosiasjonsark_md(v4, kolonner=2)
    assert table.splitlines()[2] == "| 1 | Form1 | 4 | Form4 |"
    assert "| 3 | Form3 |  |  |" in table and "Rammestyring (trykt «Rammestyrin»)" in table
    note = assosiasjonsark_note(v4)
    assert note.startswith("Metodekapitlet oppgir seks styringsformer på arket. Kopien av oppgaveteksten")
    # A gap in our copy of the text, not a discrepancy in the thesis.
    assert "slutter midt i listen, etter fem oppføringer" in note and "ikke et avvik i oppgaven" in note
    assert "trykt «Rammestyrin»" in note


def series_results():
    """Two made-up years for two offices (oppdiktede testdata)."""
    return {"aar": 2015, "kontorer": ["A", "B"],
            "indikatorer": [{"id": "x", "kort": "Arbeid", "enhet": "prosent", "desimaler": 0},
                            {"id": "y", "kort": "Utgifter", "enhet": "kroner", "desimaler": 0}],
            "tidsserie": [{"aar": 2014, "kontor": "A", "indikator_id": "x", "verdi": 52},
                          {"aar": 2015, "kontor": "A", "indikator_id": "x", "verdi": 51},
                          {"aar": 2014, "kontor": "B", "indikator_id": "x", "verdi": 50},
                          {"aar": 2015, "kontor": "B", "indikator_id": "x", "verdi": 53},
                          {"aar": 2014, "kontor": "A", "indikator_id": "y", "verdi": 2841},
                          {"aar": 2015, "kontor": "A", "indikator_id": "y", "verdi": 2600},
                          {"aar": 2014, "kontor": "B", "indikator_id": "y", "verdi": 1782},
                          {"aar": 2015, "kontor": "B", "indikator_id": "y", "verdi": 1800}]}


def test_change_table_shows_each_office_over_the_years_with_its_change():
    from scripts.content.analyse_text import endringer_md

    table = endringer_md(series_results())
    assert table.startswith("**Endring per kontor og indikator, 2014–2015**\n\n"
                            "| Kontor | Arbeid (%) | Utgifter (kr) |\n|:---|---:|---:|\n")
    assert "| Kontor A | 52 → 51 (−1) | 2841 → 2600 (−241) |" in table
    assert "| Kontor B | 50 → 53 (+3) | 1782 → 1800 (+18) |" in table


def test_change_table_marks_a_series_break_in_words_and_computes_no_change_across_it():
    from scripts.content.analyse_text import endringer_md

    r = series_results()
    r["serieskifter"] = {"y": [{"aar": 2015, "grunn": "Ny tabell (oppdiktet).", "tabeller": ["77776", "77777"]}]}
    table = endringer_md(r)
    assert "| Kontor A | 52 → 51 (−1) | 2841 → serieskifte → 2600 |" in table
    assert "Serieskifte for utgifter i 2015 fra tabell 77776 til 77777: Ny tabell \\(oppdiktet\\)." in table


def test_change_table_is_empty_for_one_year():
    from scripts.content.analyse_text import endringer_md

    r = series_results()
    r["tidsserie"] = [t for t in r["tidsserie"] if t["aar"] == 2015]
    assert endringer_md(r) == ""
