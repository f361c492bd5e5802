"""The step worker: imports the pipeline's modules once, then forks one child per step.

Started on demand by ``scripts.step`` (never by hand) as ``python -m scripts.step --serve KEY``.
One thread, one ``select`` loop, so forking is safe: no other thread can hold a lock at the
moment of the fork. See ``scripts.step`` for the protocol and for when a worker is used.
"""
from __future__ import annotations

import errno
import fcntl
import importlib
import json
import os
import selectors
import signal
import socket
import sys
import time
import traceback

from scripts import forking
from scripts.step import HEADER, KEY_ENV, PRELOAD, SCRIPTS, STATUS, runtime_dir, worker_key

MAX_REQUEST = 8 << 20


def _log(msg: str) -> None:
    print(f"{time.strftime('%H:%M:%S')} worker {os.getpid()}: {msg}", flush=True)


def preload() -> None:
    """Import what the steps import. A module that fails here is imported (and fails, with
    its own message) in the step that needs it."""
    for name in PRELOAD:
        try:
            importlib.import_module(name)
        except Exception as exc:  # noqa: BLE001  (reported by the step itself)
            _log(f"could not preload {name}: {exc!r}")
    try:
        from scripts import kernel

        kernel.preload()
    except Exception as exc:  # noqa: BLE001
        _log(f"could not preload the kernel: {exc!r}")
    forking.remember_matplotlib()


def _read_request(conn: socket.socket) -> tuple[dict, list[int]]:
    conn.settimeout(10)
    data, fds, _flags, _addr = socket.recv_fds(conn, 65536, 3)
    try:
        if not data:
            raise EOFError
        if len(data) < HEADER.size:
            raise ValueError("short request")
        (size,) = HEADER.unpack(data[:HEADER.size])
        if size > MAX_REQUEST:
            raise ValueError("request too large")
        body = data[HEADER.size:]
        while len(body) < size:
            chunk = conn.recv(min(65536, size - len(body)))
            if not chunk:
                raise ValueError("caller went away")
            body += chunk
        if len(fds) != 3:
            raise ValueError("expected the caller's stdin, stdout and stderr")
        return json.loads(body), fds
    except BaseException:
        for fd in fds:
            os.close(fd)
        raise
    finally:
        conn.settimeout(None)


def _child(request: dict, fds: list[int], close: list) -> None:
    """In the forked child: become the caller's process and run the step. Never returns."""
    code = 1
    try:
        os.setpgid(0, 0)  # own group, so the worker can stop the step and any kernel it started
        forking.reset_signals()
        for item in close:
            os.close(item) if isinstance(item, int) else item.close()
        for target, fd in enumerate(fds):
            os.dup2(fd, target)
            os.close(fd)
        forking.become(request["env"], request["cwd"])
        from scripts.step import run_here

        # As under ``python -m``: the step runs as __main__, not as the preloaded module.
        sys.modules.pop(request["module"], None)
        code = run_here(request["module"], list(request["args"]))
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    except BaseException:  # noqa: BLE001  (reported on the caller's stderr, as Python would)
        traceback.print_exc()
        code = 1
    finally:
        forking.finish(code)


def _stop(*_):
    raise SystemExit(0)


def _claim(rundir, key: str):
    """The lock that makes this the only worker for ``key``, or None when one is serving."""
    lock = open(rundir / f"{key}.lock", "w")  # noqa: SIM115  (held for the worker's lifetime)
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return lock
    except OSError:
        pass
    probe = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        probe.connect(str(rundir / f"{key}.sock"))
        lock.close()
        return None  # another worker serves this key
    except OSError:
        # A stopped worker is finishing its last steps; take over when it has.
        fcntl.flock(lock, fcntl.LOCK_EX)
        return lock
    finally:
        probe.close()


