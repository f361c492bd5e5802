"""Unit tests of the privacy guard's parts that the format tests of test_privacy.py do not reach:
approving some files only, each reader by file type, publishing the Quarto website, the command
lines, how findings are located and masked, and the allow-list's rules (docs/testing.md,
mutation testing). Every name, number and address below is made up for the test."""
import hashlib
import io
import json
import re
import struct
import zipfile
import zlib

import pytest

from scripts import paths
from scripts.guard import extract, manifest, privacy, publish
from scripts.guard.privacy import Allowed, Term

TERMS = [Term("Oppdiktby", "C", "navn"), Term("9903", "C", "nummer")]


# --- manifest: approve only what is named ------------------------------------------------------

@pytest.fixture
def data(tmp_path, monkeypatch):
    d = tmp_path / "data"
    (d / "raw" / "malekort" / "2014").mkdir(parents=True)
    monkeypatch.setattr(paths, "ROOT", tmp_path)
    monkeypatch.setattr(paths, "DATA", d)
    return d


def put(data, rel, text):
    f = data / rel
    f.parent.mkdir(parents=True, exist_ok=True)
    f.write_text(text, encoding="utf-8")
    return f


def test_approve_with_a_list_approves_only_the_listed_changed_file(data):
    put(data, "raw/malekort/2014/a.csv", "kontor;verdi\nA;1\n")
    put(data, "raw/malekort/2014/b.csv", "kontor;verdi\nB;1\n")
    manifest.approve()
    put(data, "raw/malekort/2014/a.csv", "kontor;verdi\nA;2\n")
    put(data, "raw/malekort/2014/b.csv", "kontor;verdi\nB;2\n")
    old_b = manifest.load()["data/raw/malekort/2014/b.csv"]
    assert manifest.approve(["data/raw/malekort/2014/a.csv"]) == ["data/raw/malekort/2014/a.csv"]
    assert manifest.load()["data/raw/malekort/2014/b.csv"] == old_b  # untouched
    with pytest.raises(manifest.ManifestError) as info:
        manifest.verify()
    assert "data/raw/malekort/2014/b.csv: endret" in str(info.value)
    assert "a.csv" not in str(info.value)


def test_approve_with_a_list_leaves_other_new_files_new(data):
    put(data, "raw/malekort/2014/a.csv", "kontor;verdi\nA;1\n")
    put(data, "raw/malekort/2014/b.csv", "kontor;verdi\nB;1\n")
    assert manifest.approve(["data/raw/malekort/2014/b.csv"]) == ["data/raw/malekort/2014/b.csv"]
    assert list(manifest.load()) == ["data/raw/malekort/2014/b.csv"]
    entries = manifest.with_new(when="2026-12-01")
    assert entries["data/raw/malekort/2014/a.csv"]["status"] == "ny"
    assert entries["data/raw/malekort/2014/a.csv"]["lagt_til"] == "2026-12-01"
    assert entries["data/raw/malekort/2014/b.csv"]["status"] == "godkjent"
    assert "lagt_til" not in entries["data/raw/malekort/2014/b.csv"]


def test_approve_with_a_list_drops_only_the_listed_missing_file(data):
    a = put(data, "raw/malekort/2014/a.csv", "A;1\n")
    b = put(data, "raw/malekort/2014/b.csv", "B;1\n")
    manifest.approve()
    a.unlink()
    b.unlink()
    assert manifest.approve(["data/raw/malekort/2014/a.csv"]) == ["data/raw/malekort/2014/a.csv"]
    assert list(manifest.load()) == ["data/raw/malekort/2014/b.csv"]
    assert manifest.approve() == ["data/raw/malekort/2014/b.csv"]
    assert manifest.load() == {}


def test_approve_naming_an_unchanged_file_approves_nothing(data):
    put(data, "raw/malekort/2014/a.csv", "A;1\n")
    manifest.approve()
    put(data, "raw/malekort/2014/b.csv", "B;1\n")
    assert manifest.approve(["data/raw/malekort/2014/a.csv"]) == []
    assert "data/raw/malekort/2014/b.csv" not in manifest.load()


def test_verify_lists_every_changed_and_missing_file_in_its_message(data):
    a = put(data, "raw/malekort/2014/a.csv", "A;1\n")
    b = put(data, "raw/malekort/2014/b.csv", "B;1\n")
    manifest.approve()
    a.write_text("A;2\n", encoding="utf-8")
    b.unlink()
    with pytest.raises(manifest.ManifestError) as info:
        manifest.verify()
    assert str(info.value) == (
        "Inndata avviker fra det godkjente manifestet (data/manifest.json); ingenting er bygget:\n"
        "  data/raw/malekort/2014/a.csv: endret siden den ble godkjent (sha256 er ulik)\n"
        "  data/raw/malekort/2014/b.csv: står i manifestet, men finnes ikke\n"
        "Er endringen tilsiktet, godkjenn den med: python -m scripts.guard.manifest approve")


def test_new_files_without_a_date_get_an_empty_date_and_the_manifest_is_not_written(data):
    put(data, "raw/malekort/2014/a.csv", "A;1\n")
    assert manifest.with_new()["data/raw/malekort/2014/a.csv"]["lagt_til"] == ""
    assert not manifest.manifest_path().exists()


def test_approve_takes_a_path_with_dot_segments_as_its_file(data):
    put(data, "raw/malekort/2014/a.csv", "A;1\n")
    put(data, "raw/malekort/2014/b.csv", "B;1\n")
    assert manifest.approve(["data/raw/malekort/2014/a.csv"]) == ["data/raw/malekort/2014/a.csv"]
    assert set(manifest.load()) == {"data/raw/malekort/2014/a.csv"}


def test_approving_a_changed_private_snapshot_replaces_its_old_entry_only(data):
    snap = put(data, "raw/kostra/private/04688_oppdiktet.json", '{"oppdiktet": 1}')
    other = put(data, "raw/kostra/private/04689_oppdiktet.json", '{"oppdiktet": 5}')
    public = put(data, "raw/malekort/2014/a.csv", "A;1\n")
    manifest.approve()
    other_key = manifest.key(other)
    snap.write_text('{"oppdiktet": 2}', encoding="utf-8")
    public.write_text("A;2\n", encoding="utf-8")
    new_key = manifest.key(snap)
    done = manifest.approve(["data/raw/kostra/private/04688_oppdiktet.json"])
    assert new_key in done and "data/raw/malekort/2014/a.csv" not in done
    entries = manifest.load()
    private = sorted(k for k in entries if "/private/" in k)
    assert private == sorted([new_key, other_key])
    with pytest.raises(manifest.ManifestError, match="data/raw/malekort/2014/a.csv: endret"):
        manifest.verify()


