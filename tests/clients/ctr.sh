# containerd 1.6 (ctr + io.containerd.runc.v2 shim) scenarios. A private containerd per harness run:
# its own config, root, state, sockets and TMPDIR under $RTC_T/ctd, namespace $RTC_NS (which is
# also the parent cgroup of every container). `ctr run` points the runc shim at the runtime under
# test with --runc-binary/--runc-root; `ctr container create` has no such flags, so containerd's
# PATH starts with a `runc` that is the runtime under test.

CTD=$RTC_T/ctd
CTD_SOCK=$CTD/containerd.sock
CTR=(ctr --address "$CTD_SOCK" --namespace "$RTC_NS")
# --fifo-dir: ctr's stdio fifos stay under $CTD instead of /run/containerd/fifo.
CTR_RUN=("${CTR[@]}" run --fifo-dir "$CTD/fifo" --runc-binary "$RTC_BIN" --runc-root "$CTD/runc-root")
CTR_EXEC=("${CTR[@]}" task exec --fifo-dir "$CTD/fifo")
IMG=$RTC_IMAGE

CTR_SCENARIOS=(
  run_rm exit_code tty stdin env_cwd read_only net_fresh net_host with_ns bind_mount
  memory_metrics bad_command create_start
  exec exec_exit_code exec_tty exec_user_cwd exec_detach_kill task_ps
  pause_resume kill_term kill_all parallel4
)

ctr_setup() {
  mkdir -p "$CTD"/{tmp,path,root,state,fifo}
  ln -sf "$RTC_BIN" "$CTD/path/runc"
  cat > "$CTD/config.toml" <<EOF
version = 2
root = "$CTD/root"
state = "$CTD/state"
# Only what ctr needs: no CRI, no snapshotters that probe the host, no tracing.
disabled_plugins = ["io.containerd.grpc.v1.cri", "io.containerd.snapshotter.v1.btrfs",
  "io.containerd.snapshotter.v1.zfs", "io.containerd.snapshotter.v1.devmapper",
  "io.containerd.snapshotter.v1.aufs", "io.containerd.tracing.processor.v1.otlp",
  "io.containerd.internal.v1.tracing"]
[grpc]
  address = "$CTD_SOCK"
[ttrpc]
  address = "$CTD_SOCK.ttrpc"
[debug]
  address = ""
[metrics]
  address = ""
EOF
  # TMPDIR: the shim's exec process files (runc-process*) land here, not in /tmp.
  PATH=$CTD/path:$PATH TMPDIR=$CTD/tmp containerd --config "$CTD/config.toml" >"$CTD/containerd.log" 2>&1 &
  echo $! >"$CTD/pid"
  local i
  for ((i = 0; i < 100; i++)); do
    "${CTR[@]}" version >/dev/null 2>&1 && break
    kill -0 "$(<"$CTD/pid")" 2>/dev/null || { echo "containerd died:"; tail -n 20 "$CTD/containerd.log"; return 1; }
    sleep 0.1
  done
  "${CTR[@]}" version >/dev/null || { echo "containerd did not come up"; tail -n 20 "$CTD/containerd.log"; return 1; }
  "${CTR[@]}" image import "$RTC_IMAGE_TAR" >/dev/null || return 1
}

# Removes every task and container of the namespace, whatever state a failed scenario left.
ctr_reap() {
  local id
  # Remember every container ID: the leftover check looks for their shim sockets.
  "${CTR[@]}" container ls -q >>"$CTD/ids" 2>/dev/null
  for id in $("${CTR[@]}" task ls -q 2>/dev/null); do
    "${CTR[@]}" task resume "$id" >/dev/null 2>&1
    "${CTR[@]}" task kill --all -s KILL "$id" >/dev/null 2>&1
  done
  for id in $("${CTR[@]}" task ls -q 2>/dev/null); do
    timeout 10 "${CTR[@]}" task rm -f "$id" >/dev/null 2>&1
  done
  for id in $("${CTR[@]}" container ls -q 2>/dev/null); do
    timeout 10 "${CTR[@]}" container rm "$id" >/dev/null 2>&1
  done
}

ctr_teardown() {
  [[ -f $CTD/pid ]] || return 0
  ctr_reap
  local pid; pid=$(<"$CTD/pid")
  stop_pid "$pid"
  # Shims outlive containerd by design; ours are the ones that name our socket.
  local shim
  for shim in $(pgrep -f -- "-address $CTD_SOCK"); do stop_pid "$shim"; done
  rm -f "$CTD/pid"
}