def serve(key: str, idle: float | None = None) -> int:
    """Serve steps for ``key`` until idle for ``idle`` seconds (``NAVRAPPORT_WORKER_IDLE``)."""
    if idle is None:
        setting = os.environ.get("NAVRAPPORT_WORKER_IDLE", "60")
        try:
            idle = float(setting)
        except ValueError:
            idle = -1.0
        if not idle > 0:
            _log(f"NAVRAPPORT_WORKER_IDLE={setting!r}: expected a number of seconds above 0; not serving")
            return 2
    if worker_key() != key:
        _log("code or environment changed before start-up; not serving")
        return 1
    rundir = runtime_dir()
    lock = _claim(rundir, key)
    if lock is None:
        return 0
    path = rundir / f"{key}.sock"
    path.unlink(missing_ok=True)
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(str(path))
    ino = path.stat().st_ino
    listener.listen(64)  # callers queue here while the imports below run
    _log(f"serving {SCRIPTS} as {key}; importing")
    t = time.perf_counter()
    preload()
    _log(f"ready after {time.perf_counter() - t:.1f} s")

    rfd, wfd = os.pipe()
    os.set_blocking(wfd, False)
    os.set_blocking(rfd, False)
    signal.set_wakeup_fd(wfd)
    signal.signal(signal.SIGCHLD, lambda *_: None)
    signal.signal(signal.SIGTERM, _stop)
    sel = selectors.DefaultSelector()
    sel.register(listener, selectors.EVENT_READ, "accept")
    sel.register(rfd, selectors.EVENT_READ, "signal")
    running: dict[int, socket.socket] = {}  # child pid -> caller connection
    inherited = [sel, listener, lock, rfd, wfd]  # closed in every child
    accepting, last = True, time.monotonic()
    try:
        while running or (accepting and time.monotonic() - last < idle):
            if accepting and not path.exists():
                # Socket removed (``--stop``): finish the steps that run, take no new ones.
                sel.unregister(listener)
                accepting = False
            for sk, _ in sel.select(timeout=1.0):
                if sk.data == "accept":
                    _accept(listener, sel, running, inherited)
                elif sk.data == "signal":
                    _drain(rfd)
                else:
                    _caller_event(sk.fileobj, sk.data)
            _reap(sel, running)
            if running:
                last = time.monotonic()
    finally:
        for pid in list(running):
            _kill_group(pid)
        listener.close()
        try:
            if path.stat().st_ino == ino:
                path.unlink()
        except FileNotFoundError:
            pass
        _log("stopped")
    return 0


def _drain(fd: int) -> None:
    try:
        while os.read(fd, 512):
            pass
    except BlockingIOError:
        pass


def _accept(listener, sel, running, inherited) -> None:
    conn, _ = listener.accept()
    try:
        request, fds = _read_request(conn)
    except EOFError:  # a connect-and-close probe (another worker checking that this one serves)
        conn.close()
        return
    except (ValueError, OSError, json.JSONDecodeError) as exc:
        _log(f"bad request: {exc}")
        conn.close()
        return
    for f in (sys.stdout, sys.stderr):
        f.flush()
    pid = os.fork()
    if pid == 0:
        _child(request, fds, [conn, *inherited, *running.values()])
    for fd in fds:
        os.close(fd)
    running[pid] = conn
    sel.register(conn, selectors.EVENT_READ, pid)


def _caller_event(conn: socket.socket, pid: int) -> None:
    try:
        data = conn.recv(64)
    except OSError:
        data = b""
    if not data:  # the caller is gone (killed, interrupted): stop its step
        _kill_group(pid)


def _kill_group(pid: int) -> None:
    try:
        os.killpg(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def _reap(sel, running) -> None:
    while running:
        try:
            pid, status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return
        conn = running.pop(pid, None)
        if conn is None:
            continue
        code = os.waitstatus_to_exitcode(status)
        if code < 0:
            _kill_group(pid)  # whatever the step left behind in its group
            code = 128 - code
        sel.unregister(conn)
        try:
            conn.sendall(STATUS.pack(code))
        except OSError as exc:
            if exc.errno not in (errno.EPIPE, errno.ECONNRESET):
                raise
        conn.close()


def stop_all() -> int:
    """Stop every worker of this user: each finishes the steps it is running, then exits."""
    try:
        rundir = runtime_dir()
    except Exception:  # noqa: BLE001  (no folder, no workers)
        return 0
    for sock in rundir.glob("*.sock"):
        sock.unlink(missing_ok=True)
    return 0


__all__ = ["serve", "stop_all", "preload", "KEY_ENV"]
