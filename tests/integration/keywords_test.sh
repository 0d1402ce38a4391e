#!/usr/bin/env bash
# Every build.yaml/definition.yaml keyword on a real Docker engine: the tree in
# trees/keywords (two tree roots merged with two --tree flags) builds, and each artifact
# holds exactly the files its keywords select.
source "$(dirname "$0")/lib.sh"

T=$ROOT/tests/integration/trees/keywords
OUT=$WORK/artifacts
# artifact_files FILE: the non-folder entries of an artifact, sorted, on one line
artifact_files() { tar -tvf "$1" | awk '$1 !~ /^d/ {print $6}' | sort | tr '\n' ' ' | sed 's/ $//'; }
member() { tar -xOf "$1" "$2"; }

expect_ok "build --all over two merged trees" "$LUET" build --tree "$T/t1" --tree "$T/t2" --destination "$OUT" --all
expect_output "Building kw/copier-1.0" "the second tree's package is part of the build"

expect_eq "$(artifact_files "$OUT/base-seed-12.package.tar")" "" "seed (image only, no steps): empty artifact"
expect_eq "$(artifact_files "$OUT/env-delta-kw-1.0+2.package.tar")" \
  "opt/kw/bin/kw opt/kw/context.txt opt/kw/doc/manual.txt opt/kw/greeting opt/kw/path opt/kw/quoted opt/kw/saw-prelude" \
  "delta: steps' files, includes select /opt/kw, excludes win, prelude output left out"
expect_eq "$(member "$OUT/env-delta-kw-1.0+2.package.tar" opt/kw/greeting)" "hello env-delta 1.0+2 kw" \
  "env expanded in steps, PACKAGE_NAME/VERSION/CATEGORY set"
expect_eq "$(member "$OUT/env-delta-kw-1.0+2.package.tar" opt/kw/quoted)" "a b" "a quoted env value keeps its spaces"
case "$(member "$OUT/env-delta-kw-1.0+2.package.tar" opt/kw/path)" in
  *:/opt/kw/bin) pass "env PATH=\$PATH:... expands the image's PATH" ;;
  *) fail "env PATH=\$PATH:... expands the image's PATH (got $(member "$OUT/env-delta-kw-1.0+2.package.tar" opt/kw/path))" ;;
esac
expect_eq "$(member "$OUT/env-delta-kw-1.0+2.package.tar" opt/kw/context.txt)" "from the build context" \
  "files beside the spec are in /luetbuild"
expect_eq "$(member "$OUT/env-delta-kw-1.0+2.package.tar" opt/kw/saw-prelude)" "yes" "steps run after prelude"
expect_eq "$(artifact_files "$OUT/env-delta-doc-kw-1.0+2.package.tar")" "opt/kw/doc/manual.txt" \
  "subpackage: its own includes over the same build result"
expect_eq "$(artifact_files "$OUT/rootfs-kw-0.5.package.tar")" \
  "bin/busybox bin/cat bin/cp bin/echo bin/ls bin/mkdir bin/printf bin/rm bin/sh bin/test" \
  "package_dir: the folder's content rebased to /"
grep -q '^d.* tmp/\?$' <<<"$(tar -tvf "$OUT/rootfs-kw-0.5.package.tar")" && pass "package_dir keeps empty folders" || fail "package_dir keeps empty folders"
expect_eq "$(artifact_files "$OUT/final-kw-1.0.package.tar")" "final.txt" "requires_final_images: only the steps' files"
expect_eq "$(member "$OUT/final-kw-1.0.package.tar" final.txt)" "hello env-delta 1.0+2 kw" \
  "requires_final_images: the build ran on the squashed artifacts (no gcc, no prelude file)"
expect_eq "$(artifact_files "$OUT/joined-kw-1.0.package.tar")" "joined.txt" "join (deprecated): same as requires_final_images"
expect_eq "$(member "$OUT/joined-kw-1.0.package.tar" joined.txt)" "/bin/busybox" "join: the joined package's files are there"
expect_eq "$(artifact_files "$OUT/meta-kw-1.package.tar")" "" "virtual package: empty artifact"
expect_eq "$(artifact_files "$OUT/copier-kw-1.0.package.tar")" "copy-result/debian_version copy-result/greeting" \
  "copy: files from a package image and from an image; copied files themselves not packaged"
expect_eq "$(member "$OUT/copier-kw-1.0.package.tar" copy-result/greeting)" "hello env-delta 1.0+2 kw" "copy from package"
expect_eq "$(member "$OUT/copier-kw-1.0.package.tar" copy-result/debian_version)" "$(docker run --rm luet-example/debian-gcc:12 cat /etc/debian_version)" "copy from image"

# The runtime keywords travel into the metadata and the repository tree.
grep -q "team: builders" "$OUT/env-delta-kw-1.0+2.metadata.yaml" && pass "labels in metadata" || fail "labels in metadata"
expect_ok "create-repo" "$LUET" create-repo --tree "$T/t1" --tree "$T/t2" --packages "$OUT" --output "$WORK/repo" --name kw
mkdir -p "$WORK/tree" && tar -xzf "$WORK/repo/tree.tar.gz" -C "$WORK/tree"
def=$WORK/tree/kw/env-delta/1.0+2/definition.yaml
for key in "hidden: true" "team: builders" "config_protect: /opt/kw/etc" "license: MIT" "https://example.invalid/kw" \
           "name: greeter" "name: legacy" 'version: ">=0.1, <1.0"' "^/opt/kw/doc"; do
  grep -qF -- "${key#^}" "$def" && pass "repository definition keeps '$key'" || fail "repository definition keeps '$key'"
done
expect_file "$WORK/tree/kw/env-delta-doc/1.0+2/definition.yaml" "the subpackage is in the repository tree"

finish
