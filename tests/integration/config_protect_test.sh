#!/usr/bin/env bash
# Config protect: a protected file changed on disk is kept and the package's version is
# written beside it as ._cfgNNNN_<name>; unchanged files are replaced; removal keeps protected
# files; config_protect_skip and the config_protect annotation. No Docker needed.
source "$(dirname "$0")/lib.sh"

# app/cfg 1.0 and 2.0 ship two configuration files and a binary.
for v in 1.0 2.0; do
  S=$WORK/src-$v; mkdir -p "$S/etc/app" "$S/usr/bin" "$S/opt/conf"
  echo "setting=$v" >"$S/etc/app/app.conf"
  echo "other" >"$S/etc/app/other.conf"
  echo "opt=$v" >"$S/opt/conf/opt.conf"
  echo "binary $v" >"$S/usr/bin/app"
  expect_ok "pack app/cfg $v" "$LUET" pack "app/cfg@$v" --source "$S" --destination "$WORK/packed"
  mkdir -p "$WORK/tree/cfg-$v"
  printf 'name: cfg\ncategory: app\nversion: "%s"\n' "$v" >"$WORK/tree/cfg-$v/definition.yaml"
  # 2.0 also protects /opt/conf through its definition's annotation (in the tree and below in
  # the artifact metadata).
  if [ "$v" = 2.0 ]; then printf 'annotations:\n  config_protect: /opt/conf\n' >>"$WORK/tree/cfg-$v/definition.yaml"; fi
  printf '# packed by hand\n' >"$WORK/tree/cfg-$v/build.yaml"
done
# The same annotation in 2.0's artifact metadata.
python3 - "$WORK/packed/cfg-app-2.0.metadata.yaml" <<'EOF'
import sys
p = sys.argv[1]
s = open(p).read()
s = s.replace("runtime:\n", "runtime:\n  annotations:\n    config_protect: /opt/conf\n", 1)
open(p, "w").write(s)
EOF
expect_ok "create-repo" "$LUET" create-repo --tree "$WORK/tree" --packages "$WORK/packed" --output "$WORK/repo" --name protect

R=$WORK/rootfs; mkdir -p "$R"
C=$WORK/luet.yaml
write_config "$C" "$R" "$WORK/repo"
echo "config_protect_confdir: [$WORK/etc/config.protect.d]" >>"$C"
mkdir -p "$WORK/etc/config.protect.d"
printf 'name: etc\ndirs:\n- /etc/\n' >"$WORK/etc/config.protect.d/etc.yml"

expect_ok "install app/cfg 1.0" "$LUET" install -y --config "$C" app/cfg@1.0
expect_eq "$(cat "$R/etc/app/app.conf")" "setting=1.0" "fresh install writes the file itself"
expect_no_file "$R/etc/app/._cfg0001_app.conf" "no ._cfg file on a fresh install"

# The user edits app.conf; reinstalling keeps the edit and writes the package's version aside.
echo "setting=mine" >"$R/etc/app/app.conf"
expect_ok "miner ri keeps the edited file" "$LUET" miner ri --config "$C" app/cfg
expect_output "Found protected file /etc/app/app.conf\. Creating /etc/app/\._cfg0001_app\.conf\." "reports the protected file"
expect_eq "$(cat "$R/etc/app/app.conf")" "setting=mine" "the edited file is kept"
expect_eq "$(cat "$R/etc/app/._cfg0001_app.conf")" "setting=1.0" "the package's version is beside it as ._cfg0001_"
expect_no_file "$R/etc/app/._cfg0001_other.conf" "an unchanged protected file is simply replaced"
expect_eq "$(db_query "$R" "SELECT count(*) FROM files WHERE path LIKE '%._cfg%'")" "0" "._cfg files are not recorded"
expect_eq "$(db_query "$R" "SELECT count(*) FROM files WHERE path = 'etc/app/app.conf'")" "1" "the package still owns app.conf"
expect_ok "miner ri again" "$LUET" miner ri --config "$C" app/cfg
expect_file "$R/etc/app/._cfg0002_app.conf" "the next free number is used"

# Removal with -k (--keep-protected-files) keeps protected files; a new version then leaves
# the edit alone too.
expect_ok "uninstall -k app/cfg" "$LUET" uninstall -y -k --config "$C" app/cfg
expect_no_file "$R/usr/bin/app" "the binary is removed"
expect_eq "$(cat "$R/etc/app/app.conf")" "setting=mine" "the protected file stays on uninstall"
rm -f "$R"/etc/app/._cfg*
expect_ok "install app/cfg 2.0" "$LUET" install -y --config "$C" app/cfg@2.0
expect_eq "$(cat "$R/etc/app/app.conf")" "setting=mine" "2.0 keeps the edited file"
expect_eq "$(cat "$R/etc/app/._cfg0001_app.conf")" "setting=2.0" "2.0's version is beside it"
expect_eq "$(cat "$R/usr/bin/app")" "binary 2.0" "unprotected files are installed"

