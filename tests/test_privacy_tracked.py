"""Nothing private reaches a tracked file: a private KOSTRA fetch (answered by a made-up SSB,
recorded responses in tests/test_kostra_client.py) in a temporary copy of the project, then the
manifest steps, then every tracked file of the copy is searched for the made-up municipality
numbers and for the names of the private snapshots (whose digests encode the query)."""
import json
import subprocess

import pytest
import responses

from scripts import paths
from scripts.data import kostra_client as kc
from scripts.guard import manifest
from tests.conftest import ROOT, copy_repo
from tests.test_kostra_client import ANY_DATA, ANY_META, echo, made_up_metadata


def tracked_files():
    out = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    return out.split()


def unused_numbers(files, n=2):
    """Made-up four-digit numbers (99xx) that no tracked file contains, so a hit can only be a leak."""
    corpus = "\n".join((ROOT / f).read_text(encoding="utf-8", errors="replace") for f in files if (ROOT / f).is_file())
    numbers = [f"99{i:02d}" for i in range(50, 100) if f"99{i:02d}" not in corpus]
    assert len(numbers) >= n
    return numbers[:n]


def metadata_with(numbers):
    """The made-up SSB's metadata, with the test's made-up municipality numbers among the regions
    (the fetch resolves the private municipalities against it before asking for data)."""
    def answer(request):
        status, headers, body = made_up_metadata(request)
        meta = json.loads(body)
        geo = meta["role"]["geo"][0]  # KOSTRA's region dimension, found by its role as the fetch finds it
        regions = meta["dimension"][geo]["category"]
        for n in numbers:
            regions["index"][n] = len(regions["index"])
            regions["label"][n] = f"Oppdiktet kommune {n}"
        meta["size"][meta["id"].index(geo)] = len(regions["index"])
        return status, headers, json.dumps(meta)
    return answer


@pytest.fixture
def repo_copy(tmp_path, monkeypatch):
    repo = copy_repo(tmp_path / "repo")
    monkeypatch.setattr(paths, "ROOT", repo)
    monkeypatch.setattr(paths, "DATA", repo / "data")
    return repo


def test_a_private_fetch_leaves_no_number_or_snapshot_name_in_any_tracked_file(repo_copy, capsys):
    files = tracked_files()
    secret = unused_numbers(files)
    mapping = repo_copy / "config" / "offices.private.yaml"
    mapping.write_text(f'offices:\n  A: "{secret[0]}"\n  B: "{secret[1]}"\n', encoding="utf-8")
    dest = repo_copy / "data" / "raw" / "kostra"
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mocked:
        mocked.add_callback(responses.GET, ANY_META, callback=metadata_with(secret))
        mocked.add_callback(responses.GET, ANY_DATA, callback=echo)
        assert kc.main(["fetch", "--years", "2014", "--dest", str(dest), "--offices", str(mapping)]) == 0
    private = [p for p in (dest / "private").iterdir() if p.suffix == ".json"]
    assert private and any(secret[0] in p.read_text(encoding="utf-8") for p in private)  # the fetch was private

    manifest.approve()  # what a maintainer does after a fetch

    entries = json.loads((repo_copy / "data" / "manifest.json").read_text(encoding="utf-8"))["filer"]
    private_entries = [e for e in entries if "/private/" in e["sti"]]
    assert len(private_entries) == len([p for p in private if not p.name.endswith(".meta.json")])
    assert all(e.get("privat") and "url" not in e for e in private_entries)

    leaks = []
    for f in files:
        path = repo_copy / f
        if not path.is_file():
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        leaks += [(f, s) for s in secret if s in text]
        leaks += [(f, p.stem) for p in private if p.stem.split(".")[0] in text]
    assert leaks == []
    assert not any(s in capsys.readouterr().err for s in secret)


def test_a_changed_private_snapshot_still_stops_the_build_until_approved(repo_copy):
    snap = repo_copy / "data" / "raw" / "kostra" / "private" / "04688_abcdef123456.json"
    snap.parent.mkdir(parents=True)
    snap.write_text('{"oppdiktet": 1}', encoding="utf-8")
    manifest.approve()
    assert manifest.verify() == []
    snap.write_text('{"oppdiktet": 2}', encoding="utf-8")
    with pytest.raises(manifest.ManifestError, match="privat-"):
        manifest.verify()
    manifest.approve([snap.relative_to(repo_copy).as_posix()])
    assert manifest.verify() == []
