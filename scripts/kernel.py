"""Start a chapter's Jupyter kernel by forking this process instead of starting a new Python.

Each chapter still gets its own, fresh kernel: a new process that has run no other chapter's
code and that the engine shuts down afterwards. Forking only skips re-importing IPython,
ipykernel and ``scripts.reportkit``, which this process (the engine, or the step worker it
was forked from) has already loaded. That is most of a kernel's start-up time.

jupyter_client starts kernels through a *provisioner*; ``ForkProvisioner`` is its local one
with ``launch_kernel`` replaced, so connection files, messaging, interrupts and shutdown stay
jupyter_client's own. ``NAVRAPPORT_KERNEL=process`` (or ``launch="process"``) starts kernels
the standard way, as Quarto does.
"""
from __future__ import annotations

import asyncio
import os
import signal
import sys
import time
import traceback
from queue import Empty

from jupyter_client.blocking import BlockingKernelClient
from jupyter_client.provisioning import LocalProvisioner
from jupyter_core.utils import ensure_async, run_sync
from traitlets import default

from scripts import forking

# What every kernel imports while it starts (ipykernel.debugger pulls in debugpy, used by none
# of ours); found by listing the modules a forked kernel adds before its first reply.
PRELOAD = ("ipykernel.kernelapp", "ipykernel.ipkernel", "ipykernel.zmqshell", "ipykernel.debugger",
           "ipykernel.kernelspec", "IPython.core.completerlib", "IPython.core.debugger",
           "IPython.core.oinspect", "IPython.extensions.storemagic", "IPython.utils.wildcard",
           "faulthandler", "pdb", "tornado.platform.asyncio", "scripts.reportkit")

RECONNECT_MS = 10


def preload() -> None:
    """Import what a kernel needs, so forked kernels find it loaded."""
    import importlib

    # pydevd (under ipykernel.debugger) warns about frozen modules when imported; kernels
    # started by jupyter_client do not see that warning either.
    os.environ.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")

    for name in PRELOAD:
        importlib.import_module(name)
    import nbformat

    nbformat.v4.new_notebook()  # compiles and caches the notebook schema validator


class ForkedKernel:
    """The parts of ``subprocess.Popen`` that jupyter_client uses, for a forked kernel."""

    stdin = stdout = stderr = None

    def __init__(self, pid: int):
        self.pid = pid
        self.returncode: int | None = None

    def _settle(self, flags: int) -> int | None:
        if self.returncode is None:
            try:
                pid, status = os.waitpid(self.pid, flags)
            except ChildProcessError:
                pid, status = self.pid, 0
            if pid:
                self.returncode = os.waitstatus_to_exitcode(status)
        return self.returncode

    def poll(self) -> int | None:
        return self._settle(os.WNOHANG)

    def wait(self, timeout: float | None = None) -> int | None:
        return self._settle(0)

    def send_signal(self, sig: int) -> None:
        if self.poll() is None:
            os.kill(self.pid, sig)

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)


class ReadyClient(BlockingKernelClient):
    """jupyter_client's blocking client, without its wait for IOPub to fall silent once the
    kernel has answered. The check that IOPub is connected (one message received) is
    unchanged, so no output can be lost.

    Its sockets retry a connection after 10 ms instead of ZeroMQ's 100 ms: the client
    connects before the forked kernel has bound its sockets, and the client has a ZeroMQ
    context of its own (the kernel manager's setting does not reach it)."""

    @default("context")
    def _fast_reconnect_context(self):
        import zmq

        self._created_context = True  # so the client destroys it, as it does its default one
        ctx = zmq.Context()
        ctx.setsockopt(zmq.RECONNECT_IVL, RECONNECT_MS)
        return ctx

    async def _async_wait_for_ready(self, timeout: float | None = None) -> None:
        deadline = time.monotonic() + (float("inf") if timeout is None else timeout)
        while True:
            self.kernel_info()
            try:
                msg = await ensure_async(self.shell_channel.get_msg(timeout=1))
            except Empty:
                msg = None
            if msg is not None and msg["msg_type"] == "kernel_info_reply":
                try:
                    await ensure_async(self.iopub_channel.get_msg(timeout=0.2))
                except Empty:
                    pass
                else:
                    self._handle_kernel_info_reply(msg)
                    break
            if not await self._async_is_alive():
                raise RuntimeError("Kernel died before replying to kernel_info")
            if time.monotonic() > deadline:
                raise RuntimeError(f"Kernel didn't respond in {timeout} seconds")
        # jupyter_client then waits for IOPub to fall silent, to drop the start-up messages.
        # Not needed here: nbclient takes only messages whose parent is the cell it runs.

    wait_for_ready = run_sync(_async_wait_for_ready)


