#!/usr/bin/env bash
# Upstream commands and flags with behaviour of their own (no container engine needed):
# luet-build tree render, tree pkglist --deps, tree bump -p, tree images -p, build --pretend
# -o json|yaml and --revdeps, completion powershell, and `help CMD` usage lines.
source "$(dirname "$0")/lib.sh"

T=$WORK/tree
tree_pkg "$T" rnd base 'image: "{{ .Values.image }}"\nsteps:\n- echo {{ .Values.name }}\n'
# A package whose build.yaml needs a template kept outside the tree (render --templates-dir).
R=$WORK/rtree
tree_pkg "$R" rnd tpl 'image: "{{ .Values.image }}"\nsteps:\n- {{ template "greet" . }}\nenv:\n- A=b\nincludes:\n- /opt/.*\nunknown_key: dropped\n'
printf 'name: tpl\ncategory: rnd\nversion: "1.0"\nimage: "busybox:1"\n' >"$R/tpl/definition.yaml"
tree_pkg "$T" rnd top 'requires:\n- {name: base, category: rnd, version: ">=0"}\nsteps:\n- echo top\n'
tree_pkg "$T" rnd rev 'requires:\n- {name: top, category: rnd, version: ">=0"}\nsteps:\n- echo rev\n'
tree_pkg "$T" rnd other 'image: busybox\nsteps:\n- echo other\n'
printf 'name: top\ncategory: rnd\nversion: "1.0"\nrequires:\n- {name: base, category: rnd}\n' >"$T/top/definition.yaml"
printf 'name: rev\ncategory: rnd\nversion: "1.0"\nrequires:\n- {name: top, category: rnd}\n' >"$T/rev/definition.yaml"
printf 'name: base\ncategory: rnd\nversion: "1.0"\nimage: "busybox:1"\n' >"$T/base/definition.yaml"
mkdir -p "$WORK/tpl"
printf '{{ define "greet" }}echo greet {{ .Values.category }}/{{ .Values.name }}{{ end }}\n' >"$WORK/tpl/greet.tpl"
printf 'image: "busybox:9"\n' >"$WORK/values.yaml"

B=$WORK/luet-build
ln -s "$LUET" "$B"

# tree render (geaaru luet-build): the build.yaml of a package, rendered.
expect_ok "tree render with --templates-dir and --values" \
  "$B" tree render -t "$R" --templates-dir "$WORK/tpl" --values "$WORK/values.yaml" rnd/tpl
expect_output "Processing package rnd/tpl-1.0\.\.\.$" "render names the package"
expect_output '^image: busybox:9$' "--values override the definition's values"
expect_output '^    - echo greet rnd/tpl$' "the --templates-dir template is rendered (upstream's 4-space lists)"
expect_output '^name: ""$' "upstream's empty inline name comes first"
if grep -q unknown_key "$WORK/out"; then fail "render drops keys upstream's spec does not have"; else pass "render drops keys upstream's spec does not have"; fi
expect_ok "tree render -o json" "$B" tree render -t "$T" --templates-dir "$WORK/tpl" -o json rnd/top
expect_eq "$(grep '^{' "$WORK/out" | python3 -c 'import json,sys; j=json.load(sys.stdin); print(j["steps"], j["-"]["requires"][0]["name"])')" \
  "['echo top'] base" "json: steps, and the requires under upstream's \"-\" key"
expect_fail "render without a template it needs" "greet" "$B" tree render -t "$R" --templates-dir "$WORK/none" rnd/tpl
expect_fail "render an unknown package" "No packages found with the selector rnd/nosuch" \
  "$B" tree render -t "$T" --templates-dir "$WORK/tpl" rnd/nosuch
expect_fail "render without a package" "No package selected" "$B" tree render -t "$T" --templates-dir "$WORK/tpl"

# tree pkglist --deps: what each package needs, each after what it needs (not sorted).
expect_ok "pkglist --deps" "$LUET" tree pkglist -t "$T" --values "$WORK/values.yaml" --deps -m 'rnd/rev$'
expect_eq "$(tr '\n' ' ' <"$WORK/out")" "rnd/base rnd/top " "runtime dependencies, in install order"
expect_fail "--deps with --revdeps" "Both revdeps and deps option used" "$LUET" tree pkglist -t "$T" --deps --revdeps

