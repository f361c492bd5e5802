"""The privacy guard's matching, with a made-up private mapping (every name and number below is
invented; "Oppdiktby" and 99xx are not municipalities). Unit level: fast enough for `.ci/run`."""
import base64
import io
import sys
import unicodedata
import zipfile

import pytest

from scripts.guard import extract, privacy
from scripts.guard.privacy import Term

MADE_UP_MAPPING = "offices:\n  A: '9901'\n  B: '9902'\nnames:\n  A: Oppdiktby\n"
TERMS = [Term("Oppdiktby", "C", "navn"), Term("9903", "C", "nummer"), Term("Nedre Fjelldikt", "D", "navn")]


def kinds(text, terms=TERMS, allow=None, file=""):
    return sorted({(k, letter) for k, letter, _ in privacy.hits(text, terms, file, allow)})


def test_terms_from_private_mapping_carry_their_office_letter(tmp_path):
    p = tmp_path / "offices.private.yaml"
    p.write_text(MADE_UP_MAPPING, encoding="utf-8")
    assert privacy.load_private_terms(p) == ["9901", "9902", "Oppdiktby"]
    assert set(privacy.load_terms(p)) == {Term("9901", "A", "nummer"), Term("9902", "B", "nummer"),
                                         Term("Oppdiktby", "A", "navn")}
    assert privacy.load_terms(tmp_path / "mangler.yaml") == []


@pytest.mark.parametrize("text", [
    "Kontoret i Oppdiktby", "OPPDIKTBY", "oppdiktby",
    "Oppdikt**by**", "Oppdikt<strong>by</strong>", "Oppdikt<span class='x'>by</span>", "Oppdikt#emph[by]",
    "Oppdikt\\*by", "`Oppdikt`by",
    "Oppdiktbys kontor", "Oppdiktbymodellen", "Stor-Oppdiktby", "Oppdiktby-kontoret",  # inflected, compound
    "Opp\u00addiktby", "Opp\u200bdiktby", "Opp\u200ddiktby", "Opp\u2060diktby", "\ufeffOppdiktby",  # invisible
    "Ｏｐｐｄｉｋｔｂｙ", "Oppdiktb\u0443", "\u041e\u0440pdiktby",  # full width (NFKC), Cyrillic look-alikes
    "O p p d i k t b y", "o.p.p.d.i.k.t.b.y",  # spaced out
    "Opp&#100;iktby", "Opp&#x64;iktby", "Opp&amp;#100;iktby", "Oppdikt&shy;by",  # entities, double-escaped
    "Oppdikt-\nby",  # hyphenated at a line end (PDF)
])
def test_a_name_is_found_in_every_disguise(text):
    assert ("navn", "C") in kinds(text), text


@pytest.mark.parametrize("text", ["Nedre Fjelldikt", "nedre-fjelldikt", "Nedre\nFjelldikt", "NedreFjelldikts"])
def test_a_name_of_several_words_is_found_however_they_are_joined(text):
    assert ("navn", "D") in kinds(text)


@pytest.mark.parametrize("text", ["Oppdiktet by", "hoppdiktby", "Oppdikt by", "19903", "99031", "Kontor C",
                                  "kontor i A og B", "a b c d e f"])
def test_near_misses_are_not_findings(text):
    assert kinds(text) == []


@pytest.mark.parametrize("text", ["kommune 9903", "K9903", "(9903)", "９９０３"])
def test_a_municipality_number_is_found_next_to_anything_but_a_digit(text):
    assert kinds(text) == [("nummer", "C")]


@pytest.mark.parametrize("text", [
    "99999999", "999 99 999", "999-99-999", "999.99.999", "99 99 99 99", "99-99-99-99", "99.99.99.99",
    "999\u00a099\u00a0999", "+47 99999999", "+4799999999", "0047 999 99 999", "(+47) 99 99 99 99",
    "+47 9999 9999", "tlf.: 999 99 999.", "999 - 99 - 999", "999\u201199\u2011999",
])
def test_phone_numbers_in_every_norwegian_writing(text):
    assert kinds(text) == [("telefon", "")], text


