"""Publish the checked documents: copy ``build/staging/report.*`` to ``build/report.*``.

This is the last step of a build and the only one that writes ``build/report.*``. Snakemake
removes a job's outputs before the job runs, so rendering straight into ``build/`` would
delete the last good report whenever a render, a chapter or the privacy guard failed. Here
the previous report is replaced only after everything before this step succeeded, and only
by the exact bytes the guard checked (its stamp lists their SHA-256). The reports are not
even this step's Snakemake outputs (that would have them deleted before it runs): its output
is a receipt, written last (``write_receipt``).

A failure while publishing (a full disk, a write that fails halfway, a folder that cannot be
written) must not cost the previous report either, nor leave a mixed set (a new HTML beside
an old PDF). So publishing has two phases. *Stage:* every file is written in full to a hidden
temporary file beside its target (same file system) and fsynced; the Quarto website is copied
the same way into a hidden folder. Any failure here removes what was staged and leaves the
published files as they were. *Replace:* each target is swapped for its staged file by
rename, which needs no free space and is atomic; the previous version is kept as a hard link
(a folder: renamed aside) until the whole set is in place, so a failure halfway puts back
the ones already replaced. A reader never sees half a file.
"""
from __future__ import annotations

import argparse
import errno
import hashlib
import json
import os
import shutil
import sys
from pathlib import Path

from scripts import paths
from scripts.atomic import pause_point, temp_beside, write_text
from scripts.cli import entry, run_step


class PublishError(RuntimeError):
    """A staged document is missing, differs from what the guard checked, or cannot be published."""


KEPT = "ingenting er publisert; forrige rapport er beholdt uendret"

# What the operating system's English error text means for the reader of the message.
REASONS = {
    errno.ENOSPC: "disken er full",
    errno.EDQUOT: "diskkvoten er brukt opp",
    errno.EACCES: "mangler skrivetilgang",
    errno.EPERM: "mangler skrivetilgang",
    errno.EROFS: "filsystemet er skrivebeskyttet",
    errno.EISDIR: "det ligger en mappe der rapportfilen skal ligge",
    errno.ENOTDIR: "en del av stien er en fil, ikke en mappe",
    errno.EIO: "lese- eller skrivefeil på disken",
}


def reason(exc: OSError) -> str:
    """Why a write failed, in Norwegian where the error is a common one."""
    return REASONS.get(exc.errno, exc.strerror or str(exc))


def checked_bytes(staged: Path, stamp: dict) -> bytes:
    """The bytes of ``staged``, after checking they are the ones the guard approved."""
    want = stamp.get("kontrollert", {}).get(str(staged))
    if want is None:
        raise PublishError(f"{staged}: personvernkontrollen har ikke sjekket denne filen; publiserer ikke")
    data = staged.read_bytes()
    if hashlib.sha256(data).hexdigest() != want:
        raise PublishError(f"{staged}: er endret etter personvernkontrollen; publiserer ikke")
    return data


def _remove(path: Path) -> None:
    """Remove a file or a folder, if it is there."""
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    else:
        path.unlink(missing_ok=True)


def _aside(dest: Path, kind: str) -> Path:
    """The hidden name beside ``dest`` for its staged (``new``) or previous (``old``) version."""
    return dest.with_name(f".{dest.name}.{kind}")


def stage_tree(src: Path, dest: Path) -> Path:
    """Copy the folder ``src`` (a Quarto website) to a hidden folder beside ``dest``, every file
    fsynced; return that folder. A folder left by a killed publish is removed first."""
    tmp = _aside(dest, "new")
    _remove(tmp)
    tmp.mkdir(parents=True)
    for f in sorted(src.rglob("*")):
        target = tmp / f.relative_to(src)
        if f.is_dir():
            target.mkdir(parents=True, exist_ok=True)
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        with open(f, "rb") as fin, open(target, "wb") as fout:
            shutil.copyfileobj(fin, fout)
            fout.flush()
            os.fsync(fout.fileno())
    return tmp


