#!/usr/bin/env bash
# Installs the real clients the tests/clients harness drives, all from Debian 12:
# containerd 1.6 (containerd, ctr, containerd-shim-runc-v2), podman 4.3, conmon, catatonit
# (podman --init), runc (the reference the harness is proven with), busybox-static (the image),
# util-linux (script, unshare), jq, hyperfine (the --bench timings).
# No service is started (policy-rc.d) and no global config is changed: the harness runs a private
# containerd and gives podman its own config per run.
set -euo pipefail
pkgs=(containerd podman conmon golang-github-containers-common catatonit runc busybox-static
  util-linux jq hyperfine procps)
need=()
for pkg in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || need+=("$pkg")
done
((${#need[@]})) || exit 0
apt-get update -qq
# Keep packages' maintainer scripts from starting daemons (containerd, podman's socket) here.
policy=/usr/sbin/policy-rc.d
if [[ ! -e $policy ]]; then
  printf '#!/bin/sh\nexit 101\n' >"$policy"; chmod 0755 "$policy"
  trap 'rm -f "$policy"' EXIT
fi
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}"
