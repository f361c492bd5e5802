"""The diagrams (scripts/content/diagrams.py) and the results figure (scripts/content/figures.py).

The SVGs draw text as paths, so labels are checked on the matplotlib Figure's text artists.
Results data here are built from the thesis's Tabell 4.2; the extra years and changed values
in some tests are made up for the test and labelled so.
"""
from __future__ import annotations

import copy
import csv
import re
import subprocess
import sys

import pytest
import yaml
from matplotlib.colors import to_hex
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle
from matplotlib.text import Text

from scripts import paths
from scripts.content import diagrams, figures, fmt

SPEC_FILE = paths.THESIS / "diagrammer.yaml"
EXPECTED_FIGURES = {"hofstede": "2.1", "samstyring": "2.2", "resultatkjede": "2.5", "rapportering": "2.8",
                    "modell": "2.11"}
# Keys whose values are drawn as text; ids, page numbers, alt text and captions are not.
LABEL_KEYS = {"sporsmal", "navn", "merknad", "kolonner", "rader", "linjer", "markor", "forklaring", "tekst",
              "overskrift", "undertekst", "hypotese", "svar"}


@pytest.fixture(scope="module")
def specs() -> dict:
    return diagrams.load_specs(SPEC_FILE)


def norm(text: str) -> str:
    return " ".join(str(text).split())


def drawn(fig: Figure) -> list[str]:
    return [norm(t) for t in diagrams.texts(fig)]


def labels_in(spec, key: str | None = None):
    """Every string the drawing should show, found under LABEL_KEYS anywhere in a spec."""
    if isinstance(spec, dict):
        for k, v in spec.items():
            if key is not None:  # a dict of labels, e.g. svar: {ja: "Ja", nei: "Nei"}
                yield from labels_in(v, key)
            elif k in LABEL_KEYS:
                yield from labels_in(v, k)
            elif isinstance(v, dict | list):
                yield from labels_in(v, None)
    elif isinstance(spec, list):
        for v in spec:
            yield from labels_in(v, key)
    elif key is not None and isinstance(spec, str):
        yield norm(spec)


# --------------------------------------------------------------------------- the YAML


def test_every_diagram_has_figure_number_alt_text_and_source(specs):
    assert set(EXPECTED_FIGURES) <= set(specs)
    for name, number in EXPECTED_FIGURES.items():
        spec = specs[name]
        assert spec["figur"] == number, name
        assert spec["kilde"].strip(), name
        assert spec["tittel"].strip(), name
        assert str(spec["side"]).strip(), name
        # A real description, not a placeholder: several sentences.
        assert len(spec["alt"]) > 200 and spec["alt"].count(".") >= 3, name


def test_load_specs_rejects_a_diagram_without_alt_text(specs, tmp_path):
    broken = copy.deepcopy(specs)
    broken["modell"]["alt"] = " "
    f = tmp_path / "d.yaml"
    f.write_text(yaml.safe_dump(broken, allow_unicode=True), encoding="utf-8")
    with pytest.raises(ValueError, match=f"^{re.escape(str(f))}: feltet «modell.alt» mangler eller er tomt; forventet en tekst$"):
        diagrams.load_specs(f)


def classify(tree: dict, answers: list[str]) -> int:
    node = tree
    for a in answers:
        if "sporsmal" not in node:
            break
        node = node[a]
    assert "type" in node, f"answers {answers} end at a question"
    return node["type"]


def test_hofstede_tree_gives_the_six_types_of_the_thesis(specs):
    tree = specs["hofstede"]["tre"]
    # Order of questions: ambiguous objectives, measurable outputs, known effects, repetitive.
    assert classify(tree, ["ja"]) == 6  # politisk styring
    assert classify(tree, ["nei", "nei"]) == 5  # saksstyring
    assert classify(tree, ["nei", "ja", "ja", "ja"]) == 1  # regelstyring
    assert classify(tree, ["nei", "ja", "ja", "nei"]) == 2  # fagstyring
    assert classify(tree, ["nei", "ja", "nei", "ja"]) == 3  # forsøksstyring
    assert classify(tree, ["nei", "ja", "nei", "nei"]) == 4  # intuitiv styring
    names = {}

    def leaves(n):
        if "sporsmal" in n:
            leaves(n["ja"])
            leaves(n["nei"])
        else:
            names[n["type"]] = n["navn"].lower()
    leaves(tree)
    assert names == {1: "regelstyring", 2: "fagstyring", 3: "forsøksstyring", 4: "intuitiv styring",
                     5: "saksstyring", 6: "politisk styring"}


