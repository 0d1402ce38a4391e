#!/usr/bin/env bash
# Writes the interop test tree and the content of its packages (no container needed: the
# packages are made with `pack`). Used by tests/interop/run.sh and by
# tests/fixtures/upstream/make.sh.
# Usage: mk_tree.sh TREE SRC PHASE [SHELL]
#   TREE   the spec tree (CAT/NAME[/VERSION]/{definition,build,finalize}.yaml)
#   SRC    one folder per package, SRC/CAT-NAME-VERSION, holding its files
#   PHASE  1: the first revision; 2: the second (apps/foo 1.1, libs/libfoo 1.1 added,
#          libs/libfoo 2.0 left the tree)
#   SHELL  a static shell (busybox) packed as system/busybox, so finalizers can run;
#          without it system/busybox is not in the tree
# The tree exercises: a requires chain (meta-app -> foo -> libfoo), a range selector
# (libfoo "<2.0" while 2.0 exists), conflicts (legacy/new-tool), provides (new-tool provides
# old-tool), two versions of one package, a templated finalizer, symlinks, executables, files
# under /etc with several modes. Selectors use one operator each: geaaru/luet 0.40's solver
# resolves neither compound ranges nor requires without a version.
set -euo pipefail
tree=$1 src=$2 phase=$3 shell=${4:-}
rm -rf "$tree" "$src"
mkdir -p "$tree" "$src"

# spec DIR: definition.yaml from stdin, build.yaml with a seed image (packed, never built).
spec() { mkdir -p "$tree/$1"; cat >"$tree/$1/definition.yaml"; echo 'image: "busybox:latest"' >"$tree/$1/build.yaml"; }
# file PKG PATH MODE CONTENT
file() { mkdir -p "$src/$1/$(dirname "$2")"; printf '%s\n' "$4" >"$src/$1/$2"; chmod "$3" "$src/$1/$2"; }
link() { mkdir -p "$src/$1/$(dirname "$2")"; ln -s "$3" "$src/$1/$2"; }

if [ -n "$shell" ]; then
  spec system/busybox <<'Y'
name: busybox
category: system
version: "1.36.1"
description: static shell for finalizers
license: GPL-2.0
Y
  mkdir -p "$src/system-busybox-1.36.1/bin" "$src/system-busybox-1.36.1/etc"
  cp "$shell" "$src/system-busybox-1.36.1/bin/busybox"; chmod 0755 "$src/system-busybox-1.36.1/bin/busybox"
  for t in sh mkdir echo cat; do ln -s busybox "$src/system-busybox-1.36.1/bin/$t"; done
  echo "# busybox" >"$src/system-busybox-1.36.1/etc/busybox.conf"
  dep_shell='
- name: busybox
  category: system
  version: ">=1.0"'
else
  dep_shell=
fi

libfoo() {  # libfoo VERSION MAJOR
  spec "libs/libfoo/$1" <<Y
name: libfoo
category: libs
version: "$1"
description: foo library
license: MIT
labels:
  abi: "$2"
Y
  file "libs-libfoo-$1" "usr/lib/libfoo.so.$1" 0644 "libfoo $1"
  link "libs-libfoo-$1" "usr/lib/libfoo.so.$2" "libfoo.so.$1"
  link "libs-libfoo-$1" usr/lib/libfoo.so "libfoo.so.$1"
}
libfoo 1.0 1
if [ "$phase" = 1 ]; then libfoo 2.0 2; else libfoo 1.1 1; fi

foo_version=1.0; [ "$phase" = 2 ] && foo_version=1.1
spec apps/foo <<Y
name: foo
category: apps
version: "$foo_version"
description: foo application
license: GPL-3.0
uri:
- https://example.org/foo
labels:
  kind: app
annotations:
  origin: interop
requires:
- name: libfoo
  category: libs
  version: "<2.0"$dep_shell
Y
cat >"$tree/apps/foo/finalize.yaml" <<'Y'
install:
- mkdir -p /var/lib/foo && echo "foo {{ .Values.version }} finalized" > /var/lib/foo/finalized
Y
file "apps-foo-$foo_version" usr/bin/foo 0755 "#!/bin/sh
echo foo $foo_version"
file "apps-foo-$foo_version" etc/foo/foo.conf 0644 "setting=$foo_version"
file "apps-foo-$foo_version" etc/foo/secret.conf 0600 "secret"
mkdir -p "$src/apps-foo-$foo_version/usr/share/foo"; chmod 0750 "$src/apps-foo-$foo_version/usr/share/foo"
file "apps-foo-$foo_version" usr/share/foo/README 0644 "foo $foo_version"

spec apps/new-tool <<'Y'
name: new-tool
category: apps
version: "2.0"
description: replaces old-tool
provides:
- name: old-tool
  category: apps
  version: ">=0"
Y
file apps-new-tool-2.0 usr/bin/new-tool 0755 "#!/bin/sh
echo new-tool"
link apps-new-tool-2.0 usr/bin/old-tool new-tool

spec apps/meta-app <<'Y'
name: meta-app
category: apps
version: "1.0"
description: needs old-tool (provided) and foo
requires:
- name: old-tool
  category: apps
  version: ">=0"
- name: foo
  category: apps
  version: ">=0"
Y
file apps-meta-app-1.0 usr/share/meta-app/README 0644 "meta-app"

spec apps/legacy <<'Y'
name: legacy
category: apps
version: "1.0"
description: cannot live beside new-tool
conflicts:
- name: new-tool
  category: apps
  version: ">=0"
Y
file apps-legacy-1.0 usr/bin/legacy 0755 "#!/bin/sh
echo legacy"
