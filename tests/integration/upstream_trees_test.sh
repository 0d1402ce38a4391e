#!/usr/bin/env bash
# Trees as upstream accepts them (tests/integration/trees/upstream): a build spec with both
# image and requires builds from the image (its requires, a package whose build fails, is
# never built), a package form defined in two folders is listed twice with a warning naming
# both files and the later one builds, and build.yaml uses Helm functions (dateInZone,
# sha256sum, uuidv4, dig, required with a --values file). Loaded, listed and built with Docker.
source "$(dirname "$0")/lib.sh"

T=$ROOT/tests/integration/trees/upstream
V=$ROOT/tests/integration/trees/upstream-values.yaml
A=$WORK/artifacts

expect_fail "without --values a required value is missing" "apps/stamp needs a release value" "$LUET" tree pkglist --tree "$T"
expect_ok "tree images --values renders the specs" "$LUET" tree images --tree "$T" --values "$V" apps/stamp
expect_ok "tree pkglist --values loads the tree" "$LUET" tree pkglist -v --tree "$T" --values "$V"
expect_eq "$(grep -c '^apps/dup-1.0$' "$WORK/out")" "2" "a form defined twice is listed twice"
expect_output "Warning: package apps/dup-1.0 is defined twice: in .*apps/dup-a/definition.yaml and in .*apps/dup-b/definition.yaml" \
  "the warning names both files"
expect_output "Warning: .*apps/stamp/build.yaml \(apps/stamp-1.0\): 'image' and 'requires' are both set; building from image 'luet-example/debian-gcc:12'" \
  "image + requires: the warning says the image wins"
expect_output "^apps/stamp-1.0$" "the spec with image and requires is listed"
expect_ok "tree pkglist -o json" "$LUET" tree pkglist --tree "$T" --values "$V" -o json
expect_eq "$(grep '^{' "$WORK/out" | jq -r '[.packages[] | select(.name == "dup") | .path | sub(".*/"; "")] | join(" ")')" \
  "dup-a dup-b" "json lists both folders of the duplicate"

expect_ok "build apps/stamp and apps/dup" "$LUET" build --tree "$T" --values "$V" --destination "$A" apps/stamp apps/dup
expect_file "$A/stamp-apps-1.0.package.tar" "artifact of the image+requires spec"
expect_file "$A/dup-apps-1.0.package.tar" "artifact of the duplicate form"
expect_no_file "$A/broken-apps-1.0.package.tar" "the ignored build requires is not built"
x() { tar -xOf "$A/$1.package.tar" "$2" 2>/dev/null; }
expect_eq "$(x dup-apps-1.0 etc/dup/from)" "b" "the duplicate built is the later one in walk order (dup-b)"
expect_eq "$(x stamp-apps-1.0 etc/stamp/date)" "$(TZ=Europe/Rome date -d @1700000000 '+%Y-%m-%d %H:%M %Z')" \
  "dateInZone (against GNU date)"
expect_eq "$(x stamp-apps-1.0 etc/stamp/sum)" "$(printf stamp | sha256sum | cut -d' ' -f1)" "sha256sum (against sha256sum)"
if x stamp-apps-1.0 etc/stamp/uuid | grep -qE '^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$'; then
  pass "uuidv4 is a version 4 uuid"
else
  fail "uuidv4 is a version 4 uuid (got '$(x stamp-apps-1.0 etc/stamp/uuid)')"
fi
expect_eq "$(x stamp-apps-1.0 etc/stamp/dig)" "teal none" "dig finds a nested value, else the default"
expect_eq "$(x stamp-apps-1.0 etc/stamp/release)" "r7" "required takes the value of the --values file"

finish
