#!/usr/bin/env bash
# Signed repositories (issue 17): luet repo keygen, create-repo --sign-key/--expires, and a
# client whose repository says verify: {keys: [...]} over real HTTP on 127.0.0.1. A good
# signature syncs and installs; a tampered repository.yaml, a missing signature, another key
# and an expired repository.yaml are refused naming the repository, the local copy and the
# rootfs stay as they were and the next command works (from the local copy). Key rotation:
# several --sign-key lines and several verify keys. No Docker needed.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/pkg_lib.sh"

K=$WORK/keys; mkdir -p "$K"
echo "-- luet repo keygen"
expect_ok "keygen writes a key pair" "$LUET" repo keygen "$K/old"
expect_output "BEGIN PUBLIC KEY" "keygen prints the public key"
expect_eq "$(stat -c %a "$K/old")" 600 "the private key is mode 0600"
grep -q "BEGIN PRIVATE KEY" "$K/old" && grep -q "BEGIN PUBLIC KEY" "$K/old.pub" \
  && pass "PEM private and public keys" || fail "PEM private and public keys"
openssl pkey -in "$K/old" -noout -text 2>/dev/null | grep -q ED25519 \
  && pass "openssl reads the key as Ed25519" || fail "openssl reads the key as Ed25519"
before=$(sha256sum "$K/old" "$K/old.pub")
expect_fail "keygen never overwrites a key" "old: exists already; a key is never overwritten" "$LUET" repo keygen "$K/old"
expect_eq "$(sha256sum "$K/old" "$K/old.pub")" "$before" "the existing key pair is unchanged"
expect_ok "keygen a second key" "$LUET" repo keygen "$K/new"
expect_ok "keygen a third key (never signs)" "$LUET" repo keygen "$K/other"

TREE=$WORK/tree; REPO=$WORK/repo
pkg "$TREE" app hello 1.0 "" "" usr/share/hello=1.0
# publish [FLAGS...]: the repository $REPO from $P, one revision more each time.
publish() {
  "$LUET" create-repo --tree "$TREE" --packages "$P" --output "$REPO" --name signed "$@" >"$WORK/out" 2>&1
}

echo "-- create-repo --sign-key"
expect_fail "an unusable signing key is refused before anything is written" "not an Ed25519 private key" \
  publish --sign-key "$K/old.pub"
expect_no_file "$REPO/repository.yaml" "no repository written"
expect_ok "create-repo --sign-key (revision 1)" publish --sign-key "$K/old"
expect_file "$REPO/repository.yaml.sig" "repository.yaml.sig beside repository.yaml"
expect_eq "$(grep -vc '^#' "$REPO/repository.yaml.sig")" 1 "one signature line"
# The signature is a plain Ed25519 signature: openssl checks it with the public key.
base64 -d "$REPO/repository.yaml.sig" >"$WORK/sig.bin"
openssl pkeyutl -verify -pubin -inkey "$K/old.pub" -rawin -in "$REPO/repository.yaml" -sigfile "$WORK/sig.bin" \
  >/dev/null 2>&1 && pass "openssl verifies the signature" || fail "openssl verifies the signature"
# repository.yaml names every other document by its sha256: the signature covers them too.
for doc in $(sed -n 's/^ *filename: //p' "$REPO/repository.yaml" | sort -u); do
  sum=$(sha256sum "$REPO/$doc" | cut -d' ' -f1)
  grep -q "sha256: $sum" "$REPO/repository.yaml" && pass "repository.yaml holds the sha256 of $doc" \
    || fail "repository.yaml holds the sha256 of $doc"
done

R=$WORK/rootfs; mkdir -p "$R" "$WORK/repos.d"
URL=$(serve_repo "$REPO")
cat >"$WORK/luet.yaml" <<EOF
system:
  rootfs: $R
  database_path: /var/cache/luet
