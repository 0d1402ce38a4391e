#!/usr/bin/env bash
# luet pack: an artifact from a folder without a container, published with create-repo and
# installed (no Docker needed).
source "$(dirname "$0")/lib.sh"

S=$WORK/src; mkdir -p "$S/etc/foo" "$S/usr/bin"
echo "my config" >"$S/etc/foo/foo.conf"
printf '#!/bin/sh\necho foo\n' >"$S/usr/bin/foo"; chmod 755 "$S/usr/bin/foo"
ln -s foo "$S/usr/bin/foo-link"
expect_ok "pack" "$LUET" pack foo/bar@1.1 --source "$S" --destination "$WORK/packed"
expect_file "$WORK/packed/bar-foo-1.1.package.tar.gz" "gzip artifact named NAME-CATEGORY-VERSION"
expect_file "$WORK/packed/bar-foo-1.1.metadata.yaml" "metadata beside it"
expect_eq "$(tar -tzvf "$WORK/packed/bar-foo-1.1.package.tar.gz" | awk '$1 !~ /^d/ {print $6}' | sort | tr '\n' ' ')" \
  "etc/foo/foo.conf usr/bin/foo usr/bin/foo-link " "the folder's files, symlink included"
grep -q "$(sha256sum "$WORK/packed/bar-foo-1.1.package.tar.gz" | cut -d' ' -f1)" "$WORK/packed/bar-foo-1.1.metadata.yaml" \
  && pass "metadata holds the artifact's sha256" || fail "metadata holds the artifact's sha256"
expect_fail "pack refuses a version selector" "needs an exact version" "$LUET" pack 'foo/bar@>=1.0' --source "$S" --destination "$WORK/x"
expect_fail "pack refuses a missing source" "is not a folder" "$LUET" pack foo/bar@1.1 --source "$WORK/nope" --destination "$WORK/x"

# A tree with its definition (build.yaml: a virtual spec), then repository and install.
mkdir -p "$WORK/tree/bar"
printf 'name: bar\ncategory: foo\nversion: "1.1"\n' >"$WORK/tree/bar/definition.yaml"
printf '# packed by hand\n' >"$WORK/tree/bar/build.yaml"
expect_ok "create-repo from packed artifacts" "$LUET" create-repo --tree "$WORK/tree" --packages "$WORK/packed" --output "$WORK/repo" --name packed
R=$WORK/rootfs; mkdir -p "$R"; write_config "$WORK/luet.yaml" "$R" "$WORK/repo"
expect_ok "install the packed package" "$LUET" install -y --config "$WORK/luet.yaml" foo/bar
expect_eq "$(cat "$R/etc/foo/foo.conf")" "my config" "installed content"
expect_eq "$(readlink "$R/usr/bin/foo-link")" "foo" "symlink round-trips"
[ -x "$R/usr/bin/foo" ] && pass "mode round-trips" || fail "mode round-trips"

finish
