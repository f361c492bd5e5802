"""The step worker: imports the pipeline's modules once, then forks one child per step.

Started on demand by ``scripts.step`` (never by hand) as ``python -m scripts.step --serve KEY``.
One thread, one ``select`` loop, so forking is safe: no other thread can hold a lock at the
moment of the fork. See ``scripts.step`` for the protocol and for when a worker is used.
"""
from __future__ import annotations

import fcntl
import importlib
import os
import selectors
import signal
import socket
import sys
import time
import traceback
from pathlib import Path

from scripts import forking, typst_service
from scripts.step import (
    GO,
    HEADER,
    OFFER,
    PRELOAD,
    SCRIPTS,
    SIGNAL,
    STATUS,
    WorkerUnavailable,
    checkout_dir,
    decode_request,
    runtime_dir,
    same_user,
    worker_key,
)

MAX_REQUEST = 8 << 20
START_CWD = os.getcwd()


def _log(msg: str) -> None:
    try:
        print(f"{time.strftime('%H:%M:%S')} worker {os.getpid()}: {msg}", flush=True)
    except OSError:
        pass  # a full disk must not stop the worker


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
        while len(data) < HEADER.size:
            chunk = conn.recv(HEADER.size - len(data))
            if not chunk:
                raise ValueError("short request")
            data += chunk
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
        return decode_request(body), fds
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
        forking.die_with_parent()  # a killed worker takes its steps along (the callers see it)
        forking.reset_signals()
        for item in close:
            os.close(item) if isinstance(item, int) else item.close()
        for target, fd in enumerate(fds):
            os.dup2(fd, target)
            os.close(fd)
        # As a fresh interpreter would: stdout line-buffered on a terminal, the caller's cwd
        # first on sys.path (python -m puts it there), the caller's umask.
        sys.stdout.reconfigure(line_buffering=os.isatty(1))
        os.umask(int(request.get("umask", 0o022)))
        if sys.path and sys.path[0] in ("", START_CWD):
            sys.path[0] = request["cwd"]
        forking.become(request["env"], request["cwd"])
        from scripts.step import run_here

        # As under ``python -m``: the step runs as __main__, not as the preloaded module.
        sys.modules.pop(request["module"], None)
        code = run_here(request["module"], list(request["args"]))
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    except KeyboardInterrupt:
        # Python ends an interrupted program by dying of SIGINT (status 130 in the shell).
        traceback.print_exc()
        for f in (sys.stdout, sys.stderr):
            f.flush()
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        os.kill(os.getpid(), signal.SIGINT)
    except BaseException:  # noqa: BLE001  (reported on the caller's stderr, as Python would)
        traceback.print_exc()
        code = 1
    finally:
        forking.finish(code)


def _stop(*_):
    raise SystemExit(0)


def _claim(sockdir: Path, key: str):
    """The lock that makes this the only worker for ``key``, or None when another has it."""
    lock = open(sockdir / f"{key}.lock", "w")  # noqa: SIM115  (held while accepting steps)
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return lock
    except OSError:
        lock.close()
        return None


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
    try:
        sockdir = Path(checkout_dir())
    except WorkerUnavailable as exc:
        _log(str(exc))
        return 1
    lock = _claim(sockdir, key)
    if lock is None:
        return 0  # another worker for the same key is starting or running
    path = sockdir / f"{key}.sock"
    path.unlink(missing_ok=True)
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(str(path))
    ino = path.stat().st_ino
    listener.listen(64)  # callers queue here while the imports below run
    _log(f"serving {SCRIPTS} as {key}; importing")
    t = time.perf_counter()
    preload()
    if worker_key() != key:  # a script was edited while we imported: what we hold is stale
        _log("code changed while importing; not serving")
        listener.close()
        path.unlink(missing_ok=True)
        return 1
    _log(f"ready after {time.perf_counter() - t:.1f} s")
    # Forked now, while this process has no threads and no steps: see scripts.typst_service.
    typst_pid = typst_service.start(str(sockdir / f"{key}.typst.sock"), [listener, lock], _log)

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
                # Socket removed (``--stop``): take no new steps and let a new worker start
                # at once; finish the steps that run.
                sel.unregister(listener)
                listener.close()
                lock.close()
                accepting = False
            for sk, _ in sel.select(timeout=1.0):
                try:
                    if sk.data == "accept":
                        _accept(listener, sel, running, inherited)
                    elif sk.data == "signal":
                        _drain(rfd)
                    else:
                        _caller_event(sk.fileobj, sk.data)
                except Exception:  # noqa: BLE001  (one bad request must not stop the others)
                    _log("error while handling a step:\n" + traceback.format_exc())
            _reap(sel, running)
            if running:
                last = time.monotonic()
    finally:
        for pid in list(running):
            _kill_group(pid)
        if typst_pid:
            _stop_service(typst_pid)
        listener.close()
        try:
            if path.stat().st_ino == ino:
                path.unlink()
        except FileNotFoundError:
            pass
        _log("stopped")
    return 0