# tree bump -p: a given version instead of the next build revision.
D=$WORK/bump.yaml
printf '# keep\nname: tool\ncategory: dev\nversion: "1.2.0" # current\n' >"$D"
expect_ok "bump -p 2.0" "$LUET" tree bump -f "$D" -p 2.0
expect_eq "$(grep -c '# keep' "$D") $(grep version "$D")" '1 version: "2.0" # current' "-p sets the version, the file text is kept"
expect_fail "bump -p with an invalid version" "Invalid version string: not a version" "$LUET" tree bump -f "$D" -p "not a version"

# tree images -p: accepted (the images are named from --image-repository, as upstream).
# (stdout only: a seed image that is not local is warned about on stderr.)
"$LUET" tree images -t "$T" --values "$WORK/values.yaml" rnd/top >"$WORK/plain" 2>/dev/null
expect_ok "tree images -p" "$LUET" tree images -t "$T" --values "$WORK/values.yaml" -p example.org/cache rnd/top
"$LUET" tree images -t "$T" --values "$WORK/values.yaml" -p example.org/cache rnd/top >"$WORK/withp" 2>/dev/null
expect_eq "$(cat "$WORK/withp")" "$(cat "$WORK/plain")" "-p does not change the list"

# build --pretend -o json|yaml (geaaru luet-build): the packages each target needs.
expect_ok "build --pretend -o json" "$LUET" build -t "$T" --values "$WORK/values.yaml" --pretend -o json rnd/rev
expect_eq "$(python3 -c 'import json,sys; print(" ".join(p["category"]+"/"+p["name"]+">"+p["target"] for p in json.load(open(sys.argv[1]))["packages"]))' "$WORK/out")" \
  "rnd/base>rnd/rev-1.0 rnd/top>rnd/rev-1.0" "json lists the dependencies of the target, in build order"
expect_ok "build --pretend -o yaml" "$LUET" build -t "$T" --values "$WORK/values.yaml" --pretend -o yaml rnd/top
expect_output '^- License: ""$' "yaml: upstream's layout, keys sorted"
expect_output '^  target: rnd/top-1.0$' "yaml names the target"
expect_output '^  version: "1.0"$' "yaml quotes the version"
expect_output '^  files: null$' "yaml: files null"
expect_ok "build --pretend -o json of a package needing nothing" "$LUET" build -t "$T" --values "$WORK/values.yaml" --pretend -o json rnd/other
expect_eq "$(cat "$WORK/out")" '{"packages":null}' "nothing needed: packages null, as upstream"
expect_fail "build -o with an unknown format" "unknown output format 'xml'" "$LUET" build -t "$T" --pretend -o xml rnd/top

# build --revdeps: the packages whose build needs the targets come too.
expect_ok "build --revdeps --pretend" "$LUET" build -t "$T" --values "$WORK/values.yaml" --revdeps --pretend rnd/top
expect_eq "$(grep -v 'reverse dependency' "$WORK/out" | tr '\n' ' ')" "rnd/base-1.0 rnd/top-1.0 rnd/rev-1.0 " \
  "the plan holds the reverse dependency, after the target"
expect_output "rnd/rev-1.0 \(reverse dependency\)" "and says why it is there"

# completion powershell: a native argument completer over the command tree.
expect_ok "completion powershell" "$LUET" completion powershell
expect_output "^Register-ArgumentCompleter -Native -CommandName 'luet'" "registers a native completer for luet"
expect_output "'luet repo/up' = 'luet repo update'" "aliases lead to their command"
expect_output "@\('--tree', 'Path of the tree" "flags come with their help as tooltip"
expect_ok "completion powershell --no-descriptions" "$LUET" completion powershell --no-descriptions
expect_output "@\('--tree', '--tree'\)" "--no-descriptions: the tooltip is the word itself"
if grep "^        'luet' = " "$WORK/out" | grep -qE "@\('(exec|miner)'"; then fail "hidden commands are not offered"; else pass "hidden commands are not offered"; fi
expect_output "^        'luet box' = @\(@\('exec', 'exec'\)" "box exec is offered under box"

# help CMD prints the command's usage with the whole command path.
expect_ok "help install" "$LUET" help install
expect_output "^Usage: luet install " "help install: Usage: luet install"
expect_ok "help repo add" "$LUET" help repo add
expect_output "^Usage: luet repo add " "help repo add: the whole path"
finish
