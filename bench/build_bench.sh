#!/usr/bin/env bash
# Build benchmark: a generated tree of N small packages (default 200) in a DAG L levels deep
# (default 10; each package of level k > 0 requires one of level k-1, level 0 starts from the
# example seed image), built with the docker backend. Prints:
# - the time of the same container work done with plain `docker create/cp/start/commit`
#   (one container per step list, chained as the packages are; no artifacts), run before and
#   after the luet builds (the mean is the reference: the load of a shared machine drifts),
#   and luet's orchestration overhead over it (goal <= 15 %);
# - the wall time of `luet build --all` with --concurrency 1 and 2, and the speed-up (beside
#   the speed-up of the plain docker work run two chains at once, what the machine allows); each
#   run has an image repository of its own (luet-bench/c1-PID, luet-bench/c2-PID), so that no
#   run reuses another's hash-tagged images (the build cache);
# - the time of a second, unchanged build (the --concurrency 2 build again, same destination
#   and image repository: the build cache skips every package).
# Prints the load average before and after (the machine may be shared), figures only, never
# asserts on time; never run by the tests. Removes the images it made (luet-bench/*).
# Usage: bench/build_bench.sh [N] [LEVELS]   (BENCH_LOGS=DIR keeps luet's logs of the runs there;
# BENCH_CLI=1 adds a --concurrency 1 build with LUET_DOCKER_API=0, the docker CLI path)
set -euo pipefail
N=${1:-200}
L=${2:-10}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
LUET=${LUET:-$ROOT/build/luet}
IMAGE=luet-example/debian-gcc:12
W=$(mktemp -d /tmp/luet-build-bench-XXXXXX)
# By name: removing a parent image by id fails while its children exist, even with -f.
drop_images() { docker images --format '{{.Repository}}:{{.Tag}}' 'luet-bench/*' | xargs -r docker rmi -f >/dev/null 2>&1 || true; }
trap 'drop_images; rm -rf "$W"' EXIT
"$ROOT/scripts/ensure-docker.sh" >/dev/null
"$ROOT/scripts/make-base-image.sh" "$IMAGE" >/dev/null

per_level=$(( (N + L - 1) / L ))
for ((i = 0; i < N; i++)); do
  level=$((i / per_level)); d="$W/tree/p$i"; mkdir -p "$d"
  printf 'name: p%d\ncategory: bench\nversion: "1.0"\n' "$i" >"$d/definition.yaml"
  if [ "$level" -eq 0 ]; then
    printf 'image: %s\n' "$IMAGE" >"$d/build.yaml"
  else
    printf 'requires:\n- {name: p%d, category: bench, version: "1.0"}\n' $((i - per_level)) >"$d/build.yaml"
  fi
  printf 'steps:\n- mkdir -p /opt/p%d && echo %d > /opt/p%d/value\n' "$i" "$i" "$i" >>"$d/build.yaml"
done
echo "tree: $N packages, $L levels of $per_level ($W/tree)"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg) ($(nproc) CPUs)"