def test_a_private_snapshot_is_named_by_a_digest_not_by_its_file_name(data):
    snap = put(data, "raw/kostra/private/04688_oppdiktet.json", '{"oppdiktet": 1}')
    (snap.parent / "04688_oppdiktet.meta.json").write_text(json.dumps(
        {"fetched_at": "2026-01-02T03:04:05Z", "ssb_updated": "2026-01-01T00:00:00Z",
         "url": "https://example.org/?region=9903"}), encoding="utf-8")
    k = manifest.key(snap)
    digest = hashlib.sha256(b"data/raw/kostra/private/04688_oppdiktet.json\0" + snap.read_bytes()).hexdigest()
    assert k == f"data/raw/kostra/private/privat-{digest[:16]}.json"
    entry = manifest.describe(snap)
    assert entry["privat"] is True and "url" not in entry and "9903" not in json.dumps(entry)
    assert entry["hentet"] == "2026-01-02T03:04:05Z"
    assert entry["bytes"] == len(snap.read_bytes())
    assert entry["sha256"] == hashlib.sha256(snap.read_bytes()).hexdigest()
    assert not manifest.is_private(data / "raw" / "kostra" / "04688_oppdiktet.json")
    assert not manifest.is_private(data.parent / "private" / "x.json")  # outside data/


def test_a_public_snapshot_entry_carries_its_url(data):
    snap = put(data, "raw/kostra/12210_oppdiktet.json", "{}")
    (snap.parent / "12210_oppdiktet.meta.json").write_text(json.dumps({"url": "https://example.org/x"}))
    assert manifest.key(snap) == "data/raw/kostra/12210_oppdiktet.json"
    entry = manifest.describe(snap)
    assert entry["url"] == "https://example.org/x" and "privat" not in entry


def test_input_files_leave_out_notes_temporary_hidden_sidecar_and_manifest_files(data):
    keep = put(data, "raw/malekort/2014/a.csv", "A;1\n")
    for rel in ("README.md", "raw/.a.csv.x1.tmp", "raw/x.tmp", "raw/.skjult", "raw/k.meta.json", "manifest.json"):
        put(data, rel, "x")
    assert manifest.input_files() == [keep]


def test_sha256_reads_files_larger_than_one_block(tmp_path):
    f = tmp_path / "stor.bin"
    body = bytes(range(256)) * 5000  # 1,28 MB: more than one 1 MiB block
    f.write_bytes(body)
    assert manifest.sha256(f) == hashlib.sha256(body).hexdigest()


def test_manifest_file_lists_entries_sorted_and_readable(data):
    put(data, "raw/malekort/2014/b.csv", "B;1\n")
    put(data, "raw/malekort/2014/a.csv", "A;1\n")
    manifest.approve()
    text = (data / "manifest.json").read_text(encoding="utf-8")
    body = json.loads(text)
    assert [e["sti"] for e in body["filer"]] == ["data/raw/malekort/2014/a.csv", "data/raw/malekort/2014/b.csv"]
    assert "python -m scripts.guard.manifest approve" in body["beskrivelse"] and text.endswith("}\n")
    assert "\n \"filer\"" in text  # indented one space, one key per line


def test_manifest_command_approve_check_and_report(data, capsys):
    put(data, "raw/malekort/2014/a.csv", "A;1\n")
    put(data, "raw/malekort/2014/c.csv", "C;1\n")
    assert manifest.main(["approve"]) == 0
    assert capsys.readouterr().err == "godkjent: data/raw/malekort/2014/a.csv\ngodkjent: data/raw/malekort/2014/c.csv\n"
    (data / "raw/malekort/2014/c.csv").unlink()
    (data / "manifest.json").unlink()
    assert manifest.main(["check"]) == 0
    assert json.loads(capsys.readouterr().out) == {"endret": [], "mangler": [], "ny": ["data/raw/malekort/2014/a.csv"]}
    assert manifest.main(["approve"]) == 0
    assert capsys.readouterr().err == "godkjent: data/raw/malekort/2014/a.csv\n"
    assert manifest.main(["approve"]) == 0
    assert capsys.readouterr().err == "ingenting å godkjenne\n"
    put(data, "raw/malekort/2014/kontor_ø.csv", "B;1\n")
    out = data.parent / "build" / "datagrunnlag.json"
    assert manifest.main(["report", "--out", str(out)]) == 0
    text = out.read_text(encoding="utf-8")
    entries = json.loads(text)["filer"]
    assert [(e["sti"], e["status"]) for e in entries] == [("data/raw/malekort/2014/a.csv", "godkjent"),
                                                          ("data/raw/malekort/2014/kontor_ø.csv", "ny")]
    assert re.fullmatch(r"\d{4}-\d\d-\d\d", entries[1]["lagt_til"])  # the build date
    assert "kontor_ø.csv" in text
    put(data, "raw/malekort/2014/a.csv", "A;2\n")
    assert manifest.main(["report", "--out", str(out)]) == 1
    assert "data/raw/malekort/2014/a.csv: endret siden den ble godkjent" in capsys.readouterr().err
    assert manifest.main(["approve", "data/raw/malekort/2014/a.csv"]) == 0
    assert capsys.readouterr().err == "godkjent: data/raw/malekort/2014/a.csv\n"


def test_the_manifest_and_the_check_keep_norwegian_letters_in_file_names_as_written(data, capsys):
    """manifest.json is read and reviewed by people; a file name with æøå stays readable there and
    in the check's output, not as \\u escapes."""
    put(data, "raw/malekort/2014/kontor_ø.csv", "B;1\n")
    assert manifest.main(["check"]) == 0
    out = capsys.readouterr().out
    assert '"ny": [\n  "data/raw/malekort/2014/kontor_ø.csv"\n ]' in out
    assert manifest.main(["approve"]) == 0
    text = (data / "manifest.json").read_text(encoding="utf-8")
    assert '"sti": "data/raw/malekort/2014/kontor_ø.csv"' in text and "\\u00f8" not in text


