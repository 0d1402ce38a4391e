#!/usr/bin/env bash
# build --from-repositories (mudler/luet LoadBuildTree): a build dependency that the local tree
# lacks is resolved with the build spec of a published repository (its compilertree, served
# over HTTP on 127.0.0.1), and with --pull its images come from the image repository the
# repository's metadata records (build_options.pushimagerepository, on Debian's docker-registry):
# no step of the dependency runs and the target builds on its files. Without --pull the
# dependency is built from the repository's spec. create-repo --from-repositories keeps the
# packages whose specs only a repository has. Also: build --push on a package that is current
# (skipped) pushes the images its registry lacks.
source "$(dirname "$0")/lib.sh"

start_registry

# A tiny seed image (busybox), so that pushes and pulls stay small.
BASE=luet-it-fromrepo/busybox:$$
mkdir -p "$WORK/base/bin"
cp /bin/busybox "$WORK/base/bin/busybox"
for c in sh mkdir cp cat echo; do ln -s busybox "$WORK/base/bin/$c"; done
tar -C "$WORK/base" -c . | docker import - "$BASE" >/dev/null && pass "seed image $BASE" || { fail "docker import"; finish; }
PUB=$REG/fromrepo/pub
# The registry's images (the seed image stays: its ID is part of every build hash).
cleanup_images() {
  docker images --format '{{.Repository}}:{{.Tag}}' | grep -E "^$REG/" | xargs -r docker rmi >/dev/null 2>&1 || true
}
MOVED=
trap 'cleanup_images; docker rmi "$BASE" $MOVED >/dev/null 2>&1 || true; [ -f "$WORK/servers.pids" ] && while read -r p; do kill "$p" 2>/dev/null; done <"$WORK/servers.pids"; rm -rf "$WORK"' EXIT

# Build containers carry the label io.luet.build="<build.yaml> (CAT/NAME-VERSION)".
docker events --filter type=container --filter event=create \
  --format '{{index .Actor.Attributes "io.luet.build"}}' >"$WORK/events" &
echo $! >>"$WORK/servers.pids"
sleep 1
count() { sleep 1; grep -c "($1)" "$WORK/events" || true; }

# ---- The publisher: libs/dep, whose steps run a script of its build context.
tree_pkg "$WORK/pub" libs dep "image: $BASE\nsteps:\n- /luetbuild/gen.sh\n"
printf '#!/bin/sh\nmkdir -p /usr/share/dep\ncp /luetbuild/data.txt /usr/share/dep/data\n' >"$WORK/pub/dep/gen.sh"
chmod +x "$WORK/pub/dep/gen.sh"
echo "dep-content" >"$WORK/pub/dep/data.txt"
pubbuild() { local d=$1; shift; "$LUET" build --tree "$WORK/pub" --destination "$d" --image-repository "$PUB" "$@" libs/dep; }
expect_ok "publisher: build libs/dep" pubbuild "$WORK/pkgs"
# --push on a current package: nothing runs, the images its registry lacks are pushed.
c0=$(count libs/dep-1.0)
expect_ok "publisher: build --push again" pubbuild "$WORK/pkgs" --push
expect_output "libs/dep-1.0: unchanged .* kept, skipped" "libs/dep skipped"
expect_output "pushing $PUB:builder-[0-9a-f]{32}" "its builder image pushed"
expect_eq "$(($(count libs/dep-1.0) - c0))" 0 "no container"
hash=$(sed -n 's/^package_cacheimage: //p' "$WORK/pkgs/dep-libs-1.0.metadata.yaml")
curl -fsS "http://$REG/v2/fromrepo/pub/tags/list" | grep -q "\"$hash\"" && pass "the package image $PUB:$hash is in the registry" \
  || fail "the package image $PUB:$hash is in the registry"
grep -q "pushimagerepository: $PUB" "$WORK/pkgs/dep-libs-1.0.metadata.yaml" \
  && pass "metadata records build_options.pushimagerepository" || fail "metadata records build_options.pushimagerepository"
# The build hash covers SOURCE_DATE_EPOCH and the seed image's content (not only its name).
c0=$(count libs/dep-1.0)
expect_ok "build into another destination" pubbuild "$WORK/other"
expect_eq "$(($(count libs/dep-1.0) - c0))" 0 "same hash: cut from the local images, no container"
c0=$(count libs/dep-1.0)
expect_ok "build with SOURCE_DATE_EPOCH set" env SOURCE_DATE_EPOCH=1700000000 "$LUET" build --tree "$WORK/pub" \
  --destination "$WORK/other" --image-repository "$PUB" libs/dep
n=$(($(count libs/dep-1.0) - c0))
[ "$n" -gt 0 ] && pass "SOURCE_DATE_EPOCH changes the hash: rebuilt ($n containers)" || fail "SOURCE_DATE_EPOCH rebuilds"
orig=$(docker image inspect -f '{{.Id}}' "$BASE")
echo extra >"$WORK/base/extra"
tar -C "$WORK/base" -c . | docker import - "$BASE" >/dev/null
c0=$(count libs/dep-1.0)
expect_ok "build after the seed tag moved" pubbuild "$WORK/other"
n=$(($(count libs/dep-1.0) - c0))
[ "$n" -gt 0 ] && pass "a moved seed tag changes the hash: rebuilt ($n containers)" || fail "a moved seed tag rebuilds"
MOVED=$(docker image inspect -f '{{.Id}}' "$BASE")
docker tag "$orig" "$BASE"

