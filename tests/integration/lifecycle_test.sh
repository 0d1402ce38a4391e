#!/usr/bin/env bash
# The install life cycle without Docker: packages made with `luet pack`, published with
# create-repo in two revisions, then install (--download-only, --nodeps, --onlydeps, --force,
# --relax, finalizers), uninstall (--nodeps, --full), upgrade (+N revisions, a file moving
# between packages, --universe), reinstall, replace, and the rootfs lock.
source "$(dirname "$0")/lib.sh"

source "$(dirname "$0")/pkg_lib.sh"

T1=$WORK/tree1
# A static shell, so that finalizers can run in the rootfs with chroot.
mkdir -p "$WORK/src/system-shell-1.0/bin" && cp /bin/busybox "$WORK/src/system-shell-1.0/bin/sh"
pkg "$T1" system shell 1.0 "" ""
pkg "$T1" libs base 1.0 "" "" usr/lib/base.so="base 1.0" usr/share/moving/data="moving 1.0"
pkg "$T1" apps tool 1.0 "libs/base>=1.0 system/shell" 'echo "greeting=$GREETING" > /tool-finalized' \
  usr/bin/tool="tool 1.0"
pkg "$T1" apps extra 1.0 "libs/base" "" usr/bin/extra="extra 1.0"
pkg "$T1" apps clash 1.0 "" "" usr/bin/tool="clash 1.0"
pkg "$T1" apps broken 1.0 "system/shell" "exit 3" usr/bin/broken="broken 1.0"
pkg "$T1" apps standalone 1.0 "" "" usr/bin/standalone="standalone 1.0"
REPO=$WORK/repo
expect_ok "create-repo, first revision" "$LUET" create-repo --tree "$T1" --packages "$P" --output "$REPO" --name life

# config ROOTFS: a luet.yaml for ROOTFS on the repository, with a finalizer environment.
config() {
  mkdir -p "$1"; write_config "$1.yaml" "$1" "$REPO"
  printf 'finalizer_envs:\n  GREETING: hello\n' >>"$1.yaml"
  echo "$1.yaml"
}
pkgs() { db_query "$1" "select category||'/'||name||'-'||version from packages order by category, name" | tr '\n' ' '; }

echo "-- install"
R=$WORK/r; C=$(config "$R")
expect_ok "install --download-only" "$LUET" install -y --config "$C" --download-only apps/tool
expect_output "Package apps/tool-1.0 downloaded" "the download is reported"
expect_file "$R/var/cache/luet/packages/tool-apps-1.0.package.tar.gz" "the artifact is in the packages cache"
expect_no_file "$R/usr/bin/tool" "--download-only installs nothing"
expect_eq "$(pkgs "$R")" "" "--download-only records nothing"

expect_ok "install apps/tool with its dependencies" "$LUET" install -y --config "$C" apps/tool
expect_eq "$(pkgs "$R")" "apps/tool-1.0 libs/base-1.0 system/shell-1.0 " "tool, base and shell recorded"
expect_eq "$(cat "$R/usr/bin/tool")" "tool 1.0" "tool's file installed"
expect_eq "$(cat "$R/tool-finalized" 2>/dev/null)" "greeting=hello" "the finalizer ran with finalizer_envs"
expect_ok "install again" "$LUET" install -y --config "$C" apps/tool
expect_output "No packages to install" "nothing left to install"

expect_fail "a file of another package is a conflict" "file conflict: /usr/bin/tool of apps/clash-1.0 belongs to installed package apps/tool-1.0" \
  "$LUET" install -y --config "$C" apps/clash
expect_eq "$(cat "$R/usr/bin/tool")" "tool 1.0" "the conflicting install wrote nothing"
expect_eq "$(pkgs "$R")" "apps/tool-1.0 libs/base-1.0 system/shell-1.0 " "the conflicting install recorded nothing"
R10=$WORK/r10; C10=$(config "$R10")
expect_fail "two new packages with one file (geaaru's wording)" "Error: file usr/bin/tool conflict between package apps/(tool|clash)-1.0 and apps/(clash|tool)-1.0" \
  "$LUET" install -y --config "$C10" apps/tool apps/clash
expect_no_file "$R10/usr/bin/tool" "the conflicting pair wrote nothing"
out=$("$LUET" install -y --config "$C10" apps/tool apps/clash 2>/dev/null) || true
case "$out" in *"Error: file usr/bin/tool conflict between package"*) pass "the error is on stdout too when stdout is captured alone (geaaru prints it there)" ;;
  *) fail "the error is on stdout too when stdout is captured alone: got '$out'" ;; esac
expect_ok "install --force overwrites" "$LUET" install -y --config "$C" --force apps/clash
expect_eq "$(cat "$R/usr/bin/tool")" "clash 1.0" "the forced package's content"
expect_ok "uninstall the forced package" "$LUET" uninstall -y --config "$C" apps/clash
expect_file "$R/usr/bin/tool" "a file another package owns stays"

