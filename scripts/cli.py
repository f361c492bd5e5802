"""How every step's command line runs: one entry point that masks what it prints, and
foreseeable failures as one clear Norwegian message instead of a traceback.

Every module under ``scripts/`` that can be run with ``python -m`` ends with
``sys.exit(entry(main))``. When the git-ignored private office mapping exists, everything
the step writes to stdout and stderr (so its log too, and any traceback) passes through the
privacy guard line by line: a line naming a municipality from the mapping is withheld.
"""
from __future__ import annotations

import sys
from collections.abc import Callable, Iterable
from pathlib import Path

from scripts import paths
from scripts.masking import run_masked


def printable(message: str) -> str:
    """The message with every line that names a private term withheld (see the privacy guard).
    Imported only when there is a private mapping: most builds have none."""
    if not paths.PRIVATE_OFFICES.exists():
        return message
    from scripts.guard.privacy import withhold_private

    return withhold_private(message)


def entry(main: Callable[[], int | None]) -> int:
    """Run a module's ``main`` as its command line: output masked when there is a private
    mapping, an unforeseen error reported in Norwegian with exit status 1."""
    return run_masked(main, printable if paths.PRIVATE_OFFICES.exists() else None)


def run_step(name: str, action: Callable[[], Iterable[Path] | None], expected: tuple[type[BaseException], ...]) -> int:
    """Run ``action``; report the files it wrote. An ``expected`` error, or a file that cannot be
    written (no permission, a folder where a file should be, a full disk), becomes one line on
    stderr starting with ``name``, and exit status 1."""
    try:
        for p in action() or []:
            p = Path(p)
            print(f"skrev {p.relative_to(paths.ROOT) if p.is_relative_to(paths.ROOT) else p}", file=sys.stderr)
    except expected as exc:
        print(printable(f"{name}: {exc}"), file=sys.stderr)
        return 1
    except OSError as exc:
        print(f"{name}: kunne ikke skrive {exc.filename}: {exc.strerror}", file=sys.stderr)
        return 1
    return 0
