#!/usr/bin/env bash
# The docker backend's container runs over the Docker Engine API (unix socket) and over the
# `docker` CLI give the same artifacts, byte for byte: a `docker` in PATH that logs each call
# shows which path ran. LUET_DOCKER_API=1 builds with no CLI call but a `copy:` out of an image
# (image inspect, create, archive, attach, wait, commit, remove through the socket), =0 with
# the CLI only; unset: the API, except the container runs when a --backend-args flag has no
# API translation. A remote DOCKER_HOST falls back to the CLI, or is an error with =1; a failing
# step names the package, the image and the exit code on both paths, with the step's output.
source "$(dirname "$0")/lib.sh"

IMAGE=luet-example/debian-gcc:12
"$ROOT/scripts/ensure-docker.sh" >/dev/null
"$ROOT/scripts/make-base-image.sh" "$IMAGE" >/dev/null

# The logging docker: each call's arguments on a line of $WORK/calls, then the real one.
REAL_DOCKER=$(command -v docker)
mkdir -p "$WORK/bin"
cat >"$WORK/bin/docker" <<EOF
#!/bin/sh
echo "\$*" >>"$WORK/calls"
exec "$REAL_DOCKER" "\$@"
EOF
chmod +x "$WORK/bin/docker"
export PATH="$WORK/bin:$PATH"

T=$WORK/tree
mkdir -p "$T/base/files/sub" "$T/child" "$T/bad"
def() { printf 'name: %s\ncategory: api\nversion: "1.0"\n' "$1" >"$T/$1/definition.yaml"; }
def base; def child; def bad
echo "context file" >"$T/base/files/sub/data.txt"; chmod 0640 "$T/base/files/sub/data.txt"
ln -s sub/data.txt "$T/base/files/link"
cat >"$T/base/build.yaml" <<EOF
image: $IMAGE
env:
- GREETING="hello from base"
prelude:
- test -f /luetbuild/files/sub/data.txt
steps:
- echo "to stdout"; echo "to stderr" >&2
- mkdir -p /opt/base && cp -a /luetbuild/files /opt/base/ && echo "\$GREETING" >/opt/base/greeting
EOF
cat >"$T/child/build.yaml" <<'EOF'
requires:
- {name: base, category: api, version: "1.0"}
copy:
- {package: {name: base, category: api, version: "1.0"}, source: /opt/base/files, destination: /opt/copied}
steps:
- mkdir -p /opt/child && echo "$GREETING" >/opt/child/inherited && ls -l /opt/copied/sub >/opt/child/listing
EOF
cat >"$T/bad/build.yaml" <<EOF
image: $IMAGE
steps:
- echo "about to fail"; exit 7
EOF

