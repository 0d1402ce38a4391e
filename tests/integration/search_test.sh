#!/usr/bin/env bash
# luet search against repositories made with luet pack + create-repo (no Docker): regex over
# category/name-version, labels, reverse dependencies, hidden packages, files, installed
# packages, and the terminal / table / json / yaml outputs.
source "$(dirname "$0")/lib.sh"

# add_pkg REPO CAT NAME VERSION EXTRA FILE...: packs CAT/NAME@VERSION holding FILE... into
# $WORK/packed-REPO, with a tree definition carrying the YAML lines EXTRA (labels, hidden,
# requires), which also becomes the artifact's runtime definition.
add_pkg() {
  local repo=$1 cat=$2 name=$3 version=$4 extra=$5; shift 5
  local src=$WORK/src/$cat-$name-$version; mkdir -p "$src"
  for f in "$@"; do mkdir -p "$src/$(dirname "$f")"; echo "$f" >"$src/$f"; done
  "$LUET" pack "$cat/$name@$version" --source "$src" --destination "$WORK/packed-$repo" >/dev/null
  local def=$WORK/tree-$repo/$cat/$name/$version; mkdir -p "$def"
  printf 'name: %s\ncategory: %s\nversion: "%s"\n%s\n' "$name" "$cat" "$version" "$extra" >"$def/definition.yaml"
  echo '# packed by hand' >"$def/build.yaml"
  local meta=$WORK/packed-$repo/$name-$cat-$version.metadata.yaml
  { sed '/^runtime:/,$d' "$meta"; echo "runtime:"; sed 's/^/  /' "$def/definition.yaml"; sed -n '/^compilespec:/,$p' "$meta"; } >"$meta.new"
  mv "$meta.new" "$meta"
}
make_repo() {
  "$LUET" create-repo --tree "$WORK/tree-$1" --packages "$WORK/packed-$1" --output "$WORK/repo-$1" --name "$1" >/dev/null
}

# names: "cat/name-version@repository" of the JSON search result read from stdin, or "null".
names() {
  python3 -c '
import json, sys
d = json.load(sys.stdin)["packages"]
print("null" if d is None else " ".join("%s/%s-%s@%s" % (p["category"], p["name"], p["version"], p["repository"]) for p in d))'
}
# search ARGS...: the JSON result of `luet search -o json ARGS` as names
search() { "$LUET" search --config "$WORK/luet.yaml" -o json "$@" | names; }

add_pkg main apps hello 1.0 $'labels:\n  kind: app\n  tier: "1"' usr/bin/hello
add_pkg main apps hello 1.1 $'labels:\n  kind: app\n  tier: "2"' usr/bin/hello usr/share/doc/hello/README
add_pkg main libs libfoo 1.0 $'labels:\n  kind: lib\nannotations:\n  abi: "2"' usr/lib/libfoo.so
add_pkg main apps tool 1.0 $'requires:\n- category: libs\n  name: libfoo' usr/bin/tool
add_pkg main apps meta 1.0 $'requires:\n- category: apps\n  name: tool' usr/share/meta
add_pkg main apps secret 1.0 $'hidden: true\nlabels:\n  kind: app' usr/bin/secret
add_pkg extra extra other 2.0 $'annotations:\n  doc: "yes"' usr/share/other
make_repo main; make_repo extra
R=$WORK/rootfs; mkdir -p "$R"; write_config "$WORK/luet.yaml" "$R" "$WORK/repo-main" "$WORK/repo-extra"
# write_config names the repositories repo1 and repo2.

echo "-- available packages"
expect_eq "$(search hello)" "apps/hello-1.0@repo1 apps/hello-1.1@repo1" "regex over the name, both versions"
expect_eq "$(search '^libs/')" "libs/libfoo-1.0@repo1" "regex over the category"
expect_eq "$(search 'hello-1\.1$')" "apps/hello-1.1@repo1" "regex over the version"
expect_eq "$(search other)" "extra/other-2.0@repo2" "packages of the second repository name it"
expect_eq "$(search)" \
  "apps/hello-1.0@repo1 apps/hello-1.1@repo1 apps/meta-1.0@repo1 apps/tool-1.0@repo1 libs/libfoo-1.0@repo1 extra/other-2.0@repo2" \
  "no term: every package, hidden ones left out"
