"""What a forked child must undo so it behaves like a freshly started Python process.

Used by the step worker (``scripts.worker``) and by chapter kernels forked from the engine
(``scripts.kernel``). A fork copies the parent's state; these helpers reset the parts that a
fresh process would have set up from its own environment.
"""
from __future__ import annotations

import os
import signal
import sys

# The rc file matplotlib read when the parent imported it (set by ``remember_matplotlib``).
_PARENT_MPL_RC: str | None = None


def remember_matplotlib() -> None:
    """Record which rc file the (already imported) matplotlib read, before forking children."""
    global _PARENT_MPL_RC
    mpl = sys.modules.get("matplotlib")
    _PARENT_MPL_RC = mpl.matplotlib_fname() if mpl else None


def reset_matplotlib() -> None:
    """Give matplotlib the settings a fresh import would have in this process's environment:
    the rc file it finds (``MATPLOTLIBRC``, ``./matplotlibrc``, ...) and ``MPLBACKEND``.
    Whatever modules imported before the fork changed (``matplotlib.use``) is undone."""
    mpl = sys.modules.get("matplotlib")
    if mpl is None:
        return  # imported later, from this environment: nothing to undo
    fname = mpl.matplotlib_fname()
    # What matplotlib's import does: defaults plus the rc file found, then MPLBACKEND.
    fresh = mpl.rcParamsOrig if fname == _PARENT_MPL_RC else mpl.rc_params_from_file(fname)
    mpl.rcParams._update_raw(fresh)
    if os.environ.get("MPLBACKEND"):
        mpl.rcParams["backend"] = os.environ["MPLBACKEND"]


def reset_signals() -> None:
    """Default signal handling: the parent's handlers (and its event loop's wake-up fd) would
    otherwise swallow SIGTERM and SIGINT in the child."""
    try:
        signal.set_wakeup_fd(-1)
    except ValueError:  # not the main thread: nothing was set here
        pass
    for sig in (signal.SIGTERM, signal.SIGCHLD, signal.SIGHUP):
        signal.signal(sig, signal.SIG_DFL)
    signal.signal(signal.SIGPIPE, signal.SIG_IGN)  # as Python sets it at start-up
    signal.signal(signal.SIGINT, signal.default_int_handler)


def become(env: dict[str, str], cwd: str) -> None:
    """Take over another process's environment and working directory, and redo what a fresh
    process derives from them at start-up."""
    import time

    os.chdir(cwd)
    os.environ.clear()
    os.environ.update(env)
    time.tzset()  # the C library's time zone (TZ), used by time.localtime and date.today
    reset_matplotlib()
    if "numpy" in sys.modules:
        # Python's random module reseeds itself after a fork; numpy's global state does not.
        sys.modules["numpy"].random.seed()


def die_with_parent() -> None:
    """Linux: this process is killed when its parent dies, however the parent dies."""
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def forget_exit_handlers() -> None:
    """Drop the parent's ``atexit`` handlers (a kernel must not run the engine's clean-up)."""
    import atexit

    atexit._clear()


def finish(code: int) -> None:
    """Leave the child as an interpreter exit would: exit handlers, flushed streams."""
    import atexit

    try:
        atexit._run_exitfuncs()
    finally:
        for f in (sys.stdout, sys.stderr):
            try:
                f.flush()
            except (OSError, ValueError):
                pass
        os._exit(code & 0xFF)
