#!/usr/bin/env bash
# Hostile artifacts that use the client's own decisions against it (issue 17): an entry left
# out by a subset or written aside by config protect, then a hard link to that name (with a
# body, which libarchive would write into the linked file); existing files no installed
# package owns; directory entries reaching luet's state through a symlinked folder. Each is
# refused with the artifact and the entry named, nothing changes in the rootfs (the victim
# keeps its content and mode) or the database, and the next command works. No Docker needed.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/pkg_lib.sh"

# publish NAME [ANNOTATIONS]: the repository $WORK/repo-NAME from the artifact in
# $WORK/packed-NAME (test/NAME@1.0); ANNOTATIONS (YAML lines, indented by two) go into the
# definition and the artifact's runtime metadata, where clients read them.
publish() {
  local name=$1 annotations=${2:-}
  local def=$WORK/tree-$name/$name meta=$WORK/packed-$name/$name-test-1.0.metadata.yaml
  mkdir -p "$def"
  printf 'name: %s\ncategory: test\nversion: "1.0"\n' "$name" >"$def/definition.yaml"
  printf '# packed by hand\n' >"$def/build.yaml"
  if [ -n "$annotations" ]; then
    printf 'annotations:\n%s\n' "$annotations" >>"$def/definition.yaml"
    python3 - "$meta" "$annotations" <<'EOF'
import sys
p, a = sys.argv[1], sys.argv[2]
s = open(p).read()
s = s.replace("runtime:\n", "runtime:\n  annotations:\n" + "\n".join("  " + l for l in a.split("\n")) + "\n", 1)
open(p, "w").write(s)
EOF
  fi
  "$LUET" create-repo --tree "$WORK/tree-$name" --packages "$WORK/packed-$name" --output "$WORK/repo-$name" \
    --name "repo-$name" >/dev/null
}

# craft NAME ANNOTATIONS PYTHON: publishes test/NAME whose artifact is the tarball the python
# snippet fills (craft_artifact, pkg_lib.sh: add, entry, and link for a hard link with a body).
craft() {
  craft_artifact "$1" "$3"
  publish "$1" "$2"
}

# The victims' rootfs: /etc/shadow (0600) and /etc/passwd that no package owns, and
# /usr/bin/good owned by the installed test/good. CONFIG is its luet.yaml (every repository).
R=$WORK/rootfs; C=$WORK/luet.yaml
S=$WORK/good; mkdir -p "$S/usr/bin"; echo good >"$S/usr/bin/good"; chmod 0755 "$S/usr/bin/good"
"$LUET" pack test/good@1.0 --source "$S" --destination "$WORK/packed-good" >/dev/null
publish good

# state: what must not change: every path of the rootfs (type, mode, owner, size) outside
# luet's folder, the victims' contents, and the database's packages and files.
state() {
  (cd "$R" && find . -path ./var/cache/luet -prune -o -printf '%p %y %m %u:%g %s\n' | sort)
  cat "$R/etc/shadow" "$R/etc/passwd" "$R/usr/bin/good"
  db_query "$R" "SELECT p.category || '/' || p.name || ' ' || f.path FROM packages p LEFT JOIN files f ON f.package_id = p.id ORDER BY 1"
}

# expect_refused NAME PATTERN [ARGS...]: installing test/NAME fails matching PATTERN (which
# names the artifact and the entry) and changes nothing; then the next command works.
expect_refused() {
  local name=$1 pattern=$2; shift 2
  local before; before=$(state)
  expect_fail "$name: refused" "$pattern" "$LUET" install -y --config "$C" "$@" "test/$name"
  expect_eq "$(state)" "$before" "$name: rootfs, victims (content, mode) and database unchanged"
  expect_no_file "$R/etc/._cfg0001_passwd" "$name: nothing written aside"
  expect_ok "$name: the next command works (reinstall test/good)" "$LUET" reinstall -y --config "$C" test/good
}

echo "-- hard links to entries the client skipped (subsets) or wrote aside (config protect)"
SUBSET_SHADOW="  subsets:
    rules:
      hidden: ['^/etc/shadow\$']"
