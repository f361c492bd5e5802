"""The step worker (scripts.step / scripts.worker) must be invisible: a step run through it
behaves exactly as ``python -m scripts.<module>`` would. Each test works on a temporary copy of
the repository with a small probe module added, so it gets a worker of its own."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import ROOT as ROOT_DIR
from tests.conftest import copy_repo

PROBE = '''"""Test probe (made up for the tests): reports what a step sees."""
import json, os, sys, time
VERSION = "one"
def main():
    args = sys.argv[1:]
    if args[:1] == ["sleep"]:
        with open(args[1], "a") as fh:
            fh.write(f"{os.getpid()}\\n")
        time.sleep(60)
    if args[:1] == ["crash"]:
        raise ValueError("probe failed on purpose")
    if args[:1] == ["kill"]:
        os.kill(os.getpid(), 9)
    mpl = extra = None
    if args[:1] == ["state"]:
        import numpy
        mask = os.umask(0)
        os.umask(mask)
        extra = {"umask": mask, "utcoffset": time.localtime().tm_gmtoff, "rand": float(numpy.random.rand())}
    if args[:1] == ["typst"]:
        from scripts import typst_service
        src = os.path.join(args[1], "probe.typ")
        with open(src, "w") as fh:
            fh.write("Probe")
        pdf = typst_service.compile_pdf(src, args[1], 0, [])
        extra = {"socket": typst_service.SOCKET, "pdf": pdf[:5].decode()}
    if args[:1] == ["mpl"]:
        import matplotlib
        mpl = [matplotlib.rcParams["lines.linewidth"], str(matplotlib.rcParams["backend"])]
    print(json.dumps({"argv": args, "cwd": os.getcwd(), "env": os.environ.get("PROBE_VALUE"),
                      "stdin": sys.stdin.read() if args[:1] == ["stdin"] else None,
                      "pid": os.getpid(), "version": VERSION, "name": __name__, "mpl": mpl,
                      "extra": extra}))
    print("to stderr", file=sys.stderr)
    return int(os.environ.get("PROBE_EXIT", "0"))
if __name__ == "__main__":
    sys.exit(main())
'''


@pytest.fixture
def repo(tmp_path):
    r = copy_repo(tmp_path / "repo")
    (r / "scripts" / "probe.py").write_text(PROBE, encoding="utf-8")
    yield r
    subprocess.run([sys.executable, "-m", "scripts.step", "--stop"], cwd=r, env=_env(r))


def _env(repo: Path, **extra) -> dict:
    env = dict(os.environ, NAVRAPPORT_ROOT=str(repo), PYTHONPATH=str(repo), NAVRAPPORT_WORKER_IDLE="20")
    env.pop("NAVRAPPORT_WORKER", None)
    env.update(extra)
    return env


def step(repo: Path, *args: str, stdin: str = "", cwd: Path | None = None, **env):
    proc = subprocess.Popen([sys.executable, "-m", "scripts.step", *args], cwd=cwd or repo,
                            env=_env(repo, **env), stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    out, err = proc.communicate(stdin, timeout=120)
    return proc.pid, proc.returncode, out, err


def test_a_step_in_the_worker_sees_what_a_direct_run_sees(repo, tmp_path):

    sub = repo / "report"
    pid_w, rc_w, out_w, err_w = step(repo, "probe", "stdin", "--flag", "æøå", stdin="from stdin",
                                     cwd=sub, PROBE_VALUE="v1", PROBE_EXIT="3")
    pid_d, rc_d, out_d, err_d = step(repo, "probe", "stdin", "--flag", "æøå", stdin="from stdin",
                                     cwd=sub, PROBE_VALUE="v1", PROBE_EXIT="3", NAVRAPPORT_WORKER="0")
    w, d = json.loads(out_w), json.loads(out_d)
    assert w["pid"] != pid_w and d["pid"] == pid_d  # the first ran in the worker, the second here
    for key in ("argv", "cwd", "env", "stdin", "name"):
        assert w[key] == d[key], key
    assert w["argv"] == ["stdin", "--flag", "æøå"] and w["cwd"] == str(sub) and w["name"] == "__main__"
    assert rc_w == rc_d == 3
    assert err_w.strip() == err_d.strip() == "to stderr"


def test_failures_keep_their_exit_status_and_traceback(repo):
    _, rc, _, err = step(repo, "probe", "crash")
    assert rc == 1 and "ValueError: probe failed on purpose" in err and "Traceback" in err
    _, rc, _, _ = step(repo, "probe", "kill")
    assert rc == 128 + signal.SIGKILL
    _, rc, _, err = step(repo, "no_such_module")
    assert rc == 1 and "No module named scripts.no_such_module" in err


def test_an_edited_script_is_never_run_from_a_stale_worker(repo):

    assert json.loads(step(repo, "probe")[2])["version"] == "one"
    probe = repo / "scripts" / "probe.py"
    probe.write_text(probe.read_text(encoding="utf-8").replace('VERSION = "one"', 'VERSION = "two"'),
                     encoding="utf-8")
    assert json.loads(step(repo, "probe")[2])["version"] == "two"


def test_matplotlib_settings_follow_the_steps_environment(repo, tmp_path):

    rc = tmp_path / "mplrc"
    rc.mkdir()
    (rc / "matplotlibrc").write_text("lines.linewidth: 7\n", encoding="utf-8")
    step(repo, "probe")  # the worker imports matplotlib without these settings
    for extra in ({}, {"MATPLOTLIBRC": str(rc), "MPLBACKEND": "svg"}):
        w = json.loads(step(repo, "probe", "mpl", **extra)[2])["mpl"]
        d = json.loads(step(repo, "probe", "mpl", NAVRAPPORT_WORKER="0", **extra)[2])["mpl"]
        assert w == d, extra
    assert w == [7.0, "svg"]


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    stat = Path(f"/proc/{pid}/stat")
    return not (stat.exists() and stat.read_text().split()[2] == "Z")


def _start_sleeping_step(repo: Path, pidfile: Path):
    """A caller whose step (the probe) records its pid in ``pidfile`` and then sleeps."""
    client = subprocess.Popen([sys.executable, "-m", "scripts.step", "probe", "sleep", str(pidfile)],
                              cwd=repo, env=_env(repo), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while not (pidfile.exists() and pidfile.read_text()) and time.monotonic() < deadline:
        time.sleep(0.05)
    return client, int(pidfile.read_text().split()[0])


def _wait_gone(pid: int, seconds: float = 10) -> bool:
    deadline = time.monotonic() + seconds
    while _alive(pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    return not _alive(pid)


def test_killing_the_caller_stops_its_step(repo, tmp_path):
    client, step_pid = _start_sleeping_step(repo, tmp_path / "pid")
    assert step_pid != client.pid and _alive(step_pid)
    client.send_signal(signal.SIGKILL)
    client.communicate()
    assert _wait_gone(step_pid), "the step outlived its caller"


def test_without_a_usable_worker_the_step_runs_here(repo, tmp_path):

    tmp = tmp_path / "tmp"
    (tmp / f"navrapport-{os.getuid()}").mkdir(parents=True, mode=0o777)
    os.chmod(tmp / f"navrapport-{os.getuid()}", 0o777)  # not private: must not be used
    pid, rc, out, err = step(repo, "probe", TMPDIR=str(tmp))
    assert rc == 0 and json.loads(out)["pid"] == pid
    assert "is not private to this user" in err and "running scripts.probe in this process" in err


def _worker_pid(repo: Path) -> int:
    import re

    log = (repo / "logs" / "worker.log").read_text(encoding="utf-8")
    return int(re.findall(r"worker (\d+): serving", log)[-1])


def test_stop_ends_the_worker(repo):

    step(repo, "probe")
    pid = _worker_pid(repo)
    assert _alive(pid)
    subprocess.run([sys.executable, "-m", "scripts.step", "--stop"], cwd=repo, env=_env(repo), check=True)
    assert _wait_gone(pid), "the worker did not stop"
    # The next step starts a fresh worker and still works.
    assert json.loads(step(repo, "probe")[2])["version"] == "one"
    assert _worker_pid(repo) != pid


def test_a_killed_worker_never_leads_to_a_step_running_twice(repo, tmp_path):
    pidfile = tmp_path / "pids"
    client, step_pid = _start_sleeping_step(repo, pidfile)
    os.kill(_worker_pid(repo), signal.SIGKILL)
    _out, err = client.communicate(timeout=60)
    assert client.returncode == 1 and "the worker stopped while running scripts.probe" in err
    assert len(pidfile.read_text().split()) == 1, "the step was started again"
    assert _wait_gone(step_pid), "the step outlived its worker"


def test_signals_reach_the_step(repo, tmp_path):
    client, _step_pid = _start_sleeping_step(repo, tmp_path / "pids")
    client.send_signal(signal.SIGINT)
    _out, err = client.communicate(timeout=60)
    assert "KeyboardInterrupt" in err  # raised in the step, as in a direct run
    assert client.returncode == 128 + signal.SIGINT


def test_umask_time_zone_and_random_state_are_the_callers(repo):

    def run(*, worker: bool):
        code = ("import os, subprocess, sys; os.umask(0o077); "
                "sys.exit(subprocess.call([sys.executable, '-m', 'scripts.step', 'probe', 'state']))")
        env = _env(repo, TZ="Pacific/Kiritimati", **({} if worker else {"NAVRAPPORT_WORKER": "0"}))
        out = subprocess.run([sys.executable, "-c", code], cwd=repo, env=env, capture_output=True,
                             text=True, timeout=120).stdout
        return json.loads(out)

    w1, w2, d = run(worker=True), run(worker=True), run(worker=False)
    assert w1["pid"] != d["pid"]
    assert w1["extra"]["umask"] == d["extra"]["umask"] == 0o077
    assert w1["extra"]["utcoffset"] == d["extra"]["utcoffset"] == 14 * 3600
    assert w1["extra"]["rand"] != w2["extra"]["rand"]  # not one inherited random state


def test_preloading_changes_no_global_state_and_starts_no_thread():
    """What the worker relies on to fork safely: importing the pipeline's modules starts no
    thread and leaves matplotlib's settings as a fresh import has them."""
    code = (
        "import threading, matplotlib\n"
        "before = dict(matplotlib.rcParams)\n"
        "from scripts import worker\n"
        "worker.preload()\n"
        "changed = sorted(k for k, v in matplotlib.rcParams.items() if before.get(k) != v and k != 'backend')\n"
        "assert not changed, changed\n"
        "assert dict.__getitem__(matplotlib.rcParams, 'backend') is dict.__getitem__(matplotlib.rcParamsOrig, 'backend')\n"
        "assert threading.active_count() == 1, threading.enumerate()\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr[-2000:]


def test_a_worker_that_cannot_start_is_reported_and_the_step_still_runs(repo):

    pid, rc, out, err = step(repo, "probe", NAVRAPPORT_WORKER_IDLE="soon")
    assert rc == 0 and json.loads(out)["pid"] == pid
    assert "the worker exited with status 2" in err and "running scripts.probe in this process" in err
    log = (repo / "logs" / "worker.log").read_text(encoding="utf-8")
    assert "NAVRAPPORT_WORKER_IDLE='soon': expected a number of seconds above 0" in log


def test_a_symlinked_socket_folder_is_not_trusted(repo, tmp_path):

    tmp, elsewhere = tmp_path / "tmp", tmp_path / "elsewhere"
    tmp.mkdir()
    elsewhere.mkdir(mode=0o700)
    (tmp / f"navrapport-{os.getuid()}").symlink_to(elsewhere)  # e.g. planted by another user
    pid, rc, out, err = step(repo, "probe", TMPDIR=str(tmp))
    assert rc == 0 and json.loads(out)["pid"] == pid
    assert "is not private to this user" in err and not list(elsewhere.iterdir())


def test_stop_removes_the_folders_of_deleted_checkouts(tmp_path):
    from scripts.step import checkout_dir

    gone = tmp_path / "deleted-checkout" / "scripts"
    gone.mkdir(parents=True)
    folder = checkout_dir(gone)
    gone.rmdir()
    subprocess.run([sys.executable, "-m", "scripts.step", "--stop-under", str(tmp_path)], cwd=ROOT_DIR,
                   check=True, capture_output=True)
    assert not os.path.exists(folder)


def test_step_requests_survive_the_wire_format():
    from scripts.step import decode_request, encode_request

    request = {"module": "scripts.engine", "cwd": "/tmp/en mappe", "umask": 0o027,
               "args": ["report/04 analyse.qmd", "", "--x=y=z", "æøå"],
               "env": {"A": "1=2", "EMPTY": "", "PATH": "/bin:/usr/bin", "NAVN": "Kontor Ø"}}
    assert decode_request(encode_request(request)) == request
    assert decode_request(encode_request(dict(request, args=[], env={}))) == dict(request, args=[], env={})
    for bad in (b"", b"scripts.x\0/\0notanumber\x000", b"scripts.x\0/\x0018\x002\0only-one",
                b"scripts.x\0/\x0018\x000\0NOEQUALS"):
        with pytest.raises(ValueError, match="malformed"):
            decode_request(bad)


def test_steps_compile_pdfs_in_the_workers_typst_service(repo, tmp_path):
    out = json.loads(step(repo, "probe", "typst", str(tmp_path))[2])["extra"]
    assert out["pdf"] == "%PDF-" and out["socket"].endswith(".typst.sock")
    assert "probe.typ in" in (repo / "logs" / "worker.log").read_text()
    direct = json.loads(step(repo, "probe", "typst", str(tmp_path), NAVRAPPORT_WORKER="0")[2])["extra"]
    assert direct == {"socket": None, "pdf": "%PDF-"}
