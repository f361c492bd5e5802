"""Atomic writes: leftovers of a killed writer are removed, and the test-only pause point holds a
write exactly where it is asked to (scripts/cli.py, used by tests/test_faults.py)."""
import os
import threading

from scripts import atomic
from scripts.atomic import PAUSE_ENV


def test_a_write_removes_the_temporary_files_a_killed_writer_left_of_the_same_file_only(tmp_path):
    target = tmp_path / "resultater.json"
    mine = tmp_path / ".resultater.json.k1l2e3d4.tmp"  # left by a SIGKILLed run
    other = tmp_path / ".resultater.json.x.abcdefgh.tmp"  # a temporary file of resultater.json.x
    mine.write_text("half")
    other.write_text("half")
    atomic.write_text(target, "{}")
    assert target.read_text() == "{}"
    assert sorted(p.name for p in tmp_path.iterdir()) == [".resultater.json.x.abcdefgh.tmp", "resultater.json"]


def test_the_pause_point_does_nothing_unless_it_names_this_file_and_point(tmp_path, monkeypatch):
    monkeypatch.delenv(PAUSE_ENV, raising=False)
    atomic.write_text(tmp_path / "a.txt", "1")
    monkeypatch.setenv(PAUSE_ENV, f"{tmp_path / 'b.txt'}@written={tmp_path / 'does-not-exist'}")
    atomic.write_text(tmp_path / "a.txt", "2")  # another file: would fail on the missing pipe
    monkeypatch.setenv(PAUSE_ENV, f"{tmp_path / 'a.txt'}@elsewhere={tmp_path / 'does-not-exist'}")
    atomic.write_text(tmp_path / "a.txt", "3")
    assert (tmp_path / "a.txt").read_text() == "3"


def test_the_pause_point_holds_the_write_between_temporary_file_and_rename(tmp_path, monkeypatch):
    fifo = tmp_path / "pause.fifo"
    os.mkfifo(fifo)
    target = tmp_path / "out.txt"
    monkeypatch.setenv(PAUSE_ENV, f"{target}@written={fifo}")
    t = threading.Thread(target=atomic.write_text, args=(target, "ny"))
    t.start()
    fd = os.open(fifo, os.O_WRONLY)  # returns once the writer waits at the point
    try:
        assert not target.exists() and len(atomic.leftovers(target)) == 1
    finally:
        os.close(fd)
    t.join(30)
    assert target.read_text() == "ny" and atomic.leftovers(target) == []
