"""What every step's command line shares: a foreseeable failure is one clear message, not a traceback."""
from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterable
from pathlib import Path

from scripts import paths


def _printable(message: str) -> str:
    """The message with every line that names a private term withheld (see the privacy guard).
    Imported only when there is a private mapping: most builds have none."""
    if not paths.PRIVATE_OFFICES.exists():
        return message
    from scripts.guard.privacy import withhold_private

    return withhold_private(message)


def run_step(name: str, action: Callable[[], Iterable[Path] | None], expected: tuple[type[BaseException], ...]) -> int:
    """Run ``action``; report the files it wrote. An ``expected`` error, or a file that cannot be
    written (no permission, a folder where a file should be, a full disk), becomes one line on
    stderr starting with ``name``, and exit status 1."""
    try:
        for p in action() or []:
            p = Path(p)
            print(f"skrev {p.relative_to(paths.ROOT) if p.is_relative_to(paths.ROOT) else p}", file=sys.stderr)
    except expected as exc:
        print(_printable(f"{name}: {exc}"), file=sys.stderr)
        return 1
    except OSError as exc:
        print(f"{name}: kunne ikke skrive {exc.filename}: {exc.strerror}", file=sys.stderr)
        return 1
    return 0


# Test-only pause points (tests/test_faults.py). With
#   NAVRAPPORT_TEST_PAUSE="<file>@<point>=<fifo>"
# a step stops at ``point`` while writing ``file`` (a path relative to the project root, e.g.
# build/results/resultater.json) and waits until something writes to and closes the named pipe
# ``fifo``. The test opens the pipe for writing, which returns exactly when the step has reached the
# point, and then kills the build: a kill at a defined moment instead of a polled one. Points:
# ``written`` (the temporary file is complete, not yet renamed) and ``renamed`` (the output is in
# place, the step has not yet exited). Unset (always, outside these tests) it does nothing.
PAUSE_ENV = "NAVRAPPORT_TEST_PAUSE"
PAUSE_POINTS = ("written", "renamed")


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
