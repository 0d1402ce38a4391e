#!/usr/bin/env bash
# luet search against repositories made with luet pack + create-repo (no Docker), as geaaru/luet
# searches: regexes over category/name, --name, --package, --category, --label, --rlabel,
# --annotation in AND (or --condition-or), mudler's --by-label/--by-label-regex/--revdeps,
# hidden packages, installed packages, and the terminal / --quiet / --table / json / yaml
# ({"stones": [...]}) outputs with --files and --full.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/pkg_lib.sh"


# names: "cat/name-version@repository" of the JSON search result read from stdin, or "none".
names() {
  python3 -c '
import json, sys
d = json.load(sys.stdin)["stones"]
print("none" if not d else " ".join("%s/%s-%s@%s" % (p["category"], p["name"], p["version"], p["repository"]) for p in d))'
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
add_pkg extra extra nested 1.0 $'annotations:\n  num: 3\n  subsets:\n    rules:\n      docs:\n        description: "docs"\n        rules:\n        - ^/usr/share/doc\n      devel:\n        rules: ["^/usr/include", ".*\\\\.h$"]' usr/share/nested
make_repo main; make_repo extra
R=$WORK/rootfs; mkdir -p "$R"; write_config "$WORK/luet.yaml" "$R" "$WORK/repo-main" "$WORK/repo-extra"
# write_config names the repositories repo1 and repo2.

echo "-- available packages"
expect_eq "$(search hello)" "apps/hello-1.0@repo1 apps/hello-1.1@repo1" "regex over the name, both versions"
expect_eq "$(search '^libs/')" "libs/libfoo-1.0@repo1" "regex over the category"
expect_eq "$(search 'hello-1')" "none" "the regex sees category/name only (geaaru), not the version"
expect_eq "$(search hello libfoo)" "apps/hello-1.0@repo1 apps/hello-1.1@repo1 libs/libfoo-1.0@repo1" \
  "several terms: any of them"
expect_eq "$(search other)" "extra/other-2.0@repo2" "packages of the second repository name it"
# A plain string is looked up in the local index's trigram table: found in the category, in the
# name, across the '/', and with the case it has.
expect_eq "$(search xtr)" "extra/nested-1.0@repo2 extra/other-2.0@repo2" "a plain string inside the category"
expect_eq "$(search ps/hel)" "apps/hello-1.0@repo1 apps/hello-1.1@repo1" "a plain string across category and name"
expect_eq "$(search HELLO)" "none" "a plain string keeps its case, as the regex does"
expect_eq "$(search ell)" "apps/hello-1.0@repo1 apps/hello-1.1@repo1" "three characters"
expect_eq "$(search)" \
  "apps/hello-1.0@repo1 apps/hello-1.1@repo1 apps/meta-1.0@repo1 apps/tool-1.0@repo1 libs/libfoo-1.0@repo1 extra/nested-1.0@repo2 extra/other-2.0@repo2" \
  "no term: every package, hidden ones left out"
expect_eq "$(search secret)" "none" "a hidden package is left out by default (stones: [])"
expect_eq "$(search --hidden secret)" "apps/secret-1.0@repo1" "--hidden includes it"
expect_eq "$(search -n hello)" "apps/hello-1.0@repo1 apps/hello-1.1@repo1" "--name: exact name"
expect_eq "$(search -n hell)" "none" "--name is not a regex"
expect_eq "$(search -p apps/hello@1.1)" "apps/hello-1.1@repo1" "--package with a selector"
expect_eq "$(search -p '>=apps/hello-1.0')" "apps/hello-1.0@repo1 apps/hello-1.1@repo1" "--package in gentoo form"
expect_eq "$(search --category '^lib')" "libs/libfoo-1.0@repo1" "--category: a regex over the category"
expect_eq "$(search --category apps -n libfoo)" "none" "criteria in AND by default"
expect_eq "$(search --condition-or --category extra -n libfoo)" "libs/libfoo-1.0@repo1 extra/nested-1.0@repo2 extra/other-2.0@repo2" \
  "--condition-or: any criterion"
expect_eq "$(search --label kind)" "apps/hello-1.0@repo1 apps/hello-1.1@repo1 libs/libfoo-1.0@repo1" "--label: label key"
expect_eq "$(search --by-label kind)" "apps/hello-1.0@repo1 apps/hello-1.1@repo1 libs/libfoo-1.0@repo1" "--by-label (mudler): label key"
expect_eq "$(search --by-label app)" "none" "--by-label matches keys, not values"
expect_eq "$(search --rlabel 'kind=lib')" "libs/libfoo-1.0@repo1" "--rlabel: key=value"
expect_eq "$(search --by-label-regex '^tier=2$')" "apps/hello-1.1@repo1" "--by-label-regex (mudler) anchored"
expect_eq "$(search --annotation abi)" "libs/libfoo-1.0@repo1" "--annotation: packages having the annotation key"
expect_eq "$(search -a abi,doc)" "libs/libfoo-1.0@repo1 extra/other-2.0@repo2" "-a with several keys: any of them"
expect_eq "$(search -a doc lib)" "none" "--annotation in AND with the term"
expect_eq "$(search --revdeps libfoo)" "apps/meta-1.0@repo1 apps/tool-1.0@repo1" "--revdeps: who requires it, transitively"

J=$("$LUET" search --config "$WORK/luet.yaml" -o json '^apps/hello$' -p apps/hello@1.1)
expect_eq "$J" '{"stones":[{"name":"hello","category":"apps","version":"1.1","repository":"repo1","labels":{"kind":"app","tier":"2"}}]}' \
  "JSON shape and key order as geaaru's, no progress lines"
J=$("$LUET" search --config "$WORK/luet.yaml" -o json --files --full -n tool)
expect_eq "$J" "{\"stones\":[{\"name\":\"tool\",\"category\":\"apps\",\"version\":\"1.0\",\"repository\":\"repo1\",\"files\":[\"$R/usr/bin/tool\"],\"requires\":[{\"name\":\"libfoo\",\"category\":\"libs\",\"version\":\"\\u003e=0\"}]}]}" \
  "--files (with the rootfs prefix) and --full (requires)"
J=$("$LUET" search --config "$WORK/luet.yaml" -o json --files --with-rootfs-prefix=false -n tool)
expect_eq "$(echo "$J" | python3 -c 'import json,sys; print(json.load(sys.stdin)["stones"][0]["files"])')" "['usr/bin/tool']" \
  "--with-rootfs-prefix=false: files as recorded"
"$LUET" search --config "$WORK/luet.yaml" -o yaml libfoo >"$WORK/out"
expect_eq "$(sed -n '1p' "$WORK/out")" "stones:" "YAML starts with stones:"
expect_output '^    - name: libfoo$' "YAML lists the name first, indented as go-yaml"
expect_output '^      version: "1.0"$' "YAML quotes the version"
expect_output '^      repository: repo1$' "YAML names the repository"
expect_eq "$("$LUET" search --config "$WORK/luet.yaml" -o yaml nothing-here | head -1)" "stones: []" "YAML: no match is stones: []"
# Nested annotations as geaaru/luet 0.40.1 prints them (checked side by side with its binary):
# objects in JSON; in YAML go-yaml's 4-space nesting below a sequence item's keys.
J=$("$LUET" search --config "$WORK/luet.yaml" -o json '^extra/nested$')
expect_eq "$(echo "$J" | python3 -c 'import json,sys; a=json.load(sys.stdin)["stones"][0]["annotations"]; print(a["num"], len(a["subsets"]["rules"]["devel"]["rules"][1]), a["subsets"]["rules"]["docs"]["description"])')" \
  "3 6 docs" "JSON: a nested annotation is an object, a scalar keeps its text"
"$LUET" search --config "$WORK/luet.yaml" -o yaml '^extra/nested$' >"$WORK/out"
expect_eq "$(sed -n '/^      annotations:/,/^      [a-z]/p' "$WORK/out")" "$(cat <<'Y'
      annotations:
        num: "3"
        subsets:
            rules:
                devel:
                    rules:
                        - ^/usr/include
                        - .*\.h$
                docs:
                    description: docs
                    rules:
                        - ^/usr/share/doc
Y
)" "YAML: nested annotations in go-yaml's layout"
"$LUET" query belongs --config "$WORK/luet.yaml" -o yaml /usr/share/nested >"$WORK/out2"
expect_eq "$(sed -n '/^      annotations:/,$p' "$WORK/out2")" "$(sed -n '/^      annotations:/,$p' "$WORK/out")" "query belongs -o yaml writes the same stones as search"

