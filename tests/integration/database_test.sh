#!/usr/bin/env bash
# luet database create|get|remove|reindex edit the installed-package database without touching
# the rootfs; luet cleanup empties the packages cache (and, with --purge-repos, the local copies
# of the repositories). No Docker needed.
source "$(dirname "$0")/lib.sh"

S=$WORK/src; mkdir -p "$S/usr/bin" "$S/etc"
echo bar >"$S/usr/bin/bar"; echo conf >"$S/etc/bar.conf"
"$LUET" pack foo/bar@1.0 --source "$S" --destination "$WORK/packed" >/dev/null
mkdir -p "$WORK/src2/usr/bin"; echo baz >"$WORK/src2/usr/bin/baz"
"$LUET" pack foo/baz@2.0 --source "$WORK/src2" --destination "$WORK/packed" >/dev/null
META=$WORK/packed/bar-foo-1.0.metadata.yaml
R=$WORK/rootfs; mkdir -p "$R"; write_config "$WORK/luet.yaml" "$R"
db() { "$LUET" database --config "$WORK/luet.yaml" "$@"; }

echo "-- database create"
expect_ok "create from an artifact's metadata" db create "$META"
expect_output '^foo/bar-1.0 created$' "it reports the package"
expect_eq "$(db_query "$R" "SELECT category||'/'||name||'-'||version FROM packages")" "foo/bar-1.0" "the package is recorded"
expect_eq "$(db_query "$R" "SELECT group_concat(path, ' ') FROM (SELECT path FROM files ORDER BY path)")" "etc/bar.conf usr/bin/bar" \
  "with the files of the metadata"
expect_no_file "$R/usr/bin/bar" "no file lands in the rootfs"
expect_fail "create refuses a package already present" "foo/bar-1.0 already present" db create "$META"
printf 'path: x\nruntime: [broken\n' >"$WORK/broken.metadata.yaml"
expect_fail "a malformed metadata file is an error naming it" "broken.metadata.yaml" \
  db create "$WORK/packed/baz-foo-2.0.metadata.yaml" "$WORK/broken.metadata.yaml"
expect_eq "$(db_query "$R" "SELECT COUNT(*) FROM packages WHERE name = 'baz'")" "0" "nothing recorded when one file is bad"
expect_fail "a missing file is an error" "cannot read $WORK/nope.yaml" db create "$WORK/nope.yaml"
expect_fail "create needs a file" "required" db create

echo "-- database get"
expect_ok "get foo/bar" db get foo/bar
expect_output '^name: bar$' "get prints the package as YAML (name)"
expect_output '^category: foo$' "get prints the category"
if grep -q '^files:' "$WORK/out"; then fail "no files without --files"; else pass "no files without --files"; fi
expect_ok "get --files foo/bar" db get --files foo/bar
expect_output '^files:$' "--files adds a files list"
expect_output '^- usr/bin/bar$' "--files lists the recorded files"
expect_ok "get with a version" db get foo/bar@1.0
expect_output '^version: "?1.0"?$' "the version matches"
expect_ok "get of an unknown package succeeds (as upstream)" db get foo/unknown
expect_output 'Warning: package foo/unknown is not in the system database' "with a warning"
if grep -q '^name:' "$WORK/out"; then fail "and prints no package"; else pass "and prints no package"; fi

echo "-- the recorded package is seen by the other commands"
expect_eq "$("$LUET" search --config "$WORK/luet.yaml" --installed -o json bar | python3 -c '
import json, sys; print(" ".join(p["name"] for p in json.load(sys.stdin)["stones"]))')" "bar" "search --installed finds it"

echo "-- database remove"
echo "kept" >"$R/kept"
mkdir -p "$R/usr/bin"; echo bar >"$R/usr/bin/bar"
expect_fail "remove of an unknown package is an error" "Failed removing foo/nope: not in the system database" db remove foo/nope foo/bar
expect_eq "$(db_query "$R" 'SELECT COUNT(*) FROM packages')" "1" "nothing removed when one package is unknown"
expect_ok "remove --force warns about unknown packages" db remove --force foo/nope
expect_output 'Warning: Failed removing foo/nope' "the warning names the package"
expect_ok "remove foo/bar" db remove foo/bar
expect_eq "$(db_query "$R" 'SELECT COUNT(*) FROM packages')" "0" "the record is gone"
expect_eq "$(db_query "$R" 'SELECT COUNT(*) FROM files')" "0" "with its files"
expect_file "$R/usr/bin/bar" "the files on disk stay"

