#!/usr/bin/env bash
# Distribution-scale benchmark (issue 14): repositories of N package forms, 1 000 artifacts
# of 1 MB, the 20 x 78 upgrade world of mudler/luet's solver tests, and a tree of ~3 000
# templated definitions. Each row runs BENCH_RUNS times (default 3) and prints the medians
# of wall time and peak RSS (bench/runproc: fork, exec, wait4; ns clock, ru_maxrss) for ours and, when LUET_UPSTREAM names the folder of
# geaaru/luet's `luet` and `luet-build`, for upstream side by side, with the ratio
# ours / upstream (below 1: ours is faster or smaller). Each side publishes the same
# generated tree and artifacts with its own create-repo (upstream: luet-build tree genidx,
# then create-repo) and serves it over HTTP on 127.0.0.1 with its own serve-repo.
# Workloads come from bench/scale_gen.py. Never run by the tests; needs g++ and python3.
#
# Environment:
#   BENCH_N="500 2000"        repository sizes (package forms)
#   BENCH_WORKLOADS="repo artifacts world tree"
#   BENCH_RUNS=3              runs per row
#   BENCH_TIMEOUT=300         seconds; a longer run is stopped and shown as "> T s"
#   BENCH_ARTIFACTS=1000      artifacts of the artifacts workload, BENCH_ARTIFACT_MB=1 each
#   BENCH_TREE=3000           definitions of the tree workload
#   BENCH_WORLD="20 78"       families and versions of the upgrade world
#   LUET=build/luet           our binary; LUET_UPSTREAM=/work/upstream/bin (optional)
#   BENCH_KEEP=1              keep the work folder (printed at the end)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
LUET=$(realpath "${LUET:-$ROOT/build/luet}")
UP=${LUET_UPSTREAM:-}
NS=${BENCH_N:-"500 2000"}
WORKLOADS=${BENCH_WORKLOADS:-"repo artifacts world tree"}
RUNS=${BENCH_RUNS:-3}
CAP=${BENCH_TIMEOUT:-300}
ARTIFACTS=${BENCH_ARTIFACTS:-1000}
ARTIFACT_MB=${BENCH_ARTIFACT_MB:-1}
TREE_DEFS=${BENCH_TREE:-3000}
read -r FAMILIES VERSIONS <<<"${BENCH_WORLD:-20 78}"
GEN="python3 $ROOT/bench/scale_gen.py"

W=$(mktemp -d /tmp/luet-scale-XXXXXX)
SERVERS=()
cleanup() {
  for pid in "${SERVERS[@]}"; do kill "$pid" 2>/dev/null || true; done
  if [ "${BENCH_KEEP:-}" = 1 ]; then echo "work folder kept: $W"; else rm -rf "$W"; fi
}
trap cleanup EXIT
mkdir -p "$W/bin" "$W/logs" "$W/tmp"
g++ -O2 -o "$W/bin/runproc" "$ROOT/bench/runproc.cpp"
# geaaru/luet works in $TMPDIR/tmpluet and empties it: a second luet-build on the machine
# (another user's run) removes this run's files under it. Each run gets its own.
export TMPDIR=$W/tmp
ln -s "$LUET" "$W/bin/luet-build"  # our binary answers to both names
SIDES=(ours)
[ -n "$UP" ] && SIDES+=(up)
client() { [ "$1" = ours ] && echo "$LUET" || echo "$UP/luet"; }
builder() { [ "$1" = ours ] && echo "$W/bin/luet-build" || echo "$UP/luet-build"; }

