#!/usr/bin/env bash
# What lands in the rootfs is safe: crafted artifacts (absolute names, "..", device nodes,
# FIFOs, hard links out of the artifact) are refused with nothing written to the rootfs or
# the database; symlinks never lead a write out of the rootfs; a corrupted artifact fails
# its checksum; ownership, modes, setuid/setgid, xattrs, file capabilities, symlinks and
# hard links round-trip through pack -> create-repo -> install. No Docker needed; run as root.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/pkg_lib.sh"

# publish NAME: creates the repository $WORK/repo-NAME from the artifact in $WORK/packed-NAME
# (test/NAME@1.0).
publish() {
  local name=$1
  mkdir -p "$WORK/tree-$name/$name"
  printf 'name: %s\ncategory: test\nversion: "1.0"\n' "$name" >"$WORK/tree-$name/$name/definition.yaml"
  printf '# packed by hand\n' >"$WORK/tree-$name/$name/build.yaml"
  "$LUET" create-repo --tree "$WORK/tree-$name" --packages "$WORK/packed-$name" --output "$WORK/repo-$name" \
    --name "repo-$name" >/dev/null
}

# craft NAME PYTHON: publishes test/NAME whose artifact is the tarball the python snippet fills
# (craft_artifact, pkg_lib.sh).
craft() {
  craft_artifact "$1" "$2"
  publish "$1"
}

# rootfs_state ROOTFS: every path of the rootfs outside luet's own state folder, with its type.
rootfs_state() { (cd "$1" && find . -path ./var/cache/luet -prune -o -printf '%p %y\n' | sort); }

# expect_refused NAME PATTERN: installing test/NAME fails matching PATTERN, and neither the
# rootfs nor the database changed; OUTSIDE stays empty.
expect_refused() {
  local name=$1 pattern=$2 root=$WORK/rootfs-$1
  mkdir -p "$root/etc" "$root/usr" "$root/var/cache/luet"; echo "root:x:0:0" >"$root/etc/passwd"
  write_config "$WORK/luet-$name.yaml" "$root" "$WORK/repo-$name"
  local before; before=$(rootfs_state "$root")
  expect_fail "$name: refused" "$pattern" "$LUET" install -y --config "$WORK/luet-$name.yaml" "test/$name"
  expect_eq "$(rootfs_state "$root")" "$before" "$name: nothing written to the rootfs"
  expect_eq "$(db_query "$root" 'SELECT COUNT(*) FROM packages')" "0" "$name: nothing recorded in the database"
  expect_eq "$(ls -A "$OUTSIDE")" "" "$name: nothing written outside the rootfs"
  expect_eq "$(cat "$root/etc/passwd")" "root:x:0:0" "$name: etc/passwd untouched"
}

OUTSIDE=$WORK/outside; mkdir -p "$OUTSIDE"
echo "-- malicious artifacts"
craft absolute "add(entry('$OUTSIDE/evil'), b'x')"
expect_refused absolute "absolute-test-1.0.package.tar.gz.*entry '$OUTSIDE/evil' has an absolute path"

craft dotdot "add(entry('usr/../../../../../../..$OUTSIDE/evil'), b'x')"
expect_refused dotdot "dotdot-test-1.0.package.tar.gz.*entry 'usr/\.\./.*' contains '\.\.'"

craft chardev "add(entry('dev/mem', tarfile.CHRTYPE, devmajor=1, devminor=1))"
expect_refused chardev "chardev-test-1.0.package.tar.gz: entry 'dev/mem' is a character device node"

craft blockdev "add(entry('dev/sda', tarfile.BLKTYPE, devmajor=8, devminor=0))"
expect_refused blockdev "entry 'dev/sda' is a block device node"

craft fifo "add(entry('run/pipe', tarfile.FIFOTYPE))"
expect_refused fifo "fifo-test-1.0.package.tar.gz: entry 'run/pipe' is a FIFO"

craft hardlink_rootfs "add(entry('usr/share/pw', tarfile.LNKTYPE, linkname='etc/passwd'))"
expect_refused hardlink_rootfs "entry 'usr/share/pw' is a hard link to 'etc/passwd', which is not a file of this artifact"

craft hardlink_abs "add(entry('usr/share/pw', tarfile.LNKTYPE, linkname='$OUTSIDE/f'))"
expect_refused hardlink_abs "entry 'usr/share/pw' is a hard link to '$OUTSIDE/f'"

craft hardlink_up "add(entry('usr/share/pw', tarfile.LNKTYPE, linkname='../../../../../etc/passwd'))"
expect_refused hardlink_up "entry 'usr/share/pw' is a hard link to '\.\./\.\./"

