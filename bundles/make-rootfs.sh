#!/usr/bin/env bash
# Makes a minimal busybox root filesystem at $1 from Debian's busybox-static.
set -euo pipefail
dest=${1:?usage: make-rootfs.sh DEST}
busybox=${BUSYBOX:-/bin/busybox}
if [[ ! -x $busybox ]] || ! help=$("$busybox" --help 2>&1); then
  echo "make-rootfs: $busybox not found: apt-get install busybox-static" >&2; exit 1
fi
if ldd "$busybox" >/dev/null 2>&1; then
  echo "make-rootfs: $busybox is dynamically linked; install busybox-static" >&2; exit 1
fi
tmp=$(mktemp -d "$(dirname "$dest")/.rootfs.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
chmod 0755 "$tmp"  # mktemp makes it 0700: a user-namespaced root could not enter it
# mktemp makes 0700: the root must be searchable by non-root container users (and mapped uids).
chmod 0755 "$tmp"
mkdir -p "$tmp"/{bin,sbin,usr/bin,usr/sbin,proc,sys,dev,etc,tmp,root,home,var,run}
chmod 1777 "$tmp/tmp"
install -m 0755 "$busybox" "$tmp/bin/busybox"
# Every applet as a relative symlink to /bin/busybox (what `busybox --install -s` makes, without chroot).
for applet in $("$busybox" --list-full); do
  [[ $applet == bin/busybox ]] && continue
  mkdir -p "$tmp/$(dirname "$applet")"
  ln -sf /bin/busybox "$tmp/$applet"
done
printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' > "$tmp/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' > "$tmp/etc/group"
echo "${help%%$'\n'*}" > "$tmp/etc/busybox-version"
rm -rf "$dest"
mv "$tmp" "$dest"
trap - EXIT
echo "rootfs ready: $dest"
