#!/usr/bin/env bash
# Starts `luet serve-repo` for a repository folder on a free port of 127.0.0.1, in the
# background, and prints "PID URL" once it listens (its request log goes to LOG).
# Usage: scripts/serve-repo.sh LUET DIR LOG
set -euo pipefail
luet=$1 dir=$2 log=$3
mkdir -p "$dir"
# The log exists before the server starts: the background child opens it only when it runs,
# and reading a missing log under `set -e` ended this script silently (seen on a loaded machine).
: >"$log"
"$luet" serve-repo --dir "$dir" --address 127.0.0.1 --port 0 >>"$log" 2>&1 &
pid=$!
# Up to 30 s: a loaded CI machine can be slow to start it.
for _ in $(seq 300); do
  port=$(sed -n 's/.*on HTTP port: //p' "$log" 2>/dev/null || true)
  if [ -n "$port" ]; then
    echo "$pid http://127.0.0.1:$port"
    exit 0
  fi
  sleep 0.1
done
echo "serve-repo.sh: the server for $dir did not start" >&2
cat "$log" >&2
kill "$pid" 2>/dev/null || true
exit 1
