"""Provenance manifest: changed approved data stop the build; new files are listed as new."""
import json

import pytest

from scripts import paths
from scripts.guard import manifest


@pytest.fixture
def data_dir(tmp_path, monkeypatch):
    root = tmp_path
    d = root / "data"
    (d / "raw" / "malekort" / "2014").mkdir(parents=True)
    (d / "raw" / "malekort" / "2014" / "m.csv").write_text("kontor;verdi\nA;52\n", encoding="utf-8")  # made up
    monkeypatch.setattr(paths, "ROOT", root)
    monkeypatch.setattr(paths, "DATA", d)
    return d


def test_new_files_are_recorded_as_new_then_approved(data_dir):
    assert manifest.verify() == ["data/raw/malekort/2014/m.csv"]
    entries = manifest.with_new(when="2015-04-30")
    assert manifest.load() == {}  # listed as new, not written
    e = entries["data/raw/malekort/2014/m.csv"]
    assert e["status"] == "ny" and e["lagt_til"] == "2015-04-30" and len(e["sha256"]) == 64
    manifest.approve()
    assert manifest.load()["data/raw/malekort/2014/m.csv"]["status"] == "godkjent"


def test_changed_file_stops_until_approved(data_dir):
    manifest.approve()
    f = data_dir / "raw" / "malekort" / "2014" / "m.csv"
    f.write_text("kontor;verdi\nA;53\n", encoding="utf-8")
    with pytest.raises(manifest.ManifestError, match="data/raw/malekort/2014/m.csv: endret"):
        manifest.verify()
    before = (data_dir / "manifest.json").read_text()
    manifest.with_new()  # must not silently accept the change
    assert json.loads((data_dir / "manifest.json").read_text()) == json.loads(before)
    assert manifest.approve(["data/raw/malekort/2014/m.csv"]) == ["data/raw/malekort/2014/m.csv"]
    assert manifest.verify() == []


def test_deleted_file_is_reported(data_dir):
    manifest.approve()
    (data_dir / "raw" / "malekort" / "2014" / "m.csv").unlink()
    with pytest.raises(manifest.ManifestError, match="finnes ikke"):
        manifest.verify()


def test_snapshot_sidecar_is_described(data_dir):
    k = data_dir / "raw" / "kostra"
    k.mkdir(parents=True)
    (k / "12210_abc.json").write_text("{}", encoding="utf-8")
    (k / "12210_abc.meta.json").write_text(json.dumps({"fetched_at": "2026-03-15T10:00:00Z",
                                                       "ssb_updated": "2026-03-15T08:00:00Z", "url": "u"}))
    entry = manifest.describe(k / "12210_abc.json")
    assert entry["hentet"] == "2026-03-15T10:00:00Z" and entry["ssb_oppdatert"] == "2026-03-15T08:00:00Z"
    assert all(not p.name.endswith(".meta.json") for p in manifest.input_files())
