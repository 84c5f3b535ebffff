#!/usr/bin/env bash
# Runs inside the pure cgroup v2 guest (see run.sh): real containers with the AOT binary only
# (a JIT dotnet is far too slow under emulation). Prints "N passed, M failed".
set -uo pipefail
cd "$(dirname "$0")/../.."
RT_BIN="$PWD/out/runtime"
# Every call bounded: a hang is one failed check, not a dead lane.
RT() { timeout 120 "$RT_BIN" "$@"; }
RT=RT
ROOT=$(mktemp -d /run/rt-cg2.XXXXXX)
WORK=$(mktemp -d /tmp/rt-cg2.XXXXXX)
ROOTFS="$PWD/bundles/busybox/rootfs"
passed=0 failed=0
trap 'for id in $("$RT" --root "$ROOT" list -q 2>/dev/null); do "$RT" --root "$ROOT" delete --force "$id"; done; rm -rf "$ROOT" "$WORK"' EXIT

bundle() { # name jq-filter: a bundle from the example config with the filter applied
  mkdir -p "$WORK/$1"
  jq --arg rootfs "$ROOTFS" ".root.path = \$rootfs | $2" bundles/busybox/config.json > "$WORK/$1/config.json"
  echo "$WORK/$1"
}
check() { # name expected actual
  if [[ $3 == *"$2"* ]]; then passed=$((passed + 1)); echo "ok   $1"
  else failed=$((failed + 1)); echo "FAIL $1: expected to contain [$2], got [$3]"; fi
}

[[ $(stat -fc %T /sys/fs/cgroup) == cgroup2fs ]] || { echo "not a cgroup v2 host"; echo "0 passed, 1 failed"; exit 1; }

out=$("$RT" --root "$ROOT" run --bundle "$(bundle hello '.')" hello 2>&1)
check "run the example bundle" "Hello from a busybox container: busybox, pid 1" "$out"

b=$(bundle cg '.process.args=["sh","-c","cat /proc/self/cgroup; grep cgroup2 /proc/mounts; touch /sys/fs/cgroup/x 2>&1"]')
out=$("$RT" --root "$ROOT" run --bundle "$b" cg 2>&1)
check "cgroup namespace: the container sees its cgroup as /" "0::/" "$out"
check "cgroup2 mounted inside" "cgroup2 /sys/fs/cgroup cgroup2 ro" "$out"
check "cgroup fs read-only inside (CVE-2023-25809)" "Read-only file system" "$out"

b=$(bundle life '.process.args=["sleep","60"]')
"$RT" --root "$ROOT" create --bundle "$b" life >/dev/null 2>&1
check "create -> created" '"status": "created"' "$("$RT" --root "$ROOT" state life 2>&1)"
"$RT" --root "$ROOT" start life
check "start -> running" '"status": "running"' "$("$RT" --root "$ROOT" state life 2>&1)"
check "exec into it" "exec-ok" "$("$RT" --root "$ROOT" exec life sh -c 'echo exec-ok' 2>&1)"
"$RT" --root "$ROOT" kill life KILL
for _ in $(seq 50); do "$RT" --root "$ROOT" state life 2>/dev/null | grep -q stopped && break; sleep 0.1; done
check "kill -> stopped" '"status": "stopped"' "$("$RT" --root "$ROOT" state life 2>&1)"
"$RT" --root "$ROOT" delete life
check "delete removes it" "container does not exist" "$("$RT" --root "$ROOT" state life 2>&1)"

# ---- resources, enforcement and the cgroup commands, read from the host side of cgroup2
CG=/sys/fs/cgroup/rt-cg2
b=$(bundle res '.process.args=["sleep","300"] | .linux.cgroupsPath="/rt-cg2/res" | .linux.resources={"memory":{"limit":67108864},"pids":{"limit":32},"cpu":{"shares":512,"quota":50000,"period":100000}}')
"$RT" --root "$ROOT" run -d --bundle "$b" res >/dev/null 2>&1
check "memory.limit -> memory.max" "67108864" "$(cat $CG/res/memory.max 2>&1)"
check "pids.limit -> pids.max" "32" "$(cat $CG/res/pids.max 2>&1)"
check "cpu.shares 512 -> cpu.weight 59 (newer runc mapping: 1024 shares = weight 100)" "59" "$(cat $CG/res/cpu.weight 2>&1)"
check "cpu quota/period -> cpu.max" "50000 100000" "$(cat $CG/res/cpu.max 2>&1)"
check "the container sees its limit" "67108864" "$("$RT" --root "$ROOT" exec res cat /sys/fs/cgroup/memory.max 2>&1)"
"$RT" --root "$ROOT" pause res
check "pause -> paused" '"status": "paused"' "$("$RT" --root "$ROOT" state res 2>&1)"
check "pause -> cgroup.freeze 1" "1" "$(cat $CG/res/cgroup.freeze 2>&1)"
"$RT" --root "$ROOT" resume res
check "resume -> running" '"status": "running"' "$("$RT" --root "$ROOT" state res 2>&1)"
"$RT" --root "$ROOT" update --memory 128m res
check "update --memory" "134217728" "$(cat $CG/res/memory.max 2>&1)"
echo '{"pids":{"limit":64}}' | "$RT" --root "$ROOT" update --resources - res
check "update --resources -" "64" "$(cat $CG/res/pids.max 2>&1)"
check "ps --format json lists the init" "$("$RT" --root "$ROOT" state res | jq .pid)" "$("$RT" --root "$ROOT" ps --format json res 2>&1)"
check "events --stats" '"type":"stats"' "$("$RT" --root "$ROOT" events --stats res 2>&1)"
"$RT" --root "$ROOT" exec -d res sleep 300
"$RT" --root "$ROOT" kill --all res KILL
for _ in $(seq 100); do "$RT" --root "$ROOT" state res 2>/dev/null | grep -q stopped && break; sleep 0.1; done
"$RT" --root "$ROOT" delete res
check "delete removes the cgroup" "gone" "$([[ -d $CG/res ]] && echo present || echo gone)"

b=$(bundle oom '.process.args=["sh","-c","head -c 80000000 /dev/zero | tail -c 80000000 >/dev/null; echo status=$?"] | .linux.cgroupsPath="/rt-cg2/oom" | .linux.resources={"memory":{"limit":33554432,"swap":33554432}}')
check "a memory hog is OOM-killed" "status=137" "$("$RT" --root "$ROOT" run --bundle "$b" oom 2>&1)"

b=$(bundle pids '.process.args=["sh","-c","(for i in $(seq 40); do sleep 5 & done; wait) 2>&1 | grep -c -i resource; cat /sys/fs/cgroup/pids.events"] | .linux.cgroupsPath="/rt-cg2/pids" | .linux.resources={"pids":{"limit":10}}')
check "a fork storm stops at pids.max" "max " "$("$RT" --root "$ROOT" run --bundle "$b" pids 2>&1)"

b=$(bundle dev '.process.args=["sh","-c","mknod /dev/loopx b 7 0 && head -c1 /dev/loopx; echo rc=$?; head -c1 /dev/zero | wc -c"]')
out=$("$RT" --root "$ROOT" run --bundle "$b" dev 2>&1)
check "eBPF device filter: an unlisted device cannot be opened" "Operation not permitted" "$out"
check "eBPF device filter: default devices work" "1" "$out"
rmdir $CG 2>/dev/null

echo
echo "$passed passed, $failed failed"
((failed == 0))