# The config_protect annotation of 2.0 protects /opt/conf.
echo "opt=mine" >"$R/opt/conf/opt.conf"
expect_ok "miner ri 2.0" "$LUET" miner ri --config "$C" app/cfg
expect_eq "$(cat "$R/opt/conf/opt.conf")" "opt=mine" "the annotation's folder is protected"
expect_eq "$(cat "$R/opt/conf/._cfg0001_opt.conf")" "opt=2.0" "its new version is beside it"

# config_protect_skip turns protection off.
cp "$C" "$WORK/skip.yaml"; echo "config_protect_skip: true" >>"$WORK/skip.yaml"
rm -f "$R"/etc/app/._cfg* "$R"/opt/conf/._cfg*
expect_ok "miner ri with config_protect_skip" "$LUET" miner ri --config "$WORK/skip.yaml" app/cfg
expect_eq "$(cat "$R/etc/app/app.conf")" "setting=2.0" "the edited file is replaced"
expect_no_file "$R/etc/app/._cfg0001_app.conf" "and nothing is written aside"
expect_eq "$(cat "$R/opt/conf/opt.conf")" "opt=2.0" "the annotation is ignored too"

# Bad input: an invalid config protect file stops before anything changes.
printf 'name: broken\n' >"$WORK/etc/config.protect.d/broken.yml"
echo "setting=mine again" >"$R/etc/app/app.conf"
expect_fail "config protect file without dirs" "broken.yml: invalid config protect file" \
  "$LUET" miner ri --config "$C" app/cfg
expect_eq "$(cat "$R/etc/app/app.conf")" "setting=mine again" "nothing changed"
rm "$WORK/etc/config.protect.d/broken.yml"
printf 'name: not-yml\n' >"$WORK/etc/config.protect.d/ignored.yaml"
expect_ok "only *.yml files are read, as upstream" "$LUET" miner ri --config "$C" app/cfg
expect_eq "$(cat "$R/etc/app/app.conf")" "setting=mine again" "the edit is still protected"

# A failed install rolls back without deleting the user's protected file: app/bad requires
# app/cfg (extracted first) and cannot be extracted (a non-empty folder is in its way).
expect_ok "uninstall -k app/cfg again" "$LUET" uninstall -y -k --config "$C" app/cfg
# opt/conf/opt.conf stayed on disk (2.0 protected it); 1.0 does not protect it, so it would
# be a file no package owns in 1.0's way.
rm -f "$R"/etc/app/._cfg* "$R/opt/conf/opt.conf"
S=$WORK/src-bad; mkdir -p "$S/opt"; echo "file" >"$S/opt/blocker"
expect_ok "pack app/bad" "$LUET" pack app/bad@1.0 --source "$S" --destination "$WORK/packed"
python3 - "$WORK/packed/bad-app-1.0.metadata.yaml" <<'EOF'
import sys
p = sys.argv[1]
s = open(p).read()
s = s.replace("runtime:\n", "runtime:\n  requires:\n  - {name: cfg, category: app, version: '1.0'}\n", 1)
open(p, "w").write(s)
EOF
mkdir -p "$WORK/tree/bad"
printf 'name: bad\ncategory: app\nversion: "1.0"\nrequires:\n- {name: cfg, category: app, version: "1.0"}\n' >"$WORK/tree/bad/definition.yaml"
printf '# packed by hand\n' >"$WORK/tree/bad/build.yaml"
expect_ok "create-repo with app/bad" "$LUET" create-repo --tree "$WORK/tree" --packages "$WORK/packed" --output "$WORK/repo" --name protect
"$LUET" repo update --config "$C" >/dev/null  # commands read the local copy
mkdir -p "$R/opt/blocker/inside"
expect_fail "install app/bad fails while extracting" "opt/blocker" "$LUET" install -y --config "$C" app/bad
expect_eq "$(db_query "$R" "SELECT count(*) FROM packages WHERE name = 'cfg'")" "0" "app/cfg is rolled back"
expect_no_file "$R/usr/bin/app" "with its files"
expect_eq "$(cat "$R/etc/app/app.conf")" "setting=mine again" "but the user's protected file stays"

finish