@pytest.mark.parametrize("text", [
    "2841 2799 1782 2164 2486 2507", "15.03.2015", "285 000 innbyggere", "3,6", "2013 2014",
    "1 234 567", "12 345 678,5", "sha256 9f3a12345678bc", "side 9999 9999",
    "52\u202952\u202950\u202953",  # four figure labels side by side, not one number
    "20 000–49 999 innbyggere", "20 300–49 999",  # a size class of the office reports: a range
    "01234567", "1 23 45 67 8",  # Norwegian eight-digit numbers start with 2–9
])
def test_table_values_dates_and_hashes_are_not_phone_numbers(text):
    assert kinds(text) == []


@pytest.mark.parametrize("text", [
    "ola.nordmann@example.no", "ola (at) example.no", "ola[at]example[dot]no", "ola {at} example (punktum) no",
    "ola <at> example.no", "ola krøllalfa example punktum no", "ola snabel-a example.no", "ola＠example.no",
    "ola\\@example.no", "ola&#64;example.no", "ola&commat;example.no", "ola (at)\nexample.no",
])
def test_e_mail_addresses_and_their_usual_disguises(text):
    assert kinds(text) == [("e-post", "")], text


@pytest.mark.parametrize("text", ["Kontor @tbl-resultater", "[@johnsen2007, s. 109]", "viser at nav.no er", "a @ b"])
def test_citations_and_ordinary_words_are_not_e_mail(text):
    assert kinds(text) == []


def test_every_invisible_format_character_is_removed():
    missing = [hex(c) for c in range(sys.maxunicode + 1)
               if unicodedata.category(chr(c)) == "Cf" and not privacy.INVISIBLE.match(chr(c))]
    assert missing == []


# --- allow-list --------------------------------------------------------------------------

def write_allow(tmp_path, body):
    p = tmp_path / "privacy_allow.yaml"
    p.write_text(body, encoding="utf-8")
    return privacy.load_allow_list(p)


def test_allow_list_allows_the_phrase_only_where_it_says(tmp_path):
    allow = write_allow(tmp_path, "tillatt:\n  - tekst: Høgskolen i Oppdiktby\n    hvor: ['build/report.*']\n"
                                  "    hvorfor: lærestedet, ikke et kontor\n")
    text = "Levert ved HØGSKOLEN I OPPDIKT**BY**, som ligger i\nOppdiktby."
    assert kinds("Levert ved Høgskolen i\nOppdiktby.", allow=allow, file="build/report.html") == []
    # The phrase is allowed, the bare name in the next sentence is not.
    assert kinds(text, allow=allow, file="build/report.html") == [("navn", "C")]
    # Nor is the phrase in a file the entry does not name.
    assert kinds("Høgskolen i Oppdiktby", allow=allow, file="build/results/fakta.json") == [("navn", "C")]


def test_allow_list_phrase_does_not_cover_an_inflected_neighbour(tmp_path):
    allow = write_allow(tmp_path, "tillatt:\n  - tekst: Høgskolen i Oppdiktby\n    hvor: ['*']\n    hvorfor: x\n")
    assert kinds("Høgskolen i Oppdiktbymodellen", allow=allow, file="r.html") == []  # inside the phrase
    assert kinds("Oppdiktbymodellen ved Høgskolen", allow=allow, file="r.html") == [("navn", "C")]


@pytest.mark.parametrize("body, message", [
    ("tillatt:\n  - tekst: Oppdiktby\n    hvor: ['*']\n    hvorfor: x\n", "minst to ord"),
    ("tillatt:\n  - tekst: Høgskolen i Oppdiktby\n    hvor: ['*']\n", "tekst, hvor og hvorfor"),
    ("tillatt:\n  - tekst: Høgskolen i Oppdiktby\n    hvor: []\n    hvorfor: x\n", "må være utfylt"),
    ("tillatt: ja\n", "forventet en liste"),
])
def test_allow_list_entries_must_say_what_where_and_why(tmp_path, body, message):
    with pytest.raises(privacy.PrivacyError, match=message):
        write_allow(tmp_path, body)


