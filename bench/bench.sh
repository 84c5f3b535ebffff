#!/usr/bin/env bash
# `make bench`: our runtime vs runc vs crun (see docs/benchmarks.md).
#   bash bench/bench.sh            measure on the host (runtime, runc) and in a private mount namespace
#                                  with a v1-only /sys/fs/cgroup (runtime, runc, crun), then write
#                                  bench/results/results.md and results.png
#   bash bench/bench.sh profile    our per-stage timings (--debug logs, strace landmarks)
# Settings: BENCH_RUNS (30) BENCH_WARMUP (3) BENCH_BATCH_RUNS (3) BENCH_BATCH_SIZE (100)
#           BENCH_CGROUP_LIMITS (1) BENCH_RESULTS (bench/results)
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
mode=${1:-measure}
[[ $(id -u) == 0 ]] || { echo "bench: run as root (it starts real containers)" >&2; exit 1; }

# What a fresh Debian 12 machine (after the README's setup) may still lack.
need=()
for pkg in runc crun gcc strace util-linux busybox-static fonts-dejavu-core; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || need+=("$pkg")
done
if ((${#need[@]})); then
  echo "bench: installing ${need[*]}" >&2
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}"
fi

[[ -x out/runtime && -x bundles/busybox/rootfs/bin/busybox ]] || make build bundles
work=$(mktemp -d /run/rtbench.XXXXXX)
if ! dotnet build bench/Runtime.Bench -c Release -nologo -v:q > "$work/build.log" 2>&1; then
  cat "$work/build.log" >&2; rm -rf "$work"; exit 1
fi
bench=$repo/bench/Runtime.Bench/bin/Release/net10.0/runtime-bench
runtimes=(--runtime "runtime=$repo/out/runtime" --runtime runc=/usr/sbin/runc --runtime crun=/usr/bin/crun)

cleanup() {
  # The harness cleans up after itself, even on failure; this catches a harness that was killed.
  "$repo/bench/v1-cgroup-ns.sh" "$bench" cleanup --spawnd "$work/spawnd" --work "$work" "${runtimes[@]}" || true
  rm -rf "$work"
}
trap cleanup EXIT
gcc -O2 -Wall -Wextra -Werror -o "$work/spawnd" bench/spawnd.c

if [[ $mode == profile ]]; then
  "$bench" profile --spawnd "$work/spawnd" --runtime out/runtime --rootfs bundles/busybox/rootfs --work "$work" --runs "${BENCH_RUNS:-5}"
  exit
fi
[[ $mode == measure ]] || { echo "usage: bench.sh [measure|profile]" >&2; exit 2; }

results=${BENCH_RESULTS:-bench/results}
mkdir -p "$results"
"$bench" measure --spawnd "$work/spawnd" --env host --work "$work" --out "$work/host.json" \
  --description "host mount namespace, hybrid cgroups (v1 + cgroup2 at /sys/fs/cgroup/unified)" \
  --rootfs bundles/busybox/rootfs "${runtimes[@]:0:4}"
# crun refuses the hybrid layout: everyone again, in a private mount namespace whose /sys/fs/cgroup
# holds only the v1 hierarchies. The host's mounts are not touched.
bench/v1-cgroup-ns.sh "$bench" measure --spawnd "$work/spawnd" --env v1ns --work "$work" --out "$work/v1ns.json" \
  --description "private mount namespace, /sys/fs/cgroup = tmpfs with only the v1 hierarchies" \
  --rootfs bundles/busybox/rootfs "${runtimes[@]}"
cp "$work/host.json" "$work/v1ns.json" "$results/"
"$bench" report --out-dir "$results" "$work/v1ns.json" "$work/host.json"