# link_trick NAME ANNOTATIONS FOLDER DECOY LINK BODY: test/NAME ships FOLDER/DECOY (which its
# annotations skip or set aside), then LINK, a hard link to it carrying BODY ('' for none).
link_trick() {
  local body=""
  if [ -n "$6" ]; then body=", b'$6'"; fi
  craft "$1" "$2" "add(entry('$3/', tarfile.DIRTYPE)); add(entry('$3/$4'), b'decoy\n')
link('$5', '$3/$4'$body)"
}
link_trick subset_shadow "$SUBSET_SHADOW" etc shadow usr/share/sh 'root::0:0:owned\n'
link_trick subset_good "  subsets:
    rules:
      hidden: ['^/usr/bin/good\$']" usr/bin good usr/share/g '#!/bin/sh\necho owned\n'
link_trick protect_passwd "  config_protect: /etc" etc passwd usr/share/pw 'root::0:0:owned\n'
# The same tricks without a body: the link would give the package a second name for the file.
link_trick subset_nobody "$SUBSET_SHADOW" etc shadow usr/share/sh ''
link_trick protect_nobody "  config_protect: /etc" etc passwd usr/share/pw ''

victims() {
  mkdir -p "$R/etc" "$R/usr/bin"
  printf 'root:$6$secret:19000:0:99999:7:::\n' >"$R/etc/shadow"; chmod 0600 "$R/etc/shadow"
  printf 'root:x:0:0:root:/root:/bin/sh\n' >"$R/etc/passwd"
}
victims
write_config "$C" "$R" "$WORK/repo-good" "$WORK/repo-subset_shadow" "$WORK/repo-subset_good" \
  "$WORK/repo-protect_passwd" "$WORK/repo-subset_nobody" "$WORK/repo-protect_nobody"
expect_ok "install test/good (owns /usr/bin/good)" "$LUET" install -y --config "$C" test/good

expect_refused subset_shadow \
  "subset_shadow-test-1\.0\.package\.tar\.gz: entry 'usr/share/sh' is a hard link to 'etc/shadow' that carries data"
expect_refused subset_shadow "entry 'usr/share/sh' is a hard link to 'etc/shadow' that carries data" --skip-finalizers
expect_refused subset_shadow "entry 'usr/share/sh' is a hard link to 'etc/shadow' that carries data" --force
expect_refused subset_good \
  "subset_good-test-1\.0\.package\.tar\.gz: entry 'usr/share/g' is a hard link to 'usr/bin/good' that carries data"
expect_refused protect_passwd \
  "protect_passwd-test-1\.0\.package\.tar\.gz: entry 'usr/share/pw' is a hard link to 'etc/passwd' that carries data"
expect_refused protect_nobody \
  "protect_nobody-test-1\.0\.package\.tar\.gz: entry 'usr/share/pw' is a hard link to 'etc/passwd', which config protect wrote aside"

# A subset leaves a file out under each of its names: the link is left out with its target.
before=$(state)
expect_ok "subset_nobody: installed" "$LUET" install -y --config "$C" test/subset_nobody
expect_no_file "$R/usr/share/sh" "subset_nobody: the link to the left-out etc/shadow is left out too"
expect_eq "$(stat -c '%h %a' "$R/etc/shadow")" "1 600" "subset_nobody: /etc/shadow has one name and mode 600"
expect_eq "$(db_query "$R" "SELECT count(*) FROM files WHERE path IN ('etc/shadow', 'usr/share/sh')")" "0" \
  "subset_nobody: neither name recorded"
expect_ok "subset_nobody: uninstalled" "$LUET" uninstall -y --config "$C" test/subset_nobody
expect_eq "$(state)" "$before" "subset_nobody: uninstall leaves the rootfs as before"

echo "-- files on disk that no package owns"
craft unowned "" "add(entry('etc/', tarfile.DIRTYPE)); add(entry('etc/shadow', mode=0o644), b'root::0:0:owned\n')"
craft unowned_via "" "add(entry('x', tarfile.SYMTYPE, linkname='/etc')); add(entry('x/passwd'), b'root::0:0:owned\n')"
craft same_link "" "add(entry('usr/lib64', tarfile.SYMTYPE, linkname='lib'))"
craft other_link "" "add(entry('usr/lib32', tarfile.SYMTYPE, linkname='/etc/shadow'))"
# An entry planned through the last symlink 'x -> usr/share' but written through an earlier one.
craft swap "" "add(entry('x', tarfile.SYMTYPE, linkname='/etc')); add(entry('x/shadow'), b'root::0:0:owned\n')
add(entry('x', tarfile.SYMTYPE, linkname='/usr/share'))"
ln -s lib "$R/usr/lib64"; ln -s lib "$R/usr/lib32"
write_config "$C" "$R" "$WORK/repo-good" "$WORK/repo-unowned" "$WORK/repo-unowned_via" "$WORK/repo-same_link" \
  "$WORK/repo-other_link" "$WORK/repo-swap"