def _stop_service(pid: int) -> None:
    """Stop the Typst service, unless it has exited and been reaped already (with the steps,
    by ``_reap``): its process group id may then belong to someone else."""
    try:
        if os.waitpid(pid, os.WNOHANG) != (0, 0):
            return  # it had exited; now reaped
    except ChildProcessError:
        return
    _kill_group(pid)
    os.waitpid(pid, 0)


def _drain(fd: int) -> None:
    try:
        while os.read(fd, 512):
            pass
    except BlockingIOError:
        pass


def _accept(listener, sel, running, inherited) -> None:
    conn, _ = listener.accept()
    fds: list[int] = []
    try:
        if not same_user(conn):
            raise ValueError("caller runs as another user")
        request, fds = _read_request(conn)
        # Offer the step and start it only once the caller confirms: a caller that has given
        # up (and runs the step itself) never confirms, so no step runs twice.
        conn.sendall(OFFER)
        conn.settimeout(5)
        if conn.recv(1) != GO:
            raise ValueError("caller did not confirm")
        conn.settimeout(None)
    except EOFError:  # a connect-and-close probe
        conn.close()
        return
    except (ValueError, OSError) as exc:
        _log(f"step not started: {exc}")
        for fd in fds:
            os.close(fd)
        conn.close()
        return
    for f in (sys.stdout, sys.stderr):
        f.flush()
    try:
        pid = os.fork()
    except OSError:
        for fd in fds:
            os.close(fd)
        conn.close()  # the caller reports that the worker stopped during its step
        raise
    if pid == 0:
        try:
            _child(request, fds, [conn, *inherited, *running.values()])
        finally:
            os._exit(1)  # never fall back into the worker's own code
    for fd in fds:
        os.close(fd)
    running[pid] = conn
    sel.register(conn, selectors.EVENT_READ, pid)


def _caller_event(conn: socket.socket, pid: int) -> None:
    try:
        data = conn.recv(64)
    except OSError:
        data = b""
    if not data:  # the caller is gone (killed): stop its step
        _kill_group(pid)
        return
    # Signals the caller received (Ctrl-C, Snakemake stopping the job): passed on.
    for i in range(0, len(data) - 1, 2):
        if data[i:i + 1] == SIGNAL:
            try:
                os.killpg(pid, data[i + 1])
            except (ProcessLookupError, PermissionError):
                pass


def _kill_group(pid: int) -> None:
    try:
        os.killpg(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
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
        except OSError:
            pass  # the caller is gone
        conn.close()


def stop(under: str | Path | None = None) -> int:
    """Stop the workers of this checkout (or of every checkout inside ``under``): each finishes
    the steps it is running, then exits."""
    try:
        root = Path(runtime_dir())
    except WorkerUnavailable:
        return 0
    if under is None:
        dirs = [Path(checkout_dir())]
    else:
        under = Path(under).resolve()
        dirs = []
        for owner in root.glob("*/scripts.txt"):
            try:
                if Path(owner.read_text(encoding="utf-8")).is_relative_to(under):
                    dirs.append(owner.parent)
            except OSError:
                continue
    for d in dirs:
        for sock in d.glob("*.sock"):
            sock.unlink(missing_ok=True)
    _prune(root)
    return 0


def _prune(root: Path) -> None:
    """Remove the socket folders of checkouts that no longer exist (test copies, old clones)."""
    import shutil

    for owner in root.glob("*/scripts.txt"):
        try:
            if not Path(owner.read_text(encoding="utf-8")).is_dir():
                shutil.rmtree(owner.parent, ignore_errors=True)
        except OSError:
            continue


__all__ = ["serve", "stop", "preload"]
