#!/usr/bin/env bash
# Upgrades as geaaru/luet computes them, and package arguments as it parses them (no Docker):
# an installed package no repository has any more is replaced by the package that provides it;
# the same version with other requires is installed again with its new dependencies;
# `upgrade --deep` downgrades a version that left the repositories; `miner i REPO cat/name-1.0`
# (gentoo form), `>=cat/name-1.0`, and bare names resolved to their category; package masks
# (packages_maskdir) for install, upgrade and search, and --ignore-masks.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/pkg_lib.sh"

# conf FILE ROOTFS NAME...: a config with the disk repositories $WORK/repo-NAME, named NAME.
conf() {
  local file=$1 rootfs=$2; shift 2
  { echo "system: {rootfs: $rootfs, database_path: /var/cache/luet}"; echo "repositories:"
    for n in "$@"; do echo "- {name: $n, type: disk, enable: true, urls: [\"$WORK/repo-$n\"]}"; done; } >"$file"
}

add_pkg old test a 1.1 $'requires:\n- {category: test, name: b}' a
add_pkg old test b 1.0 '' b
make_repo old
add_pkg new test a 1.1 $'requires:\n- {category: test, name: b}' a
add_pkg new test d 2.0 $'provides:\n- {category: test, name: b, version: "2.1"}\nconflicts:\n- {category: test, name: b, version: "<=2.0"}' d
make_repo new
add_pkg rev1 test x 1.0 '' x1
make_repo rev1
add_pkg rev2 test x 1.0 $'requires:\n- {category: test, name: y}' x2
add_pkg rev2 test y 1.0 '' y
make_repo rev2
add_pkg high test z 1.1 '' z11
add_pkg high other z 1.0 '' other-z
make_repo high
add_pkg low test z 1.0 '' z10
make_repo low

echo "-- a package that left the repositories is replaced by its provider"
R=$WORK/r1; mkdir -p "$R"; conf "$WORK/c1.yaml" "$R" old
expect_ok "install test/a (pulls test/b)" "$LUET" install -y --config "$WORK/c1.yaml" test/a
expect_file "$R/b" "test/b installed"
conf "$WORK/c1.yaml" "$R" new
expect_ok "upgrade with a repository where test/d provides test/b" "$LUET" upgrade -y --config "$WORK/c1.yaml"
expect_no_file "$R/b" "test/b removed"
expect_file "$R/d" "test/d installed in its place"
expect_eq "$(db_query "$R" "select category||'/'||name||'-'||version from packages order by name")" \
  "$(printf 'test/a-1.1\ntest/d-2.0')" "the database holds test/a and test/d"

echo "-- the same version with other requires"
R=$WORK/r2; mkdir -p "$R"; conf "$WORK/c2.yaml" "$R" rev1
expect_ok "install test/x 1.0" "$LUET" install -y --config "$WORK/c2.yaml" test/x
conf "$WORK/c2.yaml" "$R" rev2
expect_ok "upgrade" "$LUET" upgrade -y --config "$WORK/c2.yaml"
expect_file "$R/x2" "test/x 1.0 installed again from the repository that changed its requires"
expect_no_file "$R/x1" "its old files left"
expect_file "$R/y" "and its new dependency test/y came with it"
"$LUET" upgrade -y --config "$WORK/c2.yaml" >"$WORK/out" 2>&1
expect_output "Nothing to do" "a second upgrade has nothing to do"

echo "-- upgrade --deep downgrades a version that left the repositories"
R=$WORK/r3; mkdir -p "$R"; conf "$WORK/c3.yaml" "$R" high
expect_ok "install test/z 1.1 by its gentoo form" "$LUET" install -y --config "$WORK/c3.yaml" '>=test/z-1.1'
expect_file "$R/z11" "test/z 1.1 installed"
conf "$WORK/c3.yaml" "$R" low
expect_ok "upgrade without --deep" "$LUET" upgrade -y --config "$WORK/c3.yaml"
expect_file "$R/z11" "keeps test/z 1.1"
expect_ok "upgrade --deep" "$LUET" upgrade -y --deep --config "$WORK/c3.yaml"
expect_file "$R/z10" "test/z 1.0 installed"
expect_no_file "$R/z11" "test/z 1.1 removed"