now() { date +%s.%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.1f", b - a}'; }

# Plain docker: the container work luet does per package (the builder image: a container
# with the context copied in, committed without being started, as there is no prelude; then
# the steps' container), chained on the parent's image; no artifact, no layer export. Run
# before and after the luet builds: on a shared machine the load drifts, the mean of both is
# the reference. (Until 2026-11-24 luet, and this loop, also started the builder container to
# run `true`: figures of earlier results/ files include that start on both sides.)
plain_pkg() {  # I
  local i=$1 level from c
  level=$((i / per_level))
  from=$IMAGE; [ "$level" -eq 0 ] || from="luet-bench/p$((i - per_level)):2"
  c=$(docker create -w /luetbuild "$from" /bin/sh -c true); docker cp "$W/tree/p$i/." "$c:/luetbuild" >/dev/null
  docker commit "$c" "luet-bench/p$i:1" >/dev/null; docker rm "$c" >/dev/null
  c=$(docker create -w /luetbuild "luet-bench/p$i:1" /bin/sh -c "mkdir -p /opt/p$i && echo $i > /opt/p$i/value")
  docker start -a "$c" >/dev/null; docker commit "$c" "luet-bench/p$i:2" >/dev/null; docker rm "$c" >/dev/null
}
plain_worker() {  # W WORKERS: the chains j with j % WORKERS == W, each level by level
  local j i
  for ((j = $1; j < per_level; j += $2)); do
    for ((i = j; i < N; i += per_level)); do plain_pkg "$i"; done
  done
}
plain_run() {  # [WORKERS]: seconds
  local t0 w workers=${1:-1}; t0=$(now)
  for ((w = 0; w < workers; w++)); do plain_worker "$w" "$workers" & done
  wait
  secs "$t0" "$(now)"
  drop_images
}
plain1=$(plain_run)
echo "plain docker, before the luet builds: $plain1 s (load $(cut -d' ' -f1 /proc/loadavg))"

build() {  # CONCURRENCY DEST LOG [REPOSITORY]
  local s; s=$(now)
  "$LUET" --concurrency "$1" build --tree "$W/tree" --all --destination "$2" \
    --image-repository "luet-bench/${4:-c$1}-$$" >"$W/$3" 2>&1 || { echo "luet build failed:" >&2; tail "$W/$3" >&2; exit 1; }
  secs "$s" "$(now)"
}
echo "luet's docker path: LUET_DOCKER_API=${LUET_DOCKER_API:-unset} (unset: the Engine API where the socket answers)"
c1=$(build 1 "$W/out1" log-c1)
c2=$(build 2 "$W/out2" log-c2)
again=$(build 2 "$W/out2" log-again)
echo "luet builds: c1 $c1 s, c2 $c2 s, again $again s (load $(cut -d' ' -f1 /proc/loadavg))"
if [ "${BENCH_CLI:-0}" = 1 ]; then
  # The same --concurrency 1 build through the docker CLI (one process per engine call).
  cli=$(LUET_DOCKER_API=0 build 1 "$W/out-cli" log-cli cli)
  echo "luet build --concurrency 1 with LUET_DOCKER_API=0 (docker CLI): $cli s (load $(cut -d' ' -f1 /proc/loadavg))"
  cmp -s <(cd "$W/out1" && sha256sum ./*.package.tar* | sort) <(cd "$W/out-cli" && sha256sum ./*.package.tar* | sort) \
    && echo "  its artifacts: the same sha256 as the API build's" || echo "  its artifacts DIFFER from the API build's"
fi
plain2=$(plain_run)
echo "plain docker, after the luet builds: $plain2 s (load $(cut -d' ' -f1 /proc/loadavg))"
plain=$(awk -v a="$plain1" -v b="$plain2" 'BEGIN {printf "%.1f", (a + b) / 2}')
# The same plain work, two chains at once: the speed-up the engine and machine allow.
plain_par=$(plain_run 2)
echo "plain docker, 2 at once: $plain_par s (load $(cut -d' ' -f1 /proc/loadavg)): speed-up over plain 1 at once (mean) $(awk -v a="$plain" -v b="$plain_par" 'BEGIN {printf "%.2fx", a / b}')"
[ -z "${BENCH_LOGS:-}" ] || { mkdir -p "$BENCH_LOGS"; cp "$W"/log-* "$BENCH_LOGS/"; }
skipped=$(grep -c 'unchanged (build hash' "$W/log-again" || true)
echo "second build: $skipped of $N packages skipped as unchanged"

awk -v p="$plain" -v c1="$c1" -v c2="$c2" -v a="$again" 'BEGIN {
  printf "plain docker (same containers, no artifacts; mean of before and after): %7.1f s\n", p
  printf "luet build --concurrency 1:                   %7.1f s  (overhead over plain docker: %+.0f %%)\n", c1, (c1 - p) / p * 100
  printf "luet build --concurrency 2:                   %7.1f s  (speed-up over 1: %.2fx)\n", c2, c1 / c2
  printf "second, unchanged build (--concurrency 2):    %7.1f s  (%.0f %% of the first)\n", a, a / c2 * 100
}'
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
