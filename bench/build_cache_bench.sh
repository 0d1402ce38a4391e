#!/usr/bin/env bash
# Build cache benchmark on examples/tree (real Docker engine, Debian's docker-registry on a
# free loopback port): prints the wall time of
#   cold    the first build (no cached image; with --push to the registry),
#   warm    the same build again, nothing changed (goal of issue 13: under a tenth of cold),
#   pulled  every local cache image removed, a new destination, --pull from the registry.
# Never asserts on time; never run by the tests.
# Usage: bench/build_cache_bench.sh   (needs docker-registry and the example base image:
#        scripts/setup.sh, scripts/make-base-image.sh)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
LUET=${LUET:-$ROOT/build/luet}
W=$(mktemp -d /tmp/luet-cache-bench-XXXXXX)
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
REG=127.0.0.1:$PORT
IMG=$REG/luet-cache-bench
SERVER=
cleanup() {
  docker images "$IMG" --format '{{.Repository}}:{{.Tag}}' | xargs -r docker rmi >/dev/null 2>&1 || true
  [ -z "$SERVER" ] || kill "$SERVER" 2>/dev/null || true
  rm -rf "$W"
}
trap cleanup EXIT
printf 'version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n    rootdirectory: %s\nhttp:\n  addr: %s\n' \
  "$W/registry" "$REG" >"$W/registry.yml"
docker-registry serve "$W/registry.yml" >"$W/registry.log" 2>&1 &
SERVER=$!
for _ in $(seq 50); do curl -fsS "http://$REG/v2/" >/dev/null 2>&1 && break; sleep 0.1; done

ms() { echo $(($(date +%s%N) / 1000000)); }
run() {  # run NAME ARGS...: one build, its time in ms into T_NAME
  local name=$1 t0; shift
  t0=$(ms)
  "$LUET" build --tree "$ROOT/examples/tree" --compression gzip --image-repository "$IMG" --all "$@" >"$W/$name.log" 2>&1 \
    || { echo "$name build failed:"; cat "$W/$name.log"; exit 1; }
  eval "T_$name=$(($(ms) - t0))"
}
fmt() { printf '%d.%03d s' $(($1 / 1000)) $(($1 % 1000)); }

run cold --destination "$W/b1" --push
run warm --destination "$W/b1"
docker images "$IMG" --format '{{.Repository}}:{{.Tag}}' | xargs -r docker rmi >/dev/null 2>&1
run pulled --destination "$W/b2" --pull

echo "examples/tree, $(grep -c '^✔\|kept, skipped' "$W/cold.log") packages:"
echo "  cold   (build + push):        $(fmt "$T_cold")"
echo "  warm   (unchanged):           $(fmt "$T_warm")   ($(grep -c 'kept, skipped' "$W/warm.log") skipped; $((T_warm * 1000 / (T_cold > 0 ? T_cold : 1)))‰ of cold, goal < 100‰)"
echo "  pulled (no local image):      $(fmt "$T_pulled")   ($(grep -c '^  ⬇ pulling' "$W/pulled.log") packages pulled)"
