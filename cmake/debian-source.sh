#!/usr/bin/env bash
# debian-source.sh PACKAGE DEST: unpacks Debian's source package PACKAGE (with Debian's patches
# applied, by `apt-get source`) into the folder DEST. Used by cmake/StaticDeps.cmake as the
# download step of the static release build's sub-builds; needs a deb-src entry in apt's sources
# (scripts/release.sh adds one) and dpkg-dev.
set -euo pipefail
name=$1 dest=$2
parent=$(dirname "$dest")
mkdir -p "$parent"
tmp=$(mktemp -d "$parent/.apt-source-$name.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
chmod 755 "$tmp"  # apt downloads as _apt when it can write there
if ! (cd "$tmp" && apt-get source -q "$name" >"$tmp/log" 2>&1); then
  cat "$tmp/log" >&2
  echo "debian-source.sh: 'apt-get source $name' failed; apt needs a deb-src entry (scripts/release.sh adds one) and dpkg-dev" >&2
  exit 1
fi
dir=$(find "$tmp" -mindepth 1 -maxdepth 1 -type d | head -n1)
[ -n "$dir" ] || { echo "debian-source.sh: no source folder unpacked for $name" >&2; exit 1; }
rm -rf "$dest"
mv "$dir" "$dest"
echo "debian-source.sh: $name -> $(basename "$dir")"
