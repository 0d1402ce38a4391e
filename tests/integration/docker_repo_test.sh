#!/usr/bin/env bash
# type: docker repositories: artifacts packed with `luet pack`, published with
# `create-repo --type docker --push-images` to Debian's docker-registry on a free loopback port,
# then synced and installed from the registry by luet itself (no Docker engine involved),
# upgraded after a new push; a tampered blob is refused with nothing written.
source "$(dirname "$0")/lib.sh"

start_registry

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

# The image config lists the layer's uncompressed digest (diff_id), as image tools check it.
cfg=$(curl -fsS -H 'Accept: application/vnd.oci.image.manifest.v1+json' "http://$REG/v2/luet/repo/manifests/bar-foo-1.0" \
  | python3 -c 'import json,sys; print(json.load(sys.stdin)["config"]["digest"])')
diffid=$(curl -fsS "http://$REG/v2/luet/repo/blobs/$cfg" | python3 -c 'import json,sys; print(json.load(sys.stdin)["rootfs"]["diff_ids"][0])')
expect_eq "$diffid" "sha256:$(gzip -dc "$WORK/packed/bar-foo-1.0.package.tar.gz" | sha256sum | cut -d' ' -f1)" "config diff_id = sha256 of the uncompressed layer"
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

# Optional interop check: with UPSTREAM_LUET=/path/to/geaaru-luet, upstream's own client
# installs from the repository we published.
if [ -n "${UPSTREAM_LUET:-}" ]; then
  U=$WORK/rootfs-upstream; mkdir -p "$U"
  printf 'system:\n  rootfs: %s\n  database_path: /var/cache/luet\n  tmpdir_base: %s\nrepositories:\n- name: dock\n  type: docker\n  enable: true\n  urls: ["%s/luet/repo"]\n' \
    "$U" "$WORK/upstream-tmp" "$REG" >"$WORK/upstream.yaml"
  expect_ok "upstream luet syncs our registry repository" \
    env LUET_NO_SPINNER=true "$UPSTREAM_LUET" repo update --config "$WORK/upstream.yaml"
  expect_ok "upstream luet installs foo/bar from our registry repository" \
    env LUET_NO_SPINNER=true "$UPSTREAM_LUET" install -y --config "$WORK/upstream.yaml" foo/bar
  expect_eq "$(cat "$U/usr/share/bar/version" 2>/dev/null)" "bar 1.1" "upstream luet installed foo/bar 1.1"
  expect_eq "$(cat "$U/usr/share/lib/version" 2>/dev/null)" "lib 1.0" "upstream luet installed foo/lib"
else
  echo "  skip upstream interop (set UPSTREAM_LUET to geaaru's luet binary)"
fi

# An artifact image as upstream pushes it (Docker v2 schema2 manifest, the package files as a
# recompressed gzip layer whose digest is not the repository's sha256): pulled, verified by its
# blob digest, installed.
gzip -dc "$WORK/packed/lib-foo-1.0.package.tar.gz" | gzip -9n >"$WORK/lib-upstream.tar.gz"
cmp -s "$WORK/lib-upstream.tar.gz" "$WORK/packed/lib-foo-1.0.package.tar.gz" \
  && fail "recompressed layer differs from the artifact" || pass "recompressed layer differs from the artifact"
expect_ok "upstream-style artifact image pushed" \
  python3 "$ROOT/tests/integration/docker_push_image.py" "$REG" luet/repo lib-foo-1.0 "$WORK/lib-upstream.tar.gz"
R3=$WORK/rootfs3; mkdir -p "$R3"; sed "s#$R#$R3#" "$WORK/luet.yaml" >"$WORK/luet3.yaml"
expect_ok "install foo/lib from an upstream-style image" run install -y --config "$WORK/luet3.yaml" --sync-repos foo/lib
expect_eq "$(cat "$R3/usr/share/lib/version" 2>/dev/null)" "lib 1.0" "foo/lib installed from the Docker v2 image"

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