echo "-- reinstall"
expect_ok "reinstall apps/tool" "$LUET" reinstall -y --config "$C" --finalizer-env GREETING=again apps/tool
expect_eq "$(cat "$R/usr/bin/tool")" "tool 1.0" "reinstall puts the package's content back"
expect_eq "$(cat "$R/tool-finalized")" "greeting=again" "--finalizer-env overrides finalizer_envs"
expect_eq "$(db_query "$R" "select count(*) from files where path='usr/bin/tool'")" "1" "the file has one owner again"
expect_fail "reinstall a package that is not installed" "apps/extra is not installed" \
  "$LUET" reinstall -y --config "$C" apps/extra

echo "-- install --nodeps / --onlydeps"
R2=$WORK/r2; C2=$(config "$R2")
expect_ok "install --nodeps" "$LUET" install -y --config "$C2" --nodeps apps/extra
expect_eq "$(pkgs "$R2")" "apps/extra-1.0 " "only the package itself"
R3=$WORK/r3; C3=$(config "$R3")
expect_ok "install --onlydeps" "$LUET" install -y --config "$C3" --onlydeps apps/extra
expect_eq "$(pkgs "$R3")" "libs/base-1.0 " "only its dependencies"
expect_no_file "$R3/usr/bin/extra" "the package's files are not there"

echo "-- uninstall"
expect_ok "uninstall --pretend a required package" "$LUET" uninstall -y --pretend --config "$C" libs/base
expect_output "apps/tool-1.0 requires libs/base>=1.0 .libs/base-1.0 leaves.: it is removed too" "the reverse dependency is named"
expect_file "$R/usr/lib/base.so" "--pretend removed nothing"
R9=$WORK/r9; C9=$(config "$R9")
expect_ok "install apps/tool and apps/standalone" "$LUET" install -y --config "$C9" apps/tool apps/standalone
expect_ok "uninstall a required package (geaaru: its reverse dependencies leave too)" "$LUET" uninstall -y --config "$C9" libs/base
expect_output "Uninstalled apps/tool-1.0" "the package requiring it is uninstalled"
expect_eq "$(pkgs "$R9")" "apps/standalone-1.0 system/shell-1.0 " "base and tool left, the rest stays"
expect_no_file "$R9/usr/bin/tool" "the reverse dependency's files are gone"
R6=$WORK/r6; C6=$(config "$R6")
expect_ok "install apps/tool and apps/standalone" "$LUET" install -y --config "$C6" apps/tool apps/standalone
expect_ok "uninstall --nodeps a required package" "$LUET" uninstall -y --config "$C6" --nodeps libs/base
expect_eq "$(pkgs "$R6")" "apps/standalone-1.0 apps/tool-1.0 system/shell-1.0 " "only the named package left"
expect_no_file "$R6/usr/lib/base.so" "its files are gone"
expect_no_file "$R6/usr/share/moving" "its empty folders are gone"
expect_ok "uninstall --full" "$LUET" uninstall -y --config "$C6" --full apps/tool
expect_eq "$(pkgs "$R6")" "apps/standalone-1.0 " "the dependencies nothing else requires went too"
expect_no_file "$R6/bin/sh" "the orphan's files are gone"
expect_fail "uninstall a package that is not installed" "apps/tool is not installed" \
  "$LUET" uninstall -y --config "$C6" apps/tool

echo "-- finalizer failure"
R7=$WORK/r7; C7=$(config "$R7")
expect_fail "a failing finalizer fails the command" "finalizer of apps/broken-1.0 failed \(exit 3\)" \
  "$LUET" install -y --config "$C7" apps/broken
expect_eq "$(pkgs "$R7")" "apps/broken-1.0 system/shell-1.0 " "the install stays"
expect_file "$R7/usr/bin/broken" "its files stay"

echo "-- killed after the commit"
R8=$WORK/r8; C8=$(config "$R8")
rc=0; { LUET_TEST_CRASH_AT=commit:1 "$LUET" install -y --config "$C8" apps/tool >/dev/null 2>&1; } 2>/dev/null || rc=$?
expect_eq "$rc" "137" "install killed right after its commit"
expect_no_file "$R8/tool-finalized" "the finalizer did not run before the kill"
expect_fail "the next command finishes the transaction" "Finished an interrupted transaction" \
  "$LUET" uninstall -y --config "$C8" nothing/none
expect_output "Finalizer of apps/tool-1.0" "the pending finalizer is run"
expect_eq "$(cat "$R8/tool-finalized" 2>/dev/null)" "greeting=hello" "the finalizer ran with finalizer_envs"
expect_eq "$(db_query "$R8" "select count(*) from journal")" "0" "the journal is cleared"

