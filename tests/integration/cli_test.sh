#!/usr/bin/env bash
# Upstream's command line without Docker: global flags, LUET_* variables, the configuration
# look-up, version/help/completion, the plan flags (--pretend, --show-install-order,
# LUET_YES), uninstall -k and finalize.yaml uninstall:/shell:, oscheck, reclaim, repo add|get,
# database get-all-installed, miner download|replace-package and extensions.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/pkg_lib.sh"

T=$WORK/tree
mkdir -p "$WORK/src/system-shell-1.0/bin" && cp /bin/busybox "$WORK/src/system-shell-1.0/bin/sh"
pkg "$T" system shell 1.0 "" ""
pkg "$T" apps tool 1.0 "system/shell" "" usr/bin/tool="tool 1.0"
pkg "$T" apps tool 1.1 "system/shell" "" usr/bin/tool="tool 1.1"
pkg "$T" apps other 1.0 "" "" usr/bin/other="other 1.0"
# finalize.yaml with uninstall: and shell: (geaaru/luet LuetFinalizer).
cat >"$T/tool-1.0/finalize.yaml" <<'YAML'
shell: ["/bin/sh", "-c"]
install:
- echo in > /tool-in
- echo "v=$LUET_VERSION s=$ANISE_SUBSETS" > /tool-finalized
uninstall:
- echo out > /tool-out
YAML
REPO=$WORK/repo
expect_ok "create-repo" "$LUET" create-repo --tree "$T" --packages "$P" --output "$REPO" --name cli

echo "-- version, help, completion"
expect_ok "--version" "$LUET" --version
expect_output "^luet version [0-9]" "--version prints 'luet version X' as cobra"
expect_ok "version" "$LUET" version
expect_output "^[0-9]+\.[0-9]+\.[0-9]+$" "version prints the bare version as mudler/luet"
expect_ok "help repo" "$LUET" help repo
expect_output "list" "help names the subcommands"
expect_ok "help" "$LUET" help
expect_output "^Usage: luet \[OPTIONS\] SUBCOMMAND" "help alone shows the root's usage, as cobra"
expect_output "^  search, s " "help alone lists every command"
expect_ok "help repo update" "$LUET" help repo update
expect_output "^Usage: luet repo update " "help of a nested command names its whole path"
# Only the command named is registered (main.cpp): aliases, global flags with a value before
# the command and unknown commands must behave as with every command registered.
expect_ok "an alias after a global flag with a value" "$LUET" --system-target "$WORK/aliasroot" s tool --config "$WORK/none.yaml"
expect_fail "an unknown command" 'unknown command "nosuch" for "luet"' "$LUET" --config "$WORK/none.yaml" nosuch
ln -sf "$LUET" "$WORK/luet-build"
expect_fail "a client command in luet-build" 'unknown command "install" for "luet-build"' "$WORK/luet-build" install x
expect_ok "luet-build config" "$WORK/luet-build" c
expect_ok "completion bash" "$LUET" completion bash
bash -n "$WORK/out" && pass "the bash script parses" || fail "the bash script parses"
expect_output "luet/install" "the bash script knows install"
expect_ok "completion fish" "$LUET" completion fish
expect_output "-a install" "the fish script offers install"
expect_ok "completion zsh" "$LUET" completion zsh

echo "-- global flags and LUET_* variables"
R=$WORK/r; mkdir -p "$R"
write_config "$WORK/luet.yaml" "$WORK/elsewhere" "$REPO"
expect_ok "--system-target overrides system.rootfs" "$LUET" config --config "$WORK/luet.yaml" --system-target "$R"
expect_output "rootfs: $R" "the flag wins over luet.yaml"
LUET_SYSTEM__ROOTFS=$WORK/env expect_ok "LUET_SYSTEM__ROOTFS" "$LUET" config --config "$WORK/luet.yaml"
expect_output "rootfs: $WORK/env" "the variable wins over luet.yaml"
LUET_SYSTEM__ROOTFS=$WORK/env expect_ok "flag over variable" "$LUET" --system-target "$R" config --config "$WORK/luet.yaml"
expect_output "rootfs: $R" "the flag wins over the variable"
expect_ok "every global flag is accepted" "$LUET" --config "$WORK/luet.yaml" --no-spinner --color=false --emoji=false \
  --fatal=false --same-owner --concurrency 3 --skip-config-protect --system-dbpath /var/cache/luet --system-engine boltdb \
  --solver-type qlearning --solver-rate 0.5 --solver-discount 0.9 --solver-attempts 10 --live-output --http-timeout 30 \
  --plugin none --avoid-cleanup-tmpdir -d config
