"""A publish that fails at run time (full disk, a write that stops halfway, no write access, a
rename that fails) leaves the previously published set byte-identical and complete: the HTML,
the PDF and the Quarto website, with no temporary or backup file beside them, and says so in
Norwegian. Faults are injected where the bytes meet the operating system."""
import errno
import hashlib
import json
import os

import pytest

from scripts import atomic
from scripts.guard import publish
from tests.fixtures.diskfull.sitecustomize import filling_fdopen

OLD = {"report.html": b"<p>forrige rapport</p>", "report.pdf": b"%PDF forrige rapport",
       "quarto/index.html": b"<p>forrige side</p>", "quarto/kap/a.html": b"<p>forrige a</p>"}
NEW = {"report.html": b"<p>ny rapport</p>" * 50, "report.pdf": b"%PDF ny rapport" * 50,
       "quarto/index.html": b"<p>ny side</p>" * 50, "quarto/kap/a.html": b"<p>ny a</p>" * 50,
       "quarto/kap/b.html": b"<p>ny b</p>" * 50}
KEPT = "ingenting er publisert; forrige rapport er beholdt uendret"


def files(root):
    """Every file and folder under ``root`` (hidden ones included) -> its bytes (None: folder)."""
    return {p.relative_to(root).as_posix(): (None if p.is_dir() else p.read_bytes()) for p in sorted(root.rglob("*"))}


@pytest.fixture
def setup(tmp_path):
    """A published set in out/ and a new, checked set in staging/ (with its guard stamp)."""
    out, staging = tmp_path / "out", tmp_path / "staging"
    for root, content in ((out, OLD), (staging, NEW)):
        for rel, body in content.items():
            (root / rel).parent.mkdir(parents=True, exist_ok=True)
            (root / rel).write_bytes(body)
    stamp = tmp_path / "guard.json"
    checked = {str(p): hashlib.sha256(p.read_bytes()).hexdigest() for p in staging.rglob("*") if p.is_file()}
    stamp.write_text(json.dumps({"kontrollert": checked}), encoding="utf-8")
    docs = [staging / "report.html", staging / "report.pdf"]
    return docs, stamp, out, files(out)


def failure(docs, stamp, out) -> str:
    """The message of a publish that must fail."""
    with pytest.raises(publish.PublishError) as info:
        publish.publish(docs, stamp, dest=out)
    return str(info.value)


def full_disk_after(name: str, after: int):
    """An ``os.fdopen`` whose temporary files of ``name`` get ``after`` bytes, then the disk is full."""
    return filling_fdopen(lambda path: os.path.basename(path).startswith(f".{name}."), after)


def failing_replace(monkeypatch, name: str, suffixes=(".tmp",)):
    """Make ``os.replace`` fail (EIO) when a staged file ending in ``suffixes`` is moved onto
    ``name``; every other rename works."""
    real = os.replace

    def replace(src, dst):
        if os.path.basename(dst) == name and str(src).endswith(suffixes):
            raise OSError(errno.EIO, "Input/output error", str(dst))
        return real(src, dst)

    monkeypatch.setattr(publish.os, "replace", replace)


def no_hard_links(monkeypatch):
    """A file system without hard links: ``os.link`` fails with EPERM."""
    def link(*args):
        raise OSError(errno.EPERM, "Operation not permitted")

    monkeypatch.setattr(publish.os, "link", link)


@pytest.mark.parametrize("name", ["report.html", "report.pdf"])
def test_a_full_disk_halfway_through_a_document_keeps_the_whole_previous_set(setup, monkeypatch, name):
    docs, stamp, out, before = setup
    monkeypatch.setattr(atomic.os, "fdopen", full_disk_after(name, 100))
    assert failure(docs, stamp, out) == f"{out / name}: kunne ikke skrive rapporten (disken er full); {KEPT}"
    assert files(out) == before


def test_a_full_disk_while_copying_the_website_keeps_the_previous_website(setup, monkeypatch):
    docs, stamp, out, before = setup
    real = publish.shutil.copyfileobj

    def copy(fin, fout, *args):
        if fin.name.endswith("b.html"):
            fout.write(fin.read(10))
            raise OSError(errno.ENOSPC, "No space left on device", fout.name)
        return real(fin, fout, *args)

    monkeypatch.setattr(publish.shutil, "copyfileobj", copy)
    assert failure(docs, stamp, out) == f"{out / 'quarto'}: kunne ikke skrive rapporten (disken er full); {KEPT}"
    assert files(out) == before


