#!/usr/bin/env bash
# --concurrency N builds independent packages of the plan at once, each after what it needs:
# the same artifacts as one at a time; output prefixed by the package, a summary table. A
# failing package stops new work, is named, and leaves nothing partial; finished artifacts stay.
source "$(dirname "$0")/lib.sh"

IMAGE=luet-example/debian-gcc:12
"$ROOT/scripts/ensure-docker.sh" >/dev/null
"$ROOT/scripts/make-base-image.sh" "$IMAGE" >/dev/null

T=$WORK/tree
pkg() { tree_pkg "$T" par "$1" "$2"; }  # NAME BUILD_YAML
pkg base "image: $IMAGE\nsteps:\n- mkdir -p /opt/base && echo base > /opt/base/file\n"
pkg left "requires:\n- {name: base, category: par, version: '1.0'}\nsteps:\n- echo output of left\n- sleep 2\n- echo left > /opt/left\n"
pkg right "requires:\n- {name: base, category: par, version: '1.0'}\nsteps:\n- echo right > /opt/right\n"
pkg top "requires:\n- {name: left, category: par, version: '1.0'}\n- {name: right, category: par, version: '1.0'}\nsteps:\n- cat /opt/base/file /opt/left /opt/right > /opt/top\n"

expect_ok "build one at a time" "$LUET" build --rebuild --tree "$T" --all --compression gzip --destination "$WORK/seq"
expect_ok "build with --concurrency 2" "$LUET" --concurrency 2 build --rebuild --tree "$T" --all --compression gzip --destination "$WORK/par"
cp "$WORK/out" "$WORK/par.log"
for f in "$WORK"/seq/*.package.tar.gz; do
  cmp -s "$f" "$WORK/par/$(basename "$f")" && pass "$(basename "$f"): the same artifact as one at a time" \
    || fail "$(basename "$f"): the same artifact as one at a time"
done
expect_eq "$(tar -xzOf "$WORK/par/top-par-1.0.package.tar.gz" opt/top | tr '\n' ' ')" "base left right " \
  "a package builds after all it needs"
grep -q '│ \[par/left-1.0\] output of left' "$WORK/par.log" && pass "container output prefixed by the package" \
  || { fail "container output prefixed by the package"; sed 's/^/       /' "$WORK/par.log"; }
grep -qE '✔ par/left-1.0: .* in [0-9]+\.[0-9]s' "$WORK/par.log" && pass "one line per package with its elapsed time" \
  || fail "one line per package with its elapsed time"
grep -qE '^Package +Result +Time' "$WORK/par.log" && grep -qE '^par/top-1.0 +built +[0-9.]+s' "$WORK/par.log" \
  && pass "summary table" || { fail "summary table"; sed 's/^/       /' "$WORK/par.log"; }
# left and right both need only base: with 2 at once, right starts before left (2s) ends.
awk '/Building par\/right/ {r=NR} /✔ par\/left/ {l=NR} END {exit !(r && l && r < l)}' "$WORK/par.log" \
  && pass "independent packages build at once" || fail "independent packages build at once"

echo "-- a failure"
pkg right "requires:\n- {name: base, category: par, version: '1.0'}\nsteps:\n- echo failing; exit 3\n"
pkg slow "image: $IMAGE\nsteps:\n- sleep 3\n- echo slow > /slow\n"
expect_fail "a failing package stops the build and is named" "par/right-1.0.*exit 3" \
  "$LUET" --concurrency 2 build --rebuild --tree "$T" --all --compression gzip --destination "$WORK/fail"
cp "$WORK/out" "$WORK/fail.log"
expect_no_file "$WORK/fail/right-par-1.0.package.tar.gz" "no artifact of the failed package"
expect_no_file "$WORK/fail/top-par-1.0.package.tar.gz" "what needs it is not built"
expect_eq "$(find "$WORK/fail" -name '*.part' | wc -l)" "0" "nothing partial left"
expect_file "$WORK/fail/base-par-1.0.package.tar.gz" "finished artifacts stay"
grep -qE '^par/right-1.0 +failed' "$WORK/fail.log" && grep -qE '^par/top-1.0 +not built' "$WORK/fail.log" \
  && pass "the summary names the failed package and what was not built" \
  || { fail "the summary names the failed package"; sed 's/^/       /' "$WORK/fail.log"; }
expect_eq "$(docker images --format '{{.Repository}}' | grep -c -- '-par-1.0-')" "0" "no build images left behind"
finish