expect_output "concurrency: 3" "--concurrency sets general.concurrency"
expect_output "config_protect_skip: true" "--skip-config-protect sets config_protect_skip"
expect_output "type: qlearning" "--solver-type is kept"
LUET_GENERAL__CONCURRENCY=5 LUET_NO_SPINNER=true expect_ok "LUET_GENERAL__CONCURRENCY" "$LUET" config
expect_output "concurrency: 5" "LUET_GENERAL__CONCURRENCY sets general.concurrency"
expect_output "no_spinner: true" "LUET_NO_SPINNER sets no_spinner"
LUET_GENERAL__CONCURRENCY=many expect_fail "a bad variable names itself" "LUET_GENERAL__CONCURRENCY: expected a whole number" "$LUET" config
expect_fail "a bad flag value names the flag" "--concurrency: concurrency must be at least 1" "$LUET" config --concurrency 0
expect_ok "a missing --config file is the defaults, exit 0 (geaaru)" "$LUET" config --config "$WORK/nope.yaml"
expect_output "config file $WORK/nope.yaml not found" "and says so"
expect_output "/etc/luet/repos.conf.d" "repos_confdir defaults to /etc/luet/repos.conf.d"

echo "-- configuration look-up"
mkdir -p "$WORK/cwd" "$WORK/home"
printf 'system:\n  rootfs: /from-home\n' >"$WORK/home/.luet.yaml"
(cd "$WORK/cwd" && HOME=$WORK/home expect_ok "\$HOME/.luet.yaml is read" "$LUET" config)
expect_output "rootfs: /from-home" "the rootfs of \$HOME/.luet.yaml"
printf 'system:\n  rootfs: /from-cwd\n' >"$WORK/cwd/.luet.yaml"
(cd "$WORK/cwd" && HOME=$WORK/home expect_ok "./.luet.yaml first" "$LUET" config)
expect_output "rootfs: /from-cwd" "./.luet.yaml wins over \$HOME/.luet.yaml"

echo "-- plan flags"
C=(--config "$WORK/luet.yaml" --system-target "$R")
expect_ok "install --pretend" "$LUET" install "${C[@]}" --pretend apps/tool@1.0
expect_output "\[N\] apps/tool - 1.0" "the plan lists the package"
expect_output "\[N\] system/shell - 1.0" "and its dependency"
expect_no_file "$R/usr/bin/tool" "--pretend installs nothing"
expect_ok "install --show-install-order" "$LUET" install "${C[@]}" --show-install-order apps/tool@1.0
expect_eq "$(grep -o '\[N\] [a-z/]*' "$WORK/out" | tr '\n' ' ')" "[N] system/shell [N] apps/tool " "dependencies come first"
expect_no_file "$R/usr/bin/tool" "--show-install-order installs nothing"
LUET_YES=true expect_ok "install with LUET_YES" "$LUET" install "${C[@]}" --no-spinner apps/tool@1.0
expect_eq "$(cat "$R/usr/bin/tool")" "tool 1.0" "installed"
expect_eq "$(cat "$R/tool-in" 2>/dev/null)" "in" "the install finalizer ran with finalize.yaml's shell"
expect_ok "install unknown package: exit 0 as geaaru" "$LUET" install -y "${C[@]}" apps/nosuch
expect_output "not found in any repository" "the unknown package is reported"
expect_output "No packages to install" "nothing to install"
expect_ok "install a known and an unknown package" "$LUET" install -y --relax "${C[@]}" apps/nosuch apps/other
expect_file "$R/usr/bin/other" "the known one is installed"
expect_fail "--fatal makes the warning an error" "warnings are fatal" "$LUET" install -y --fatal "${C[@]}" apps/nosuch
expect_ok "upgrade -p" "$LUET" upgrade "${C[@]}" -p
expect_output "\[U\] apps/tool - 1.0 → 1.1" "the upgrade is listed"
expect_eq "$(cat "$R/usr/bin/tool")" "tool 1.0" "upgrade -p changes nothing"
expect_ok "upgrade --sync-repos --deep --skip-finalizers -y" "$LUET" upgrade "${C[@]}" --sync-repos --deep --skip-finalizers -y
expect_eq "$(cat "$R/usr/bin/tool")" "tool 1.1" "upgraded"
expect_no_file "$R/tool-out" "--skip-finalizers skips the old version's uninstall finalizer"

