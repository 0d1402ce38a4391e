#!/usr/bin/env bash
# provides: a provider replaces the provided package at build time (its image is used for a
# build that requires the provided name) and at install time (the installed package is
# removed in the same transaction, files it shares with the provider stay).
source "$(dirname "$0")/lib.sh"

T=$ROOT/tests/integration/trees/provides
A=$WORK/artifacts
expect_ok "build" "$LUET" build --tree "$T" --destination "$A" --all
expect_eq "$(tar -xOf "$A/app-apps-1.0.package.tar" etc/built-with)" "new" "build-time: requiring shells/oldsh builds on its provider shells/newsh"
expect_ok "create-repo" "$LUET" create-repo --tree "$T" --packages "$A" --output "$WORK/repo" --name provides
# A repository with the old shell only: where a provider exists, a request for the provided
# name resolves to the provider, so the old one is installed from here first.
mkdir -p "$WORK/old-artifacts" && cp "$A"/oldsh-shells-1.0.* "$WORK/old-artifacts/"
expect_ok "create-repo (old shell only)" "$LUET" create-repo --tree "$T" --packages "$WORK/old-artifacts" --output "$WORK/repo-old" --name old

R=$WORK/rootfs; mkdir -p "$R"; write_config "$WORK/old.yaml" "$R" "$WORK/repo-old"
expect_ok "install shells/oldsh" "$LUET" install -y --config "$WORK/old.yaml" shells/oldsh
expect_eq "$(cat "$R/usr/share/shell/name")" "old" "oldsh installed"
write_config "$WORK/luet.yaml" "$R" "$WORK/repo"
expect_ok "install shells/newsh replaces shells/oldsh" "$LUET" install -y --config "$WORK/luet.yaml" shells/newsh
expect_output "Replaced shells/oldsh-1.0" "the replacement is reported"
expect_eq "$(db_query "$R" "select category||'/'||name||'-'||version from packages order by name")" "shells/newsh-2.0" \
  "the database holds only the provider"
expect_no_file "$R/usr/bin/oldsh" "the replaced package's own files are gone"
expect_file "$R/usr/bin/newsh" "the provider's files are there"
expect_eq "$(cat "$R/usr/share/shell/name")" "new" "a path both ship now holds the provider's content"
expect_eq "$(db_query "$R" "select count(*) from files where path='usr/share/shell/name'")" "1" "the shared path has one owner"
expect_no_file "$R/var/cache/luet/replace-backup" "no backup left behind"

finish