def test_manifest_command_needs_a_subcommand():
    with pytest.raises(SystemExit):
        manifest.main([])


# --- publish: documents and the Quarto website ----------------------------------------------

def stage(tmp_path, files: dict[str, bytes]):
    """Staged files and a guard stamp listing their checksums."""
    staged = []
    for rel, body in files.items():
        f = tmp_path / "staging" / rel
        f.parent.mkdir(parents=True, exist_ok=True)
        f.write_bytes(body)
        staged.append(f)
    stamp = tmp_path / "guard.json"
    stamp.write_text(json.dumps({"kontrollert": {str(f): hashlib.sha256(f.read_bytes()).hexdigest()
                                                 for f in staged}}), encoding="utf-8")
    return staged, stamp


def test_publish_copies_the_checked_documents_and_replaces_the_website(tmp_path):
    staged, stamp = stage(tmp_path, {"report.html": b"<p>ny</p>", "report.pdf": b"%PDF ny",
                                     "quarto/index.html": b"<p>side</p>", "quarto/kap/a.html": b"<p>a</p>",
                                     "quarto/stil.css": b"p{}"})
    docs = [f for f in staged if f.parent.name == "staging"]
    out = tmp_path / "out"
    (out / "quarto" / "gammel").mkdir(parents=True)
    (out / "quarto" / "gammel" / "side.html").write_bytes(b"<p>gammel</p>")
    (out / "report.html").write_bytes(b"<p>gammel</p>")
    assert publish.publish(docs, stamp, dest=out) == [out / "report.html", out / "report.pdf"]
    assert (out / "report.html").read_bytes() == b"<p>ny</p>" and (out / "report.pdf").read_bytes() == b"%PDF ny"
    site = sorted(p.relative_to(out).as_posix() for p in (out / "quarto").rglob("*") if p.is_file())
    assert site == ["quarto/index.html", "quarto/kap/a.html", "quarto/stil.css"]
    assert (out / "quarto" / "kap" / "a.html").read_bytes() == b"<p>a</p>"
    assert sorted(p.name for p in out.iterdir()) == ["quarto", "report.html", "report.pdf"]  # no .new/.old left


def test_publish_without_a_website_writes_no_website(tmp_path):
    staged, stamp = stage(tmp_path, {"report.html": b"<p>ny</p>"})
    out = tmp_path / "out"
    out.mkdir()
    publish.publish(staged, stamp, dest=out)
    assert sorted(p.name for p in out.iterdir()) == ["report.html"]
    assert publish.publish([], stamp, dest=out) == []


def test_publish_refuses_a_website_page_the_guard_did_not_check(tmp_path):
    staged, stamp = stage(tmp_path, {"report.html": b"<p>ny</p>", "quarto/index.html": b"<p>side</p>"})
    (tmp_path / "staging" / "quarto" / "ukjent.html").write_bytes(b"<p>ikke kontrollert</p>")
    out = tmp_path / "out"
    (out / "quarto").mkdir(parents=True)
    (out / "quarto" / "index.html").write_bytes(b"<p>gammel</p>")
    with pytest.raises(publish.PublishError) as info:
        publish.publish([staged[0]], stamp, dest=out)
    assert str(info.value) == (f"{tmp_path / 'staging' / 'quarto' / 'ukjent.html'}: personvernkontrollen har ikke "
                               "sjekket denne filen; publiserer ikke")
    assert (out / "quarto" / "index.html").read_bytes() == b"<p>gammel</p>"
    assert not (out / "report.html").exists()


def test_publish_refuses_a_changed_website_page(tmp_path):
    staged, stamp = stage(tmp_path, {"report.html": b"<p>ny</p>", "quarto/index.html": b"<p>side</p>"})
    (tmp_path / "staging" / "quarto" / "index.html").write_bytes(b"<p>endret</p>")
    out = tmp_path / "out"
    with pytest.raises(publish.PublishError, match="index.html: er endret etter personvernkontrollen"):
        publish.publish([staged[0]], stamp, dest=out)
    assert not out.exists()


def test_replace_tree_into_an_empty_place_and_over_an_old_tree(tmp_path):
    src = tmp_path / "src"
    (src / "a").mkdir(parents=True)
    (src / "a" / "x.html").write_bytes(b"x")
    dest = tmp_path / "ut" / "quarto"
    dest.parent.mkdir()
    (dest.parent / ".quarto.new").mkdir()  # left by a killed publish
    (dest.parent / ".quarto.new" / "rest").write_bytes(b"rest")
    publish.replace_tree(src, dest)
    assert (dest / "a" / "x.html").read_bytes() == b"x"
    (src / "a" / "x.html").write_bytes(b"y")
    (dest / "foreldet.html").write_bytes(b"old")
    publish.replace_tree(src, dest)
    assert sorted(p.relative_to(dest).as_posix() for p in dest.rglob("*")) == ["a", "a/x.html"]
    assert (dest / "a" / "x.html").read_bytes() == b"y"
    assert sorted(p.name for p in dest.parent.iterdir()) == ["quarto"]


def test_checked_bytes_names_a_file_missing_from_the_stamp(tmp_path):
    f = tmp_path / "report.html"
    f.write_bytes(b"x")
    with pytest.raises(publish.PublishError) as info:
        publish.checked_bytes(f, {})
    assert str(info.value) == f"{f}: personvernkontrollen har ikke sjekket denne filen; publiserer ikke"
    with pytest.raises(publish.PublishError) as info:
        publish.checked_bytes(f, {"kontrollert": {str(f): "0" * 64}})
    assert str(info.value) == f"{f}: er endret etter personvernkontrollen; publiserer ikke"
    assert publish.checked_bytes(f, {"kontrollert": {str(f): hashlib.sha256(b"x").hexdigest()}}) == b"x"