echo "-- uninstall finalizers"
expect_ok "uninstall tool 1.1" "$LUET" uninstall -y "${C[@]}" apps/tool
expect_ok "install tool 1.0 again" "$LUET" install -y "${C[@]}" --relax apps/tool@1.0
rm -f "$R/tool-out"
expect_ok "upgrade runs the old version's uninstall finalizer" "$LUET" upgrade -y "${C[@]}"
expect_eq "$(cat "$R/tool-out" 2>/dev/null)" "out" "uninstall: of 1.0 ran on upgrade"
expect_ok "uninstall tool 1.1 again" "$LUET" uninstall -y "${C[@]}" apps/tool
expect_ok "install tool 1.0 once more" "$LUET" install -y "${C[@]}" --relax apps/tool@1.0
expect_eq "$(cat "$R/tool-finalized")" "v=$("$LUET" version) s=" "finalizers get LUET_VERSION and ANISE_SUBSETS"
rm -f "$R/tool-out"
expect_ok "uninstall" "$LUET" uninstall -y "${C[@]}" apps/tool
expect_eq "$(cat "$R/tool-out" 2>/dev/null)" "out" "uninstall: ran on uninstall"
expect_no_file "$R/usr/bin/tool" "the files are gone"

echo "-- oscheck, reclaim, database get-all-installed"
expect_ok "oscheck on a sound rootfs" "$LUET" oscheck "${C[@]}"
expect_output "All good" "nothing missing"
rm "$R/usr/bin/other"
expect_ok "oscheck finds the missing file" "$LUET" oscheck "${C[@]}"
expect_output "apps/other-1.0" "the broken package is listed"
expect_ok "oscheck --reinstall" "$LUET" oscheck "${C[@]}" --reinstall -y
expect_file "$R/usr/bin/other" "the missing file is back"
expect_ok "database get-all-installed" "$LUET" database get-all-installed "${C[@]}" --output "$WORK/all.yaml"
expect_output "name: other" "the installed packages as YAML"
expect_eq "$(grep -c '^- ' "$WORK/all.yaml")" "2" "one list item per package, also in --output"
expect_ok "database remove other" "$LUET" database remove "${C[@]}" apps/other
expect_ok "reclaim" "$LUET" reclaim "${C[@]}"
expect_output "Reclaimed package: apps/other-1.0" "a package whose files are there is reclaimed"
expect_eq "$(db_query "$R" "select count(*) from files where path='usr/bin/other'")" "1" "with its files"

echo "-- repo add|get, miner download|replace-package"
expect_ok "repo add inline" "$LUET" repo add "${C[@]}" extra --type http --url http://127.0.0.1:1/x --description Extra -y -o /etc/luet/repos.conf.d
expect_eq "$(grep -c 'name: extra' "$R/etc/luet/repos.conf.d/extra.yaml")" "1" "written under the target rootfs"
printf 'name: fromfile\ntype: disk\nurls: [/srv]\n' >"$WORK/fromfile.yaml"
expect_ok "repo add FILE" "$LUET" repo add "${C[@]}" "$WORK/fromfile.yaml" -y -o /etc/luet/repos.conf.d -p 5
expect_output "priority: 5" "the priority flag is applied"
expect_ok "repo get -o json" "$LUET" repo get "${C[@]}" repo1 -o json
expect_output '"name":"repo1"' "the repository as JSON"
rm -rf "$R/var/cache/luet/packages"
expect_ok "miner d" "$LUET" miner d "${C[@]}" repo1 apps/other
expect_file "$R/var/cache/luet/packages/other-apps-1.0.package.tar.gz" "the artifact is in the packages cache"
expect_fail "miner download of an unknown package" "No packages found" "$LUET" miner download "${C[@]}" repo1 apps/nosuch
expect_ok "miner replace-package" "$LUET" miner replace-package "${C[@]}" apps/other --for apps/tool@1.0
expect_no_file "$R/usr/bin/other" "the old package is gone"
expect_eq "$(cat "$R/usr/bin/tool")" "tool 1.0" "the new one is there"

echo "-- extensions, unknown commands"
mkdir -p "$WORK/bin"; printf '#!/bin/sh\necho "ext:$*"\n' >"$WORK/bin/luet-hello"; chmod +x "$WORK/bin/luet-hello"
PATH=$WORK/bin:$PATH expect_ok "luet hello runs luet-hello" "$LUET" hello a b
expect_output "^ext:a b$" "with the remaining arguments"
expect_fail "an unknown command" 'unknown command "nosuch"' "$LUET" nosuch
expect_fail "an unknown flag" "not expected" "$LUET" install --nosuchflag apps/tool

finish
