#!/usr/bin/env bash
# Every command, alias and flag of upstream's command lines (../shared/reference/upstream-cli.md,
# measured from mudler/luet and geaaru/luet) exists in ours, or is listed in cli_surface.py with
# the reason; flags accepted without effect say so in their --help. Prints the counts.
source "$(dirname "$0")/lib.sh"

# LUET_CLI_REFERENCE: another copy (e.g. when the checkout is not beside ../shared).
REF=${LUET_CLI_REFERENCE:-$ROOT/../shared/reference/upstream-cli.md}
if [ ! -f "$REF" ]; then
  echo "SKIP: $REF is missing (the reference lives beside the project, in ../shared)"
  exit 0
fi
ln -s "$LUET" "$WORK/luet-build"
if python3 "$ROOT/tests/integration/cli_surface.py" "$REF" "$LUET" "$WORK/luet-build" >"$WORK/out" 2>&1; then
  pass "every upstream command and flag exists or is excepted"
else
  fail "upstream commands or flags missing"
fi
grep -v "^  accepted only:" "$WORK/out" | sed 's/^/       /'
finish
