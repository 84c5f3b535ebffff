#!/usr/bin/env bash
# Builds a one-layer busybox OCI image archive (oci-archive: a tar of an OCI image layout) from
# Debian's busybox-static, with no registry: the layer is the rootfs that bundles/make-rootfs.sh
# makes, the config and manifest are written here and addressed by their sha256.
# Both clients load it: `ctr image import` and `podman load` read an OCI layout tarball.
# Usage: image.sh OUT.tar NAME (e.g. localhost/rtc-busybox:latest)
set -euo pipefail
out=${1:?usage: image.sh OUT.tar NAME}
name=${2:?usage: image.sh OUT.tar NAME}
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)

work=$(mktemp -d "${TMPDIR:-/tmp}/rtc-image.XXXXXX")
trap 'rm -rf "$work"' EXIT
bash "$repo/bundles/make-rootfs.sh" "$work/rootfs" >/dev/null

blobs=$work/layout/blobs/sha256
mkdir -p "$blobs"
# Reproducible layer: sorted names, root-owned, fixed mtime.
tar --sort=name --numeric-owner --owner=0 --group=0 --mtime=@0 -C "$work/rootfs" -cf "$work/layer.tar" .
layer=$(sha256sum "$work/layer.tar" | cut -d' ' -f1)
layer_size=$(stat -c %s "$work/layer.tar")
mv "$work/layer.tar" "$blobs/$layer"

put() { # file → prints "digest size", stores it as a blob
  local d s
  d=$(sha256sum "$1" | cut -d' ' -f1); s=$(stat -c %s "$1")
  mv "$1" "$blobs/$d"
  echo "$d $s"
}

jq -cn --arg diff "sha256:$layer" '{
  architecture: "amd64", os: "linux", created: "1970-01-01T00:00:00Z",
  config: {Env: ["PATH=/usr/sbin:/usr/bin:/sbin:/bin"], Cmd: ["sh"], WorkingDir: "/"},
  rootfs: {type: "layers", diff_ids: [$diff]},
  history: [{created: "1970-01-01T00:00:00Z", created_by: "tests/clients/image.sh (busybox-static)"}]
}' > "$work/config.json"
read -r config config_size < <(put "$work/config.json")

jq -cn --arg c "sha256:$config" --argjson cs "$config_size" --arg l "sha256:$layer" --argjson ls "$layer_size" '{
  schemaVersion: 2, mediaType: "application/vnd.oci.image.manifest.v1+json",
  config: {mediaType: "application/vnd.oci.image.config.v1+json", digest: $c, size: $cs},
  layers: [{mediaType: "application/vnd.oci.image.layer.v1.tar", digest: $l, size: $ls}]
}' > "$work/manifest.json"
read -r manifest manifest_size < <(put "$work/manifest.json")

# ref.name carries the full reference: podman load takes it as the image name, and ctr import
# names the image from io.containerd.image.name.
jq -n --arg m "sha256:$manifest" --argjson ms "$manifest_size" --arg n "$name" '{
  schemaVersion: 2,
  manifests: [{mediaType: "application/vnd.oci.image.manifest.v1+json", digest: $m, size: $ms,
    platform: {architecture: "amd64", os: "linux"},
    annotations: {"io.containerd.image.name": $n, "org.opencontainers.image.ref.name": $n}}]
}' > "$work/layout/index.json"
echo '{"imageLayoutVersion":"1.0.0"}' > "$work/layout/oci-layout"

tar --sort=name --numeric-owner --owner=0 --group=0 --mtime=@0 -C "$work/layout" -cf "$out.tmp" .
mv "$out.tmp" "$out"
