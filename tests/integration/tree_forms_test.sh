#!/usr/bin/env bash
# Tree forms and config paths as geaaru/luet reads them: a package at the tree folder itself,
# a spec with steps but neither image nor requires (listed; refused only when built), build
# --full, and disk repository urls inside the rootfs when config_from_host is false.
source "$(dirname "$0")/lib.sh"

# A collection at the tree root: its packages are part of the tree.
T=$WORK/rootcoll; mkdir -p "$T"
printf 'packages:\n- {name: a, category: distro, version: "0.1"}\n- {name: b, category: distro, version: "0.3"}\n' >"$T/collection.yaml"
printf 'image: luet-example/debian-gcc:12\n' >"$T/build.yaml"
expect_ok "tree pkglist reads a collection at the tree root" "$LUET" tree pkglist -t "$T"
expect_output '^distro/a$' "root collection lists distro/a"
expect_output '^distro/b$' "root collection lists distro/b"

# A spec with steps and no image nor requires: the tree loads, building it is refused.
T=$WORK/neither; mkdir -p "$T/ok" "$T/bad"
printf 'name: ok\ncategory: test\nversion: "1.0"\n' >"$T/ok/definition.yaml"
printf 'image: luet-example/debian-gcc:12\n' >"$T/ok/build.yaml"
printf 'name: bad\ncategory: test\nversion: "1.0"\n' >"$T/bad/definition.yaml"
printf 'steps: ["true"]\n' >"$T/bad/build.yaml"
expect_ok "a tree with a spec lacking image and requires loads" "$LUET" tree pkglist -t "$T"
expect_output '^test/bad$' "the spec is listed"
expect_fail "building it is refused, naming file and package" "bad/build.yaml \(test/bad-1.0\).*neither 'image' nor 'requires'" \
  "$LUET" build --tree "$T" --destination "$WORK/dn" test/bad
expect_fail "--full builds every package, so it is refused too" "test/bad-1.0" \
  "$LUET" build --tree "$T" --destination "$WORK/dn" --full

# config_from_host false: a disk url is a path inside the rootfs.
R=$WORK/rootfs; mkdir -p "$R"
cat >"$WORK/inside.yaml" <<EOC
system: {rootfs: $R, database_path: /var/cache/luet}
config_from_host: false
repositories:
- {name: main, type: disk, urls: [/repo, ../outside]}
EOC
expect_ok "config with config_from_host false" "$LUET" config --config "$WORK/inside.yaml"
expect_fail "repo update looks inside the rootfs" "$R/repo/repository.yaml" \
  "$LUET" repo update --config "$WORK/inside.yaml" main
finish
