#!/usr/bin/env bash
# The walking skeleton end to end: build the example tree with docker, create a disk
# repository, install into a fresh rootfs, run the program, uninstall.
source "$(dirname "$0")/lib.sh"

TREE=$ROOT/examples/tree
echo "build_install_test: building the example tree in $WORK"
expect_ok "luet build --all" "$LUET" build --tree "$TREE" --destination "$WORK/build" --compression gzip --all
for p in debian-gcc-seed-12 libc-system-2.36 busybox-utils-1.35.0 hello-apps-1.0; do
  expect_file "$WORK/build/$p.package.tar.gz" "artifact $p"
  expect_file "$WORK/build/$p.metadata.yaml" "metadata $p"
done
# Delta: only what the steps added; unpack + includes: only the selected files.
tar -tzf "$WORK/build/hello-apps-1.0.package.tar.gz" >"$WORK/hello.list"
expect_eq "$(grep -c . "$WORK/hello.list" | tr -d ' ')" "$(grep -cE '^usr/?$|^usr/bin/?$|^usr/bin/hello$' "$WORK/hello.list")" "hello artifact holds only usr/bin/hello and its folders"
grep -q '^usr/bin/hello$' "$WORK/hello.list" && pass "hello artifact has usr/bin/hello" || fail "hello artifact has usr/bin/hello"
tar -tzf "$WORK/build/libc-system-2.36.package.tar.gz" >"$WORK/libc.list"
grep -qE 'linux-gnu/libc\.so\.6$' "$WORK/libc.list" && pass "libc artifact has libc.so.6" || fail "libc artifact has libc.so.6"
if grep -qE '^(usr/bin/gcc|bin/busybox)$' "$WORK/libc.list"; then fail "libc artifact is filtered by includes"; else pass "libc artifact is filtered by includes"; fi
tar -tzf "$WORK/build/busybox-utils-1.35.0.package.tar.gz" >"$WORK/bb.list"
expect_eq "$(sed "s|/$||" "$WORK/bb.list" | sort | tr "\n" " ")" "bin bin/busybox bin/sh " "package_dir rebases /out to /"
grep -q "sha256: $(sha256sum "$WORK/build/hello-apps-1.0.package.tar.gz" | cut -d' ' -f1)" "$WORK/build/hello-apps-1.0.metadata.yaml" \
  && pass "metadata has the artifact sha256" || fail "metadata has the artifact sha256"

expect_ok "luet create-repo" "$LUET" create-repo --tree "$TREE" --packages "$WORK/build" --output "$WORK/repo" \
  --name example --descr "Example repository" --urls "$WORK/repo" --type disk --with-compilertree
expect_file "$WORK/repo/repository.yaml" "repository.yaml"
for key in treev2 tree meta compilertree; do
  file=$(awk -v k="  $key:" '$0==k{getline; print $2}' "$WORK/repo/repository.yaml")
  sum=$(awk -v k="  $key:" '$0==k{f=1} f&&/sha256:/{print $2; exit}' "$WORK/repo/repository.yaml")
  expect_eq "$(sha256sum "$WORK/repo/$file" | cut -d' ' -f1)" "$sum" "repository.yaml checksum of $key ($file)"
done
expect_file "$WORK/repo/hello-apps-1.0.package.tar.gz" "artifacts copied into the repository"
# grep -q on a pipe would end tar early (SIGPIPE) and fail the pipeline under pipefail.
tree_list=$(tar -tzf "$WORK/repo/tree.tar.gz")
grep -q '^apps/hello/1.0/definition.yaml$' <<<"$tree_list" && pass "tree tarball layout" || fail "tree tarball layout"

ROOTFS=$WORK/rootfs
mkdir -p "$ROOTFS"
write_config "$WORK/luet.yaml" "$ROOTFS" "$WORK/repo"
expect_ok "luet config" "$LUET" config --config "$WORK/luet.yaml"
expect_output "rootfs: $ROOTFS" "config prints the rootfs"