craft dbpath "add(entry('var/cache/luet/luet.sqlite'), b'not a database')"
expect_refused dbpath "dbpath-test-1.0.package.tar.gz \\(test/dbpath-1.0\\): entry 'var/cache/luet/luet.sqlite' is inside luet's database folder"

echo "-- symlinks lead writes into the rootfs, never out of it"
craft symlink_abs "add(entry('x', tarfile.SYMTYPE, linkname='$OUTSIDE')); add(entry('x/passwd'), b'owned\n')"
R=$WORK/rootfs-symlink_abs; mkdir -p "$R"; write_config "$WORK/luet-sl.yaml" "$R" "$WORK/repo-symlink_abs"
expect_ok "symlink x -> $OUTSIDE, then x/passwd: installed" "$LUET" install -y --config "$WORK/luet-sl.yaml" test/symlink_abs
expect_eq "$(ls -A "$OUTSIDE")" "" "nothing written to the real $OUTSIDE"
expect_eq "$(cat "$R$OUTSIDE/passwd" 2>/dev/null)" "owned" "x/passwd landed at ROOTFS$OUTSIDE/passwd"
expect_eq "$(readlink "$R/x")" "$OUTSIDE" "the symlink is kept as packaged"
expect_ok "uninstall it" "$LUET" uninstall -y --config "$WORK/luet-sl.yaml" test/symlink_abs
expect_no_file "$R$OUTSIDE/passwd" "uninstall removes the file it wrote through the symlink"

craft symlink_up "add(entry('usr/share/up', tarfile.SYMTYPE, linkname='../../../../../../../../..')); add(entry('usr/share/up/etc/passwd'), b'owned\n')"
R=$WORK/rootfs-symlink_up; mkdir -p "$R/etc"; echo "root:x:0:0" >"$R/etc/passwd"
write_config "$WORK/luet-su.yaml" "$R" "$WORK/repo-symlink_up"
expect_fail "symlink up -> ../../.., then up/etc/passwd: an unowned file in the way" \
  "file conflict: /usr/share/up/etc/passwd \\(written to /etc/passwd\\) of test/symlink_up-1\\.0 is already on disk and belongs to no installed package" \
  "$LUET" install -y --config "$WORK/luet-su.yaml" test/symlink_up
expect_ok "with --force: installed" "$LUET" install -y --force --config "$WORK/luet-su.yaml" test/symlink_up
expect_eq "$(cat "$R/etc/passwd")" "owned" "up/etc/passwd landed at ROOTFS/etc/passwd (the rootfs is its '/')"
grep -q owned /etc/passwd && fail "the host's /etc/passwd was written" || pass "the host's /etc/passwd is untouched"

echo "-- a symlinked folder does not hide a file conflict"
S=$WORK/owner; mkdir -p "$S/etc"; echo "root:x:0:0" >"$S/etc/passwd"
"$LUET" pack test/owner@1.0 --source "$S" --destination "$WORK/packed-owner" >/dev/null
publish owner
craft sneak "add(entry('x', tarfile.SYMTYPE, linkname='/etc')); add(entry('x/passwd'), b'owned\\n')"
R=$WORK/rootfs-sneak; mkdir -p "$R"; write_config "$WORK/luet-sneak.yaml" "$R" "$WORK/repo-owner" "$WORK/repo-sneak"
expect_ok "install test/owner (etc/passwd)" "$LUET" install -y --config "$WORK/luet-sneak.yaml" test/owner
expect_fail "x -> /etc then x/passwd conflicts with test/owner" \
  "file conflict: /x/passwd \\(written to /etc/passwd\\) of test/sneak-1.0 belongs to installed package test/owner-1.0" \
  "$LUET" install -y --config "$WORK/luet-sneak.yaml" test/sneak
expect_eq "$(cat "$R/etc/passwd")" "root:x:0:0" "test/owner's etc/passwd untouched"
expect_no_file "$R/x" "nothing of test/sneak written"
craft sneakdb "add(entry('y', tarfile.SYMTYPE, linkname='/var/cache')); add(entry('y/luet/luet.sqlite'), b'x')"
expect_refused sneakdb "entry 'y/luet/luet.sqlite' is inside luet's database folder"

echo "-- checksum mismatch"
S=$WORK/good; mkdir -p "$S/usr/bin"; echo good >"$S/usr/bin/good"
"$LUET" pack test/good@1.0 --source "$S" --destination "$WORK/packed-good" >/dev/null
publish good
printf 'garbage' >>"$WORK/repo-good/good-test-1.0.package.tar.gz"
R=$WORK/rootfs-good; mkdir -p "$R"; write_config "$WORK/luet-good.yaml" "$R" "$WORK/repo-good"
expect_fail "corrupted artifact fails the install" "package test/good-1.0: checksum mismatch" \
  "$LUET" install -y --config "$WORK/luet-good.yaml" test/good
