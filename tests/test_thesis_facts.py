"""Checks for the facts taken from the thesis (data/thesis) and the reconstructed bibliography.

Covers the files fakta.yaml, lederdemografi.yaml, hypoteser.yaml, vedlegg.yaml, sitater.csv and
report/references.bib:

* structure: every fact is a mapping with an integer thesis page ``side`` in 1–66;
* H1–H4 are present with a verdict from the allowed set;
* privacy: no phone number or e-mail pattern anywhere in data/thesis, no office letter anywhere
  in lederdemografi.yaml, no leader demographics next to an office letter elsewhere;
* citations: every key in sitater.csv exists in references.bib, and every bib entry has an
  author (or editor) and a year;
* wording: no free-text field repeats 12 or more consecutive words of the thesis (only when the
  thesis text is available next to the repository; skipped otherwise).

The checkers are plain functions, and the ``test_checker_*`` tests feed them bad input, so a
broken checker cannot pass silently.
"""
from __future__ import annotations

import csv
import os
import re
import sys
from pathlib import Path

import pytest
import yaml

_ROOT = Path(__file__).resolve().parent.parent
if str(_ROOT) not in sys.path:
    sys.path.insert(0, str(_ROOT))

from scripts import paths  # noqa: E402

FIRST_PAGE, LAST_PAGE = 1, 66
ALLOWED_VERDICTS = {"støttet", "delvis støttet", "ikke tilstrekkelig grunnlag", "ikke støttet"}
SITATER_HEADER = ["nokkel", "etikett", "sider_sitert", "seksjon", "side", "form", "merknad"]
CITATION_FORMS = {"parentes", "narrativ", "figurkilde", "fotnote"}
NO_FULL_REFERENCE = "Ufullstendig referanse."
# Bibliographic details the thesis does not give; each needs the public record it was checked against.
OUTSIDE_FIELDS = {"journal", "volume", "number", "pages", "publisher", "address", "edition", "isbn", "doi"}

# Works the brief names explicitly; the bib must keep them under these keys.
REQUIRED_BIB_KEYS = {
    "hofstede1981", "johnsen2007", "vabo2012", "fimreite2008", "hood2007", "andersen2008",
    "drucker1954", "drucker1976", "kaplan1992", "kaplan2000", "statskonsult2001", "irwin2002",
    "hovik2008", "krd2002", "lindblom1959", "cohen1972", "finansdepartementet2013", "sso2005",
    "sso2006", "stokland2015", "vanebo2009", "ekspertgruppen2015", "fossestol2014",
    "fimreite2013", "nav2006", "nav2007", "nav2008a", "nav2008b", "nav2015", "ringdal2013",
    "christoffersen2011",
}

# Phone numbers: Norwegian 8-digit numbers written 3-2-3, 2-2-2-2 or solid, optional +47.
PHONE_RES = [
    re.compile(r"(?<![\d.,:/-])(?:\+47[\s-]?)?\d{3}[ -]?\d{2}[ -]?\d{3}(?![\d.,:/-])"),
    re.compile(r"(?<![\d.,:/-])(?:\+47[\s-]?)?\d{2}[ -]\d{2}[ -]\d{2}[ -]\d{2}(?![\d.,:/-])"),
    re.compile(r"\+\d{2}[\s-]?\d"),
]
EMAIL_RE = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")

# Anything that would tie a record to one of the offices A–F.
OFFICE_REF_RES = [
    re.compile(r"(?i)(?<![a-zæøå])kontor[\s_-]*[a-f](?![a-zæøå0-9])"),
    re.compile(r"(?<![\w-])[A-F](?![\w-])"),
]
DEMOGRAPHY_RE = re.compile(
    r"(?i)(ledererfaring|utdanning|kjønn|\bmenn\b|ansettelse|statlig ansatt|kommunalt ansatt|"
    r"erfaring fra (?:statlig|kommunal)|kommunal bakgrunn|statlig bakgrunn|alder\b|år som leder)"
)

