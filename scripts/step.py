"""Run one pipeline step, ``python -m scripts.<module> ARGS``, in a warm worker process.

Every Snakemake step is a short Python program that spends most of its time importing pandas,
matplotlib and Jupyter. A worker imports them once and forks a child per step (the
*forkserver* pattern of :mod:`multiprocessing`). The child takes over the caller's arguments,
environment, working directory, umask and standard streams, runs the module as ``__main__``
and reports its exit status, which the caller exits with. To Snakemake and the step, the
result is the same as ``python -m scripts.<module>``::

    python -m scripts.step malekort clean --year 2014 --out build/data/malekort_2014.csv

When the worker and a direct run could differ
    * The worker is keyed by the interpreter, the user and groups, the ``scripts`` package
      (every file's content) and the environment variables that are read when modules are
      imported (``KEY_ENV`` and every ``PYTHON*``). Editing a script therefore starts a new
      worker; an old one exits after ``NAVRAPPORT_WORKER_IDLE`` seconds without work (60).
    * matplotlib reads its rc file and ``MPLBACKEND`` at import, numpy seeds its global random
      state, the C library reads ``TZ``: each child redoes these from its own environment
      (``scripts.forking.become``).
    * ``NAVRAPPORT_WORKER=0`` runs the step in the calling process, as does any failure to
      reach a worker before it has taken the step: slower, never different. Linux only.

Protocol (one connection per step): the caller sends its request with its stdin, stdout and
stderr attached; the worker offers ``A``; the caller answers ``G`` and from then on the step is
the worker's, so it is never run twice. Signals the caller gets (Ctrl-C, Snakemake stopping a
job) are passed on as ``S`` plus the signal number; if the caller dies, the worker kills the
step's process group. The worker then sends the exit status.

The worker only serves its own user: its socket lives in a folder only that user can open
(checked without following symlinks), and both ends check the other's user id.
"""
from __future__ import annotations

import hashlib
import os
import socket
import struct
import sys
import time

# Only cheap modules above: every step starts a Python that imports this one, and what it
# imports is paid again per step (no pathlib, json or tempfile on the way to the worker).
SCRIPTS = os.path.dirname(os.path.realpath(__file__))
# Read by modules when they are imported (or by sitecustomize), so a worker that imported
# them under other values could act differently: part of the worker's key, with PYTHON*.
KEY_ENV = ("LANG", "LC_ALL", "LC_CTYPE", "HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME",
           "MPLCONFIGDIR", "NAVRAPPORT_ROOT", "NAVRAPPORT_NET_LOG")
# What the steps and the chapter kernels import; a child finds these already loaded.
PRELOAD = ("scripts.malekort", "scripts.compare", "scripts.thesis", "scripts.figures",
           "scripts.diagrams", "scripts.manifest", "scripts.privacy", "scripts.render",
           "scripts.engine", "scripts.reportkit", "scripts.kernel", "pypdfium2", "typst")
HEADER = struct.Struct("!I")
STATUS = struct.Struct("!i")
OFFER, GO, SIGNAL = b"A", b"G", b"S"
CONNECT_TIMEOUT = 120.0  # a cold worker imports for a few seconds before it answers
PEERCRED = struct.Struct("3i")  # pid, uid, gid


class WorkerUnavailable(RuntimeError):
    """No worker took the step; it runs in the calling process instead."""


def worker_key(env: dict[str, str] | None = None) -> str:
    """Which worker may run a step for this caller (see the module docstring)."""
    env = os.environ if env is None else env
    h = hashlib.sha256()
    for part in (sys.executable, sys.version, str(SCRIPTS), str(os.getuid()), str(os.getgid()),
                 str(sorted(os.getgroups()))):
        h.update(part.encode() + b"\0")
    names = sorted(set(KEY_ENV) | {k for k in env if k.startswith("PYTHON")})
    for name in names:
        h.update(f"{name}={env.get(name, '')}".encode() + b"\0")
    for name in sorted(n for n in os.listdir(SCRIPTS) if n.endswith(".py")):
        with open(os.path.join(SCRIPTS, name), "rb") as fh:
            h.update(name.encode() + b"\0" + fh.read() + b"\0")
    return h.hexdigest()[:20]


