#!/usr/bin/env bash
# Creates the example seed image offline from Debian packages (mmdebstrap + docker import):
# Debian 12 with gcc, libc6-dev and busybox-static. Nothing is pulled from a registry.
set -euo pipefail
tag=${1:-luet-example/debian-gcc:12}
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/ensure-docker.sh"
docker image inspect "$tag" >/dev/null 2>&1 && exit 0

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
