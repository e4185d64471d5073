#!/usr/bin/env bash
# A single-node Slurm cluster on loopback, for testing `flowsim sweep` as a real job array.
#
#   scripts/slurm-local.sh start   install (if missing) and start munged, slurmctld, slurmd
#   scripts/slurm-local.sh stop    stop the daemons that `start` started
#   scripts/slurm-local.sh test    start, run tests/data/sweep/tiny_sweep.toml as a job array
#                                  (sbatch --wait), merge, compare with the same sweep run
#                                  locally, and stop what it started (also on failure)
#
# Needs root (it installs Debian's slurm-wlm and munge with apt-get when they are missing and
# runs the daemons as on a cluster node). Everything Slurm writes goes under $STATE
# (default /tmp/flowsim-slurm): the config, spool, state, logs and pid files; nothing in
# /etc/slurm is touched, clients find the config through SLURM_CONF. A munged or Slurm daemon
# that was already running is used and left alone.
#
# Environment: FLOWSIM_BIN (flowsim binary to use; default: cargo build, then target/debug;
# the times logged exclude that build), FLOWSIM_SLURM_STATE (state folder).
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
STATE="${FLOWSIM_SLURM_STATE:-/tmp/flowsim-slurm}"
CONF="$STATE/slurm.conf"
STARTED="$STATE/started" # one line per daemon this script started: "name pidfile"
export SLURM_CONF="$CONF"

log() { printf '[slurm-local %s] %s\n' "$(date +%T)" "$*" >&2; }
die() {
  log "error: $*"
  exit 1
}

install_if_missing() {
  local missing=()
  for cmd in munged slurmctld slurmd sbatch; do
    command -v "$cmd" >/dev/null 2>&1 || missing+=("$cmd")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  [ "$(id -u)" -eq 0 ] || die "missing ${missing[*]}; run as root to install slurm-wlm and munge"
  log "installing slurm-wlm and munge (missing: ${missing[*]})"
  local t0=$SECONDS
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq --no-install-recommends slurm-wlm munge >/dev/null
  log "installed in $((SECONDS - t0)) s"
}

write_conf() {
  mkdir -p "$STATE/state" "$STATE/spool" "$STATE/log"
  cat >"$CONF" <<EOF
# Written by scripts/slurm-local.sh: one node on loopback, no cgroups, no accounting.
ClusterName=flowsim-local
SlurmctldHost=localhost(127.0.0.1)
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
StateSaveLocation=$STATE/state
SlurmdSpoolDir=$STATE/spool
SlurmctldPidFile=$STATE/slurmctld.pid
SlurmdPidFile=$STATE/slurmd.pid
SlurmctldLogFile=$STATE/log/slurmctld.log
SlurmdLogFile=$STATE/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
SchedulerType=sched/backfill
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
JobCompType=jobcomp/none
MpiDefault=none
ReturnToService=2
SlurmdTimeout=30
InactiveLimit=0
KillWait=5
NodeName=localhost NodeAddr=127.0.0.1 CPUs=2 State=UNKNOWN
PartitionName=local Nodes=localhost Default=YES MaxTime=INFINITE State=UP
EOF
}

alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

start_munge() {
  if pgrep -x munged >/dev/null 2>&1; then
    log "munged already running: using it"
    return
  fi
  if [ ! -s /etc/munge/munge.key ]; then
    log "creating /etc/munge/munge.key"
    mkdir -p /etc/munge
    if command -v mungekey >/dev/null 2>&1; then
      mungekey --create --keyfile=/etc/munge/munge.key
    else
      dd if=/dev/urandom bs=1 count=1024 of=/etc/munge/munge.key status=none
    fi
  fi
  mkdir -p /run/munge /var/lib/munge /var/log/munge
  chown munge:munge /etc/munge /etc/munge/munge.key /run/munge /var/lib/munge /var/log/munge
  chmod 0700 /etc/munge /var/lib/munge /var/log/munge
  chmod 0400 /etc/munge/munge.key
  chmod 0755 /run/munge
  runuser -u munge -- /usr/sbin/munged
  echo "munged /run/munge/munged.pid" >>"$STARTED"
  for _ in $(seq 50); do
    munge -n </dev/null | unmunge >/dev/null 2>&1 && return
    sleep 0.1
  done
  die "munged does not answer"
}

