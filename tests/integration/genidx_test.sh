#!/usr/bin/env bash
# `luet-build tree genidx` against the indexes upstream's luet-build wrote for the same tree
# (tests/fixtures/upstream/genidx), and the stale-index warning of commands that load trees.
source "$(dirname "$0")/lib.sh"

F=$ROOT/tests/fixtures/upstream/genidx
ln -s "$LUET" "$WORK/luet-build"
B=$WORK/luet-build
fresh() { rm -rf "$WORK/t"; mkdir -p "$WORK/t"; cp -a "$F/tree" "$WORK/t/tree"; }

fresh
(cd "$WORK/t" && "$B" tree genidx --compress=false -t tree) >"$WORK/out" 2>&1 && pass "genidx --compress=false" || fail "genidx --compress=false"
ours=$(cd "$WORK/t/tree" && find . -name .anise-idx.json | sort | tr '\n' ' ')
theirs=$(cd "$F/expected/all" && find . -name .anise-idx.json | sort | tr '\n' ' ')
expect_eq "$ours" "$theirs" "an index in every folder, as upstream"
for f in $theirs; do
  if cmp -s "$F/expected/all/$f" "$WORK/t/tree/$f"; then pass "index $f equals upstream's"; else
    fail "index $f differs: $(diff <(cat "$F/expected/all/$f") <(cat "$WORK/t/tree/$f"))"; fi
done

fresh
(cd "$WORK/t" && "$B" tree genidx --only-upper-level -t tree/) >"$WORK/out" 2>&1 && pass "genidx --only-upper-level" || fail "genidx --only-upper-level"
expect_eq "$(cd "$WORK/t/tree" && find . -name '.anise-idx*' | sort | tr '\n' ' ')" "./.anise-idx.json.zstd " "only the top index, zstd by default"
expect_eq "$(zstdcat "$WORK/t/tree/.anise-idx.json.zstd")" "$(zstdcat "$F/expected/upper/.anise-idx.json.zstd")" \
  "the zstd index decompresses to upstream's"

fresh
(cd "$WORK/t" && "$B" tree genidx --dry-run -o yaml -t tree) >"$WORK/yaml" 2>&1
expect_eq "$(cat "$WORK/yaml")" "$(cat "$F/expected/genidx.yaml")" "-o yaml prints upstream's YAML"
(cd "$WORK/t" && "$B" tree genidx --dry-run -o json -t "$WORK/t/tree") >"$WORK/json" 2>&1
expect_eq "$(cat "$WORK/json")" "$(cat "$F/expected/genidx.json")" "-o json prints upstream's JSON (absolute -t)"
expect_eq "$(cd "$WORK/t/tree" && find . -name '.anise-idx*')" "" "--dry-run writes nothing"
expect_fail "a missing tree is an error" "Error on generate indexes: .*nowhere" "$B" tree genidx -t "$WORK/nowhere"

# An index read by upstream's tools must match the tree: commands that load it say when not.
fresh
cp "$F/expected/upper/.anise-idx.json.zstd" "$WORK/t/tree/"
expect_ok "upstream's current index: no warning" "$LUET" tree pkglist -t "$WORK/t/tree"
if grep -q "stale" "$WORK/out"; then fail "no stale warning for a current index"; else pass "no stale warning for a current index"; fi
mkdir -p "$WORK/t/tree/apps/new" && printf 'name: new\ncategory: apps\nversion: "1.0"\n' >"$WORK/t/tree/apps/new/definition.yaml"
printf 'image: x\n' >"$WORK/t/tree/apps/new/build.yaml"
rm -r "$WORK/t/tree/apps/hello-2"
expect_ok "a stale index: the command still works" "$LUET" tree pkglist -v -t "$WORK/t/tree"
expect_output "the tree index of .*tree is stale" "a stale index is reported"
expect_output "the tree has apps/new-1.0 .*apps/new/definition.yaml.*which the index lacks" "a package missing from the index is named"
expect_output "the index lists apps/hello-2.0 .*hello-2/definition.yaml.*which the tree no longer has" "a package gone from the tree is named"
expect_output "^apps/new-1.0$" "the listing comes from the tree, not the index"

# A current index answers `tree pkglist` without reading the definitions (as upstream's
# luet-build, which only reads the index); anything changed after it makes pkglist walk the tree.
T=$WORK/own/tree
for p in apps/hello:1.0 apps/hello-2:2.0 tools/alpha:1.1; do
  d=$T/${p%%:*}; mkdir -p "$d"; n=$(basename "${p%%:*}"); n=${n%-2}
  printf 'name: %s\ncategory: %s\nversion: "%s"\n' "$n" "${p%%/*}" "${p##*:}" >"$d/definition.yaml"
  printf 'image: x\n' >"$d/build.yaml"
done
mkdir -p "$T/libs/all"; printf 'image: x\n' >"$T/libs/all/build.yaml"
printf 'packages:\n- {name: l1, category: libs, version: "1"}\n- {name: l2, category: libs, version: "2+3"}\n' >"$T/libs/all/collection.yaml"
"$LUET" tree pkglist -v -t "$T" >"$WORK/walked" 2>&1
"$LUET" tree pkglist -m hello -e 'hello-1' -v -t "$T" >"$WORK/m1" 2>&1
expect_eq "$(tr '\n' ' ' <"$WORK/walked")" "apps/hello-1.0 apps/hello-2.0 libs/l1-1 libs/l2-2+3 tools/alpha-1.1 " "the walked listing"
"$B" tree genidx -t "$T" >/dev/null 2>&1
expect_ok "pkglist with a current index" "$LUET" tree pkglist -v -t "$T"
expect_eq "$(cat "$WORK/out")" "$(cat "$WORK/walked")" "the listing from the index equals the walked one"
expect_eq "$("$LUET" tree pkglist -m hello -e 'hello-1' -v -t "$T" 2>&1)" "$(cat "$WORK/m1")" \
  "--matches/--exclude from the index as from the tree"
printf 'image: {{ .Values.nope.deeper }\n' >"$T/apps/hello/build.yaml"   # in place: no folder time changes
expect_ok "a build spec that no longer renders does not stop the indexed listing" "$LUET" tree pkglist -v -t "$T"
expect_eq "$(cat "$WORK/out")" "$(cat "$WORK/walked")" "the listing still comes from the index"
touch "$T/apps/hello/definition.yaml"
expect_fail "a definition newer than the index: the tree is walked (and the broken spec found)" \
  "apps/hello/build.yaml" "$LUET" tree pkglist -v -t "$T"

finish