build() {  # MODE DEST [ARGS...]: LUET_DOCKER_API=MODE (unset when "auto"), the calls logged anew
  local mode=$1 dest=$2; shift 2
  : >"$WORK/calls"
  if [ "$mode" = auto ]; then
    env -u LUET_DOCKER_API "$LUET" build --tree "$T" --rebuild --destination "$dest" "$@"
  else
    LUET_DOCKER_API=$mode "$LUET" build --tree "$T" --rebuild --destination "$dest" "$@"
  fi
}
sums() { (cd "$1" && sha256sum ./*.package.tar* | sort); }

echo "-- the same artifacts over the API and over the CLI"
expect_ok "LUET_DOCKER_API=1 builds api/child" build 1 "$WORK/api" api/child
expect_output "to stdout" "the step's stdout streamed from the attach"
expect_output "to stderr" "the step's stderr streamed from the attach"
# Only the copy out of base's image (`copy:`; create, cp, rm -f) stays on the CLI.
expect_eq "$(grep -cvE '^(create [^ ]+ /luet-copy-placeholder|cp [0-9a-f]+:/opt/base/files .*|rm -f [0-9a-f]+)$' "$WORK/calls")" 0 \
  "LUET_DOCKER_API=1: no docker CLI call but the copy out of an image"
expect_ok "LUET_DOCKER_API=0 builds api/child" build 0 "$WORK/cli" api/child
expect_output "to stderr" "the CLI path streams the output too"
if grep -q '^start -a' "$WORK/calls" && grep -q '^commit' "$WORK/calls"; then pass "LUET_DOCKER_API=0 runs the CLI"; else
  fail "LUET_DOCKER_API=0 runs the CLI (calls: $(tr '\n' ';' <"$WORK/calls"))"; fi
expect_eq "$(sums "$WORK/api")" "$(sums "$WORK/cli")" "equal sha256 for every artifact"
expect_eq "$(tar -xOf "$WORK/api/child-api-1.0.package.tar" opt/child/inherited)" "hello from base" \
  "the committed image keeps the env (child sees the parent's GREETING)"
expect_eq "$(tar -xOf "$WORK/api/base-api-1.0.package.tar" opt/base/files/sub/data.txt)" "context file" \
  "the context tar reached the workdir"
expect_eq "$(tar -tvf "$WORK/api/base-api-1.0.package.tar" opt/base/files/link | cut -c1)" "l" \
  "a symlink of the context stays a symlink"
expect_eq "$(tar -tvf "$WORK/api/base-api-1.0.package.tar" opt/base/files/sub/data.txt | cut -c1-10)" "-rw-r-----" \
  "a context file keeps its mode"

echo "-- which path runs"
expect_ok "unset: builds" build auto "$WORK/auto" api/base
expect_eq "$(wc -l <"$WORK/calls")" 0 "unset: the API where the socket answers"
expect_ok "unset, an untranslated --backend-args flag: builds" build auto "$WORK/auto2" api/base \
  --backend-args=--pids-limit=4096
if grep -q '^create .*--pids-limit=4096' "$WORK/calls" && grep -q '^start -a' "$WORK/calls"; then
  pass "the container runs fall back to the CLI, with the flag"; else
  fail "the container runs fall back to the CLI (calls: $(tr '\n' ';' <"$WORK/calls"))"; fi
expect_eq "$(sums "$WORK/auto2")" "$(sums "$WORK/auto")" "same artifact either way"
expect_ok "unset, translated --backend-args (--network=host -e X=1): builds" build auto "$WORK/auto3" api/base \
  --backend-args=--network=host,-e,X=1
expect_eq "$(wc -l <"$WORK/calls")" 0 "translated flags stay on the API"
expect_fail "LUET_DOCKER_API=1 with an untranslated flag: an error naming it" "pids-limit.*not translate|not translate.*pids-limit" \
  build 1 "$WORK/x" api/base --backend-args=--pids-limit=4096
expect_fail "LUET_DOCKER_API=1 with a tcp DOCKER_HOST: an error" "LUET_DOCKER_API=1.*DOCKER_HOST" \
  env DOCKER_HOST=tcp://127.0.0.1:1 LUET_DOCKER_API=1 "$LUET" build --tree "$T" --rebuild --destination "$WORK/x" api/base
expect_fail "LUET_DOCKER_API=1 with an unreachable socket: an error naming it" "LUET_DOCKER_API=1.*$WORK/none.sock" \
  env DOCKER_HOST="unix://$WORK/none.sock" LUET_DOCKER_API=1 "$LUET" build --tree "$T" --rebuild --destination "$WORK/x" api/base

echo "-- a failing step"
for mode in 1 0; do
  expect_fail "LUET_DOCKER_API=$mode: names the package, the exit code and the image it ran in" \
    "\(api/bad-1.0\): a build command failed \(exit 7\) in [^ ]*:builder-" build "$mode" "$WORK/bad$mode" api/bad
  expect_output "about to fail" "LUET_DOCKER_API=$mode: the step's output is shown"
  expect_no_file "$WORK/bad$mode/bad-api-1.0.package.tar" "LUET_DOCKER_API=$mode: no artifact"
done
# An image the engine cannot start a shell in: its reason, with the package.
mkdir -p "$WORK/noshell" "$T/nosh"; echo x >"$WORK/noshell/f"
tar -C "$WORK/noshell" -cf - . | docker import - luet-test/api-noshell:1 >/dev/null
def nosh; printf 'image: luet-test/api-noshell:1\nsteps:\n- echo hi\n' >"$T/nosh/build.yaml"
expect_fail "LUET_DOCKER_API=1, no /bin/sh in the image: the package and the engine's reason" \
  "\(api/nosh-1.0\): cannot run the build container from image .*/bin/sh" build 1 "$WORK/nosh" api/nosh
docker rmi -f luet-test/api-noshell:1 >/dev/null 2>&1 || true
left=$(docker ps -a --filter label=io.luet.build=api/bad-1.0 -q | wc -l)
expect_eq "$left" 0 "no container of the failed runs is left"

finish
