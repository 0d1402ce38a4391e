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

# Run in a package folder, pack takes ./definition.yaml as the runtime (as upstream does).
D=$WORK/def/baz; mkdir -p "$D"
printf 'name: baz\ncategory: foo\nversion: "1.0"\ndescription: the baz\nlicense: MIT\nrequires:\n- {name: bar, category: foo, version: ">=1.0"}\n' \
  >"$D/definition.yaml"
expect_ok "pack inside a package folder" bash -c "cd '$D' && '$LUET' pack foo/baz@1.0 --source '$S' --destination '$WORK/packed2'"
M=$WORK/packed2/baz-foo-1.0.metadata.yaml
grep -q '^  description: the baz$' "$M" && pass "metadata runtime has the definition's description" \
  || fail "metadata runtime has the definition's description"
grep -A3 '^  requires:' "$M" | grep -q "version: '>=1.0'" && pass "metadata runtime has the definition's requires" \
  || fail "metadata runtime has the definition's requires"
grep -q '^  version: "1.0"$' "$M" && pass "version quoted (a string to every YAML reader)" || fail "version quoted"
grep -A12 '^compilespec:' "$M" | grep -q '^    name: baz$' && pass "compilespec.package names the package" \
  || fail "compilespec.package names the package"
expect_fail "pack refuses a definition of another package" "defines foo/baz-1.0, not foo/baz-2.0" \
  bash -c "cd '$D' && '$LUET' pack foo/baz@2.0 --source '$S' --destination '$WORK/packed2'"
C=$WORK/def/coll; mkdir -p "$C"
printf 'packages:\n- {name: one, category: foo, version: "1.0", description: first}\n- {name: two, category: foo, version: "1.0", description: second}\n' \
  >"$C/collection.yaml"
expect_ok "pack inside a collection folder" bash -c "cd '$C' && '$LUET' pack foo/two@1.0 --source '$S' --destination '$WORK/packed2'"
grep -q '^  description: second$' "$WORK/packed2/two-foo-1.0.metadata.yaml" && pass "the collection entry is the runtime" \
  || fail "the collection entry is the runtime"

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