expect_refused unowned "file conflict: /etc/shadow of test/unowned-1\.0 is already on disk and belongs to no installed package \(use --force"
expect_refused unowned_via "file conflict: /x/passwd \(written to /etc/passwd\) of test/unowned_via-1\.0 is already on disk and belongs to no installed package"
expect_refused other_link "file conflict: /usr/lib32 of test/other_link-1\.0 is already on disk and belongs to no installed package"
expect_refused swap "swap-test-1\.0\.package\.tar\.gz \(test/swap-1\.0\): entry 'x/shadow' reaches /etc/shadow when written, not /usr/share/shadow"
expect_ok "same_link: a symlink already on disk as packaged is no conflict" "$LUET" install -y --config "$C" test/same_link
expect_eq "$(readlink "$R/usr/lib64")" "lib" "same_link: the symlink is as it was"
expect_ok "unowned with --force: overwritten on purpose" "$LUET" install -y --force --config "$C" test/unowned
expect_eq "$(cat "$R/etc/shadow")" "root::0:0:owned" "unowned with --force: the package's file is in place"
expect_ok "uninstall it" "$LUET" uninstall -y --config "$C" test/unowned
expect_no_file "$R/etc/shadow" "uninstall removes the file --force gave the package"
victims
# Under a config protect folder, an unowned file is kept (the package's version written
# aside), or replaced on purpose with config_protect_skip (as upstream's 17_config_protect_skip).
R2=$WORK/rootfs-protect; mkdir -p "$R2/etc" "$WORK/protect.d"; echo "mine" >"$R2/etc/shadow"
printf 'name: etc\ndirs: [/etc/]\n' >"$WORK/protect.d/etc.yml"
write_config "$WORK/protect.yaml" "$R2" "$WORK/repo-unowned"
echo "config_protect_confdir: [\"$WORK/protect.d\"]" >>"$WORK/protect.yaml"
expect_ok "protected folder: installed" "$LUET" install -y --config "$WORK/protect.yaml" test/unowned
expect_eq "$(cat "$R2/etc/shadow"):$(cat "$R2/etc/._cfg0001_shadow")" "mine:root::0:0:owned" \
  "protected folder: the file on disk is kept, the package's beside it"
expect_ok "uninstall" "$LUET" uninstall -y --config "$WORK/protect.yaml" test/unowned
rm -f "$R2/etc/._cfg0001_shadow"; echo "config_protect_skip: true" >>"$WORK/protect.yaml"
expect_ok "config_protect_skip: installed" "$LUET" install -y --config "$WORK/protect.yaml" test/unowned
expect_eq "$(cat "$R2/etc/shadow")" "root::0:0:owned" "config_protect_skip: the configuration file is replaced"

echo "-- folder entries get the checks files get"
# vv -> var, then folder entries reaching luet's database folder (mode 0777, owner 4242).
craft state_dirs "" "add(entry('vv', tarfile.SYMTYPE, linkname='var'))
for d in ('vv/', 'vv/cache/', 'vv/cache/luet/'): add(entry(d, tarfile.DIRTYPE, mode=0o777, uid=4242, gid=4242))"
# The same through a symlink already on disk (made by an installed package).
craft state_dirs_disk "" "add(entry('ww/cache/luet/', tarfile.DIRTYPE, mode=0o777, uid=4242, gid=4242))"
craft state_dirs_abs "" "add(entry('yy', tarfile.SYMTYPE, linkname='/var/cache/luet')); add(entry('yy/', tarfile.DIRTYPE, mode=0o777))"
# A folder entry where a file is: extraction would unlink the file.
craft dir_on_file "" "add(entry('etc/', tarfile.DIRTYPE)); add(entry('etc/shadow/', tarfile.DIRTYPE, mode=0o777))"
craft dir_on_owned "" "add(entry('usr/bin/', tarfile.DIRTYPE)); add(entry('usr/bin/good/', tarfile.DIRTYPE))"
# A name that is not UTF-8 (the journal and file lists are JSON): refused, not a raw JSON error.
craft not_utf8 "" "add(entry('usr/share/bad\\udcffname'), b'x\\n')"
ln -s var "$R/ww"
write_config "$C" "$R" "$WORK/repo-good" "$WORK/repo-state_dirs" "$WORK/repo-state_dirs_disk" "$WORK/repo-state_dirs_abs" \
  "$WORK/repo-dir_on_file" "$WORK/repo-dir_on_owned" "$WORK/repo-not_utf8"
