"""Provenance: a manifest of every input file, and a stop when approved data change.

``data/manifest.json`` records path, size and sha256 of each input file under ``data/``
(and, for SSB snapshots, the fetch time and SSB's ``updated`` from the sidecar). The
Snakefile calls :func:`verify` before any work: a recorded file whose checksum differs
stops the build and names the file, until someone runs::

    python -m scripts.guard.manifest approve            # approve all changes and new files
    python -m scripts.guard.manifest approve data/raw/malekort/2015/kontor_c.xlsx

New files (next year's data) do not stop the build: the appendix lists them with status ``ny``
until they are approved. The build only reads the manifest; only ``approve`` writes it.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path

from scripts import paths
from scripts.atomic import write_text
from scripts.cli import entry

SKIP_SUFFIXES = {".md", ".tmp"}


class ManifestError(RuntimeError):
    """Recorded input data changed without approval."""


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def manifest_path() -> Path:
    """Where the approved manifest lives (read at call time, so tests can move the root)."""
    return paths.DATA / "manifest.json"


def input_files() -> list[Path]:
    """Every data file the report may read (not the manifest itself, not docs or temp files)."""
    data_dir = paths.DATA
    return sorted(p for p in data_dir.rglob("*") if p.is_file() and p != manifest_path()
                  and p.suffix not in SKIP_SUFFIXES and not p.name.startswith(".")
                  and not p.name.endswith(".meta.json"))


PRIVATE_DIR = "private"  # scripts.data.kostra_client.PRIVATE_SUBDIR (not imported: it pulls in requests)


def is_private(path: Path) -> bool:
    """A snapshot fetched for the offices' own municipalities (data/raw/kostra/private/, git-ignored)."""
    try:
        return PRIVATE_DIR in path.relative_to(paths.DATA).parts[:-1]
    except ValueError:
        return False


def key(path: Path) -> str:
    """The manifest's name for an input file: its path, except for a private snapshot.

    A private snapshot's file name is a digest of its query, and its sidecar's URL lists the
    municipality numbers; from either, the few hundred possible numbers could be tried until one
    fits. It is named by a SHA-256 of its path and content instead, which says nothing without the
    data (two snapshots with the same content still get two names).
    """
    rel = path.relative_to(paths.ROOT)
    if is_private(path):
        digest = hashlib.sha256(rel.as_posix().encode() + b"\0" + path.read_bytes()).hexdigest()
        return (rel.parent / f"privat-{digest[:16]}{path.suffix}").as_posix()
    return rel.as_posix()


def describe(path: Path) -> dict:
    """One manifest entry; SSB snapshots carry their sidecar's fetch time and ``updated``, public
    ones also the URL (a private one never: it holds the municipality numbers)."""
    entry = {"sti": key(path), "bytes": path.stat().st_size, "sha256": sha256(path)}
    sidecar = path.with_name(path.stem + ".meta.json")
    if sidecar.is_file():
        meta = json.loads(sidecar.read_text(encoding="utf-8"))
        entry["hentet"] = meta.get("fetched_at")
        entry["ssb_oppdatert"] = meta.get("ssb_updated")
        if is_private(path):
            entry["privat"] = True
        else:
            entry["url"] = meta.get("url")
    return entry


def load() -> dict[str, dict]:
    """The recorded manifest as path -> entry (empty when there is none yet)."""
    path = manifest_path()
    if not path.is_file():
        return {}
    return {e["sti"]: e for e in json.loads(path.read_text(encoding="utf-8"))["filer"]}


def save(entries: dict[str, dict]) -> None:
    body = {"beskrivelse": "Godkjente inndata for navrapport. Endres med `python -m scripts.guard.manifest approve`.",
            "filer": [entries[k] for k in sorted(entries)]}
    write_text(manifest_path(), json.dumps(body, ensure_ascii=False, indent=1) + "\n")


