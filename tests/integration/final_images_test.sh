#!/usr/bin/env bash
# luet build --push-final-images (mudler/luet): each artifact built, and its metadata file, is
# pushed as an image <repository>:<tag> in the docker-repository layout (the artifact
# <name>-<category>-<version>, the metadata <name>-<category>-<version>.metadata.yaml), to
# --push-final-images-repository or else --image-repository; an image already there is kept
# unless --push-final-images-force. --generate-final-images makes the same images in the engine.
source "$(dirname "$0")/lib.sh"

IMAGE=luet-example/debian-gcc:12
"$ROOT/scripts/ensure-docker.sh" >/dev/null
"$ROOT/scripts/make-base-image.sh" "$IMAGE" >/dev/null
start_registry

T=$WORK/tree
tree_pkg "$T" fin one "image: $IMAGE\nsteps:\n- mkdir -p /opt && echo one > /opt/one\n"
b() { "$LUET" build --tree "$T" --compression gzip --destination "$WORK/out-$1" "${@:2}"; }

expect_ok "build --push-final-images --image-repository" b 1 --push-final-images --image-repository "$REG/final" fin/one
expect_output "pushed $REG/final:one-fin-1.0$" "the artifact image is pushed"
expect_output "pushed $REG/final:one-fin-1.0.metadata.yaml$" "and the metadata image"
expect_ok "the artifact image is in the registry" "$LUET" util image-exist "$REG/final:one-fin-1.0"
expect_ok "unpack the artifact image" "$LUET" util unpack "$REG/final:one-fin-1.0.metadata.yaml" "$WORK/meta"
expect_file "$WORK/meta/one-fin-1.0.metadata.yaml" "the metadata image holds the metadata file"

expect_ok "again, images already there" b 2 --push-final-images --image-repository "$REG/final" fin/one
expect_output "exists, kept $REG/final:one-fin-1.0$" "an image already there is kept"
expect_ok "--push-final-images-force" b 3 --push-final-images --push-final-images-force --image-repository "$REG/final" fin/one
expect_output "pushed $REG/final:one-fin-1.0$" "--push-final-images-force pushes again"
expect_ok "--push-final-images-repository wins over --image-repository" \
  b 4 --push-final-images --push-final-images-repository "$REG/other" fin/one
expect_ok "pushed to the final repository" "$LUET" util image-exist "$REG/other:one-fin-1.0"

# --generate-final-images: the same images in the local engine.
LOCAL=luet-final-test-$$
expect_ok "build --generate-final-images" b 5 --generate-final-images --image-repository "$LOCAL" fin/one
expect_output "generated $LOCAL:one-fin-1.0 and $LOCAL:one-fin-1.0.metadata.yaml$" "names both images"
c=$(docker create "$LOCAL:one-fin-1.0" /none)
expect_eq "$(docker export "$c" | tar -xO opt/one)" "one" "the artifact image holds the package files"
docker rm "$c" >/dev/null
c=$(docker create "$LOCAL:one-fin-1.0.metadata.yaml" /none)
expect_eq "$(docker export "$c" | tar -t | grep -c '^one-fin-1.0.metadata.yaml$')" "1" "the metadata image holds the metadata file"
docker rm "$c" >/dev/null
docker rmi "$LOCAL:one-fin-1.0" "$LOCAL:one-fin-1.0.metadata.yaml" >/dev/null
finish