def test_model_references_hypotheses_by_id_only(specs):
    arrows = specs["modell"]["piler"]
    assert sorted(a["hypotese"] for a in arrows) == ["H1", "H2", "H3", "H4"]
    hyp_file = paths.THESIS / "hypoteser.yaml"
    if hyp_file.exists():  # written by another part of the project
        text = hyp_file.read_text(encoding="utf-8")
        for h in ("H1", "H2", "H3", "H4"):
            assert h in text


# --------------------------------------------------------------------------- drawing


@pytest.mark.parametrize("name", diagrams.NAMES)
def test_diagram_draws_every_label_from_the_yaml(specs, name):
    fig = diagrams.draw(name, specs[name])
    shown = drawn(fig)
    expected = list(labels_in(specs[name]))
    assert expected, name
    missing = [e for e in expected if not any(e in s for s in shown)]
    assert not missing, f"{name}: not drawn: {missing}"


@pytest.mark.parametrize("name", diagrams.NAMES)
def test_diagram_has_no_text_of_its_own(specs, name):
    """Every text drawn comes from the YAML (numbers of cells and types included)."""
    spec = specs[name]
    source = norm(" ".join(labels_in(spec)))
    numbers = {str(c["nr"]) for c in spec.get("celler", [])}

    def types(n):
        if isinstance(n, dict):
            if "type" in n:
                yield str(n["type"])
            for v in n.values():
                yield from types(v)
    numbers |= set(types(spec.get("tre", {})))
    for text in drawn(diagrams.draw(name, spec)):
        assert text in source or text in numbers, f"{name}: {text!r} is not in diagrammer.yaml"


def test_changed_label_in_yaml_changes_the_drawing(specs):
    spec = copy.deepcopy(specs["resultatkjede"])
    spec["ledd"][0]["tekst"] = "Ressurser (prøve)"
    shown = drawn(diagrams.draw("resultatkjede", spec))
    assert "Ressurser (prøve)" in shown and "Innsatsfaktorer" not in shown


@pytest.mark.parametrize("name", diagrams.NAMES)
def test_diagram_is_print_size_readable_and_has_no_overlapping_text(specs, name):
    fig = diagrams.draw(name, specs[name])
    w, h = fig.get_size_inches() * 2.54
    assert abs(w - 16.0) < 0.01 and 2 < h < 22
    assert diagrams.layout_problems(fig) == []


def test_layout_check_can_fail():
    c = diagrams.Canvas(3)
    c.text(5, 1, "Overlappende tekst")
    c.text(5.2, 1.05, "Overlappende tekst")
    c.text(15.9, 2, "utenfor kanten", ha="left")
    c.text(3, 2.5, "liten", size=6)
    problems = diagrams.layout_problems(c.fig)
    assert any("overlaps" in p for p in problems)
    assert any("outside" in p for p in problems)
    assert any("6 pt" in p for p in problems)


def test_wrap_keeps_words_and_width():
    b = diagrams.wrap("Mål- og disponeringsbrev via tjenestedirektøren", 3.0)
    assert b.lines >= 2
    assert norm(b.text) == "Mål- og disponeringsbrev via tjenestedirektøren"
    for line in b.text.split("\n"):
        assert diagrams.text_width_cm(line) <= 3.0 or " " not in line


def test_samstyring_highlight_follows_the_yaml(specs):
    def marker_x(spec):
        fig = diagrams.draw("samstyring", spec)
        (marker,) = [t for t in fig.findobj(Text) if t.get_gid() == "uthev-markor"]
        assert marker.get_text() == spec["uthev"]["markor"]
        thick = [p for p in fig.axes[0].patches if p.get_linewidth() >= 2]
        assert len(thick) == 1 and to_hex(thick[0].get_edgecolor()) == diagrams.ACCENT
        return marker.get_position()[0], thick[0]

    spec = specs["samstyring"]
    assert spec["uthev"]["celle"] == 3
    x3, box3 = marker_x(spec)
    moved = copy.deepcopy(spec)
    moved["uthev"]["celle"] = 2  # made up: move the highlight to the other column
    x2, box2 = marker_x(moved)
    assert x2 - x3 > 5  # one column to the right
    assert box3.get_y() != box2.get_y()


