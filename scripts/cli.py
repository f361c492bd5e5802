"""What every step's command line shares: a foreseeable failure is one clear message, not a traceback."""
from __future__ import annotations

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