def test_the_tracked_allow_list_is_valid_and_every_entry_says_why():
    entries = privacy.load_allow_list()
    assert entries and all(len(e.why) > 20 and e.where for e in entries)


# --- readers: located text from the final bytes -------------------------------------------

def svg(label):
    return f'<svg xmlns="http://www.w3.org/2000/svg"><!-- {label} --><g id="text_1"><path d="M 0 0"/></g></svg>'


def test_html_reads_split_names_attributes_comments_and_every_data_uri():
    b64 = base64.b64encode(svg("Opp&#100;iktby").encode()).decode()
    pct = "%3Csvg%3E%3Ctext%3EOppdiktby%3C/text%3E%3C/svg%3E"
    html = ("<section id='sec-a'><h2>A</h2>\n<p>Dram<em>men</em> og Oppdikt<strong>by</strong></p>\n</section>\n"
            f"<section id='sec-b'>\n<img alt='x' src='data:image/svg+xml;base64,{b64}'>\n"
            f"<img src=\"data:image/svg+xml,{pct}\">\n<a href='mailto:ola@example.no'>x</a></section>")
    text = " ".join(s.text for s in extract.html_segments(html))
    assert "Drammen" in text
    assert len(privacy.hits(text, TERMS)) >= 2


def test_png_text_chunks_are_read():
    import struct
    import zlib

    def chunk(kind, body):
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    png = b"\x89PNG\r\n\x1a\n" + chunk(b"tEXt", b"Title\0Oppdiktby") + chunk(b"IEND", b"")
    assert "Oppdiktby" in extract.png_text(png)
    html = f"<img src='data:image/png;base64,{base64.b64encode(png).decode()}'>"
    assert kinds(" ".join(s.text for s in extract.html_segments(html))) == [("navn", "C")]


def make_docx(paragraph_xml: str) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("word/document.xml", f'<w:document><w:body><w:p><w:r><w:t>Innledning</w:t></w:r></w:p>'
                                        f'{paragraph_xml}</w:body></w:document>')
        z.writestr("docProps/core.xml", "<cp:coreProperties><dc:title>Rapport</dc:title></cp:coreProperties>")
    return buf.getvalue()


def test_docx_runs_are_joined_within_a_paragraph_and_located(tmp_path):
    runs = ('<w:p><w:r><w:t>Kontoret i Dram</w:t></w:r><w:r><w:rPr><w:b/></w:rPr><w:t>men</w:t></w:r>'
            '<w:r><w:t xml:space="preserve"> og Opp</w:t></w:r><w:r><w:t>diktby</w:t></w:r></w:p>')
    f = tmp_path / "report.docx"
    f.write_bytes(make_docx(runs))
    found = privacy.scan_file(f, TERMS)
    assert [(x.kind, x.letter, x.where) for x in found] == [("navn", "C", "word/document.xml, avsnitt 2")]


def test_json_strings_are_read_with_escapes_decoded_and_named_by_path(tmp_path):
    f = tmp_path / "fakta.json"
    f.write_text('{"kontor": {"navn": "Oppdiktb\\u0079"}}', encoding="utf-8")
    found = privacy.scan_file(f, TERMS)
    assert [(x.kind, x.where) for x in found] == [("navn", "/kontor/navn")]


def test_html_finding_is_named_by_section_and_line(tmp_path):
    f = tmp_path / "report.html"
    f.write_text("<html>\n<section id='sec-innledning'>\n<h1>Innledning</h1>\n<p>Tekst</p>\n"
                 "<p>Kontoret i Oppdikt<em>by</em></p>\n</section>\n</html>\n", encoding="utf-8")
    (found,) = privacy.scan_file(f, TERMS)
    assert found.where == "avsnitt sec-innledning, linje 5"


def test_a_document_the_guard_cannot_read_is_a_finding(tmp_path):
    broken = tmp_path / "report.pdf"
    broken.write_bytes(b"%PDF-1.7 not really")
    found = privacy.scan_paths([broken], terms=[], allow=[])
    assert len(found) == 1 and "kan ikke leses som PDF" in found[0] and "report.pdf" in found[0]


