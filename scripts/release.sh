#!/usr/bin/env bash
# Builds the static, zero-dependency luet (build-release/luet): no shared library, not even the C
# library, so it runs on a system that has nothing else. libsolv, c-ares, curl, libarchive and
# cpp-httplib are built from Debian's source packages (cmake/StaticDeps.cmake), which needs a
# deb-src entry in apt's sources: one is added, from the existing deb entries, when there is none.
# A second run reuses build-release/deps. Prints the binary's size and the build time.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
start=$(date +%s)

# The build tools and Debian's static archives (the -dev packages setup.sh installs).
LUET_SKIP_BUILD=1 "$root/scripts/setup.sh"

if ! grep -rqsE '^(Types:.*deb-src|deb-src )' /etc/apt/sources.list /etc/apt/sources.list.d/; then
  echo "release.sh: adding deb-src entries (from the deb ones) for apt-get source" >&2
  for f in /etc/apt/sources.list.d/*.sources; do
    [ -e "$f" ] && grep -qE '^Types:.*\bdeb\b' "$f" || continue
    sed -E 's/^Types:.*/Types: deb-src/' "$f" >"/etc/apt/sources.list.d/luet-src-$(basename "$f")"
  done
  lines=$(cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null | grep -E '^deb ' | sed 's/^deb /deb-src /' || true)
  [ -z "$lines" ] || echo "$lines" >/etc/apt/sources.list.d/luet-src.list
  apt-get update -q >/dev/null
fi

cd "$root"
cmake --preset release >/dev/null
cmake --build --preset release -j"$(nproc)"

bin=$root/build-release/luet
if ! file "$bin" | grep -Eq 'statically linked|static-pie linked'; then
  echo "release.sh: $bin is not statically linked:" >&2
  file "$bin" >&2
  exit 1
fi
echo "file: $(file -b "$bin")"
echo "ldd:  $(ldd "$bin" 2>&1 | head -n1 | sed 's/^[[:space:]]*//')"
size=$(stat -c %s "$bin")
echo "release.sh: $bin: $size bytes ($(numfmt --to=iec-i --suffix=B "$size")), built in $(($(date +%s) - start)) s"
