#!/usr/bin/env bash
# The static client on a bare system: an empty folder gets only the static luet
# (build-release/luet, made by scripts/release.sh; LUET_STATIC_BIN overrides), /etc/hosts and a
# luet.yaml; chrooted into it, luet installs from an http repository reached by the name
# localhost (`luet serve-repo` on 127.0.0.1) a package with dependencies whose finalizer runs
# with the busybox installed as a dependency, then upgrades and uninstalls it. HTTPS: the CA
# bundle is found at /etc/ssl/certs/ca-certificates.crt or through LUET_CA_BUNDLE.
source "$(dirname "$0")/lib.sh"

STATIC=${LUET_STATIC_BIN:-$ROOT/build-release/luet}
skip() {
  echo "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!"
  echo "!! SKIPPED $(basename "$0"): $*"
  echo "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!"
  exit 0
}
[ -x "$STATIC" ] || skip "no static luet at $STATIC (make it with scripts/release.sh)"
[ "$(id -u)" = 0 ] || skip "chroot needs root"
file -L /bin/busybox | grep -q 'statically linked' || skip "no static /bin/busybox (Debian package busybox-static)"

source "$(dirname "$0")/pkg_lib.sh"

echo "-- the binary"
expect_ok "file says statically linked (static-pie)" sh -c "file '$STATIC' | grep -Eq 'statically linked|static-pie linked'"
# ldd says "not a dynamic executable" of a static binary, "statically linked" of a static-pie one.
expect_ok "ldd: no shared library" sh -c "ldd '$STATIC' 2>&1 | sed 's/^[[:space:]]*//' | grep -Eqx 'not a dynamic executable|statically linked'"

echo "-- packages made with luet pack"
T1=$WORK/tree1
# busybox as /bin/busybox and /bin/sh, the shell finalizers run with.
mkdir -p "$WORK/src/system-busybox-1.0/bin"
cp /bin/busybox "$WORK/src/system-busybox-1.0/bin/busybox"
ln -s busybox "$WORK/src/system-busybox-1.0/bin/sh"
pkg "$T1" system busybox 1.0 "" ""
pkg "$T1" libs greeting 1.0 "" "" usr/share/greeting/text="hello 1.0"
FINALIZER='/bin/busybox mkdir -p /var/lib/hello && echo "finalized $(/bin/busybox cat /usr/share/greeting/text) as $(/bin/busybox id -u)" > /var/lib/hello/stamp'
pkg "$T1" apps hello 1.0 "libs/greeting>=1.0 system/busybox" "$FINALIZER" usr/bin/hello="hello 1.0"
REPO=$WORK/repo
expect_ok "create-repo, first revision" "$LUET" create-repo --tree "$T1" --packages "$P" --output "$REPO" --name static
LOG=$WORK/serve.log
url=$(serve_repo "$REPO" "$LOG")
url=${url/127.0.0.1/localhost}

echo "-- a bare folder: the static luet, /etc/hosts and luet.yaml"
CH=$WORK/bare
mkdir -p "$CH/etc"
cp "$STATIC" "$CH/luet"
cp /etc/hosts "$CH/etc/hosts"
cat >"$CH/luet.yaml" <<EOF
system:
  rootfs: /
  database_path: /var/cache/luet
repositories:
- name: static
  type: http
  urls: ["$url"]
EOF
expect_eq "$(cd "$CH" && find . -mindepth 1 | sort | tr '\n' ' ')" "./etc ./etc/hosts ./luet ./luet.yaml " "nothing else in the folder"
# in_bare CMD...: runs CMD chrooted in the bare folder with an empty environment.
CHROOT=$(PATH=$PATH:/usr/sbin:/sbin command -v chroot)
in_bare() { env -i PATH=/usr/bin:/bin "$CHROOT" "$CH" "$@"; }
pkgs() { db_query "$CH" "select category||'/'||name||'-'||version from packages order by category, name" | tr '\n' ' '; }

