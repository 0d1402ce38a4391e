#!/usr/bin/env bash
# `luet box exec` and the hidden `luet exec` (mudler/luet, geaaru/luet pkg/box): a command run
# in a busybox rootfs, in new namespaces: its output, exit status, environment, mounts and
# streams, and what the host keeps (no mount left, no .pivot_root).
source "$(dirname "$0")/lib.sh"

command -v busybox >/dev/null || { fail "busybox missing (scripts/setup.sh installs busybox-static)"; finish; }
R=$WORK/rootfs
mkdir -p "$R/bin" "$R/etc"
cp "$(command -v busybox)" "$R/bin/busybox"
for a in sh echo cat ls hostname id env; do ln -s busybox "$R/bin/$a"; done
echo box >"$R/etc/marker"
mkdir -p "$WORK/data" "$WORK/host"
echo shared >"$WORK/data/f"
echo same-place >"$WORK/host/g"

bx() { "$LUET" box exec --rootfs "$R" "$@"; }

expect_ok "box exec runs /bin/sh -c in the rootfs" bx -- -c 'echo hello from $(cat /etc/marker)'
expect_output "^hello from box$" "the command's output, read from the rootfs"
expect_output "^Executing \[-c echo hello from .*\] in $R$" "upstream's 'Executing [ARGS] in ROOTFS' line"

expect_fail "a failing command: exit 1, naming its status" "exit status 3" bx -- -c 'exit 3'

expect_eq "$(bx -- -c 'echo $$' 2>&1 | tail -1)" "1" "the command is PID 1 of its own PID namespace"
expect_eq "$(bx -- -c 'cat /proc/net/dev' 2>&1 | grep -c ':')" "1" "a network namespace of its own: loopback only"
expect_eq "$(bx -e FOO=bar -e X=1 -- -c 'echo $FOO$X' 2>&1 | tail -1)" "bar1" "--env/-e sets the environment"
expect_eq "$(bx -- -c 'echo ${HOME:-none}' 2>&1 | tail -1)" "none" "nothing of luet's own environment is passed"
expect_eq "$(bx -m "$WORK/data:/data" -- -c 'cat /data/f' 2>&1 | tail -1)" "shared" "--mount HOST:TARGET bind-mounts a host folder"
expect_eq "$(bx --mount "$WORK/host" -- -c "cat $WORK/host/g" 2>&1 | tail -1)" "same-place" "--mount PATH: at the same place"
expect_eq "$(bx --entrypoint /bin/echo -- one two 2>&1 | tail -1)" "one two" "--entrypoint replaces /bin/sh"
expect_eq "$(bx --decode -- "$(printf %s -c | base64)" "$(printf %s 'echo decoded ok' | base64)" 2>&1 | tail -1)" \
  "decoded ok" "--decode: the arguments are base64"
expect_fail "--decode refuses an argument that is not base64" "not base64" bx --decode -- 'not base64!'
expect_eq "$(echo piped | bx --stdin -- -c cat 2>&1 | tail -1)" "piped" "--stdin attaches the input"
expect_eq "$(echo piped | bx -- -c 'cat; echo end' 2>&1 | tail -1)" "end" "without --stdin the input is /dev/null"
expect_eq "$(bx --stdout=false -- -c 'echo out' 2>/dev/null | grep -c '^out$')" "0" "--stdout=false drops the output"
expect_eq "$(bx --stderr=false -- -c 'echo err >&2' 2>&1 | grep -c '^err$')" "0" "--stderr=false drops the errors"
expect_eq "$(bx -- -c 'echo err >&2' 2>&1 >/dev/null | grep -c '^err$')" "1" "stderr attached by default"

expect_no_file "$R/.pivot_root" "the old root's mount point is removed"
if grep -q " $R/" /proc/self/mounts; then fail "a box mount is left on the host"; else pass "no box mount is seen by the host"; fi
expect_file "$R/proc" "proc/ stays as a mount point folder, as upstream"

expect_fail "a missing rootfs" "$WORK/nowhere does not exist" "$LUET" box exec --rootfs "$WORK/nowhere" -- -c true
expect_fail "a missing entrypoint names it" "Error running the /bin/nosuch command" bx --entrypoint /bin/nosuch
expect_fail "a mount with two colons" "Invalid arguments for mount" bx -m a:b:c -- -c true

# The hidden exec: the same box, output not attached unless asked (upstream's defaults).
expect_eq "$("$LUET" exec --rootfs "$R" -- -c 'echo quiet' 2>/dev/null | grep -c '^quiet$')" "0" \
  "exec: stdout not attached by default"
expect_eq "$("$LUET" exec --rootfs "$R" --stdout -- -c 'echo loud' 2>/dev/null | tail -1)" "loud" "exec --stdout"
expect_fail "exec: a failing command" "exit status 2" "$LUET" exec --rootfs "$R" -- -c 'exit 2'
if "$LUET" --help | grep -qE '^  exec '; then fail "exec is listed in --help"; else pass "exec is hidden, as upstream"; fi

# Not root: the box maps the caller to root in a user namespace (as upstream always does).
if command -v setpriv >/dev/null && setpriv --reuid=65534 --regid=65534 --clear-groups unshare -Urmpnf --mount-proc true 2>/dev/null; then
  # The rootfs must be the caller's: the box creates its mount points in it.
  chmod 755 "$WORK"
  chown -R 65534:65534 "$R"
  expect_eq "$(setpriv --reuid=65534 --regid=65534 --clear-groups "$LUET" box exec --rootfs "$R" -- -c 'id -u' 2>&1 | tail -1)" \
    "0" "run by an unprivileged user: root inside its user namespace"
else
  echo "  skip unprivileged box: user namespaces are not available to an unprivileged user here"
fi
finish
