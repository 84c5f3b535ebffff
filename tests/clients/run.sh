#!/usr/bin/env bash
# Drives the runtime with the real clients from Debian: containerd 1.6 (ctr + the runc shim v2)
# and podman 4.3 + conmon. Every scenario runs in its own process under a timeout, is judged by
# output and exit code, and is followed by a sweep of what it left. Ends with "N passed, M failed".
#
# Usage: run.sh [--runtime ours|runc|PATH] [--clients ctr,podman] [--filter REGEX] [--timeout S]
#               [--budget S] [--bench] [--no-shim] [--keep]
#   --runtime   the binary under test (env RUNTIME); "ours" (default) is out/runtime, "runc" is
#               Debian's runc: every scenario must pass with it too, which proves the harness.
#   --filter    only scenarios whose "client/name" matches (env FILTER), e.g. 'ctr/exec|podman/tty'
#   --timeout   seconds per scenario (env RTC_TIMEOUT, default 30)
#   --budget    seconds for the whole run; scenarios past it count as failed (default 540)
#   --bench     also time `ctr run --rm IMAGE id true` and `podman run --rm IMAGE true` with
#               the runtime under test (out/runtime when that is runc) and runc side by side
#   --no-shim   let the clients call the runtime directly instead of through logging-shim.sh
#   --keep      keep the temporary directory (logs, calls.log) after the run
# Needs root and tests/clients/install-deps.sh.
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
source "$HERE/lib.sh"

# Child mode: one scenario, in its own process group (run by `timeout`).
if [[ ${1-} == --scenario ]]; then
  RTC_CLIENT=$2
  source "$HERE/$2.sh"
  "$3"
  exit 0
fi

RUNTIME=${RUNTIME:-ours} CLIENTS=${CLIENTS:-ctr,podman} FILTER=${FILTER:-} BENCH=${BENCH:-0}
RTC_TIMEOUT=${RTC_TIMEOUT:-30} BUDGET=${RTC_BUDGET:-540} SHIM=1 KEEP=0
while (($#)); do
  case $1 in
    --runtime) RUNTIME=$2; shift ;;
    --runtime=*) RUNTIME=${1#*=} ;;
    --clients) CLIENTS=$2; shift ;;
    --filter) FILTER=$2; shift ;;
    --timeout) RTC_TIMEOUT=$2; shift ;;
    --budget) BUDGET=$2; shift ;;
    --bench) BENCH=1 ;;
    --no-shim) SHIM=0 ;;
    --keep) KEEP=1 ;;
    -h|--help) sed -n '2,/^set /p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "run.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done

OURS=${RTC_OURS:-$REPO/out/runtime}     # what "ours" and --bench mean
case $RUNTIME in
  ours) real=$OURS ;;
  runc) real=$(command -v runc || echo /usr/sbin/runc) ;;
  *) real=$RUNTIME ;;
esac
[[ -x $real ]] || { echo "run.sh: runtime $real not found (make build, or --runtime runc)" >&2; exit 2; }
[[ $(id -u) == 0 ]] || { echo "run.sh: needs root" >&2; exit 2; }
missing=()
for tool in containerd ctr containerd-shim-runc-v2 podman conmon catatonit script jq timeout unshare; do
  command -v "$tool" >/dev/null || missing+=("$tool")
