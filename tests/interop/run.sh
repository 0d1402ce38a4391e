#!/usr/bin/env bash
# Repositories exchanged with upstream luet in both directions (issue 11), with upstream's own
# binaries: geaaru/luet's client reads what our create-repo publishes, and our client reads
# what geaaru's luet-build create-repo publishes, over disk and http (our serve-repo).
# The tree (tests/interop/mk_tree.sh) is packed by each side's `pack` (run inside the
# package folder, as geaaru's pack needs) and published by each side's create-repo; each
# client then syncs, searches, installs apps/meta-app (finalizer run), upgrades to a second
# revision (apps/foo 1.1, libs/libfoo 1.1; libs/libfoo 2.0 left the tree) and uninstalls.
# The rootfs of every case is compared with the others at each step.
#
# Usage: LUET_UPSTREAM=DIR [LUET=build/luet] bash tests/interop/run.sh
#   DIR holds geaaru/luet's `luet` and `luet-build` (e.g. /work/upstream/bin). Without it the
#   script says SKIPPED and exits 0. Needs a static busybox (/bin/busybox) for the finalizers.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
UP=${LUET_UPSTREAM:-}
if [ -z "$UP" ] || [ ! -x "$UP/luet" ] || [ ! -x "$UP/luet-build" ]; then
  echo "######################################################################"
  echo "### SKIPPED tests/interop/run.sh: no upstream binaries.             ###"
  echo "### Set LUET_UPSTREAM to a folder holding geaaru/luet's luet and     ###"
  echo "### luet-build to run the interop checks.                            ###"
  echo "######################################################################"
  exit 0
fi
source "$here/../integration/lib.sh"
set +e
GL=$UP/luet
GLB=$UP/luet-build
SHELL_BIN=${BUSYBOX:-/bin/busybox}
LOGS=${LUET_INTEROP_LOGS:-$WORK/logs}
mkdir -p "$LOGS"
echo "ours: $LUET ($("$LUET" --version 2>/dev/null || echo no --version))"
echo "upstream: $("$GL" --version 2>&1 | head -1)"

# run LOG CMD...: runs CMD, printing its output (also kept in $WORK/out) and appending the
# command, its output and its exit status to LOGS/LOG.
run() {
  local log=$LOGS/$1 out rc; shift
  out=$("$@" 2>&1); rc=$?
  printf '$ %s\n%s\n[rc=%s]\n' "$*" "$out" "$rc" >>"$log"
  printf '%s\n' "$out" | tee "$WORK/out.run"
  return $rc
}

# publish PHASE: the tree of PHASE packed and published by both sides (ours/repo, gea/repo).
publish() {
  local phase=$1 t=$WORK/ctree/tree
  bash "$here/mk_tree.sh" "$t" "$WORK/src" "$phase" "$SHELL_BIN"
  mkdir -p "$WORK/ours/pkgs" "$WORK/gea/repo"
  local def d n c v ok=0
  for def in $(cd "$t" && find . -name definition.yaml | sort); do
    d=$t/$(dirname "$def")
    n=$(sed -n 's/^name: //p' "$d/definition.yaml"); c=$(sed -n 's/^category: //p' "$d/definition.yaml")
    v=$(sed -n 's/^version: "\(.*\)"/\1/p' "$d/definition.yaml")
    (cd "$d" && run publish.log "$LUET" pack "$c/$n@$v" --source "$WORK/src/$c-$n-$v" --destination "$WORK/ours/pkgs" >/dev/null) || ok=1
    (cd "$d" && run publish.log "$GLB" pack "$c/$n@$v" --source "$WORK/src/$c-$n-$v" --destination "$WORK/gea/repo" >/dev/null) || ok=1
  done
  [ $ok = 0 ] && pass "phase $phase: both sides pack every package" || fail "phase $phase: pack (see publish.log)"
  expect_ok "phase $phase: our create-repo" run publish.log "$LUET" create-repo --tree "$t" --packages "$WORK/ours/pkgs" \
    --output "$WORK/ours/repo" --name interop --descr "interop (ours)" --urls "$WORK/ours/repo" --type disk
  [ "$phase" = 2 ] && expect_output "\[libs/libfoo-2.0\] No more in the tree. Ignoring the package." \
    "phase 2: our create-repo drops libs/libfoo 2.0, which left the tree"
  run publish.log "$GLB" tree genidx --only-upper-level -t "$t" >/dev/null
  expect_ok "phase $phase: geaaru's create-repo" run publish.log "$GLB" create-repo --tree "$t" --packages "$WORK/gea/repo" \
    --output "$WORK/gea/repo" --name interop --descr "interop (geaaru)" --urls "$WORK/gea/repo" --type disk
  [ "$phase" = 2 ] && expect_eq "$(tar -tf "$WORK/gea/repo/tree.tar" | grep -c 'libs/libfoo/2.0/')" "0" \
    "phase 2: geaaru's create-repo drops it too"
}

