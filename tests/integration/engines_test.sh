#!/usr/bin/env bash
# The same tree builds with docker, podman and buildah (--backend) and gives the same file
# lists: a delta package whose env persists into the package built from it (as Dockerfile
# ENV), `retrieve:` entries (a file, a tar archive unpacked, a URL on 127.0.0.1), an `unpack`
# package and a `package_dir` package. An engine that cannot run here is skipped with the
# reason. Run as root; the base image is copied into podman's and buildah's storage offline.
source "$(dirname "$0")/lib.sh"

IMAGE=luet-example/debian-gcc:12
"$ROOT/scripts/ensure-docker.sh" >/dev/null
"$ROOT/scripts/make-base-image.sh" "$IMAGE" >/dev/null
engines=(docker)
# An engine that cannot run here (not installed, `info` fails, or its storage cannot take the
# base image, as podman inside a container on overlayfs) is skipped with the reason.
for e in podman buildah; do
  if ! command -v "$e" >/dev/null; then
    echo "  SKIP $e: not installed (scripts/setup.sh installs it)"
  elif ! "$e" info >"$WORK/$e-info" 2>&1; then
    echo "  SKIP $e: '$e info' fails here: $(tail -1 "$WORK/$e-info")"
  elif ! "$ROOT/scripts/make-base-image.sh" "$IMAGE" "$e" >"$WORK/$e-image" 2>&1; then
    echo "  SKIP $e: the base image cannot be copied into its storage here: $(tail -1 "$WORK/$e-image")"
  else
    engines+=("$e")
  fi
done

mkdir -p "$WORK/www"; echo "fetched over http" >"$WORK/www/remote.txt"
URL=$(serve_repo "$WORK/www")

T=$WORK/tree
mkdir -p "$T/parent/pack" "$T/child" "$T/layer" "$T/dir"
def() { printf 'name: %s\ncategory: eng\nversion: "1.0"\n' "$2" >"$T/$1/definition.yaml"; }
def parent parent; def child child; def layer layer; def dir dir
echo "a note" >"$T/parent/notes.txt"
echo "from the archive" >"$T/parent/pack/inner.txt"
tar -C "$T/parent/pack" -czf "$T/parent/bundle.tar.gz" inner.txt; rm -r "$T/parent/pack"
cat >"$T/parent/build.yaml" <<EOF
image: $IMAGE
env:
- PARENT_VAR="from the parent"
- PATH=\$PATH:/opt/parent/bin
retrieve:
- notes.txt
- bundle.tar.gz
- $URL/remote.txt
steps:
- mkdir -p /opt/parent/bin
- cp /luetbuild/notes.txt /luetbuild/inner.txt /luetbuild/remote.txt /opt/parent/
- echo "\$PARENT_VAR" > /opt/parent/var
EOF
cat >"$T/child/build.yaml" <<'EOF'
requires:
- {name: parent, category: eng, version: "1.0"}
env:
- CHILD_VAR=${PARENT_VAR} and the child
steps:
- mkdir -p /opt/child
- echo "$PARENT_VAR|$CHILD_VAR|$PACKAGE_NAME" > /opt/child/env
- echo "$PATH" | grep -q /opt/parent/bin && echo yes > /opt/child/path-from-parent
EOF
cat >"$T/layer/build.yaml" <<'EOF'
requires:
- {name: parent, category: eng, version: "1.0"}
unpack: true
includes:
- ^/opt
EOF
cat >"$T/dir/build.yaml" <<'EOF'
requires:
- {name: parent, category: eng, version: "1.0"}
prelude:
- mkdir -p /out/share
steps:
- cp /opt/parent/var /out/share/var
- ln -s var /out/share/link
package_dir: /out
EOF

lists() {  # DEST: one line per artifact: name and its sorted entries
  for f in "$1"/*.package.tar; do
    echo "$(basename "$f"): $(tar -tf "$f" | sort | tr '\n' ' ')"
  done
}

for e in "${engines[@]}"; do
  echo "-- --backend $e"
  expect_ok "build with $e" "$LUET" build --tree "$T" --all --backend "$e" --destination "$WORK/out-$e"
  expect_eq "$(tar -xOf "$WORK/out-$e/child-eng-1.0.package.tar" opt/child/env)" \
    "from the parent|from the parent and the child|child" "$e: the parent's env persists into the child's build"
  expect_eq "$(tar -xOf "$WORK/out-$e/child-eng-1.0.package.tar" opt/child/path-from-parent)" "yes" \
    "$e: PATH=\$PATH:... expanded and persisted"
  for m in notes.txt inner.txt remote.txt; do
    expect_eq "$(tar -xOf "$WORK/out-$e/parent-eng-1.0.package.tar" "opt/parent/$m")" \
      "$(case $m in notes.txt) echo 'a note';; inner.txt) echo 'from the archive';; *) echo 'fetched over http';; esac)" \
      "$e: retrieve $m in /luetbuild"
  done
  lists "$WORK/out-$e" >"$WORK/lists-$e"
  if [ "$e" != docker ]; then
    if diff "$WORK/lists-docker" "$WORK/lists-$e" >"$WORK/diff"; then
      pass "$e: the same file lists as docker ($(wc -l <"$WORK/lists-$e") artifacts)"
    else
      fail "$e: the same file lists as docker"; sed 's/^/       /' "$WORK/diff"
    fi
    same=0
    for f in "$WORK/out-docker"/*.package.tar; do
      cmp -s "$f" "$WORK/out-$e/$(basename "$f")" && same=$((same + 1))
    done
    echo "  info $e: $same of $(ls "$WORK/out-docker"/*.package.tar | wc -l) artifacts byte-identical to docker's"
  fi
done
# Docker's deltas are read from the engine's overlay layer folders where it can (see
# docker_backend.cpp); the portable path cuts them from `docker save`. Both give the same bytes.
if [ "$(docker info -f '{{.Driver}}' 2>/dev/null)" = overlay2 ]; then
  expect_ok "docker, layers from the overlay folders (required)" env LUET_BUILD_LAYER_FOLDERS=1 \
    "$LUET" build --tree "$T" --all --destination "$WORK/out-folders"
  expect_ok "docker, layers from docker save" env LUET_BUILD_LAYER_FOLDERS=0 \
    "$LUET" build --tree "$T" --all --destination "$WORK/out-save"
  same=0; total=0
  for f in "$WORK/out-save"/*.package.tar; do
    total=$((total + 1))
    if cmp -s "$f" "$WORK/out-folders/$(basename "$f")"; then same=$((same + 1)); else echo "  differs: $(basename "$f")"; fi
  done
  expect_eq "$same/$total" "4/4" "docker: artifacts from the layer folders byte-identical to those cut from docker save"
else
  echo "  SKIP layer folders: docker's storage driver is not overlay2 here"
fi
expect_fail "an unknown backend is refused" "unknown backend 'kaniko' \(available: docker, podman, buildah\)" \
  "$LUET" build --tree "$T" --all --backend kaniko --destination "$WORK/out-x"
expect_fail "a retrieve entry outside the spec folder is refused" "retrieve ../child/build.yaml: the path leaves the spec folder" \
  bash -c "sed -i 's|- notes.txt|- ../child/build.yaml|' '$T/parent/build.yaml' && '$LUET' build --tree '$T' --destination '$WORK/out-y' eng/parent"
finish
