#!/usr/bin/env bash
# Bit-reproducible artifacts: the same content packed or built twice, at different times and
# from copies with different file times, gives artifacts with the same sha256 (gzip and zstd):
# entries in walk order, times clamped to SOURCE_DATE_EPOCH (1980-01-01 when unset), numeric
# owners without names, no gzip time. The example tree (real Docker) built twice gives equal
# sha256 for every artifact; with SOURCE_DATE_EPOCH set, equal metadata files too.
source "$(dirname "$0")/lib.sh"

sha() { sha256sum "$1" | cut -d' ' -f1; }

echo "-- luet pack"
S=$WORK/src; mkdir -p "$S/etc/foo" "$S/usr/bin" "$S/usr/share/$(printf 'd%.0s' {1..120})"
echo "my config" >"$S/etc/foo/foo.conf"
printf '#!/bin/sh\necho foo\n' >"$S/usr/bin/foo"; chmod 755 "$S/usr/bin/foo"
ln -s foo "$S/usr/bin/foo-link"; ln "$S/usr/bin/foo" "$S/usr/bin/foo-hard"
echo long >"$S/usr/share/$(printf 'd%.0s' {1..120})/$(printf 'f%.0s' {1..120})"  # a pax header
echo a >"$S/usr/bin/a-b"; chown 123:456 "$S/usr/bin/a-b"; echo x >"$S/usr/bin-x"
setfattr -n user.origin -v luet-test "$S/etc/foo/foo.conf"
touch -d '1975-06-01 00:00:00 UTC' "$S/etc/foo/foo.conf"  # older than the epoch: kept
# A second copy of the same content, made later (every other time differs).
sleep 1
S2=$WORK/src2; cp -a "$S" "$S2"; find "$S2" -exec touch -h {} +; touch -d '1975-06-01 00:00:00 UTC' "$S2/etc/foo/foo.conf"
for c in gzip zstd none; do
  "$LUET" pack foo/bar@1.0 --source "$S" --destination "$WORK/p1-$c" --compression "$c" >/dev/null
  "$LUET" pack foo/bar@1.0 --source "$S2" --destination "$WORK/p2-$c" --compression "$c" >/dev/null
  f=$(cd "$WORK/p1-$c" && ls bar-foo-1.0.package.tar*)
  expect_eq "$(sha "$WORK/p2-$c/$f")" "$(sha "$WORK/p1-$c/$f")" "pack ($c): same content at other times, same sha256"
done
T=$WORK/p1-none/bar-foo-1.0.package.tar
expect_eq "$(python3 -c "
import tarfile
t = tarfile.open('$T')
names = t.getnames()
m = {i.name: i for i in t.getmembers()}
print(names.index('usr/bin-x') > names.index('usr/bin/foo-link') or 'not in walk order: ' + ' '.join(names),
      names[:3],
      m['usr/bin/foo'].mtime, m['etc/foo/foo.conf'].mtime,
      m['usr/bin/a-b'].uid, m['usr/bin/a-b'].gid, repr(m['usr/bin/a-b'].uname), repr(m['usr/bin/a-b'].gname),
      sorted(k for i in t.getmembers() for k in i.pax_headers if 'time' in k),
      any(k.endswith('xattr.user.origin') for k in m['etc/foo/foo.conf'].pax_headers))
")" "True ['etc', 'etc/foo', 'etc/foo/foo.conf'] 315532800 170812800 123 456 '' '' [] True" \
  "entries in walk order, later times clamped to 1980-01-01, older kept, numeric owner without names, no atime/ctime, xattrs kept"
expect_eq "$(od -An -tu1 -j4 -N4 "$WORK/p1-gzip/bar-foo-1.0.package.tar.gz" | tr -s ' ')" " 0 0 0 0" \
  "gzip header without a time"
SOURCE_DATE_EPOCH=1700000000 "$LUET" pack foo/bar@1.0 --source "$S" --destination "$WORK/e1" >/dev/null
sleep 1
SOURCE_DATE_EPOCH=1700000000 "$LUET" pack foo/bar@1.0 --source "$S2" --destination "$WORK/e2" >/dev/null
expect_eq "$(sha "$WORK/e2/bar-foo-1.0.metadata.yaml")" "$(sha "$WORK/e1/bar-foo-1.0.metadata.yaml")" \
  "SOURCE_DATE_EPOCH set: equal metadata files too"
grep -q 'buildtimestamp: 2023-11-14 22:13:20 +0000 UTC' "$WORK/e1/bar-foo-1.0.metadata.yaml" \
  && pass "buildtimestamp is SOURCE_DATE_EPOCH, as Go prints a time" || fail "buildtimestamp is SOURCE_DATE_EPOCH"
expect_eq "$(tar -tvzf "$WORK/e1/bar-foo-1.0.package.tar.gz" usr/bin/foo 2>/dev/null | awk '{print $4, $5}')" "2023-11-14 22:13" \
  "times clamped to SOURCE_DATE_EPOCH"
expect_fail "a malformed SOURCE_DATE_EPOCH is refused" "SOURCE_DATE_EPOCH='yesterday' is not a number" \
  env SOURCE_DATE_EPOCH=yesterday "$LUET" pack foo/bar@1.0 --source "$S" --destination "$WORK/bad"
expect_no_file "$WORK/bad" "nothing written for a malformed SOURCE_DATE_EPOCH"

echo "-- luet build, twice (Docker)"
"$ROOT/scripts/ensure-docker.sh" >/dev/null
"$ROOT/scripts/make-base-image.sh" >/dev/null
for i in 1 2; do
  expect_ok "build examples/tree (run $i)" "$LUET" build --tree "$ROOT/examples/tree" --all --compression gzip \
    --destination "$WORK/b$i"
done
n=0
for f in "$WORK"/b1/*.package.tar.gz; do
  n=$((n + 1))
  expect_eq "$(sha "$WORK/b2/$(basename "$f")")" "$(sha "$f")" "$(basename "$f"): same sha256 built twice"
done
[ "$n" -ge 4 ] && pass "every artifact of the tree compared ($n)" || fail "every artifact compared (only $n)"
for i in 1 2; do
  SOURCE_DATE_EPOCH=1700000000 "$LUET" build --tree "$ROOT/examples/tree" --compression zstd \
    --destination "$WORK/z$i" apps/hello >/dev/null 2>&1 || fail "build apps/hello with SOURCE_DATE_EPOCH (run $i)"
done
expect_eq "$(sha "$WORK/z2/hello-apps-1.0.package.tar.zst")" "$(sha "$WORK/z1/hello-apps-1.0.package.tar.zst")" \
  "zstd artifact with SOURCE_DATE_EPOCH: same sha256 built twice"
expect_eq "$(sha "$WORK/z2/hello-apps-1.0.metadata.yaml")" "$(sha "$WORK/z1/hello-apps-1.0.metadata.yaml")" \
  "with SOURCE_DATE_EPOCH: same metadata file built twice"
finish