SCALAR = (str, int, float, bool, type(None))


# --------------------------------------------------------------------------- loading


def _load_yaml(name: str):
    with open(paths.THESIS / name, encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def _read_sitater() -> list[dict[str, str]]:
    with open(paths.THESIS / "sitater.csv", encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _bib_text() -> str:
    return (paths.REPORT / "references.bib").read_text(encoding="utf-8")


# --------------------------------------------------------------------------- checkers


def _is_page(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and FIRST_PAGE <= value <= LAST_PAGE


def _is_leaf(mapping: dict) -> bool:
    """A fact: a mapping whose values are scalars or lists of scalars."""
    for value in mapping.values():
        if isinstance(value, dict):
            return False
        if isinstance(value, list) and any(not isinstance(v, SCALAR) for v in value):
            return False
    return True


def fact_structure_problems(tree, where: str = "") -> list[str]:
    """Problems in a fact tree: intermediate levels hold only mappings, leaves carry a page."""
    problems: list[str] = []
    if not isinstance(tree, dict) or not tree:
        return [f"{where or '<root>'}: expected a non-empty mapping"]
    if _is_leaf(tree):
        if "side" not in tree:
            problems.append(f"{where}: fact without 'side'")
        elif not _is_page(tree["side"]):
            problems.append(f"{where}: side={tree['side']!r} is not a page in {FIRST_PAGE}-{LAST_PAGE}")
        return problems
    for key, value in tree.items():
        sub = f"{where}.{key}" if where else str(key)
        if not re.fullmatch(r"[a-z][a-z0-9_]*", str(key)):
            problems.append(f"{sub}: key is not ASCII snake_case")
        if isinstance(value, dict):
            problems.extend(fact_structure_problems(value, sub))
        else:
            problems.append(f"{sub}: loose value at an intermediate level (wrap it in a fact mapping)")
    return problems


def page_field_problems(node, where: str = "") -> list[str]:
    """Every thesis-page field anywhere (side, *_side except kilde_side, sider) is a valid page."""
    problems: list[str] = []
    if isinstance(node, dict):
        for key, value in node.items():
            sub = f"{where}.{key}" if where else str(key)
            is_page_key = key == "side" or (str(key).endswith("_side") and key != "kilde_side")
            if is_page_key and not _is_page(value):
                problems.append(f"{sub}: {value!r} is not a thesis page")
            elif key == "sider":
                if not isinstance(value, list) or not value or not all(_is_page(v) for v in value):
                    problems.append(f"{sub}: {value!r} is not a list of thesis pages")
            else:
                problems.extend(page_field_problems(value, sub))
    elif isinstance(node, list):
        for i, item in enumerate(node):
            problems.extend(page_field_problems(item, f"{where}[{i}]"))
    return problems


def contact_problems(text: str, where: str = "") -> list[str]:
    """Phone-number or e-mail patterns in a text."""
    found = [m.group(0) for rx in PHONE_RES for m in rx.finditer(text)]
    found += [m.group(0) for m in EMAIL_RE.finditer(text)]
    return [f"{where}: contact-like text {hit!r}" for hit in found]


def _strings(node, where: str = ""):
    """Yield (path, key, string) for every string key or value in a YAML tree."""
    if isinstance(node, dict):
        for key, value in node.items():
            sub = f"{where}.{key}" if where else str(key)
            yield sub, "<key>", str(key)
            if isinstance(value, str):
                yield sub, str(key), value
            else:
                yield from _strings(value, sub)
    elif isinstance(node, list):
        for i, item in enumerate(node):
            if isinstance(item, str):
                yield f"{where}[{i}]", "<item>", item
            else:
                yield from _strings(item, f"{where}[{i}]")


def office_reference_problems(raw_text: str, tree) -> list[str]:
    """Anything in a file (comments included) that names or codes one of the offices A–F."""
    problems = []
    for lineno, line in enumerate(raw_text.splitlines(), 1):
        for rx in OFFICE_REF_RES:
            for m in rx.finditer(line):
                problems.append(f"line {lineno}: office reference {m.group(0)!r}")
    for where, _key, text in _strings(tree):
        if text.strip().upper() in {"A", "B", "C", "D", "E", "F"}:
            problems.append(f"{where}: bare office letter {text!r}")
        elif OFFICE_REF_RES[0].search(text):
            problems.append(f"{where}: office reference {text!r}")
    return problems


def demography_next_to_office(node, where: str = "") -> list[str]:
    """Facts (leaf mappings or list items) that mention both an office letter and demographics."""
    problems: list[str] = []
    if isinstance(node, dict):
        if _is_leaf(node):
            blob = " ".join(f"{k} {v}" for k, v in node.items())
            names_office = "kontor" in node or bool(OFFICE_REF_RES[0].search(blob))
            if names_office and DEMOGRAPHY_RE.search(blob):
                problems.append(f"{where}: leader demographics next to an office letter")
            return problems
        for key, value in node.items():
            problems.extend(demography_next_to_office(value, f"{where}.{key}" if where else str(key)))
    elif isinstance(node, list):
        for i, item in enumerate(node):
            problems.extend(demography_next_to_office(item, f"{where}[{i}]"))
    elif isinstance(node, str):
        if OFFICE_REF_RES[0].search(node) and DEMOGRAPHY_RE.search(node):
            problems.append(f"{where}: leader demographics next to an office letter")
    return problems


def parse_bib(text: str) -> dict[str, dict[str, str]]:
    """Minimal BibTeX reader: {key: {'ENTRYTYPE': type, field: value}}. Raises on bad syntax."""
    entries: dict[str, dict[str, str]] = {}
    i, n = 0, len(text)
    while True:
        at = text.find("@", i)
        if at < 0:
            return entries
        m = re.match(r"@(\w+)\s*\{", text[at:])
        if not m:
            raise ValueError(f"bad entry start at offset {at}")
        etype = m.group(1).lower()
        j = at + m.end()
        if etype in {"comment", "preamble", "string"}:
            depth = 1
            while depth and j < n:
                depth += {"{": 1, "}": -1}.get(text[j], 0)
                j += 1
            i = j
            continue
        km = re.match(r"\s*([^,\s{}]+)\s*,", text[j:])
        if not km:
            raise ValueError(f"entry at offset {at} has no key")
        key = km.group(1)
        if key in entries:
            raise ValueError(f"duplicate key {key}")
        j += km.end()
        fields = {"ENTRYTYPE": etype}
        while True:
            fm = re.match(r"\s*(\}|([A-Za-z][\w-]*)\s*=\s*)", text[j:])
            if not fm:
                raise ValueError(f"{key}: cannot parse field near offset {j}")
            j += fm.end()
            if fm.group(1) == "}":
                break
            name = fm.group(2).lower()
            if text[j] == "{":
                depth, start = 0, j
                while True:
                    if j >= n:
                        raise ValueError(f"{key}: unbalanced braces in {name}")
                    depth += {"{": 1, "}": -1}.get(text[j], 0)
                    j += 1
                    if depth == 0:
                        break
                value = text[start + 1 : j - 1]
            elif text[j] == '"':
                end = text.index('"', j + 1)
                value, j = text[j + 1 : end], end + 1
            else:
                vm = re.match(r"[\w-]+", text[j:])
                if not vm:
                    raise ValueError(f"{key}: bad value for {name}")
                value, j = vm.group(0), j + vm.end()
            if name in fields:
                raise ValueError(f"{key}: field {name} given twice")
            fields[name] = value
            sep = re.match(r"\s*(,|\})", text[j:])
            if not sep:
                raise ValueError(f"{key}: expected ',' or '}}' after {name}")
            j += sep.end()
            if sep.group(1) == "}":
                break
        entries[key] = fields
        i = j


def bib_problems(entries: dict[str, dict[str, str]]) -> list[str]:
    problems = []
    for key, fields in entries.items():
        if not (fields.get("author") or fields.get("editor")):
            problems.append(f"{key}: no author or editor")
        if not re.fullmatch(r"\d{4}", fields.get("year", "")):
            problems.append(f"{key}: year missing or not four digits")
        if "title" not in fields and NO_FULL_REFERENCE not in fields.get("note", ""):
            problems.append(f"{key}: no title and no note saying the reference is incomplete")
        if OUTSIDE_FIELDS & set(fields) and not fields.get("katalogpost"):
            problems.append(f"{key}: {sorted(OUTSIDE_FIELDS & set(fields))} without the katalogpost it was checked against")
    return problems


def _words(text: str) -> list[str]:
    return re.findall(r"[\wæøåÆØÅ]+(?:-[\wæøåÆØÅ]+)*", text.lower())


def shared_run_problems(source_words: list[str], texts, run: int = 12) -> list[str]:
    """Texts that repeat `run` or more consecutive words of the source."""
    grams = {tuple(source_words[i : i + run]) for i in range(len(source_words) - run + 1)}
    problems = []
    for where, text in texts:
        words = _words(text)
        for i in range(len(words) - run + 1):
            if tuple(words[i : i + run]) in grams:
                problems.append(f"{where}: repeats the thesis: {' '.join(words[i : i + run])!r}")
                break
    return problems


def _thesis_text_path() -> Path | None:
    override = os.environ.get("NAVRAPPORT_THESIS_TEXT")
    candidates = [Path(override)] if override else []
    for base in (paths.ROOT.parent, _ROOT.parent):
        candidates.append(base / "shared" / "seed" / "000_06afcdfa7fc2040d.txt")
    return next((p for p in candidates if p.is_file()), None)


# --------------------------------------------------------------------------- checker self-tests


def test_checker_catches_missing_and_bad_pages():
    bad = {"utvalg": {"a": {"verdi": 6}, "b": {"verdi": 1, "side": 99}, "c": 5}}
    problems = fact_structure_problems(bad)
    assert any("without 'side'" in p for p in problems)
    assert any("not a page" in p for p in problems)
    assert any("loose value" in p for p in problems)
    assert fact_structure_problems({"utvalg": {"a": {"verdi": 6, "side": 31}}}) == []
    assert page_field_problems({"x": {"kilde_side": 193, "side": 0}}) == ["x.side: 0 is not a thesis page"]


def test_checker_catches_contact_details():
    assert contact_problems("ring 123 45 678 i dag")
    assert contact_problems("ring 12 34 56 78")
    assert contact_problems("ring 12345678")
    assert contact_problems("skriv til navn.navnesen@example.org")
    assert not contact_problems("godkjent 2014-10-27, 27.10.14, ca. 285.000 innbyggere, 2108 til 1934")
    assert not contact_problems("kontor,indikator,2014,2841,40\nsider 104, 110 og 9, 27")


def test_checker_catches_office_letters_and_demographics():
    assert office_reference_problems("x: 1\n", {"leder_kontor_c": {"side": 1}})
    assert office_reference_problems("# Kontor F har ...\n", {})
    assert office_reference_problems("x: 1\n", {"x": {"kontor": "E", "side": 1}})
    assert not office_reference_problems("x: alle er menn\n", {"x": {"tekst": "alle er menn", "side": 39}})
    linked = {"r": {"kontor": "C", "tekst": "lang kommunal ledererfaring", "side": 55}}
    assert demography_next_to_office(linked)
    assert not demography_next_to_office({"r": {"kontor": "C", "side": 55}})


def test_checker_parses_and_rejects_bib():
    good = "% c\n@book{a2000,\n  author = {{Org}},\n  year = {2000},\n  title = {T {X} y}\n}\n"
    entries = parse_bib(good)
    assert entries["a2000"]["title"] == "T {X} y"
    assert bib_problems(entries) == []
    assert bib_problems(parse_bib("@misc{b2001, year = {2001}}"))  # no author, no title, no note
    with pytest.raises(ValueError):
        parse_bib("@misc{c, author = {X}, year = {2001}}\n@misc{c, author = {Y}, year = {2002}}")
    with pytest.raises(ValueError):
        parse_bib("@misc{d, author = {X, year = 2001}")


def test_checker_catches_shared_runs():
    source = _words("en to tre fire fem seks sju åtte ni ti elleve tolv tretten")
    assert shared_run_problems(source, [("x", "null en to tre fire fem seks sju åtte ni ti elleve tolv")])
    assert not shared_run_problems(source, [("x", "en to tre fire fem seks sju åtte ni ti elleve")])


# --------------------------------------------------------------------------- fakta.yaml


def test_fakta_structure_and_pages():
    fakta = _load_yaml("fakta.yaml")
    assert fact_structure_problems(fakta) == []
    assert page_field_problems(fakta) == []


def test_fakta_has_the_agreed_top_level_keys():
    fakta = _load_yaml("fakta.yaml")
    required = {
        "utvalg", "informanter", "intervjuer", "dokumenter", "nsd", "assosiasjonsark_oppgitt_antall",
        "malekort", "store_kontorer", "sosialhjelp_mottakere", "nav_evaluering", "partnerskapsmote",
        "lover",
    }
    assert required <= set(fakta)


def test_fakta_key_values():
    f = _load_yaml("fakta.yaml")
    assert f["utvalg"]["antall_kontorer"]["verdi"] == 6
    assert (f["utvalg"]["arsverk"]["min"], f["utvalg"]["arsverk"]["maks"]) == (70, 160)
    assert (f["utvalg"]["etablert"]["fra"], f["utvalg"]["etablert"]["til"]) == (2007, 2010)
    assert f["utvalg"]["antall_fylker"]["verdi"] == 4
    assert f["utvalg"]["innbyggere"]["per_dato"] == "2014-12-31"
    assert f["informanter"]["nav_ledere_forespurt"]["verdi"] == 8
    assert f["informanter"]["nav_ledere_deltok"]["verdi"] == 6
    assert f["intervjuer"]["planlagt_varighet"]["verdi"] == 1
    assert (f["intervjuer"]["faktisk_varighet"]["min"], f["intervjuer"]["faktisk_varighet"]["maks"]) == (1, 2)
    assert f["intervjuer"]["periode"]["verdi"] == 3
    assert f["dokumenter"]["kostra"]["publisert"] == "2015-03-15"
    assert f["nsd"]["godkjent"]["dato"] == "2014-10-27"
    assert f["assosiasjonsark_oppgitt_antall"]["verdi"] == 24
    assert f["malekort"]["anbefalte_kommunale_indikatorer"]["verdi"] == 5
    assert f["malekort"]["kontorer_stat_og_kommune_2014"]["verdi"] == 5
    assert (f["malekort"]["indikatorer_totalt_2014"]["min"], f["malekort"]["indikatorer_totalt_2014"]["maks"]) == (13, 31)
    assert f["store_kontorer"]["andel_over_50_ansatte"]["verdi"] == 14
    b = f["sosialhjelp_mottakere"]["kontor_b"]
    assert (b["fra"], b["til"]) == (2108, 1934)
    # The thesis gives no number for office E: none may be stored.
    assert not ({"fra", "til", "verdi"} & set(f["sosialhjelp_mottakere"]["kontor_e"]))
    assert f["partnerskapsmote"]["frekvens"]["per_aar"] == 2


def _kilde_values(node):
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "kilde" and isinstance(value, str):
                yield value
            else:
                yield from _kilde_values(value)
    elif isinstance(node, list):
        for item in node:
            yield from _kilde_values(item)


def test_fakta_kilde_keys_exist_in_bib():
    keys = set(parse_bib(_bib_text()))
    bib_like = [k for k in _kilde_values(_load_yaml("fakta.yaml")) if re.fullmatch(r"[a-z]+\d{4}[a-z]?", k)]
    assert bib_like, "no bib keys found under 'kilde'"
    assert set(bib_like) - keys == set()


def test_fakta_lover_cover_the_statutes():
    lover = _load_yaml("fakta.yaml")["lover"]
    refs = {(v["lov"], v.get("paragraf") or f"kap. {v.get('kapittel')}") for v in lover.values()}
    for expected in [("NAV-loven", "§ 2"), ("NAV-loven", "§ 13"), ("NAV-loven", "§ 14"),
                     ("kommuneloven", "kap. 8"), ("kommuneloven", "§ 23.2")]:
        assert expected in refs
    assert {v["paragraf"] for v in lover.values() if "økonomistyring" in v["lov"]} == {"§ 4", "§ 7"}


# --------------------------------------------------------------------------- lederdemografi.yaml


def test_lederdemografi_structure():
    demo = _load_yaml("lederdemografi.yaml")
    assert fact_structure_problems(demo) == []
    assert page_field_problems(demo) == []
    erfaring = demo["ledererfaring_aar"]
    assert (erfaring["min"], erfaring["maks"], erfaring["snitt_omtrent"]) == (13, 33, 22)
    assert erfaring["tekst"] == "drøyt 22"
    assert demo["kjonn"]["alle_menn"] is True
    assert demo["ansettelsesforhold"]["alle_statlig_ansatt"] is True


def test_lederdemografi_never_names_an_office():
    raw = (paths.THESIS / "lederdemografi.yaml").read_text(encoding="utf-8")
    assert office_reference_problems(raw, yaml.safe_load(raw)) == []


def test_no_demographics_next_to_office_letters_elsewhere():
    for name in ("fakta.yaml", "hypoteser.yaml", "vedlegg.yaml"):
        assert demography_next_to_office(_load_yaml(name), name) == []


# Demographics proper: never beside a letter, not even in the one file that ties a background to one.
DEMOGRAPHY_PROPER_RE = re.compile(r"(?i)(utdanning|kjønn|\bmenn\b|kvinne|alder\b|\d+\s*år|ansatt)")


def test_letter_linked_background_is_only_what_4_2_4_says():
    """lederbakgrunn_4_2_4.yaml: the thesis ties a leader's state or municipal background to an
    office letter in 4.2.4 (pp. 55–56), and its conclusion rests on it. The file holds that and no
    more: letter, background, page 55 or 56; no age, gender, education, tenure or employer."""
    facts = _load_yaml("lederbakgrunn_4_2_4.yaml")
    assert {"kontor_c", "avsnittet_om_kontor_e", "skala"} <= set(facts)
    for key, fact in facts.items():
        assert set(fact) <= {"kontor", "kontorer", "bakgrunn", "side"}, key
        assert fact["side"] in (55, 56), key
        assert not DEMOGRAPHY_PROPER_RE.search(fact["bakgrunn"]), (key, fact["bakgrunn"])
    assert "kommunal" in facts["kontor_c"]["bakgrunn"] and facts["kontor_c"]["kontor"] == "C"
    assert "statlig" in facts["avsnittet_om_kontor_e"]["bakgrunn"]
    assert facts["skala"]["kontorer"] == ["C", "F"]


def test_thesis_facts_refuse_more_than_the_letter_linked_background(tmp_path):
    from scripts.data.thesis import FactsError, collect
    for name in ("fakta", "lederdemografi", "hypoteser", "vedlegg"):
        (tmp_path / f"{name}.yaml").write_text((paths.THESIS / f"{name}.yaml").read_text(encoding="utf-8"),
                                               encoding="utf-8")
    (tmp_path / "lederbakgrunn_4_2_4.yaml").write_text(
        "kontor_c:\n  kontor: C\n  bakgrunn: x\n  alder: 50\n  side: 55\n", encoding="utf-8")
    with pytest.raises(FactsError, match="lederbakgrunn_4_2_4"):
        collect(tmp_path)


# --------------------------------------------------------------------------- hypoteser.yaml


def test_hypoteser():
    hyps = _load_yaml("hypoteser.yaml")["hypoteser"]
    assert [h["id"] for h in hyps] == ["H1", "H2", "H3", "H4"]
    for number, h in enumerate(hyps, 1):
        assert h["tekst"].strip()
        assert _is_page(h["side"])
        assert h["seksjon"] == f"4.2.{number}"
        assert _is_page(h["seksjon_side"])
        assert h["teori"]["tekst"].strip() and _is_page(h["teori"]["side"])
        v = h["vurdering"]
        assert v["kategori"] in ALLOWED_VERDICTS, (h["id"], v["kategori"])
        sentences = [s for s in re.split(r"(?<=[.!?])\s+", v["begrunnelse"].strip()) if s]
        assert 2 <= len(sentences) <= 3, (h["id"], len(sentences))
        assert _is_page(v["side"])
        for merknad in h.get("merknader", []):
            assert merknad["tekst"].strip() and _is_page(merknad["side"])
    assert page_field_problems(hyps) == []
    h4 = hyps[3]
    assert any("kontor F" in m["tekst"] and "kontor E" in m["tekst"] for m in h4["merknader"])


def test_hypotheses_are_the_thesis_words():
    """The hypotheses are the one place where the thesis's words stand as they are (p. 30)."""
    source = _thesis_text_path()
    if source is None:
        pytest.skip("thesis text not found next to the repository")
    thesis = " ".join(source.read_text(encoding="utf-8").split())
    for h in _load_yaml("hypoteser.yaml")["hypoteser"]:
        assert f"{h['id']} {h['tekst']}" in thesis, h["id"]


def test_hypotese_kilder_exist_in_bib():
    keys = set(parse_bib(_bib_text()))
    for h in _load_yaml("hypoteser.yaml")["hypoteser"]:
        assert set(h["teori"]["kilder"]) <= keys, h["id"]


# --------------------------------------------------------------------------- vedlegg.yaml


def test_vedlegg():
    v = _load_yaml("vedlegg.yaml")
    titles = {k: v[k]["tittel"] for k in ("vedlegg_1", "vedlegg_2", "vedlegg_3", "vedlegg_4")}
    assert titles == {
        "vedlegg_1": "Godkjenning fra NSD",
        "vedlegg_2": "Samtykkeskjema informanter",
        "vedlegg_3": "Intervjuguide",
        "vedlegg_4": "Assosiasjonsark",
    }
    assert page_field_problems(v) == []
    assert v["vedlegg_1"]["godkjent_dato"] == "2014-10-27"
    for seksjon in v["vedlegg_2"]["seksjoner"]:
        assert seksjon["overskrift"] and seksjon["sammendrag"].strip() and _is_page(seksjon["side"])
    deler = [d["del"] for d in v["vedlegg_3"]["deler"]]
    assert deler == ["Innledning", "Faktaspørsmål", "Introduksjonsspørsmål", "Nøkkelspørsmål", "Avslutning"]
    temaer = [t["tema"] for t in v["vedlegg_3"]["deler"][3]["temaer"]]
    assert temaer == ["Organiseringens påvirkning", "Målbildet", "Bruk av styringsverktøy", "Partnerskapets føringer"]
    assert v["vedlegg_3"]["tilpasset_versjon"]["finnes"] is True
    forms = v["vedlegg_4"]["styringsformer"]
    assert len(forms) == v["vedlegg_4"]["lesbart_antall"] == 23
    assert len({f["navn"] for f in forms}) == 23
    assert forms[-1] == {"navn": "Rammestyring", "trykt": "Rammestyrin", "avkuttet_i_kilden": True}
    assert not any(f.get("avkuttet_i_kilden") for f in forms[:-1])
    assert v["vedlegg_4"]["oppgitt_antall"] == 24


# --------------------------------------------------------------------------- privacy across data/thesis


def test_no_contact_details_in_data_thesis():
    problems = []
    files = sorted(p for p in paths.THESIS.rglob("*") if p.is_file())
    assert files, "data/thesis is empty"
    for path in files:
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue
        problems += contact_problems(text, str(path.relative_to(paths.THESIS)))
    problems += contact_problems(_bib_text(), "references.bib")
    assert problems == []


# --------------------------------------------------------------------------- sitater.csv and references.bib


def test_bib_parses_with_author_and_year():
    entries = parse_bib(_bib_text())
    assert REQUIRED_BIB_KEYS <= set(entries), REQUIRED_BIB_KEYS - set(entries)
    assert bib_problems(entries) == []
    assert _bib_text().lstrip().startswith("%"), "explanatory comment missing at the top"


def test_sitater_rows():
    with open(paths.THESIS / "sitater.csv", encoding="utf-8", newline="") as fh:
        assert next(csv.reader(fh)) == SITATER_HEADER
    rows = _read_sitater()
    assert len(rows) > 100
    for row in rows:
        where = f"{row['nokkel']} s. {row['side']}"
        assert re.fullmatch(r"\d+", row["side"]) and _is_page(int(row["side"])), where
        assert re.fullmatch(r"[1-5](\.\d){0,2}", row["seksjon"]), where
        assert row["form"] in CITATION_FORMS, where
        assert re.fullmatch(r"(\d+(-\d+)?(, \d+)*)?", row["sider_sitert"]), where


def test_sitater_keys_exist_in_bib_and_every_entry_is_cited():
    keys = set(parse_bib(_bib_text()))
    cited = {row["nokkel"] for row in _read_sitater()}
    assert cited - keys == set()
    assert keys - cited == set()


# --------------------------------------------------------------------------- wording


def test_free_text_does_not_repeat_the_thesis():
    source = _thesis_text_path()
    if source is None:
        pytest.skip("thesis text not found next to the repository")
    words = _words(source.read_text(encoding="utf-8"))
    texts = []
    for name in ("fakta.yaml", "lederdemografi.yaml", "hypoteser.yaml", "vedlegg.yaml", "README.md"):
        path = paths.THESIS / name
        if name.endswith(".md"):
            texts.append((name, path.read_text(encoding="utf-8")))
            continue
        for where, _key, text in _strings(_load_yaml(name), name):
            # The hypotheses stand in the thesis's own words (they are quoted, with their page).
            if re.fullmatch(r"hypoteser\.yaml\.hypoteser\[[0-3]\]\.tekst", where):
                continue
            texts.append((where, text))
    assert shared_run_problems(words, texts) == []


def test_review_checklist_names_every_part_of_the_thesis():
    """data/thesis/gjennomlesing.csv: one row per part of the thesis, each with a page, a report
    file that exists and an honest state of the comparison."""
    with open(paths.THESIS / "gjennomlesing.csv", encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    parts = {r["seksjon"] for r in rows}
    assert {"Sammendrag", "Abstract", "Forord", "1", "2.3", "3.3", "5", "Litteraturliste",
            "Vedlegg 1", "Vedlegg 4"} <= parts
    for r in rows:
        assert r["sammenliknet"] in {"ja", "delvis", "nei"}, r
        assert _is_page(int(r["side"])), r
        assert (paths.REPORT / r["rapportfil"]).exists(), r
        assert r["merknad"].strip(), r
