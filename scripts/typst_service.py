"""Keep Typst warm between builds: a service process that compiles the report's PDF.

Typst remembers its layout work within a process, so when a data update changes a few
numbers only the changed parts are laid out again: about 0.15 s instead of 0.5 s for this
report on our machines. A step cannot keep that memory (its forked process exits with the
step), and the step worker cannot compile either, because Typst starts threads and the
worker forks. So the worker forks this service once, after its imports and before its first
step (no threads yet). Render steps, forked from the same worker later, send it their compile
and get the PDF's bytes back.

Without a service (``NAVRAPPORT_WORKER=0``, a step run by hand, or a service that has exited)
``compile_pdf`` compiles in the calling process: the same bytes, only slower. A request is a
pure function of the files it names, so retrying it here after a failed call is always safe.

The socket sits in the worker's private folder and both ends check the other's user id, as
for the worker itself (``scripts.step``).
"""
from __future__ import annotations

import json
import os
import socket
import struct
import sys
import time

# Set in the worker before it forks any step; steps inherit it.
SOCKET: str | None = None
# Typst's memory of earlier compiles grows by some 20 MB per compile of this report at first,
# then levels off. Past this much the service exits after answering; steps then compile
# themselves until the worker (and with it a new service) starts again.
MAX_RSS = 1 << 30
LENGTH = struct.Struct("!Q")
OK, ERROR = b"K", b"E"


class ServiceUnavailable(RuntimeError):
    """The service did not answer; the caller compiles in its own process."""


def compile_here(request: dict) -> bytes:
    """Compile as the request says, in this process. Raises RuntimeError (Typst's message)."""
    import typst

    return typst.compile(request["input"], root=request["root"], pdf_standards=request["pdf_standards"],
                         timestamp=request["timestamp"], ignore_system_fonts=True)


def compile_pdf(source: str, root: str, timestamp: int, pdf_standards: list[str]) -> bytes:
    """The PDF for Typst source file ``source`` (a path under ``root``), from the service when
    there is one, else compiled here. Fonts are Typst's own (no system fonts), so the result
    does not depend on which process compiles."""
    request = {"input": str(source), "root": str(root), "timestamp": int(timestamp),
               "pdf_standards": list(pdf_standards)}
    if SOCKET:
        try:
            return _ask(SOCKET, request)
        except (ServiceUnavailable, OSError) as exc:
            print(f"typst service: {exc}; compiling in this process", file=sys.stderr)
    return compile_here(request)


def _recv_exactly(sock: socket.socket, n: int) -> bytes:
    chunks, got = [], 0
    while got < n:
        chunk = sock.recv(min(n - got, 1 << 20))
        if not chunk:
            raise ServiceUnavailable("the service closed the connection")
        chunks.append(chunk)
        got += len(chunk)
    return b"".join(chunks)


def _send(sock: socket.socket, kind: bytes, payload: bytes) -> None:
    sock.sendall(kind + LENGTH.pack(len(payload)) + payload)


def _recv(sock: socket.socket) -> tuple[bytes, bytes]:
    kind = _recv_exactly(sock, 1)
    (n,) = LENGTH.unpack(_recv_exactly(sock, LENGTH.size))
    return kind, _recv_exactly(sock, n)


def _ask(path: str, request: dict) -> bytes:
    from scripts.step import same_user

    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.connect(path)
        if not same_user(sock):
            raise ServiceUnavailable(f"{path} is served by another user")
        _send(sock, OK, json.dumps(request).encode("utf-8"))
        kind, payload = _recv(sock)
    if kind == OK:
        return payload
    if kind == ERROR:
        raise RuntimeError(payload.decode("utf-8", "replace"))
    raise ServiceUnavailable(f"unexpected answer {kind!r}")


def rss_bytes() -> int:
    """This process's resident memory (Linux)."""
    with open("/proc/self/statm", encoding="ascii") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def serve(listener: socket.socket, log=print) -> None:
    """Answer compile requests one at a time until memory passes ``MAX_RSS`` or the
    listener is closed."""
    from scripts.step import same_user

    while True:
        try:
            conn, _ = listener.accept()
        except OSError:
            return
        with conn:
            try:
                if not same_user(conn):
                    continue
                kind, body = _recv(conn)
                request = json.loads(body)
                t = time.perf_counter()
                try:
                    reply = OK, compile_here(request)
                except RuntimeError as exc:  # Typst's own message, for the step to report
                    reply = ERROR, str(exc).encode("utf-8")
                _send(conn, *reply)
                log(f"typst service: {request['input']} in {time.perf_counter() - t:.2f} s")
            except (OSError, ValueError, KeyError, ServiceUnavailable) as exc:
                log(f"typst service: request not served: {exc!r}")
        if rss_bytes() > MAX_RSS:
            log("typst service: memory limit reached; exiting")
            return


def start(path: str, close: list, log=print) -> int | None:
    """Fork the service, listening on ``path``; returns its pid (None if it could not start).
    ``close`` lists what the service must not hold (the worker's listener and lock)."""
    from scripts import forking

    try:
        os.unlink(path)
    except FileNotFoundError:
        pass
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        listener.bind(path)
        listener.listen(8)
        ino = os.stat(path).st_ino
        for f in (sys.stdout, sys.stderr):
            f.flush()
        pid = os.fork()
    except OSError as exc:
        listener.close()
        log(f"typst service not started: {exc}")
        return None
    if pid == 0:
        code = 0
        try:
            os.setpgid(0, 0)
            forking.die_with_parent()
            forking.reset_signals()
            for item in close:
                os.close(item) if isinstance(item, int) else item.close()
            serve(listener, log)
        except BaseException:  # noqa: BLE001  (logged; the steps compile themselves)
            import traceback

            log("typst service failed:\n" + traceback.format_exc())
            code = 1
        finally:
            try:
                if os.stat(path).st_ino == ino:  # not a newer service's socket
                    os.unlink(path)
            except OSError:
                pass
            os._exit(code)
    listener.close()
    global SOCKET
    SOCKET = path
    return pid