repos_confdir: ["$WORK/repos.d"]
EOF
# client KEY...: the repository's configuration with these verify keys (none: no verify).
client() {
  { echo "name: signed"; echo "type: http"; echo "urls: [\"$URL\"]"
    if [ $# -gt 0 ]; then echo "verify:"; echo "  keys:"; for k in "$@"; do echo "  - $k"; done; fi
  } >"$WORK/repos.d/signed.yml"
}
C=(--config "$WORK/luet.yaml")
CACHE=$R/var/cache/luet/repos/signed
local_revision() { sed -n 's/^revision: //p' "$CACHE/repository.yaml"; }
# snapshot: what a refused sync must not change (the local copy and the rootfs outside it).
snapshot() { (cd "$R" && find . -path ./var/cache/luet/repos -prune -o -type f -print0 | sort -z | xargs -0 sha256sum)
             (cd "$CACHE" && find . -type f -print0 | sort -z | xargs -0 sha256sum); }

echo "-- a client with the key (a relative key file, beside the repository's file)"
cp "$K/old.pub" "$WORK/repos.d/old.pub"
client old.pub
expect_ok "repo update with a good signature" "$LUET" repo update "${C[@]}"
expect_output "Repository: signed Revision: 1" "revision 1 synced"
expect_ok "install app/hello from the signed repository" "$LUET" install -y "${C[@]}" app/hello
expect_eq "$(cat "$R/usr/share/hello" 2>/dev/null)" "1.0" "app/hello 1.0 installed"

# refused DESC PATTERN: `repo update` fails naming the repository and matching PATTERN, the
# local copy and the rootfs are unchanged, and an install afterwards works from the local
# copy (commands read the local copy without syncing, as geaaru/luet's); install --sync-repos
# refuses with the same words.
refused() {
  local desc=$1 pattern=$2 before; before=$(snapshot)
  expect_fail "$desc: repo update refused" "repository signed: .*$pattern" "$LUET" repo update "${C[@]}"
  expect_eq "$(snapshot)" "$before" "$desc: local copy and rootfs unchanged"
  expect_eq "$(local_revision)" 1 "$desc: the local copy stays at revision 1"
  expect_ok "$desc: the next command works (reinstall from the local copy)" "$LUET" reinstall -y "${C[@]}" app/hello
  expect_no_output "repository signed: " "$desc: reinstall did not sync (nothing refused, no warning)"
  before=$(snapshot)
  expect_fail "$desc: install --sync-repos refuses it" "repository signed: .*$pattern" \
    "$LUET" install -y --sync-repos "${C[@]}" app/hello
  expect_eq "$(snapshot)" "$before" "$desc: install --sync-repos changed nothing"
}

pkg "$TREE" app hello 2.0 "" "" usr/share/hello=2.0
expect_ok "revision 2, signed with the old key" publish --sign-key "$K/old"
cp "$REPO/repository.yaml" "$WORK/good.yaml"; cp "$REPO/repository.yaml.sig" "$WORK/good.sig"

echo "-- tampered repository.yaml"
sed -i 's/^description: .*/description: evil/' "$REPO/repository.yaml"
refused "tampered description" "repository.yaml.sig holds no valid signature of repository.yaml"
# A tampered document checksum (pointing at another tree document) is the same refusal.
cp "$WORK/good.yaml" "$REPO/repository.yaml"
sed -i '0,/sha256: [0-9a-f]*/s//sha256: 0000000000000000000000000000000000000000000000000000000000000000/' "$REPO/repository.yaml"
refused "tampered document sha256" "holds no valid signature"
echo "-- missing signature"
cp "$WORK/good.yaml" "$REPO/repository.yaml"; rm "$REPO/repository.yaml.sig"
refused "missing repository.yaml.sig" "repository.yaml is not signed, and .*signed.yml \(repository signed verify.keys\) asks for a signature"
echo "-- garbage signature"
echo "not a signature" >"$REPO/repository.yaml.sig"
refused "garbage signature" "holds no valid signature"
echo "-- signed with another key"
expect_ok "revision 3, signed with the other key only" publish --sign-key "$K/other"
refused "another key" "holds no valid signature .* \(tampered, or signed with another key\)"

echo "-- key rotation"
expect_ok "revision 4, signed with the old and the new key" publish --sign-key "$K/old" --sign-key "$K/new"
expect_eq "$(grep -c . "$REPO/repository.yaml.sig")" 2 "two signature lines"
expect_ok "a client with the old key accepts it" "$LUET" repo update "${C[@]}"
expect_output "Repository: signed Revision: 4" "revision 4 synced with the old key"
client "$K/new.pub"
expect_ok "a client with the new key (absolute path) accepts it" "$LUET" repo update --force "${C[@]}"
expect_output "Repository: signed Revision: 4" "revision 4 synced with the new key"
client old.pub "$K/new.pub"
expect_ok "revision 5, signed with the new key only" publish --sign-key "$K/new"
expect_ok "a client with both keys accepts it" "$LUET" repo update "${C[@]}"
expect_output "Repository: signed Revision: 5" "revision 5 synced"
# An inline PEM key works like a file.
{ echo "name: signed"; echo "type: http"; echo "urls: [\"$URL\"]"; echo "verify:"; echo "  keys:"; echo "  - |"
  sed 's/^/    /' "$K/new.pub"; } >"$WORK/repos.d/signed.yml"
expect_ok "an inline PEM key verifies" "$LUET" repo update --force "${C[@]}"
expect_ok "upgrade to app/hello 2.0 from the signed repository" "$LUET" upgrade -y "${C[@]}"
expect_eq "$(cat "$R/usr/share/hello" 2>/dev/null)" "2.0" "app/hello 2.0 installed"

echo "-- expires"
client old.pub "$K/new.pub"
expect_ok "revision 6, signed, expires in 1s" publish --sign-key "$K/new" --expires 1s
grep -q '^expires: "[0-9]*"' "$REPO/repository.yaml" && pass "repository.yaml says expires:" \
  || fail "repository.yaml says expires:"
sleep 2
before=$(snapshot)
expect_fail "an expired repository.yaml is refused" \
  "repository signed: repository.yaml \(revision 6\) expired on .*; refused as stale" "$LUET" repo update "${C[@]}"
expect_eq "$(snapshot)" "$before" "expired: local copy and rootfs unchanged"
expect_eq "$(local_revision)" 5 "expired: the local copy stays at revision 5"
expect_fail "--expires takes a duration" "--expires: expected a duration" publish --sign-key "$K/new" --expires soon
expect_ok "revision 7, expires in 30 days" publish --sign-key "$K/new" --expires 30d
expect_ok "a repository.yaml before its expiry is accepted" "$LUET" repo update "${C[@]}"
expect_output "Repository: signed Revision: 7" "revision 7 synced"

echo "-- configuration errors"
client "$WORK/nothing.pub"
expect_fail "a missing key file is refused naming it" "signed.yml \(repository signed\): verify.keys: no public key file .*nothing.pub" \
  "$LUET" repo update "${C[@]}"
client "$K/new"
expect_fail "a private key as verify key is refused" "verify.keys\): not an Ed25519 public key" \
  "$LUET" repo update "${C[@]}"
{ echo "name: signed"; echo "type: http"; echo "urls: [\"$URL\"]"; echo "verify: {keys: []}"; } >"$WORK/repos.d/signed.yml"
expect_fail "verify without keys is refused" "'verify' lists no keys" "$LUET" repo update "${C[@]}"

echo "-- unsigned repositories, clients without keys: as before"
expect_ok "revision 8, unsigned" publish
expect_no_file "$REPO/repository.yaml.sig" "an unsigned create-repo removes the stale signature"
if grep -q '^expires:' "$REPO/repository.yaml"; then fail "no expires: without --expires"; else pass "no expires: without --expires"; fi
client
expect_ok "a client without keys syncs the unsigned repository" "$LUET" repo update "${C[@]}"
expect_output "Repository: signed Revision: 8" "revision 8 synced"
client old.pub
expect_fail "a client with a key refuses it" "repository signed: repository.yaml is not signed" "$LUET" repo update "${C[@]}"

finish
