#!/usr/bin/env bash
# Subsets: files of subsets that are not enabled are neither installed nor recorded; `subsets
# enable/disable` edit subsets_confdir; `miner ri` applies the current subsets; local
# definitions (subsets_defdir) override the package's rules. No Docker needed.
source "$(dirname "$0")/lib.sh"

# dev/lib ships a binary, a header (subset devel) and portage metadata (subset portage).
S=$WORK/src; mkdir -p "$S/usr/include/lib" "$S/usr/bin" "$S/var/db/pkg/dev/lib"
echo "header" >"$S/usr/include/lib/lib.h"
echo "binary" >"$S/usr/bin/lib"
echo "contents" >"$S/var/db/pkg/dev/lib/CONTENTS"
expect_ok "pack dev/lib" "$LUET" pack dev/lib@1.0 --source "$S" --destination "$WORK/packed"
# The subsets rules live in the definition's annotations: in the tree's definition.yaml and in
# the runtime definition of the artifact metadata (`luet pack` writes none there).
ANNOTATIONS="  subsets:
    rules:
      devel: ['^/usr/include/']
      portage: ['^/var/db/pkg/']"
python3 - "$WORK/packed/lib-dev-1.0.metadata.yaml" "$ANNOTATIONS" <<'EOF'
import sys
p, annotations = sys.argv[1], sys.argv[2]
s = open(p).read()
indented = "\n".join("  " + line for line in annotations.split("\n"))
s = s.replace("runtime:\n", "runtime:\n  annotations:\n" + indented + "\n", 1)
open(p, "w").write(s)
EOF
mkdir -p "$WORK/tree/lib"
printf 'name: lib\ncategory: dev\nversion: "1.0"\nannotations:\n%s\n' "$ANNOTATIONS" >"$WORK/tree/lib/definition.yaml"
printf '# packed by hand\n' >"$WORK/tree/lib/build.yaml"
expect_ok "create-repo" "$LUET" create-repo --tree "$WORK/tree" --packages "$WORK/packed" --output "$WORK/repo" --name subsets

R=$WORK/rootfs; mkdir -p "$R"
C=$WORK/luet.yaml
write_config "$C" "$R" "$WORK/repo"
cat >>"$C" <<EOF
subsets_confdir: [$WORK/etc/subsets.conf.d]
subsets_defdir: [$WORK/etc/subsets.def.d]
EOF
files_in_db() { db_query "$R" "SELECT path FROM files ORDER BY path" | tr '\n' ' '; }

# No subset enabled: header and portage metadata are left out, on disk and in the database.
expect_ok "subsets list with none enabled" "$LUET" subsets list --config "$C"
expect_output "^No subsets enabled\.$" "list says none are enabled"
expect_ok "install without subsets" "$LUET" install -y --config "$C" dev/lib
expect_file "$R/usr/bin/lib" "the binary is installed"
expect_no_file "$R/usr/include/lib/lib.h" "the devel header is not installed"
expect_no_file "$R/usr/include" "nor its folder"
expect_no_file "$R/var/db/pkg/dev/lib/CONTENTS" "the portage metadata is not installed"
case "$(files_in_db)" in *usr/include*|*var/db/pkg*) fail "excluded files are not in the database ($(files_in_db))" ;;
  *usr/bin/lib*) pass "excluded files are not in the database, the binary is" ;;
  *) fail "database holds the binary ($(files_in_db))" ;; esac

# Enabling devel writes main.yml in the first subsets_confdir; miner ri installs the header.
expect_ok "subsets enable devel" "$LUET" subsets enable --config "$C" devel
expect_output "Subsets devel enabled ✔ \." "enable reports the subset"
expect_eq "$(cat "$WORK/etc/subsets.conf.d/main.yml" | tr -d ' \n')" "enabled:-devel" "main.yml lists devel"
expect_ok "enable it again" "$LUET" subsets enable --config "$C" devel
expect_output "subset devel already present\. Skipped\." "a second enable is skipped with a warning"
expect_ok "subsets list" "$LUET" subsets list --config "$C"
expect_output "🍨 Subsets enabled:" "list header"
expect_output "^ \* devel$" "list names devel"
expect_output "Includes and devel files\. Needed for compilation\." "devel has upstream's description"
expect_ok "subsets list -q" "$LUET" subsets list -q --config "$C"
expect_eq "$(cat "$WORK/out")" "devel" "quiet list prints names only"
expect_ok "miner ri with devel enabled" "$LUET" miner ri --config "$C" dev/lib
expect_eq "$(cat "$R/usr/include/lib/lib.h" 2>/dev/null)" "header" "the header is installed now"
expect_no_file "$R/var/db/pkg/dev/lib/CONTENTS" "portage files still left out"
case "$(files_in_db)" in *usr/include/lib/lib.h*) pass "the header is recorded" ;; *) fail "the header is recorded ($(files_in_db))" ;; esac