def _private_dir(d: str) -> str:
    """``d``, created if needed, provided it is a real folder that only this user can use."""
    import stat

    try:
        os.mkdir(d, mode=0o700)
    except FileExistsError:
        pass
    st = os.lstat(d)  # not stat(): a symlink planted by someone else must not pass
    if not stat.S_ISDIR(st.st_mode) or st.st_uid != os.getuid() or st.st_mode & 0o077:
        raise WorkerUnavailable(f"{d} is not private to this user")
    return d


def temp_root(env: dict[str, str] | None = None) -> str:
    """The temporary folder: ``TMPDIR`` (or ``TEMP``, ``TMP``) when it names a folder, else
    ``/tmp``. The caller and the worker agree on it because both use this function."""
    env = os.environ if env is None else env
    for name in ("TMPDIR", "TEMP", "TMP"):
        if env.get(name) and os.path.isdir(env[name]):
            return os.path.abspath(env[name])
    return "/tmp"


def runtime_dir() -> str:
    """A folder only this user can use, for the workers' sockets and locks."""
    return _private_dir(os.path.join(temp_root(), f"navrapport-{os.getuid()}"))


def checkout_dir(scripts: str = SCRIPTS) -> str:
    """The workers of one checkout (``--stop`` stops only these)."""
    d = _private_dir(os.path.join(runtime_dir(), hashlib.sha256(str(scripts).encode()).hexdigest()[:12]))
    owner = os.path.join(d, "scripts.txt")
    if not os.path.exists(owner):
        with open(owner, "w", encoding="utf-8") as fh:
            fh.write(str(scripts))
    return d


def same_user(sock: socket.socket) -> bool:
    """Whether the process at the other end of ``sock`` runs as this user."""
    _pid, uid, _gid = PEERCRED.unpack(sock.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, PEERCRED.size))
    return uid == os.getuid()


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
        return code & 0xFF  # what the operating system keeps of it
    print(code, file=sys.stderr)
    return 1


# --- caller ----------------------------------------------------------------------------------

def worker_log(env: dict[str, str]) -> str:
    return os.path.join(env.get("NAVRAPPORT_ROOT") or os.path.dirname(SCRIPTS), "logs", "worker.log")


def _spawn_worker(key: str, env: dict[str, str]):
    import subprocess

    log_path = worker_log(env)
    os.makedirs(os.path.dirname(log_path), exist_ok=True)
    with open(log_path, "ab") as log:
        # Own session, no inherited pipes: the worker outlives this step without holding up
        # whoever waits for the step's output (Snakemake, pytest).
        return subprocess.Popen([sys.executable, "-m", "scripts.step", "--serve", key],
                                cwd=os.path.dirname(SCRIPTS), env=_worker_env(env), stdin=subprocess.DEVNULL,
                                stdout=log, stderr=subprocess.STDOUT, start_new_session=True, close_fds=True)


def _worker_env(env: dict[str, str]) -> dict[str, str]:
    # The worker imports matplotlib with its defaults; children apply their own settings.
    return {k: v for k, v in env.items() if k not in ("MATPLOTLIBRC", "MPLBACKEND")}


def connect(key: str, env: dict[str, str], deadline: float) -> socket.socket:
    """A connection to the worker for ``key``, starting one when none is running."""
    path = os.path.join(checkout_dir(), f"{key}.sock")
    spawned = None
    while True:
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            sock.connect(path)
            if not same_user(sock):
                sock.close()
                raise WorkerUnavailable(f"{path} is served by another user")
            return sock
        except (FileNotFoundError, ConnectionRefusedError):
            sock.close()
            if spawned is None or spawned.poll() == 0:
                # None running, or the one we started found another serving this key, which
                # has stopped since: start (another) one.
                spawned = _spawn_worker(key, env)
            elif spawned.poll():
                raise WorkerUnavailable(f"the worker exited with status {spawned.returncode} "
                                        f"(see {worker_log(env)})") from None
            if time.monotonic() > deadline:
                raise WorkerUnavailable(f"no worker answered on {path}") from None
            time.sleep(0.02)


