#!/usr/bin/env bash
# Crash safety: install, upgrade, uninstall, replace and reinstall are killed with SIGKILL at
# every named point of the transaction (LUET_TEST_CRASH_AT, see src/luet/install/journal.hpp).
# The next luet command that changes the rootfs must leave it exactly as before the killed
# command (or, killed after the commit, as after it), with every file the database lists on
# disk and no file on disk that the database does not list; running the command again then
# gives the same rootfs as an uninterrupted run.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/pkg_lib.sh"

T1=$WORK/tree1
pkg "$T1" libs base 1.0 "" "" usr/lib/base.so="base 1.0" usr/share/base/a="a 1.0" usr/share/base/b="b 1.0" \
  usr/share/moving/data="moving 1.0"
pkg "$T1" apps tool 1.0 "libs/base>=1.0" "" usr/bin/tool="tool 1.0" usr/share/tool/doc="doc 1.0"
pkg "$T1" apps extra 1.0 "libs/base" "" usr/bin/extra="extra 1.0" usr/share/extra/x="x 1.0"
pkg "$T1" apps standalone 1.0 "" "" usr/bin/standalone="standalone 1.0" usr/share/extra/x="x standalone"
"$LUET" create-repo --tree "$T1" --packages "$P" --output "$WORK/repo1" --name one >/dev/null
T2=$WORK/tree2; cp -r "$T1" "$T2"
pkg "$T2" libs base 1.0+1 "" "" usr/lib/base.so="base 1.0+1" usr/share/base/a="a 1.0+1"
pkg "$T2" apps tool 1.1 "libs/base>=1.0" "" usr/bin/tool="tool 1.1" usr/share/moving/data="moving 1.1"
"$LUET" create-repo --tree "$T2" --packages "$P" --output "$WORK/repo2" --name two >/dev/null

R=$WORK/rootfs
write_config "$WORK/one.yaml" "$R" "$WORK/repo1"
write_config "$WORK/two.yaml" "$R" "$WORK/repo2"

# The rootfs outside luet's own folder, as content: every path (folders included) with the
# sha256 of each file or symlink target, plus the recorded packages.
state() {
  (cd "$R" && find . -path ./var/cache/luet -prune -o -print | sort | while read -r f; do
    if [ -L "$f" ]; then echo "$f -> $(readlink "$f")"
    elif [ -f "$f" ]; then echo "$f $(sha256sum <"$f" | cut -c1-16)"
    elif [ "$f" != ./var/cache/luet ]; then echo "$f/"; fi
  done)
  recorded "select category||'/'||name||'-'||version from packages order by 1"
}
recorded() { if [ -f "$R/var/cache/luet/luet.sqlite" ]; then db_query "$R" "$1"; fi; }

# The database and the disk agree: every listed path exists, every file or symlink is listed.
consistent() {
  local missing extra
  missing=$(recorded "select distinct path from files" | while read -r f; do
    [ -e "$R/$f" ] || [ -L "$R/$f" ] || echo "$f"; done)
  extra=$(comm -23 <(cd "$R" && find . -path ./var/cache/luet -prune -o ! -type d -print | sed 's#^\./##' | sort) \
    <(recorded "select distinct path from files" | sort))
  [ -z "$missing$extra" ] || { echo "       missing: $missing"; echo "       unrecorded: $extra"; return 1; }
}

TEMPLATES=$WORK/templates; mkdir -p "$TEMPLATES"
mkdir -p "$TEMPLATES/empty/var/cache/luet"
mkdir -p "$R" && "$LUET" install -y --config "$WORK/one.yaml" apps/tool apps/extra >/dev/null
mv "$R" "$TEMPLATES/v1"
cp -a "$TEMPLATES/v1" "$TEMPLATES/v1-damaged" && echo damaged >"$TEMPLATES/v1-damaged/usr/bin/tool"
reset_to() { rm -rf "$R"; cp -a "$TEMPLATES/$1" "$R"; }

# crash_scenario NAME TEMPLATE CONFIG ARGS...: kill `luet ARGS` at every point of every step.
crash_scenario() {
  local name=$1 template=$2 config=$3; shift 3
  reset_to "$template"; local before; before=$(state)
  "$LUET" "$@" -y --config "$config" >"$WORK/out" 2>&1 || { fail "$name: uninterrupted run (exit $?)"; cat "$WORK/out"; return; }
  local after; after=$(state)
  [ "$before" != "$after" ] || { fail "$name: the command changes nothing"; return; }
  local kills=0 step n rc
  for step in journal backup entry extract remove commit; do
    for n in $(seq 1 30); do
      reset_to "$template"
      rc=0
      # (braces: the shell's own "Killed" notice goes to /dev/null too)
      { LUET_TEST_CRASH_AT=$step:$n "$LUET" "$@" -y --config "$config" >"$WORK/out" 2>&1; } 2>/dev/null || rc=$?
      [ "$rc" -eq 0 ] && break   # the step has fewer than n points
      [ "$rc" -eq 137 ] || { fail "$name killed at $step:$n: exit $rc, not a kill"; cat "$WORK/out"; break; }
      kills=$((kills + 1))
      # The next command that changes the rootfs repairs it, even when it fails itself.
      "$LUET" uninstall -y --config "$config" nothing/none >"$WORK/out" 2>&1 || true
      if [ "$step" = commit ]; then
        grep -q "Finished an interrupted transaction" "$WORK/out" || fail "$name killed at $step:$n: not reported as finished"
      else
        grep -q "Rolled back an interrupted transaction" "$WORK/out" || fail "$name killed at $step:$n: not reported as rolled back"
      fi
      local now; now=$(state)
      if [ "$step" = commit ]; then
        [ "$now" = "$after" ] || { fail "$name killed at $step:$n: not the state after the command"; diff <(echo "$after") <(echo "$now") | head || true; }
      else
        [ "$now" = "$before" ] || { fail "$name killed at $step:$n: not rolled back"; diff <(echo "$before") <(echo "$now") | head || true; }
      fi
      consistent || fail "$name killed at $step:$n: database and disk disagree"
      [ -e "$R/var/cache/luet/transaction-backup" ] && fail "$name killed at $step:$n: backups left behind"
      [ "$step" = commit ] && continue  # done already
      "$LUET" "$@" -y --config "$config" >"$WORK/out" 2>&1 || fail "$name killed at $step:$n: the rerun fails"
      [ "$(state)" = "$after" ] || fail "$name killed at $step:$n: the rerun does not give the uninterrupted result"
    done
  done
  pass "$name: $kills kills, each repaired by the next command"
}

crash_scenario "install" empty "$WORK/two.yaml" install apps/tool apps/extra
crash_scenario "upgrade" v1 "$WORK/two.yaml" upgrade
crash_scenario "uninstall --full" v1 "$WORK/two.yaml" uninstall --full apps/tool apps/extra
crash_scenario "replace" v1 "$WORK/two.yaml" replace apps/extra --for apps/standalone
crash_scenario "reinstall" v1-damaged "$WORK/two.yaml" reinstall apps/tool
crash_scenario "install --force" v1 "$WORK/two.yaml" install --relax --force apps/standalone

finish