# As geaaru/luet: a package no repository has is a warning and exit 0 ("No packages to install.");
# --fatal turns the warning into an error.
expect_ok "unknown package: exit 0 as upstream" "$LUET" install -y --config "$WORK/luet.yaml" apps/nope
expect_output "package 'apps/nope' not found in any repository" "the unknown package is named"
expect_fail "unknown package with --fatal is refused" "apps/nope" "$LUET" install --fatal -y --config "$WORK/luet.yaml" apps/nope
expect_no_file "$ROOTFS/var/cache/luet/packages/hello-apps-1.0.package.tar.gz" "nothing fetched for an unknown package"
expect_ok "unsatisfiable selector: exit 0 as upstream" "$LUET" install -y --config "$WORK/luet.yaml" "apps/hello@>=2.0"
expect_output "no version of apps/hello matches apps/hello>=2.0: the repositories have apps/hello-1.0" "the selector and the versions are named"
expect_fail "unsatisfiable selector with --fatal is refused" "apps/hello" "$LUET" install --fatal -y --config "$WORK/luet.yaml" "apps/hello@>=2.0"

expect_ok "luet install apps/hello utils/busybox" "$LUET" install -y --config "$WORK/luet.yaml" apps/hello utils/busybox
expect_output "Installed system/libc-2.36" "runtime requires pulled system/libc"
expect_file "$ROOTFS/usr/bin/hello" "hello installed"
expect_file "$ROOTFS/bin/busybox" "busybox installed"
expect_file "$ROOTFS/bin/ls" "busybox finalizer ran in the rootfs"
out=$(chroot "$ROOTFS" /usr/bin/hello 2>&1) || true
# Only the first line in the message (a `| head -1` here died of SIGPIPE under pipefail).
case "$out" in *"Hello from luet"*) pass "installed program runs in the rootfs: ${out%%$'\n'*}" ;; *) fail "installed program output: $out" ;; esac
expect_eq "$(db_query "$ROOTFS" 'select count(*) from packages')" "3" "database records 3 packages"
expect_eq "$(db_query "$ROOTFS" "select p.name from files f join packages p on p.id=f.package_id where f.path='usr/bin/hello'")" "hello" "database knows who owns usr/bin/hello"

expect_ok "install again" "$LUET" install -y --config "$WORK/luet.yaml" apps/hello
expect_output "No packages to install" "install again says No packages to install"

expect_ok "uninstall --pretend of a required package" "$LUET" uninstall -y --pretend --config "$WORK/luet.yaml" system/libc
expect_output "apps/hello-1.0 requires system/libc.* it is removed too" "names the package that would leave with it (geaaru)"
expect_file "$ROOTFS/usr/lib/x86_64-linux-gnu/libc.so.6" "libc still there after --pretend"

expect_ok "luet uninstall apps/hello" "$LUET" uninstall -y --config "$WORK/luet.yaml" apps/hello
expect_no_file "$ROOTFS/usr/bin/hello" "hello removed"
expect_file "$ROOTFS/bin/busybox" "busybox kept"
expect_file "$ROOTFS/usr/lib/x86_64-linux-gnu/libc.so.6" "libc kept"
expect_eq "$(db_query "$ROOTFS" "select count(*) from files f join packages p on p.id=f.package_id where p.name='hello'")" "0" "hello's files gone from the database"
expect_fail "uninstall of a package not installed" "not installed" "$LUET" uninstall -y --config "$WORK/luet.yaml" apps/hello

# A corrupted artifact is refused before anything is written.
cp -a "$WORK/repo" "$WORK/badrepo"
printf 'corrupted' >>"$WORK/badrepo/hello-apps-1.0.package.tar.gz"
mkdir -p "$WORK/rootfs2"
write_config "$WORK/luet2.yaml" "$WORK/rootfs2" "$WORK/badrepo"
expect_fail "checksum mismatch is refused" "checksum mismatch" "$LUET" install -y --config "$WORK/luet2.yaml" apps/hello
expect_no_file "$WORK/rootfs2/usr" "nothing extracted after a checksum mismatch"
expect_eq "$(db_query "$WORK/rootfs2" 'select count(*) from packages')" "0" "nothing recorded after a checksum mismatch"

finish
