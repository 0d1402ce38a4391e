#!/usr/bin/env bash
# The build cache with the real Docker engine and Debian's docker-registry on loopback:
# images tagged by build hash (as `luet tree images` prints them) and pushed; a second build of
# an unchanged tree starts no container; a changed file rebuilds only its package and the
# packages built on it; after every local image is removed, `build --pull` into a new
# destination runs no step and gives artifacts with the same sha256; --rebuild forces.
source "$(dirname "$0")/lib.sh"

start_registry

IMG=$REG/luet-cache-test
# The example tree plus apps/greeting, built on apps/hello (a reverse build dependency).
TREE=$WORK/tree
cp -r "$ROOT/examples/tree" "$TREE"
mkdir -p "$TREE/apps/greeting"
printf 'name: greeting\ncategory: apps\nversion: "1.0"\nrequires:\n- {name: hello, category: apps}\n' >"$TREE/apps/greeting/definition.yaml"
printf 'requires:\n- name: hello\n  category: apps\nsteps:\n- mkdir -p /usr/share/greeting && hello > /usr/share/greeting/text\n' \
  >"$TREE/apps/greeting/build.yaml"

# Our build containers carry the label io.luet.build=<build.yaml path> (package): the ones of
# this test's tree are counted from the engine's event stream (a listener started now; the
# daemon's event history is too short on a busy engine to be asked afterwards).
docker events --filter type=container --filter event=create \
  --format '{{index .Actor.Attributes "io.luet.build"}}' >"$WORK/events" &
echo $! >>"$WORK/servers.pids"
sleep 1
created() { grep -c "^$TREE/" "$WORK/events" || true; }
# mark: the number of our containers so far (after a second, so the stream has caught up);
# containers_since N: how many were created since that mark.
mark() { sleep 1; created; }
containers_since() { sleep 1; echo $(($(created) - $1)); }
secs() { local ms=$((($(date +%s%N) - $1) / 1000000)); printf '%d.%03d' $((ms / 1000)) $((ms % 1000)); }
build() { "$LUET" build --tree "$TREE" --compression gzip --image-repository "$IMG" "$@"; }
sums() { (cd "$1" && sha256sum ./*.package.tar.gz); }
cleanup_images() { docker images "$IMG" --format '{{.Repository}}:{{.Tag}}' | xargs -r docker rmi >/dev/null 2>&1 || true; }
trap 'cleanup_images; [ -f "$WORK/servers.pids" ] && while read -r p; do kill "$p" 2>/dev/null; done <"$WORK/servers.pids"; rm -rf "$WORK"' EXIT

# ---- Cold build, pushing the images.
t=$(mark); s0=$(date +%s%N)
expect_ok "cold build --push" build --destination "$WORK/b1" --push --all
cold=$(secs "$s0")
n=$(containers_since "$t")
[ "$n" -gt 0 ] && pass "cold build started $n container(s)" || fail "cold build started no container"
expect_output "pushing $IMG:builder-[0-9a-f]{32}" "builder image pushed with upstream's builder-<md5> tag"
tags=$(curl -fsS "http://$REG/v2/luet-cache-test/tags/list")
"$LUET" tree images -t "$TREE" --image-repository "$IMG" apps/greeting >"$WORK/images"
ok=1
while read -r pkg image; do
  grep -q "\"${image##*:}\"" <<<"$tags" || { ok=0; echo "       $pkg $image not in the registry: $tags"; }
  docker image inspect "$image" >/dev/null 2>&1 || { ok=0; echo "       $image not local"; }
done <"$WORK/images"
[ "$ok" = 1 ] && pass "every image 'tree images' prints was built, kept and pushed ($(wc -l <"$WORK/images") packages)" \
  || fail "images of 'tree images' missing"
grep -q "package_cacheimage: $(awk '/apps\/hello-1.0:/{print $2}' "$WORK/images" | cut -d: -f3)" "$WORK/b1/hello-apps-1.0.metadata.yaml" \
  && pass "metadata records the build hash as package_cacheimage" || fail "metadata records the build hash"
sums "$WORK/b1" >"$WORK/sums1"

# ---- Warm build: nothing changed, nothing runs.
t=$(mark); s0=$(date +%s%N)
expect_ok "warm build" build --destination "$WORK/b1" --all
warm=$(secs "$s0")
expect_eq "$(grep -c 'kept, skipped' "$WORK/out")" 5 "warm build skips all 5 packages"
expect_eq "$(containers_since "$t")" 0 "warm build starts no container"
sums "$WORK/b1" | diff -q - "$WORK/sums1" >/dev/null && pass "warm build leaves the artifacts untouched" || fail "warm build changed artifacts"
echo "  cold build ${cold}s, warm build ${warm}s"

# ---- One file changed: that package and the ones built on it.
echo '/* changed */' >>"$TREE/apps/hello/hello.c"
t=$(mark)
expect_ok "build after changing apps/hello/hello.c" build --destination "$WORK/b1" --push --all
expect_output "✔ apps/hello-1.0" "apps/hello rebuilt"
expect_output "✔ apps/greeting-1.0" "apps/greeting (built on apps/hello) rebuilt"
expect_eq "$(grep -cE 'kept, skipped' "$WORK/out")" 3 "the 3 other packages skipped"
expect_eq "$(containers_since "$t" | tr -d ' ')" 4 "4 containers: prelude and steps of the 2 packages"
sums "$WORK/b1" >"$WORK/sums2"

# A corrupt artifact is not trusted: rebuilt from the images, no step runs.
echo garbage >>"$WORK/b1/libc-system-2.36.package.tar.gz"
t=$(mark)
expect_ok "build with a corrupt artifact" build --destination "$WORK/b1" --all
expect_output "✔ system/libc-2.36" "the corrupt artifact is rewritten"
expect_eq "$(containers_since "$t")" 0 "from the local images: no container"
tar -tzf "$WORK/b1/libc-system-2.36.package.tar.gz" >/dev/null && pass "the rewritten artifact reads" || fail "rewritten artifact"

# ---- Every local image removed: --pull takes them from the registry, no step runs.
cleanup_images
expect_eq "$(docker images -q "$IMG" | wc -l | tr -d ' ')" 0 "no local image of $IMG left"
t=$(mark); s0=$(date +%s%N)
expect_ok "build --pull into a new destination" build --destination "$WORK/b2" --pull --all
pulled=$(secs "$s0")
expect_eq "$(containers_since "$t")" 0 "pulled build starts no container"
expect_output "pulling $IMG:" "images pulled from the registry"
# Artifacts are reproducible (times clamped to SOURCE_DATE_EPOCH, fixed entry order and owners):
# the pulled build gives the same bytes as the first one.
if sums "$WORK/b2" | diff - "$WORK/sums2" >"$WORK/diff"; then
  pass "pulled build: artifacts with the same sha256"
else
  sed 's/^/       /' "$WORK/diff"
  fail "pulled build: artifacts with the same sha256"
fi
echo "  pulled build ${pulled}s"

# The pulled artifacts published as a type: docker repository and installed with no engine.
expect_ok "create-repo --type docker --push-images from the pulled build" \
  "$LUET" create-repo --tree "$TREE" --packages "$WORK/b2" --output "$REG/luet/repo" --name cache \
  --type docker --urls "$REG/luet/repo" --push-images
R=$WORK/rootfs; mkdir -p "$R"
printf 'system:\n  rootfs: %s\n  database_path: /var/cache/luet\nrepositories:\n- name: cache\n  type: docker\n  urls: ["%s"]\n' \
  "$R" "$REG/luet/repo" >"$WORK/luet.yaml"
NODOCKER=$WORK/nodocker; mkdir -p "$NODOCKER"; printf '#!/bin/sh\necho "docker called" >&2\nexit 99\n' >"$NODOCKER/docker"; chmod +x "$NODOCKER/docker"
expect_ok "install apps/greeting from the registry, docker hidden" env PATH="$NODOCKER:$PATH" "$LUET" install -y --config "$WORK/luet.yaml" apps/greeting
expect_output "Installed system/libc-2.36" "runtime requires installed"
expect_eq "$(cat "$R/usr/share/greeting/text" 2>/dev/null)" "$(tar -xzOf "$WORK/b1/greeting-apps-1.0.package.tar.gz" ./usr/share/greeting/text 2>/dev/null || tar -xzOf "$WORK/b1/greeting-apps-1.0.package.tar.gz" usr/share/greeting/text)" \
  "apps/greeting's file installed, as built"
case "$(chroot "$R" /usr/bin/hello 2>&1 || true)" in *"Hello from luet"*) pass "apps/hello runs in the rootfs" ;; *) fail "apps/hello runs in the rootfs" ;; esac