def _recv_exactly(sock: socket.socket, n: int) -> bytes:
    data = b""
    while len(data) < n:
        chunk = sock.recv(n - len(data))
        if not chunk:
            break
        data += chunk
    return data


def encode_request(request: dict) -> bytes:
    """A step request as NUL-separated text: module, cwd, umask, the number of arguments, the
    arguments, then the environment as KEY=VALUE. None of these can contain a NUL byte (the
    operating system does not allow one in arguments, paths or the environment), and the
    format costs the caller no import."""
    fields = [request["module"], request["cwd"], str(request["umask"]), str(len(request["args"])),
              *request["args"], *(f"{k}={v}" for k, v in request["env"].items())]
    return "\0".join(fields).encode("utf-8", "surrogateescape")


def decode_request(body: bytes) -> dict:
    """The inverse of ``encode_request``; ValueError when ``body`` is not one."""
    fields = body.decode("utf-8", "surrogateescape").split("\0")
    try:
        module, cwd, umask, n = fields[:4]
        n = int(n)
        args, env_fields = fields[4:4 + n], fields[4 + n:]
        if len(args) != n or any("=" not in f for f in env_fields):
            raise ValueError
        env = dict(f.split("=", 1) for f in env_fields)
        return {"module": module, "cwd": cwd, "umask": int(umask), "args": args, "env": env}
    except ValueError:
        raise ValueError("malformed step request") from None


def call(module: str, args: list[str]) -> int:
    """Run the step in the worker and return its exit status. Raises WorkerUnavailable only
    while the step has not started, so falling back to a local run never runs it twice."""
    import signal

    env = dict(os.environ)
    deadline = time.monotonic() + CONNECT_TIMEOUT
    sock = connect(worker_key(env), env, deadline)
    with sock:
        umask = os.umask(0)
        os.umask(umask)
        body = encode_request({"module": module, "args": args, "cwd": os.getcwd(), "env": env,
                               "umask": umask})
        for f in (sys.stdout, sys.stderr):
            f.flush()
        try:
            # The standard streams travel with the header; the body may need more than one send.
            socket.send_fds(sock, [HEADER.pack(len(body))], [0, 1, 2])
            sock.sendall(body)
            sock.settimeout(max(0.1, deadline - time.monotonic()))
            offer = _recv_exactly(sock, 1)
        except (OSError, TimeoutError) as exc:
            raise WorkerUnavailable(f"the worker did not take the step ({exc})") from None
        if offer != OFFER:
            raise WorkerUnavailable("the worker did not take the step")
        sock.settimeout(None)

        def forward(signum, _frame):
            try:
                sock.sendall(SIGNAL + bytes([signum]))
            except OSError:
                pass

        previous = {s: signal.signal(s, forward) for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)}
        try:
            try:
                sock.sendall(GO)
            except OSError as exc:  # the worker never got it, so it did not start the step
                raise WorkerUnavailable(f"the worker did not take the step ({exc})") from None
            # Committed: from here on the step is the worker's, whatever happens.
            try:
                reply = _recv_exactly(sock, STATUS.size)
            except OSError:
                reply = b""
        finally:
            for s, handler in previous.items():
                signal.signal(s, handler)
    if len(reply) != STATUS.size:
        print(f"scripts.step: the worker stopped while running {module}; see {worker_log(env)}",
              file=sys.stderr)
        return 1
    return STATUS.unpack(reply)[0]


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if not argv or argv[0] in ("-h", "--help"):
        print("usage: python -m scripts.step MODULE [ARGS...]   (runs python -m scripts.MODULE ARGS)\n"
              "       python -m scripts.step --stop              (stop this checkout's workers)\n"
              "       python -m scripts.step --stop-under DIR    (stop the workers of checkouts in DIR)",
              file=sys.stderr)
        return 2
    if argv[0] == "--serve":
        from scripts.worker import serve

        return serve(argv[1])
    if argv[0] in ("--stop", "--stop-under"):
        from scripts.worker import stop

        return stop(argv[1] if argv[0] == "--stop-under" else None)
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
