#!/usr/bin/env bash
# Repositories written by upstream luet (tests/fixtures/upstream: geaaru/luet 0.40's treev2
# made by its luet-build, and mudler/luet's legacy tree + meta written from its source):
# our client syncs, searches, installs (finalizer run) and uninstalls from each, read as a
# disk folder and over HTTP. No Docker; run as root (finalizers chroot into the rootfs).
# With upstream's binaries, tests/interop/run.sh checks both directions end to end.
source "$(dirname "$0")/lib.sh"

F=$ROOT/tests/fixtures/upstream
# names: "cat/name-version" of the JSON search result read from stdin.
names() { python3 -c 'import json,sys; print(" ".join("%s/%s-%s" % (p["category"], p["name"], p["version"]) for p in json.load(sys.stdin)["stones"]))'; }

for fixture in geaaru-treev2 mudler-legacy; do
  for transport in disk http; do
    c=$fixture-$transport
    echo "-- $c"
    R=$WORK/$c/rootfs
    # A static shell in the rootfs, for the finalizer of apps/foo.
    mkdir -p "$R/bin" && cp /bin/busybox "$R/bin/sh" && ln -s sh "$R/bin/mkdir" && ln -s sh "$R/bin/echo"
    url=$F/$fixture type=disk
    [ "$transport" = http ] && { url=$(serve_repo "$F/$fixture"); type=http; }
    cat >"$WORK/$c/luet.yaml" <<EOF
system: {rootfs: $R, database_path: /var/cache/luet}
repositories:
- {name: upstream, type: $type, enable: true, priority: 1, urls: ["$url"]}
EOF
    C=(--config "$WORK/$c/luet.yaml")
    expect_ok "$c: repo update" "$LUET" repo update "${C[@]}"
    expect_eq "$("$LUET" search "${C[@]}" -o json . | names)" \
      "apps/foo-1.0 apps/legacy-1.0 apps/meta-app-1.0 apps/new-tool-2.0 libs/libfoo-1.0 libs/libfoo-2.0" \
      "$c: search lists every package"
    expect_eq "$("$LUET" search "${C[@]}" -o json --files --with-rootfs-prefix=false -n new-tool | python3 -c '
import json, sys; print(" ".join(f for p in json.load(sys.stdin)["stones"] for f in p["files"] if "old-tool" in f))')" \
      "usr/bin/old-tool" "$c: files of the metadata"
    expect_ok "$c: install apps/meta-app" "$LUET" install -y "${C[@]}" apps/meta-app
    expect_eq "$(cat "$R/var/lib/foo/finalized" 2>&1)" "foo 1.0 finalized" "$c: templated finalizer from the tree ran"
    expect_file "$R/usr/lib/libfoo.so.1.0" "$c: requires with a range selector: libs/libfoo 1.0"
    expect_no_file "$R/usr/lib/libfoo.so.2.0" "$c: not libs/libfoo 2.0"
    expect_eq "$(readlink "$R/usr/bin/old-tool")" "new-tool" "$c: apps/old-tool through the provides of apps/new-tool"
    expect_eq "$(stat -c %a "$R/usr/bin/foo") $(stat -c %a "$R/etc/foo/secret.conf") $(stat -c %a "$R/usr/share/foo")" \
      "755 600 750" "$c: modes of the artifact"
    expect_eq "$(db_query "$R" "SELECT group_concat(category || '/' || name || '-' || version, ' ') FROM (SELECT * FROM packages ORDER BY category, name)")" \
      "apps/foo-1.0 apps/meta-app-1.0 apps/new-tool-2.0 libs/libfoo-1.0" "$c: installed packages"
    expect_fail "$c: apps/legacy conflicts with apps/new-tool" "conflicts" "$LUET" install -y "${C[@]}" apps/legacy
    expect_ok "$c: uninstall apps/meta-app" "$LUET" uninstall -y "${C[@]}" apps/meta-app
    expect_no_file "$R/usr/share/meta-app/README" "$c: its files are gone"
  done
done

echo "-- our create-repo over the upstream artifacts, read back by our client"
mkdir -p "$WORK/packages"
cp "$F"/geaaru-treev2/*.package.tar.gz "$F"/geaaru-treev2/*.metadata.yaml "$WORK/packages/"
expect_ok "create-repo over geaaru's artifacts" "$LUET" create-repo --tree "$F/tree" --packages "$WORK/packages" \
  --output "$WORK/ours" --name ours --tree-compression none --with-compilertree
expect_eq "$(tar -tf "$WORK/ours/compilertree.tar.zst" | grep -c 'definition.yaml$')" "6" "compilertree holds the tree folder"
R=$WORK/ours-rootfs; mkdir -p "$R/bin" && cp /bin/busybox "$R/bin/sh" && ln -s sh "$R/bin/mkdir" && ln -s sh "$R/bin/echo"
write_config "$WORK/ours.yaml" "$R" "$WORK/ours"
expect_ok "install apps/meta-app from it" "$LUET" install -y --config "$WORK/ours.yaml" apps/meta-app
expect_eq "$(cat "$R/var/lib/foo/finalized" 2>&1)" "foo 1.0 finalized" "finalizer ran"

finish