# A pull repository: the images found under another name are pulled and tagged.
cleanup_images
t=$(mark)
expect_ok "build --pull --pull-repository" "$LUET" build --tree "$TREE" --compression gzip --image-repository "$REG/other" \
  --pull --pull-repository "$IMG" --destination "$WORK/b3" apps/hello
expect_output "pulling $IMG:" "pulled from the pull repository"
expect_eq "$(containers_since "$t")" 0 "no container with a pull repository"
# Local images the registry lacks are pushed with --push, though no step runs.
t=$(mark)
expect_ok "build --push from local images" "$LUET" build --tree "$TREE" --compression gzip --image-repository "$REG/other" \
  --push --destination "$WORK/b4" apps/hello
expect_eq "$(containers_since "$t")" 0 "no container"
"$LUET" tree images -t "$TREE" --image-repository "$REG/other" apps/hello >"$WORK/images2"
hello_tag=$(awk '/apps\/hello-1.0:/{print $2}' "$WORK/images2" | cut -d: -f3)
curl -fsS "http://$REG/v2/other/tags/list" | grep -q "\"$hello_tag\"" && pass "the local images were pushed to $REG/other" \
  || fail "local images pushed with --push"
docker images "$REG/other" --format '{{.Repository}}:{{.Tag}}' | xargs -r docker rmi >/dev/null 2>&1 || true

# ---- --rebuild forces the steps to run again.
t=$(mark)
expect_ok "build --rebuild" build --destination "$WORK/b1" --rebuild apps/hello
expect_output "✔ apps/hello-1.0" "apps/hello rebuilt with --rebuild"
n=$(containers_since "$t")
[ "$n" -gt 0 ] && pass "--rebuild started $n container(s)" || fail "--rebuild started no container"

finish
