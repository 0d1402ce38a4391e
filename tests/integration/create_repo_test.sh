#!/usr/bin/env bash
# create-repo's flags of both upstreams (mudler/luet cmd/create-repo.go, geaaru/luet
# luet-build/cmd/create-repo.go) over the artifacts of tests/fixtures/upstream (no Docker).
source "$(dirname "$0")/lib.sh"

F=$ROOT/tests/fixtures/upstream
P=$WORK/packages; mkdir -p "$P"
cp "$F"/geaaru-treev2/*.package.tar.gz "$F"/geaaru-treev2/*.metadata.yaml "$P/"
key() { sed -n "s/^$1: //p" "$WORK/repo/repository.yaml"; }

expect_ok "create-repo with upstream's defaults" "$LUET" create-repo --tree "$F/tree" --packages "$P" --output "$WORK/repo"
expect_eq "$(key name)/$(key description)/$(key type)/$(key priority)/$(key enable)/$(key cached)/$(key revision)" \
  "luet/luet/disk/9999/true/true/1" "repository.yaml: name, descr, type, priority, enable, cached, revision"
expect_file "$WORK/repo/tree.tar.gz" "tree document tree.tar + gzip = tree.tar.gz (mudler's default)"
expect_file "$WORK/repo/repository.meta.yaml.tar" "meta document repository.meta.yaml.tar, uncompressed (mudler's default)"
expect_no_file "$WORK/repo/compilertree.tar.zst" "no compilertree without --with-compilertree (geaaru)"
grep -q '^  treev2:' "$WORK/repo/repository.yaml" && grep -q '^  tree:' "$WORK/repo/repository.yaml" \
  && grep -q '^  meta:' "$WORK/repo/repository.yaml" && pass "repo_files: treev2, tree and meta" || fail "repo_files: treev2, tree and meta"
expect_eq "$(tar -tzf "$WORK/repo/tree.tar.gz" | grep -c 'metadata.json$')" "6" "one metadata.json per package"
expect_eq "$(stat -c %a "$WORK/repo/repository.yaml")" "644" "repository.yaml mode"
expect_eq "$(tar -tvzf "$WORK/repo/tree.tar.gz" | awk '$1 ~ /^d/ {print $1}' | sort -u)" "drwxr-xr-x" "tree folders 0755 in the tarball"

expect_ok "second run, --urls comma separated" "$LUET" create-repo --tree "$F/tree" --packages "$P" --output "$WORK/repo" \
  --urls http://a.invalid,http://b.invalid
expect_eq "$(sed -n '/^urls:/,/^[a-z]/p' "$WORK/repo/repository.yaml" | grep -c 'http://[ab].invalid')" "2" "two urls"
expect_eq "$(key revision)" "2" "the revision goes up"
expect_ok "--reset-revision" "$LUET" create-repo --tree "$F/tree" --packages "$P" --output "$WORK/repo" --reset-revision
expect_eq "$(key revision)" "1" "--reset-revision writes revision 1"

expect_ok "file names and compressions" "$LUET" create-repo --tree "$F/tree" --packages "$P" --output "$WORK/repo" \
  --tree-filename t.tar.zst --tree-compression none --meta-filename m.tar --meta-compression zstd --with-compilertree
expect_file "$WORK/repo/t.tar.zst" "--tree-filename (compression from the .zst name, geaaru's autodetect)"
expect_file "$WORK/repo/m.tar.zst" "--meta-filename + --meta-compression zstd"
expect_file "$WORK/repo/compilertree.tar.zst" "--with-compilertree"
grep -A2 '^  treev2:' "$WORK/repo/repository.yaml" | grep -q 'compressiontype: zstd' && pass "treev2 compressiontype zstd" \
  || fail "treev2 compressiontype zstd"
expect_eq "$(tar --zstd -tf "$WORK/repo/compilertree.tar.zst" | grep -c '^tree/.*/build.yaml$')" "6" "compilertree: tree/ with every build.yaml"
expect_ok "--tree-filename with a compressed name" "$LUET" create-repo --tree "$F/tree" --packages "$P" --output "$WORK/z" \
  --tree-filename foo.tar.zst