# ---- A registry that asks for bearer tokens (auth: token), served by a small token service on
# loopback: user "alice" (password from a docker config.json) gets pull/push, anyone else is refused.
T=$WORK/token; mkdir -p "$T"
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$T/key.pem" -out "$T/cert.pem" -days 2 -subj /CN=luet-test-token 2>/dev/null
TPORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
cat >"$T/service.py" <<'EOF'
import base64, json, subprocess, sys, time, urllib.parse
from http.server import BaseHTTPRequestHandler, HTTPServer
key, cert, port, log = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
der = subprocess.run(["openssl", "x509", "-in", cert, "-outform", "DER"], capture_output=True, check=True).stdout
b64 = lambda b: base64.urlsafe_b64encode(b).rstrip(b"=").decode()
class H(BaseHTTPRequestHandler):
    def log_message(self, *a): pass
    def do_GET(self):
        q = urllib.parse.parse_qs(urllib.parse.urlparse(self.path).query)
        auth = self.headers.get("Authorization", "")
        with open(log, "a") as f: f.write("%s scope=%s user=%s\n" % (self.path.split("?")[0], q.get("scope"), auth[:5]))
        if auth != "Basic " + base64.b64encode(b"alice:s3cret").decode():
            self.send_response(401); self.end_headers(); return
        access = []
        for s in q.get("scope", []):
            t, name, actions = s.split(":")
            access.append({"type": t, "name": name, "actions": actions.split(",")})
        now = int(time.time())
        header = {"alg": "RS256", "typ": "JWT", "x5c": [base64.b64encode(der).decode()]}
        claims = {"iss": "luet-test", "sub": "alice", "aud": q["service"][0], "exp": now + 300, "nbf": now - 10,
                  "iat": now, "jti": str(now), "access": access}
        signing = b64(json.dumps(header).encode()) + "." + b64(json.dumps(claims).encode())
        sig = subprocess.run(["openssl", "dgst", "-sha256", "-sign", key], input=signing.encode(),
                             capture_output=True, check=True).stdout
        body = json.dumps({"token": signing + "." + b64(sig)}).encode()
        self.send_response(200); self.send_header("Content-Type", "application/json"); self.end_headers()
        self.wfile.write(body)
HTTPServer(("127.0.0.1", port), H).serve_forever()
EOF
python3 "$T/service.py" "$T/key.pem" "$T/cert.pem" "$TPORT" "$T/requests.log" &
echo $! >>"$WORK/servers.pids"
for _ in $(seq 50); do [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$TPORT/token")" = 401 ] && break; sleep 0.1; done
BPORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
BREG=127.0.0.1:$BPORT
printf 'version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n    rootdirectory: %s\nhttp:\n  addr: %s\nauth:\n  token:\n    realm: http://127.0.0.1:%s/token\n    service: luet-test-registry\n    issuer: luet-test\n    rootcertbundle: %s\n' \
  "$T/data" "$BREG" "$TPORT" "$T/cert.pem" >"$T/config.yml"
docker-registry serve "$T/config.yml" >"$T/log" 2>&1 &
echo $! >>"$WORK/servers.pids"
for _ in $(seq 50); do [ "$(curl -s -o /dev/null -w '%{http_code}' "http://$BREG/v2/")" = 401 ] && break; sleep 0.1; done
mkdir -p "$WORK/dockercfg"
printf '{"auths": {"%s": {"auth": "%s"}}}\n' "$BREG" "$(printf 'alice:s3cret' | base64)" >"$WORK/dockercfg/config.json"
mkdir -p "$WORK/nocfg"
expect_fail "push to the token registry without credentials refused" "token service .* refused" \
  env DOCKER_CONFIG="$WORK/nocfg" "$LUET" create-repo --tree "$WORK/tree" --packages "$WORK/packed" --output "$BREG/luet/repo" \
  --name tok --type docker --urls "$BREG/luet/repo" --push-images
expect_ok "create-repo pushes to the token registry with config.json credentials" \
  env DOCKER_CONFIG="$WORK/dockercfg" "$LUET" create-repo --tree "$WORK/tree" --packages "$WORK/packed" --output "$BREG/luet/repo" \
  --name tok --type docker --urls "$BREG/luet/repo" --push-images
grep -q 'scope=.*repository:luet/repo:pull,push' "$T/requests.log" && pass "token asked with the push scope" \
  || { fail "token asked with the push scope"; cat "$T/requests.log"; }
R2=$WORK/rootfs2; mkdir -p "$R2"
sed -e "s#$R#$R2#" -e "s#$REG#$BREG#" "$WORK/luet.yaml" >"$WORK/luet2.yaml"
expect_ok "install foo/bar from the token registry" env DOCKER_CONFIG="$WORK/dockercfg" PATH="$NODOCKER:$PATH" \
  "$LUET" install -y --config "$WORK/luet2.yaml" --sync-repos foo/bar
expect_eq "$(cat "$R2/usr/share/bar/version" 2>/dev/null)" "bar 1.1" "foo/bar 1.1 installed through bearer tokens"

finish