# What a run must not leave: tasks, containers, shims, mounts, runtime state.
ctr_leftovers() {
  local left
  left=$("${CTR[@]}" task ls -q 2>&1); [[ -z $left ]] || echo "tasks: $left"
  left=$("${CTR[@]}" container ls -q 2>&1); [[ -z $left ]] || echo "containers: $left"
  left=$(pgrep -af -- "-address $CTD_SOCK"); [[ -z $left ]] || echo "shims: $left"
  left=$(awk -v p="$CTD/" 'index($5, p) == 1 { print $5 }' /proc/self/mountinfo); [[ -z $left ]] || echo "mounts: $left"
  left=$(find "$CTD/runc-root/$RTC_NS" "/run/containerd/runc/$RTC_NS" -mindepth 1 -maxdepth 1 2>/dev/null); [[ -z $left ]] || echo "runtime state: $left"
  left=$(ls "$CTD/tmp"); [[ -z $left ]] || echo "shim temp files: $left"
  left=$("${CTR[@]}" snapshot ls | awk '$NF == "Active" { print $1 }'); [[ -z $left ]] || echo "active snapshots: $left"
  # containerd 1.6 names a shim's socket /run/containerd/s/sha256(<grpc address>/<ns>/<id>).
  local id sock
  for id in $( ("${CTR[@]}" container ls -q; cat "$CTD/ids") 2>/dev/null | sort -u); do
    sock=/run/containerd/s/$(printf '%s' "$CTD_SOCK/$RTC_NS/$id" | sha256sum | cut -d' ' -f1)
    [[ -e $sock ]] && echo "shim socket of $id: $sock"
  done
}

# --- scenarios -------------------------------------------------------------------------------

ctr_run_rm() {
  run "${CTR_RUN[@]}" --rm "$IMG" rm1 echo hello-from-ctr
  want_ok; want_eq "$out" hello-from-ctr "output"
  run "${CTR[@]}" container ls -q
  want_no_out '^rm1$' "containers after --rm"
}

ctr_exit_code() {
  run "${CTR_RUN[@]}" --rm "$IMG" ec1 sh -c 'exit 7'
  want_rc 7 "ctr run of 'exit 7'"
}

ctr_tty() {
  in_tty "${CTR_RUN[@]}" --rm -t "$IMG" tty1 sh -c "tty; [ -t 0 ] && [ -t 1 ] && echo stdio-is-tty; $TTY_SIZE"
  want_ok; want_out '^/dev/pts/[0-9]+$' "tty"; want_out '^stdio-is-tty$'; want_out '^24 80$' "stty size (the console size ctr set)"
}

ctr_stdin() {
  # ctr run (unlike ctr task exec) does not close the task's stdin at EOF: read a known amount.
  run_in $'line one\nline two\n' "${CTR_RUN[@]}" --rm "$IMG" in1 sh -c 'read a; read b; echo "$b|$a"'
  want_ok; want_eq "$out" "line two|line one" "lines read from stdin"
}

ctr_env_cwd() {
  run "${CTR_RUN[@]}" --rm --env FOO=bar --env 'SPACED=a b' --cwd /tmp "$IMG" env1 sh -c 'echo "$FOO|$SPACED|$(pwd)|$PATH"'
  want_ok; want_eq "$out" "bar|a b|/tmp|/usr/sbin:/usr/bin:/sbin:/bin" "env, cwd and the image's PATH"
}

ctr_read_only() {
  run "${CTR_RUN[@]}" --rm --read-only "$IMG" ro1 sh -c 'touch /x 2>&1; echo rc=$?; grep " / " /proc/mounts'
  want_ok; want_out 'Read-only file system' "touch /x"; want_out '^rc=1$'; want_out ' / [^ ]+ ro[, ]' "root mount options"
}

ctr_net_fresh() {
  run "${CTR_RUN[@]}" --rm "$IMG" net1 sh -c 'readlink /proc/self/ns/net; ls /sys/class/net'
  want_ok
  [[ $(head -n1 <<<"$out") =~ ^net:\[[0-9]+\]$ ]] || fail "no netns link in output"
  [[ $(head -n1 <<<"$out") != "$(netns_of $$)" ]] || fail "container shares the host network namespace"
  want_eq "$(tail -n +2 <<<"$out")" lo "interfaces in a fresh netns"
}

ctr_net_host() {
  run "${CTR_RUN[@]}" --rm --net-host "$IMG" net2 readlink /proc/self/ns/net
  want_ok; want_eq "$out" "$(netns_of $$)" "netns with --net-host"
}

