#!/usr/bin/env bash
# Limits against hostile repositories and networks (issue 17, items 4 and 5): a repository
# going back to an older revision (a rollback) is refused, naming both revisions, unless
# `repo update --force`. Each refusal leaves the rootfs, the state folder and the local copy
# as they were, and the next command works. No Docker needed.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/pkg_lib.sh"

R=$WORK/rootfs; C=$WORK/luet.yaml

# publish VERSION: packs test/app@VERSION into $WORK/packed and (re)creates the repository
# $WORK/repo from every artifact there (create-repo raises the revision by one each time).
publish() {
  local v=$1 src=$WORK/src-$1 def=$WORK/tree/app-$1
  mkdir -p "$src/usr/share" "$def"
  echo "app $v" >"$src/usr/share/app"
  printf 'name: app\ncategory: test\nversion: "%s"\n' "$v" >"$def/definition.yaml"
  printf '# packed by hand\n' >"$def/build.yaml"
  "$LUET" pack "test/app@$v" --source "$src" --destination "$WORK/packed" >/dev/null
  "$LUET" create-repo --tree "$WORK/tree" --packages "$WORK/packed" --output "$WORK/repo" --name repo1 >/dev/null
}

# state: every path under the rootfs (luet's state folder included) with its type, mode and
# size, and the content of the local copy's repository.yaml.
state() {
  (cd "$R" && find . -printf '%p %y %m %s\n' | sort)
  cat "$R/var/cache/luet/repos/repo1/repository.yaml" 2>/dev/null || true
}

echo "-- freshness: a repository going back to an older revision"
publish 1.0; cp -a "$WORK/repo" "$WORK/repo-rev1"
publish 2.0; cp -a "$WORK/repo" "$WORK/repo-rev2"
revision() { sed -n 's/^revision: *//p' "$1/repository.yaml"; }
expect_eq "$(revision "$WORK/repo-rev1") $(revision "$WORK/repo-rev2")" "1 2" "the old copy has revision 1, the new one 2"
mkdir -p "$WORK/served"; cp -a "$WORK/repo-rev2/." "$WORK/served/"
mkdir -p "$R"; write_config "$C" "$R" "$WORK/served"

expect_ok "repo update syncs revision 2" "$LUET" repo update --config "$C"
expect_output 'Revision: 2' "and says so"
expect_ok "search finds test/app 2.0" "$LUET" search --config "$C" app
expect_output '^test/app-2.0$' "the newest version is there"
expect_ok "install test/app (2.0)" "$LUET" install -y --config "$C" test/app
expect_eq "$(cat "$R/usr/share/app")" "app 2.0" "test/app 2.0 is installed"

