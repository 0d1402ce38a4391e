#!/usr/bin/env bash
# Runs every *_test.sh of this folder with the real binary; exits non-zero when one fails.
set -uo pipefail
dir=$(cd "$(dirname "$0")" && pwd)
status=0
for t in "$dir"/*_test.sh; do
  echo "== $(basename "$t")"
  bash "$t" || status=1
done
exit $status