def test_no_write_access_for_one_document_publishes_nothing(setup, monkeypatch):
    docs, stamp, out, before = setup
    real = atomic.tempfile.mkstemp

    def mkstemp(prefix="", **kwargs):
        if prefix.startswith(".report.pdf."):
            raise PermissionError(errno.EACCES, "Permission denied", kwargs.get("dir"))
        return real(prefix=prefix, **kwargs)

    monkeypatch.setattr(atomic.tempfile, "mkstemp", mkstemp)
    assert failure(docs, stamp, out) == f"{out / 'report.pdf'}: kunne ikke skrive rapporten (mangler skrivetilgang); {KEPT}"
    assert files(out) == before


@pytest.mark.parametrize("fails", ["quarto", "report.html", "report.pdf"])
def test_a_rename_that_fails_halfway_puts_back_the_ones_already_replaced(setup, monkeypatch, fails):
    """The website is replaced first, then the HTML, then the PDF; whichever rename fails, the
    ones before it are put back."""
    docs, stamp, out, before = setup
    failing_replace(monkeypatch, fails, (".tmp", ".new"))
    assert failure(docs, stamp, out) == (f"{out / fails}: kunne ikke bytte inn den nye rapporten (lese- eller skrivefeil på "
                               f"disken); {KEPT}")
    assert files(out) == before


def test_a_successful_publish_replaces_the_whole_set_and_leaves_nothing_beside_it(setup):
    docs, stamp, out, _ = setup
    assert publish.publish(docs, stamp, dest=out) == [out / "report.html", out / "report.pdf"]
    assert files(out) == {"quarto": None, "quarto/index.html": NEW["quarto/index.html"], "quarto/kap": None,
                          "quarto/kap/a.html": NEW["quarto/kap/a.html"], "quarto/kap/b.html": NEW["quarto/kap/b.html"],
                          "report.html": NEW["report.html"], "report.pdf": NEW["report.pdf"]}


def test_leftovers_of_a_killed_publish_are_cleared_by_the_next(setup):
    """A kill (no clean-up possible) between keeping the previous version and removing it."""
    docs, stamp, out, _ = setup
    (out / ".report.html.old").write_bytes(b"fra et avbrutt bygg")
    (out / ".quarto.old").mkdir()
    (out / ".quarto.new").mkdir()
    publish.publish(docs, stamp, dest=out)
    assert sorted(p.name for p in out.iterdir()) == ["quarto", "report.html", "report.pdf"]


def test_the_receipt_is_written_last_and_only_when_the_whole_set_is_published(setup, monkeypatch):
    docs, stamp, out, _ = setup
    receipt = stamp.parent / "published-a.json"
    monkeypatch.setattr(atomic.os, "fdopen", full_disk_after("report.pdf", 10))
    with pytest.raises(publish.PublishError):
        publish.publish(docs, stamp, dest=out, receipt=receipt)
    assert not receipt.exists()
    monkeypatch.undo()
    publish.publish(docs, stamp, dest=out, receipt=receipt)
    assert json.loads(receipt.read_text()) == {"publisert": {
        str(out / n): {"bytes": len(NEW[n]), "sha256": hashlib.sha256(NEW[n]).hexdigest()}
        for n in ("report.html", "report.pdf")}}


@pytest.mark.parametrize("change", ["deleted", "other size", "broken receipt"])
def test_when_the_reports_changed_the_workflow_asks_for_the_other_receipt_and_deletes_nothing(setup, change):
    docs, stamp, out, _ = setup
    a, b = publish.receipt_names(stamp.parent / "published")
    assert publish.receipt_target(stamp.parent / "published") == a  # nothing published yet
    publish.publish(docs, stamp, dest=out, receipt=a)
    assert publish.receipt_is_current(a) and publish.receipt_target(stamp.parent / "published") == a
    if change == "deleted":
        (out / "report.pdf").unlink()
    elif change == "other size":
        (out / "report.html").write_bytes(b"<p>redigert for hand</p>")
    else:
        a.write_text("{ikke json", encoding="utf-8")
    assert not publish.receipt_is_current(a)
    assert publish.receipt_target(stamp.parent / "published") == b
    assert a.exists()  # deciding changes nothing on disk
    publish.publish(docs, stamp, dest=out, receipt=b)
    assert not a.exists() and publish.receipt_target(stamp.parent / "published") == b


def test_without_hard_links_the_previous_file_is_kept_as_a_copy_and_put_back_on_failure(setup, monkeypatch):
    """A file system without hard links (os.link fails): the previous report is copied aside
    instead, and a failed rename of the PDF still puts the HTML back."""
    docs, stamp, out, before = setup
    no_hard_links(monkeypatch)
    real = os.replace
    failing_replace(monkeypatch, "report.pdf")
    failure(docs, stamp, out)
    assert files(out) == before
    monkeypatch.setattr(publish.os, "replace", real)
    publish.publish(docs, stamp, dest=out)
    assert (out / "report.pdf").read_bytes() == NEW["report.pdf"]
    assert sorted(p.name for p in out.iterdir()) == ["quarto", "report.html", "report.pdf"]