# Disabling devel and reinstalling removes the header and its record.
expect_ok "subsets disable devel" "$LUET" subsets disable --config "$C" devel
expect_output "Subsets devel disabled ✔ \." "disable reports the subset"
expect_ok "miner reinstall-package after disable" "$LUET" miner reinstall-package --config "$C" dev/lib
expect_no_file "$R/usr/include/lib/lib.h" "the header is removed again"
expect_no_file "$R/usr/include" "with its now empty folders"
expect_file "$R/usr/bin/lib" "the binary stays"
case "$(files_in_db)" in *usr/include*) fail "the header's record is gone ($(files_in_db))" ;; *) pass "the header's record is gone" ;; esac

# Subsets enabled in luet.yaml and in a named file under subsets_confdir.
expect_ok "subsets enable -f extra portage" "$LUET" subsets enable --config "$C" -f extra portage
expect_file "$WORK/etc/subsets.conf.d/extra.yml" "-f writes extra.yml"
expect_ok "miner ri with portage enabled" "$LUET" miner ri --config "$C" dev/lib
expect_file "$R/var/db/pkg/dev/lib/CONTENTS" "portage metadata installed"
expect_ok "disable portage in extra.yml" "$LUET" subsets disable --config "$C" -f extra portage
cp "$C" "$WORK/luet-enabled.yaml"
printf 'subsets:\n  enabled: [portage]\n' >>"$WORK/luet-enabled.yaml"
expect_ok "subsets list with luet.yaml's list" "$LUET" subsets list -q --config "$WORK/luet-enabled.yaml"
expect_eq "$(cat "$WORK/out")" "portage" "luet.yaml subsets.enabled counts"
expect_ok "miner ri with the main config (portage off)" "$LUET" miner ri --config "$C" dev/lib
expect_no_file "$R/var/db/pkg/dev/lib/CONTENTS" "portage metadata removed when no file enables it"

# Local definitions: a definition for the package replaces the package's devel rules; a
# category definition is ignored while one for the package exists.
mkdir -p "$WORK/etc/subsets.def.d"
cat >"$WORK/etc/subsets.def.d/00-lib.yml" <<'EOF'
subsets_def:
  lib-devel:
    descr: "binaries are devel too"
    name: devel
    rules:
    - ^/usr/bin/
    packages:
    - dev/lib
EOF
cat >"$WORK/etc/subsets.def.d/10-dev.yaml" <<'EOF'
subsets_def:
  dev-portage:
    name: portage
    rules:
    - ^/nothing-here/
    categories:
    - dev
EOF
expect_ok "miner ri with a package definition" "$LUET" miner ri --config "$C" dev/lib
expect_no_file "$R/usr/bin/lib" "the package definition's devel rules exclude the binary"
expect_file "$R/usr/include/lib/lib.h" "and replace the annotation's devel rules"
expect_no_file "$R/var/db/pkg/dev/lib/CONTENTS" "the category definition is ignored"
rm "$WORK/etc/subsets.def.d/00-lib.yml"
expect_ok "miner ri with only the category definition" "$LUET" miner ri --config "$C" dev/lib
expect_file "$R/var/db/pkg/dev/lib/CONTENTS" "the category definition replaces the portage rules"
expect_file "$R/usr/bin/lib" "the binary is back"
expect_no_file "$R/usr/include/lib/lib.h" "the annotation's devel rules apply again"

# A description-only definition shows in the list.
cat >"$WORK/etc/subsets.def.d/20-doc.yml" <<'EOF'
subsets_def:
  devel:
    descr: "Local devel description"
    rules:
    - ^/usr/include/
EOF
"$LUET" subsets enable --config "$C" devel >/dev/null 2>&1
expect_ok "subsets list with a local description" "$LUET" subsets list --config "$C"
expect_output "Local devel description" "the local description wins"
expect_output "Num\. Rules: 1" "with its number of rules"

# Bad input: clear errors, nothing changed.
before=$(files_in_db)
cp -a "$R" "$WORK/rootfs-before"
echo "not: [a subsets file" >"$WORK/etc/subsets.def.d/30-bad.yml"
expect_fail "malformed subsets definition" "30-bad.yml" "$LUET" miner ri --config "$C" dev/lib
printf 'subsets_def:\n  x:\n    rules: ["(unclosed"]\n    packages: [dev/lib]\n' >"$WORK/etc/subsets.def.d/30-bad.yml"
expect_fail "invalid rule regex" "invalid subset x \(package dev/lib-1.0\) regex" "$LUET" miner ri --config "$C" dev/lib
rm "$WORK/etc/subsets.def.d/30-bad.yml"
expect_eq "$(files_in_db)" "$before" "database unchanged after the errors"
expect_eq "$(diff -r "$R" "$WORK/rootfs-before" >/dev/null && echo same)" "same" "rootfs unchanged after the errors"
expect_fail "disable in a missing file" "The subsets config file nofile.yml doesn't exist" \
  "$LUET" subsets disable --config "$C" -f nofile devel
expect_fail "a file name with a folder" "invalid subsets file name" "$LUET" subsets enable --config "$C" -f ../x devel
expect_no_file "$WORK/etc/x.yml" "nothing written outside subsets_confdir"
expect_fail "miner ri of a package not installed" "not installed" "$LUET" miner ri --config "$C" dev/nope

finish