def _keep_previous(dest: Path) -> Path | None:
    """Keep the current ``dest`` under a hidden name until the new set is complete: a file as a
    hard link (no space needed, ``dest`` stays in place), a folder renamed aside."""
    if not (dest.exists() or dest.is_symlink()):
        return None
    old = _aside(dest, "old")
    _remove(old)  # left by a killed publish
    if dest.is_dir() and not dest.is_symlink():
        dest.rename(old)
        return old
    try:
        os.link(dest, old)
    except OSError:  # a file system without hard links: a copy (the new files are already staged)
        try:
            shutil.copy2(dest, old)
        except OSError:
            old.unlink(missing_ok=True)
            raise
    return old


def replace_all(pairs: list[tuple[Path, Path]]) -> None:
    """Move each staged ``tmp`` to its ``dest``; if one fails, put back those already replaced
    (and the one being replaced), then raise the error."""
    done: list[tuple[Path, Path | None, bool]] = []  # dest, its previous version, replaced yet
    try:
        for tmp, dest in pairs:
            done.append((dest, _keep_previous(dest), False))
            os.replace(tmp, dest)
            done[-1] = (dest, done[-1][1], True)
            pause_point(dest, "renamed")
    except OSError:
        for dest, old, replaced in reversed(done):
            try:
                if old is not None and old.is_dir():
                    if replaced:
                        _remove(dest)
                    old.rename(dest)
                elif old is not None and replaced:
                    os.replace(old, dest)
                elif old is not None:
                    # Not replaced: ``dest`` is still the previous file, and ``old`` a second name
                    # for it (renaming a hard link onto its twin would do nothing).
                    old.unlink()
                elif replaced:
                    _remove(dest)
            except OSError as exc:
                # Renames back in the same folder hardly fail; if one does, say where the previous
                # version is rather than claim it is in place.
                raise PublishError(f"{dest}: publiseringen feilet, og forrige versjon kunne ikke settes "
                                   f"tilbake ({reason(exc)}); den ligger i {old}") from None
        raise
    for _, old, _ in done:
        if old is not None:
            _remove(old)


def replace_tree(src: Path, dest: Path) -> None:
    """Replace the folder ``dest`` by a copy of ``src``, swapping by rename."""
    replace_all([(stage_tree(src, dest), dest)])


def _sync_folder(folder: Path) -> None:
    """Make the renames in ``folder`` durable (a crash right after publishing keeps them)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass  # some file systems cannot sync a folder; the renames are done all the same
    finally:
        os.close(fd)


def _discard(pairs: list[tuple[Path, Path]], dest: Path) -> None:
    """After a failed publish: remove what was staged beside the targets."""
    for tmp, _ in pairs:
        _remove(tmp)
    _remove(_aside(dest / "quarto", "new"))


# The publish rules' output is a receipt, not the reports: Snakemake deletes a job's outputs
# before it runs and after it fails (and a restored ``update()`` output counts as up to date),
# so the reports themselves are never Snakemake outputs. The receipt is written last, only after
# the whole set is in place; a failed publish leaves none, so the next build publishes.
def write_receipt(receipt: Path, published: list[Path]) -> None:
    """List each published file with its size and SHA-256 (the same bytes give the same receipt)."""
    listed = {}
    for f in published:
        data = f.read_bytes()
        name = f.resolve().relative_to(paths.ROOT) if f.resolve().is_relative_to(paths.ROOT) else f
        listed[str(name)] = {"bytes": len(data), "sha256": hashlib.sha256(data).hexdigest()}
    write_text(receipt, json.dumps({"publisert": listed}, indent=1, sort_keys=True) + "\n")


# A receipt has two possible names. The workflow asks for the one that still describes the
# published files; when neither does (a report deleted or edited by hand), it asks for the name
# that does not exist, and Snakemake publishes again. Deciding this changes nothing on disk, so
# reading the workflow (``snakemake -n`` too) has no side effect.
RECEIPT_SIDES = ("a", "b")


def receipt_names(stem: Path) -> list[Path]:
    """The two names a receipt can have: ``<stem>-a.json`` and ``<stem>-b.json``."""
    return [stem.with_name(f"{stem.name}-{side}.json") for side in RECEIPT_SIDES]


def receipt_is_current(receipt: Path) -> bool:
    """Whether every file the receipt lists is there with the size it was published with. Read
    when the workflow is read, so it checks sizes only: a stat per file, not a checksum."""
    try:
        listed = json.loads(receipt.read_text(encoding="utf-8"))["publisert"]
        return all((Path(n) if Path(n).is_absolute() else paths.ROOT / n).stat().st_size == info["bytes"]
                   for n, info in listed.items())
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return False


def receipt_target(stem: Path) -> Path:
    """The receipt the workflow asks for: the current one, else a name that does not exist."""
    names = receipt_names(stem)
    for r in names:
        if receipt_is_current(r):
            return r
    return next((r for r in names if not r.exists()), names[0])


# The formats a report can be built in (config/schema.yaml, formats).
FORMATS = ("html", "pdf", "docx")


def stale_documents(dest: Path, published: list[Path]) -> list[Path]:
    """Documents of the same report in ``dest`` that this build did not publish: a
    ``report.docx`` left from an earlier build with docx would otherwise stand beside a newer
    edition's HTML and PDF as if it belonged to them."""
    stems = {p.stem for p in published}
    return sorted(dest / f"{stem}.{fmt}" for stem in stems for fmt in FORMATS
                  if (dest / f"{stem}.{fmt}").is_file() and dest / f"{stem}.{fmt}" not in published)