def test_a_roll_back_that_fails_says_where_the_previous_version_lies(setup, monkeypatch):
    docs, stamp, out, _ = setup
    real = os.replace

    def replace(src, dst):
        if str(src).endswith(".tmp") and os.path.basename(dst) == "report.pdf":
            raise OSError(errno.EIO, "Input/output error", str(dst))
        if str(src).endswith(".old"):  # putting the HTML back fails too
            raise OSError(errno.EACCES, "Permission denied", str(dst))
        return real(src, dst)

    monkeypatch.setattr(publish.os, "replace", replace)
    assert failure(docs, stamp, out) == (
        f"{out / 'report.html'}: publiseringen feilet, og forrige versjon kunne ikke settes tilbake "
        f"(mangler skrivetilgang); den ligger i {out / '.report.html.old'}")
    assert (out / ".report.html.old").read_bytes() == OLD["report.html"]


def test_an_uncommon_error_is_named_by_the_operating_systems_own_words():
    assert publish.reason(OSError(errno.ENOSPC, "No space left on device")) == "disken er full"
    assert publish.reason(OSError(errno.ELOOP, "Too many levels of symbolic links")) == \
        "Too many levels of symbolic links"
    assert publish.reason(OSError("bare tekst")) == "bare tekst"


def test_the_command_publishes_and_writes_the_receipt_with_paths_under_the_project(setup, monkeypatch):
    """Run as the rule runs it: files under the project root are listed by relative path."""
    docs, stamp, out, _ = setup
    monkeypatch.setattr(publish.paths, "ROOT", out.parent)
    receipt = stamp.parent / "published-a.json"
    assert publish.main(["--stamp", str(stamp), "--dest", str(out), "--receipt", str(receipt),
                         *map(str, docs)]) == 0
    text = receipt.read_text(encoding="utf-8")
    assert json.loads(text) == {"publisert": {
        f"out/{n}": {"bytes": len(NEW[n]), "sha256": hashlib.sha256(NEW[n]).hexdigest()}
        for n in ("report.html", "report.pdf")}}
    assert text.startswith('{\n "publisert": {\n  "out/report.html": {\n   "bytes"')  # sorted, indent 1
    assert publish.receipt_is_current(receipt)


def test_a_first_publish_that_fails_leaves_no_document_behind(setup, monkeypatch):
    """No previous report (the first build): if the PDF's rename fails, the HTML already moved
    into place is removed again, so no half set is published."""
    docs, stamp, out, _ = setup
    for name in ("report.html", "report.pdf"):
        (out / name).unlink()
    before = files(out)
    failing_replace(monkeypatch, "report.pdf")
    assert failure(docs, stamp, out) == (f"{out / 'report.pdf'}: kunne ikke bytte inn den nye rapporten "
                                         f"(lese- eller skrivefeil på disken); {KEPT}")
    assert files(out) == before


@pytest.mark.parametrize("partial", [False, True], ids=["before_any_byte", "after_some_bytes"])
def test_without_hard_links_a_copy_aside_that_fails_names_its_own_error_and_leaves_nothing(setup, monkeypatch, partial):
    """No hard links, and the copy of the previous HTML fails (full disk), before it was created
    or halfway: the message names the full disk, and no copy is left beside the report."""
    docs, stamp, out, before = setup
    no_hard_links(monkeypatch)

    def copy2(src, dst):
        if partial:
            with open(dst, "wb") as f:
                f.write(b"halv")
        raise OSError(errno.ENOSPC, "No space left on device", str(dst))

    monkeypatch.setattr(publish.shutil, "copy2", copy2)
    assert failure(docs, stamp, out) == (f"{out / '.report.html.old'}: kunne ikke bytte inn den nye rapporten "
                                         f"(disken er full); {KEPT}")
    assert files(out) == before


def test_a_document_of_a_format_this_build_did_not_make_is_removed_with_a_message(setup, capsys):
    """A report.docx from an earlier build with docx would otherwise pass for this edition's."""
    docs, stamp, out, _ = setup
    (out / "report.docx").write_bytes(b"docx fra 2014 (oppdiktet)")
    publish.publish(docs, stamp, dest=out)
    assert not (out / "report.docx").exists()
    assert sorted(p.name for p in out.iterdir()) == ["quarto", "report.html", "report.pdf"]
    assert "fjernet report.docx: den var fra en tidligere bygging, og dette bygget har ikke docx i formats" \
        in capsys.readouterr().err