echo "-- lock"
exec {lockfd}>"$R/var/cache/luet/luet.lock"
flock -n "$lockfd"
expect_fail "a second process cannot change a locked rootfs" "Another process is running" \
  "$LUET" install -y --config "$C" apps/standalone
expect_no_file "$R/usr/bin/standalone" "nothing installed while locked"
exec {lockfd}>&-
expect_ok "the lock is free again" "$LUET" install -y --config "$C" apps/standalone

# Rootfs for --relax and --universe, made from the first revision.
R4=$WORK/r4; C4=$(config "$R4"); R5=$WORK/r5; C5=$(config "$R5")
"$LUET" install -y --config "$C4" libs/base >/dev/null
"$LUET" install -y --config "$C5" libs/base >/dev/null

echo "-- second revision: upgrade"
T2=$WORK/tree2; cp -r "$T1" "$T2"
pkg "$T2" libs base 1.0+1 "" "" usr/lib/base.so="base 1.0+1"
pkg "$T2" apps tool 1.1 "libs/base>=1.0 system/shell" "" usr/bin/tool="tool 1.1" usr/share/moving/data="moving 1.1"
expect_ok "create-repo, second revision" "$LUET" create-repo --tree "$T2" --packages "$P" --output "$REPO" --name life
# Commands read the local copy (geaaru/luet's rule): without a sync the new revision is unseen.
expect_ok "upgrade before any sync" "$LUET" upgrade -y --config "$C"
expect_output "Nothing to do" "nothing to upgrade from the local copy of the first revision"
expect_ok "upgrade --download-only --sync-repos" "$LUET" upgrade -y --config "$C" --download-only --sync-repos
expect_output "Repository: repo1 Revision: 2" "--sync-repos synced the second revision"
expect_output "Package apps/tool-1.1 downloaded" "the new version is downloaded"
expect_eq "$(cat "$R/usr/bin/tool")" "tool 1.0" "--download-only upgrades nothing"
expect_ok "upgrade" "$LUET" u -y --config "$C"
expect_eq "$(pkgs "$R")" "apps/standalone-1.0 apps/tool-1.1 libs/base-1.0+1 system/shell-1.0 " "new versions and +N revisions recorded"
expect_eq "$(cat "$R/usr/bin/tool")" "tool 1.1" "tool upgraded"
expect_eq "$(cat "$R/usr/lib/base.so")" "base 1.0+1" "base upgraded to its build revision"
expect_eq "$(cat "$R/usr/share/moving/data")" "moving 1.1" "a file moving from base to tool is not a conflict"
expect_eq "$(db_query "$R" "select p.name from files f join packages p on p.id=f.package_id where path='usr/share/moving/data'")" \
  "tool" "the moved file belongs to its new package only"
expect_ok "upgrade again" "$LUET" upgrade -y --config "$C"
expect_output "Nothing to do" "nothing left to upgrade"

echo "-- install --relax"
for c in "$C4" "$C5"; do "$LUET" repo update --config "$c" >/dev/null; done
expect_ok "install --relax keeps installed versions" "$LUET" install -y --config "$C4" --relax apps/extra
expect_eq "$(pkgs "$R4")" "apps/extra-1.0 libs/base-1.0 " "base stays at 1.0"
expect_ok "install without --relax upgrades too" "$LUET" install -y --config "$C5" apps/extra
expect_eq "$(pkgs "$R5")" "apps/extra-1.0 libs/base-1.0+1 " "base upgraded with the install"
expect_ok "upgrade --universe" "$LUET" upgrade -y --config "$C4" --universe
expect_eq "$(pkgs "$R4")" "apps/extra-1.0 libs/base-1.0+1 " "the solver upgrades base"

expect_ok "uninstall --force a required package" "$LUET" rm -y --config "$C5" --force libs/base
expect_eq "$(pkgs "$R5")" "apps/extra-1.0 " "--force ignores the reverse dependency"

echo "-- replace"
expect_ok "replace apps/standalone --for apps/extra" "$LUET" replace -y --config "$C" apps/standalone --for apps/extra
expect_eq "$(pkgs "$R")" "apps/extra-1.0 apps/tool-1.1 libs/base-1.0+1 system/shell-1.0 " "one out, one in"
expect_no_file "$R/usr/bin/standalone" "the old package's files are gone"
expect_file "$R/usr/bin/extra" "the new package's files are there"
expect_fail "replace a package that is not installed" "apps/clash is not installed" \
  "$LUET" replace -y --config "$C" apps/clash --for apps/standalone
expect_eq "$(pkgs "$R")" "apps/extra-1.0 apps/tool-1.1 libs/base-1.0+1 system/shell-1.0 " "the refused replace changed nothing"
expect_no_file "$R/var/cache/luet/transaction-backup" "no backup left behind"

finish
