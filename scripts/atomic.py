"""Atomic writes: a reader (or a killed run) never sees a half-written file."""
from __future__ import annotations

import glob
import os
import tempfile
from pathlib import Path

from scripts.cli import pause_point

# mkstemp's random part: eight characters. The pattern matches this file's temporary files
# only, not those of a longer name that starts the same way.
_RANDOM = "?" * 8


def leftovers(path: Path | str) -> list[Path]:
    """Temporary files of ``path`` that a killed writer left behind (SIGKILL allows no clean-up)."""
    path = Path(path)
    return sorted(path.parent.glob(f".{glob.escape(path.name)}.{_RANDOM}.tmp"))


def temp_beside(path: Path | str, data: bytes) -> Path:
    """Write ``data`` to a hidden temporary file next to ``path`` (same file system), fsynced and
    readable; the caller renames it into place with ``os.replace`` once it is known to be good."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    # One job writes one output, so a temporary file of this output that exists now was left by
    # a killed run of this same step: remove it, or it would outlive every later build.
    for old in leftovers(path):
        old.unlink(missing_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o644)  # mkstemp makes 0600; outputs are ordinary readable files
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return Path(tmp)


def write_bytes(path: Path | str, data: bytes) -> None:
    """Write ``data`` beside ``path`` first, then rename over ``path`` (atomic on POSIX)."""
    tmp = temp_beside(path, data)
    try:
        pause_point(path, "written")
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    pause_point(path, "renamed")


def write_text(path: Path | str, text: str) -> None:
    """UTF-8 text version of :func:`write_bytes`."""
    write_bytes(path, text.encode("utf-8"))
