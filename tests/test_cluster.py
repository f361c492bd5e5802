"""The workflow on a Slurm cluster: a one-node Slurm started on this machine
(tests/cluster/slurm.sh), the build submitted through snakemake-executor-plugin-slurm with
profiles/slurm, and the same bytes as a local build. Needs root, Debian's slurm-wlm and munge."""
import importlib.util
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from tests.conftest import ROOT, copy_repo, run_snakemake

pytestmark = [pytest.mark.cluster, pytest.mark.slow]

SLURM_SH = ROOT / "tests" / "cluster" / "slurm.sh"
DAEMONS = ("munged", "slurmctld", "slurmd")
SDE = "1430352000"


def _missing():
    if os.geteuid() != 0:
        return "the test cluster runs its daemons as root (SlurmUser=root)"
    tools = [t for t in (*DAEMONS, "mungekey", "sbatch", "srun", "squeue", "sinfo") if not shutil.which(t)]
    if tools:
        return f"Slurm/munge not installed ({', '.join(tools)} missing; apt-get install slurm-wlm munge)"
    if importlib.util.find_spec("snakemake_executor_plugin_slurm") is None:
        return "snakemake-executor-plugin-slurm is not installed in this environment"
    return None


def _free_ports(n):
    # Not Slurm's default ports: a real slurmd/slurmctld on this machine must not answer us.
    socks = [socket.socket() for _ in range(n)]
    try:
        for s in socks:
            s.bind(("127.0.0.1", 0))
        return [str(s.getsockname()[1]) for s in socks]
    finally:
        for s in socks:
            s.close()


def _pids(state: Path):
    files = {d: state / "run" / f"{d}.pid" for d in DAEMONS}
    return {d: int(f.read_text()) for d, f in files.items() if f.is_file() and f.read_text().strip()}


def _alive(pid, name):
    try:
        return Path(f"/proc/{pid}/comm").read_text().strip() == name
    except OSError:
        return False


@pytest.fixture(scope="module")
def slurm():
    """A running one-node cluster; yields the environment its clients and jobs need."""
    reason = _missing()
    if reason:
        pytest.skip(reason)
    # Short path: munged and slurmd put Unix sockets under it (108-byte limit).
    state = Path(tempfile.mkdtemp(prefix="navslurm-", dir="/tmp"))
    ctld_port, slurmd_port = _free_ports(2)
    env = dict(os.environ, SLURMCTLD_PORT=ctld_port, SLURMD_PORT=slurmd_port)
    pids = {}
    try:
        proc = subprocess.run(["bash", str(SLURM_SH), "start", str(state)], env=env,
                              capture_output=True, text=True, timeout=120)
        pids = _pids(state)
        assert proc.returncode == 0, proc.stdout + proc.stderr
        assert f"export SLURM_CONF={state}/slurm.conf" in proc.stdout
        yield {"SLURM_CONF": str(state / "slurm.conf"),
               # Jobs find `python` and the srun shim (see slurm.sh) through the submitter's PATH.
               "PATH": os.pathsep.join([str(state / "bin"), str(Path(sys.executable).parent),
                                        os.environ.get("PATH", "")])}
    finally:
        stop = subprocess.run(["bash", str(SLURM_SH), "stop", str(state)], env=env,
                              capture_output=True, text=True, timeout=120)
        left = [f"{d} (pid {p})" for d, p in pids.items() if _alive(p, d)]
        shutil.rmtree(state, ignore_errors=True)
        assert stop.returncode == 0, stop.stdout + stop.stderr
        assert not left, f"slurm.sh stop left daemons running: {left}"


def test_slurm_build_matches_local_build(slurm, tmp_path):
    nonet = ROOT / "tests" / "fixtures" / "nonet"
    builds = {}
    for name, args, extra in (("local", (), {}),
                              ("slurm", ("--workflow-profile", "profiles/slurm"), slurm)):
        repo = copy_repo(tmp_path / name)
        log = tmp_path / f"{name}-net.log"
        env = {"SOURCE_DATE_EPOCH": SDE, "NAVRAPPORT_NET_LOG": str(log),
               "PYTHONPATH": f"{nonet}{os.pathsep}{repo}", **extra}
        proc = run_snakemake(repo, *args, env=env, timeout=1800)
        assert proc.returncode == 0, f"{name} build failed:\n{proc.stderr[-5000:]}"
        assert not log.exists() or log.read_text() == "", log.read_text()
        builds[name] = (repo, proc)

    (local, _), (cluster, proc) = builds["local"], builds["slurm"]
    for doc in ("report.html", "report.pdf"):
        assert (cluster / "build" / doc).read_bytes() == (local / "build" / doc).read_bytes(), doc

    # Slurm ran every job but `all` (a local rule): each submitted job kept its log (the
    # profile keeps those of successful jobs too) and squeue still lists it as completed.
    out = proc.stdout + proc.stderr
    rules = set(re.findall(r"^rule (\w+):$", out, re.M))
    jobs = dict(re.findall(r"submitted with SLURM jobid (\d+) \(log: (.+?)\)", out))
    assert rules and jobs, out[-3000:]
    logdir = cluster / ".snakemake" / "slurm_logs"
    for log in jobs.values():
        assert Path(log).is_file() and "Finished jobid" in Path(log).read_text(), log
    assert {Path(log).relative_to(logdir).parts[0] for log in jobs.values()} == {f"rule_{r}" for r in rules}
    assert "localrule all:" in out
    listed = subprocess.run(["squeue", "--states=all", "--noheader", "--format=%i|%T"],
                            env=dict(os.environ, **slurm), capture_output=True, text=True, check=True)
    states = dict(line.split("|") for line in listed.stdout.split())
    assert {states.get(j) for j in jobs} == {"COMPLETED"}, states