start_daemon() { # name, pidfile, command…
  local name=$1 pidfile=$2
  shift 2
  if alive "$pidfile"; then
    log "$name already running: using it"
    return
  fi
  "$@" || die "$name did not start (log: $STATE/log/$name.log)"
  echo "$name $pidfile" >>"$STARTED"
}

start() {
  install_if_missing
  mkdir -p "$STATE"
  write_conf
  start_munge
  start_daemon slurmctld "$STATE/slurmctld.pid" slurmctld -f "$CONF"
  start_daemon slurmd "$STATE/slurmd.pid" slurmd -f "$CONF" -N localhost
  log "waiting for the node"
  for _ in $(seq 300); do
    local st
    st=$(sinfo -h -n localhost -o %T 2>/dev/null || true)
    case "$st" in
    idle* | mixed* | allocated*)
      log "node localhost is $st"
      return
      ;;
    down* | drain*) scontrol update nodename=localhost state=resume 2>/dev/null || true ;;
    esac
    sleep 0.1
  done
  sinfo >&2 || true
  die "the node did not come up (logs in $STATE/log)"
}

stop() {
  [ -f "$STARTED" ] || return 0
  # Stop in reverse order of starting: slurmd, slurmctld, then munged.
  tac "$STARTED" | while read -r name pidfile; do
    if alive "$pidfile"; then
      local pid
      pid=$(cat "$pidfile")
      log "stopping $name (pid $pid)"
      kill "$pid" 2>/dev/null || true
      for _ in $(seq 100); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
      done
      kill -0 "$pid" 2>/dev/null && kill -9 "$pid" 2>/dev/null || true
    fi
  done
  rm -f "$STARTED"
}

flowsim_bin() {
  if [ -n "${FLOWSIM_BIN:-}" ]; then
    echo "$FLOWSIM_BIN"
    return
  fi
  (cd "$ROOT" && cargo build --quiet --bin flowsim) >&2
  echo "$ROOT/target/debug/flowsim"
}

run_test() {
  local t0 bin work
  bin=$(flowsim_bin)
  [ -x "$bin" ] || die "no flowsim binary at $bin"
  log "flowsim: $bin"
  t0=$SECONDS
  trap stop EXIT
  start
  log "cluster up in $((SECONDS - t0)) s"

  work=$(mktemp -d /tmp/flowsim-slurm-test.XXXXXX)
  cp "$ROOT/tests/data/sweep/tiny.toml" "$ROOT/tests/data/sweep/tiny_sweep.toml" "$work/"
  cd "$work"
  "$bin" sweep tiny_sweep.toml --out "$work/array" --emit-slurm --shards 2 >job.sh
  log "submitting a 2-task job array (sbatch --wait, at most 5 minutes)"
  if ! timeout 300 sbatch --wait job.sh; then
    cat flowsim-*.out >&2 2>/dev/null || true
    squeue >&2 || true
    sinfo >&2 || true
    die "the job array failed or did not end in 5 minutes (logs in $STATE/log)"
  fi
  cat flowsim-*.out >&2
  "$bin" sweep tiny_sweep.toml --out "$work/array" --merge
  "$bin" sweep tiny_sweep.toml --out "$work/local" --threads 2 --quiet
  cmp "$work/array/sweep.csv" "$work/local/sweep.csv" ||
    die "sweep.csv of the job array differs from the local sweep"
  cmp "$work/array/sweep.parquet" "$work/local/sweep.parquet" ||
    die "sweep.parquet of the job array differs from the local sweep"
  diff -r "$work/array/runs" "$work/local/runs" >/dev/null ||
    die "run folders of the job array differ from the local sweep"
  rm -rf "$work"
  log "passed: the job array's merged sweep equals the local one ($((SECONDS - t0)) s so far)"
  stop
  trap - EXIT
  log "done in $((SECONDS - t0)) s, daemons stopped"
  echo "slurm-local: 1 passed, 0 failed"
}

case "${1:-}" in
start) start ;;
stop) stop ;;
test) run_test ;;
*)
  echo "usage: $0 start|stop|test" >&2
  exit 2
  ;;
esac
