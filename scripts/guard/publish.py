"""Publish the checked documents: copy ``build/staging/report.*`` to ``build/report.*``.

This is the last step of a build and the only one that writes ``build/report.*``. Snakemake
removes a job's outputs before the job runs, so rendering straight into ``build/`` would
delete the last good report whenever a render, a chapter or the privacy guard failed. Here
the previous report is replaced only after everything before this step succeeded, and only
by the exact bytes the guard checked (its stamp lists their SHA-256). Each file is replaced
atomically (temporary file, then rename), so a reader never sees half a file.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import sys
from pathlib import Path

from scripts import paths
from scripts.atomic import write_bytes
from scripts.cli import run_step


class PublishError(RuntimeError):
    """A staged document is missing or differs from what the guard checked."""


def checked_bytes(staged: Path, stamp: dict) -> bytes:
    """The bytes of ``staged``, after checking they are the ones the guard approved."""
    want = stamp.get("kontrollert", {}).get(str(staged))
    if want is None:
        raise PublishError(f"{staged}: personvernkontrollen har ikke sjekket denne filen; publiserer ikke")
    data = staged.read_bytes()
    if hashlib.sha256(data).hexdigest() != want:
        raise PublishError(f"{staged}: er endret etter personvernkontrollen; publiserer ikke")
    return data


def replace_tree(src: Path, dest: Path) -> None:
    """Replace the folder ``dest`` by a copy of ``src`` (a Quarto website), swapping by rename."""
    tmp = dest.with_name(f".{dest.name}.new")
    old = dest.with_name(f".{dest.name}.old")
    shutil.rmtree(tmp, ignore_errors=True)
    shutil.copytree(src, tmp)
    if dest.exists():
        dest.rename(old)
    tmp.rename(dest)
    shutil.rmtree(old, ignore_errors=True)


def publish(staged: list[Path], stamp_file: Path, dest: Path = paths.BUILD) -> list[Path]:
    """Check every staged document against the guard's stamp, then copy them all to ``dest``."""
    stamp = json.loads(stamp_file.read_text(encoding="utf-8"))
    approved = {f: checked_bytes(f, stamp) for f in staged}  # all checked before any is written
    site = staged[0].parent / "quarto" if staged else None
    if site is not None and site.is_dir():
        for page in sorted(site.rglob("*.html")):
            checked_bytes(page, stamp)
        replace_tree(site, dest / "quarto")
    written = []
    for f, data in approved.items():
        try:
            write_bytes(dest / f.name, data)
        except OSError as exc:
            raise PublishError(f"{dest / f.name}: kunne ikke skrive rapporten ({exc.strerror})") from None
        written.append(dest / f.name)
    return written


def main(argv: list[str] | None = None) -> int:
    """``python -m scripts.guard.publish --stamp GUARD.json [--dest FOLDER] STAGED…``"""
    p = argparse.ArgumentParser(prog="python -m scripts.guard.publish")
    p.add_argument("--stamp", type=Path, required=True)
    p.add_argument("--dest", type=Path, default=paths.BUILD, help="folder to publish into (office reports)")
    p.add_argument("staged", nargs="+", type=Path)
    a = p.parse_args(argv)
    return run_step("publish", lambda: publish(a.staged, a.stamp, a.dest), (PublishError,))

if __name__ == "__main__":
    sys.exit(main())
