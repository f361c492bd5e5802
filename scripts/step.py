"""Run one pipeline step, ``python -m scripts.<module> ARGS``, in a warm worker process.

Every Snakemake step is a short Python program that spends most of its time importing pandas,
matplotlib and Jupyter. A worker imports them once and forks a child per step (the
*forkserver* pattern of :mod:`multiprocessing`). The child takes over the caller's arguments,
environment, working directory and standard streams, runs the module as ``__main__`` and
reports its exit status, which the caller exits with. To Snakemake and the step, the result
is the same as ``python -m scripts.<module>``::

    python -m scripts.step malekort clean --year 2014 --out build/data/malekort_2014.csv

When the worker and a direct run could differ
    * The worker is keyed by the interpreter, the ``scripts`` package (every file's content),
      and the environment variables that modules read when imported (``KEY_ENV``). Editing a
      script therefore starts a new worker; an old one exits after ``NAVRAPPORT_WORKER_IDLE``
      seconds without work (default 60).
    * matplotlib reads its rc file and ``MPLBACKEND`` at import; each child applies the ones
      its environment names (``reset_matplotlib``).
    * ``NAVRAPPORT_WORKER=0`` runs the step in the calling process, as does any failure to
      reach a worker (private socket folder not safe, worker gone): slower, never different.

The worker only serves its own user: its socket lives in a folder only that user can open.
If the caller goes away (Snakemake killed or interrupted), the worker kills the step's
process group, so no orphaned step keeps writing.
"""
from __future__ import annotations

import hashlib
import json
import os
import socket
import struct
import sys
import time
from pathlib import Path

SCRIPTS = Path(__file__).resolve().parent
# Read by modules when they are imported (or by sitecustomize), so a worker that imported
# them under other values could act differently: part of the worker's key.
KEY_ENV = ("PYTHONPATH", "PYTHONHOME", "PYTHONHASHSEED", "PYTHONIOENCODING", "PYTHONUTF8",
           "PYTHONSAFEPATH", "LANG", "LC_ALL", "LC_CTYPE", "HOME", "XDG_CONFIG_HOME",
           "XDG_CACHE_HOME", "MPLCONFIGDIR", "NAVRAPPORT_ROOT", "NAVRAPPORT_NET_LOG")
# What the steps and the chapter kernels import; a child finds these already loaded.
PRELOAD = ("scripts.malekort", "scripts.compare", "scripts.thesis", "scripts.figures",
           "scripts.diagrams", "scripts.manifest", "scripts.privacy", "scripts.render",
           "scripts.engine", "scripts.reportkit", "scripts.kernel", "pypdfium2", "typst")
HEADER = struct.Struct("!I")
STATUS = struct.Struct("!i")
CONNECT_TIMEOUT = 120.0  # a cold worker imports for a few seconds before it answers


class WorkerUnavailable(RuntimeError):
    """No worker could be reached; the step runs in the calling process instead."""


def worker_key(env: dict[str, str] | None = None) -> str:
    """Which worker may run a step for this caller (see the module docstring)."""
    env = os.environ if env is None else env
    h = hashlib.sha256()
    for part in (sys.executable, sys.version, str(SCRIPTS)):
        h.update(part.encode() + b"\0")
    for name in KEY_ENV:
        h.update(f"{name}={env.get(name, '')}".encode() + b"\0")
    for f in sorted(SCRIPTS.glob("*.py")):
        h.update(f.name.encode() + b"\0" + f.read_bytes() + b"\0")
    return h.hexdigest()[:20]


def runtime_dir() -> Path:
    """A folder only this user can use, for the workers' sockets and locks."""
    import tempfile

    d = Path(tempfile.gettempdir()) / f"navrapport-{os.getuid()}"
    d.mkdir(mode=0o700, exist_ok=True)
    st = d.stat()
    if st.st_uid != os.getuid() or st.st_mode & 0o077:
        raise WorkerUnavailable(f"{d} is not private to this user")
    return d


def run_here(module: str, args: list[str]) -> int:
    """``python -m scripts.<module> ARGS`` in this process."""
    import runpy

    sys.argv = [module, *args]
    try:
        runpy.run_module(module, run_name="__main__", alter_sys=True)
    except SystemExit as exc:
        return _exit_code(exc.code)
    return 0


def _exit_code(code) -> int:
    if code is None:
        return 0
    if isinstance(code, int):
        return code
    print(code, file=sys.stderr)
    return 1