def on_disk_files() -> dict[str, Path]:
    """Manifest name -> file, for every input file on disk."""
    return {key(p): p for p in input_files()}


def changes(recorded: dict[str, dict]) -> dict[str, list[str]]:
    """Compare the files on disk with the manifest: changed, missing and new paths."""
    on_disk = on_disk_files()
    changed = [k for k, p in on_disk.items() if k in recorded and sha256(p) != recorded[k]["sha256"]]
    missing = [k for k in recorded if k not in on_disk]
    new = [k for k in on_disk if k not in recorded]
    return {"endret": sorted(changed), "mangler": sorted(missing), "ny": sorted(new)}


def verify() -> list[str]:
    """Raise ManifestError when recorded files changed or vanished; return the new files."""
    diff = changes(load())
    problems = [f"  {k}: endret siden den ble godkjent (sha256 er ulik)" for k in diff["endret"]]
    problems += [f"  {k}: står i manifestet, men finnes ikke" for k in diff["mangler"]]
    if problems:
        raise ManifestError("Inndata avviker fra det godkjente manifestet (data/manifest.json); ingenting er bygget:\n"
                            + "\n".join(problems)
                            + "\nEr endringen tilsiktet, godkjenn den med: python -m scripts.guard.manifest approve")
    return diff["ny"]


def with_new(when: str = "") -> dict[str, dict]:
    """The recorded entries and, with status 'ny', the files not approved yet (nothing is saved)."""
    recorded = load()
    on_disk = on_disk_files()
    for k in changes(recorded)["ny"]:
        recorded[k] = {**describe(on_disk[k]), "status": "ny", "lagt_til": when}
    return recorded


def approve(only: list[str] | None = None) -> list[str]:
    """Record the current checksums (all, or only the given paths) as approved."""
    recorded = load()
    diff = changes(recorded)
    targets = set(diff["endret"] + diff["ny"] + [k for k, e in recorded.items() if e.get("status") == "ny"])
    on_disk = on_disk_files()
    if only:
        named = {Path(p).as_posix() for p in only}
        named |= {k for k, f in on_disk.items() if f.relative_to(paths.ROOT).as_posix() in named}
        # A private snapshot's old entry cannot be tied to its file (its name came from the old
        # content): approving a private snapshot also drops the vanished entries of its folder.
        folders = {k.rsplit("/", 1)[0] for k in named if is_private(paths.ROOT / k)}
        named |= {k for k in diff["mangler"] if k.rsplit("/", 1)[0] in folders}
        targets &= named
        only = sorted(named)
    for k in diff["mangler"]:
        if not only or k in only:
            recorded.pop(k)
            targets.add(k)
    for k in sorted(targets):
        if k in on_disk:
            recorded[k] = {**describe(on_disk[k]), "status": "godkjent"}
    save(recorded)
    return sorted(targets)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m scripts.guard.manifest")
    sub = p.add_subparsers(dest="cmd", required=True)
    a_ = sub.add_parser("approve", help="approve changed and new input files")
    a_.add_argument("files", nargs="*")
    sub.add_parser("check", help="show what differs from the manifest")
    r = sub.add_parser("report", help="write the provenance table for the appendix (new files marked 'ny')")
    r.add_argument("--out", type=Path, required=True)
    a = p.parse_args(argv)
    if a.cmd == "approve":
        done = approve(a.files)
        print("\n".join(f"godkjent: {k}" for k in done) or "ingenting å godkjenne", file=sys.stderr)
        return 0
    if a.cmd == "check":
        print(json.dumps(changes(load()), ensure_ascii=False, indent=1))
        return 0
    try:
        verify()
    except ManifestError as exc:
        print(exc, file=sys.stderr)
        return 1
    from scripts.engine.render import build_date

    entries = with_new(when=build_date().isoformat())
    write_text(a.out, json.dumps({"filer": [entries[k] for k in sorted(entries)]}, ensure_ascii=False, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(entry(main))
