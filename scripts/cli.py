"""How every step's command line runs: one entry point that masks what it prints, and
foreseeable failures as one clear Norwegian message instead of a traceback.

Every module under ``scripts/`` that can be run with ``python -m`` ends with
``sys.exit(entry(main))``. When the git-ignored private office mapping exists, everything
the step writes to stdout and stderr (so its log too, and any traceback) passes through the
privacy guard line by line: a line naming a municipality from the mapping is withheld.
"""
from __future__ import annotations

import io
import sys
import traceback
from collections.abc import Callable, Iterable
from pathlib import Path

from scripts import paths


def printable(message: str) -> str:
    """The message with every line that names a private term withheld (see the privacy guard).
    Imported only when there is a private mapping: most builds have none."""
    if not paths.PRIVATE_OFFICES.exists():
        return message
    from scripts.guard.privacy import withhold_private

    return withhold_private(message)


class MaskedStream(io.TextIOBase):
    """A text stream that passes each complete line through :func:`printable` before it is
    written on; a partial line waits for its end (or for :meth:`close_line`)."""

    def __init__(self, raw):
        self.raw, self.pending = raw, ""

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        self.pending += text
        if "\n" in self.pending:
            done, self.pending = self.pending.rsplit("\n", 1)
            self.raw.write(printable(done) + "\n")
        return len(text)

    def close_line(self) -> None:
        if self.pending:
            self.raw.write(printable(self.pending))
            self.pending = ""
        self.raw.flush()

    def flush(self) -> None:
        self.raw.flush()


def entry(main: Callable[[], int | None]) -> int:
    """Run a module's ``main`` as its command line: output masked when there is a private
    mapping, an unforeseen error reported in Norwegian with exit status 1."""
    streams = []
    if paths.PRIVATE_OFFICES.exists():
        streams = [MaskedStream(sys.stdout), MaskedStream(sys.stderr)]
        sys.stdout, sys.stderr = streams
    prog = Path(sys.argv[0]).stem if sys.argv and sys.argv[0] else "steget"
    try:
        code = main()
    except SystemExit as exc:  # argparse's usage errors, already printed (masked)
        code = exc.code
    except Exception as exc:  # noqa: BLE001 (the last stop: no step may crash unmasked)
        traceback.print_exc()
        # The exception's own text stands in the traceback's last line, masked on its own.
        print(f"{prog}: uventet feil ({type(exc).__name__}); ingenting er publisert. "
              "Meld feilen med loggen over.", file=sys.stderr)
        code = 1
    finally:
        for s in streams:
            s.close_line()
        if streams:
            sys.stdout, sys.stderr = streams[0].raw, streams[1].raw
    return code if isinstance(code, int) else (0 if code is None else 1)


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