expect_eq "$(ls "$WORK/z" | grep '^foo\.tar')" "foo.tar.zst" "without --tree-compression the name's .zst says the compression"
expect_fail "the same name twice is refused" "both name" "$LUET" create-repo --tree "$F/tree" --packages "$P" \
  --output "$WORK/x" --tree-filename a.tar --tree-compression none --meta-filename a.tar

expect_ok "--snapshot-id" "$LUET" create-repo --tree "$F/tree" --packages "$P" --output "$WORK/repo" --snapshot-id snap1
expect_file "$WORK/repo/snap1-repository.yaml" "snapshot repository.yaml"
grep -q 'filename: snap1-tree.tar.gz' "$WORK/repo/snap1-repository.yaml" && [ -f "$WORK/repo/snap1-tree.tar.gz" ] \
  && pass "the snapshot names its own copies" || fail "the snapshot names its own copies"
grep -q 'filename: tree.tar.gz' "$WORK/repo/repository.yaml" && pass "repository.yaml names the current documents" \
  || fail "repository.yaml names the current documents"

echo "-- packages that left the tree, missing tarballs"
cp -a "$F/tree" "$WORK/tree"; rm -rf "$WORK/tree/libs/libfoo/2.0"
expect_ok "create-repo without libs/libfoo 2.0 in the tree" "$LUET" create-repo --tree "$WORK/tree" --packages "$P" --output "$WORK/r2"
expect_output "\[libs/libfoo-2.0\] No more in the tree. Ignoring the package." "upstream's note"
expect_eq "$(tar -tzf "$WORK/r2/tree.tar.gz" | grep -c '^libs/libfoo/2.0/')" "0" "the package is not published"
expect_no_file "$WORK/r2/libfoo-libs-2.0.package.tar.gz" "nor its artifact"
expect_ok "--from-metadata keeps it" "$LUET" create-repo --tree "$WORK/tree" --packages "$P" --output "$WORK/r3" --from-metadata
expect_file "$WORK/r3/libfoo-libs-2.0.package.tar.gz" "its artifact is published"
rm "$P/legacy-apps-1.0.package.tar.gz"
expect_fail "a metadata file without its artifact is an error" "legacy-apps-1.0.metadata.yaml: the artifact .* is missing" \
  "$LUET" create-repo --tree "$F/tree" --packages "$P" --output "$WORK/r4"
expect_ok "--check-package-tarball leaves it out" "$LUET" create-repo --tree "$F/tree" --packages "$P" --output "$WORK/r4" \
  --check-package-tarball
expect_output "\[apps/legacy-1.0\] Found metadata file legacy-apps-1.0.metadata.yaml without runtime pkg tarball. Ignoring it." \
  "geaaru's note"

echo "-- --repo: the repository of the configuration"
cat >"$WORK/luet.yaml" <<EOF
repositories:
- {name: configured, description: from the config, type: http, priority: 7, urls: ["http://example.invalid/repo"]}
EOF
expect_ok "--repo configured" "$LUET" create-repo --config "$WORK/luet.yaml" --repo configured --tree "$F/tree" \
  --packages "$P" --output "$WORK/repo" --check-package-tarball
expect_eq "$(key name)/$(key description)/$(key type)/$(key priority)" "configured/from the config/http/7" \
  "name, description, type and priority from the configuration"
grep -q 'http://example.invalid/repo' "$WORK/repo/repository.yaml" && pass "urls from the configuration" \
  || fail "urls from the configuration"
expect_fail "--repo with an unknown name" "no repository named 'nope'" "$LUET" create-repo --config "$WORK/luet.yaml" \
  --repo nope --tree "$F/tree" --packages "$P" --output "$WORK/repo"

finish