# config CASE TYPE URL: CASE's luet.yaml and rootfs (with the upstream clients' keys).
config() {
  local dir=$WORK/run/$1
  mkdir -p "$dir/rootfs" "$dir/tmp"
  cat >"$dir/luet.yaml" <<EOF
general: {debug: false}
logging: {color: false, enable_emoji: false}
system:
  rootfs: $dir/rootfs
  database_path: /var/cache/luet
  database_engine: boltdb
  tmpdir_base: $dir/tmp
config_from_host: true
repos_confdir: []
repositories:
- {name: interop, description: interop test repo, type: $2, enable: true, cached: true, priority: 1, urls: ["$3"]}
EOF
}

# snapshot CASE: every path of the rootfs with type, mode, link target and content hash,
# leaving out the databases and what geaaru's finalizer box adds (/dev, /proc, /var/lock).
snapshot() {
  (cd "$WORK/run/$1/rootfs" && find . \( -path ./var/cache -o -path ./dev -o -path ./proc -o -path ./var/lock \
     -o -path ./var/tmp \) -prune -o -printf '%p %y %m %l\n' | sort | while read -r p y m l; do
       if [ "$y" = f ]; then echo "$p $y $m $(sha256sum "$p" | cut -c1-12)"; else echo "$p $y $m $l"; fi
     done) >"$LOGS/$1.$2.snap"
}

client() { case $1 in gea-*) echo "$GL" ;; *) echo "$LUET" ;; esac; }

# The cases: the two directions (and each side on its own repository, as the reference).
CASES="gea-on-ours-disk gea-on-ours-http ours-on-gea-disk ours-on-gea-http gea-on-gea-disk ours-on-ours-disk"

echo "-- phase 1: publish"
publish 1
OURS_URL=$(serve_repo "$WORK/ours/repo" "$LOGS/serve-ours.log")
GEA_URL=$(serve_repo "$WORK/gea/repo" "$LOGS/serve-gea.log")
for c in $CASES; do
  case $c in
    *-on-ours-disk) config "$c" disk "$WORK/ours/repo" ;;
    *-on-ours-http) config "$c" http "$OURS_URL" ;;
    *-on-gea-disk) config "$c" disk "$WORK/gea/repo" ;;
    *-on-gea-http) config "$c" http "$GEA_URL" ;;
  esac
done

echo "-- phase 1: sync, search, install"
for c in $CASES; do
  L=$(client "$c"); C=(--config "$WORK/run/$c/luet.yaml")
  expect_ok "$c: repo update" run "$c.log" "$L" "${C[@]}" repo update
  run "$c.log" "$L" "${C[@]}" search libfoo >/dev/null
  expect_eq "$(grep -oE 'libs/libfoo-[0-9.]+' "$WORK/out.run" | sort -u | tr '\n' ' ')" "libs/libfoo-1.0 libs/libfoo-2.0 " \
    "$c: search finds both versions of libs/libfoo"
  run "$c.log" "$L" "${C[@]}" search new-tool >/dev/null
  expect_eq "$(grep -oE 'apps/new-tool-[0-9.]+' "$WORK/out.run" | sort -u)" "apps/new-tool-2.0" "$c: search finds apps/new-tool"
  expect_ok "$c: install -y apps/meta-app" run "$c.log" "$L" "${C[@]}" install -y apps/meta-app
  R=$WORK/run/$c/rootfs
  expect_eq "$(cat "$R/var/lib/foo/finalized" 2>&1)" "foo 1.0 finalized" "$c: templated finalizer ran"
  expect_file "$R/usr/lib/libfoo.so.1.0" "$c: libs/libfoo 1.0 chosen by the range selector"
  expect_no_file "$R/usr/lib/libfoo.so.2.0" "$c: not libs/libfoo 2.0"
  expect_eq "$(readlink "$R/usr/bin/old-tool")" "new-tool" "$c: the provider of apps/old-tool installed (symlink)"
  expect_eq "$(stat -c %a "$R/usr/bin/foo") $(stat -c %a "$R/etc/foo/secret.conf")" "755 600" "$c: modes kept"
  expect_fail "$c: apps/legacy conflicts with the installed apps/new-tool" "." \
    run "$c.log" "$L" "${C[@]}" install -y apps/legacy
  expect_no_file "$R/usr/bin/legacy" "$c: apps/legacy not installed"
  snapshot "$c" 1