statedir() { stat -c '%a %u:%g' "$R/var/cache/luet"; }
state_before=$(statedir)
expect_refused state_dirs \
  "state_dirs-test-1\.0\.package\.tar\.gz \(test/state_dirs-1\.0\): entry 'vv/cache/luet' is inside luet's database folder /var/cache/luet"
expect_eq "$(statedir)" "$state_before" "state_dirs: the database folder keeps its mode and owner"
expect_refused state_dirs_disk "entry 'ww/cache/luet' is inside luet's database folder /var/cache/luet"
expect_refused state_dirs_abs "entry 'yy' is inside luet's database folder /var/cache/luet"
expect_eq "$(statedir)" "$state_before" "the database folder keeps its mode and owner"
expect_refused dir_on_file "file conflict: /etc/shadow of test/dir_on_file-1\.0 is already on disk and belongs to no installed package"
expect_refused dir_on_owned "file conflict: /usr/bin/good of test/dir_on_owned-1\.0 belongs to installed package test/good-1\.0"
expect_refused not_utf8 "\(test/not_utf8-1\.0\): entry 'usr/share/bad'\.\.\. has a byte that is not UTF-8 \(0xff at offset 13\)"

echo "-- configuration values that would lead luet out of its folders"
HOST=$WORK/host; mkdir -p "$HOST/keep"; echo precious >"$HOST/keep/file"
CONFD=$WORK/repos.conf.d; mkdir -p "$CONFD"
cp "$C" "$WORK/base.yaml"; echo "repos_confdir: [\"$CONFD\"]" >>"$C"
printf 'name: "../../../../../../..%s/keep"\ntype: disk\nurls: ["%s"]\n' "$HOST" "$WORK/repo-good" >"$CONFD/evil.yml"
expect_fail "a repository named ../../.. is refused, naming the file and key" \
  "$CONFD/evil\.yml: repository 'name' '\.\./.*/keep' is not a plain name: it contains '/'" \
  "$LUET" repo update --config "$C"
expect_fail "every command refuses the configuration" "evil\.yml: repository 'name'" "$LUET" cleanup --purge-repos --config "$C"
expect_eq "$(cat "$HOST/keep/file" 2>/dev/null)" "precious" "the host folder named by the repository is untouched"
printf 'name: ".."\ntype: disk\nurls: ["%s"]\n' "$WORK/repo-good" >"$CONFD/evil.yml"
expect_fail "a repository named .. is refused" "evil\.yml: repository 'name' '\.\.' is not a plain name" "$LUET" repo update --config "$C"
printf 'name: "a\\nb\\e[2J"\ntype: disk\nurls: ["%s"]\n' "$WORK/repo-good" >"$CONFD/evil.yml"
expect_fail "a repository name with control characters is refused, shown escaped" \
  "repository 'name' 'a\\\\nb\\\\e\[2J' is not a plain name: it contains control characters" "$LUET" repo list --config "$C"
rm "$CONFD/evil.yml"
expect_ok "without the file, repo update works" "$LUET" repo update --config "$C"

bad_config() {  # bad_config KEY VALUE: $WORK/bad.yaml, the base configuration with system.KEY set
  sed "s|^system:|system:\n  $1: $2|" "$WORK/base.yaml" >"$WORK/bad.yaml"
}
bad_config database_path "/var/../../../../../..$HOST/db"
expect_fail "database_path with '..' is refused" \
  "$WORK/bad\.yaml: system\.database_path '/var/\.\./.*/db' contains '\.\.': luet's database folder must stay inside the rootfs" \
  "$LUET" install -y --config "$WORK/bad.yaml" test/good
expect_no_file "$HOST/db" "no database outside the rootfs"
bad_config pkgs_cache_path "../../../../../../..$HOST/keep"
expect_fail "a relative pkgs_cache_path with '..' is refused" \
  "bad\.yaml: system\.pkgs_cache_path '.*' contains '\.\.': a relative packages cache must stay inside the database folder" \
  "$LUET" cleanup --config "$WORK/bad.yaml"
