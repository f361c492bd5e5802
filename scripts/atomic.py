"""Atomic writes: a reader (or a killed run) never sees a half-written file."""
from __future__ import annotations

import glob
import os
import tempfile
from pathlib import Path

from scripts import paths

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


# Test-only pause points (tests/test_faults.py). With
#   NAVRAPPORT_TEST_PAUSE="<file>@<point>=<fifo>"
# a step stops at ``point`` while writing ``file`` (a path relative to the project root, e.g.
# build/results/resultater.json) and waits until something writes to and closes the named pipe
# ``fifo``. The test opens the pipe for writing, which returns exactly when the step has reached the
# point, and then kills the build: a kill at a defined moment instead of a polled one. Points:
# ``written`` (the temporary file is complete, not yet renamed) and ``renamed`` (the output is in
# place, the step has not yet exited). Unset (always, outside these tests) it does nothing.
PAUSE_ENV = "NAVRAPPORT_TEST_PAUSE"


def pause_point(path: Path | str, point: str) -> None:
    """Wait on the test's named pipe if ``NAVRAPPORT_TEST_PAUSE`` names this file and point."""
    spec = os.environ.get(PAUSE_ENV)
    if not spec:
        return
    where, _, fifo = spec.partition("=")
    path = Path(path).resolve()
    name = path.relative_to(paths.ROOT) if path.is_relative_to(paths.ROOT) else path
    if where == f"{name}@{point}":
        with open(fifo, "rb") as fh:  # blocks until the test opens the pipe for writing
            fh.read()  # then until it closes it (it kills the build first)
