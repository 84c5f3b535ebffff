# podman 4.3 + conmon scenarios (CRI-O's path to the runtime: conmon runs create/start/exec and
# podman runs kill/delete/pause/resume). Private storage, run root, tmp dir and config under
# $RTC_T/pm; CONTAINERS_CONF replaces the host's containers.conf; every container's cgroup (and
# conmon's) lives under /$RTC_NS.

PM_DIR=$RTC_T/pm
# runroot is short on purpose: conmon's attach socket path must fit in sun_path (≤ 108 bytes).
PM=(podman --root "$PM_DIR/root" --runroot "$PM_DIR/run" --tmpdir "$PM_DIR/tmp" --runtime "$RTC_BIN")
PM_CG=(--cgroup-parent "/$RTC_NS")
IMG=$RTC_IMAGE
export CONTAINERS_CONF=$PM_DIR/containers.conf
export CONTAINERS_STORAGE_CONF=$PM_DIR/storage.conf
export CONTAINERS_REGISTRIES_CONF=$PM_DIR/registries.conf

PM_SCENARIOS=(
  run_rm exit_code tty stdin env_user_workdir read_only memory volume net_none net_host init
  bad_command detach_logs
  exec exec_exit_code exec_tty exec_user_workdir exec_detach top stats
  pause_unpause stop_exit_code stop_timeout_kill kill start restart rm wait create_start_attach
  parallel4
)