"$LUET" search --config "$WORK/luet.yaml" hello >"$WORK/out" 2>&1
expect_eq "$(cat "$WORK/out")" "$(printf 'apps/hello-1.0\napps/hello-1.1')" "terminal: one category/name-version line each"
expect_eq "$("$LUET" search --config "$WORK/luet.yaml" --quiet hello)" "$(printf 'apps/hello\napps/hello')" "--quiet: no version"
"$LUET" search --config "$WORK/luet.yaml" --table libfoo other >"$WORK/out" 2>&1
expect_eq "$(cat "$WORK/out")" "$(printf '%s\n' '|   PACKAGE   | VERSION | REPOSITORY |' '|-------------|---------|------------|' \
  '| libs/libfoo | 1.0     | repo1      |' '| extra/other | 2.0     | repo2      |')" "--table: geaaru's table"

expect_fail "an invalid regex is an error" "invalid search regex '\('" "$LUET" search --config "$WORK/luet.yaml" '('
expect_fail "an unknown output format is an error" "unknown output format 'xml'" "$LUET" search --config "$WORK/luet.yaml" -o xml
expect_ok "alias s" "$LUET" s --config "$WORK/luet.yaml" hello

echo "-- --artifacts (geaaru): the artifact metadata of each package found"
expect_eq "$("$LUET" search --config "$WORK/luet.yaml" -o json --artifacts libfoo | python3 -c '
import json, sys
a = json.load(sys.stdin)["artifacts"]
print(len(a), a[0]["path"].startswith("libfoo-libs-1.0.package.tar"), "usr/lib/libfoo.so" in a[0]["files"], bool(a[0]["checksums"]))')" \
  "1 True True True" "-o json --artifacts: {\"artifacts\": [...]} with path, files and checksums"
