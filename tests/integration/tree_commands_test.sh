#!/usr/bin/env bash
# luet tree pkglist|validate|images|bump on the keywords tree and on a broken copy of it.
source "$(dirname "$0")/lib.sh"

T=$ROOT/tests/integration/trees/keywords

expect_ok "pkglist over two trees" "$LUET" tree pkglist --tree "$T/t1" --tree "$T/t2"
expect_eq "$(cat "$WORK/out" | tr '\n' ' ')" "kw/copier kw/env-delta kw/final kw/joined kw/meta kw/rootfs seed/base " \
  "pkglist prints sorted cat/name lines"
expect_ok "pkglist --verbose --matches --exclude" "$LUET" tree pkglist -t "$T/t1" -v -m kw -e 'final|joined|meta|rootfs'
expect_eq "$(cat "$WORK/out")" "kw/env-delta-1.0+2" "matches and excludes filter, verbose adds the version"
expect_ok "pkglist --revdeps" "$LUET" tree pkglist -t "$T/t1" --revdeps -m 'kw/rootfs$'
expect_eq "$(cat "$WORK/out" | tr '\n' ' ')" "kw/env-delta kw/meta " "runtime reverse dependencies (transitive)"
expect_ok "pkglist --revdeps --buildtime" "$LUET" tree pkglist -t "$T/t1" --revdeps --buildtime -m 'kw/rootfs$'
expect_eq "$(cat "$WORK/out" | tr '\n' ' ')" "kw/final kw/joined " "build-time reverse dependencies"
expect_ok "pkglist -o json" "$LUET" tree pkglist -t "$T/t1" -o json -m 'seed'
expect_eq "$(python3 -c 'import json,sys; p=json.load(open(sys.argv[1]))["packages"][0]; print(p["category"], p["name"], p["version"], p["path"].endswith("t1/seed"))' "$WORK/out")" \
  "seed base 12 True" "json output has name, category, version, path"

expect_ok "validate a sound tree (with solver)" "$LUET" tree validate -t "$T/t1" -t "$T/t2" --with-solver
expect_output "^Broken packages: 0 \( 0 deps \)\.$" "validate summary line"

B=$WORK/broken; cp -r "$T/t1" "$B"
sed -i 's/version: ">=0.1, <1.0"/version: ">=5.0"/' "$B/env-delta/definition.yaml"
rm -rf "$B/rootfs"
expect_fail "validate a broken tree exits non-zero" "Broken packages: [1-9]" "$LUET" tree validate -t "$B"
expect_output "^kw/env-delta-1.0\+2: Broken Dep kw/rootfs>=5.0 - No packages$" "names the package and the unmet requirement"
expect_output "^kw/final-1.0: Broken build Dep kw/rootfs - No packages$" "names build-time requirements too"
"$LUET" tree validate -t "$B" --only-runtime >"$WORK/out" 2>&1 || true
expect_output "Broken Dep kw/rootfs>=5.0" "--only-runtime: the runtime requirement"
if grep -q "Broken build Dep" "$WORK/out"; then fail "--only-runtime leaves build requirements out"; else pass "--only-runtime leaves build requirements out"; fi
"$LUET" tree validate -t "$B" --only-buildtime >"$WORK/out" 2>&1 || true
expect_output "kw/final-1.0: Broken build Dep kw/rootfs" "--only-buildtime: the build requirement"
if grep -q ": Broken Dep" "$WORK/out"; then fail "--only-buildtime leaves runtime requirements out"; else pass "--only-buildtime leaves runtime requirements out"; fi
expect_fail "--only-runtime with --only-buildtime" "not possibile" "$LUET" tree validate -t "$B" --only-runtime --only-buildtime

# images: the build plan of a package, dependencies first, with a content hash per image.
expect_ok "images" "$LUET" tree images -t "$T/t1" -t "$T/t2" kw/copier
expect_eq "$(cut -d: -f1 "$WORK/out" | tr '\n' ' ')" "seed/base-12 kw/env-delta-1.0+2 kw/copier-1.0 " "images lists the plan in build order"
grep -qE '^kw/copier-1.0: luet/cache:[0-9a-f]{64}$' "$WORK/out" && pass "images: repository:hash" || fail "images: repository:hash"
first=$(grep '^kw/env-delta' "$WORK/out")
cp -r "$T" "$WORK/kw2"; echo changed >>"$WORK/kw2/t1/env-delta/context.txt"
"$LUET" tree images -t "$WORK/kw2/t1" -t "$WORK/kw2/t2" kw/copier >"$WORK/out2"
[ "$(grep '^kw/env-delta' "$WORK/out2")" != "$first" ] && pass "a changed build context changes the image hash" || fail "a changed build context changes the image hash"
[ "$(grep '^seed/base' "$WORK/out2")" = "$(grep '^seed/base' "$WORK/out")" ] && pass "unchanged packages keep their hash" || fail "unchanged packages keep their hash"

# bump
D=$WORK/bump.yaml
printf '# keep me\nname: tool\ncategory: dev\nversion: "1.2.0" # current\nrequires: []\n' >"$D"
expect_ok "bump --to-stdout" "$LUET" tree bump -f "$D" -o
expect_output '^version: "1.2.0\+1" # current$' "bump --to-stdout prints the bumped definition"
expect_eq "$(grep version "$D")" 'version: "1.2.0" # current' "--to-stdout leaves the file alone"
expect_ok "bump" "$LUET" tree bump -f "$D"
expect_output "^Bumped package dev/tool-1.2.0\+1\.$" "bump reports the new version"
expect_ok "bump again" "$LUET" tree bump -f "$D"
expect_eq "$(grep -c '# keep me' "$D") $(grep version "$D")" '1 version: "1.2.0+2" # current' "bump increments +N and keeps comments"
expect_fail "bump without a file" "Mandatory definition.yaml path missing" "$LUET" tree bump

finish