def test_publish_command_reports_what_it_wrote_and_stops_on_an_unchecked_file(tmp_path, capsys):
    staged, stamp = stage(tmp_path, {"report.html": b"<p>ny</p>"})
    out = tmp_path / "out"
    assert publish.main(["--stamp", str(stamp), "--dest", str(out), str(staged[0])]) == 0
    assert f"skrev {out / 'report.html'}" in capsys.readouterr().err
    assert (out / "report.html").read_bytes() == b"<p>ny</p>"
    stamp.write_text(json.dumps({"kontrollert": {}}), encoding="utf-8")
    assert publish.main(["--stamp", str(stamp), "--dest", str(out), str(staged[0])]) == 1
    assert capsys.readouterr().err == (f"publish: {staged[0]}: personvernkontrollen har ikke sjekket denne "
                                       "filen; publiserer ikke\n")


def test_publish_command_publishes_into_build_by_default(tmp_path, monkeypatch):
    staged, stamp = stage(tmp_path, {"report.html": b"<p>ny</p>"})
    monkeypatch.setattr(paths, "BUILD", tmp_path / "build")
    (tmp_path / "build").mkdir()
    assert publish.main(["--stamp", str(stamp), str(staged[0])]) == 0
    assert (tmp_path / "build" / "report.html").read_bytes() == b"<p>ny</p>"


def test_publish_command_needs_the_stamp_and_a_file(tmp_path):
    with pytest.raises(SystemExit):
        publish.main([str(tmp_path / "report.html")])
    with pytest.raises(SystemExit):
        publish.main(["--stamp", str(tmp_path / "guard.json")])


# --- readers by file type ----------------------------------------------------------------------