ctr_with_ns() {
  unshare --net sleep 60 &
  local holder=$!
  wait_for 5 eval '[[ $(netns_of $holder) != $(netns_of $$) ]]'
  run "${CTR_RUN[@]}" --rm --with-ns "network:/proc/$holder/ns/net" "$IMG" net3 readlink /proc/self/ns/net
  local want; want=$(netns_of $holder)
  kill $holder
  want_ok; want_eq "$out" "$want" "netns with --with-ns network:/proc/$holder/ns/net"
}

ctr_bind_mount() {
  local d; d=$(scratch_dir bind)
  echo from-host >"$d/in"
  run "${CTR_RUN[@]}" --rm --mount "type=bind,src=$d,dst=/data,options=rbind:rw" "$IMG" bind1 sh -c 'cat /data/in; echo from-container > /data/out'
  want_ok; want_eq "$out" from-host "file read through the bind mount"
  want_eq "$(cat "$d/out" 2>/dev/null)" from-container "file written through the bind mount"
  run "${CTR_RUN[@]}" --rm --mount "type=bind,src=$d,dst=/data,options=rbind:ro" "$IMG" bind2 sh -c 'echo x > /data/y'
  want_fail "write to a read-only bind mount"
}

ctr_memory_metrics() {
  run "${CTR_RUN[@]}" -d --memory-limit 67108864 "$IMG" mem1 sleep 300
  want_ok
  run "${CTR[@]}" task metrics mem1
  want_ok; want_out '^memory\.(limit_in_bytes|max|usage_limit) +67108864 *$' "memory limit in ctr task metrics"
}

ctr_bad_command() {
  run "${CTR_RUN[@]}" --rm "$IMG" bad1 /nonexistent
  want_fail "ctr run of /nonexistent"
  # containerd shows the runtime's own error: the last "error" line of the --log JSON file.
  want_err 'OCI runtime create failed' "containerd's error"
  want_err '/nonexistent' "the runtime's message naming the missing command"
  want_err 'no such file or directory' "the runtime's message naming the cause"
}

ctr_create_start() {
  # No --runc-binary here: the shim finds `runc` on containerd's PATH (our runtime) and uses
  # its default root /run/containerd/runc/<namespace>.
  run "${CTR[@]}" container create "$IMG" cs1 -- sh -c 'echo created-then-started; exit 3'
  want_ok
  run "${CTR[@]}" task start --fifo-dir "$CTD/fifo" cs1
  want_rc 3 "ctr task start"; want_out '^created-then-started$'
  grep -q "> .* create .*cs1" "$RTC_CALLS" || fail "the runtime under test was not called for create (PATH lookup)"
  # task start deletes the task when it ends; the runtime's state for it must be gone too.
  [[ ! -e /run/containerd/runc/$RTC_NS/cs1 ]] || fail "runtime state /run/containerd/runc/$RTC_NS/cs1 left after the task ended"
  run "${CTR[@]}" container rm cs1
  want_ok
}

# A long-running container for the exec scenarios.
ctr_base() {
  run "${CTR_RUN[@]}" -d "$IMG" "$1" sleep 300
  want_ok "ctr run -d"
}

ctr_exec() {
  ctr_base ex1
  run "${CTR_EXEC[@]}" --exec-id e1 ex1 sh -c 'echo exec-out; echo exec-err >&2'
  want_ok; want_eq "$out" exec-out "exec stdout"; want_err '^exec-err$' "exec stderr"
  run_in $'to exec\n' "${CTR_EXEC[@]}" --exec-id e2 ex1 cat
  want_ok; want_eq "$out" "to exec" "exec stdin"
}

ctr_exec_exit_code() {
  ctr_base ex2
  run "${CTR_EXEC[@]}" --exec-id e1 ex2 sh -c 'exit 3'
  want_rc 3 "exec of 'exit 3'"
  run "${CTR_EXEC[@]}" --exec-id e2 ex2 /nonexistent
  want_fail "exec of /nonexistent"; want_err '/nonexistent' "containerd's error"
}

ctr_exec_tty() {
  ctr_base ex3
  in_tty "${CTR_EXEC[@]}" -t --exec-id e1 ex3 sh -c 'tty; [ -t 0 ] && echo stdin-is-tty'
  want_ok; want_out '^/dev/pts/[0-9]+$' "tty"; want_out '^stdin-is-tty$'
}

ctr_exec_user_cwd() {
  ctr_base ex4
  run "${CTR_EXEC[@]}" --exec-id e1 --user 65534 --cwd /tmp ex4 sh -c 'echo "$(id -u) $(pwd)"'
  want_ok; want_eq "$out" "65534 /tmp" "uid and cwd of the exec"
}

