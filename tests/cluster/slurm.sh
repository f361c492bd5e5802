#!/usr/bin/env bash
# A throw-away one-node Slurm cluster (slurmctld + slurmd + munged) on this machine, for
# tests/test_cluster.py and for trying profiles/slurm by hand. Needs root and Debian's
# slurm-wlm and munge; no systemd: the daemons are started directly and everything they
# write (config, key, socket, spool, state, logs, pid files) lives under STATEDIR.
#
#   eval "$(tests/cluster/slurm.sh start STATEDIR)"   # sets SLURM_CONF and PATH for this shell
#   tests/cluster/slurm.sh status STATEDIR
#   tests/cluster/slurm.sh stop   STATEDIR   # stops only the daemons named in STATEDIR's pid files
#
# Ports default to Slurm's own (6817/6818); set SLURMCTLD_PORT/SLURMD_PORT to run two at once.
set -euo pipefail

usage() { echo "usage: $0 start|stop|status STATEDIR" >&2; exit 2; }
[[ $# -eq 2 ]] || usage
cmd=$1
mkdir -p "$2"
state=$(cd "$2" && pwd -P)   # absolute: the daemons chdir to /
# munged and slurmd put Unix sockets in here; their paths must stay under 108 bytes.
(( ${#state} <= 60 )) || { echo "slurm.sh: STATEDIR path too long (max 60): $state" >&2; exit 2; }
export SLURM_CONF=$state/slurm.conf
TIMEOUT=${SLURM_START_TIMEOUT:-60}
DAEMONS=(slurmd slurmctld munged)   # stop order: clients of munge first

pid_of() {  # prints the pid if STATEDIR's pid file names a live process of that program
  local f=$state/run/$1.pid pid
  [[ -s $f ]] || return 1
  pid=$(<"$f")
  # A stale pid file may name a pid reused by something else: check the program name.
  [[ -r /proc/$pid/comm && $(</proc/$pid/comm) == "$1" ]] || return 1
  echo "$pid"
}

dead_daemons() {
  local d
  for d in "${DAEMONS[@]}"; do pid_of "$d" >/dev/null || printf ' %s' "$d"; done
}

write_conf() {
  # Below the machine's memory (3/4 of it, at most 8000 MB): jobs cannot ask for more than exists.
  local mem=$(( $(awk '/^MemTotal:/ {print $2}' /proc/meminfo) / 1024 * 3 / 4 ))
  (( mem > 8000 )) && mem=8000
  cat >"$SLURM_CONF" <<CONF
# Written by tests/cluster/slurm.sh; regenerated on every start.
ClusterName=navrapport
SlurmctldHost=localhost
SlurmctldPort=${SLURMCTLD_PORT:-6817}
SlurmdPort=${SLURMD_PORT:-6818}
SlurmUser=root
SlurmdUser=root
# Our own munged, not the system one at /run/munge.
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$state/munge/munge.socket
StateSaveLocation=$state/ctld
SlurmdSpoolDir=$state/spool
SlurmctldPidFile=$state/run/slurmctld.pid
SlurmdPidFile=$state/run/slurmd.pid
SlurmctldLogFile=$state/log/slurmctld.log
SlurmdLogFile=$state/log/slurmd.log
PlugStackConfig=$state/plugstack.conf
# No cgroups (containers rarely delegate them) and no accounting database.
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
MpiDefault=none
# Trust CPUs/RealMemory below rather than what slurmd detects, so small machines work too.
SlurmdParameters=config_overrides
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU_Memory
# Finished jobs stay visible to squeue this long; the executor's squeue status check needs it.
MinJobAge=300
# A node that was down (e.g. slurmd restarted) comes back by itself.
ReturnToService=2
SchedulerType=sched/backfill
NodeName=localhost NodeAddr=127.0.0.1 CPUs=2 RealMemory=$mem State=UNKNOWN
PartitionName=debug Nodes=localhost Default=YES MaxTime=INFINITE State=UP
CONF
  : >"$state/plugstack.conf"   # not the system's /etc/slurm/plugstack.conf
  # Snakemake's slurm-jobstep executor removes every SLURM_* variable, SLURM_CONF too, before
  # the `srun` it runs inside a job; that srun would then look for /etc/slurm/slurm.conf. This
  # srun, first on the jobs' PATH (sbatch exports the submitter's), puts it back.
  local srun
  srun=$(type -ap srun | grep -vxF "$state/bin/srun" | head -n 1)   # the real one, not this shim
  mkdir -p "$state/bin"
  printf '#!/bin/sh\nSLURM_CONF=%q exec %q "$@"\n' "$SLURM_CONF" "$srun" >"$state/bin/srun"
  chmod 0755 "$state/bin/srun"
}

start() {
  mkdir -p "$state"/{run,log,ctld,spool,munge}
  chmod 0711 "$state/munge"   # munged refuses a socket directory others can write to
  if ! pid_of slurmctld >/dev/null || ! pid_of slurmd >/dev/null; then
    write_conf
  fi
  # Munge: our own key (never touches /etc/munge), socket and pid file.
  if ! pid_of munged >/dev/null; then
    [[ -s $state/munge/munge.key ]] || mungekey --create --keyfile="$state/munge/munge.key"
    chmod 0400 "$state/munge/munge.key"
    # --force: as root, and with the key not owned by the munge user.
    munged --force --key-file="$state/munge/munge.key" --socket="$state/munge/munge.socket" \
      --pid-file="$state/run/munged.pid" --log-file="$state/log/munged.log" \
      --seed-file="$state/munge/munged.seed"
  fi
  pid_of slurmctld >/dev/null || slurmctld   # both read $SLURM_CONF and daemonize
  pid_of slurmd >/dev/null || slurmd -N localhost

  # Ready once our three daemons run, the node is idle and a job step really runs. Checking
  # our own pids matters: with a port taken, our slurmctld exits and the clients would
  # otherwise be answered by whatever cluster owns that port.
  local deadline=$((SECONDS + TIMEOUT)) started=$SECONDS st="" dead
  until st=$(sinfo -h -n localhost -o %t 2>/dev/null) && [[ $st == idle* ]] &&
        timeout 20 srun -N1 -t 1 true 2>/dev/null && [[ -z $(dead_daemons) ]]; do
    dead=$(dead_daemons)
    if (( SECONDS >= deadline )) || [[ -n $dead && $((SECONDS - started)) -ge 3 ]]; then
      echo "slurm.sh: cluster in $state not ready after $((SECONDS - started))s" \
           "(node state: '${st:-none}'; not running:${dead:- none})." >&2
      tail -n 5 "$state"/log/*.log >&2 || true
      echo "slurm.sh: '$0 stop $state' stops what did start." >&2
      exit 1
    fi
    # A node that came up DOWN/DRAIN from an earlier run: put it back into service.
    [[ $st == down* || $st == drain* ]] && scontrol update nodename=localhost state=resume 2>/dev/null || true
    sleep 1
  done
  echo "export SLURM_CONF=$SLURM_CONF"
  echo "export PATH=$state/bin:\$PATH"
}

stop() {
  local d pid n
  # Cancel what still runs first: a job's slurmstepd is not ours to kill, slurmd ends it.
  if pid_of slurmctld >/dev/null && pid_of slurmd >/dev/null; then
    local jobs
    jobs=$(squeue -h -t PD,CF,R,S -o %A 2>/dev/null || true)
    [[ -n $jobs ]] && scancel $jobs 2>/dev/null || true
    for ((n = 0; n < 100; n++)); do   # up to 10 s
      [[ -z $(squeue -h -t R,CG,S -o %i 2>/dev/null) ]] && break
      sleep 0.1
    done
  fi
  for d in "${DAEMONS[@]}"; do
    pid=$(pid_of "$d") || { rm -f "$state/run/$d.pid"; continue; }
    kill -TERM "$pid"
    for ((n = 0; n < 100; n++)); do   # up to 10 s, then SIGKILL
      [[ -e /proc/$pid ]] || break
      sleep 0.1
    done
    [[ -e /proc/$pid ]] && kill -KILL "$pid" 2>/dev/null || true
    rm -f "$state/run/$d.pid"
  done
}

status() {
  local d rc=0 pid
  for d in "${DAEMONS[@]}"; do
    if pid=$(pid_of "$d"); then echo "$d: running (pid $pid)"; else echo "$d: stopped"; rc=3; fi
  done
  (( rc == 0 )) && sinfo -N -n localhost
  return $rc
}

case $cmd in
  start) start ;;
  stop) stop ;;
  status) status ;;
  *) usage ;;
esac