def docx(parts: dict[str, str]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for name, body in parts.items():
            z.writestr(name, body)
    return buf.getvalue()


W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'


def test_docx_paragraphs_are_joined_runs_numbered_per_part():
    body = (f'<w:document {W}><w:body>'
            '<w:p><w:r><w:t>Første</w:t></w:r></w:p>'
            '<w:p><w:r><w:t>Opp</w:t></w:r><w:r><w:rPr><w:i/></w:rPr><w:t xml:space="preserve">dikt</w:t></w:r>'
            '<w:r><w:t>by &amp; co</w:t></w:r></w:p>'
            '<w:p><w:r><w:t>ord</w:t><w:tab/><w:t>ord</w:t><w:br/><w:t>slutt</w:t></w:r></w:p>'
            '<w:p><w:r><w:delText>slettet</w:delText></w:r><w:r><w:instrText>HYPERLINK</w:instrText></w:r></w:p>'
            '</w:body></w:document>')
    segs = extract.docx_segments(docx({"word/document.xml": body}))
    paras = [(s.where, s.text) for s in segs if "avsnitt" in s.where]
    assert paras == [("word/document.xml, avsnitt 1", "Første"),
                     ("word/document.xml, avsnitt 2", "Oppdiktby & co"),
                     ("word/document.xml, avsnitt 3", "ord ord slutt"),
                     ("word/document.xml, avsnitt 4", "slettetHYPERLINK")]


def test_docx_text_outside_paragraphs_links_and_svg_images_are_read():
    core = '<cp:coreProperties><dc:creator>Oppdiktby kommune</dc:creator></cp:coreProperties>'
    rels = ('<Relationships><Relationship Id="r1" Target="mailto:ola.nordmann@example.no" '
            'TargetMode="External"/></Relationships>')
    svg = '<svg xmlns="http://www.w3.org/2000/svg"><text>telefon 22 33 44 55</text></svg>'
    segs = extract.docx_segments(docx({"docProps/core.xml": core, "word/_rels/document.xml.rels": rels,
                                       "word/media/figur.svg": svg, "word/media/bilde.png": "ikke tekst"}))
    by_where = {s.where: s.text for s in segs}
    assert "Oppdiktby kommune" in by_where["docProps/core.xml"]
    assert "mailto:ola.nordmann@example.no" in by_where["word/_rels/document.xml.rels"]
    assert "22 33 44 55" in by_where["word/media/figur.svg, linje 1"]
    assert not any(w.startswith("word/media/bilde.png") for w in by_where)


def test_a_docx_file_is_read_as_docx_whatever_the_case_of_its_suffix(tmp_path):
    f = tmp_path / "RAPPORT.DOCX"
    f.write_bytes(docx({"word/document.xml": f'<w:document {W}><w:body><w:p><w:r><w:t>Opp</w:t></w:r>'
                                             '<w:r><w:t>diktby</w:t></w:r></w:p></w:body></w:document>'}))
    found = privacy.scan_file(f, TERMS)
    assert [(x.kind, x.letter, x.where) for x in found] == [("navn", "C", "word/document.xml, avsnitt 1")]


def test_a_docx_made_by_pandoc_is_read_across_its_runs(tmp_path):
    from scripts.engine import render

    data = render.run_pandoc(["--from=markdown", "--to=docx"], "# Innledning\n\nKontoret i Opp*dikt*by.\n")
    f = tmp_path / "report.docx"
    f.write_bytes(data)
    found = privacy.scan_file(f, TERMS)
    assert [(x.kind, x.letter) for x in found] == [("navn", "C")]
    assert found[0].where.startswith("word/document.xml, avsnitt ")


def test_an_e_mail_address_behind_docx_link_text_is_found(tmp_path):
    """Pandoc writes a link's address only into word/_rels/document.xml.rels (``Target``); the
    paragraph holds the link text alone."""
    from scripts.engine import render

    data = render.run_pandoc(["--from=markdown", "--to=docx"], "Skriv til [oss](mailto:ola.nordmann@example.no).\n")
    f = tmp_path / "report.docx"
    f.write_bytes(data)
    found = privacy.scan_file(f, [])
    assert [(x.kind, x.where.split(" (")[0]) for x in found] == [("e-post", "word/_rels/document.xml.rels")]


def png_chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def test_png_text_chunks_of_every_kind_are_read_in_order():
    png = (b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", b"\0" * 13)
           + png_chunk(b"tEXt", b"Title\0Oppdiktby")
           + png_chunk(b"zTXt", b"Comment\0\0" + zlib.compress("Nedre Fjelldikt".encode("latin-1")))
           + png_chunk(b"iTXt", b"Author\0\0\0nb\0Forfatter\0" + "Ola Nordmann æ".encode())
           + png_chunk(b"iTXt", b"Description\0\x01\0\0\0" + zlib.compress("komprimert ø".encode()))
           + png_chunk(b"IEND", b""))
    assert extract.png_text(png).split("\n") == ["Title Oppdiktby", "Comment Nedre Fjelldikt",
                                                 "Author Ola Nordmann æ", "Description komprimert ø"]


def test_a_broken_png_text_chunk_is_read_as_empty_and_the_rest_still_read():
    png = (b"\x89PNG\r\n\x1a\n" + png_chunk(b"zTXt", b"Comment\0\0ikke zlib")
           + png_chunk(b"tEXt", b"Title\0Oppdiktby"))
    assert extract.png_text(png).split("\n") == ["", "Title Oppdiktby"]


def test_a_png_file_is_read_by_its_text_chunks(tmp_path):
    f = tmp_path / "figur.png"
    f.write_bytes(b"\x89PNG\r\n\x1a\n" + png_chunk(b"tEXt", b"Title\0Oppdiktby"))
    assert extract.segments(f) == [extract.Segment("bildets tekstfelt", "Title Oppdiktby")]


@pytest.mark.parametrize("uri, text", [
    ("data:text/plain,Oppdikt%62y", "Oppdiktby"),
    ("data:,Oppdikt%62y", "Oppdiktby"),  # no type: text/plain
    ("data:TEXT/PLAIN;charset=utf-8;base64,T3BwZGlrdGJ5", "Oppdiktby"),
    ("data:application/json;base64,eyJhIjoiT3BwZGlrdGJ5In0", '{"a":"Oppdiktby"}'),  # padding added back
    ("data:image/svg+xml,%3Csvg%3E%3Ctext%3EOpp%3C/text%3E%3C/svg%3E", "Opp"),
    ("data:image/gif;base64,R0lGODlh", ""),  # a picture without text
    ("data:text/plain;base64,A", ""),  # not base64: one character too many
    ("data:application/xml,%3Cx%3EOpp%3C/x%3E", "Opp"),  # markup types are read as markup
    ("data:text/html,%3Cb%3EOpp%3C/b%3Ediktby", "Oppdiktby"),
    ("data:text/plain,%3Cb%3EOpp", "<b>Opp"),  # plain text is not
    ("data:text/plain,Opp%FFdiktby", "Opp\ufffddiktby"),  # a broken byte does not stop the reading
])
def test_data_uris_are_decoded_by_their_type(uri, text):
    m = extract.DATA_URI.search(uri)
    assert extract.decode_data_uri(m).replace(extract.BETWEEN, "") == text


def test_markup_text_reads_attributes_and_comments_and_keeps_elements_apart():
    markup = ('<p title="t&aelig;">Dram<b>men</b></p><td>52</td><td>52</td>'
              "<img alt='bilde av Oppdiktby' aria-label=\"etikett\" data-kilde=\"kilde\">"
              '<!-- kommentar 9903 --><a href="mailto:ola@example.no">x</a>')
    parts = extract.markup_text(markup).split(extract.BETWEEN)
    words = [p for p in parts if p]
    assert "Drammen" in words and "tæ" in words and "bilde av Oppdiktby" in words
    assert "etikett" in words and "kilde" in words and " kommentar 9903 " in words
    assert "mailto:ola@example.no" in words
    assert words.count("52") == 2  # two cells, two texts: never read as one number


def test_html_sections_are_named_by_id_and_carry_their_lines():
    markup = ("<html>\n<body>\n<section id=\"sec-a\">\n<h2>A</h2>\n<p>en</p>\n</section>\n"
              "<section class='x' id='sec-b'><p>to</p>\n</section>\n</body>")
    segs = extract.html_segments(markup)
    assert [s.where for s in segs] == ["linje 1–3", "avsnitt sec-a (linje 3–4)", "avsnitt sec-a (linje 4–7)",
                                       "avsnitt sec-b (linje 7–9)"]
    assert segs[1].first_line == 3 and segs[1].raw_lines[0] == '<section id="sec-a">'
    assert segs[3].raw_lines == ("<section class='x' id='sec-b'><p>to</p>", "</section>", "</body>")


def test_json_strings_and_keys_are_named_by_their_path_and_lines_by_number():
    (seg,) = extract.json_segments('{"a": [1, "Oppdikt\\u0062y"],\n "kommune": {"nr": "9903"}}')
    assert seg.where == "hele filen"
    parts = [(p.where, p.text) for p in seg.parts]
    assert parts[:3] == [("/a[0]", "1"), ("/a[1]", '"Oppdiktby"'), ("/kommune/nr", '"nr": "9903"')]
    assert parts[3:] == [("linje 1", '{"a": [1, "Oppdikt\\u0062y"],'), ("linje 2", ' "kommune": {"nr": "9903"}}')]
    assert '"Oppdiktby"' in seg.text and "Oppdikt\\u0062y" in seg.text


def test_json_keys_keep_their_letters_and_a_bare_value_is_named_by_the_root():
    (seg,) = extract.json_segments('{"område": "Nedre Fjelldikt"}')
    assert [(p.where, p.text) for p in seg.parts][0] == ("/område", '"område": "Nedre Fjelldikt"')
    (seg,) = extract.json_segments('"Oppdiktby"')
    assert seg.parts[0] == extract.Segment("/", '"Oppdiktby"')


def test_two_lines_are_named_as_a_range():
    assert extract.line_segments("a\nb")[0].where == "linje 1–2"


def test_a_docx_part_with_a_broken_byte_is_still_read():
    body = (f'<w:document {W}><w:body><w:p><w:r><w:t>Opp\xff</w:t></w:r><w:r><w:t>diktby</w:t></w:r></w:p>'
            '</w:body></w:document>').encode("latin-1")
    svg = b'<svg xmlns="http://www.w3.org/2000/svg"><text>Oppdiktby \xff</text></svg>'
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("word/document.xml", body)
        z.writestr("word/media/figur.svg", svg)
    texts = {s.where: s.text for s in extract.docx_segments(buf.getvalue())}
    assert texts["word/document.xml, avsnitt 1"] == "Opp\ufffddiktby"
    assert "Oppdiktby \ufffd" in texts["word/media/figur.svg, linje 1"]


def test_plain_text_is_one_segment_with_its_lines_as_parts(tmp_path):
    (one,) = extract.line_segments("bare én linje")
    assert one.where == "linje 1" and one.parts == (extract.Segment("linje 1", "bare én linje"),)
    f = tmp_path / "kapittel.MD"
    f.write_bytes(b"a\nOppdikt-\nby\n")
    (seg,) = extract.segments(f)
    assert seg.where == "linje 1–4" and seg.text == "a\nOppdikt-\nby\n"
    assert [p.where for p in seg.parts] == ["linje 1", "linje 2", "linje 3", "linje 4"]


def test_files_are_read_by_suffix_whatever_its_case(tmp_path):
    for name in ("side.HTM", "figur.SVG", "data.XML"):
        f = tmp_path / name
        f.write_text("<section id='s'><p>Oppdikt<b>by</b></p></section>", encoding="utf-8")
        assert [s.where for s in extract.segments(f)] == ["avsnitt s (linje 1)"], name
    f = tmp_path / "fakta.JSON"
    f.write_text('{"a": "b"}', encoding="utf-8")
    assert extract.segments(f)[0].where == "hele filen"


# --- findings: where, how often, masked ----------------------------------------------------------

def test_a_finding_seen_in_several_places_is_reported_once_with_the_count(tmp_path):
    f = tmp_path / "kapittel.md"
    f.write_text("Oppdiktby\nannet\nOppdiktby og Oppdiktby\n9903\n", encoding="utf-8")
    found = privacy.scan_file(f, TERMS)
    assert [(x.kind, x.where) for x in found] == [("navn", "linje 1 (og 1 andre steder i filen)"),
                                                 ("nummer", "linje 4")]


def test_a_finding_on_several_pages_names_the_first_page_and_counts_the_others(tmp_path, monkeypatch):
    pages = [extract.Segment("side 1", "ingenting"), extract.Segment("side 2", "Oppdiktby"),
             extract.Segment("side 3", "Oppdiktby igjen"), extract.Segment("side 4", "Oppdiktby")]
    monkeypatch.setattr(extract, "segments", lambda path: pages)
    (found,) = privacy.scan_file(tmp_path / "report.pdf", TERMS)
    assert found.where == "side 2 (og 2 andre steder i filen)"


def test_a_name_split_over_two_lines_is_named_by_the_whole_range(tmp_path):
    f = tmp_path / "kapittel.md"
    f.write_text("Kontoret i Nedre\nFjelldikt\n", encoding="utf-8")
    (found,) = privacy.scan_file(f, [Term("Nedre Fjelldikt", "D", "navn")])
    assert found.where == "linje 1–3" and found.letter == "D"


def test_an_html_finding_outside_sections_is_named_by_line(tmp_path):
    f = tmp_path / "side.html"
    f.write_text("<html>\n<p>tekst</p>\n<p>Opp<i>dikt</i>by</p>\n</html>\n", encoding="utf-8")
    (found,) = privacy.scan_file(f, TERMS)
    assert found.where == "linje 3"


def test_an_html_finding_split_over_lines_is_named_by_the_section(tmp_path):
    f = tmp_path / "side.html"
    f.write_text("<section id='sec-x'>\n<p>Nedre\nFjelldikt</p>\n</section>", encoding="utf-8")
    (found,) = privacy.scan_file(f, [Term("Nedre Fjelldikt", "D", "navn")])
    assert found.where == "avsnitt sec-x (linje 1–4)"


@pytest.mark.parametrize("kind, letter, what", [
    ("navn", "A", "kommunenavn for kontor A fra den private kontorfilen"),
    ("nummer", "F", "kommunenummer for kontor F fra den private kontorfilen"),
    ("telefon", "", "et telefonnummer"),
    ("e-post", "", "en e-postadresse"),
])
def test_each_kind_of_finding_has_its_masked_message(kind, letter, what):
    f = privacy.Finding("build/report.html", "linje 3", kind, letter, key="hemmelig")
    assert str(f) == f"build/report.html, linje 3: inneholder {what} «••••» (maskert)"


def test_an_unreadable_file_is_named_with_its_type_and_never_published(tmp_path):
    f = tmp_path / "report.docx"
    f.write_bytes(b"ikke en zip")
    (found,) = privacy.scan_file(f, TERMS)
    assert found.kind == "ulesbar" and found.where == ""
    assert str(found) == (f"{f}: kan ikke leses som DOCX (BadZipFile); en fil vakten ikke kan lese, "
                          "blir aldri publisert")
    g = tmp_path / "uten_endelse"
    g.mkdir()  # a folder cannot be read as a file
    (found,) = privacy.scan_file(g, TERMS)
    assert "kan ikke leses som tekst (IsADirectoryError)" in str(found)


def test_check_passes_clean_text_and_names_where_in_the_message():
    privacy.check("Kontor C ligger i en oppdiktet kommune.", "rapport", TERMS)
    with pytest.raises(privacy.PrivacyError) as info:
        privacy.check("Oppdiktby", "kapittel 2", TERMS)
    assert str(info.value) == ("Personvernvakten fant:\n  kapittel 2, teksten: inneholder kommunenavn for kontor C "
                               "fra den private kontorfilen «••••» (maskert)")


def test_check_reads_the_private_mapping_when_no_terms_are_given(tmp_path, monkeypatch):
    mapping = tmp_path / "offices.private.yaml"
    mapping.write_text("offices:\n  B: '9902'\n", encoding="utf-8")
    read = privacy.load_terms
    monkeypatch.setattr(privacy, "load_terms", lambda: read(mapping))  # its default path is bound at import
    with pytest.raises(privacy.PrivacyError, match="kommunenummer for kontor B"):
        privacy.check("kommune 9902", "rapport")


def test_check_lists_every_finding_on_its_own_line_and_uses_the_allow_list():
    with pytest.raises(privacy.PrivacyError) as info:
        privacy.check("Oppdiktby 9903", "kapittel 2", TERMS)
    assert str(info.value).split("\n") == [
        "Personvernvakten fant:",
        "  kapittel 2, teksten: inneholder kommunenavn for kontor C fra den private kontorfilen «••••» (maskert)",
        "  kapittel 2, teksten: inneholder kommunenummer for kontor C fra den private kontorfilen «••••» (maskert)"]
    # The tracked allow-list lets the college's name through in build/ (config/privacy_allow.yaml).
    oslo = [Term("Oslo", "A", "navn")]
    privacy.check("levert ved Høgskolen i Oslo og Akershus", "build/report.html", oslo)
    with pytest.raises(privacy.PrivacyError):
        privacy.check("kontoret i Oslo", "build/report.html", oslo)


def test_findings_apply_the_allow_list_they_are_given():
    allow = [Allowed(privacy.normalise("Oppdiktby gamle bru"), ("*",), "et byggverk")]
    assert privacy.findings("Oppdiktby gamle bru", TERMS, "x.md", allow) == []
    assert len(privacy.findings("Oppdiktby", TERMS, "x.md", allow)) == 1


def test_scan_paths_reads_the_mapping_and_allow_list_only_when_none_are_given(tmp_path, monkeypatch):
    f = tmp_path / "kapittel.md"
    f.write_text("Oppdiktby gamle bru\n", encoding="utf-8")
    allow = [Allowed(privacy.normalise("Oppdiktby gamle bru"), ("*",), "et byggverk")]
    assert privacy.scan_paths([f], TERMS, allow) == []
    assert len(privacy.scan_paths([f], TERMS, [])) == 1
    monkeypatch.setattr(privacy, "load_terms", lambda: TERMS)
    monkeypatch.setattr(privacy, "load_allow_list", lambda: allow)
    assert privacy.scan_paths([f]) == []
    f.write_text("Oppdiktby\n", encoding="utf-8")
    assert len(privacy.scan_paths([f])) == 1


def test_findings_returns_one_masked_message_per_distinct_leak():
    found = privacy.findings("Oppdiktby, OPPDIKTBY og 9903 og 99031", TERMS, "fil")
    assert found == [str(privacy.Finding("fil", "teksten", "navn", "C", "oppdiktby")),
                     str(privacy.Finding("fil", "teksten", "nummer", "C", "9903"))]


def test_plain_strings_as_terms_are_numbers_when_digits_and_names_otherwise():
    assert privacy.hits("Oppdiktby 9903 19903", ["Oppdiktby", "9903"]) == [
        ("navn", "?", "oppdiktby"), ("nummer", "?", "9903")]


def test_hit_keys_identify_the_leak_without_its_disguise():
    got = privacy.hits("ring +47 22 33 44 55 eller 22334455, Nedre-Fjelldikt", [Term("Nedre Fjelldikt", "D")])
    assert got == [("navn", "D", "nedre fjelldikt"), ("telefon", "", "22334455")]


def test_contacts_false_looks_for_private_terms_only():
    text = "ola@example.no 22334455 Oppdiktby"
    assert privacy.hits(text, TERMS, contacts=False) == [("navn", "C", "oppdiktby")]
    assert {k for k, _, _ in privacy.hits(text, TERMS)} == {"navn", "telefon", "e-post"}


# --- the allow-list ----------------------------------------------------------------------------

def test_an_allowed_phrase_applies_only_in_files_matching_where(tmp_path, monkeypatch):
    monkeypatch.setattr(paths, "ROOT", tmp_path)
    allow = [Allowed(privacy.normalise("Oppdiktby gamle bru"), ("build/*.html",), "et byggverk")]
    text = "bildet av Oppdiktby gamle bru"
    assert privacy.hits(text, TERMS, str(tmp_path / "build" / "report.html"), allow) == []
    assert privacy.hits(text, TERMS, str(tmp_path / "build" / "report.pdf"), allow) == [("navn", "C", "oppdiktby")]
    by_name = [Allowed(privacy.normalise("Oppdiktby gamle bru"), ("report.pdf",), "et byggverk")]
    assert privacy.hits(text, TERMS, str(tmp_path / "build" / "report.pdf"), by_name) == []


def test_an_allowed_phrase_may_break_over_lines_but_must_cover_the_whole_match(tmp_path):
    allow = [Allowed(privacy.normalise("Oppdiktby gamle bru"), ("*",), "et byggverk")]
    assert privacy.hits("Oppdiktby\ngamle   bru", TERMS, "x.md", allow) == []
    assert privacy.hits("Oppdiktby gamle", TERMS, "x.md", allow) == [("navn", "C", "oppdiktby")]
    assert privacy.hits("Oppdiktby gamle bru og Oppdiktby", TERMS, "x.md", allow) == [("navn", "C", "oppdiktby")]


def test_allow_list_file_is_read_with_phrases_normalised(tmp_path):
    f = tmp_path / "allow.yaml"
    f.write_text("tillatt:\n  - tekst: 'OPPDIKTBY  Gamle Bru'\n    hvor: build/*\n    hvorfor: ' et byggverk '\n",
                 encoding="utf-8")
    assert privacy.load_allow_list(f) == [Allowed("oppdiktby gamle bru", ("build/*",), "et byggverk")]
    assert privacy.load_allow_list(tmp_path / "mangler.yaml") == []


@pytest.mark.parametrize("body, message", [
    ("", "forventet en liste «tillatt:»"),
    ("- a\n", "forventet en liste «tillatt:»"),
    ("tillatt: ingen\n", "forventet en liste «tillatt:»"),
    ("tillatt:\n  - oppføring\n", "oppføring 1: forventet nøyaktig feltene tekst, hvor og hvorfor"),
    ("tillatt:\n  - {tekst: a b, hvor: x, hvorfor: y}\n  - {tekst: a b, hvor: x}\n",
     "oppføring 2: forventet nøyaktig feltene"),
    ("tillatt:\n  - {tekst: a b, hvor: [], hvorfor: y}\n", "oppføring 1: tekst, hvor og hvorfor må være utfylt"),
    ("tillatt:\n  - {tekst: a b, hvor: [x, ' '], hvorfor: y}\n", "må være utfylt"),
    ("tillatt:\n  - {tekst: a b, hvor: x, hvorfor: 3}\n", "må være utfylt"),
    ("tillatt:\n  - {tekst: Oppdiktby, hvor: x, hvorfor: y}\n", "oppføring 1: tekst må være et uttrykk på minst to ord"),
    ("tillatt:\n  - {tekst: 'Oppdiktby_', hvor: x, hvorfor: y}\n", "minst to ord"),
])
def test_allow_list_errors_name_the_file_and_the_entry(tmp_path, body, message):
    f = tmp_path / "allow.yaml"
    f.write_text(body, encoding="utf-8")
    with pytest.raises(privacy.PrivacyError) as info:
        privacy.load_allow_list(f)
    assert str(info.value).startswith(f"{f}: ") and message in str(info.value)


def test_a_broken_allow_list_stops_the_guard_command(tmp_path, monkeypatch, capsys):
    bad = tmp_path / "allow.yaml"
    bad.write_text("tillatt: ingen\n", encoding="utf-8")
    read = privacy.load_allow_list
    monkeypatch.setattr(privacy, "load_allow_list", lambda: read(bad))  # its default path is bound at import
    page = tmp_path / "report.html"
    page.write_text("<p>tekst</p>", encoding="utf-8")
    assert privacy.main([str(page)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("Personvernvakten kunne ikke starte: ") and err.endswith("; ingenting er publisert.\n")


# --- the guard command: what it checks and its stamp ---------------------------------------------

def test_the_guard_stamp_lists_the_checksum_of_every_checked_file(tmp_path, monkeypatch):
    monkeypatch.setattr(paths, "PRIVATE_OFFICES", tmp_path / "ingen.yaml")
    site = tmp_path / "quarto"
    (site / "kap").mkdir(parents=True)
    (site / "index.html").write_bytes(b"<p>forside</p>")
    (site / "kap" / "a.html").write_bytes(b"<p>a</p>")
    doc = tmp_path / "rapport_ø.html"
    doc.write_bytes(b"<p>rapport</p>")
    stamp = tmp_path / "guard.json"
    assert privacy.main([str(doc), str(site), "--stamp", str(stamp)]) == 0
    text = stamp.read_text(encoding="utf-8")
    assert json.loads(text) == {"kontrollert": {str(f): hashlib.sha256(f.read_bytes()).hexdigest()
                                                for f in (doc, site / "index.html", site / "kap" / "a.html")}}
    assert text.endswith("}\n") and "rapport_ø.html" in text  # written as UTF-8, not escaped
    assert privacy.main([str(doc)]) == 0  # no stamp asked for


def test_the_guard_command_counts_its_findings(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(paths, "PRIVATE_OFFICES", tmp_path / "ingen.yaml")
    doc = tmp_path / "report.html"
    doc.write_text("<p>ring 22334455 eller skriv til ola@example.no</p>", encoding="utf-8")
    assert privacy.main([str(doc)]) == 1
    err = capsys.readouterr().err
    assert err.split("\n  ") == [
        "Personvernvakten stoppet byggingen (2 funn); ingenting er publisert:",
        f"{doc}, linje 1: inneholder et telefonnummer «••••» (maskert)",
        f"{doc}, linje 1: inneholder en e-postadresse «••••» (maskert)\n"]


def test_the_guard_command_names_the_kind_of_error_in_a_broken_mapping(tmp_path, monkeypatch, capsys):
    mapping = tmp_path / "offices.private.yaml"
    mapping.write_text("offices:\n  C: 99031\n", encoding="utf-8")  # five digits: not a municipality number
    monkeypatch.setattr(paths, "PRIVATE_OFFICES", mapping)
    page = tmp_path / "report.html"
    page.write_text("<p>tekst</p>", encoding="utf-8")
    assert privacy.main([str(page)]) == 1
    assert capsys.readouterr().err == (
        "Personvernvakten kunne ikke lese den private kontorfilen (ConfigError); rett filen etter formatet i "
        "docs/kostra.md. Ingenting er publisert.\n")


def test_empty_names_in_the_mapping_are_not_terms(tmp_path):
    mapping = tmp_path / "offices.private.yaml"
    mapping.write_text("offices:\n  A: '9901'\n  B: '9902'\nnames:\n  A: null\n  B: '  '\n", encoding="utf-8")
    assert privacy.load_terms(mapping) == [Term("9901", "A", "nummer"), Term("9902", "B", "nummer")]


def test_expand_takes_folders_and_the_local_figures_a_chapter_shows(tmp_path, monkeypatch):
    monkeypatch.setattr(paths, "ROOT", tmp_path)
    (tmp_path / "fig").mkdir()
    (tmp_path / "fig" / "a.svg").write_text("<svg/>", encoding="utf-8")
    (tmp_path / "fig" / "b.png").write_bytes(b"png")
    (tmp_path / "side").mkdir()
    (tmp_path / "side" / "z.html").write_text("", encoding="utf-8")
    (tmp_path / "side" / "a.html").write_text("", encoding="utf-8")
    chapter = tmp_path / "kap.md"
    chapter.write_text("![Figur](fig/a.svg){#fig-a}\n<img src='fig/b.png'>\n![web](https://example.org/c.svg)\n"
                       "![mangler](fig/mangler.svg)\n![inline](data:image/png;base64,AAAA)\n![igjen](fig/a.svg)\n",
                       encoding="utf-8")
    qmd = tmp_path / "kap.qmd"
    qmd.write_text("![Figur]( <fig/c.svg>)\n", encoding="utf-8")  # a figure only the .qmd shows
    (tmp_path / "fig" / "c.svg").write_text("<svg/>", encoding="utf-8")
    other = tmp_path / "notat.txt"
    other.write_text("![Figur](fig/a.svg)\n", encoding="utf-8")
    assert privacy.expand([tmp_path / "side", chapter, qmd, other]) == [
        tmp_path / "side" / "a.html", tmp_path / "side" / "z.html", chapter, qmd, other,
        tmp_path / "fig" / "a.svg", tmp_path / "fig" / "b.png", tmp_path / "fig" / "c.svg"]


def test_vendored_means_inside_a_site_libs_folder():
    from pathlib import Path

    assert privacy.vendored(Path("build/staging/quarto/site_libs/bootstrap/b.js"))
    assert not privacy.vendored(Path("build/staging/quarto/site_libs_x/b.js"))
    assert not privacy.vendored(Path("build/report.html"))