done

# compare STEP: every case's snapshot equals the first one (files only with FILES_ONLY=1).
compare() {
  local ref=${CASES%% *} c
  for c in ${CASES#* }; do
    if [ "${FILES_ONLY:-0}" = 1 ]; then
      diff <(awk '$2 != "d"' "$LOGS/$ref.$1.snap") <(awk '$2 != "d"' "$LOGS/$c.$1.snap") >"$WORK/diff" 2>&1
    else
      diff "$LOGS/$ref.$1.snap" "$LOGS/$c.$1.snap" >"$WORK/diff" 2>&1
    fi
    if [ $? = 0 ]; then pass "step $1: $c has the same files as $ref"
    else fail "step $1: $c differs from $ref"; sed 's/^/       /' "$WORK/diff"; fi
  done
}
compare 1

echo "-- phase 2: a second revision, upgrade"
publish 2
for c in $CASES; do
  L=$(client "$c"); C=(--config "$WORK/run/$c/luet.yaml"); R=$WORK/run/$c/rootfs
  expect_ok "$c: repo update (revision 2)" run "$c.log" "$L" "${C[@]}" repo update
  run "$c.log" "$L" "${C[@]}" search libfoo >/dev/null
  expect_eq "$(grep -oE 'libs/libfoo-[0-9.]+' "$WORK/out.run" | sort -u | tr '\n' ' ')" "libs/libfoo-1.0 libs/libfoo-1.1 " \
    "$c: revision 2 has libs/libfoo 1.0 and 1.1 (2.0 left the tree)"
  expect_ok "$c: upgrade -y" run "$c.log" "$L" "${C[@]}" upgrade -y
  expect_eq "$(cat "$R/var/lib/foo/finalized" 2>&1)" "foo 1.1 finalized" "$c: finalizer of apps/foo 1.1 ran"
  expect_eq "$(cat "$R/etc/foo/foo.conf" 2>&1)" "setting=1.1" "$c: apps/foo 1.1 installed"
  expect_file "$R/usr/lib/libfoo.so.1.1" "$c: libs/libfoo upgraded to 1.1"
  expect_no_file "$R/usr/lib/libfoo.so.1.0" "$c: libs/libfoo 1.0 removed"
  snapshot "$c" 2
done
compare 2

echo "-- phase 3: uninstall"
for c in $CASES; do
  L=$(client "$c"); C=(--config "$WORK/run/$c/luet.yaml"); R=$WORK/run/$c/rootfs
  for p in apps/meta-app apps/foo libs/libfoo; do
    expect_ok "$c: uninstall -y $p" run "$c.log" "$L" "${C[@]}" uninstall -y "$p"
  done
  expect_no_file "$R/usr/bin/foo" "$c: apps/foo's files removed"
  expect_no_file "$R/usr/lib/libfoo.so" "$c: libs/libfoo's files removed"
  expect_file "$R/usr/bin/new-tool" "$c: apps/new-tool stays"
  snapshot "$c" 3
done
# geaaru leaves emptied folders behind; ours removes them: compare files and links only.
FILES_ONLY=1 compare 3

echo "logs: $LOGS"
finish
