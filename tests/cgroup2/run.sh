#!/usr/bin/env bash
# `make test-cgroup2`: boots Debian's kernel with cgroup_no_v1=all under qemu (a pure cgroup v2
# host, unlike this hybrid machine) and runs tests/cgroup2/cgroup2-tests.sh there with the AOT
# binary. The VM scripts in vm/ come from the company's shared cg2vm lane (shared/cg2vm/README.txt).
set -euo pipefail
cd "$(dirname "$0")/../.."
export CG2VM_CACHE=${CG2VM_CACHE:-/var/tmp/runtime-cg2vm}
export CG2VM_TIMEOUT=${CG2VM_TIMEOUT:-900}
need=()
for pkg in qemu-system-x86 cpio xz-utils busybox-static; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || need+=("$pkg")
done
if ((${#need[@]})); then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}"
fi
[[ -x out/runtime ]] || { echo "build first: make build bundles" >&2; exit 1; }
bash tests/cgroup2/vm/setup.sh --no-apt
bash tests/cgroup2/vm/run-in-vm.sh "$PWD" 'bash tests/cgroup2/cgroup2-tests.sh'