done
((${#missing[@]} == 0)) || { echo "run.sh: missing ${missing[*]}: run tests/clients/install-deps.sh" >&2; exit 2; }

# Everything of this run lives under $RTC_T (short: podman's runroot must stay ≤ 50 characters).
RTC_T=$(mktemp -d /tmp/rtc.XXXXXX)
RTC_NS=rtc-${RTC_T##*.}              # containerd namespace and parent cgroup of every container
RTC_SCRATCH=$RTC_T/scratch
RTC_CALLS=$RTC_T/calls.log
RTC_IMAGE=localhost/rtc-busybox:latest
RTC_IMAGE_TAR=$RTC_T/busybox-oci.tar
mkdir -p "$RTC_SCRATCH" "$RTC_T/logs" "$RTC_T/rt" "$RTC_T/bin"
touch "$RTC_CALLS"
# A private copy: a rebuild of out/runtime during the run cannot change the binary under test.
RTC_REAL=$RTC_T/rt/$(basename "$real")
cp "$real" "$RTC_REAL"
if ((SHIM)); then
  RTC_BIN=$RTC_T/bin/$(basename "$real")
  sed -e "s|@REAL@|$RTC_REAL|" -e "s|@LOG@|$RTC_CALLS|" "$HERE/logging-shim.sh" >"$RTC_BIN"
  chmod 0755 "$RTC_BIN"
else
  RTC_BIN=$RTC_REAL
fi
# RTC_MARK is inherited by containerd, its shims, podman, conmon (conmon_env_vars) and every
# runtime call they make: how the sweep finds them (container processes get the spec's env only).
RTC_MARK=$RTC_NS
export RTC_T RTC_NS RTC_SCRATCH RTC_CALLS RTC_IMAGE RTC_IMAGE_TAR RTC_REAL RTC_BIN RTC_MARK
had_run_containerd=0; [[ -d /run/containerd ]] && had_run_containerd=1

# stop_pid PID: TERM, then KILL after 5 s.
stop_pid() {
  local pid=$1 i
  kill "$pid" 2>/dev/null || return 0
  for ((i = 0; i < 50; i++)); do
    kill -0 "$pid" 2>/dev/null || return 0
    [[ $(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null) == Z ]] && return 0
    sleep 0.1
  done
  kill -KILL "$pid" 2>/dev/null
}

# The cgroup directories of this run, deepest first, in every hierarchy.
our_cgroups() { find /sys/fs/cgroup/*/"$RTC_NS" /sys/fs/cgroup/"$RTC_NS" -depth -type d 2>/dev/null; }

# Processes still in this run's cgroups (a leaked container process, shim or conmon).
cgroup_procs() {
  local d
  for d in $(our_cgroups); do cat "$d/cgroup.procs" 2>/dev/null; done | sort -un
}

# Processes of this run wherever their cgroup is: container processes (their mount namespace's
# root is an overlay under $RTC_T) and the clients' helpers (containerd, shims, conmon, runtime
# calls: RTC_MARK in their environment). Not the harness's own process group.
our_procs() {
  local p pgrp me
  me=$(awk '{ print $5 }' /proc/$$/stat)
  {
    awk -v t="$RTC_T/" '$5 == "/" && index($0, t) { print FILENAME; nextfile }' /proc/[0-9]*/mountinfo 2>/dev/null
    grep -lsxzF "RTC_MARK=$RTC_MARK" /proc/[0-9]*/environ
  } | cut -d/ -f3 | sort -un | while read -r p; do
    pgrp=$(awk '{ print $5 }' "/proc/$p/stat" 2>/dev/null) || continue
    [[ -n $pgrp && $pgrp != "$me" ]] && echo "$p"
  done
}

# Kills whatever is left in this run's cgroups (thawing frozen ones first) and removes them.
sweep_cgroups() {
  local d pid
  for d in $(our_cgroups); do
    [[ -f $d/freezer.state ]] && echo THAWED >"$d/freezer.state" 2>/dev/null
    [[ -f $d/cgroup.freeze ]] && echo 0 >"$d/cgroup.freeze" 2>/dev/null
  done
  for pid in $(cgroup_procs); do kill -KILL "$pid" 2>/dev/null; done
  for d in $(our_cgroups); do rmdir "$d" 2>/dev/null || { sleep 0.2; rmdir "$d" 2>/dev/null; }; done
}

unmount_ours() {
  local m
  for m in $(awk -v p="$RTC_T/" 'index($5, p) == 1 { print $5 }' /proc/self/mountinfo | sort -r); do
    umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null
  done
}

cleanup() {
  trap - EXIT INT TERM
  source "$HERE/podman.sh"; pm_teardown
  source "$HERE/ctr.sh"; ctr_teardown
  local p
  for p in $(pgrep -f -- "$RTC_T/") $(our_procs); do kill -KILL "$p" 2>/dev/null; done
  sweep_cgroups
  unmount_ours
  rm -rf "/run/containerd/runc/$RTC_NS"
  if ((!had_run_containerd)); then
    rmdir /run/containerd/runc /run/containerd/fifo /run/containerd/s /run/containerd 2>/dev/null
  fi
  if ((KEEP)); then echo "kept $RTC_T"; else rm -rf "$RTC_T"; fi
}
trap cleanup EXIT
trap 'echo "interrupted"; exit 130' INT TERM

passed=0 failed=0 failures=() t_start=$SECONDS

# record NAME OK MESSAGE
record() {
  if (($2)); then
    passed=$((passed + 1)); printf 'ok    %-32s %s\n' "$1" "$3"
  else
    failed=$((failed + 1)); failures+=("$1"); printf 'FAIL  %-32s %s\n' "$1" "$3"
  fi
}

# The runtime calls made while a scenario ran that failed, with their argv and --log lines.
failed_calls() { # FROM_BYTE
  tail -c +"$(($1 + 1))" "$RTC_CALLS" | awk '
    / > / { pid = $2; argv[pid] = $0; next }
    / < rc=/ { if ($4 != "rc=0") { print "    call: " substr(argv[$2], index(argv[$2], ">") + 2); print "    " $4 } next }
    / \| log: / { sub(/^[^|]*\| /, ""); print "    " $0 }'
}

# run_scenario CLIENT NAME
run_scenario() {
  local client=$1 name=$2 fn
  [[ $client == podman ]] && fn=pm_$name || fn=ctr_$name
  local log=$RTC_T/logs/$client-$name.log from t0=${EPOCHREALTIME/./}
  if ((SECONDS - t_start > BUDGET)); then
    record "$client/$name" 0 "not run: the run's budget of ${BUDGET}s is spent"; return
  fi
  from=$(stat -c %s "$RTC_CALLS")
  # timeout puts the scenario in its own process group: on expiry, and after it ends, the whole
  # group (clients, helpers) is killed. Containers belong to containerd/conmon: the reap below.
  timeout -k 5 "$RTC_TIMEOUT" bash "$HERE/run.sh" --scenario "$client" "$fn" >"$log" 2>&1 &
  local tpid=$!
  wait "$tpid"
  local rc=$?
  kill -KILL -- "-$tpid" 2>/dev/null
  local ms=$(((${EPOCHREALTIME/./} - t0) / 1000))
  if [[ $client == podman ]]; then pm_reap; else ctr_reap; fi
  if ((rc == 0)); then
    record "$client/$name" 1 "(${ms} ms)"
  else
    local why
    ((rc == 124 || rc == 137)) && why="timed out after ${RTC_TIMEOUT}s" || why=$(grep -m1 '^FAIL: ' "$log" | cut -c7-)
    record "$client/$name" 0 "(${ms} ms) ${why:-exit $rc}"
    echo "    --- last lines of $client-$name.log:"
    grep -v '^FAIL: ' "$log" | tail -n 12 | sed 's/^/    /'
    local calls; calls=$(failed_calls "$from")
    [[ -n $calls ]] && { echo "    --- failed runtime calls:"; echo "$calls"; }
  fi
}

# leftovers CLIENT: after the last scenario, nothing of the client may remain.
leftovers() {
  local client=$1 left
  if [[ $client == podman ]]; then
    pm_reap; left=$(pm_leftovers); pm_teardown
  else
    ctr_reap; left=$(ctr_leftovers); ctr_teardown
    left+=$(pgrep -af -- "-address $CTD_SOCK" | sed 's/^/shim after containerd stopped: /')
  fi
  local procs; procs=$( (cgroup_procs; our_procs) | sort -un)
  [[ -n $procs ]] && left+=$'\n'"processes: $(ps -o pid=,args= -p "${procs//$'\n'/,}" 2>/dev/null)"
  sweep_cgroups
  local cg; cg=$(our_cgroups)
  [[ -n $cg ]] && left+=$'\n'"cgroups that cannot be removed: $cg"
  left=$(sed '/^$/d' <<<"$left")
  if [[ -z $left ]]; then
    record "$client/leftovers" 1 "(no containers, shims/conmon, mounts, cgroups, state)"
  else
    record "$client/leftovers" 0 "left behind:"; sed 's/^/    /' <<<"$left"
  fi
}

bench() { # CLIENT
  local client=$1 runc_bin ours_bin
  command -v hyperfine >/dev/null || { echo "bench: hyperfine not installed"; return; }
  runc_bin=$(command -v runc)
  # Ours is the runtime under test, or out/runtime when the run is with runc.
  local src=$RTC_REAL
  [[ $(basename "$RTC_REAL") == runc ]] && src=$OURS
  [[ -x $src ]] || { echo "bench: $src not built"; return; }
  ours_bin=$RTC_T/bench/runtime; mkdir -p "$RTC_T/bench"; cp "$src" "$ours_bin"
  echo "== timing: $client, $src vs runc (hyperfine, 3 warmup, 20 runs; called directly, no logging shim)"
  if [[ $client == ctr ]]; then
    hyperfine -N --warmup 3 --runs 20 --style none \
      -n "ctr run --rm (runtime)" "$(printf '%q ' "${CTR[@]}" run --fifo-dir "$CTD/fifo" --runc-binary "$ours_bin" --runc-root "$RTC_T/bench/root" --rm "$IMG" bench-ours true)" \
      -n "ctr run --rm (runc)" "$(printf '%q ' "${CTR[@]}" run --fifo-dir "$CTD/fifo" --runc-binary "$runc_bin" --runc-root "$RTC_T/bench/root" --rm "$IMG" bench-runc true)" \
      --export-markdown "$RTC_T/bench/ctr.md" 2>&1 | sed 's/^/  /'
  else
    local p=("${PM[@]}"); unset 'p[${#p[@]}-1]' 'p[${#p[@]}-2]'   # drop --runtime X
    hyperfine -N --warmup 3 --runs 20 --style none \
      -n "podman run --rm (runtime)" "$(printf '%q ' "${p[@]}" --runtime "$ours_bin" run --rm "${PM_CG[@]}" "$IMG" true)" \
      -n "podman run --rm (runc)" "$(printf '%q ' "${p[@]}" --runtime "$runc_bin" run --rm "${PM_CG[@]}" "$IMG" true)" \
      --export-markdown "$RTC_T/bench/podman.md" 2>&1 | sed 's/^/  /'
  fi
  [[ -s $RTC_T/bench/$client.md ]] && cat "$RTC_T/bench/$client.md"
}

echo "runtime under test: $real ($("$RTC_REAL" --version 2>&1 | head -n1))"
echo "clients: $CLIENTS; namespace/cgroup: $RTC_NS; scratch: $RTC_T; timeout ${RTC_TIMEOUT}s per scenario"
bash "$HERE/image.sh" "$RTC_IMAGE_TAR" "$RTC_IMAGE" || { echo "could not build the busybox image"; exit 1; }

for client in ${CLIENTS//,/ }; do
  case $client in
    ctr) source "$HERE/ctr.sh"; scenarios=("${CTR_SCENARIOS[@]}"); setup=ctr_setup ;;
    podman) source "$HERE/podman.sh"; scenarios=("${PM_SCENARIOS[@]}"); setup=pm_setup ;;
    *) echo "unknown client $client"; exit 2 ;;
  esac
  if [[ -n $FILTER ]]; then
    selected=()
    for s in "${scenarios[@]}"; do [[ $client/$s =~ $FILTER ]] && selected+=("$s"); done
    scenarios=("${selected[@]}")
  fi
  ((${#scenarios[@]})) || continue
  if ! setup_out=$($setup 2>&1); then
    echo "== $client: setup failed"; echo "$setup_out"
    for s in "${scenarios[@]}"; do record "$client/$s" 0 "not run: $client setup failed"; done
    continue
  fi
  echo "== $client ($($client --version 2>/dev/null | head -n1))"
  for s in "${scenarios[@]}"; do run_scenario "$client" "$s"; done
  ((BENCH)) && bench "$client"
  leftovers "$client"
done

echo
echo "runtime calls: $(grep -c ' > ' "$RTC_CALLS") ($(grep -c ' < rc=[^0]' "$RTC_CALLS") failed); harness time $((SECONDS - t_start)) s"
((failed)) && echo "failed: ${failures[*]}"
echo "$passed passed, $failed failed"
((failed == 0))