expect_ok "publisher: create-repo --with-compilertree" "$LUET" create-repo --tree "$WORK/pub" --packages "$WORK/pkgs" \
  --output "$WORK/repo" --name pub --descr pub --urls x --type http --with-compilertree
expect_ok "publisher: create-repo without compilertree" "$LUET" create-repo --tree "$WORK/pub" --packages "$WORK/pkgs" \
  --output "$WORK/repo-nct" --name nct --descr nct --urls x --type http
write_config "$WORK/luet.yaml" "$WORK/rootfs" "$WORK/repo"
write_config "$WORK/nct.yaml" "$WORK/rootfs-nct" "$WORK/repo-nct"
cleanup_images
expect_eq "$(docker images --format '{{.Repository}}' | grep -c "^$PUB$" || true)" 0 "no local image of $PUB left"

# ---- The consumer: apps/app is built on libs/dep, which its tree lacks.
tree_pkg "$WORK/app" apps app "requires:\n- {name: dep, category: libs}\nsteps:\n- mkdir -p /usr/share/app && cp /usr/share/dep/data /usr/share/app/from-dep\n"
expect_fail "without --from-repositories the dependency is missing" "requires libs/dep, but the tree has no package matching it" \
  "$LUET" build --config "$WORK/luet.yaml" --tree "$WORK/app" --destination "$WORK/out0" apps/app
expect_fail "a repository without compilertree gives no specs, with a warning" \
  "repository repo1: repository.yaml names no compilertree.*--with-compilertree" \
  "$LUET" build --config "$WORK/nct.yaml" --from-repositories --tree "$WORK/app" --destination "$WORK/out0" apps/app

dep0=$(count libs/dep-1.0); app0=$(count apps/app-1.0)
expect_ok "build --from-repositories --pull apps/app" "$LUET" build --config "$WORK/luet.yaml" --from-repositories --pull \
  --tree "$WORK/app" --image-repository "$REG/fromrepo/consumer" --destination "$WORK/out1" apps/app
expect_output "Loading tree from repository repo1: 1 package" "the repository's compilertree loaded"
expect_output "Building libs/dep-1.0 \(spec from repository repo1\)" "libs/dep resolved with the repository's spec"
expect_output "pulling $PUB:[0-9a-f]{64}" "libs/dep's images pulled from the image repository its metadata records"
expect_eq "$(($(count libs/dep-1.0) - dep0))" 0 "no container for libs/dep"
n=$(($(count apps/app-1.0) - app0))
[ "$n" -gt 0 ] && pass "apps/app built ($n containers)" || fail "apps/app built (no container)"
expect_eq "$(tar -xOf "$WORK/out1/app-apps-1.0.package.tar" usr/share/app/from-dep 2>/dev/null)" "dep-content" \
  "apps/app built on libs/dep's files"
expect_eq "$(tar -xOf "$WORK/pkgs/dep-libs-1.0.package.tar" usr/share/dep/data 2>/dev/null)" \
  "$(tar -xOf "$WORK/out1/dep-libs-1.0.package.tar" usr/share/dep/data 2>/dev/null)" \
  "libs/dep's artifact cut from the pulled images holds the published content"

# Without --pull (upstream: only PullFirst looks in registries) the dependency is built from the
# repository's spec, its context's script still executable.
cleanup_images
dep0=$(count libs/dep-1.0)
expect_ok "build --from-repositories without --pull" "$LUET" build --config "$WORK/luet.yaml" --from-repositories \
  --tree "$WORK/app" --image-repository "$REG/fromrepo/consumer2" --destination "$WORK/out2" apps/app
n=$(($(count libs/dep-1.0) - dep0))
[ "$n" -gt 0 ] && pass "libs/dep built from the repository's spec ($n containers)" || fail "libs/dep built from the repository's spec"
expect_eq "$(tar -xOf "$WORK/out2/app-apps-1.0.package.tar" usr/share/app/from-dep 2>/dev/null)" "dep-content" \
  "apps/app built on it"

# ---- create-repo: libs/dep's spec is only in the repository.
expect_ok "create-repo without --from-repositories" "$LUET" create-repo --tree "$WORK/app" --packages "$WORK/out1" \
  --output "$WORK/repo2" --name r2 --descr r2 --urls x --type disk
expect_output "libs/dep-1.0.*No more in the tree" "libs/dep left out"
expect_ok "create-repo --from-repositories" "$LUET" create-repo --config "$WORK/luet.yaml" --from-repositories \
  --tree "$WORK/app" --packages "$WORK/out1" --output "$WORK/repo3" --name r3 --descr r3 --urls x --type disk
tar -tzf "$WORK/repo3/tree.tar.gz" | grep -q "libs/dep/1.0/definition.yaml" \
  && pass "create-repo --from-repositories keeps libs/dep" || fail "create-repo --from-repositories keeps libs/dep"

finish
