#!/usr/bin/env bash
# Plugins as mudler/luet runs them (--plugin NAME, go-pluggable): the executable NAME found in
# $PATH runs as `NAME EVENT EVENT_JSON` on each event (EVENT_JSON = {"name","data","file"}, the
# payload in "data" as JSON text) and answers {"state","data","error"} on stdout. Checked:
# build, create-repo, install, upgrade and uninstall events with their payloads; a reported
# state is printed; a plugin answering an error fails the command (an install rolls back whole).
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/pkg_lib.sh"

P=$WORK/plugins; mkdir -p "$P"
EV=$WORK/events.txt; PL=$WORK/payloads.txt
cat >"$P/test-rec" <<'SH'
#!/bin/sh
echo "$1" >>"$EVENT_FILE"
printf '%s\n' "$2" >>"$PAYLOAD_FILE"
echo '{}'
SH
cat >"$P/test-state" <<'SH'
#!/bin/sh
[ "$1" = "repository.post.build" ] && echo '{"state": "indexed by test-state"}' || echo '{}'
SH
cat >"$P/test-veto" <<'SH'
#!/bin/sh
[ "$1" = "package.install" ] && echo '{"error": "installs are vetoed"}' || echo '{}'
SH
cat >"$P/test-garbage" <<'SH'
#!/bin/sh
echo 'not json'
SH
chmod +x "$P"/*
export PATH="$PATH:$P" EVENT_FILE=$EV PAYLOAD_FILE=$PL

# payload EVENT: the data (payload JSON) of the last EVENT recorded.
payload() {
  python3 - "$EV" "$PL" "$1" <<'PY'
import json, sys
events = open(sys.argv[1]).read().split("\n")
payloads = open(sys.argv[2]).read().split("\n")
last = [p for e, p in zip(events, payloads) if e == sys.argv[3]]
ev = json.loads(last[-1])
print(json.dumps(json.loads(ev["data"] or open(ev["file"]).read()), sort_keys=True))
PY
}

echo "-- create-repo and install"
add_pkg main app hello 1.0 $'requires:\n- {category: app, name: lib}' usr/bin/hello
add_pkg main app lib 1.0 '' usr/lib/libhello.so
"$LUET" --plugin test-rec,test-state create-repo --tree "$WORK/tree-main" --packages "$WORK/packed-main" \
  --output "$WORK/repo-main" --name main >"$WORK/out" 2>&1 && pass "create-repo with plugins" || fail "create-repo with plugins: $(cat "$WORK/out")"
expect_output "Enabled plugins" "the enabled plugins are listed"
expect_output "test-state at $P/test-state succeded, state reported: indexed by test-state" "a reported state is printed"
expect_eq "$(cat "$EV" | tr '\n' ' ')" "repository.pre.build repository.post.build " "repository events in order"
expect_eq "$(payload repository.post.build | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["Repo"]["name"], d["Repo"]["revision"], d["Path"])')" \
  "main 1 $WORK/repo-main" "repository payload: Repo and Path"

R=$WORK/rootfs; mkdir -p "$R"
printf 'system: {rootfs: %s, database_path: /var/cache/luet}\nrepositories:\n- {name: main, type: disk, enable: true, urls: ["%s"]}\n' \
  "$R" "$WORK/repo-main" >"$WORK/luet.yaml"
: >"$EV"; : >"$PL"
expect_ok "install with a plugin (LUET_PLUGIN)" env LUET_PLUGIN=test-rec "$LUET" install -y --config "$WORK/luet.yaml" app/hello
expect_eq "$(grep -c '^package.install$' "$EV")" "2" "one package.install per package"
expect_eq "$(payload package.install | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["Package"]["name"], d["Artifact"]["checksums"]["sha256"] != "", d["Repository"]["name"])')" \
  "hello True main" "install payload: Package, Artifact, Repository"

echo "-- upgrade and uninstall"
add_pkg main app hello 1.1 $'requires:\n- {category: app, name: lib}' usr/bin/hello
make_repo main
: >"$EV"; : >"$PL"
expect_ok "upgrade with a plugin" "$LUET" --plugin test-rec upgrade -y --sync-repos --config "$WORK/luet.yaml"
expect_eq "$(grep -v '^$' "$EV" | tr '\n' ' ')" "package.pre.upgrade package.uninstall package.install package.post.upgrade " "upgrade events in order"
expect_eq "$(payload package.pre.upgrade | python3 -c 'import json,sys; d=json.load(sys.stdin); print([p["version"] for p in d["Uninstall"]], [p["version"] for p in d["Install"]])')" \
  "['1.0'] ['1.1']" "upgrade payload: Uninstall and Install"
expect_eq "$(payload package.post.upgrade | python3 -c 'import json,sys; print(json.load(sys.stdin)["Error"])')" "None" "post upgrade: no error"
: >"$EV"
expect_ok "uninstall with a plugin" "$LUET" --plugin test-rec uninstall -y --config "$WORK/luet.yaml" app/hello
expect_eq "$(grep -v '^$' "$EV" | tr '\n' ' ')" "package.uninstall " "one package.uninstall"

echo "-- a plugin's error fails the command"
R2=$WORK/rootfs2; mkdir -p "$R2"; sed "s|$R|$R2|" "$WORK/luet.yaml" >"$WORK/luet2.yaml"
expect_fail "a vetoing plugin fails the install" "Plugin test-veto at $P/test-veto had an error: installs are vetoed" \
  "$LUET" --plugin test-veto install -y --config "$WORK/luet2.yaml" app/lib
expect_no_file "$R2/usr/lib/libhello.so" "the vetoed install was rolled back: no file"
expect_eq "$("$LUET" search --installed --quiet --config "$WORK/luet2.yaml" lib 2>/dev/null)" "" "the vetoed install was rolled back: not recorded"
expect_ok "the next command works" "$LUET" install -y --config "$WORK/luet2.yaml" app/lib
expect_file "$R2/usr/lib/libhello.so" "installed without the plugin"
expect_eq "$("$LUET" search --installed --quiet --config "$WORK/luet2.yaml" lib 2>/dev/null)" "app/lib" "and recorded"
expect_fail "an answer that is not JSON is an error" "Plugin test-garbage at $P/test-garbage had an error: its answer to repository.pre.build is not JSON" \
  "$LUET" --plugin test-garbage create-repo --tree "$WORK/tree-main" --packages "$WORK/packed-main" --output "$WORK/repo-x" --name x
expect_no_file "$WORK/repo-x/repository.yaml" "nothing published when the pre-build plugin fails"
expect_ok "a plugin that is not in PATH is ignored" "$LUET" --plugin no-such-plugin search --config "$WORK/luet.yaml" hello

echo "-- build"
if docker info >/dev/null 2>&1; then
  T=$WORK/tree; tree_pkg "$T" seed base 'image: luet-example/debian-gcc:12\n'
  tree_pkg "$T" test thing 'requires:\n- {category: seed, name: base}\nsteps:\n- mkdir -p /opt/thing && echo hi > /opt/thing/hi\n'
  : >"$EV"; : >"$PL"
  expect_ok "build with a plugin" "$LUET" build --plugin test-rec --rebuild --tree "$T" --destination "$WORK/built" test/thing
  expect_eq "$(grep -v '^$' "$EV" | grep '^package' | sort | uniq -c | awk '{print $2"="$1}' | tr '\n' ' ')" \
    "package.post.build=2 package.post.build_artifact=2 package.pre.build=2 package.pre.build_artifact=2 " "two packages, four build events each"
  pre=$(grep -c '^image.pre.build$' "$EV" || true); post=$(grep -c '^image.post.build$' "$EV" || true)
  [ "$pre" -ge 1 ] && [ "$pre" = "$post" ] && pass "image.pre.build and image.post.build around each image made ($pre)" \
    || fail "image build events: $pre pre, $post post"
  expect_eq "$(payload image.post.build | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["ImageName"] != "", d["BaseImage"] != "")')" \
    "True True" "image build payload: ImageName and BaseImage"
  expect_eq "$(payload package.pre.build | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["Assert"]["Package"]["name"], d["CompileSpec"]["steps"][0][:9])')" \
    "thing mkdir -p " "pre build payload: Assert.Package and CompileSpec"
  expect_output_in() { grep -q -- "$1" "$2" && pass "$3" || fail "$3"; }
  expect_output_in 'luet-example/debian-gcc:12' "$PL" "the seed's payload names its image (mudler's test looks for its seed image)"
else
  echo "  SKIP build events: no docker engine"
fi
finish