echo "-- database reindex"
expect_ok "create again" db create "$META"
expect_ok "reindex" db reindex
expect_eq "$(db_query "$R" "SELECT COUNT(*) FROM files WHERE path = 'usr/bin/bar'")" "1" "the records survive a reindex"
expect_eq "$(db_query "$R" 'PRAGMA integrity_check')" "ok" "the database is sound"
expect_fail "database needs a subcommand" "subcommand" db

echo "-- cleanup"
mkdir -p "$WORK/tree/baz"
printf 'name: baz\ncategory: foo\nversion: "2.0"\n' >"$WORK/tree/baz/definition.yaml"; echo '#' >"$WORK/tree/baz/build.yaml"
"$LUET" create-repo --tree "$WORK/tree" --packages "$WORK/packed" --output "$WORK/repo" --name main >/dev/null
write_config "$WORK/luet.yaml" "$R" "$WORK/repo"
expect_ok "install foo/baz" "$LUET" install -y --config "$WORK/luet.yaml" foo/baz
CACHE=$R/var/cache/luet/packages
expect_file "$CACHE/baz-foo-2.0.package.tar.gz" "the artifact is in the packages cache"
mkdir -p "$CACHE/subdir"
exec {lockfd}>"$R/var/cache/luet/luet.lock"
flock -n "$lockfd"
expect_fail "cleanup waits for no install: a held lock refuses it" "Another process is running" \
  "$LUET" cleanup --config "$WORK/luet.yaml"
expect_fail "database remove under a held lock is refused" "Another process is running" \
  "$LUET" database remove --config "$WORK/luet.yaml" foo/baz
expect_file "$CACHE/baz-foo-2.0.package.tar.gz" "the cache is untouched while locked"
exec {lockfd}>&-
expect_ok "cleanup" "$LUET" cleanup --config "$WORK/luet.yaml"
expect_output '^Cleaned: 1 packages\.$' "cleanup counts the removed artifacts"
expect_no_file "$CACHE/baz-foo-2.0.package.tar.gz" "the artifact is gone"
expect_file "$CACHE/subdir" "folders of the cache stay (as upstream)"
expect_file "$R/usr/bin/baz" "installed files stay"
expect_ok "cleanup again" "$LUET" cleanup --config "$WORK/luet.yaml"
expect_output '^Cleaned: 0 packages\.$' "nothing left to clean"
if grep -q "Repos Cleaned" "$WORK/out"; then fail "repositories kept without --purge-repos"; else pass "repositories kept without --purge-repos"; fi
expect_file "$R/var/cache/luet/repos/repo1" "the repository's local copy is there"
expect_ok "cleanup --purge-repos" "$LUET" cleanup --config "$WORK/luet.yaml" --purge-repos
expect_output '^Repos Cleaned: 1$' "--purge-repos counts the repositories"
expect_no_file "$R/var/cache/luet/repos/repo1" "the local copy is gone"
expect_ok "a search syncs the repository again" "$LUET" search --config "$WORK/luet.yaml" baz
expect_output '^foo/baz-2.0$' "and finds its package"
R2=$WORK/empty; mkdir -p "$R2"; write_config "$WORK/empty.yaml" "$R2"
expect_ok "cleanup without a cache" "$LUET" cleanup --config "$WORK/empty.yaml" --purge-repos
expect_output '^Cleaned: 0 packages\.$' "counts nothing"

echo "-- reading creates nothing"
R3=$WORK/fresh; mkdir -p "$R3"; printf 'system:\n  rootfs: %s\n' "$R3" >"$WORK/fresh.yaml"
expect_ok "search --installed on a fresh rootfs" "$LUET" search --installed --config "$WORK/fresh.yaml"
expect_ok "database get on a fresh rootfs" "$LUET" database get --config "$WORK/fresh.yaml" foo/bar
expect_ok "query files --installed on a fresh rootfs" "$LUET" query files --installed --config "$WORK/fresh.yaml" foo/bar
expect_eq "$(find "$R3" -mindepth 1)" "" "no database or folder was created by reading"

finish