expect_no_file "$R/usr/bin/good" "nothing extracted from the corrupted artifact"
expect_eq "$(db_query "$R" 'SELECT COUNT(*) FROM packages')" "0" "nothing recorded for the corrupted artifact"
expect_eq "$(ls "$R/var/cache/luet/packages" 2>/dev/null)" "" "no corrupted artifact left in the packages cache"

echo "-- attributes round-trip through pack -> create-repo -> install"
S=$WORK/attrs; mkdir -p "$S/usr/bin" "$S/etc/app" "$S/srv"
echo suid >"$S/usr/bin/suid"; chown 0:0 "$S/usr/bin/suid"; chmod 4755 "$S/usr/bin/suid"
echo sgid >"$S/usr/bin/sgid"; chown 1234:2345 "$S/usr/bin/sgid"; chmod 2711 "$S/usr/bin/sgid"
echo ping >"$S/usr/bin/ping"; chmod 0755 "$S/usr/bin/ping"; setcap cap_net_raw+ep "$S/usr/bin/ping"
echo conf >"$S/etc/app/app.conf"; chmod 0600 "$S/etc/app/app.conf"; chown 42:43 "$S/etc/app/app.conf"
setfattr -n user.origin -v luet-test "$S/etc/app/app.conf"
chown 7:8 "$S/srv"; chmod 1770 "$S/srv"
ln "$S/usr/bin/suid" "$S/usr/bin/suid-again"
ln -s ../etc/app/app.conf "$S/usr/app.conf"; chown -h 9:10 "$S/usr/app.conf"
"$LUET" pack test/attrs@1.0 --source "$S" --destination "$WORK/packed-attrs" >/dev/null
publish attrs
T=$WORK/packed-attrs/attrs-test-1.0.package.tar.gz
expect_eq "$(python3 -c "
import sys, tarfile
t = tarfile.open('$T')
m = {i.name: i for i in t.getmembers()}
print(m['usr/bin/suid-again'].type == tarfile.LNKTYPE, m['usr/bin/suid-again'].linkname,
      oct(m['usr/bin/sgid'].mode), m['usr/bin/sgid'].uid, m['usr/bin/sgid'].gid,
      'SCHILY.xattr.security.capability' in m['usr/bin/ping'].pax_headers or 'LIBARCHIVE.xattr.security.capability' in m['usr/bin/ping'].pax_headers,
      any(k.endswith('xattr.user.origin') for k in m['etc/app/app.conf'].pax_headers))
")" "True usr/bin/suid 0o2711 1234 2345 True True" "luet pack keeps hard links, modes, ids and xattrs"

R=$WORK/rootfs-attrs; mkdir -p "$R"; write_config "$WORK/luet-attrs.yaml" "$R" "$WORK/repo-attrs"
expect_ok "install test/attrs" "$LUET" install -y --config "$WORK/luet-attrs.yaml" test/attrs
expect_eq "$(stat -c '%a %u:%g' "$R/usr/bin/suid")" "4755 0:0" "setuid kept"
expect_eq "$(stat -c '%a %u:%g' "$R/usr/bin/sgid")" "2711 1234:2345" "setgid and numeric owner kept"
expect_eq "$(stat -c '%a %u:%g' "$R/etc/app/app.conf")" "600 42:43" "private mode and owner kept"
expect_eq "$(stat -c '%a %u:%g' "$R/srv")" "1770 7:8" "sticky folder mode and owner kept"
expect_eq "$(getfattr --only-values -n user.origin "$R/etc/app/app.conf" 2>/dev/null)" "luet-test" "user.* xattr kept"
expect_eq "$(getcap "$R/usr/bin/ping" | awk '{print $2}')" "cap_net_raw=ep" "file capability (security.capability) kept"
expect_eq "$(stat -c '%i' "$R/usr/bin/suid")" "$(stat -c '%i' "$R/usr/bin/suid-again")" "hard link kept (same inode)"
expect_eq "$(readlink "$R/usr/app.conf")" "../etc/app/app.conf" "symlink target kept"
expect_eq "$(stat -c '%u:%g' "$R/usr/app.conf")" "9:10" "symlink owner kept"

echo "-- numeric ids win over names"
craft numeric "add(entry('usr/share/owned', uid=4321, gid=5432, uname='root', gname='root'), b'n\n')"
R=$WORK/rootfs-numeric; mkdir -p "$R"; write_config "$WORK/luet-num.yaml" "$R" "$WORK/repo-numeric"
expect_ok "install test/numeric" "$LUET" install -y --config "$WORK/luet-num.yaml" test/numeric
expect_eq "$(stat -c '%u:%g' "$R/usr/share/owned")" "4321:5432" "owner is the archive's numeric id, not the host's 'root'"

finish