expect_ok "-o yaml --artifacts" "$LUET" search --config "$WORK/luet.yaml" -o yaml --artifacts libfoo
expect_output "^artifacts:$" "-o yaml --artifacts: an artifacts list"
expect_output "^ +- usr/lib/libfoo.so$" "with the artifact's files"
expect_output "^    - path: libfoo-libs-1.0.package.tar.gz$" "each item starts with its path, as upstream's PackageArtifact"
expect_eq "$("$LUET" search --config "$WORK/luet.yaml" --artifacts libfoo)" "libs/libfoo-1.0" "terminal: the same lines as without"
expect_fail "--artifacts with --installed" "Flags --installed and --artifacts not usable together" \
  "$LUET" search --config "$WORK/luet.yaml" --installed --artifacts

echo "-- installed packages"
expect_ok "install apps/hello and apps/meta" "$LUET" install -y --config "$WORK/luet.yaml" apps/hello apps/meta
expect_eq "$(search --installed)" "apps/hello-1.1@system apps/meta-1.0@system apps/tool-1.0@system libs/libfoo-1.0@system" \
  "--installed: every installed package, repository system"
expect_eq "$(search --installed hello)" "apps/hello-1.1@system" "--installed with a regex"
expect_eq "$(search --installed other)" "none" "--installed does not look at the repositories"
expect_eq "$(search --installed --by-label-regex 'tier=2')" "apps/hello-1.1@system" "--installed --by-label-regex"
expect_eq "$(search --installed --revdeps tool)" "apps/meta-1.0@system" "--installed --revdeps"
expect_eq "$("$LUET" search --config "$WORK/luet.yaml" --installed -o json --files libfoo | python3 -c '
import json, sys
p = json.load(sys.stdin)["stones"][0]
print(p["repository"], sys.argv[1] + "/usr/lib/libfoo.so" in p["files"])' "$R")" "system True" "--installed --files: the recorded files"

finish