expect_eq "$(search secret)" "null" "a hidden package is left out by default (packages: null)"
expect_eq "$(search --hidden secret)" "apps/secret-1.0@repo1" "--hidden includes it"
expect_eq "$(search --by-label kind)" "apps/hello-1.0@repo1 apps/hello-1.1@repo1 libs/libfoo-1.0@repo1" "--by-label: label key"
expect_eq "$(search --by-label app)" "null" "--by-label matches keys, not values"
expect_eq "$(search --by-label-regex 'kind=lib')" "libs/libfoo-1.0@repo1" "--by-label-regex: key=value"
expect_eq "$(search --by-label-regex '^tier=2$')" "apps/hello-1.1@repo1" "--by-label-regex anchored"
expect_eq "$(search --annotation abi)" "libs/libfoo-1.0@repo1" "--annotation: packages having the annotation key"
expect_eq "$(search -a abi,doc)" "libs/libfoo-1.0@repo1 extra/other-2.0@repo2" "-a with several keys: any of them"
expect_eq "$(search -a doc lib)" "null" "--annotation in AND with the term"
expect_eq "$(search --revdeps libfoo)" "apps/meta-1.0@repo1 apps/tool-1.0@repo1" "--revdeps: who requires it, transitively"
expect_eq "$(search --files 'usr/bin/hello$')" "apps/hello-1.0@repo1 apps/hello-1.1@repo1" "--files: which packages ship a path"
expect_eq "$(search --files 'README')" "apps/hello-1.1@repo1" "--files: a file only one version has"
expect_eq "$(search --files 'usr/bin/secret')" "apps/secret-1.0@repo1" "--files lists hidden owners too (as upstream)"

J=$("$LUET" search --config "$WORK/luet.yaml" -o json '^apps/hello-1.1')
expect_eq "$J" \
  '{"packages":[{"category":"apps","files":["usr/bin/hello","usr/share/doc/hello/README"],"hidden":false,"installed":false,"name":"hello","repository":"repo1","target":"","version":"1.1"}]}' \
  "JSON shape and key order as upstream, no progress lines"
"$LUET" search --config "$WORK/luet.yaml" -o yaml libfoo >"$WORK/out"
expect_eq "$(sed -n '1p' "$WORK/out")" "packages:" "YAML starts with packages:"
expect_output '^ *- category: libs$' "YAML lists the category"
expect_output '^ *version: "1.0"$' "YAML quotes the version"
expect_output '^ *repository: repo1$' "YAML names the repository"
if grep -q "Repository" "$WORK/out"; then fail "no progress line in YAML"; else pass "no progress line in YAML"; fi

"$LUET" search --config "$WORK/luet.yaml" hello >"$WORK/out" 2>&1
expect_output '^--- Search results \(hello\): ---$' "terminal: the search header"
expect_output '^> apps/hello-1.1$' "terminal: a bullet per package"
expect_output '^ -> Repository: repo1 $' "terminal: its repository"
expect_output '^ -> Installed: false $' "terminal: whether it is installed"
"$LUET" search --config "$WORK/luet.yaml" --table libfoo >"$WORK/out" 2>&1
expect_output '^Package +\| Category \| Name +\| Version \| Repository \| License \| Installed$' "--table: upstream's header"
expect_output '^libs/libfoo-1.0 \| libs +\| libfoo \| 1.0 +\| repo1 +\| +\| false$' "--table: a row"

expect_fail "an invalid regex is an error" "invalid search regex '\('" "$LUET" search --config "$WORK/luet.yaml" '('
expect_fail "two terms are an error" "Wrong number of arguments \(expected 1\)" "$LUET" search --config "$WORK/luet.yaml" a b
expect_fail "an unknown output format is an error" "unknown output format 'xml'" "$LUET" search --config "$WORK/luet.yaml" -o xml
expect_ok "alias s" "$LUET" s --config "$WORK/luet.yaml" hello

echo "-- installed packages"
expect_ok "install apps/hello and apps/meta" "$LUET" install -y --config "$WORK/luet.yaml" apps/hello apps/meta
expect_eq "$("$LUET" search --config "$WORK/luet.yaml" -o json hello | python3 -c '
import json, sys
print(" ".join("%s:%s" % (p["version"], p["installed"]) for p in json.load(sys.stdin)["packages"]))')" \
  "1.0:False 1.1:True" "available search tells which version is installed"
expect_eq "$(search --installed)" "apps/hello-1.1@system apps/meta-1.0@system apps/tool-1.0@system libs/libfoo-1.0@system" \
  "--installed: every installed package, repository system"
expect_eq "$(search --installed hello)" "apps/hello-1.1@system" "--installed with a regex"
expect_eq "$(search --installed other)" "null" "--installed does not look at the repositories"
expect_eq "$(search --installed --files 'usr/lib/libfoo.so')" "libs/libfoo-1.0@system" "--installed --files: the owner of a path"
expect_eq "$(search --installed --by-label-regex 'tier=2')" "apps/hello-1.1@system" "--installed --by-label-regex"
expect_eq "$(search --installed --revdeps tool)" "apps/meta-1.0@system" "--installed --revdeps"
expect_eq "$("$LUET" search --config "$WORK/luet.yaml" --installed -o json libfoo | python3 -c '
import json, sys
p = json.load(sys.stdin)["packages"][0]
print(p["installed"], "usr/lib/libfoo.so" in p["files"])')" "True True" "--installed JSON: installed and the recorded files"

finish