# --- measuring ---------------------------------------------------------------------------
median() { sort -n | awk '{v[NR]=$1} END {if (NR) print v[int((NR+1)/2)]}'; }
# measure KEY RESET CMD...: RUNS runs of CMD (RESET, a shell snippet, before each, untimed);
# sets R_TIME[KEY] (seconds, or ">CAP", or "failed") and R_KIB[KEY].
declare -A R_TIME R_KIB
measure() {
  local key=$1 reset=$2; shift 2
  local times=() kibs=() rc
  for ((run = 1; run <= RUNS; run++)); do
    [ -z "$reset" ] || eval "$reset"
    rc=0
    # Wall time (ns, from fork to wait4) and peak RSS (ru_maxrss) by bench/runproc: one fork
    # and one exec around the command.
    "$W/bin/runproc" "$W/time" "$CAP" "$@" >"$W/logs/$key.$run" 2>&1 || rc=$?
    if [ "$rc" = 124 ]; then R_TIME[$key]=">$CAP"; R_KIB[$key]=""; return; fi
    if [ "$rc" != 0 ]; then
      R_TIME[$key]=failed; R_KIB[$key]=""
      echo "  ($key failed, rc $rc; $W/logs/$key.$run:)" >&2; tail -3 "$W/logs/$key.$run" | sed 's/^/    /' >&2
      return
    fi
    read -r ns kib <"$W/time"
    secs=$(awk -v n="$ns" 'BEGIN {printf "%.4f", n / 1e9}')
    times+=("$secs"); kibs+=("$kib")
  done
  R_TIME[$key]=$(printf '%s\n' "${times[@]}" | median)
  R_KIB[$key]=$(printf '%s\n' "${kibs[@]}" | median)
}
fmt() {  # fmt KEY -> "1.23 s  45 MiB"
  local t=${R_TIME[$1]:-} k=${R_KIB[$1]:-}
  case "$t" in
    "") printf '%17s' "-" ;;
    failed) printf '%17s' "failed" ;;
    ">"*) printf '%17s' "> ${t#>} s" ;;
    *) printf '%8.3f s %4d MiB' "$t" $((k / 1024)) ;;
  esac
}
ratio() {  # ratio OURS_KEY UP_KEY -> "0.45x t  0.80x mem"
  local a=${R_TIME[$1]:-} b=${R_TIME[$2]:-}
  case "$a$b" in *failed*) echo "-"; return ;; esac
  [ -n "$a" ] && [ -n "$b" ] || { echo "-"; return; }
  if [[ $a == ">"* ]]; then echo "-"; return; fi
  if [[ $b == ">"* ]]; then awk -v a="$a" -v b="${b#>}" 'BEGIN {printf "< %.3fx t\n", a / b}'; return; fi
  awk -v a="$a" -v b="$b" -v ka="${R_KIB[$1]}" -v kb="${R_KIB[$2]}" \
    'BEGIN {printf "%.3fx t  %.3fx mem\n", (b > 0 ? a / b : 0), (kb > 0 ? ka / kb : 0)}'
}
# row LABEL KEY: prints ours / upstream / ratio for measure keys ours.KEY and up.KEY
row() { printf '%-40s %s | %s | %s\n' "$1" "$(fmt "ours.$2")" "$(fmt "up.$2")" "$(ratio "ours.$2" "up.$2")"; }
header() { printf '\n== %s\n%-40s %17s | %17s | %s\n' "$1" "row" "ours" "upstream" "ratio ours/upstream"; }

