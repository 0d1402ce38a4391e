#!/usr/bin/env bash
# type: docker repositories: artifacts packed with `luet pack`, published with
# `create-repo --type docker --push-images` to Debian's docker-registry on a free loopback port,
# then synced and installed from the registry by luet itself (no Docker engine involved),
# upgraded after a new push; a tampered blob is refused with nothing written.
source "$(dirname "$0")/lib.sh"

command -v docker-registry >/dev/null || { fail "docker-registry missing (scripts/setup.sh installs it)"; finish; }
# A free port on 127.0.0.1, then the registry on it.
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
REG=127.0.0.1:$PORT
mkdir -p "$WORK/registry"
printf 'version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n    rootdirectory: %s\nhttp:\n  addr: %s\n' \
  "$WORK/registry/data" "$REG" >"$WORK/registry/config.yml"
docker-registry serve "$WORK/registry/config.yml" >"$WORK/registry/log" 2>&1 &
echo $! >>"$WORK/servers.pids"
for _ in $(seq 50); do curl -fsS "http://$REG/v2/" >/dev/null 2>&1 && break; sleep 0.1; done
curl -fsS "http://$REG/v2/" >/dev/null && pass "registry up on $REG" || { fail "registry did not start"; cat "$WORK/registry/log"; finish; }

# Two packages: foo/bar 1.0 (needs foo/lib) and foo/lib 1.0.
mk_src() { mkdir -p "$1/usr/share/$2"; echo "$3" >"$1/usr/share/$2/version"; }
mk_src "$WORK/src-bar" bar "bar 1.0"; mk_src "$WORK/src-lib" lib "lib 1.0"
mkdir -p "$WORK/tree/bar" "$WORK/tree/lib"
printf 'name: bar\ncategory: foo\nversion: "1.0"\nrequires:\n- {name: lib, category: foo, version: ">=1.0"}\n' >"$WORK/tree/bar/definition.yaml"
printf 'name: lib\ncategory: foo\nversion: "1.0"\n' >"$WORK/tree/lib/definition.yaml"
for p in bar lib; do printf '# packed by hand\n' >"$WORK/tree/$p/build.yaml"; done
expect_ok "pack foo/bar" bash -c "cd '$WORK/tree/bar' && '$LUET' pack foo/bar@1.0 --source '$WORK/src-bar' --destination '$WORK/packed'"
expect_ok "pack foo/lib" bash -c "cd '$WORK/tree/lib' && '$LUET' pack foo/lib@1.0 --source '$WORK/src-lib' --destination '$WORK/packed'"

expect_fail "create-repo --type docker without --push-images refused" "add --push-images" \
  "$LUET" create-repo --tree "$WORK/tree" --packages "$WORK/packed" --output "$REG/luet/repo" --name dock --type docker
expect_ok "create-repo --type docker --push-images" \
  "$LUET" create-repo --tree "$WORK/tree" --packages "$WORK/packed" --output "$REG/luet/repo" --name dock \
  --type docker --urls "$REG/luet/repo" --push-images
expect_output "revision 1 " "first revision"
tags=$(curl -fsS "http://$REG/v2/luet/repo/tags/list" | python3 -c 'import json,sys; print(" ".join(sorted(json.load(sys.stdin)["tags"])))')
expect_eq "$tags" "bar-foo-1.0 bar-foo-1.0.metadata.yaml lib-foo-1.0 lib-foo-1.0.metadata.yaml repository.meta.yaml.tar repository.yaml tree.tar.gz" \
  "images as upstream lays them out (fingerprint, file names)"
# The artifact image's layer is the artifact itself: its digest is the sha256 in the metadata.
sha=$(sha256sum "$WORK/packed/bar-foo-1.0.package.tar.gz" | cut -d' ' -f1)
curl -fsS -H 'Accept: application/vnd.oci.image.manifest.v1+json' "http://$REG/v2/luet/repo/manifests/bar-foo-1.0" | grep -q "sha256:$sha" \
  && pass "artifact layer digest = artifact sha256" || fail "artifact layer digest = artifact sha256"

R=$WORK/rootfs; mkdir -p "$R"
cat >"$WORK/luet.yaml" <<EOF
system:
  rootfs: $R
  database_path: /var/cache/luet