def _kernel_child(cmd: list[str], env: dict[str, str], cwd: str) -> None:
    """In the forked child: run ipykernel as ``python -m ipykernel_launcher -f FILE``. Never returns."""
    code = 1
    try:
        os.setsid()  # own session and group: stopping the kernel reaches what it started
        forking.die_with_parent()
        forking.forget_exit_handlers()
        forking.reset_signals()
        # The engine forks from inside its event loop; the kernel starts its own.
        asyncio.events._set_running_loop(None)
        asyncio.set_event_loop(asyncio.new_event_loop())
        fd = os.open(os.devnull, os.O_RDONLY)
        os.dup2(fd, 0)
        os.close(fd)
        forking.become(env, cwd)
        if sys.path and sys.path[0] in ("", os.getcwd()):
            del sys.path[0]  # as ipykernel_launcher does
        from ipykernel.kernelapp import IPKernelApp

        # ipykernel reads JPY_PARENT_PID when it is imported, which was before the fork.
        sys.argv = [cmd[0], *cmd[cmd.index("-f"):], f"--IPKernelApp.parent_handle={os.getppid()}"]
        IPKernelApp.launch_instance(argv=sys.argv[1:])
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 0
    except BaseException:  # noqa: BLE001  (the engine reports the dead kernel; this says why)
        traceback.print_exc()
    finally:
        forking.finish(code)


class ForkProvisioner(LocalProvisioner):
    """jupyter_client's local provisioner, launching the kernel by ``fork``."""

    async def send_signal(self, signum: int) -> None:
        await super().send_signal(signum)  # to the kernel's process group
        if signum == signal.SIGKILL and self.process is not None:
            self.process.wait()  # gone at once: spares jupyter_client's 100 ms polling

    async def launch_kernel(self, cmd: list[str], **kwargs):
        env = dict(kwargs.get("env") or os.environ)
        env["JPY_PARENT_PID"] = str(os.getpid())  # as jupyter_client's launcher sets it
        cwd = str(kwargs.get("cwd") or os.getcwd())
        for f in (sys.stdout, sys.stderr):
            f.flush()
        pid = os.fork()
        if pid == 0:
            _kernel_child(cmd, env, cwd)
        self.process = ForkedKernel(pid)
        self.pid, self.pgid, self.cwd = pid, pid, cwd
        return self.connection_info


def use_fork(km, launch: str | None = None) -> bool:
    """Give ``km`` the fork provisioner unless the standard launch is asked for."""
    launch = launch or os.environ.get("NAVRAPPORT_KERNEL", "fork")
    if launch == "process" or not sys.platform.startswith("linux"):
        return False  # see scripts.step: forking is only safe here on Linux
    km.client_class = "scripts.kernel.ReadyClient"
    # The client connects before the forked kernel has bound its sockets; retry after 10 ms
    # rather than ZeroMQ's default 100 ms. Applies to sockets this context creates from now on.
    import zmq

    km.context.setsockopt(zmq.RECONNECT_IVL, RECONNECT_MS)
    preload()
    import uuid

    km.kernel_id = km.kernel_id or str(uuid.uuid4())
    km.provisioner = ForkProvisioner(kernel_id=km.kernel_id, kernel_spec=km.kernel_spec, parent=km)
    return True
