#!/usr/bin/env bash
# Installs the Debian packages luet, its tests and scripts need (only those missing) and builds it.
# Every tool a test or script calls is listed here: CI starts from a fresh Debian 12 with g++,
# cmake and gtest only (scripts/fresh-check.sh checks that in a container).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
packages=(build-essential cmake pkg-config libyaml-cpp-dev libsolv-dev libsolvext-dev libarchive-dev
  libcurl4-openssl-dev libcpp-httplib-dev libssl-dev libsqlite3-dev libre2-dev libcli11-dev libfmt-dev nlohmann-json3-dev
  libzstd-dev libgtest-dev libgmock-dev libbenchmark-dev docker.io mmdebstrap busybox-static sqlite3 zstd
  attr libcap2-bin python3 jq file git openssl docker-registry apache2-utils tzdata
  liblzma-dev libbz2-dev zlib1g-dev dpkg-dev curl podman buildah
  lld  # the static client's link (CMakeLists.txt: hot code laid out together)
  clang libclang-rt-14-dev)  # the libFuzzer harnesses (scripts/fuzz.sh, the fuzz preset)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup.sh: installing ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q
  apt-get install -y -q --no-install-recommends "${missing[@]}"
fi
if [ "${LUET_SKIP_BUILD:-0}" != 1 ]; then
  cd "$root"
  cmake --preset default >/dev/null
  cmake --build --preset default -j"$(nproc)"
fi