# The server rolls back to revision 1 (its old, validly checksummed documents).
rm -rf "$WORK/served"/*; cp -a "$WORK/repo-rev1/." "$WORK/served/"
before=$(state)
expect_fail "repo update refuses revision 1 after revision 2" \
  'repository repo1: repository\.yaml has revision 1, older than revision 2 synced last; refused as a rollback \(luet repo update --force repo1' \
  "$LUET" repo update --config "$C"
expect_eq "$(state)" "$before" "nothing changed in the rootfs, the state folder or the local copy"
expect_fail "install --sync-repos of the rolled-back version is refused" "older than revision 2" \
  "$LUET" install -y --config "$C" --sync-repos "test/app@1.0"
expect_eq "$(state)" "$before" "and nothing changed"
expect_ok "search still works from the local copy" "$LUET" search --config "$C" app
expect_no_output 'older than' "search read the local copy without syncing"
expect_output '^test/app-2.0$' "and the local copy at revision 2 is used"

# The revision is remembered beside the copy: purging the copies does not forget it.
expect_ok "cleanup --purge-repos" "$LUET" cleanup --purge-repos --config "$C"
expect_fail "after a purge the rollback is still refused" "has revision 1, older than revision 2" \
  "$LUET" repo update --config "$C"
expect_no_file "$R/var/cache/luet/repos/repo1" "and no local copy was written"

expect_ok "repo update --force accepts revision 1 on purpose" "$LUET" repo update --force --config "$C"
expect_output 'Revision: 1' "and says so"
expect_ok "the next repo update works" "$LUET" repo update --config "$C"
expect_output 'already up to date' "and finds revision 1 up to date"
expect_ok "search works on revision 1" "$LUET" search --config "$C" app
expect_output '^test/app-1.0$' "and finds only test/app 1.0"
if grep -q 'app-2.0' "$WORK/out"; then fail "test/app 2.0 is still listed"; else pass "test/app 2.0 is gone"; fi
expect_eq "$(cat "$R/usr/share/app")" "app 2.0" "the installed test/app 2.0 is untouched"

rm -rf "$WORK/served"/*; cp -a "$WORK/repo-rev2/." "$WORK/served/"
expect_ok "going forward to revision 2 again is accepted" "$LUET" repo update --config "$C"
expect_output 'Revision: 2' "and says so"

echo "-- network limits: redirect loops, trickling servers, endless bodies"
# hostile_config FILE MODE: a luet.yaml whose repository bad is served by hostile_server.py
# under /MODE/ (every repository document gets the same treatment).
python3 "$(dirname "$0")/hostile_server.py" >"$WORK/hostile.url" &
echo $! >>"$WORK/servers.pids"
for _ in $(seq 50); do [ -s "$WORK/hostile.url" ] && break; sleep 0.1; done
HOSTILE=$(cat "$WORK/hostile.url")
HR=$WORK/hrootfs; mkdir -p "$HR"
hostile_config() {
  printf 'system:\n  rootfs: %s\n  database_path: /var/cache/luet\nrepositories:\n- name: bad\n  type: http\n  urls: ["%s/%s"]\n' \
    "$HR" "$HOSTILE" "$2" >"$1"
}
# Every file but luet's empty lock files (a sync takes its repository's lock before the download).
hstate() { (cd "$HR" && find . -type f ! \( -name '*.lock' -size 0 \) -printf '%p %m %s\n' | sort); }

hostile_config "$WORK/loop.yaml" loop
before=$(hstate)
start=$SECONDS
expect_fail "a redirect loop is refused" 'Maximum \(10\) redirects followed|more than 10 redirects' \
  "$LUET" repo update --config "$WORK/loop.yaml"
expect_output 'repository bad: cannot download repository\.yaml' "the error names the repository and the document"
expect_eq "$(( SECONDS - start < 10 ))" 1 "and comes at once (no retries)"

hostile_config "$WORK/slow.yaml" slow
start=$SECONDS
expect_fail "a server sending 2 B/s is cut off by --http-timeout 3" 'timed out|Timeout|timeout' \
  "$LUET" repo update --http-timeout 3 --config "$WORK/slow.yaml"
elapsed=$(( SECONDS - start ))
expect_eq "$(( elapsed <= 8 ))" 1 "within the timeout ($elapsed s for 3 s)"
expect_output 'http timeout of 3 s' "the error names the timeout"
start=$SECONDS
expect_fail "LUET_GENERAL__HTTP_TIMEOUT=2 does the same" 'http timeout of 2 s' \
  env LUET_GENERAL__HTTP_TIMEOUT=2 "$LUET" repo update --config "$WORK/slow.yaml"
elapsed=$(( SECONDS - start ))
expect_eq "$(( elapsed <= 7 ))" 1 "within the timeout ($elapsed s for 2 s)"
printf 'general:\n  http_timeout: 2\n' >>"$WORK/slow.yaml"
expect_fail "and general.http_timeout: 2 in the config" 'http timeout of 2 s' \
  "$LUET" repo update --config "$WORK/slow.yaml"

hostile_config "$WORK/endless.yaml" endless
expect_fail "an endless repository.yaml is cut off at 1 MiB" 'larger than the 1048576 bytes allowed for it' \
  "$LUET" repo update --config "$WORK/endless.yaml"
rss=$(python3 -c 'import resource, subprocess, sys
subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)' "$LUET" repo update --config "$WORK/endless.yaml")
expect_eq "$(( rss < 100000 ))" 1 "in under 100 MB of memory (${rss} KiB)"
expect_eq "$(hstate)" "$before" "none of them wrote anything in the rootfs or the state folder"
expect_eq "$(find /tmp -maxdepth 1 -newer "$WORK/loop.yaml" -name '*.part' | wc -l)" 0 "nor a part file outside"

# The next command works: the same client with the good repository.
write_config "$WORK/good.yaml" "$HR" "$WORK/repo-rev2"
expect_ok "the next repo update (a good repository) works" "$LUET" repo update --config "$WORK/good.yaml"
expect_ok "and the next install" "$LUET" install -y --config "$WORK/good.yaml" test/app
expect_eq "$(cat "$HR/usr/share/app")" "app 2.0" "test/app 2.0 is installed"

echo "-- archive limits: deep and long names, unpacked size"
# crafted NAME PYTHON: the repository $WORK/repo-NAME with test/NAME@1.0, whose artifact is
# the tarball the python snippet fills (craft_artifact, pkg_lib.sh).
crafted() {
  local name=$1 def=$WORK/tree-$1/$1
  mkdir -p "$def"
  printf 'name: %s\ncategory: test\nversion: "1.0"\n' "$name" >"$def/definition.yaml"
  printf '# packed by hand\n' >"$def/build.yaml"
  craft_artifact "$name" "$2"
  "$LUET" create-repo --tree "$WORK/tree-$name" --packages "$WORK/packed-$name" --output "$WORK/repo-$name" \
    --name "repo-$name" >/dev/null
}
AR=$WORK/arootfs; mkdir -p "$AR"
astate() { (cd "$AR" && find . -path ./var/cache/luet -prune -o -printf '%p %y %m %s\n' | sort); db_query "$AR" "SELECT name FROM packages ORDER BY 1" 2>/dev/null || true; }
now_ms() { date +%s%3N; }

crafted deep 'add(entry("/".join(["a"] * 4000) + "/f"), b"x")'
crafted longname 'add(entry("usr/share/" + "n" * 256), b"x")'
crafted bomb 'add(entry("usr/share/zeros"), bytes(4 << 20))'
write_config "$WORK/arch.yaml" "$AR" "$WORK/repo-deep" "$WORK/repo-longname" "$WORK/repo-bomb" "$WORK/repo-rev2"
expect_ok "the repositories sync" "$LUET" repo update --config "$WORK/arch.yaml"
before=$(astate)
start=$(now_ms)
expect_fail "an entry 4000 folders deep is refused" \
  'deep-test-1\.0\.package\.tar\.gz: entry .* has a name of 8001 bytes \(the limit is 4095\); refusing to install it' \
  "$LUET" install -y --config "$WORK/arch.yaml" test/deep
elapsed=$(( $(now_ms) - start ))
expect_eq "$(( elapsed < 1000 ))" 1 "in under a second, the whole command ($elapsed ms)"
expect_fail "a name component of 256 bytes is refused" 'has a path component of 256 bytes \(the limit is 255\)' \
  "$LUET" install -y --config "$WORK/arch.yaml" test/longname
# deep_installs DEPTH BEFORE: an entry DEPTH folders deep installs in under 5 s (BEFORE: the
# time it took before the linear checks) and uninstalls.
deep_installs() {
  local depth=$1 before=$2 name=deep$1 start elapsed
  crafted "$name" "add(entry(\"/\".join([\"a\"] * $depth) + \"/f\"), b\"x\")"
  write_config "$WORK/$name.yaml" "$AR" "$WORK/repo-$name"
  start=$(now_ms)
  expect_ok "an entry $depth folders deep installs" "$LUET" install -y --config "$WORK/$name.yaml" "test/$name"
  elapsed=$(( $(now_ms) - start ))
  expect_eq "$(( elapsed < 5000 ))" 1 "in under 5 s ($elapsed ms; $before before)"
  expect_ok "and uninstalls" "$LUET" uninstall -y --config "$WORK/$name.yaml" "test/$name"
  rm -rf "$AR/a"  # uninstall leaves these empty folders; cleared for the state comparison below
}
deep_installs 2000 "over 300 s"
deep_installs 1000 "36 s"
printf 'general:\n  max_unpacked_bytes: 1000000\n' >>"$WORK/arch.yaml"
expect_fail "an artifact unpacking to 4 MiB is refused over general.max_unpacked_bytes 1000000" \
  'bomb-test-1\.0\.package\.tar\.gz: unpacks to 4194313 bytes, more than the 1000000 allowed \(general\.max_unpacked_bytes\)' \
  "$LUET" install -y --config "$WORK/arch.yaml" test/bomb
expect_eq "$(astate)" "$before" "none of them wrote anything in the rootfs or the database"
if [ "$(id -u)" = 0 ] && mkdir -p "$WORK/small" && mount -t tmpfs -o size=2m tmpfs "$WORK/small" 2>/dev/null; then
  sed "s|$AR|$WORK/small|; /max_unpacked_bytes/d; /^general:/d" "$WORK/arch.yaml" >"$WORK/small.yaml"
  expect_fail "an artifact unpacking to more than the free space is refused" \
    'unpacks to 4194313 bytes, more than the [0-9]+ bytes free on the file system of' \
    "$LUET" install -y --config "$WORK/small.yaml" test/bomb
  expect_eq "$(find "$WORK/small" -path "$WORK/small/var/cache/luet" -prune -o -type f -print | wc -l)" 0 "nothing was written there"
  umount "$WORK/small"
else
  echo "  skip free-space check (needs root to mount a small tmpfs)"
fi
expect_ok "the next install works" "$LUET" install -y --config "$WORK/arch.yaml" test/app
expect_eq "$(cat "$AR/usr/share/app")" "app 2.0" "test/app 2.0 is installed"

echo "-- download size: general.max_artifact_bytes, repo add URL"
# A repository whose artifact is 64 KiB of random bytes (it does not compress).
mkdir -p "$WORK/bigsrc/usr/share" "$WORK/bigtree/big"
head -c 65536 /dev/urandom >"$WORK/bigsrc/usr/share/big"
printf 'name: big\ncategory: test\nversion: "1.0"\n' >"$WORK/bigtree/big/definition.yaml"
printf '# packed by hand\n' >"$WORK/bigtree/big/build.yaml"
"$LUET" pack test/big@1.0 --source "$WORK/bigsrc" --destination "$WORK/packed-big" >/dev/null
"$LUET" create-repo --tree "$WORK/bigtree" --packages "$WORK/packed-big" --output "$WORK/repo-big" --name big >/dev/null
BR=$WORK/brootfs; mkdir -p "$BR"
write_config "$WORK/big.yaml" "$BR" "$WORK/repo-big"
# Every file of the rootfs (the packages cache included) but the local copy of the repository
# and the database and lock files (an install opens them, empty, before it downloads).
bstate() { (cd "$BR" && find . -type f ! -path './var/cache/luet/repos/*' ! -name 'luet.sqlite*' ! -name '*.lock' -printf '%p %s\n' | sort); }
expect_ok "repo update of the repository" "$LUET" repo update --config "$WORK/big.yaml"
before=$(bstate)
expect_fail "an artifact announced over general.max_artifact_bytes (LUET_GENERAL__MAX_ARTIFACT_BYTES=10000) is refused" \
  'repository repo1, package test/big-1\.0: the artifact is larger than general\.max_artifact_bytes \(10000 bytes; ' \
  env LUET_GENERAL__MAX_ARTIFACT_BYTES=10000 "$LUET" install -y --config "$WORK/big.yaml" test/big
expect_output 'big-test-1\.0\.package\.tar\.gz: the server announces 65[0-9]{3} bytes, more than the 10000 bytes allowed for it' \
  "before its body is downloaded (the server announced its size)"
expect_eq "$(bstate)" "$before" "nothing written in the rootfs or the packages cache"
printf 'general:\n  max_artifact_bytes: 10000\n' >>"$WORK/big.yaml"
expect_fail "the same from luet.yaml" 'larger than general\.max_artifact_bytes \(10000 bytes' \
  "$LUET" install -y --config "$WORK/big.yaml" test/big
expect_ok "luet config shows the cap" "$LUET" config --config "$WORK/big.yaml"
expect_output 'max_artifact_bytes: 10000' "max_artifact_bytes: 10000"
sed -i 's/max_artifact_bytes: 10000/max_artifact_bytes: 0/' "$WORK/big.yaml"
expect_ok "the next install (max_artifact_bytes: 0, no cap) works" "$LUET" install -y --config "$WORK/big.yaml" test/big
expect_eq "$(cmp -s "$BR/usr/share/big" "$WORK/bigsrc/usr/share/big" && echo same)" same "test/big is installed"
expect_ok "luet config shows the default cap (4 GiB)" "$LUET" config --config "$WORK/arch.yaml"
expect_output 'max_artifact_bytes: 4294967296' "max_artifact_bytes: 4294967296 by default"

# A server whose documents are real and whose artifact body never ends.
python3 "$(dirname "$0")/hostile_server.py" "$WORK/repo-big" >"$WORK/files.url" &
echo $! >>"$WORK/servers.pids"
for _ in $(seq 50); do [ -s "$WORK/files.url" ] && break; sleep 0.1; done
ER=$WORK/erootfs; mkdir -p "$ER"
printf 'system:\n  rootfs: %s\n  database_path: /var/cache/luet\ngeneral:\n  max_artifact_bytes: 1048576\nrepositories:\n- name: endless\n  type: http\n  urls: ["%s/files"]\n' \
  "$ER" "$(cat "$WORK/files.url")" >"$WORK/endless-artifact.yaml"
start=$SECONDS
rss=$(python3 -c 'import resource, subprocess, sys
with open(sys.argv[1], "w") as out: subprocess.run(sys.argv[2:], stdout=out, stderr=subprocess.STDOUT)
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)' "$WORK/out" "$LUET" install -y --config "$WORK/endless-artifact.yaml" test/big)
expect_output 'package test/big-1\.0: the artifact is larger than general\.max_artifact_bytes \(1048576 bytes' \
  "an endless artifact body is refused over general.max_artifact_bytes"
expect_output 'big-test-1\.0\.package\.tar\.gz: the body is larger than the 1048576 bytes allowed for it; cut off' \
  "it is cut off at the cap"
expect_eq "$(( SECONDS - start < 20 ))" 1 "at once ($(( SECONDS - start )) s)"
expect_eq "$(( rss < 100000 ))" 1 "in under 100 MB of memory (${rss} KiB)"
expect_eq "$(find "$ER" -type f \( -name '*.download*' -o -name '*.part' -o -name '*.package.tar*' \) | wc -l)" 0 \
  "no part of the body is left in the packages cache"
expect_eq "$(find "$ER" -path '*/usr/*' | wc -l)" 0 "nothing installed"

echo "   repo add URL"
AD=$WORK/addroot; mkdir -p "$AD/etc/luet/repos.conf.d"
printf 'system:\n  rootfs: %s\n  database_path: /var/cache/luet\nrepos_confdir: ["/etc/luet/repos.conf.d"]\n' "$AD" >"$WORK/add.yaml"
start=$SECONDS
expect_fail "repo add of an endless URL is cut off at 1 MiB" \
  '/endless/r\.yml: a repository file is at most 1048576 bytes; refused' \
  "$LUET" repo add -y --config "$WORK/add.yaml" "$HOSTILE/endless/r.yml"
expect_output 'r\.yml: the body is larger than the 1048576 bytes allowed for it; cut off' "cut off while downloading"
expect_eq "$(( SECONDS - start < 20 ))" 1 "at once ($(( SECONDS - start )) s)"
expect_eq "$(find "$AD" -type f | wc -l)" 0 "nothing written"
expect_fail "repo add of a trickling URL stops at --http-timeout 2" 'http timeout of 2 s' \
  "$LUET" repo add -y --http-timeout 2 --config "$WORK/add.yaml" "$HOSTILE/slow/r.yml"
printf 'name: ../../../../escaped\ntype: http\nurls: ["http://127.0.0.1:1"]\n' >"$WORK/escape.yml"
expect_fail "repo add of a file naming the repository ../../../../escaped is refused" \
  "escape\.yml: repository 'name' '\.\./\.\./\.\./\.\./escaped' is not a plain name: it contains '/'" \
  "$LUET" repo add -y --config "$WORK/add.yaml" "$WORK/escape.yml"
expect_eq "$(find "$WORK" -maxdepth 2 -name 'escaped*' | wc -l)$(find "$AD" -type f | wc -l)" 00 "nothing written"
printf 'name: fine\ntype: http\nurls: ["http://127.0.0.1:1"]\n' >"$WORK/fine.yml"
expect_ok "the next repo add (a plain file) works" "$LUET" repo add -y --config "$WORK/add.yaml" "$WORK/fine.yml"
expect_file "$AD/etc/luet/repos.conf.d/fine.yaml" "written as repos.conf.d/fine.yaml"

echo "-- document limits: YAML alias bombs, nesting"
T=$WORK/bombtree/bomb; mkdir -p "$T"; printf '# packed by hand\n' >"$T/build.yaml"
python3 - "$T/definition.yaml" <<'PYEOF'
import sys
lines = ['name: bomb', 'category: test', 'version: "1.0"', 'a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
for i in range(1, 10):
    lines.append(f'a{i}: &a{i} [' + ",".join([f"*a{i-1}"] * 9) + ']')
lines.append('labels: {x: *a9}')
open(sys.argv[1], "w").write("\n".join(lines) + "\n")
PYEOF
echo "     the bomb is $(wc -c <"$T/definition.yaml") bytes"
maxrss() { python3 -c 'import resource, subprocess, sys
subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)' "$@"; }
expect_fail "tree validate refuses the alias bomb" 'definition\.yaml: the YAML document expands to more than [0-9]+ nodes' \
  "$LUET" tree validate -t "$WORK/bombtree"
rss=$(maxrss "$LUET" tree validate -t "$WORK/bombtree")
expect_eq "$(( rss < 100000 ))" 1 "under 100 MB of memory (${rss} KiB)"
python3 -c 'import sys; d = 300; open(sys.argv[1], "w").write("name: deep\ncategory: test\nversion: \"1.0\"\nlabels: " + "[" * d + "]" * d + "\n")' "$T/definition.yaml"
expect_fail "a document nesting 300 levels is refused" 'nests deeper than 256 levels' \
  "$LUET" tree validate -t "$WORK/bombtree"

finish
