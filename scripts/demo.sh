#!/usr/bin/env bash
# The main job on the bundled example tree: build it in containers, publish a repository,
# serve it over HTTP, install a program into a fresh rootfs from it and run it there.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
out=${LUET_DEMO_DIR:-$root/out/demo}
luet=$root/build/luet

"$root/scripts/setup.sh"
"$root/scripts/ensure-docker.sh"
"$root/scripts/make-base-image.sh"

rm -rf "$out"
mkdir -p "$out/rootfs"
echo "demo: building examples/tree" >&2
"$luet" build --tree "$root/examples/tree" --destination "$out/build" --compression zstd --all
echo "demo: creating the repository" >&2
"$luet" create-repo --tree "$root/examples/tree" --packages "$out/build" --output "$out/repo" \
  --name example --descr "luet example repository" --type http
echo "demo: serving the repository over HTTP on 127.0.0.1 (luet serve-repo)" >&2
read -r server url < <("$root/scripts/serve-repo.sh" "$luet" "$out/repo" "$out/serve.log")
[ -n "${url:-}" ] || exit 1
trap 'kill $server 2>/dev/null || true' EXIT
cat >"$out/luet.yaml" <<EOT
system:
  rootfs: $out/rootfs
  database_path: /var/cache/luet
repositories:
- name: example
  type: http
  urls: ["$url"]
EOT
echo "demo: installing apps/hello and utils/busybox into $out/rootfs" >&2
"$luet" install -y --config "$out/luet.yaml" apps/hello utils/busybox
echo "demo: running the installed program with chroot $out/rootfs /usr/bin/hello" >&2
chroot "$out/rootfs" /usr/bin/hello
