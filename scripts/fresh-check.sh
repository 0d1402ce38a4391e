#!/usr/bin/env bash
# Runs the README's two commands (./scripts/demo.sh, then ./scripts/test.sh) in a fresh Debian 12
# container, as a new user's machine is: only g++, cmake and gtest installed, nothing by hand.
# The image is made offline from Debian's archive (mmdebstrap --variant=apt bookworm, docker
# import); the committed checkout (git clone of HEAD, not the work tree) is copied in with
# ../shared beside it, as CI has it. The tests start their own Docker engine inside, so the
# container gets what a nested engine needs (--privileged is refused on this kind of machine).
# LUET_FRESH_STEPS="test" runs only one of them. Prints the exit codes and times; logs stay in $LUET_FRESH_DIR (default /tmp/luet-fresh).
# Exit status: 0 when both commands exit 0.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
out=${LUET_FRESH_DIR:-/tmp/luet-fresh}
image=${LUET_FRESH_IMAGE:-luet-fresh/debian:12}
mirror=${LUET_DEBIAN_MIRROR:-http://deb.debian.org/debian}

"$root/scripts/ensure-docker.sh"
command -v mmdebstrap >/dev/null || { apt-get update -q && apt-get install -y -q mmdebstrap; }

if ! docker image inspect "$image" >/dev/null 2>&1; then
  echo "fresh-check: creating $image with mmdebstrap --variant=apt bookworm" >&2
  tmp=$(mktemp -d /tmp/luet-fresh-img-XXXXXX)
  mmdebstrap --mode=root --variant=apt --include=g++,cmake,libgtest-dev,ca-certificates \
    bookworm "$tmp/rootfs.tar" "$mirror"
  docker import "$tmp/rootfs.tar" "$image" >/dev/null
  rm -rf "$tmp"
fi

rm -rf "$out"; mkdir -p "$out/work" "$out/var-lib-docker"
git clone -q "$root" "$out/work/main"
if [ -d "$root/../shared" ]; then cp -a "$root/../shared" "$out/work/shared"; fi
echo "fresh-check: checkout $(git -C "$out/work/main" rev-parse --short HEAD) in $out/work/main" >&2

cat >"$out/work/run-inside.sh" <<'EOT'
#!/usr/bin/env bash
cd /work/main
for step in ${LUET_FRESH_STEPS:-demo test}; do
  start=$(date +%s)
  ./scripts/$step.sh >/out/$step.log 2>&1
  rc=$?
  echo "$step rc=$rc seconds=$(( $(date +%s) - start ))" | tee -a /out/result.txt
done
EOT
chmod +x "$out/work/run-inside.sh"

docker run --rm --name luet-fresh-check \
  --cap-add ALL --cap-drop SYS_RESOURCE \
  --security-opt seccomp=unconfined --security-opt apparmor=unconfined \
  --cgroupns host -v /sys/fs/cgroup:/sys/fs/cgroup \
  -v "$out/var-lib-docker:/var/lib/docker" \
  -v "$out/work:/work" -v "$out:/out" \
  -e CI=true -e DEBIAN_FRONTEND=noninteractive -e LUET_FRESH_STEPS="${LUET_FRESH_STEPS:-demo test}" \
  "$image" bash /work/run-inside.sh </dev/null || true

echo "fresh-check: results (logs: $out/demo.log, $out/test.log)"
cat "$out/result.txt" 2>/dev/null || { echo "fresh-check: no result (the container did not run)"; exit 1; }
! grep -v ' rc=0 ' "$out/result.txt" | grep -q .
