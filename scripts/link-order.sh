#!/usr/bin/env bash
# Remakes cmake/luet-link-order.txt: the functions the static client runs for the commands
# users run most, in the order they first run, for lld's --symbol-ordering-file (see
# CMakeLists.txt: hot code together means fewer pages of the binary mapped).
#   scripts/link-order.sh [OUT]      (default cmake/luet-link-order.txt)
# Builds luet-profile (the static client with symbols, default layout) in build-release, makes
# a repository of 300 package forms with bench/scale_gen.py, serves it on 127.0.0.1 and runs
# under valgrind's callgrind: version, repo update (first sync, then unchanged), search,
# install of a leaf and of several packages, query belongs and files, uninstall, upgrade and
# database get-all-installed. Needs valgrind and lld (scripts/setup.sh installs lld); about
# 5 minutes. Not run by the tests.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
OUT=${1:-$ROOT/cmake/luet-link-order.txt}
command -v valgrind >/dev/null || { echo "needs valgrind (apt-get install valgrind)" >&2; exit 1; }
cd "$ROOT"
cmake --preset release >/dev/null
cmake --build --preset release -j"$(nproc)" --target luet-profile >/dev/null
BIN=$ROOT/build-release/luet-profile
W=$(mktemp -d /tmp/luet-order-XXXXXX)
SERVER=""
cleanup() { [ -z "$SERVER" ] || kill "$SERVER" 2>/dev/null || true; rm -rf "$W"; }
trap cleanup EXIT

python3 bench/scale_gen.py repo "$W/gen" 300 >/dev/null
leaf=$(sed -n 's/^leaf=//p' "$W/gen/targets")
leaf_file=$(sed -n 's/^leaf_file=//p' "$W/gen/targets")
read -ra many <<<"$(sed -n 's/^many="\(.*\)"$/\1/p' "$W/gen/targets")"
mkdir -p "$W/repo" && cp -al "$W/gen/packed/." "$W/repo/"
"$BIN" create-repo --tree "$W/gen/tree" --packages "$W/repo" --output "$W/repo" --name order \
  --urls http://127.0.0.1 --type http >"$W/create.log" 2>&1
read -r SERVER URL < <(scripts/serve-repo.sh "$BIN" "$W/repo" "$W/serve.log")
mkdir -p "$W/rootfs"
cat >"$W/luet.yaml" <<YAML
system:
  rootfs: $W/rootfs
  database_path: /var/cache/luet
  pkgs_cache_path: packages
config_from_host: true
repos_confdir: [$W/repos.conf.d]
repositories:
- name: order
  type: http
  enable: true
  urls: ["$URL"]
YAML

n=0
run() {  # run ARGS...: one callgrind profile per command, in order
  n=$((n + 1))
  valgrind --tool=callgrind --demangle=no --callgrind-out-file="$W/cg.$(printf %02d $n)" \
    "$BIN" "$@" >"$W/run.$n.log" 2>&1 || { echo "failed: luet $*" >&2; tail -5 "$W/run.$n.log" >&2; exit 1; }
}
C=(--config "$W/luet.yaml")
run version
run repo update "${C[@]}"
run repo update "${C[@]}"
run search pkg0 "${C[@]}"
run install -y "${C[@]}" "$leaf"
run query belongs "${C[@]}" "$leaf_file"
run query files "${C[@]}" "$leaf"
run install -y "${C[@]}" "${many[@]}"
run upgrade -y "${C[@]}"
run database get-all-installed "${C[@]}"
run uninstall -y "${C[@]}" "$leaf"

# Every function that ran, in the order of first appearance across the profiles: callgrind
# names a function "fn=(ID) NAME" the first time (then "(ID)"), called ones "cfn=(ID) NAME".
python3 - "$OUT" "$W"/cg.* <<'EOF'
import re, sys
out, files = sys.argv[1], sorted(sys.argv[2:])
seen, order = set(), []
for f in files:
    for line in open(f, errors="replace"):
        m = re.match(r"^c?fn=\(\d+\) (.+)$", line.rstrip("\n"))
        if m:
            name = re.sub(r"'\d+$", "", m.group(1))  # callgrind's recursion-depth suffix
            if name not in seen and not name.startswith("0x"):
                seen.add(name)
                order.append(name)
with open(out, "w") as f:
    f.write("\n".join(order) + "\n")
print(f"{out}: {len(order)} functions from {len(files)} profiles")
EOF