def test_model_arrows_carry_their_hypothesis(specs):
    fig = diagrams.draw("modell", specs["modell"])
    badges = {t.get_gid(): t.get_text() for t in fig.findobj(Text) if (t.get_gid() or "").startswith("pil-")}
    assert badges == {"pil-H1": "H1", "pil-H2": "H2", "pil-H3": "H3", "pil-H4": "H4"}


def test_a_broken_diagram_description_is_named_in_norwegian(specs):
    twice = copy.deepcopy(specs["samstyring"])
    twice["celler"][1].update(rad=0, kolonne=0)
    with pytest.raises(ValueError, match=r"^samstyring: to celler står på rad 0, kolonne 0 \(nr 1 og 2\); "
                       "forventet høyst én celle per plass$"):
        diagrams.draw("samstyring", twice)
    no_lines = {k: v for k, v in specs["rapportering"].items() if k != "styringslinjer"}
    with pytest.raises(ValueError, match="^rapportering: feltet «styringslinjer» mangler; forventet det i "
                       "beskrivelsen av diagrammet$"):
        diagrams.draw("rapportering", no_lines)
    one_line = copy.deepcopy(specs["rapportering"])
    one_line["styringslinjer"] = one_line["styringslinjer"][:1]
    with pytest.raises(ValueError, match=r"^rapportering: styringslinjer har 1 linje\(r\); forventet nøyaktig to "
                       r"\(stat og kommune\)$"):
        diagrams.draw("rapportering", one_line)


def test_unknown_diagram_name_is_an_error(specs):
    with pytest.raises(ValueError, match=f"^ukjent diagram «styringshjul»; forventet en av {', '.join(diagrams.NAMES)}$"):
        diagrams.draw("styringshjul", specs["modell"])


# --------------------------------------------------------------------------- SVG output


@pytest.mark.parametrize("name", diagrams.NAMES)
def test_svg_is_deterministic_and_has_text_as_paths(specs, name):
    a = diagrams.svg_bytes(diagrams.draw(name, specs[name]))
    b = diagrams.svg_bytes(diagrams.draw(name, specs[name]))
    assert a == b
    svg = a.decode("utf-8")
    assert svg.startswith("<?xml") and "<svg" in svg
    assert "<text" not in svg and "<dc:date>" not in svg
    assert 'width="453.54' in svg  # 16 cm in points


def test_svg_does_not_depend_on_global_rcparams(specs):
    import matplotlib

    a = diagrams.svg_bytes(diagrams.draw("modell", specs["modell"]))
    with matplotlib.rc_context({"svg.hashsalt": None, "svg.fonttype": "none", "font.size": 14}):
        b = diagrams.svg_bytes(diagrams.draw("modell", specs["modell"]))
        c = diagrams.svg_bytes(figures.draw_results(thesis_results()))
    assert a == b
    assert c == diagrams.svg_bytes(figures.draw_results(thesis_results()))


