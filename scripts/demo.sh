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
"$luet" serve-repo --dir "$out/repo" --address 127.0.0.1 --port 0 >"$out/serve.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
port=""
for _ in $(seq 100); do
  port=$(sed -n 's/.*on HTTP port: //p' "$out/serve.log" 2>/dev/null)
  [ -n "$port" ] && break
  sleep 0.1
done
[ -n "$port" ] || { echo "demo: serve-repo did not start" >&2; cat "$out/serve.log" >&2; exit 1; }
cat >"$out/luet.yaml" <<EOT
system:
  rootfs: $out/rootfs
  database_path: /var/cache/luet
repositories:
- name: example
  type: http
  urls: ["http://127.0.0.1:$port"]
EOT
echo "demo: installing apps/hello and utils/busybox into $out/rootfs" >&2
"$luet" install -y --config "$out/luet.yaml" apps/hello utils/busybox
echo "demo: running the installed program with chroot $out/rootfs /usr/bin/hello" >&2
chroot "$out/rootfs" /usr/bin/hello
