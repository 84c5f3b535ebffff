#!/usr/bin/env bash
# Runs "$@" in a private mount namespace whose /sys/fs/cgroup is a fresh tmpfs holding only the
# host's cgroup v1 hierarchies (no cgroup2 mount): crun refuses the host's hybrid layout.
# Usage: v1-cgroup-ns.sh CMD [ARGS...]. The host's mounts are never touched: everything below happens
# after `unshare -m` with private propagation.
set -euo pipefail
if [[ ${RTBENCH_IN_NS:-} != 1 ]]; then
  RTBENCH_IN_NS=1 exec unshare --mount --propagation private -- "$0" "$@"
fi
# The v1 hierarchies as mounted on the host: "<mountpoint> <super options>", from mountinfo.
mapfile -t hierarchies < <(awk '$0 ~ / - cgroup cgroup / { n=split($0,f," - "); split(f[2],s," "); print $5, s[3] }' /proc/self/mountinfo)
(( ${#hierarchies[@]} > 0 )) || { echo "v1-cgroup-ns: no cgroup v1 hierarchy on this host" >&2; exit 1; }
# Unmount the inherited (private copies of the) host mounts rather than stacking over them, so this
# namespace's mountinfo shows only what is visible: runtimes read it to find the hierarchies.
umount -R /sys/fs/cgroup
mount -t tmpfs -o mode=755 rtbench-cgroup /sys/fs/cgroup
for h in "${hierarchies[@]}"; do
  mnt=${h%% *} opts=${h#* }
  name=${mnt#/sys/fs/cgroup/}
  [[ $name == "$mnt" || $name == */* ]] && continue   # only direct children of /sys/fs/cgroup
  # Keep only the options that select the hierarchy (controllers, name=); rw etc. are implied.
  sel=$(tr ',' '\n' <<<"$opts" | grep -vE '^(rw|ro)$' | paste -sd, -)
  mkdir -p "/sys/fs/cgroup/$name"
  mount -t cgroup -o "$sel" cgroup "/sys/fs/cgroup/$name"
done
exec "$@"