# --- caller ----------------------------------------------------------------------------------

def worker_log(env: dict[str, str]) -> Path:
    return Path(env.get("NAVRAPPORT_ROOT") or SCRIPTS.parent) / "logs" / "worker.log"


def _spawn_worker(key: str, env: dict[str, str]):
    import subprocess

    log_path = worker_log(env)
    log_path.parent.mkdir(exist_ok=True)
    with open(log_path, "ab") as log:
        # Own session, no inherited pipes: the worker outlives this step without holding up
        # whoever waits for the step's output (Snakemake, pytest).
        return subprocess.Popen([sys.executable, "-m", "scripts.step", "--serve", key],
                                cwd=SCRIPTS.parent, env=_worker_env(env), stdin=subprocess.DEVNULL,
                                stdout=log, stderr=subprocess.STDOUT, start_new_session=True, close_fds=True)


def _worker_env(env: dict[str, str]) -> dict[str, str]:
    # The worker imports matplotlib with its defaults; children apply their own settings.
    return {k: v for k, v in env.items() if k not in ("MATPLOTLIBRC", "MPLBACKEND")}


def connect(key: str, env: dict[str, str]) -> socket.socket:
    """A connection to the worker for ``key``, starting one when none is running."""
    path = str(runtime_dir() / f"{key}.sock")
    spawned = None
    deadline = time.monotonic() + CONNECT_TIMEOUT
    while True:
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            sock.connect(path)
            return sock
        except (FileNotFoundError, ConnectionRefusedError):
            sock.close()
            if spawned is None:
                spawned = _spawn_worker(key, env)
            elif spawned.poll():  # exit status 0: another worker has the key and will answer
                raise WorkerUnavailable(f"the worker exited with status {spawned.returncode} "
                                        f"(see {worker_log(env)})") from None
            if time.monotonic() > deadline:
                raise WorkerUnavailable(f"no worker answered on {path}") from None
            time.sleep(0.02)


def call(module: str, args: list[str]) -> int:
    """Run the step in the worker; its exit status, or raise WorkerUnavailable."""
    env = dict(os.environ)
    sock = connect(worker_key(env), env)
    with sock:
        body = json.dumps({"module": module, "args": args, "cwd": os.getcwd(), "env": env}).encode()
        for f in (sys.stdout, sys.stderr):
            f.flush()
        # The standard streams travel with the header; the body may be larger than one send.
        socket.send_fds(sock, [HEADER.pack(len(body))], [0, 1, 2])
        sock.sendall(body)
        reply = b""
        while len(reply) < STATUS.size:
            chunk = sock.recv(STATUS.size - len(reply))
            if not chunk:
                raise WorkerUnavailable("the worker stopped before the step finished")
            reply += chunk
    return STATUS.unpack(reply)[0]


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if not argv or argv[0] in ("-h", "--help"):
        print("usage: python -m scripts.step MODULE [ARGS...]   (runs python -m scripts.MODULE ARGS)\n"
              "       python -m scripts.step --stop              (stop this project's workers)",
              file=sys.stderr)
        return 2
    if argv[0] == "--serve":
        from scripts.worker import serve

        return serve(argv[1])
    if argv[0] == "--stop":
        from scripts.worker import stop_all

        return stop_all()
    module = f"scripts.{argv[0]}"
    # Linux only: forking a process that has loaded numpy/matplotlib is not safe on macOS,
    # and Windows has no fork at all.
    if os.environ.get("NAVRAPPORT_WORKER", "1") != "0" and sys.platform.startswith("linux"):
        try:
            return call(module, argv[1:])
        except (WorkerUnavailable, OSError) as exc:
            print(f"scripts.step: {exc}; running {module} in this process", file=sys.stderr)
    return run_here(module, argv[1:])


def _timed_main() -> int:
    """``main``, and with ``NAVRAPPORT_STEP_TIMES=FILE`` a line per step (start, end, step) for
    the benchmark's timeline."""
    start = time.time()
    code = main()
    log = os.environ.get("NAVRAPPORT_STEP_TIMES")
    if log:
        with open(log, "a", encoding="utf-8") as fh:
            fh.write(f"{start:.3f} {time.time():.3f} {' '.join(sys.argv[1:3])}\n")
    return code


if __name__ == "__main__":
    sys.exit(_timed_main())