def test_cli_writes_all_five_and_a_fresh_process_gives_the_same_bytes(tmp_path):
    out1, out2 = tmp_path / "a", tmp_path / "b"
    assert diagrams.main(["--src", str(SPEC_FILE), "--outdir", str(out1)]) == 0
    proc = subprocess.run([sys.executable, "-m", "scripts.content.diagrams", "--src", str(SPEC_FILE), "--outdir", str(out2)],
                          cwd=paths.ROOT, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    for name in diagrams.NAMES:
        assert (out1 / f"{name}.svg").read_bytes() == (out2 / f"{name}.svg").read_bytes(), name
    assert not list(out1.glob(".*.tmp"))


def test_cli_reports_a_broken_yaml(tmp_path, capsys):
    f = tmp_path / "d.yaml"
    f.write_text("hofstede: {}\n", encoding="utf-8")
    assert diagrams.main(["--src", str(f), "--outdir", str(tmp_path / "out")]) == 1
    assert capsys.readouterr().err == (f"diagrams: {f}: mangler diagram(mer) "
                                       f"{', '.join(n for n in diagrams.NAMES if n != 'hofstede')}; "
                                       f"forventet alle av {', '.join(diagrams.NAMES)}\n")
    assert not (tmp_path / "out").exists()


# --------------------------------------------------------------------------- results figure


def thesis_results() -> dict:
    """Results in the shape of build/results/resultater.json, from the thesis's Tabell 4.2."""
    with open(paths.THESIS / "indikatorer.yaml", encoding="utf-8") as fh:
        inds = yaml.safe_load(fh)["indikatorer"]
    with open(paths.THESIS / "tabell_4_2.csv", encoding="utf-8") as fh:
        rows = [r for r in csv.DictReader(fh) if r["aar"] == "2014"]
    out = []
    for ind in inds:
        values = {r["kontor"]: float(r["verdi"]) for r in rows if r["indikator_id"] == ind["id"]}
        pick = max if ind["retning"] == "hoyest_best" else min
        best = pick(values.values())
        out.append({**{k: ind[k] for k in ("id", "etikett", "kort", "enhet", "retning")},
                    "verdier": values, "beste": sorted(k for k, v in values.items() if v == best),
                    "tekst": {k: fmt.tall(v, ind["desimaler"], min_tusen=10**9) for k, v in values.items()}})
    series = [{"kontor": k, "aar": 2014, "indikator_id": i["id"], "verdi": v} for i in out
              for k, v in i["verdier"].items()]
    return {"aar": 2014, "aar_serie": [2014], "kontorer": list("ABCDEF"), "indikatorer": out, "tidsserie": series}


def with_made_up_years(results: dict) -> dict:
    """Made up for the test: 2012 and 2013 values = the 2014 value minus 1 and minus 2 (or 0,1/0,2)."""
    r = copy.deepcopy(results)
    r["aar_serie"] = [2012, 2013, 2014]
    for ind in r["indikatorer"]:
        step = 0.1 if ind["id"] == "sosialhjelpsmottakere_andel" else 1
        for k, v in ind["verdier"].items():
            for back, year in ((2, 2012), (1, 2013)):
                r["tidsserie"].append({"kontor": k, "aar": year, "indikator_id": ind["id"],
                                       "verdi": round(v - back * step, 1)})
    return r


def marked(fig: Figure) -> dict[str, list[str]]:
    """Indicator id -> offices the figure marks as best (by the 'beste' label)."""
    out: dict[str, list[str]] = {}
    for t in fig.findobj(Text):
        gid = t.get_gid() or ""
        if gid.startswith(f"{figures.BEST}:"):
            _, ind_id, office = gid.split(":")
            assert figures.BEST in t.get_text() and t.get_fontweight() in ("bold", 700)
            out.setdefault(ind_id, []).append(office)
    return {k: sorted(v) for k, v in out.items()}


def accent_bars(fig: Figure) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for ax in fig.axes:
        for p in ax.patches:
            if isinstance(p, Rectangle) and p.get_gid() and to_hex(p.get_facecolor()) == diagrams.ACCENT:
                ind_id, office = p.get_gid().split(":")
                out.setdefault(ind_id, []).append(office)
    return {k: sorted(v) for k, v in out.items()}


THESIS_BEST = {"arbeidssokere_overgang_arbeid": ["F"], "nedsatt_arbeidsevne_overgang_arbeid": ["F"],
               "sosialhjelpsmottakere_andel": ["C"], "netto_driftsutgifter_sosialtjenesten": ["C"]}


def test_results_figure_marks_the_best_office_by_colour_and_label():
    fig = figures.draw_results(thesis_results())
    assert marked(fig) == THESIS_BEST
    assert accent_bars(fig) == THESIS_BEST
    titles = [ax.get_title(loc="left") for ax in fig.axes]
    assert "(høyere er bedre)" in titles[0] and "(lavere er bedre)" in titles[3]
    assert [ax.get_xlabel() for ax in fig.axes] == ["Prosent", "Prosent", "Prosent", "Kroner"]


def test_the_mark_follows_beste_in_the_results_when_the_data_change():
    r = thesis_results()
    ind = r["indikatorer"][0]
    ind["verdier"]["C"] = 60.0  # made up: C now best on job transitions
    ind["beste"] = ["C"]
    r["indikatorer"][3]["verdier"]["E"] = 1500.0  # made up: E now cheapest
    r["indikatorer"][3]["beste"] = ["E"]
    fig = figures.draw_results(r)
    got = marked(fig)
    assert got["arbeidssokere_overgang_arbeid"] == ["C"]
    assert got["netto_driftsutgifter_sosialtjenesten"] == ["E"]
    assert accent_bars(fig) == got


def test_ties_mark_every_office_in_beste():
    r = thesis_results()
    ind = r["indikatorer"][1]
    ind["verdier"]["A"] = 47.0  # made up: A ties with F
    ind["beste"] = ["F", "A"]
    assert marked(figures.draw_results(r))["nedsatt_arbeidsevne_overgang_arbeid"] == ["A", "F"]


@pytest.mark.parametrize("beste, message", [(None, "mangler"), ([], "mangler"), (["F", "G"], "'G'")])
def test_a_missing_beste_or_one_naming_an_office_without_a_value_is_an_error(beste, message):
    r = thesis_results()
    if beste is None:
        del r["indikatorer"][1]["beste"]
    else:
        r["indikatorer"][1]["beste"] = beste
    with pytest.raises(figures.ResultsError, match=message):
        figures.draw_results(r)
    with pytest.raises(figures.ResultsError, match="nedsatt_arbeidsevne_overgang_arbeid"):
        figures.alt_text(r)


def test_results_labels_are_norwegian_and_readable():
    fig = figures.draw_results(thesis_results())
    fig.canvas.draw()
    shown = diagrams.texts(fig)
    for v in ("3,6", "2,9", "2,5 – beste", "3,0", "2841", "1782 – beste", "56 – beste", "Kontor F"):
        assert v in shown
    assert not [s for s in shown if re.fullmatch(r"[\d.]+", s) and "." in s]
    assert diagrams.layout_problems(fig) == []
    w, _ = fig.get_size_inches() * 2.54
    assert abs(w - 16) < 0.01


def test_several_years_draw_lines_with_the_best_highlighted_and_labelled():
    r = with_made_up_years(thesis_results())
    fig = figures.draw_results(r)
    assert marked(fig) == THESIS_BEST
    ax = fig.axes[2]
    lines = {ln.get_gid(): ln for ln in ax.get_lines()}
    best, other = lines["sosialhjelpsmottakere_andel:C"], lines["sosialhjelpsmottakere_andel:A"]
    assert to_hex(best.get_color()) == diagrams.ACCENT and to_hex(other.get_color()) != diagrams.ACCENT
    assert best.get_linewidth() > other.get_linewidth()
    assert list(best.get_xdata()) == [2012, 2013, 2014]
    fig.canvas.draw()
    ticks = [t.get_text() for t in ax.get_yticklabels() if t.get_text()]
    assert ticks and all("." not in t for t in ticks) and any("," in t for t in ticks)
    assert [t.get_text() for t in ax.get_xticklabels()] == ["2012", "2013", "2014"]
    assert diagrams.layout_problems(fig) == []


def test_alt_text_has_every_value_in_norwegian_format():
    r = thesis_results()
    alt = figures.alt_text(r)
    for ind in r["indikatorer"]:
        assert ind["etikett"] in alt
        for k in ind["verdier"]:
            assert f"kontor {k} {ind['tekst'][k]}" in alt
    assert "kontor A 3,6" in alt and "3.6" not in alt
    assert "Best i 2014 er kontor F med 56" in alt and "Best i 2014 er kontor C med 1782" in alt
    assert "høyere er bedre" in alt and "lavere er bedre" in alt


def test_alt_text_follows_the_data_and_the_years():
    r = thesis_results()
    r["indikatorer"][2]["verdier"]["B"] = 2.25  # made up
    r["indikatorer"][2]["tekst"]["B"] = "2,3"
    r["indikatorer"][2]["beste"] = ["B"]
    alt = figures.alt_text(r)
    assert "kontor B 2,3" in alt and "Best i 2014 er kontor B med 2,3" in alt
    multi = figures.alt_text(with_made_up_years(thesis_results()))
    assert "kontor C: 2012 2,3, 2013 2,4, 2014 2,5" in multi
    assert "kontor F: 2012 54, 2013 55, 2014 56" in multi
    assert "2012, 2013 og 2014" in multi


def test_results_svg_is_deterministic_and_cli_writes_it(tmp_path):
    import json

    r = thesis_results()
    assert diagrams.svg_bytes(figures.draw_results(r)) == diagrams.svg_bytes(figures.draw_results(r))
    src = tmp_path / "resultater.json"
    src.write_text(json.dumps(r, ensure_ascii=False), encoding="utf-8")
    out = tmp_path / "figurer" / "resultater.svg"
    assert figures.main(["results", "--src", str(src), "--out", str(out)]) == 0
    first = out.read_bytes()
    assert figures.main(["results", "--src", str(src), "--out", str(out)]) == 0
    assert out.read_bytes() == first and b"<text" not in first
    assert figures.main(["results", "--src", str(tmp_path / "mangler.json"), "--out", str(out)]) == 1