expect_ok "install apps/hello" in_bare /luet install -y --config /luet.yaml apps/hello
expect_eq "$(pkgs)" "apps/hello-1.0 libs/greeting-1.0 system/busybox-1.0 " "hello and its dependencies recorded"
expect_eq "$(cat "$CH/usr/bin/hello")" "hello 1.0" "hello's file installed"
expect_eq "$(cat "$CH/var/lib/hello/stamp" 2>/dev/null)" "finalized hello 1.0 as 0" "the finalizer ran with the installed busybox"
expect_ok "the repository was read over HTTP" grep -q 'GET /repository.yaml' "$LOG"
expect_ok "the artifact was downloaded over HTTP" grep -q 'GET /hello-apps-1.0.package.tar' "$LOG"
expect_ok "search in the bare folder" in_bare /luet search --config /luet.yaml --installed hello
expect_output "apps/hello-1.0" "search lists the installed package"
expect_ok "query files in the bare folder" in_bare /luet query files --config /luet.yaml --installed apps/hello
expect_output "usr/bin/hello" "query files lists its file"

echo "-- upgrade"
T2=$WORK/tree2; cp -r "$T1" "$T2"
pkg "$T2" libs greeting 1.1 "" "" usr/share/greeting/text="hello 1.1"
pkg "$T2" apps hello 1.1 "libs/greeting>=1.1 system/busybox" "$FINALIZER" usr/bin/hello="hello 1.1"
expect_ok "create-repo, second revision" "$LUET" create-repo --tree "$T2" --packages "$P" --output "$REPO" --name static
expect_ok "upgrade --sync-repos" in_bare /luet upgrade -y --sync-repos --config /luet.yaml
expect_eq "$(pkgs)" "apps/hello-1.1 libs/greeting-1.1 system/busybox-1.0 " "hello and greeting upgraded"
expect_eq "$(cat "$CH/usr/bin/hello")" "hello 1.1" "hello's new file"
expect_eq "$(cat "$CH/var/lib/hello/stamp" 2>/dev/null)" "finalized hello 1.1 as 0" "the finalizer ran again"

echo "-- uninstall"
expect_ok "uninstall apps/hello" in_bare /luet uninstall -y --config /luet.yaml apps/hello
expect_eq "$(pkgs)" "libs/greeting-1.1 system/busybox-1.0 " "only the dependencies left"
expect_no_file "$CH/usr/bin/hello" "hello's file removed"
expect_file "$CH/bin/busybox" "busybox stays"

echo "-- a name that does not resolve"
sed -i "s|$url|http://nosuch.invalid:1|" "$CH/luet.yaml"
printf 'nameserver 127.0.0.1\noptions timeout:1 attempts:1\n' >"$CH/etc/resolv.conf"
expect_fail "repo update names the host it cannot resolve" "nosuch.invalid" in_bare /luet repo update --force --config /luet.yaml
rm "$CH/etc/resolv.conf"

if command -v openssl >/dev/null && command -v python3 >/dev/null; then
  echo "-- https: the CA bundle at the usual path or LUET_CA_BUNDLE"
  openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=localhost -addext subjectAltName=DNS:localhost \
    -keyout "$WORK/key.pem" -out "$WORK/cert.pem" 2>/dev/null
  cat >"$WORK/https.py" <<'EOF'
import functools, http.server, ssl, sys
handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=sys.argv[1])
server = http.server.HTTPServer(("127.0.0.1", 0), handler)
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(sys.argv[2], sys.argv[3])
server.socket = ctx.wrap_socket(server.socket, server_side=True)
print(server.server_address[1], flush=True)
server.serve_forever()
EOF
  python3 "$WORK/https.py" "$REPO" "$WORK/cert.pem" "$WORK/key.pem" >"$WORK/https.port" 2>"$WORK/https.log" &
  echo $! >>"$WORK/servers.pids"
  for _ in $(seq 50); do [ -s "$WORK/https.port" ] && break; sleep 0.1; done
  sed -i "s|http://nosuch.invalid:1|https://localhost:$(cat "$WORK/https.port")|" "$CH/luet.yaml"
  expect_fail "no CA bundle: the server is not trusted" "certificate" in_bare /luet repo update --force --config /luet.yaml
  cp "$WORK/cert.pem" "$CH/ca.pem"
  expect_ok "LUET_CA_BUNDLE" env -i PATH=/usr/bin:/bin LUET_CA_BUNDLE=/ca.pem "$CHROOT" "$CH" /luet repo update --force --config /luet.yaml
  mkdir -p "$CH/etc/ssl/certs" && cp "$WORK/cert.pem" "$CH/etc/ssl/certs/ca-certificates.crt"
  expect_ok "install over https with /etc/ssl/certs/ca-certificates.crt" in_bare /luet install -y --config /luet.yaml apps/hello
  expect_eq "$(cat "$CH/usr/bin/hello")" "hello 1.1" "installed over https"
else
  echo "  (https checks skipped: no openssl or python3)"
fi

finish
