#!/usr/bin/env bash
# Bad trees: each error names the file and the package, exits non-zero and leaves the
# destination without artifacts. (A spec with both image and requires, and a package form
# defined twice, are accepted with a warning as upstream does: upstream_trees_test.sh.)
source "$(dirname "$0")/lib.sh"

seed() {  # seed DIR: a seed package using the example base image
  mkdir -p "$1/seed"
  printf 'name: base\ncategory: seed\nversion: "1"\n' >"$1/seed/definition.yaml"
  printf 'image: luet-example/debian-gcc:12\n' >"$1/seed/build.yaml"
}
pkg() {  # pkg DIR NAME BUILD_YAML
  mkdir -p "$1/$2"
  printf 'name: %s\ncategory: test\nversion: "1.0"\n' "$2" >"$1/$2/definition.yaml"
  printf '%s\n' "$3" >"$1/$2/build.yaml"
}
no_artifacts() { if ls "$1"/*.package.tar* >/dev/null 2>&1; then fail "$2 (artifacts written)"; else pass "$2"; fi; }

T=$WORK/malformed; seed "$T"; pkg "$T" broken $'requires: [\n  - name: base'
expect_fail "malformed YAML names the file" "broken/build.yaml.*invalid YAML" "$LUET" build --tree "$T" --destination "$WORK/d1" --all
no_artifacts "$WORK/d1" "nothing written for malformed YAML"

T=$WORK/neither; pkg "$T" neither 'steps: ["true"]'
expect_fail "neither image nor requires" "neither/build.yaml \(test/neither-1.0\).*neither 'image' nor 'requires'" "$LUET" build --tree "$T" --destination "$WORK/d3" --all
no_artifacts "$WORK/d3" "nothing written when neither is set"

T=$WORK/missing; seed "$T"; pkg "$T" orphan $'requires:\n- name: ghost\n  category: test\n  version: ">=1"'
expect_fail "missing build dependency" "orphan/build.yaml \(test/orphan-1.0\): requires test/ghost>=1" "$LUET" build --tree "$T" --destination "$WORK/d4" --all
no_artifacts "$WORK/d4" "nothing written for a missing dependency"

T=$WORK/onvirtual; pkg "$T" virt ''
pkg "$T" user $'requires:\n- name: virt\n  category: test\nsteps: ["true"]'
expect_fail "a build on a virtual package (no image to start from)" "user/build.yaml \(test/user-1.0\): requires test/virt-1.0, a virtual package" "$LUET" build --tree "$T" --destination "$WORK/d11" test/user
no_artifacts "$WORK/d11" "nothing written for a build on a virtual package"
"$LUET" build --tree "$T" --destination "$WORK/d12" test/virt >/dev/null 2>&1 && expect_file "$WORK/d12/virt-test-1.0.package.tar" "the virtual package itself builds (empty artifact)" || fail "the virtual package itself builds"

T=$WORK/failing; seed "$T"; pkg "$T" failing $'requires:\n- name: base\n  category: seed\nsteps:\n- echo about to fail\n- exit 3'
expect_fail "failing step names the package and exit code" "test/failing-1.0.*exit 3" "$LUET" build --tree "$T" --destination "$WORK/d5" test/failing
expect_no_file "$WORK/d5/failing-test-1.0.package.tar" "no artifact for the failing package"
expect_no_file "$WORK/d5/failing-test-1.0.metadata.yaml" "no metadata for the failing package"

T=$WORK/cycle; seed "$T"
pkg "$T" a $'requires:\n- name: b\n  category: test\nsteps: ["true"]'
pkg "$T" b $'requires:\n- name: a\n  category: test\nsteps: ["true"]'
expect_fail "a build dependency cycle names both specs" "cycle/b/build.yaml \(test/b-1.0\)" "$LUET" build --tree "$T" --destination "$WORK/d7" --all
expect_output "cycle/a/build.yaml \(test/a-1.0\)" "the cycle error names the other spec too"
no_artifacts "$WORK/d7" "nothing written for a cycle"

T=$WORK/mixed; seed "$T"; mkdir -p "$T/seed2"
printf 'name: other\ncategory: seed\nversion: "1"\n' >"$T/seed2/definition.yaml"
printf 'image: luet-example/other:1\n' >"$T/seed2/build.yaml"
pkg "$T" top $'requires:\n- name: base\n  category: seed\n- name: other\n  category: seed\nsteps: ["true"]'
expect_fail "requires from different image sources" "top/build.yaml \(test/top-1.0\): requires packages built from different images" "$LUET" build --tree "$T" --destination "$WORK/d8" --all
no_artifacts "$WORK/d8" "nothing written for mixed image sources"

T=$WORK/buildconflict; seed "$T"
pkg "$T" c $'requires:\n- name: base\n  category: seed\nconflicts:\n- name: base\n  category: seed\nsteps: ["true"]'
expect_fail "build-time conflict with a build requirement" "c/build.yaml \(test/c-1.0\): conflicts with seed/base at build time" "$LUET" build --tree "$T" --destination "$WORK/d9" --all
no_artifacts "$WORK/d9" "nothing written for a build-time conflict"

T=$WORK/badcopy; seed "$T"
pkg "$T" cp $'requires:\n- name: base\n  category: seed\ncopy:\n- source: /etc/hostname\n  destination: /x'
expect_fail "copy entry without package or image" "cp/build.yaml \(test/cp-1.0\): each 'copy' entry needs exactly one of 'package' or 'image'" "$LUET" build --tree "$T" --destination "$WORK/d10" --all

T=$WORK/badselector; seed "$T"
pkg "$T" sel $'requires:\n- name: base\n  category: seed\n  version: ">="'
expect_fail "a selector without a version names file and entry" "sel/build.yaml \(test/sel-1.0\): 'requires' entry seed/base: .*operator but no version" "$LUET" build --tree "$T" --destination "$WORK/d11" --all

expect_fail "malformed luet.yaml names the file" "bad.yaml" bash -c "printf 'system: [\n' >'$WORK/bad.yaml'; '$LUET' install -y --config '$WORK/bad.yaml' apps/hello"

finish
