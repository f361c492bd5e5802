"""The privacy guard, with a made-up private mapping (the names below are invented)."""
import pytest

from scripts.guard import privacy

MADE_UP_MAPPING = "offices:\n  A: '9901'\n  B: '9902'\nnames:\n  A: Oppdiktby\n"


def test_terms_from_private_mapping(tmp_path):
    p = tmp_path / "offices.private.yaml"
    p.write_text(MADE_UP_MAPPING, encoding="utf-8")
    assert privacy.load_private_terms(p) == ["9901", "9902", "Oppdiktby"]
    assert privacy.load_private_terms(tmp_path / "mangler.yaml") == []


def test_finds_names_numbers_phones_and_emails():
    terms = ["9901", "Oppdiktby"]
    text = "Kontor A ligger i oppdiktby. Ring 123 45 678 eller 22 33 44 55, skriv til a.b@example.no."
    found = privacy.findings(text, terms, "x")
    joined = "\n".join(found)
    assert "Oppdiktby" in joined and "123 45 678" in joined and "22 33 44 55" in joined
    assert "a.b@example.no" in joined


def test_table_values_and_dates_are_not_phone_numbers():
    text = "2841 2799 1782 2164 2486 2507 | 15.03.2015 | 285 000 innbyggere | 3,6 | 2013 2014"
    assert privacy.findings(text, [], "x") == []


def test_careless_table_leaks_are_caught(tmp_path):
    html = "<table><tr><td>Kontor A (Oppdiktby)</td><td>52</td></tr></table><img src='data:image/png;base64,OTkwMQ=='>"
    f = tmp_path / "r.html"
    f.write_text(html, encoding="utf-8")
    found = privacy.scan_paths([f], ["Oppdiktby", "9901"])
    assert len(found) == 1 and "Oppdiktby" in found[0]  # the base64 image is not text


def test_check_raises_with_every_finding():
    """Three made-up findings of three kinds (number, name, phone number): the message names each."""
    with pytest.raises(privacy.PrivacyError) as exc:
        privacy.check("kommune 9901 i Oppdiktby, telefon 22 33 44 55", "rapport", ["9901", "Oppdiktby"])
    lines = str(exc.value).splitlines()[1:]
    assert len(lines) == 3
    for term in ("'9901'", "'Oppdiktby'", "'22 33 44 55'"):
        assert sum(term in line for line in lines) == 1, term


def test_a_document_the_guard_cannot_read_is_a_finding(tmp_path):
    broken = tmp_path / "report.pdf"
    broken.write_bytes(b"%PDF-1.7 not really")
    found = privacy.scan_paths([broken], terms=[])
    assert len(found) == 1 and "cannot be read" in found[0] and "report.pdf" in found[0]