expect_eq "$(cat "$HOST/keep/file")" "precious" "the host folder is untouched"

# An absolute pkgs_cache_path is a host folder (as upstream): cleanup deletes luet's artifacts
# there, nothing else.
bad_config pkgs_cache_path "$HOST/keep"
expect_ok "reinstall with an absolute packages cache" "$LUET" reinstall -y --config "$WORK/bad.yaml" test/good
expect_file "$HOST/keep/good-test-1.0.package.tar.gz" "the artifact is cached there"
touch "$HOST/keep/notes.txt" "$HOST/keep/.hidden.package.tar.gz"
expect_ok "cleanup" "$LUET" cleanup --config "$WORK/bad.yaml"
expect_output '^Cleaned: 1 packages\.$' "cleanup removes the one artifact"
expect_eq "$(ls -A "$HOST/keep" | tr '\n' ' ')" ".hidden.package.tar.gz file notes.txt " "the folder's other files stay"
expect_ok "the next command works" "$LUET" uninstall -y --config "$WORK/bad.yaml" test/good

echo "-- smaller: control characters, duplicate entries, versions"
craft ctlname "" "add(entry('usr/share/a\\nb\\x1b[2J'), b'x')"
craft dupes "" "add(entry('usr/share/twice'), b'1\\n'); add(entry('usr/share/twice'), b'2\\n')"
write_config "$C" "$R" "$WORK/repo-good" "$WORK/repo-ctlname" "$WORK/repo-dupes"
expect_ok "install test/good again" "$LUET" install -y --config "$C" test/good
expect_refused ctlname "entry 'usr/share/a\\\\nb\\\\e\\[2J' has control characters in its name"
if grep -q $'\e' "$WORK/out"; then fail "ctlname: the escape sequence reached the output"; else pass "ctlname: printed escaped"; fi
expect_ok "dupes: an entry listed twice installs" "$LUET" install -y --config "$C" test/dupes
expect_eq "$(cat "$R/usr/share/twice")" "2" "dupes: the last one wins, as tar"
expect_eq "$(db_query "$R" "SELECT count(*) FROM files WHERE path = 'usr/share/twice'")" "1" "dupes: one database row"
expect_ok "dupes: uninstalled" "$LUET" uninstall -y --config "$C" test/dupes
expect_no_file "$R/usr/share/twice" "dupes: its file is gone"
D=$WORK/bump; mkdir -p "$D"
printf 'name: a\ncategory: b\nversion: "1.0+18446744073709551615"\n' >"$D/definition.yaml"
expect_fail "tree bump refuses a build number without successor" \
  "version '1\\.0\\+18446744073709551615': build number 18446744073709551615 is too large to bump" \
  "$LUET" tree bump -f "$D/definition.yaml"
expect_eq "$(grep version "$D/definition.yaml")" 'version: "1.0+18446744073709551615"' "the definition is unchanged"
expect_fail "a selector with two operators is refused" "version selector '=>1\\.0' is malformed" \
  "$LUET" install -y --config "$C" "test/good@=>1.0"

echo "-- concurrent syncs share nothing half-written"
# repo update --force and search at once: each sync holds its repository's lock from staging
# to swap, readers read under it (before, these failed with raw filesystem errors).
write_config "$C" "$R" "$WORK/repo-good"
failed=0
for round in 1 2; do
  pids=()
  for k in 1 2 3; do
    "$LUET" repo update --force --config "$C" >"$WORK/update-$k.log" 2>&1 & pids+=($!)
    "$LUET" search --config "$C" good >"$WORK/search-$k.log" 2>&1 & pids+=($!)
  done
  for p in "${pids[@]}"; do wait "$p" || failed=$((failed + 1)); done
  grep -h "rror" "$WORK"/update-*.log "$WORK"/search-*.log | sed 's/^/       /' || true
  grep -L '^test/good-1.0$' "$WORK"/search-*.log | sed 's/^/       no package found: /' || true
  failed=$((failed + $(grep -L '^test/good-1.0$' "$WORK"/search-*.log | wc -l)))
done
expect_eq "$failed" "0" "6 syncs and 6 searches at once all succeed and find the package"
expect_eq "$(ls -A "$R/var/cache/luet/repos" | grep -c sync)" "0" "no staging folder is left"
expect_ok "the next search works" "$LUET" search --config "$C" good
expect_output '^test/good-1.0$' "and finds the package"

finish
