#!/usr/bin/env bash
# The registry client against Debian's docker-registry with htpasswd (bcrypt) basic auth on
# loopback: a push and a pull without credentials are refused with a message saying what to
# configure; credentials from docker's config.json and from a repository's `auth:` block
# (mudler/luet's keys: username/password, auth) are used; wrong ones are named. Through a
# logging proxy (registry_proxy.py): a blob upload larger than the chunk size goes as PATCH
# chunks, and a blob download dropped halfway resumes with a Range request.
source "$(dirname "$0")/lib.sh"

command -v htpasswd >/dev/null || { fail "htpasswd missing (scripts/setup.sh installs apache2-utils)"; finish; }
htpasswd -Bbn tester s3cret >"$WORK/htpasswd"
start_registry "$WORK/htpasswd"

# foo/bar 1.0 with 64 KiB of random data (an artifact blob larger than the chunks below).
mkdir -p "$WORK/src/usr/share/bar" "$WORK/tree/bar"
head -c 65536 /dev/urandom >"$WORK/src/usr/share/bar/data"
printf 'name: bar\ncategory: foo\nversion: "1.0"\n' >"$WORK/tree/bar/definition.yaml"
printf '# packed by hand\n' >"$WORK/tree/bar/build.yaml"
expect_ok "pack foo/bar" bash -c "cd '$WORK/tree/bar' && '$LUET' pack foo/bar@1.0 --source '$WORK/src' --destination '$WORK/packed'"

mkdir -p "$WORK/nocreds" "$WORK/dcfg"
printf '{"auths": {"%s": {"auth": "%s"}}}\n' "$REG" "$(printf tester:s3cret | base64)" >"$WORK/dcfg/config.json"
publish() {  # publish IMAGE_PREFIX [env...]
  local prefix=$1; shift
  env "$@" "$LUET" create-repo --tree "$WORK/tree" --packages "$WORK/packed" --output "$prefix" --name dock \
    --type docker --urls "$prefix" --push-images --force-push
}

# ---- Basic auth.
expect_fail "push without credentials refused" "registry $REG asks for credentials and none are configured" \
  publish "$REG/luet/repo" DOCKER_CONFIG="$WORK/nocreds"
expect_ok "push with docker's config.json credentials" publish "$REG/luet/repo" DOCKER_CONFIG="$WORK/dcfg"

client_config() {  # client_config FILE URL AUTH_YAML
  printf 'system:\n  rootfs: %s\n  database_path: /var/cache/luet\nrepositories:\n- name: dock\n  type: docker\n  urls: ["%s"]\n%b' \
    "$WORK/rootfs" "$2" "$3" >"$1"
}
client_config "$WORK/none.yaml" "$REG/luet/repo" ""
client_config "$WORK/wrong.yaml" "$REG/luet/repo" "  auth:\n    username: tester\n    password: wrong\n"
client_config "$WORK/user.yaml" "$REG/luet/repo" "  auth:\n    username: tester\n    password: s3cret\n"
client_config "$WORK/b64.yaml" "$REG/luet/repo" "  auth:\n    auth: $(printf tester:s3cret | base64)\n"
expect_fail "pull without credentials refused" "asks for credentials and none are configured: add auth:" \
  env DOCKER_CONFIG="$WORK/nocreds" "$LUET" repo update --config "$WORK/none.yaml"
expect_fail "pull with a wrong password refused, naming the user" "refused the credentials of user tester" \
  env DOCKER_CONFIG="$WORK/nocreds" "$LUET" repo update --config "$WORK/wrong.yaml"
expect_ok "install with auth: {username, password}" \
  env DOCKER_CONFIG="$WORK/nocreds" "$LUET" install -y --config "$WORK/user.yaml" foo/bar
cmp -s "$WORK/rootfs/usr/share/bar/data" "$WORK/src/usr/share/bar/data" && pass "foo/bar installed" || fail "foo/bar installed"
expect_ok "sync with auth: {auth: base64}" env DOCKER_CONFIG="$WORK/nocreds" "$LUET" repo update --force --config "$WORK/b64.yaml"
expect_ok "sync with docker's config.json credentials" env DOCKER_CONFIG="$WORK/dcfg" "$LUET" repo update --force --config "$WORK/none.yaml"

