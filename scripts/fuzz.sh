#!/usr/bin/env bash
# Builds the libFuzzer harnesses of tests/fuzz (the fuzz preset: clang, ASan, UBSan) and runs
# each for SECONDS (default 10) from its seed corpus tests/fuzz/corpus/TARGET, one after the
# other. New inputs go to a scratch copy of the corpus (the checked-in seeds are not changed);
# a crash, leak, sanitizer report or broken property stops that harness, leaves the input as
# build-fuzz/crash-* and makes the script exit 1.
#   scripts/fuzz.sh [SECONDS] [TARGET...]     e.g. scripts/fuzz.sh 600 fuzz_version
# LUET_FUZZ_JOBS: parallel builds (default 2). LUET_FUZZ_SEED: libFuzzer's -seed (a fixed seed
# makes the inputs tried the same on every run, as CI wants); LUET_FUZZ_TIMEOUT: seconds one
# input may take before it counts as a finding (default 10). LUET_FUZZ_CORPUS_ONLY=1: run the
# seed corpus once and stop (-runs=0), a deterministic regression (what CI runs).
# LUET_FUZZ_CPU=1: SECONDS counts the harness's CPU time instead of wall time, and it runs
# at nice 19 (long runs beside other work: "1 CPU-hour" is SECONDS=3600).
# LUET_FUZZ_BIN=DIR: run the harnesses already built in DIR (a copy of build-fuzz), without
# building: a long run keeps fuzzing one snapshot while the sources change.
# LUET_FUZZ_RSS_MB: libFuzzer's -rss_limit_mb (default 2048). The harness process's RSS grows
# over a long run (ASan keeps freed memory: fuzz_template reached 2 GB after 1.9 million
# inputs, none of which needs more than ~860 MB alone); long runs may raise it.
# LUET_FUZZ_WORK=DIR: keep each harness's corpus in DIR/TARGET (seeded from the checked-in one,
# kept afterwards), so that a run stopped or restarted goes on from where it was.
# A harness stopped with SIGSTOP (to free the CPU for a benchmark) counts the pause against
# the input it was running: give LUET_FUZZ_TIMEOUT more seconds than any pause.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
seconds=${1:-10}
shift || true
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  for f in "$root"/tests/fuzz/fuzz_*.cpp; do targets+=("$(basename "$f" .cpp)"); done
fi
cd "$root"
bindir=${LUET_FUZZ_BIN:-$root/build-fuzz}
if [ -z "${LUET_FUZZ_BIN:-}" ]; then
  cmake --preset fuzz >/dev/null
  cmake --build --preset fuzz -j"${LUET_FUZZ_JOBS:-2}" --target "${targets[@]}"
fi
status=0
for t in "${targets[@]}"; do
  if [ -n "${LUET_FUZZ_WORK:-}" ]; then
    work=$LUET_FUZZ_WORK/$t
    mkdir -p "$work/corpus"
    cp -r "tests/fuzz/corpus/$t/." "$work/corpus/"
  else
    work=$(mktemp -d /tmp/luet-fuzz-XXXXXX)
    cp -r "tests/fuzz/corpus/$t" "$work/corpus"
  fi
  echo "== $t (${seconds}s)"
  mode=(-max_total_time="$seconds")
  [ -n "${LUET_FUZZ_CORPUS_ONLY:-}" ] && mode=(-runs=0)
  [ -n "${LUET_FUZZ_CPU:-}" ] && mode=(-max_total_time=$((seconds * 20)))
  # -rss_limit_mb/-malloc_limit_mb: an input that makes the code take gigabytes is a finding.
  (cd "$bindir" && exec ${LUET_FUZZ_CPU:+nice -n 19} "./$t" "${mode[@]}" -rss_limit_mb="${LUET_FUZZ_RSS_MB:-2048}" -malloc_limit_mb=1024 \
      -timeout="${LUET_FUZZ_TIMEOUT:-10}" ${LUET_FUZZ_SEED:+-seed=$LUET_FUZZ_SEED} \
      -print_final_stats=1 "$work/corpus" >"$work/log" 2>&1) &
  pid=$!
  if [ -n "${LUET_FUZZ_CPU:-}" ]; then
    # SECONDS of the harness's own CPU time (user + system), then SIGINT: libFuzzer stops
    # cleanly and prints its final stats (exit status 72 on that interruption).
    hz=$(getconf CLK_TCK)
    while kill -0 "$pid" 2>/dev/null; do
      read -r -a st < "/proc/$pid/stat" 2>/dev/null || break
      [ $(( (st[13] + st[14]) / hz )) -ge "$seconds" ] && { kill -INT "$pid"; break; }
      sleep 5
    done
  fi
  rc=0; wait "$pid" || rc=$?
  if [ "$rc" -eq 0 ] || { [ -n "${LUET_FUZZ_CPU:-}" ] && [ "$rc" -eq 72 ] && ! grep -q 'ERROR: AddressSanitizer\|runtime error\|deadly signal\|Test unit written' "$work/log"; }; then
    grep -E '^stat::number_of_executed_units|^stat::peak_rss_mb|^#[0-9]+ *DONE|run interrupted' "$work/log" | sed 's/^/  /'
  else
    status=1
    tail -40 "$work/log"
  fi
  if [ -n "${LUET_FUZZ_WORK:-}" ]; then cp "$work/log" "$work/log.$(date +%s)"; else rm -rf "$work"; fi
done
exit $status
