#!/usr/bin/env bash
# luet query files/belongs/orphans over installed packages and repositories, and the miner's
# install-package/remove-package. No Docker needed.
source "$(dirname "$0")/lib.sh"

# Two packages: app/one 1.0 (in both repositories) and app/two 1.0 (only in the first).
mk() { # mk CAT/NAME VERSION FILE...
  local S=$WORK/src-${1//\//-}-$2; mkdir -p "$S"
  shift 2
  for f in "$@"; do mkdir -p "$S/$(dirname "$f")"; echo "$f" >"$S/$f"; done
}
mk app/one 1.0 usr/bin/one etc/one.conf
mk app/two 1.0 usr/bin/two
expect_ok "pack app/one" "$LUET" pack app/one@1.0 --source "$WORK/src-app-one-1.0" --destination "$WORK/packed1"
expect_ok "pack app/two" "$LUET" pack app/two@1.0 --source "$WORK/src-app-two-1.0" --destination "$WORK/packed1"
cp "$WORK"/packed1/one-app-1.0.* "$(mkdir -p "$WORK/packed2" && echo "$WORK/packed2")/"
for n in one two; do
  mkdir -p "$WORK/tree/$n"
  printf 'name: %s\ncategory: app\nversion: "1.0"\nlicense: MIT\nlabels:\n  kind: test\n' "$n" >"$WORK/tree/$n/definition.yaml"
  printf '# packed by hand\n' >"$WORK/tree/$n/build.yaml"
done
expect_ok "create-repo with both" "$LUET" create-repo --tree "$WORK/tree" --packages "$WORK/packed1" --output "$WORK/repo1" --name r1
expect_ok "create-repo with app/one" "$LUET" create-repo --tree "$WORK/tree" --packages "$WORK/packed2" --output "$WORK/repo2" --name r2

R=$WORK/rootfs; mkdir -p "$R"
C=$WORK/luet.yaml; write_config "$C" "$R" "$WORK/repo1"
expect_ok "install both" "$LUET" install -y --config "$C" app/one app/two

# query files
expect_ok "query files --installed" "$LUET" query files --installed --config "$C" app/one
expect_output "^$R/usr/bin/one$" "with the rootfs prefix by default"
expect_output "^$R/etc/one.conf$" "every file of the package"
if grep -q "two" "$WORK/out"; then fail "only the package asked for"; else pass "only the package asked for"; fi
expect_ok "query files without the prefix" "$LUET" query files --installed --with-rootfs-prefix=false --config "$C" app/one
expect_output "^usr/bin/one$" "entry names without the prefix"
expect_ok "query f (repository) -o json" "$LUET" q f -o json --with-rootfs-prefix=false --config "$C" app/two
expect_eq "$(jq -r '.[]' "$WORK/out")" "usr/bin/two" "repository metadata files as a JSON list"
expect_ok "query files -o yaml" "$LUET" query files -o yaml --installed --with-rootfs-prefix=false --config "$C" app/two
expect_output "^- usr/bin/two$" "YAML list"

# query belongs
expect_ok "query belongs --installed" "$LUET" query belongs --installed --config "$C" /usr/bin/two etc/one.conf
expect_eq "$(sort "$WORK/out" | tr '\n' ' ')" "app/one-1.0 app/two-1.0 " "owners of an absolute and a relative path"
expect_ok "query belongs --quiet" "$LUET" query b --installed --quiet --config "$C" /usr/bin/two
expect_eq "$(cat "$WORK/out")" "app/two" "quiet prints category/name"
expect_ok "query belongs --table" "$LUET" query belongs --installed --table --config "$C" /usr/bin/two
expect_eq "$(cat "$WORK/out")" "$(printf '%s\n' '| PACKAGE | VERSION | REPOSITORY |' '|---------|---------|------------|' \
  '| app/two | 1.0     | system     |')" "--table: geaaru's table"
expect_ok "query belongs -o json" "$LUET" query belongs -o json --config "$C" /usr/bin/one
expect_eq "$(jq -r '.stones | length' "$WORK/out")" "1" "one stone"
expect_eq "$(jq -r '.stones[0] | "\(.category)/\(.name) \(.version) \(.repository) \(.files | length)"' "$WORK/out")" \
  "app/one 1.0 repo1 2" "the stone names its repository and files"
expect_ok "query belongs -o json --installed" "$LUET" query belongs -o json --installed --config "$C" /usr/bin/one
expect_eq "$(jq -r '.stones[0].repository' "$WORK/out")" "system" "installed stones belong to 'system'"
expect_ok "query belongs of an unowned file" "$LUET" query belongs --installed --config "$C" /usr/bin/nothing
expect_eq "$(cat "$WORK/out")" "" "nothing printed"

# query orphans: with only repo2 enabled, app/two is an orphan.
expect_ok "no orphans with repo1" "$LUET" query orphans --verbose=false --config "$C"
expect_eq "$(cat "$WORK/out")" "" "no orphans"
write_config "$WORK/luet2.yaml" "$R" "$WORK/repo2"
expect_ok "query orphans with repo2" "$LUET" query orphans --config "$WORK/luet2.yaml"
expect_output "^🧠 Searching for orphans packages\.\.\.$" "verbose message"
expect_output "^app/two-1\.0$" "app/two is an orphan"
if grep -q "app/one" "$WORK/out"; then fail "app/one is not an orphan"; else pass "app/one is not an orphan"; fi
expect_ok "query o -o json" "$LUET" query o -o json --config "$WORK/luet2.yaml"
expect_eq "$(jq -r '.packages[] | "\(.category)/\(.name)-\(.version)"' "$WORK/out")" "app/two-1.0" "JSON orphans"
expect_fail "unknown output format" "unknown output format 'xml'" "$LUET" query orphans -o xml --config "$C"

# miner remove-package ignores reverse dependencies; install-package takes a named repository.
expect_ok "miner rm app/two" "$LUET" miner rm --config "$C" app/two
expect_no_file "$R/usr/bin/two" "files removed"
expect_eq "$(db_query "$R" "SELECT count(*) FROM packages WHERE name = 'two'")" "0" "record removed"
expect_fail "miner install-package from a repository without it" "app/two is not in repository repo1" \
  "$LUET" miner install-package --config "$WORK/luet2.yaml" repo1 app/two
expect_ok "miner i from repo1" "$LUET" miner i --config "$C" repo1 app/two
expect_file "$R/usr/bin/two" "installed again"
expect_eq "$(db_query "$R" "SELECT repository FROM packages WHERE name = 'two'")" "repo1" "recorded with its repository"
expect_fail "miner install-package of an unknown repository" "repository nope is not configured" \
  "$LUET" miner install-package --config "$C" nope app/two
# A file of another installed package is a conflict unless --force.
mk app/clash 1.0 usr/bin/one
expect_ok "pack app/clash" "$LUET" pack app/clash@1.0 --source "$WORK/src-app-clash-1.0" --destination "$WORK/packed1"
mkdir -p "$WORK/tree/clash"; printf 'name: clash\ncategory: app\nversion: "1.0"\n' >"$WORK/tree/clash/definition.yaml"
printf '# packed by hand\n' >"$WORK/tree/clash/build.yaml"
expect_ok "create-repo again" "$LUET" create-repo --tree "$WORK/tree" --packages "$WORK/packed1" --output "$WORK/repo1" --name r1
"$LUET" repo update --config "$C" >/dev/null  # commands read the local copy
expect_fail "miner i with a file conflict" "file conflict: /usr/bin/one of app/clash-1.0 belongs to installed package app/one-1.0" \
  "$LUET" miner i --config "$C" repo1 app/clash
expect_eq "$(cat "$R/usr/bin/one")" "usr/bin/one" "the conflicting file is untouched"

# The miner runs finalizers in the rootfs (a static busybox is its shell) unless told not to.
mk app/fin 1.0 usr/share/fin/marker
expect_ok "pack app/fin" "$LUET" pack app/fin@1.0 --source "$WORK/src-app-fin-1.0" --destination "$WORK/packed1"
mkdir -p "$WORK/tree/fin"; printf 'name: fin\ncategory: app\nversion: "1.0"\n' >"$WORK/tree/fin/definition.yaml"
printf '# packed by hand\n' >"$WORK/tree/fin/build.yaml"
printf 'install:\n- echo ran >>/fin.log\n' >"$WORK/tree/fin/finalize.yaml"
expect_ok "create-repo with app/fin" "$LUET" create-repo --tree "$WORK/tree" --packages "$WORK/packed1" --output "$WORK/repo1" --name r1
"$LUET" repo update --config "$C" >/dev/null  # commands read the local copy
mkdir -p "$R/bin"; cp "$(command -v busybox)" "$R/bin/busybox"; ln -sf busybox "$R/bin/sh"
expect_ok "miner i --skip-finalizers" "$LUET" miner i --skip-finalizers --config "$C" repo1 app/fin
expect_no_file "$R/fin.log" "no finalizer ran"
expect_ok "miner ri runs the finalizer" "$LUET" miner ri --config "$C" app/fin
expect_eq "$(cat "$R/fin.log")" "ran" "the finalizer ran once in the rootfs"
expect_ok "miner ri --skip-finalizers" "$LUET" miner ri --skip-finalizers --config "$C" app/fin
expect_eq "$(grep -c ran "$R/fin.log")" "1" "skipped the second time"
printf 'install:\n- exit 3\n' >"$WORK/tree/fin/finalize.yaml"
expect_ok "create-repo with a failing finalizer" "$LUET" create-repo --tree "$WORK/tree" --packages "$WORK/packed1" --output "$WORK/repo1" --name r1
"$LUET" repo update --config "$C" >/dev/null  # commands read the local copy
expect_fail "miner ri reports a failed finalizer" "finalizer of app/fin-1.0 failed \(exit 3\)" "$LUET" miner ri --config "$C" app/fin
expect_eq "$(db_query "$R" "SELECT count(*) FROM packages WHERE name = 'fin'")" "1" "the package stays installed"

finish
