"""Run a command line with everything it prints passed through a mask, line by line.

Shared by :mod:`scripts.cli` (every step) and the privacy guard's own command line, which
cannot go through ``scripts.cli`` (that masks with the guard). No project imports here.
"""
from __future__ import annotations

import io
import sys
import traceback
from collections.abc import Callable
from pathlib import Path


class MaskedStream(io.TextIOBase):
    """A text stream that passes each complete line through ``mask`` before it is written on;
    a partial line waits for its end (or for :meth:`close_line`)."""

    def __init__(self, raw, mask: Callable[[str], str]):
        self.raw, self.mask, self.pending = raw, mask, ""

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        self.pending += text
        if "\n" in self.pending:
            done, self.pending = self.pending.rsplit("\n", 1)
            self.raw.write(self.mask(done) + "\n")
        return len(text)

    def close_line(self) -> None:
        if self.pending:
            self.raw.write(self.mask(self.pending))
            self.pending = ""
        self.raw.flush()

    def flush(self) -> None:
        self.raw.flush()


def run_masked(main: Callable[[], int | None], mask: Callable[[str], str] | None) -> int:
    """Run ``main`` with stdout and stderr masked (when ``mask`` is given); an unforeseen error
    becomes a traceback and one Norwegian line, both masked, and exit status 1."""
    streams = [MaskedStream(sys.stdout, mask), MaskedStream(sys.stderr, mask)] if mask else []
    if streams:
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
