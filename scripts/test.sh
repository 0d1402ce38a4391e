#!/usr/bin/env bash
# Builds luet, runs the unit tests, then the integration tests against the real Docker engine.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)

"$root/scripts/setup.sh"
ctest --preset default --output-on-failure
"$root/scripts/ensure-docker.sh"
"$root/scripts/make-base-image.sh"
"$root/tests/integration/run.sh"
# Interop with upstream's own binaries: runs when LUET_UPSTREAM names them, else says SKIPPED.
"$root/tests/interop/run.sh"