# --- messages never print the secret -------------------------------------------------------

def test_messages_name_file_position_and_office_but_mask_the_term(tmp_path):
    f = tmp_path / "kapittel.md"
    f.write_text("# Innledning\n\nKontor C ligger i Oppdiktbys sentrum, kommune 9903.\nRing 999-99-999.\n",
                 encoding="utf-8")
    found = privacy.scan_paths([f], TERMS, [])
    joined = "\n".join(found)
    assert f"{f}, linje 3: inneholder kommunenavn for kontor C" in joined
    assert f"{f}, linje 3: inneholder kommunenummer for kontor C" in joined
    assert f"{f}, linje 4: inneholder et telefonnummer" in joined
    for secret in ("Oppdikt", "oppdikt", "9903", "999"):
        assert secret not in joined.replace(str(f), "")


def test_guard_command_stops_in_norwegian_and_prints_no_secret(tmp_path, monkeypatch, capsys):
    from scripts import paths

    mapping = tmp_path / "offices.private.yaml"
    mapping.write_text("offices:\n  C: '9903'\nnames:\n  C: Oppdiktby\n", encoding="utf-8")
    monkeypatch.setattr(paths, "PRIVATE_OFFICES", mapping)
    page = tmp_path / "report.html"
    page.write_text("<p>Kontor C: Oppdikt<b>by</b> (9903)</p>", encoding="utf-8")
    stamp = tmp_path / "guard.json"
    assert privacy.main([str(page), "--stamp", str(stamp)]) == 1
    err = capsys.readouterr().err
    assert "Personvernvakten stoppet byggingen (2 funn); ingenting er publisert" in err
    assert "kontor C" in err and "Oppdikt" not in err and "9903" not in err and not stamp.exists()


def test_a_broken_mapping_is_reported_without_its_content(tmp_path, monkeypatch, capsys):
    from scripts import paths

    mapping = tmp_path / "offices.private.yaml"
    mapping.write_text("offices:\n  C: 99031\n", encoding="utf-8")  # unquoted: the loader would quote it
    monkeypatch.setattr(paths, "PRIVATE_OFFICES", mapping)
    page = tmp_path / "report.html"
    page.write_text("<p>Tekst</p>", encoding="utf-8")
    assert privacy.main([str(page)]) == 1
    err = capsys.readouterr().err
    assert "kunne ikke lese den private kontorfilen" in err and "99031" not in err


def test_check_raises_with_every_finding_masked():
    """Three made-up findings of three kinds (name, number, phone number): one masked line each."""
    with pytest.raises(privacy.PrivacyError) as info:
        privacy.check("kommune 9903 i Oppdiktby, telefon 22 33 44 55", "rapport", TERMS)
    lines = str(info.value).splitlines()[1:]
    assert len(lines) == 3
    for kind in ("kommunenavn for kontor C", "kommunenummer for kontor C", "et telefonnummer"):
        assert sum(kind in line for line in lines) == 1, kind
    assert not any(s in str(info.value) for s in ("9903", "Oppdiktby", "22 33 44 55"))


def test_quartos_vendored_libraries_are_checked_for_private_terms_only(tmp_path):
    lib = tmp_path / "quarto" / "site_libs" / "bootstrap"
    lib.mkdir(parents=True)
    js = lib / "bootstrap.min.js"
    js.write_text("/* author: ola@example.no */ var x = 99999999; // Oppdiktby\n", encoding="utf-8")
    page = tmp_path / "quarto" / "index.html"
    page.write_text("<p>ola@example.no 99999999</p>", encoding="utf-8")
    found = privacy.scan_paths([js, page], TERMS, [])
    assert [f.split(": inneholder ")[1].split(" «")[0] for f in found] == [
        "kommunenavn for kontor C fra den private kontorfilen", "et telefonnummer", "en e-postadresse"]
    assert str(js) in found[0] and all(str(page) in f for f in found[1:])
