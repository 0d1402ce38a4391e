#!/usr/bin/env bash
# Templated specs: build.yaml rendered with the definition as .Values, --values overrides,
# shared templates/ defines, a collection of three packages from one build.yaml, and
# templated finalizers; built with Docker, published, installed, and checked on disk.
source "$(dirname "$0")/lib.sh"

T=$ROOT/tests/integration/trees/templated
V=$ROOT/tests/integration/trees/templated-values.yaml
A=$WORK/artifacts

expect_ok "build --values" "$LUET" build --tree "$T" --values "$V" --destination "$A" --all
for f in hello-apps-1.0 shell-system-1.36 alpha-tools-1.0 beta-tools-2.0 gamma-tools-3.0; do
  expect_file "$A/$f.package.tar" "artifact $f"
done
expect_ok "create-repo --values" "$LUET" create-repo --tree "$T" --values "$V" --packages "$A" --output "$WORK/repo" --name templated
R=$WORK/rootfs; mkdir -p "$R"; write_config "$WORK/luet.yaml" "$R" "$WORK/repo"
expect_ok "install" "$LUET" install -y --config "$WORK/luet.yaml" apps/hello tools/beta tools/gamma

expect_eq "$(cat "$R/etc/hello/a") / $(cat "$R/etc/hello/b") / $(cat "$R/etc/hello/c")" "0 a / 1 b / 2 c" \
  "range with \$i, \$v over a definition list"
expect_eq "$(cat "$R/etc/hello/extra")" "from-values" "if on a value from --values"
expect_eq "$(cat "$R/etc/hello/greeting")" "Hello from hello" "include of a shared template; --values overrides the definition"
expect_eq "$(cat "$R/etc/hello/upper")" "HELLO" "pipeline into a sprig function, in env"
expect_eq "$(cat "$R/etc/hello-finalized")" "finalized hello 1.0" "templated finalizer rendered with the definition"
expect_eq "$(cat "$R/usr/share/tools/alpha")" "alpha 1.0 red" "collection entry alpha (pulled in by gamma)"
expect_eq "$(cat "$R/usr/share/tools/beta")" "beta 2.0 green" "collection entry beta"
expect_eq "$(cat "$R/usr/share/tools/gamma")" "gamma 3.0 blue" "collection entry gamma"
expect_eq "$(cat "$R/etc/beta.color") $(cat "$R/etc/gamma.color")" "green blue" "a collection's finalizer per package"
mkdir -p "$WORK/tree" && tar -xzf "$WORK/repo/tree.tar.gz" -C "$WORK/tree"
grep -q "color: green" "$WORK/tree/tools/beta/2.0/definition.yaml" && pass "a collection entry's definition is published" \
  || fail "a collection entry's definition is published"

# Without --values the definition's own fields apply.
expect_ok "build without --values" "$LUET" build --tree "$T" --destination "$WORK/plain" apps/hello
expect_eq "$(tar -xOf "$WORK/plain/hello-apps-1.0.package.tar" etc/hello/greeting) $(tar -xOf "$WORK/plain/hello-apps-1.0.package.tar" etc/hello/extra)" \
  "Hi from hello no extra" "the definition's values without --values (else branch)"

# Template errors name the file, line and column, and nothing is built.
B=$WORK/bad; cp -r "$T" "$B"
printf 'image: luet-example/debian-gcc:12\nsteps:\n- echo {{ .Values.name | nosuchfunc }}\n' >"$B/apps/hello/build.yaml"
expect_fail "unknown template function" "apps/hello/build.yaml:3:[0-9]+: .*nosuchfunc" "$LUET" build --tree "$B" --destination "$WORK/bad-out" --all
if ls "$WORK/bad-out"/*.package.tar >/dev/null 2>&1; then fail "nothing built after a template error"; else pass "nothing built after a template error"; fi
printf 'packages:\n- name: alpha\n  category: tools\n  version: "1.0"\n- name: alpha\n  category: tools\n  version: "1.0"\n' >"$B/tools/collection.yaml"
cp "$T/apps/hello/build.yaml" "$B/apps/hello/build.yaml"
expect_ok "a collection defining a package twice is listed" "$LUET" tree pkglist -v --tree "$B"
expect_eq "$(grep -c "^tools/alpha-1.0$" "$WORK/out")" "2" "both entries of the collection are listed"
expect_output "Warning: package tools/alpha-1.0 is defined twice: in .*tools/collection.yaml and in .*tools/collection.yaml" \
  "the duplicate is named with its file"

finish
