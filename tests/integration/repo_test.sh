#!/usr/bin/env bash
# Repositories as wagons over real HTTP (luet serve-repo on 127.0.0.1): sync on revision,
# checksums, local cache layout, corrupted documents, compressions, repo list/enable/disable,
# dropped connections. No Docker: artifacts come from `luet pack`.
source "$(dirname "$0")/lib.sh"

# pack_pkg CAT NAME VERSION [REQUIRES]: an artifact in $WORK/packed and its spec in $WORK/tree
pack_pkg() {
  local cat=$1 name=$2 version=$3 src=$WORK/src/$1-$2-$3
  mkdir -p "$src/usr/share/$name" "$WORK/tree/$cat/$name"
  echo "$name $version" >"$src/usr/share/$name/version"
  head -c 20000 /dev/urandom >"$src/usr/share/$name/blob"  # large enough for a dropped connection
  "$LUET" pack "$cat/$name@$version" --source "$src" --destination "$WORK/packed" >/dev/null
  printf 'name: %s\ncategory: %s\nversion: "%s"\n' "$name" "$cat" "$version" >"$WORK/tree/$cat/$name/definition.yaml"
  [ -z "${4:-}" ] || printf 'provides:\n- category: %s\n  name: %s\n' "${4%/*}" "${4#*/}" >>"$WORK/tree/$cat/$name/definition.yaml"
  echo "# packed" >"$WORK/tree/$cat/$name/build.yaml"
}
create_repo() { "$LUET" create-repo --tree "$WORK/tree" --packages "$WORK/packed" --output "$WORK/repo" --name wagon "$@"; }
requests() { grep -c "^GET $1 " "$LOG" || true; }

pack_pkg app alpha 1.0
pack_pkg app beta 1.0 virtual/greeter
expect_ok "create-repo revision 1" create_repo
LOG=$WORK/server.log
URL=$(serve_repo "$WORK/repo" "$LOG")
# One keep-alive connection serves many requests (geaaru/luet's Go client reuses its
# connections; a server closing them after 5 requests made its install of 200 packages
# take 122 s instead of 3 s).
KURL=$(serve_repo "$WORK/repo")
urls=(); for _ in $(seq 12); do urls+=("$KURL/repository.yaml"); done
curl -sv -o /dev/null "${urls[@]}" 2>"$WORK/curl.log" || true
expect_eq "$(grep -c 'Re-using existing connection' "$WORK/curl.log")" "11" "serve-repo keeps one connection for 12 requests"
R=$WORK/rootfs
mkdir -p "$WORK/etc/repos.conf.d" "$R"
cat >"$WORK/luet.yaml" <<EOF
system:
  rootfs: $R
  database_path: /var/cache/luet
repos_confdir: ["$WORK/etc/repos.conf.d"]
EOF
cat >"$WORK/etc/repos.conf.d/wagon.yml" <<EOF
name: wagon
description: Test wagon
type: http
urls: ["$URL"]
EOF
C=(--config "$WORK/luet.yaml")
CACHE=$R/var/cache/luet/repos/wagon

# A first sync downloads everything and lays the wagon out as the Macaroni client does.
expect_ok "repo update (first sync)" "$LUET" repo update "${C[@]}"
expect_output "Repository: wagon Revision: 1 - " "first sync reports revision 1"
expect_eq "$(requests /repository.yaml)/$(requests /tree.tar.gz)/$(requests /repository.meta.yaml.tar)" "1/1/0" \
  "first sync fetched repository.yaml and the treev2 document once each (the legacy meta is for older clients)"
