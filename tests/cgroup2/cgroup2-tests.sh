#!/usr/bin/env bash
# Runs inside the pure cgroup v2 guest (see run.sh): real containers with the AOT binary only
# (a JIT dotnet is far too slow under emulation). Prints "N passed, M failed".
set -uo pipefail
cd "$(dirname "$0")/../.."
RT="$PWD/out/runtime"
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

echo
echo "$passed passed, $failed failed"
((failed == 0))