echo "-- package arguments"
R=$WORK/r4; mkdir -p "$R"; conf "$WORK/c4.yaml" "$R" low old
expect_ok "repo update" "$LUET" repo update --config "$WORK/c4.yaml"
expect_ok "miner i REPO cat/name-VERSION (gentoo form, no '=')" "$LUET" miner i --config "$WORK/c4.yaml" low test/z-1.0
expect_file "$R/z10" "test/z 1.0 installed by miner i"
expect_ok "a bare name takes its category from the repositories" "$LUET" install -y --config "$WORK/c4.yaml" a
expect_file "$R/a" "test/a installed from the bare name a"
expect_fail "a bare name no repository has" "No matching packages found with name nothere" \
  "$LUET" install -y --config "$WORK/c4.yaml" nothere
conf "$WORK/c5.yaml" "$R" high
expect_ok "repo update" "$LUET" repo update --config "$WORK/c5.yaml"
expect_fail "a bare name in two categories" "Multiple matches with name z" \
  "$LUET" install -y --config "$WORK/c5.yaml" z
expect_output "   - other/z" "the error lists each category"
expect_ok "uninstall by bare name" "$LUET" uninstall -y --config "$WORK/c4.yaml" a
expect_no_file "$R/a" "test/a removed"

echo "-- package masks"
R=$WORK/r6; mkdir -p "$R/etc/luet/mask.d"; conf "$WORK/c6.yaml" "$R" high low
cat >"$R/etc/luet/mask.d/00-z.yml" <<'YAML'
description: "test/z 1.1 is broken"
enabled: true
rules:
- "=test/z-1.1::high"
- other/z
YAML
printf 'enabled: false\nrules:\n- test/z\n' >"$R/etc/luet/mask.d/01-off.yaml"
echo "packages_maskdir: [$R/etc/luet/mask.d]" >>"$WORK/c6.yaml"
expect_eq "$("$LUET" search --config "$WORK/c6.yaml" --quiet z)" "test/z" "search leaves masked packages out (a disabled file masks nothing)"
expect_eq "$("$LUET" search --config "$WORK/c6.yaml" --ignore-masks z | tr '\n' ' ')" "other/z-1.0 test/z-1.1 test/z-1.0 " \
  "search --ignore-masks shows them"
expect_ok "install test/z" "$LUET" install -y --config "$WORK/c6.yaml" test/z
expect_file "$R/z10" "the masked 1.1 is not picked: 1.0 from repository low"
expect_ok "upgrade" "$LUET" upgrade -y --config "$WORK/c6.yaml"
expect_no_file "$R/z11" "upgrade does not move to the masked version"
expect_ok "upgrade --ignore-masks" "$LUET" upgrade -y --ignore-masks --config "$WORK/c6.yaml"
expect_file "$R/z11" "with --ignore-masks it does"
printf 'rules:\n- "not a package"\n' >"$R/etc/luet/mask.d/02-bad.yml"
expect_fail "a broken mask file is an error naming it" "Mask file $R/etc/luet/mask.d/02-bad.yml broken: rule 'not a package'" \
  "$LUET" search --config "$WORK/c6.yaml" z

echo "-- reference: a repository pinned to a snapshot (create-repo --snapshot-id)"
add_pkg snap test s 1.0 '' s10
"$LUET" create-repo --tree "$WORK/tree-snap" --packages "$WORK/packed-snap" --output "$WORK/repo-snap" --name snap \
  --snapshot-id s1 >/dev/null
add_pkg snap test s 1.1 '' s11
make_repo snap
R=$WORK/r-snap; mkdir -p "$R"
printf 'system: {rootfs: %s, database_path: /var/cache/luet}\nrepositories:\n- {name: snap, type: http, enable: true, urls: ["%s"], reference: s1-repository.yaml}\n' \
  "$R" "$(serve_repo "$WORK/repo-snap")" >"$WORK/c7.yaml"
expect_eq "$("$LUET" search --config "$WORK/c7.yaml" s | tr '\n' ' ')" "test/s-1.0 " "the snapshot's index is read: only 1.0"
sed 's/, reference: s1-repository.yaml//' "$WORK/c7.yaml" >"$WORK/c8.yaml"
sed -i "s|$R|$R-2|" "$WORK/c8.yaml"; mkdir -p "$R-2"
expect_eq "$("$LUET" search --config "$WORK/c8.yaml" s | tr '\n' ' ')" "test/s-1.0 test/s-1.1 " "without reference: the current index"
expect_eq "$("$LUET" config --config "$WORK/c7.yaml" | grep -c 'reference: s1-repository.yaml')" "1" "luet config shows the reference"
sed 's|reference: s1-repository.yaml|reference: ../x|' "$WORK/c7.yaml" >"$WORK/c9.yaml"
expect_fail "a reference that is not a file name is refused" "'reference' must be a file name of the repository" \
  "$LUET" search --config "$WORK/c9.yaml" s

finish