repositories:
- name: dock
  type: docker
  urls: ["$REG/luet/repo"]
EOF
# No Docker engine is used by luet: a PATH without docker makes sure it is not called.
NODOCKER=$WORK/nodocker; mkdir -p "$NODOCKER"; printf '#!/bin/sh\necho "docker called" >&2\nexit 99\n' >"$NODOCKER/docker"; chmod +x "$NODOCKER/docker"
run() { PATH="$NODOCKER:$PATH" "$LUET" "$@"; }
expect_ok "repo update from the registry" run repo update --config "$WORK/luet.yaml"
expect_ok "search finds foo/bar" run search --config "$WORK/luet.yaml" bar
expect_output "foo/bar" "search output names foo/bar"
expect_ok "install foo/bar from the registry" run install -y --config "$WORK/luet.yaml" foo/bar
expect_eq "$(cat "$R/usr/share/bar/version" 2>/dev/null)" "bar 1.0" "foo/bar installed"
expect_eq "$(cat "$R/usr/share/lib/version" 2>/dev/null)" "lib 1.0" "its dependency foo/lib installed"
expect_eq "$(db_query "$R" "select count(*) from packages" 2>/dev/null || echo ?)" "2" "two packages in the database"

# A new version pushed: upgrade.
mk_src "$WORK/src-bar2" bar "bar 1.1"
sed -i 's/version: "1.0"/version: "1.1"/' "$WORK/tree/bar/definition.yaml"
expect_ok "pack foo/bar 1.1" bash -c "cd '$WORK/tree/bar' && '$LUET' pack foo/bar@1.1 --source '$WORK/src-bar2' --destination '$WORK/packed'"
expect_ok "create-repo pushes revision 2" \
  "$LUET" create-repo --tree "$WORK/tree" --packages "$WORK/packed" --output "$REG/luet/repo" --name dock \
  --type docker --urls "$REG/luet/repo" --push-images
expect_output "revision 2 " "revision bumped from the published repository.yaml"
expect_output "lib-foo-1.0 already present, skipping" "unchanged artifact not pushed again"
expect_ok "upgrade from the registry" run upgrade -y --config "$WORK/luet.yaml" --sync-repos
expect_eq "$(cat "$R/usr/share/bar/version" 2>/dev/null)" "bar 1.1" "foo/bar upgraded to 1.1"

# A tampered blob in the registry's storage: the pull is refused and nothing is written.
mk_src "$WORK/src-new" new "new 1.0"
mkdir -p "$WORK/tree/new"; printf 'name: new\ncategory: foo\nversion: "1.0"\n' >"$WORK/tree/new/definition.yaml"
printf '# packed by hand\n' >"$WORK/tree/new/build.yaml"
expect_ok "pack foo/new" bash -c "cd '$WORK/tree/new' && '$LUET' pack foo/new@1.0 --source '$WORK/src-new' --destination '$WORK/packed'"
expect_ok "create-repo pushes foo/new" \
  "$LUET" create-repo --tree "$WORK/tree" --packages "$WORK/packed" --output "$REG/luet/repo" --name dock \
  --type docker --urls "$REG/luet/repo" --push-images
sha=$(sha256sum "$WORK/packed/new-foo-1.0.package.tar.gz" | cut -d' ' -f1)
blob="$WORK/registry/data/docker/registry/v2/blobs/sha256/${sha:0:2}/$sha/data"
[ -f "$blob" ] && pass "artifact blob stored by its sha256" || fail "artifact blob stored by its sha256 ($blob)"
python3 - "$blob" <<'EOF'
import sys
p = sys.argv[1]
b = bytearray(open(p, 'rb').read())
b[len(b) // 2] ^= 0xff
open(p, 'wb').write(bytes(b))
EOF
expect_fail "tampered blob refused" "digest mismatch" run install -y --config "$WORK/luet.yaml" --sync-repos foo/new
expect_no_file "$R/usr/share/new" "nothing of foo/new written"
expect_eq "$(db_query "$R" "select count(*) from packages where name='new'" 2>/dev/null || echo ?)" "0" "foo/new not in the database"
[ -z "$(find "$R" -name '*.part' -o -name '*.download' | head -1)" ] && pass "no partial files left" || fail "partial files left"

finish