pm_setup() {
  mkdir -p "$PM_DIR"/{root,run,tmp,copytmp}
  if ((${#PM_DIR} + 4 > 50)); then echo "podman runroot $PM_DIR/run is longer than 50 characters"; return 1; fi
  cat > "$PM_DIR/containers.conf" <<EOF
[containers]
# No CAP_SYS_RESOURCE here: podman's default nofile/nproc (1048576/4194304) exceed the hard limits.
default_ulimits = ["nofile=1024:1024", "nproc=4096:4096"]
netns = "none"
log_driver = "k8s-file"
init_path = "/usr/bin/catatonit"
[engine]
cgroup_manager = "cgroupfs"
conmon_env_vars = ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "RTC_MARK=$RTC_MARK"]
events_logger = "file"
lock_type = "file"
image_copy_tmp_dir = "$PM_DIR/copytmp"
# Without our basename here podman does not pass --log-format=json.
runtime_supports_json = ["crun", "runc", "runtime", "$(basename "$RTC_BIN")"]
EOF
  cat > "$PM_DIR/storage.conf" <<EOF
[storage]
driver = "overlay"
runroot = "$PM_DIR/run"
graphroot = "$PM_DIR/root"
EOF
  : > "$PM_DIR/registries.conf"
  "${PM[@]}" load -q -i "$RTC_IMAGE_TAR" >/dev/null || return 1
}

pm_reap() {
  # Remember every container ID: the leftover check looks for their runtime state.
  "${PM[@]}" ps -aq --no-trunc >>"$PM_DIR/ids" 2>/dev/null
  local id
  for id in $("${PM[@]}" ps -q --no-trunc --filter status=paused 2>/dev/null); do
    timeout 10 "${PM[@]}" unpause "$id" >/dev/null 2>&1
  done
  timeout 30 "${PM[@]}" rm -af -t 0 >/dev/null 2>&1
}

pm_teardown() {
  [[ -d $PM_DIR ]] || return 0
  pm_reap
  local p
  for p in $(pgrep -f -- "conmon .*$PM_DIR/"); do stop_pid "$p"; done
}

pm_leftovers() {
  local left id
  left=$("${PM[@]}" ps -aq 2>&1); [[ -z $left ]] || echo "containers: $left"
  left=$(pgrep -af -- "conmon .*$PM_DIR/"); [[ -z $left ]] || echo "conmon: $left"
  left=$(awk -v p="$PM_DIR/" 'index($5, p) == 1 { print $5 }' /proc/self/mountinfo | grep -v '/overlay$'); [[ -z $left ]] || echo "mounts: $left"
  # The runtime's default state root (podman passes no --root): nothing left for our IDs.
  if [[ -s $PM_DIR/ids ]]; then
    left=$("$RTC_REAL" list 2>/dev/null | grep -oFf <(sort -u "$PM_DIR/ids")); [[ -z $left ]] || echo "runtime state: $left"
  fi
}

# --- scenarios -------------------------------------------------------------------------------

pm_run_rm() {
  run "${PM[@]}" run --rm "${PM_CG[@]}" --name rm1 "$IMG" echo hello-from-podman
  want_ok; want_eq "$out" hello-from-podman "output"
  run "${PM[@]}" ps -a --format '{{.Names}}'
  want_no_out '^rm1$' "containers after --rm"
}

pm_exit_code() {
  run "${PM[@]}" run --rm "${PM_CG[@]}" "$IMG" sh -c 'exit 7'
  want_rc 7 "podman run of 'exit 7'"
}

pm_tty() {
  in_tty "${PM[@]}" run --rm -it "${PM_CG[@]}" "$IMG" sh -c "tty; [ -t 0 ] && [ -t 1 ] && echo stdio-is-tty; $TTY_SIZE"
  want_ok; want_out '^/dev/pts/[0-9]+$' "tty"; want_out '^stdio-is-tty$'; want_out '^24 80$' "stty size (the console size conmon set)"
}

pm_stdin() {
  run_in $'line one\nline two\n' "${PM[@]}" run --rm -i "${PM_CG[@]}" "$IMG" sh -c 'cat; echo eof'
  want_ok; want_eq "$out" $'line one\nline two\neof' "echoed stdin"
}

pm_env_user_workdir() {
  run "${PM[@]}" run --rm "${PM_CG[@]}" -e FOO=bar -u 65534:65534 -w /tmp "$IMG" sh -c 'echo "$FOO $(id -u):$(id -g) $(pwd)"'
  want_ok; want_eq "$out" "bar 65534:65534 /tmp" "env, user and workdir"
}

pm_read_only() {
  run "${PM[@]}" run --rm "${PM_CG[@]}" --read-only "$IMG" sh -c 'touch /x 2>&1; echo rc=$?; touch /tmp/x && echo tmp-ok'
  want_ok; want_out 'Read-only file system' "touch /x"; want_out '^rc=1$'; want_out '^tmp-ok$' "write to podman's /tmp tmpfs"
}

pm_memory() {
  run "${PM[@]}" run -d "${PM_CG[@]}" --name mem1 --memory 64m "$IMG" sleep 300
  want_ok
  run "${PM[@]}" inspect -f '{{.State.Pid}}' mem1
  want_ok
  local f; f=$(memory_cgroup_file "$out")
  want_eq "$(cat "$f" 2>&1)" 67108864 "$f"
}

pm_volume() {
  local d; d=$(scratch_dir vol)
  echo from-host >"$d/in"
  run "${PM[@]}" run --rm "${PM_CG[@]}" -v "$d:/data" "$IMG" sh -c 'cat /data/in; echo from-container > /data/out'
  want_ok; want_eq "$out" from-host "file read through the volume"
  want_eq "$(cat "$d/out" 2>/dev/null)" from-container "file written through the volume"
  run "${PM[@]}" run --rm "${PM_CG[@]}" -v "$d:/data:ro" "$IMG" sh -c 'echo x > /data/y'
  want_fail "write to a read-only volume"
}

pm_net_none() {
  run "${PM[@]}" run --rm "${PM_CG[@]}" --network none "$IMG" sh -c 'readlink /proc/self/ns/net; ls /sys/class/net'
  want_ok
  [[ $(head -n1 <<<"$out") != "$(netns_of $$)" ]] || fail "--network none shares the host network namespace"
  want_eq "$(tail -n +2 <<<"$out")" lo "interfaces with --network none"
}

pm_net_host() {
  run "${PM[@]}" run --rm "${PM_CG[@]}" --network host "$IMG" readlink /proc/self/ns/net
  want_ok; want_eq "$out" "$(netns_of $$)" "netns with --network host"
}

pm_init() {
  run "${PM[@]}" run --rm "${PM_CG[@]}" --init "$IMG" sh -c 'cat /proc/1/cmdline | tr "\0" " "; echo; echo "pid $$"'
  # podman bind-mounts its init (catatonit) at /run/podman-init.
  want_ok; want_out '^/run/podman-init -- sh -c' "pid 1 with --init"; want_no_out '^pid 1$' "the command's pid"
}

pm_bad_command() {
  run "${PM[@]}" run --rm "${PM_CG[@]}" "$IMG" /nonexistent
  # podman turns the runtime's "no such file or directory" / "not found" into 127.
  want_rc 127 "podman run of /nonexistent"; want_err '/nonexistent' "podman's error"
}

pm_detach_logs() {
  run "${PM[@]}" run -d "${PM_CG[@]}" --name dl1 "$IMG" sh -c 'echo hello-logs; echo to-stderr >&2; sleep 300'
  want_ok
  wait_for 5 eval '"${PM[@]}" logs dl1 2>&1 | grep -q to-stderr'
  run "${PM[@]}" logs dl1
  want_ok; want_out '^hello-logs$' "podman logs"
}

pm_base() { # NAME: a long-running container for the exec scenarios
  run "${PM[@]}" run -d "${PM_CG[@]}" --name "$1" "$IMG" sleep 300
  want_ok "podman run -d"
}

pm_exec() {
  pm_base ex1
  run "${PM[@]}" exec ex1 sh -c 'echo exec-out; echo exec-err >&2'
  want_ok; want_eq "$out" exec-out "exec stdout"; want_err '^exec-err$' "exec stderr"
  run_in $'to exec\n' "${PM[@]}" exec -i ex1 cat
  want_ok; want_eq "$out" "to exec" "exec stdin"
}

pm_exec_exit_code() {
  pm_base ex2
  run "${PM[@]}" exec ex2 sh -c 'exit 3'
  want_rc 3 "exec of 'exit 3'"
  run "${PM[@]}" exec ex2 /nonexistent
  want_rc 127 "exec of /nonexistent"
}

pm_exec_tty() {
  pm_base ex3
  in_tty "${PM[@]}" exec -it ex3 sh -c 'tty; [ -t 0 ] && echo stdin-is-tty'
  want_ok; want_out '^/dev/pts/[0-9]+$' "tty"; want_out '^stdin-is-tty$'
}

pm_exec_user_workdir() {
  pm_base ex4
  run "${PM[@]}" exec -u 65534 -w /tmp -e BAR=baz ex4 sh -c 'echo "$(id -u) $(pwd) $BAR"'
  want_ok; want_eq "$out" "65534 /tmp baz" "uid, workdir and env of the exec"
}

pm_exec_detach() {
  pm_base ex5
  run "${PM[@]}" exec -d ex5 sh -c 'echo detached > /tmp/f; sleep 302'
  want_ok
  wait_for 5 eval '[[ $("${PM[@]}" exec ex5 cat /tmp/f 2>/dev/null) == detached ]]'
  run "${PM[@]}" top ex5 args
  want_out 'sleep 302' "the detached exec in podman top"
}

pm_top() {
  run "${PM[@]}" run -d "${PM_CG[@]}" --name top1 "$IMG" sh -c 'sleep 300 & wait'
  want_ok
  wait_for 5 eval '"${PM[@]}" top top1 args | grep -q "sleep 300"'
  run "${PM[@]}" top top1 pid args
  want_ok; want_out '^1 +sh -c' "pid 1 in podman top"; want_out 'sleep 300' "the child in podman top"
}

pm_stats() {
  run "${PM[@]}" run -d "${PM_CG[@]}" --name st1 --memory 64m "$IMG" sleep 300
  want_ok
  run "${PM[@]}" stats --no-stream --format '{{.Name}} {{.MemUsage}} {{.PIDs}}' st1
  want_ok; want_out '^st1 [0-9.]+[kMG]?B / 67\.11MB 1$' "name, memory usage / limit, pids"
}

pm_pause_unpause() {
  local d; d=$(scratch_dir pause)
  run "${PM[@]}" run -d "${PM_CG[@]}" --name pa1 -v "$d:/c" "$IMG" sh -c "$COUNTER_LOOP"
  want_ok
  counter_moves "$d/n"
  run "${PM[@]}" pause pa1
  want_ok
  run "${PM[@]}" inspect -f '{{.State.Status}}' pa1
  want_eq "$out" paused "status after pause"
  counter_frozen "$d/n"
  run "${PM[@]}" unpause pa1
  want_ok
  run "${PM[@]}" inspect -f '{{.State.Status}}' pa1
  want_eq "$out" running "status after unpause"
  counter_moves "$d/n"
}

pm_stop_exit_code() {
  run "${PM[@]}" run -d "${PM_CG[@]}" --name so1 "$IMG" sh -c "$TERM_42"
  want_ok
  run "${PM[@]}" stop -t 10 so1
  want_ok
  run "${PM[@]}" inspect -f '{{.State.Status}} {{.State.ExitCode}}' so1
  want_eq "$out" "exited 42" "state after stop (SIGTERM, trapped as exit 42)"
}

pm_stop_timeout_kill() {
  # A bare pid 1 ignores SIGTERM: stop must escalate to SIGKILL after the timeout.
  run "${PM[@]}" run -d "${PM_CG[@]}" --name sk1 "$IMG" sleep 300
  want_ok
  local t0=${EPOCHREALTIME/./}
  run "${PM[@]}" stop -t 1 sk1
  local ms=$(((${EPOCHREALTIME/./} - t0) / 1000))
  want_ok
  echo "  stop took ${ms} ms"
  ((ms >= 900 && ms < 8000)) || fail "stop -t 1 took $ms ms, want about 1 s"
  run "${PM[@]}" inspect -f '{{.State.Status}} {{.State.ExitCode}}' sk1
  want_eq "$out" "exited 137" "state after stop -t 1"
}

pm_kill() {
  run "${PM[@]}" run -d "${PM_CG[@]}" --name k1 "$IMG" sleep 300
  want_ok
  run "${PM[@]}" kill k1
  want_ok
  wait_for 5 eval '[[ $("${PM[@]}" inspect -f "{{.State.Status}}" k1) == exited ]]'
  run "${PM[@]}" inspect -f '{{.State.ExitCode}}' k1
  want_eq "$out" 137 "exit code after podman kill (SIGKILL)"
  run "${PM[@]}" run -d "${PM_CG[@]}" --name k2 "$IMG" sh -c 'trap "exit 10" USR1; while :; do sleep 0.1; done'
  want_ok
  run "${PM[@]}" kill -s USR1 k2
  want_ok
  wait_for 5 eval '[[ $("${PM[@]}" inspect -f "{{.State.Status}}" k2) == exited ]]'
  run "${PM[@]}" inspect -f '{{.State.ExitCode}}' k2
  want_eq "$out" 10 "exit code after kill -s USR1 (trapped as exit 10)"
}

pm_start() {
  run "${PM[@]}" create "${PM_CG[@]}" --name sta1 "$IMG" sh -c 'echo started'
  want_ok
  run "${PM[@]}" start sta1
  want_ok
  run "${PM[@]}" wait sta1
  want_eq "$out" 0 "exit code"
  run "${PM[@]}" start sta1
  want_ok
  run "${PM[@]}" wait sta1
  run "${PM[@]}" logs sta1
  want_eq "$out" $'started\nstarted' "logs after two starts"
}

pm_restart() {
  run "${PM[@]}" run -d "${PM_CG[@]}" --name rs1 "$IMG" sh -c "$TERM_42"
  want_ok
  run "${PM[@]}" inspect -f '{{.State.Pid}}' rs1
  local pid1=$out
  run "${PM[@]}" restart -t 5 rs1
  want_ok
  run "${PM[@]}" inspect -f '{{.State.Status}} {{.State.Pid}}' rs1
  want_out '^running [0-9]+$' "state after restart"
  [[ $out != "running $pid1" && $out != "running 0" ]] || fail "restart kept pid $pid1"
  kill -0 "$pid1" 2>/dev/null && [[ $(awk '{print $3}' /proc/$pid1/stat) != Z ]] && fail "old pid $pid1 still alive"
  return 0
}

pm_rm() {
  run "${PM[@]}" run -d "${PM_CG[@]}" --name rmf1 "$IMG" sleep 300
  want_ok
  run "${PM[@]}" inspect -f '{{.State.Pid}} {{.Id}}' rmf1
  local pid=${out%% *} id=${out#* }
  run "${PM[@]}" rm -f -t 0 rmf1
  want_ok
  run "${PM[@]}" ps -a --format '{{.Names}}'
  want_no_out '^rmf1$' "containers after rm -f"
  wait_for 5 eval '! kill -0 '"$pid"' 2>/dev/null || [[ $(awk "{print \$3}" /proc/'"$pid"'/stat) == Z ]]'
  "$RTC_REAL" list 2>/dev/null | grep -qF "$id" && fail "the runtime still lists $id"
  return 0
}

pm_wait() {
  run "${PM[@]}" run -d "${PM_CG[@]}" --name w1 "$IMG" sh -c 'sleep 0.5; exit 5'
  want_ok
  run "${PM[@]}" wait w1
  want_ok; want_eq "$out" 5 "podman wait"
}

pm_create_start_attach() {
  run "${PM[@]}" create "${PM_CG[@]}" --name csa1 "$IMG" sh -c 'echo attached; exit 4'
  want_ok
  run "${PM[@]}" start --attach csa1
  want_rc 4 "podman start --attach"; want_eq "$out" attached "attached output"
}

pm_parallel4() {
  local i pids=()
  for i in 1 2 3 4; do
    "${PM[@]}" run --rm "${PM_CG[@]}" "$IMG" sh -c "echo par-$i; sleep 0.3" </dev/null >"$RTC_SCRATCH/ppar$i.out" 2>&1 &
    pids+=($!)
  done
  local bad=0
  for i in 1 2 3 4; do
    wait "${pids[i - 1]}" || bad=1
    echo "par$i: $(cat "$RTC_SCRATCH/ppar$i.out")"
    [[ $(cat "$RTC_SCRATCH/ppar$i.out") == "par-$i" ]] || bad=1
  done
  ((bad == 0)) || fail "not all 4 parallel containers ran cleanly"
}