ctr_exec_detach_kill() {
  ctr_base ex5
  run "${CTR_EXEC[@]}" -d --exec-id bg ex5 sleep 301
  want_ok
  run "${CTR[@]}" task ps ex5
  want_ok
  (($(grep -cE '^[0-9]+ ' <<<"$out") == 2)) || fail "want 2 processes after a detached exec, ps says: $out"
  run "${CTR[@]}" task kill --exec-id bg -s KILL ex5
  want_ok
  wait_for 5 eval '(($("${CTR[@]}" task ps ex5 | grep -cE "^[0-9]+ ") == 1))'
  run "${CTR[@]}" task ls
  want_out '^ex5 +[0-9]+ +RUNNING' "the container after its exec was killed"
}

ctr_task_ps() {
  run "${CTR_RUN[@]}" -d "$IMG" ps1 sh -c 'sleep 300 & sleep 301 & wait'
  want_ok
  run "${CTR[@]}" task ls
  local init; init=$(awk '$1 == "ps1" { print $2 }' <<<"$out")
  wait_for 5 eval '(($("${CTR[@]}" task ps ps1 | grep -cE "^[0-9]+ ") == 3))'
  run "${CTR[@]}" task ps ps1
  want_ok; want_out "^$init " "the init pid $init in task ps"
  local pid
  for pid in $(awk 'NR > 1 { print $1 }' <<<"$out"); do
    grep -q "^sleep\|^sh" "/proc/$pid/comm" || fail "pid $pid from task ps is not a container process ($(cat /proc/$pid/comm 2>&1))"
  done
}

ctr_pause_resume() {
  local d; d=$(scratch_dir pause)
  run "${CTR_RUN[@]}" -d --mount "type=bind,src=$d,dst=/c,options=rbind:rw" "$IMG" pr1 sh -c "$COUNTER_LOOP"
  want_ok
  counter_moves "$d/n"
  run "${CTR[@]}" task pause pr1
  want_ok
  run "${CTR[@]}" task ls
  want_out '^pr1 +[0-9]+ +PAUSED' "status after pause"
  counter_frozen "$d/n"
  run "${CTR[@]}" task resume pr1
  want_ok
  run "${CTR[@]}" task ls
  want_out '^pr1 +[0-9]+ +RUNNING' "status after resume"
  counter_moves "$d/n"
}

ctr_kill_term() {
  "${CTR_RUN[@]}" --rm "$IMG" kt1 sh -c "$TERM_42" </dev/null >/dev/null 2>&1 &
  local fg=$!
  wait_for 10 eval '"${CTR[@]}" task ls | grep -qE "^kt1 +[0-9]+ +RUNNING"'
  run "${CTR[@]}" task kill kt1
  want_ok
  wait $fg
  local code=$?
  want_eq "$code" 42 "exit code of ctr run after task kill (SIGTERM, trapped as exit 42)"
}

ctr_kill_all() {
  run "${CTR_RUN[@]}" -d "$IMG" ka1 sh -c 'trap "" TERM; sleep 300 & sleep 301 & wait'
  want_ok
  wait_for 5 eval '(($("${CTR[@]}" task ps ka1 | grep -cE "^[0-9]+ ") == 3))'
  local pids; pids=$("${CTR[@]}" task ps ka1 | awk 'NR > 1 { print $1 }')
  run "${CTR[@]}" task kill --all -s KILL ka1
  want_ok
  wait_for 5 eval '"${CTR[@]}" task ls | grep -qE "^ka1 +[0-9]+ +STOPPED"'
  local pid
  for pid in $pids; do
    [[ $(awk '{ print $3 }' "/proc/$pid/stat" 2>/dev/null) =~ ^(|Z)$ ]] || fail "pid $pid still alive after kill --all"
  done
}

ctr_parallel4() {
  local i pids=()
  for i in 1 2 3 4; do
    "${CTR_RUN[@]}" --rm "$IMG" par$i sh -c "echo par-$i; sleep 0.3" </dev/null >"$RTC_SCRATCH/par$i.out" 2>&1 &
    pids+=($!)
  done
  local bad=0
  for i in 1 2 3 4; do
    wait "${pids[i - 1]}" || bad=1
    echo "par$i: $(cat "$RTC_SCRATCH/par$i.out")"
    [[ $(cat "$RTC_SCRATCH/par$i.out") == "par-$i" ]] || bad=1
  done
  ((bad == 0)) || fail "not all 4 parallel containers ran cleanly"
}