def publish(staged: list[Path], stamp_file: Path, dest: Path = paths.BUILD, receipt: Path | None = None) -> list[Path]:
    """Check every staged document against the guard's stamp, then publish them all to ``dest``
    as one set, all or nothing; then write the ``receipt``."""
    stamp = json.loads(stamp_file.read_text(encoding="utf-8"))
    approved = {f: checked_bytes(f, stamp) for f in staged}  # all checked before any is written
    site = staged[0].parent / "quarto" if staged else None
    if site is not None and not site.is_dir():
        site = None
    if site is not None:
        for page in sorted(site.rglob("*.html")):
            checked_bytes(page, stamp)
    pairs: list[tuple[Path, Path]] = []
    target = dest
    try:
        if site is not None:
            target = dest / "quarto"
            pairs.append((stage_tree(site, target), target))
        for f, data in approved.items():
            target = dest / f.name
            if target.is_dir() and not target.is_symlink():
                raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), str(target))
            pairs.append((temp_beside(target, data), target))
            pause_point(target, "written")
    except OSError as exc:
        _discard(pairs, dest)
        raise PublishError(f"{target}: kunne ikke skrive rapporten ({reason(exc)}); {KEPT}") from None
    try:
        replace_all(pairs)
    except OSError as exc:
        _discard(pairs, dest)
        raise PublishError(f"{exc.filename or dest}: kunne ikke bytte inn den nye rapporten ({reason(exc)}); "
                           f"{KEPT}") from None
    _sync_folder(dest)
    written = [dest / f.name for f in approved]
    for old in stale_documents(dest, written):
        old.unlink()
        print(f"fjernet {old.name}: den var fra en tidligere bygging, og dette bygget har ikke "
              f"{old.suffix[1:]} i formats", file=sys.stderr)
    if receipt is not None:
        # The other name goes first: at most one receipt exists, so a stale one is never asked for.
        for other in receipt_names(receipt.with_name(receipt.name.rsplit("-", 1)[0])):
            if other != receipt:
                other.unlink(missing_ok=True)
        write_receipt(receipt, written)
    return written


def main(argv: list[str] | None = None) -> int:
    """``python -m scripts.guard.publish --stamp GUARD.json [--dest FOLDER] STAGED…``"""
    p = argparse.ArgumentParser(prog="python -m scripts.guard.publish")
    p.add_argument("--stamp", type=Path, required=True)
    p.add_argument("--dest", type=Path, default=paths.BUILD, help="folder to publish into (office reports)")
    p.add_argument("--receipt", type=Path, help="written last, listing what was published (the rule's output)")
    p.add_argument("staged", nargs="+", type=Path)
    a = p.parse_args(argv)
    return run_step("publish", lambda: publish(a.staged, a.stamp, a.dest, a.receipt), (PublishError,))


if __name__ == "__main__":
    sys.exit(entry(main))