expect_file "$CACHE/repository.yaml" "local repository.yaml"
expect_file "$CACHE/tree.tar.gz" "the treev2 document kept under its name"
expect_file "$CACHE/luet-index.sqlite" "luet's index of the copy"
expect_no_file "$CACHE/treefs" "no folder per package (the index holds them)"
expect_no_file "$CACHE/docs" "no staging folder left"
# sql QUERY: the rows of QUERY on the local index, one per line, columns separated by " ".
sql() { python3 -c 'import sqlite3,sys
for r in sqlite3.connect(sys.argv[1]).execute(sys.argv[2]): print(" ".join(str(c) for c in r))' "$CACHE/luet-index.sqlite" "$1"; }
expect_eq "$(sql "SELECT category || '/' || name || '-' || version FROM packages ORDER BY id" | tr '\n' ' ')" \
  "app/alpha-1.0 app/beta-1.0 " "the index lists every package of the tree document"
expect_eq "$(sql "SELECT json_extract(record, '\$[2]') FROM packages WHERE name = 'alpha'")" \
  "$(sha256sum "$WORK/repo/alpha-app-1.0.package.tar.gz" | cut -d' ' -f1)" "the index holds the artifact's sha256"
expect_eq "$(sql "SELECT p.category || '/' || p.name FROM provides v JOIN packages p ON p.id = v.pkg WHERE v.category = 'virtual' AND v.name = 'greeter'")" \
  "app/beta" "the index maps virtual/greeter to app/beta"

# Same revision: only repository.yaml is downloaded.
expect_ok "repo update (unchanged)" "$LUET" repo update "${C[@]}"
expect_output "wagon is already up to date" "unchanged revision is reported up to date"
expect_eq "$(requests /repository.yaml)/$(requests /tree.tar.gz)" "2/1" \
  "unchanged revision downloads only repository.yaml"
expect_ok "repo update --force" "$LUET" repo update --force "${C[@]}" wagon
expect_eq "$(requests /tree.tar.gz)" "2" "--force downloads the documents again"

# A new revision (zstd tree, gzip meta) brings a new package.
pack_pkg app gamma 1.0
expect_ok "create-repo revision 2 (zstd tree, gzip meta)" create_repo --tree-compression zstd --meta-compression gzip
expect_eq "$(sed -n '/^  meta:/,/^  [a-z]/s/^    filename: //p' "$WORK/repo/repository.yaml")" "repository.meta.yaml.tar.gz" \
  "the meta document named with its compression"
expect_ok "repo update (revision 2)" "$LUET" repo update "${C[@]}"
expect_output "Revision: 2 - " "second sync reports revision 2"
expect_eq "$(requests /tree.tar.zst)" "1" "zstd tree document fetched"
expect_eq "$(sql "SELECT version FROM packages WHERE name = 'gamma'")" "1.0" "the new package is in the index"
expect_file "$CACHE/tree.tar.zst" "the zstd tree document kept"
expect_no_file "$CACHE/tree.tar.gz" "the previous revision's document is gone"
expect_ok "install from the http wagon" "$LUET" install -y "${C[@]}" app/gamma
expect_eq "$(cat "$R/usr/share/gamma/version")" "gamma 1.0" "installed over HTTP"

# A corrupted document is refused; the previous copy stays and is still usable.
pack_pkg app delta 1.0
expect_ok "create-repo revision 3" create_repo
echo corrupted >>"$WORK/repo/tree.tar.gz"
expect_fail "a corrupted tree document is refused" "checksum mismatch for tree.tar.gz" "$LUET" repo update "${C[@]}"
expect_eq "$(sed -n 's/^revision: //p' "$CACHE/repository.yaml")" "2" "the local copy stays at revision 2"
expect_eq "$(sql "SELECT count(*) FROM packages WHERE name = 'delta'")" "0" "nothing of revision 3 reached the local copy"
expect_ok "--ignore-errors exits 0" "$LUET" repo update --ignore-errors "${C[@]}"
expect_fail "install --sync-repos refuses a repository that cannot sync" "checksum mismatch for tree.tar.gz" \
  "$LUET" install -y --sync-repos "${C[@]}" app/alpha
expect_no_file "$R/usr/share/alpha" "nothing installed after the refused sync"
expect_ok "install still works from the kept copy" "$LUET" install -y "${C[@]}" app/alpha
expect_no_output "checksum mismatch" "install reads the local copy without syncing (as geaaru/luet)"
expect_eq "$(cat "$R/usr/share/alpha/version")" "alpha 1.0" "package of the kept copy installed"
expect_ok "create-repo revision 4 (repairs the documents)" create_repo
expect_ok "repo update after the repair" "$LUET" repo update "${C[@]}"
expect_eq "$(sql "SELECT version FROM packages WHERE name = 'delta'")" "1.0" "revision 4 synced"

# A corrupted artifact is refused before anything lands.
cp "$WORK/repo/beta-app-1.0.package.tar.gz" "$WORK/beta.keep"
head -c 100 /dev/urandom >>"$WORK/repo/beta-app-1.0.package.tar.gz"
expect_fail "a corrupted artifact is refused" "checksum mismatch" "$LUET" install -y "${C[@]}" app/beta
expect_no_file "$R/usr/share/beta" "nothing of the corrupted artifact in the rootfs"
expect_eq "$(db_query "$R" "SELECT count(*) FROM packages WHERE name = 'beta'")" "0" "nor in the database"
cp "$WORK/beta.keep" "$WORK/repo/beta-app-1.0.package.tar.gz"

# A connection dropped mid-artifact is retried (resumed with a range request).
DLOG=$WORK/drop.log
DURL=$(LUET_TEST_SERVE_DROP_AFTER=5000 serve_repo "$WORK/repo" "$DLOG")
sed -i "s|$URL|$DURL|" "$WORK/etc/repos.conf.d/wagon.yml"
expect_ok "install over a connection that drops" "$LUET" install -y "${C[@]}" app/beta
expect_eq "$(grep -c '^GET /beta-app-1.0.package.tar.gz ' "$DLOG")" "2" "the artifact was requested twice"
expect_eq "$(cat "$R/usr/share/beta/version")" "beta 1.0" "installed after the retry"
cmp -s "$R/usr/share/beta/blob" "$WORK/src/app-beta-1.0/usr/share/beta/blob" && pass "resumed content is intact" \
  || fail "resumed content is intact"

# repo list / enable / disable.
cat >"$WORK/etc/repos.conf.d/other.yml" <<EOF
name: other
description: Another wagon
type: disk
priority: 5
enable: false
urls: ["$WORK/nowhere"]
EOF
expect_ok "repo list" "$LUET" repo list "${C[@]}"
expect_output "^wagon$" "list names wagon"
expect_output "^  Revision     4 - " "list shows the synced revision"
expect_output "^  Priority     5 - Type disk" "list shows priority and type"
expect_eq "$("$LUET" repo list -q --enabled "${C[@]}")" "wagon" "--quiet --enabled"
expect_eq "$("$LUET" repo list -q --disabled "${C[@]}")" "other" "--quiet --disabled"
expect_eq "$("$LUET" repo list -q --type http "${C[@]}")" "wagon" "--type http"
expect_ok "repo list --urls" "$LUET" repo list --urls "${C[@]}"
expect_output "^   \* $DURL$" "--urls lists the urls"
expect_fail "--enabled with --disabled is refused" "Only one admitted" "$LUET" repo list --enabled --disabled "${C[@]}"

expect_ok "repo disable wagon" "$LUET" repo disable "${C[@]}" wagon
grep -q '^enable: false' "$WORK/etc/repos.conf.d/wagon.yml" && pass "disable wrote enable: false to wagon.yml" \
  || fail "disable wrote enable: false to wagon.yml"
# A package no enabled repository has: a warning and exit 0, as geaaru/luet.
expect_ok "a disabled repository is not used" "$LUET" install -y "${C[@]}" app/delta
expect_output "app/delta' not found in any repository" "the package is reported as not found"
expect_output "No packages to install" "nothing is installed"
expect_ok "repo enable wagon" "$LUET" repo enable "${C[@]}" wagon
expect_output "wagon enabled" "enable reports the repository"
expect_ok "enable again" "$LUET" repo enable "${C[@]}" wagon
expect_output "already enabled. Nothing to do." "enabling an enabled repository changes nothing"
expect_fail "enabling an unknown repository fails" "nope is not configured" "$LUET" repo enable "${C[@]}" nope
expect_ok "install after enable" "$LUET" install -y "${C[@]}" app/delta
cp "$WORK/etc/repos.conf.d/other.yml" "$WORK/etc/repos.conf.d/other-again.yml"
expect_fail "a repository name defined twice is refused" "repository other is defined twice: in .*other-again.yml and in .*other.yml" \
  "$LUET" repo list "${C[@]}"
rm "$WORK/etc/repos.conf.d/other-again.yml"
expect_fail "repo update of an unreachable disk repository" "other" "$LUET" repo update "${C[@]}" other

# Priority: the same package form in two repositories comes from the lower priority number.
for side in low high; do
  mkdir -p "$WORK/prio-$side/src/usr/share/prio" "$WORK/prio-$side/tree/app/prio"
  echo "from $side" >"$WORK/prio-$side/src/usr/share/prio/origin"
  "$LUET" pack app/prio@1.0 --source "$WORK/prio-$side/src" --destination "$WORK/prio-$side/packed" >/dev/null
  printf 'name: prio\ncategory: app\nversion: "1.0"\n' >"$WORK/prio-$side/tree/app/prio/definition.yaml"
  echo "#" >"$WORK/prio-$side/tree/app/prio/build.yaml"
  "$LUET" create-repo --tree "$WORK/prio-$side/tree" --packages "$WORK/prio-$side/packed" \
    --output "$WORK/prio-$side/repo" --name "prio-$side" >/dev/null
done
RP=$WORK/rootfs-prio; mkdir -p "$RP"
{
  echo "system:"
  echo "  rootfs: $RP"
  echo "repositories:"
  echo "- {name: first-listed, type: http, priority: 50, urls: [\"$(serve_repo "$WORK/prio-high/repo")\"]}"
  echo "- {name: preferred, type: http, priority: 1, urls: [\"$(serve_repo "$WORK/prio-low/repo")\"]}"
} >"$WORK/prio.yaml"
expect_ok "install a package both repositories have" "$LUET" install -y --config "$WORK/prio.yaml" app/prio
expect_eq "$(cat "$RP/usr/share/prio/origin")" "from low" "the repository with the lower priority number wins"
expect_eq "$(db_query "$RP" "SELECT repository FROM packages WHERE name = 'prio'")" "preferred" "recorded as from 'preferred'"

echo "-- when commands sync (geaaru/luet's rule: only repo update, --sync-repos or no usable local copy)"
WR=$WORK/when; mkdir -p "$WR/tree/app/when" "$WR/src/usr/share/when" "$WR/rootfs"
when_pub() {  # VERSION: app/when at VERSION, alone in the repository $WR/repo
  echo "when $1" >"$WR/src/usr/share/when/v"
  "$LUET" pack "app/when@$1" --source "$WR/src" --destination "$WR/packed" >/dev/null
  printf 'name: when\ncategory: app\nversion: "%s"\n' "$1" >"$WR/tree/app/when/definition.yaml"
  echo "#" >"$WR/tree/app/when/build.yaml"
  "$LUET" create-repo --tree "$WR/tree" --packages "$WR/packed" --output "$WR/repo" --name when >/dev/null
}
wconf() {  # URL
  printf 'system:\n  rootfs: %s\n  database_path: /var/cache/luet\nrepositories:\n- {name: when, type: http, urls: ["%s"]}\n' \
    "$WR/rootfs" "$1" >"$WR/luet.yaml"
}
wasked() { grep -c "^GET /repository.yaml " "$1" || true; }
when_pub 1.0
WURL=$(serve_repo "$WR/repo" "$WR/server.log"); wconf "$WURL"
expect_ok "search syncs a repository never synced" "$LUET" search --config "$WR/luet.yaml" when
expect_output "Repository: when Revision: 1" "the first search synced it"
expect_output "app/when-1.0" "and found 1.0"
when_pub 1.1
n=$(wasked "$WR/server.log")
expect_ok "search after the server has a new revision" "$LUET" search --config "$WR/luet.yaml" when
expect_output "app/when-1.0" "reads the local copy (1.0)"
expect_eq "$(wasked "$WR/server.log")" "$n" "and asks the server nothing"
expect_ok "install reads the local copy too" "$LUET" install -y --config "$WR/luet.yaml" app/when
expect_eq "$(cat "$WR/rootfs/usr/share/when/v")" "when 1.0" "1.0 installed"
expect_eq "$(wasked "$WR/server.log")" "$n" "install asked the server for no repository.yaml"
expect_ok "upgrade --sync-repos" "$LUET" upgrade -y --sync-repos --config "$WR/luet.yaml"
expect_eq "$(cat "$WR/rootfs/usr/share/when/v")" "when 1.1" "the sync brought 1.1"
# A copy synced from another url than the configuration names now is synced again first.
WURL2=$(serve_repo "$WR/repo" "$WR/server2.log"); wconf "$WURL2"
expect_ok "search after the url changed" "$LUET" search --config "$WR/luet.yaml" when
expect_eq "$(wasked "$WR/server2.log")" "1" "the new url is asked for repository.yaml"
expect_ok "and the next search" "$LUET" search --config "$WR/luet.yaml" when
expect_eq "$(wasked "$WR/server2.log")" "1" "reads the copy synced from it"

# The same binary as luet-build is the Macaroni builder: builder commands only.
ln -s "$LUET" "$WORK/luet-build"
mkdir -p "$WORK/lb-src/etc"; echo x >"$WORK/lb-src/etc/x"
expect_ok "luet-build pack" "$WORK/luet-build" pack app/epsilon@1.0 --source "$WORK/lb-src" --destination "$WORK/lb-out"
expect_file "$WORK/lb-out/epsilon-app-1.0.package.tar.gz" "luet-build pack wrote the artifact"
expect_fail "luet-build has no install command" "install" "$WORK/luet-build" install -y "${C[@]}" app/alpha
expect_fail "an unknown subcommand is named, with its parent" 'unknown command "nosuch" for "luet repo"' \
  "$LUET" repo nosuch "${C[@]}"
expect_ok "luet-build --help" "$WORK/luet-build" --help
expect_output "create-repo" "luet-build lists create-repo"
if grep -q "uninstall" "$WORK/out"; then fail "luet-build --help lists no client command"; else pass "luet-build --help lists no client command"; fi

finish
