#!/usr/bin/env bash
# Repository scale benchmark: a repository of N packages (default 3000) is published with
# create-repo, served over HTTP by serve-repo, synced with `repo update`, and one package
# is installed (which loads the whole synced repository into the solver pool).
# Prints wall time and peak memory of each step. Never run by the tests.
# Usage: bench/repo_bench.sh [N]   (needs GNU time: apt-get install time)
set -euo pipefail
N=${1:-3000}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
LUET=${LUET:-$ROOT/build/luet}
W=$(mktemp -d /tmp/luet-bench-XXXXXX)
SERVER=
trap '[ -z "$SERVER" ] || kill $SERVER 2>/dev/null; rm -rf "$W"' EXIT
command -v /usr/bin/time >/dev/null || { echo "needs GNU time (apt-get install time)"; exit 1; }

python3 - "$W" "$N" <<'PY'
import hashlib, io, os, sys, tarfile
w, n = sys.argv[1], int(sys.argv[2])
os.makedirs(f"{w}/packed"); os.makedirs(f"{w}/tree")
for i in range(n):
    cat, name, ver = f"cat{i % 50}", f"pkg{i}", "1.0"
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as t:
        data = f"{name}\n".encode()
        info = tarfile.TarInfo(f"usr/share/{name}/README"); info.size = len(data)
        t.addfile(info, io.BytesIO(data))
    art = f"{name}-{cat}-{ver}.package.tar.gz"
    open(f"{w}/packed/{art}", "wb").write(buf.getvalue())
    sha = hashlib.sha256(buf.getvalue()).hexdigest()
    req = f"\n  requires:\n  - category: cat{(i - 1) % 50}\n    name: pkg{i - 1}" if i > 0 and i % 10 else ""
    open(f"{w}/packed/{name}-{cat}-{ver}.metadata.yaml", "w").write(
        f"path: {art}\ncompressiontype: gzip\nchecksums:\n  sha256: {sha}\nfiles:\n- usr/share/{name}/README\n"
        f"runtime:\n  name: {name}\n  category: {cat}\n  version: \"{ver}\"{req}\ncompilespec:\n  build: \"\"\n")
    d = f"{w}/tree/{cat}/{name}"; os.makedirs(d)
    open(f"{d}/definition.yaml", "w").write(f"name: {name}\ncategory: {cat}\nversion: \"{ver}\"\n" +
        (f"requires:\n- category: cat{(i - 1) % 50}\n  name: pkg{i - 1}\n" if i > 0 and i % 10 else ""))
    open(f"{d}/build.yaml", "w").write("# bench\n")
PY

measure() {  # measure LABEL CMD...
  local label=$1; shift
  /usr/bin/time -f "%e %M" -o "$W/time" "$@" >"$W/out" 2>&1 || { cat "$W/out"; exit 1; }
  read -r secs kib <"$W/time"
  printf '%-28s %8.2f s %10d KiB peak RSS\n' "$label" "$secs" "$kib"
}

echo "repository of $N packages"
measure "create-repo" "$LUET" create-repo --tree "$W/tree" --packages "$W/packed" --output "$W/repo" --name bench
read -r SERVER URL < <("$ROOT/scripts/serve-repo.sh" "$LUET" "$W/repo" "$W/serve.log")
cat >"$W/luet.yaml" <<YAML
system:
  rootfs: $W/rootfs
repositories:
- name: bench
  type: http
  urls: ["$URL"]
YAML
measure "repo update (first sync)" "$LUET" repo update --config "$W/luet.yaml"
measure "repo update (unchanged)" "$LUET" repo update --config "$W/luet.yaml"
measure "install (1 pkg + 9 deps)" "$LUET" install -y --config "$W/luet.yaml" "cat9/pkg9"
