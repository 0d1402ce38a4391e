#!/usr/bin/env bash
# luet build's planning flags as upstream: --pretend prints the plan and builds nothing;
# --only-target-package builds the packages a target needs for their images only (no artifact
# of theirs); --onlydeps builds only what the targets need; --wait and --privileged accepted.
source "$(dirname "$0")/lib.sh"

IMAGE=luet-example/debian-gcc:12
"$ROOT/scripts/ensure-docker.sh" >/dev/null
"$ROOT/scripts/make-base-image.sh" "$IMAGE" >/dev/null

T=$WORK/tree
pkg() { tree_pkg "$T" flags "$1" "$2"; }  # NAME BUILD_YAML
pkg base "image: $IMAGE\nsteps:\n- mkdir -p /opt && echo base > /opt/base\n"
pkg top "requires:\n- {name: base, category: flags, version: '1.0'}\nsteps:\n- cat /opt/base > /opt/top\n"
# retrieve: a glob that the spec folder does not match is looked up in the destination, as
# upstream's CopyRetrieves: another package's artifact, unpacked into /luetbuild.
pkg user "image: $IMAGE\nretrieve:\n- base-flags-1.0.package.*\nsteps:\n- mkdir -p /opt && cat /luetbuild/opt/base > /opt/user\n"
b() { "$LUET" build --rebuild --tree "$T" --compression gzip "$@"; }

expect_eq "$(b --destination "$WORK/p" --pretend flags/top 2>/dev/null)" "$(printf 'flags/base-1.0\nflags/top-1.0')" \
  "--pretend prints the plan, dependencies first"
expect_no_file "$WORK/p" "--pretend builds nothing"

expect_ok "--only-target-package flags/top" b --destination "$WORK/only" --only-target-package flags/top
expect_file "$WORK/only/top-flags-1.0.package.tar.gz" "the target's artifact"
expect_no_file "$WORK/only/base-flags-1.0.package.tar.gz" "no artifact of the package it needs"
expect_eq "$(tar -xzOf "$WORK/only/top-flags-1.0.package.tar.gz" opt/top)" "base" "built on the dependency's image"

expect_ok "--onlydeps flags/top" b --destination "$WORK/deps" --onlydeps flags/top
expect_file "$WORK/deps/base-flags-1.0.package.tar.gz" "the dependency's artifact"
expect_no_file "$WORK/deps/top-flags-1.0.package.tar.gz" "not the target's"

expect_ok "--wait is accepted" b --destination "$WORK/wait" --wait flags/base
expect_file "$WORK/wait/base-flags-1.0.package.tar.gz" "and the build runs"
# A privileged container needs capabilities this test machine may not give: parsing only.
expect_ok "--privileged is accepted" b --destination "$WORK/priv" --pretend --privileged flags/base

expect_ok "build flags/base, then flags/user retrieving its artifact" b --destination "$WORK/ret" flags/base
expect_ok "retrieve from the destination" b --destination "$WORK/ret" flags/user
expect_eq "$(tar -xzOf "$WORK/ret/user-flags-1.0.package.tar.gz" opt/user)" "base" "the retrieved artifact was unpacked into /luetbuild"
expect_fail "a retrieve entry matching nothing names the spec and the entry" \
  "user/build.yaml \(flags/user-1.0\): retrieve base-flags-1.0.package.\*: no such file" \
  b --destination "$WORK/empty" flags/user

finish
