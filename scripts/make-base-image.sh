#!/usr/bin/env bash
# Creates the example seed image offline from Debian packages (mmdebstrap + docker import):
# Debian 12 with gcc, libc6-dev and busybox-static. Nothing is pulled from a registry.
# Usage: make-base-image.sh [TAG] [podman|buildah]...: the engines named after the tag get a
# copy of the image in their own storage too (docker save | podman load; buildah pull
# docker-archive:), still offline.
set -euo pipefail
tag=${1:-luet-example/debian-gcc:12}
engines=("${@:2}")
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/ensure-docker.sh"

copy_to_engines() {
  for engine in "${engines[@]}"; do
    case $engine in
      podman) podman image exists "$tag" 2>/dev/null && continue
              docker save "$tag" | podman load -q >/dev/null ;;
      buildah) buildah inspect --type image "$tag" >/dev/null 2>&1 && continue
               local archive; archive=$(mktemp -u /tmp/luet-base-XXXXXX.tar)
               docker save -o "$archive" "$tag"
               buildah pull -q "docker-archive:$archive" >/dev/null; rm -f "$archive" ;;
      *) echo "make-base-image.sh: unknown engine '$engine' (podman or buildah)" >&2; exit 2 ;;
    esac
    echo "make-base-image.sh: $tag copied into $engine's storage" >&2
  done
}

if docker image inspect "$tag" >/dev/null 2>&1; then copy_to_engines; exit 0; fi

mirror=${LUET_DEBIAN_MIRROR:-http://deb.debian.org/debian}
work=$(mktemp -d /tmp/luet-base-XXXXXX)
trap 'rm -rf "$work"' EXIT
echo "make-base-image.sh: creating $tag with mmdebstrap from $mirror" >&2
# --mode=root: CI and this script run as root; docs, man pages and apt lists are dropped to
# keep the image small.
mmdebstrap --mode=root --variant=minbase --include=gcc,libc6-dev,busybox-static \
  --dpkgopt='path-exclude=/usr/share/man/*' --dpkgopt='path-exclude=/usr/share/doc/*' \
  --dpkgopt='path-exclude=/usr/share/locale/*' \
  --customize-hook='rm -rf "$1"/var/lib/apt/lists/* "$1"/var/cache/apt/*' \
  bookworm "$work/rootfs.tar" "$mirror"
docker import "$work/rootfs.tar" "$tag" >/dev/null
docker run --rm "$tag" sh -c 'echo "int main(void){return 0;}" >/tmp/t.c && gcc -o /tmp/t /tmp/t.c && /tmp/t && busybox true'
echo "make-base-image.sh: $tag ready ($(docker image inspect -f '{{.Size}}' "$tag") bytes)" >&2
copy_to_engines
