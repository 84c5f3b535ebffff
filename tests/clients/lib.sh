# Helpers shared by the scenarios (sourced by run.sh, in the harness and in each scenario's child).
# A scenario is a bash function; it runs commands with `run`, checks them with `want_*`, and
# fails with `fail` (which ends only that scenario's process).

# fail MESSAGE: ends the scenario as failed.
fail() {
  echo "FAIL: $*"
  exit 1
}

# run CMD...: runs CMD with stdin from /dev/null, records $out (stdout, \r stripped so tty output
# compares), $err and $rc, and logs all three.
run() { _run "$@" </dev/null; }

# run_in TEXT CMD...: run with TEXT on stdin (then end of file).
run_in() {
  local text=$1; shift
  _run "$@" < <(printf '%s' "$text")
}

# in_tty CMD...: runs CMD under script(1), so its stdio is a fresh 24x80 pseudo-terminal. script's
# own stdin stays open (no EOF for the client to forward) until the scenario ends.
in_tty() {
  _run script -qefc "stty rows 24 cols 80; exec $(printf '%q ' "$@")" /dev/null < <(sleep 300)
}

_run() {
  local errf=$RTC_SCRATCH/err.$BASHPID
  echo "+ $(printf '%q ' "$@")"
  out=$("$@" 2>"$errf")
  rc=$?
  out=${out//$'\r'/}
  err=$(<"$errf"); rm -f "$errf"
  [[ -n $out ]] && printf '%s\n' "$out" | sed 's/^/  out| /'
  [[ -n $err ]] && printf '%s\n' "$err" | sed 's/^/  err| /'
  echo "  rc=$rc"
  return 0
}

want_rc() { # N [what]
  [[ $rc == "$1" ]] || fail "${2:-command} exited $rc, want $1${err:+ (stderr: ${err:0:600})}"
}
want_ok() { want_rc 0 "$@"; }
want_fail() { # non-zero exit
  [[ $rc != 0 ]] || fail "${1:-command} succeeded, want a failure"
}
want_out() { # ERE [what]: some line of stdout matches
  grep -qE -- "$1" <<<"$out" || fail "${2:-stdout} does not match /$1/: '${out:0:600}'"
}
want_no_out() { # ERE [what]: no line of stdout matches
  ! grep -qE -- "$1" <<<"$out" || fail "${2:-stdout} matches /$1/: '${out:0:600}'"
}
want_err() { # ERE [what]: stderr matches (case-insensitive)
  grep -qiE -- "$1" <<<"$err" || fail "${2:-stderr} does not match /$1/: '${err:0:600}'"
}
want_eq() { # GOT WANT WHAT
  [[ $1 == "$2" ]] || fail "$3: got '$1', want '$2'"
}

# wait_for SECONDS CMD...: polls CMD every 0.1 s until it succeeds; fails the scenario on timeout.
wait_for() {
  local secs=$1; shift
  local deadline=$((${EPOCHREALTIME/./} + secs * 1000000))
  until "$@" >/dev/null 2>&1; do
    ((${EPOCHREALTIME/./} < deadline)) || fail "timed out after ${secs}s waiting for: $*"
    sleep 0.1
  done
}

# netns_of PID: the network namespace's inode link, e.g. net:[4026531840].
netns_of() { readlink "/proc/$1/ns/net"; }

# host_cgroup_file PID FILE_V1 FILE_V2: path of a memory controller file for the cgroup of PID
# (cgroup v1 memory hierarchy if mounted, else the v2 unified one).
memory_cgroup_file() {
  local pid=$1 path
  path=$(awk -F: '$2 == "memory" { print $3 }' "/proc/$pid/cgroup")
  if [[ -n $path && -d /sys/fs/cgroup/memory ]]; then
    echo "/sys/fs/cgroup/memory$path/memory.limit_in_bytes"
  else
    path=$(awk -F: '$1 == "0" { print $3 }' "/proc/$pid/cgroup")
    echo "/sys/fs/cgroup$path/memory.max"
  fi
}

# read_counter FILE: the number a paused/resumed loop last wrote (empty if none yet).
read_counter() { tail -n1 "$1" 2>/dev/null; }

# A shell loop that keeps writing an increasing counter to /c/n (a host directory bind-mounted).
COUNTER_LOOP='i=0; while :; do i=$((i+1)); echo $i > /c/n.tmp; mv /c/n.tmp /c/n; sleep 0.05; done'
# A process 1 that exits 42 on SIGTERM (a bare pid 1 ignores signals it has no handler for).
TERM_42='trap "exit 42" TERM; while :; do sleep 0.1; done'

# Prints the terminal size once the client has set it (it resizes the pty after start: racy).
# (busybox stty size can exit 0 with no output on a 0x0 terminal.)
TTY_SIZE='for i in $(seq 30); do s=$(stty size 2>/dev/null); case "$s" in [1-9]*" "[1-9]*) break;; esac; sleep 0.1; done; echo "$s"'

# counter_moves FILE: fails unless the counter in FILE changes within 3 s.
counter_moves() {
  local a b i
  a=$(read_counter "$1")
  for ((i = 0; i < 30; i++)); do
    sleep 0.1
    b=$(read_counter "$1")
    [[ -n $b && $b != "$a" ]] && return 0
  done
  fail "counter in $1 did not move in 3 s (stays at '$a')"
}

# counter_frozen FILE: fails if the counter in FILE changes within 0.6 s.
counter_frozen() {
  local a b
  a=$(read_counter "$1"); sleep 0.6; b=$(read_counter "$1")
  [[ $a == "$b" ]] || fail "counter in $1 moved while paused ($a → $b)"
}

# scratch_dir NAME: a fresh host directory for this scenario (bind mounts, counters).
scratch_dir() {
  local d=$RTC_SCRATCH/$RTC_CLIENT-$1
  rm -rf "$d"; mkdir -p "$d"; echo "$d"
}
