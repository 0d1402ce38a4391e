#!/usr/bin/env bash
# `luet util pack|image-exist|unpack` (mudler/luet cmd/util.go): a flat tar packed as an image
# tarball that `docker load` reads, pushed to Debian's docker-registry on loopback, looked up
# and unpacked by luet with its registry client (the Docker engine is hidden from unpack).
source "$(dirname "$0")/lib.sh"

start_registry
IMG=$REG/util-test:1
trap 'docker rmi "$IMG" >/dev/null 2>&1; [ -f "$WORK/servers.pids" ] && while read -r p; do kill "$p" 2>/dev/null; done <"$WORK/servers.pids"; rm -rf "$WORK"' EXIT

mkdir -p "$WORK/src/usr/share/demo" "$WORK/src/etc"
echo hello >"$WORK/src/usr/share/demo/file"
ln -s file "$WORK/src/usr/share/demo/link"
echo conf >"$WORK/src/etc/demo.conf"
tar -C "$WORK/src" -czf "$WORK/src.tar.gz" .

expect_ok "util pack" "$LUET" util pack --os linux --arch amd64 "$IMG" "$WORK/src.tar.gz" "$WORK/image.tar"
expect_output "Image packed as $IMG" "pack names the image"
expect_fail "util pack with two arguments" "requires at least 3 arg\(s\), only received 2" "$LUET" util pack "$IMG" "$WORK/src.tar.gz"
expect_fail "util pack of a file that is not a tar" "not a tar archive" "$LUET" util pack "$IMG" "$WORK/src/etc/demo.conf" "$WORK/bad.tar"
expect_no_file "$WORK/bad.tar" "nothing written for a bad source"
expect_ok "docker load reads the packed image" docker load -i "$WORK/image.tar"
expect_output "Loaded image: $IMG" "loaded under its tag"
expect_eq "$(docker image inspect -f '{{.Os}}/{{.Architecture}}' "$IMG")" linux/amd64 "os/arch in the image config"
expect_ok "docker push" docker push "$IMG"

expect_ok "util image-exist of a pushed image: exit 0" "$LUET" util image-exist "$IMG"
if "$LUET" util image-exist "$REG/util-test:nope" >/dev/null 2>&1; then fail "util image-exist of a missing tag: exit 1"; else
  [ $? = 1 ] && pass "util image-exist of a missing tag: exit 1" || fail "util image-exist of a missing tag: exit 1"; fi
expect_fail "util image-exist without an image" "Expects an image" "$LUET" util image-exist

# unpack needs no Docker engine: docker is hidden from PATH.
mkdir -p "$WORK/nodocker"
printf '#!/bin/sh\necho "docker must not be called" >&2\nexit 99\n' >"$WORK/nodocker/docker"
chmod +x "$WORK/nodocker/docker"
expect_ok "util unpack from the registry" env PATH="$WORK/nodocker:$PATH" "$LUET" util unpack "$IMG" "$WORK/unpacked"
expect_output "Pulled: sha256:[0-9a-f]{64} $IMG" "unpack prints the digest pulled"
expect_eq "$(cat "$WORK/unpacked/usr/share/demo/file")" hello "unpacked file content"
expect_eq "$(readlink "$WORK/unpacked/usr/share/demo/link")" file "unpacked symlink"
expect_file "$WORK/unpacked/etc/demo.conf" "unpacked /etc"
expect_fail "util unpack of a missing image" "not found" env PATH="$WORK/nodocker:$PATH" "$LUET" util unpack "$REG/util-test:nope" "$WORK/unpacked2"
expect_no_file "$WORK/unpacked2" "nothing written for a missing image"
expect_fail "util unpack with one argument" "Expects an image and a path" "$LUET" util unpack "$IMG"
expect_ok "util unpack --local from the engine" "$LUET" util unpack --local "$IMG" "$WORK/unpacked3"
expect_eq "$(cat "$WORK/unpacked3/usr/share/demo/file")" hello "unpack --local content"

finish
