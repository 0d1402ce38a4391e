# Shared helpers for the integration tests: each test file sources this, uses $LUET (the
# real binary) against the real Docker engine, and calls the assertions below.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
LUET=${LUET:-$ROOT/build/luet}
WORK=$(mktemp -d /tmp/luet-it-XXXXXX)
# Repository servers started by serve_repo are stopped when the test ends.
trap '[ -f "$WORK/servers.pids" ] && while read -r p; do kill "$p" 2>/dev/null; done <"$WORK/servers.pids"; rm -rf "$WORK"' EXIT
FAILURES=0

pass() { echo "  ok   $*"; }
fail() { echo "  FAIL $*"; FAILURES=$((FAILURES + 1)); }

# expect_ok DESC CMD... : the command exits 0
expect_ok() {
  local desc=$1; shift
  if "$@" >"$WORK/out" 2>&1; then pass "$desc"; else fail "$desc (exit $?)"; sed 's/^/       /' "$WORK/out"; fi
}

# expect_fail DESC PATTERN CMD... : the command exits non-zero and its output matches PATTERN
expect_fail() {
  local desc=$1 pattern=$2; shift 2
  if "$@" >"$WORK/out" 2>&1; then
    fail "$desc (exited 0)"; sed 's/^/       /' "$WORK/out"
  elif grep -qE -- "$pattern" "$WORK/out"; then
    pass "$desc"
  else
    fail "$desc (output does not match /$pattern/)"; sed 's/^/       /' "$WORK/out"
  fi
}

# expect_output PATTERN DESC : the last command's output matches PATTERN
expect_output() {
  if grep -qE -- "$1" "$WORK/out"; then pass "$2"; else fail "$2 (output does not match /$1/)"; sed 's/^/       /' "$WORK/out"; fi
}

expect_no_output() {  # PATTERN DESC: the last expect_ok/expect_fail output does not match
  if grep -qE -- "$1" "$WORK/out"; then fail "$2 (output matches /$1/)"; else pass "$2"; fi
}
expect_file() { if [ -e "$1" ] || [ -L "$1" ]; then pass "$2"; else fail "$2 ($1 missing)"; fi; }
expect_no_file() { if [ -e "$1" ] || [ -L "$1" ]; then fail "$2 ($1 exists)"; else pass "$2"; fi; }
expect_eq() { if [ "$1" = "$2" ]; then pass "$3"; else fail "$3 (got '$1', want '$2')"; fi; }

# serve_repo DIR [LOG]: serves DIR with `luet serve-repo` on a free port of 127.0.0.1 (the
# request log goes to LOG) and prints its URL.
serve_repo() {
  local dir=$1 log=${2:-} pid url
  [ -n "$log" ] || log=$(mktemp "$WORK/serve-XXXXXX.log")
  read -r pid url < <("$ROOT/scripts/serve-repo.sh" "$LUET" "$dir" "$log")
  [ -n "$url" ] || { echo "serve_repo: no server for $dir (log: $(cat "$log" 2>/dev/null))" >&2; return 1; }
  echo "$pid" >>"$WORK/servers.pids"
  echo "$url"
}

# write_config FILE ROOTFS REPO...: a luet.yaml with one repository per folder, served over
# HTTP on 127.0.0.1 (LUET_IT_TRANSPORT=disk: read as disk repositories instead).
write_config() {
  local file=$1 rootfs=$2; shift 2
  {
    echo "system:"
    echo "  rootfs: $rootfs"
    echo "  database_path: /var/cache/luet"
    echo "repositories:"
    local i=0
    for r in "$@"; do
      i=$((i + 1))
      echo "- name: repo$i"
      if [ "${LUET_IT_TRANSPORT:-http}" = disk ]; then
        echo "  type: disk"
        echo "  urls: [\"$r\"]"
      else
        echo "  type: http"
        echo "  urls: [\"$(serve_repo "$r")\"]"
      fi
    done
  } >"$file"
}

# tree_pkg TREE CATEGORY NAME BUILD_YAML: a package CATEGORY/NAME 1.0 in TREE/NAME with the
# build spec BUILD_YAML (printf %b escapes, e.g. "image: X\nsteps:\n- true\n").
tree_pkg() {
  mkdir -p "$1/$3"
  printf 'name: %s\ncategory: %s\nversion: "1.0"\n' "$3" "$2" >"$1/$3/definition.yaml"
  printf '%b' "$4" >"$1/$3/build.yaml"
}

# start_registry [HTPASSWD]: Debian's docker-registry on a free port of 127.0.0.1, storage in
# $WORK/registry, stopped with the test; sets REG=127.0.0.1:PORT. With an htpasswd file (bcrypt,
# `htpasswd -Bbn USER PASS`) every request needs basic auth. Ends the test (a failure) when it
# is missing or does not answer.
start_registry() {
  command -v docker-registry >/dev/null || { fail "docker-registry missing (scripts/setup.sh installs it)"; finish; }
  local port auth=""
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  REG=127.0.0.1:$port
  mkdir -p "$WORK/registry"
  [ -n "${1:-}" ] && auth=$(printf 'auth:\n  htpasswd:\n    realm: luet-test\n    path: %s\n' "$1")
  printf 'version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n    rootdirectory: %s\nhttp:\n  addr: %s\n%s\n' \
    "$WORK/registry/data" "$REG" "$auth" >"$WORK/registry/config.yml"
  docker-registry serve "$WORK/registry/config.yml" >"$WORK/registry/log" 2>&1 &
  echo $! >>"$WORK/servers.pids"
  # Up when /v2/ answers at all (401 with auth).
  up() { [ "$(curl -sS -o /dev/null -w '%{http_code}' "http://$REG/v2/" 2>/dev/null)" != 000 ]; }
  for _ in $(seq 50); do up && break; sleep 0.1; done
  up && pass "registry up on $REG${1:+ (htpasswd)}" || { fail "registry did not start"; cat "$WORK/registry/log"; finish; }
}

# db_count ROOTFS SQL: a number from the installed-package database
db_query() { sqlite3 "$1/var/cache/luet/luet.sqlite" "$2"; }

finish() {
  if [ "$FAILURES" -ne 0 ]; then echo "$(basename "$0"): $FAILURES failure(s)"; exit 1; fi
  echo "$(basename "$0"): all passed"
}