# ---- Chunked upload and resumed download, through the proxy.
proxy() {  # proxy LOG [--drop-blobs]: starts the proxy, sets PROXY=127.0.0.1:PORT
  local port
  : >"$1"
  python3 "$ROOT/tests/integration/registry_proxy.py" "$REG" "$@" >"$WORK/proxy.port" &
  echo $! >>"$WORK/servers.pids"
  for _ in $(seq 50); do [ -s "$WORK/proxy.port" ] && break; sleep 0.1; done
  port=$(cat "$WORK/proxy.port"); rm -f "$WORK/proxy.port"
  PROXY=127.0.0.1:$port
}
proxy "$WORK/push.log"
mkdir -p "$WORK/dcfg-proxy"
printf '{"auths": {"%s": {"auth": "%s"}}}\n' "$PROXY" "$(printf tester:s3cret | base64)" >"$WORK/dcfg-proxy/config.json"
expect_ok "push in 16 KiB chunks (LUET_REGISTRY_CHUNK_SIZE)" \
  publish "$PROXY/luet/chunked" DOCKER_CONFIG="$WORK/dcfg-proxy" LUET_REGISTRY_CHUNK_SIZE=16384
size=$(stat -c %s "$WORK/packed/bar-foo-1.0.package.tar.gz")
chunks=$(( (size + 16383) / 16384 ))
expect_eq "$(grep -c "^PATCH .* content-range=0-16383 -> 202" "$WORK/push.log")" 1 "the first chunk is bytes 0-16383"
expect_eq "$(grep "^PATCH " "$WORK/push.log" | grep -vc -- "-> 202" || true)" 0 "every chunk accepted (202)"
grep -qE "^PATCH .* content-range=$(( (chunks - 1) * 16384 ))-$((size - 1)) -> 202" "$WORK/push.log" \
  && pass "the artifact ($size bytes) sent in $chunks chunks, the last one ending at byte $((size - 1))" \
  || { fail "artifact chunks"; sed 's/^/       /' "$WORK/push.log"; }
sha=$(sha256sum "$WORK/packed/bar-foo-1.0.package.tar.gz" | cut -d' ' -f1)
curl -fsS -u tester:s3cret -H 'Accept: application/vnd.oci.image.manifest.v1+json' \
  "http://$REG/v2/luet/chunked/manifests/bar-foo-1.0" | grep -q "sha256:$sha" \
  && pass "the registry holds the chunked artifact blob under its sha256" || fail "chunked artifact blob"

proxy "$WORK/pull.log" --drop-blobs
client_config "$WORK/proxy.yaml" "$PROXY/luet/chunked" "  auth:\n    username: tester\n    password: s3cret\n"
rm -rf "$WORK/rootfs"
expect_ok "install through a proxy that drops each large blob halfway" \
  env DOCKER_CONFIG="$WORK/nocreds" "$LUET" install -y --config "$WORK/proxy.yaml" foo/bar
cmp -s "$WORK/rootfs/usr/share/bar/data" "$WORK/src/usr/share/bar/data" && pass "foo/bar installed intact" || fail "foo/bar installed intact"
drop=$(sed -n "s/^DROP .*sha256:$sha after \([0-9]*\) bytes$/\1/p" "$WORK/pull.log" | head -1)
[ -n "$drop" ] && pass "the artifact blob was dropped after $drop bytes" || { fail "artifact blob dropped"; sed 's/^/       /' "$WORK/pull.log"; }
grep -qE "^GET /v2/luet/chunked/blobs/sha256:$sha range=bytes=$drop- .*-> 206" "$WORK/pull.log" \
  && pass "resumed with Range: bytes=$drop- (206)" || { fail "resumed with a Range request"; sed 's/^/       /' "$WORK/pull.log"; }

# ---- auth: of an http repository (mudler/luet client/http.go): token and basic headers.
mkdir -p "$WORK/httprepo"
expect_ok "create-repo (http)" "$LUET" create-repo --tree "$WORK/tree" --packages "$WORK/packed" --output "$WORK/httprepo" \
  --name web --descr web --urls x --type http
served=$(serve_repo "$WORK/httprepo")
REG=${served#http://} proxy "$WORK/http.log"
for auth in "token: abc123|token abc123" "basic: dXNlcjpwdw==|Basic dXNlcjpwdw=="; do
  printf 'system:\n  rootfs: %s\nrepositories:\n- name: web\n  type: http\n  urls: ["http://%s"]\n  auth:\n    %s\n' \
    "$WORK/rootfs-http" "$PROXY" "${auth%%|*}" >"$WORK/http.yaml"
  expect_ok "sync an http repository with auth: {${auth%%|*}}" "$LUET" repo update --force --config "$WORK/http.yaml"
  grep -q "^GET /repository.yaml .*-> 200 auth=${auth#*|}$" "$WORK/http.log" \
    && pass "sent Authorization: ${auth#*|}" || { fail "Authorization: ${auth#*|}"; sed 's/^/       /' "$WORK/http.log"; }
done

finish