# --- publishing --------------------------------------------------------------------------
# publish SIDE DIR TYPE URL: DIR/SIDE-repo from DIR/tree and DIR/packed with SIDE's tools.
publish() {
  local side=$1 dir=$2 type=$3 url=$4 lb out
  lb=$(builder "$side")
  out=$dir/$side-repo
  mkdir -p "$out" && cp -al "$dir/packed/." "$out/"
  cp -a "$dir/tree" "$dir/$side-tree"
  if [ "$side" = up ]; then "$lb" tree genidx -t "$dir/$side-tree" >"$W/logs/genidx.log" 2>&1; fi
  "$lb" create-repo --tree "$dir/$side-tree" --packages "$out" --output "$out" --name bench \
    --descr "scale bench" --urls "$url" --type "$type" >"$W/logs/create-$side.log" 2>&1 ||
    { cat "$W/logs/create-$side.log"; exit 1; }
}
# serve SIDE DIR: serves DIR with SIDE's serve-repo on a free port of 127.0.0.1; sets URL.
serve() {
  local pid port
  if [ "$1" = ours ]; then
    read -r pid URL < <("$ROOT/scripts/serve-repo.sh" "$LUET" "$2" "$2.serve.log")
  else
    port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    "$UP/luet-build" serve-repo --dir "$2" --address 127.0.0.1 --port "$port" >"$2.serve.log" 2>&1 &
    pid=$!
    for _ in $(seq 100); do (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break; sleep 0.1; done
    URL=http://127.0.0.1:$port
  fi
  SERVERS+=("$pid")
}
# config SIDE DIR TYPE URL: DIR/SIDE/luet.yaml, rootfs DIR/SIDE/rootfs
config() {
  local s=$2/$1
  mkdir -p "$s/rootfs"
  cat >"$s/luet.yaml" <<YAML
general:
  debug: false
system:
  rootfs: $s/rootfs
  database_path: /var/cache/luet
  database_engine: boltdb
  pkgs_cache_path: packages
config_from_host: true
repos_confdir: [$s/repos.conf.d]
config_protect_confdir: [$s/config.protect.d]
subsets_defdir: [$s/subsets.conf.d]
repositories:
- name: bench
  type: $3
  enable: true
  cached: true
  urls: ["$4"]
YAML
}
# An empty rootfs that keeps the synced repository (and nothing else: database, packages cache).
reset_rootfs() {
  local s=$1
  mv "$s/rootfs/var/cache/luet/repos" "$s/repos.keep"
  rm -rf "$s/rootfs"
  mkdir -p "$s/rootfs/var/cache/luet"
  mv "$s/repos.keep" "$s/rootfs/var/cache/luet/repos"
}

echo "luet scale benchmark — $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "ours: $LUET ($("$LUET" --version 2>/dev/null | head -1))"
[ -n "$UP" ] && echo "upstream: $UP ($("$UP/luet" --version 2>/dev/null | head -1))"
echo "runs: $RUNS, medians of wall time and peak RSS; runs over $CAP s are stopped"
# The floor of every figure: what starting a process through runproc costs (/bin/true).
RUNS_SAVED=$RUNS RUNS=11
measure floor "" /bin/true
RUNS=$RUNS_SAVED
echo "floor (runproc /bin/true, median of 11): $(fmt floor)"

# --- repositories of N package forms ---------------------------------------------------------
if [[ " $WORKLOADS " == *" repo "* ]]; then
  for n in $NS; do
    d=$W/repo$n
    $GEN repo "$d" "$n"
    leaf=$(sed -n 's/^leaf=//p' "$d/targets"); leaf_file=$(sed -n 's/^leaf_file=//p' "$d/targets")
    read -ra many <<<"$(sed -n 's/^many="\(.*\)"$/\1/p' "$d/targets")"
    many_count=$(sed -n 's/^many_count=//p' "$d/targets")
    for side in "${SIDES[@]}"; do
      publish "$side" "$d" http "http://127.0.0.1"
      serve "$side" "$d/$side-repo"
      config "$side" "$d" http "$URL"
    done
    for side in "${SIDES[@]}"; do
      c=$(client "$side") s=$d/$side
      measure "$side.sync$n" "rm -rf '$s/rootfs/var/cache/luet/repos'" "$c" repo update --config "$s/luet.yaml"
      measure "$side.unchanged$n" "" "$c" repo update --config "$s/luet.yaml"
      measure "$side.search$n" "" "$c" search pkg0 --config "$s/luet.yaml"
      measure "$side.leaf$n" "reset_rootfs '$s'" "$c" install -y --config "$s/luet.yaml" "$leaf"
      measure "$side.belongs$n" "" "$c" query belongs --config "$s/luet.yaml" "$leaf_file"
      measure "$side.many$n" "reset_rootfs '$s'" "$c" install -y --config "$s/luet.yaml" "${many[@]}"
    done
    header "repository of $n package forms (http on 127.0.0.1)"
    row "repo update (first sync)" "sync$n"
    row "repo update (unchanged)" "unchanged$n"
    row "search pkg0" "search$n"
    row "install $leaf (leaf, no deps)" "leaf$n"
    row "query belongs $leaf_file" "belongs$n"
    row "install ${#many[@]} packages pulling $many_count" "many$n"
    rm -rf "$d"
  done
fi

# --- 1 000 artifacts of 1 MB -------------------------------------------------------------------
if [[ " $WORKLOADS " == *" artifacts "* ]]; then
  d=$W/art
  $GEN artifacts "$d" "$ARTIFACTS" "$ARTIFACT_MB"
  read -ra all <<<"$(sed -n 's/^all="\(.*\)"$/\1/p' "$d/targets")"
  for side in "${SIDES[@]}"; do
    publish "$side" "$d" http "http://127.0.0.1"
    serve "$side" "$d/$side-repo"
    config "$side" "$d" http "$URL"
    "$(client "$side")" repo update --config "$d/$side/luet.yaml" >/dev/null 2>&1
  done
  for side in "${SIDES[@]}"; do
    measure "$side.art" "reset_rootfs '$d/$side'" "$(client "$side")" install -y --config "$d/$side/luet.yaml" "${all[@]}"
  done
  measure "ours.tar" "rm -rf '$d/tarroot'; mkdir '$d/tarroot'" \
    bash -c 'for f in "$1"/*.package.tar.gz; do tar -xzf "$f" -C "$2"; done' - "$d/packed" "$d/tarroot"
  header "$ARTIFACTS artifacts of $ARTIFACT_MB MiB (incompressible, gzip), into an empty rootfs"
  row "install of all $ARTIFACTS (http)" art
  printf '%-40s %s | %17s | %s\n' "tar -xzf of each archive, one by one" "$(fmt ours.tar)" "-" \
    "ours install / tar: $(ratio ours.art ours.tar)"
  rm -rf "$d"
fi

# --- the upgrade world (solver) --------------------------------------------------------------
if [[ " $WORKLOADS " == *" world "* ]]; then
  d=$W/world
  $GEN world "$d" "$FAMILIES" "$VERSIONS"
  read -ra oldest <<<"$(sed -n 's/^oldest="\(.*\)"$/\1/p' "$d/targets")"
  for side in "${SIDES[@]}"; do
    publish "$side" "$d" disk "$d/$side-repo"
    config "$side" "$d" disk "$d/$side-repo"
    c=$(client "$side")
    "$c" repo update --config "$d/$side/luet.yaml" >/dev/null 2>&1
    "$c" install -y --config "$d/$side/luet.yaml" "${oldest[@]}" >"$W/logs/world-install-$side.log" 2>&1 ||
      { cat "$W/logs/world-install-$side.log"; exit 1; }
  done
  for side in "${SIDES[@]}"; do
    measure "$side.upgrade" "" "$(client "$side")" upgrade -y -p --config "$d/$side/luet.yaml"
  done
  header "upgrade world: $FAMILIES families x $VERSIONS versions, oldest installed (disk)"
  row "upgrade --pretend (whole process)" upgrade
  rm -rf "$d"
fi

# --- a tree of templated definitions -----------------------------------------------------------
if [[ " $WORKLOADS " == *" tree "* ]]; then
  d=$W/tree
  $GEN tree "$d" "$TREE_DEFS"
  for side in "${SIDES[@]}"; do cp -a "$d/tree" "$d/$side-tree"; done
  measure ours.load "" "$LUET" tree pkglist -t "$d/ours-tree"
  [ -n "$UP" ] && measure up.load "" "$UP/luet-build" tree genidx -t "$d/up-tree"
  for side in "${SIDES[@]}"; do
    measure "$side.genidx" "" "$(builder "$side")" tree genidx -t "$d/$side-tree"
    measure "$side.pkglist" "" "$(builder "$side")" tree pkglist -t "$d/$side-tree"
  done
  header "tree of $TREE_DEFS definitions with templates"
  printf '%-40s %s | %s | %s\n' "load: ours pkglist / upstream genidx" "$(fmt ours.load)" "$(fmt up.load)" "$(ratio ours.load up.load)"
  row "tree genidx" genidx
  row "tree pkglist (tree index present)" pkglist
  rm -rf "$d"
fi
