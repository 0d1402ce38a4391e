#!/usr/bin/env python3
"""Workload generator for bench/scale_bench.sh (issue 14). Never run by the tests.

Usage: scale_gen.py KIND OUT [ARGS]
  repo OUT N          a tree (OUT/tree) and its artifacts (OUT/packed) of N package forms:
                      0-5 requires each (version selectors, some through provides), a
                      conflict with an obsolete package on some; writes OUT/targets with
                      the leaf package, a file of it, and packages pulling many
  artifacts OUT N MB  N packages big/aI 1.0 of one MB-sized file each (incompressible)
  world OUT F V       F families of V versions each (mudler/luet's versionorder_test.go
                      world: famI requires fam(I-1) >=0); OUT/targets lists the oldest forms
  tree OUT N          a tree of about N definitions with templates (build.yaml rendered with
                      .Values and the shared templates/ of the tree root; a fifth of the
                      packages in collection.yaml files), no artifacts

Artifacts carry geaaru/luet's metadata.yaml (compilespec.package and runtime), so that both
create-repo implementations (ours and upstream's luet-build) index the same files. Selectors
use a single operator (">=1.0", "<2.0"): geaaru's v2 solver parses only one.
"""
import hashlib
import io
import os
import random
import sys
import tarfile


def tar_gz(files):
    """files: [(name, bytes)] -> gzip tarball bytes (level 1: the content decides the size)."""
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w:gz", compresslevel=1, format=tarfile.GNU_FORMAT) as t:
        dirs = set()
        for name, _ in files:
            d = os.path.dirname(name)
            while d:
                dirs.add(d)
                d = os.path.dirname(d)
        for d in sorted(dirs):
            info = tarfile.TarInfo(d)
            info.type = tarfile.DIRTYPE
            info.mode = 0o755
            t.addfile(info)
        for name, data in files:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            info.mode = 0o644
            t.addfile(info, io.BytesIO(data))
    return raw.getvalue()


def q(s):
    return '"' + s + '"'


def refs_yaml(key, refs, indent=""):
    if not refs:
        return ""
    out = f"{indent}{key}:\n"
    for cat, name, ver in refs:
        out += f"{indent}- category: {cat}\n{indent}  name: {name}\n{indent}  version: {q(ver)}\n"
    return out


def definition_yaml(cat, name, ver, requires=(), conflicts=(), provides=(), extra=""):
    return (f"name: {name}\ncategory: {cat}\nversion: {q(ver)}\n" + extra +
            refs_yaml("requires", requires) + refs_yaml("conflicts", conflicts) + refs_yaml("provides", provides))


def write_artifact(packed, cat, name, ver, files, requires=(), conflicts=(), provides=()):
    art = f"{name}-{cat}-{ver}.package.tar.gz"
    data = tar_gz(files)
    with open(os.path.join(packed, art), "wb") as f:
        f.write(data)
    sha = hashlib.sha256(data).hexdigest()
    runtime = (f"  name: {name}\n  version: {q(ver)}\n  category: {cat}\n" +
               refs_yaml("requires", requires, "  ") + refs_yaml("conflicts", conflicts, "  ") +
               refs_yaml("provides", provides, "  "))
    meta = (f"path: {art}\ndependencies: []\ncompilespec:\n  steps: []\n  env: []\n  prelude: []\n"
            f"  image: \"\"\n  seed: \"\"\n  package:\n    name: {name}\n    version: {q(ver)}\n"
            f"    category: {cat}\n  package_dir: \"\"\n  retrieve: []\n  unpack: false\n  includes: []\n"
            f"  excludes: []\n  build_options: null\n  copy: []\n  requires_final_images: false\n"
            f"checksums:\n  sha256: {sha}\ncompressiontype: gzip\nfiles:\n" +
            "".join(f"- {n}\n" for n, _ in files) + "package_cacheimage: \"\"\nruntime:\n" + runtime)
    with open(os.path.join(packed, f"{name}-{cat}-{ver}.metadata.yaml"), "w") as f:
        f.write(meta)


def write_spec(tree, cat, name, ver, definition):
    d = os.path.join(tree, cat, name, ver)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "definition.yaml"), "w") as f:
        f.write(definition)
    with open(os.path.join(d, "build.yaml"), "w") as f:
        f.write("image: \"busybox:latest\"\nsteps:\n- echo bench\n")


def repo(out, n):
    rnd = random.Random(14)
    tree, packed = os.path.join(out, "tree"), os.path.join(out, "packed")
    os.makedirs(tree)
    os.makedirs(packed)
    forms = []  # (cat, name, ver)
    deps = []  # indexes each form requires (directly or through a provides)
    for i in range(n):
        cat, name, ver = f"cat{i % 50}", f"pkg{i}", f"1.{i % 7}"
        forms.append((cat, name, ver))
        requires, direct, conflicts, provides = [], [], [], []
        if i >= max(1, n // 20):  # a core without dependencies, then 0-5 requires each
            for j in sorted(set(rnd.randrange(i) for _ in range(rnd.randint(0, 5)))):
                tcat, tname, tver = forms[j]
                if j % 20 == 0 and rnd.random() < 0.5:
                    requires.append(("virtual", f"v{j}", ">=0"))  # resolved through a provides
                else:
                    requires.append((tcat, tname, rnd.choice([">=1.0", "<2.0", ">=" + tver])))
                direct.append(j)
        if i % 20 == 0:
            provides.append(("virtual", f"v{i}", ">=0"))
        if i % 25 == 0:
            conflicts.append(("obsolete", f"old-pkg{i}", ">=0"))
        deps.append(direct)
        files = [(f"usr/share/{name}/README", f"{name} {ver}\n".encode()),
                 (f"usr/share/doc/{name}/LICENSE", b"GPL-2.0\n")]
        write_artifact(packed, cat, name, ver, files, requires, conflicts, provides)
        write_spec(tree, cat, name, ver, definition_yaml(cat, name, ver, requires, conflicts, provides))
    # Closures as bitsets, to find a leaf (no requires) and a package pulling many.
    closure = []
    for i in range(n):
        c = 1 << i
        for j in deps[i]:
            c |= closure[j]
        closure.append(c)
    leaf = max(i for i in range(n) if not deps[i])
    # Many: the newest packages, one after another, until what they pull reaches the target.
    want = min(2000, max(2, n * 2 // 5))
    many, pulled = [], 0
    for i in range(n - 1, -1, -1):
        if i == leaf:
            continue
        many.append(i)
        pulled |= closure[i]
        if bin(pulled).count("1") >= want:
            break
    with open(os.path.join(out, "targets"), "w") as f:
        cat, name, _ = forms[leaf]
        f.write(f"leaf={cat}/{name}\nleaf_file=/usr/share/{name}/README\n")
        f.write("many=\"" + " ".join(f"{forms[i][0]}/{forms[i][1]}" for i in many) +
                f"\"\nmany_count={bin(pulled).count('1')}\n")


def artifacts(out, n, mb):
    tree, packed = os.path.join(out, "tree"), os.path.join(out, "packed")
    os.makedirs(tree)
    os.makedirs(packed)
    os.makedirs(os.path.join(out, "archives"))
    rnd = random.Random(1000)
    names = []
    for i in range(n):
        name = f"a{i}"
        data = rnd.randbytes(mb << 20)
        write_artifact(packed, "big", name, "1.0", [(f"usr/share/big/{name}.bin", data)])
        write_spec(tree, "big", name, "1.0", definition_yaml("big", name, "1.0"))
        names.append(f"big/{name}")
    with open(os.path.join(out, "targets"), "w") as f:
        f.write("all=\"" + " ".join(names) + "\"\n")


def world(out, families, versions):
    tree, packed = os.path.join(out, "tree"), os.path.join(out, "packed")
    os.makedirs(tree)
    os.makedirs(packed)
    # mudler/luet microVersions(1, V / 13, 12, 0): 1.0, 1.0.1 .. 1.0.12, 1.1, 1.1.1 ..
    ladder = []
    minor = 0
    while len(ladder) < versions:
        ladder.append(f"1.{minor}")
        ladder.extend(f"1.{minor}.{m}" for m in range(1, 13))
        minor += 1
    ladder = ladder[:versions]
    oldest = []
    for i in range(families):
        name = f"fam{i}"
        requires = [("world", f"fam{i - 1}", ">=0")] if i else []
        for v in ladder:
            write_artifact(packed, "world", name, v, [(f"usr/share/world/{name}", f"{name} {v}\n".encode())], requires)
            write_spec(tree, "world", name, v, definition_yaml("world", name, v, requires))
        oldest.append(f"world/{name}@{ladder[0]}")
    with open(os.path.join(out, "targets"), "w") as f:
        f.write("oldest=\"" + " ".join(oldest) + f"\"\nnewest={ladder[-1]}\n")


TEMPLATES = """{{ define "bench.steps" }}
- ./configure --prefix=/usr {{ .Values.configure | default "" }}
- make -j{{ .Values.jobs | default 2 }}
- make install DESTDIR=/{{ .Values.name }}
{{- end }}
{{ define "bench.env" }}
- PN={{ .Values.name }}
- PV={{ .Values.version }}
- CATEGORY={{ .Values.category }}
{{- end }}
"""

BUILD = """image: "macaroni/funtoo-base:{{ .Values.labels.base | default "latest" }}"
prelude:
- mkdir -p /{{ .Values.name }}
steps:
{{- include "bench.steps" . }}
{{- if .Values.labels.docs }}
- rm -rf /{{ .Values.name }}/usr/share/doc
{{- end }}
env:
{{- include "bench.env" . }}
package_dir: /{{ .Values.name }}
{{- if .Values.requires }}
requires:
{{- range .Values.requires }}
- category: {{ .category }}
  name: {{ .name }}
  version: ">=0"
{{- end }}
{{- end }}
"""


def spec_tree(out, n):
    rnd = random.Random(3000)
    tree = os.path.join(out, "tree")
    os.makedirs(os.path.join(tree, "templates"))
    with open(os.path.join(tree, "templates", "bench.tpl"), "w") as f:
        f.write(TEMPLATES)
    made = []
    single = n * 4 // 5
    for i in range(single):
        cat, name, ver = f"tcat{i % 60}", f"tpkg{i}", f"{1 + i % 4}.{i % 10}.{i % 3}"
        reqs = [made[j] for j in sorted(set(rnd.randrange(len(made)) for _ in range(rnd.randint(0, 4))))] if made else []
        extra = (f"description: \"package {name} of the bench tree\"\nlicense: GPL-2.0\n"
                 f"labels:\n  base: \"{'latest' if i % 2 else 'stable'}\"\n  docs: \"{'yes' if i % 3 else ''}\"\n")
        d = os.path.join(tree, cat, name)
        os.makedirs(d)
        with open(os.path.join(d, "definition.yaml"), "w") as f:
            f.write(definition_yaml(cat, name, ver, [(c, nm, ">=0") for c, nm in reqs], extra=extra))
        with open(os.path.join(d, "build.yaml"), "w") as f:
            f.write(BUILD)
        made.append((cat, name))
    i = 0
    coll = 0
    while single + i < n:
        d = os.path.join(tree, "collections", f"coll{coll}")
        os.makedirs(d)
        text = "packages:\n"
        for _ in range(min(10, n - single - i)):
            name, ver = f"cpkg{i}", f"0.{i % 9}.1"
            text += (f"- name: {name}\n  category: tcoll{coll % 20}\n  version: {q(ver)}\n"
                     f"  labels:\n    base: latest\n    docs: \"yes\"\n")
            if made:
                c, nm = made[rnd.randrange(len(made))]
                text += f"  requires:\n  - category: {c}\n    name: {nm}\n    version: \">=0\"\n"
            i += 1
        with open(os.path.join(d, "collection.yaml"), "w") as f:
            f.write(text)
        with open(os.path.join(d, "build.yaml"), "w") as f:
            f.write(BUILD)
        coll += 1


def main():
    kind, out = sys.argv[1], sys.argv[2]
    args = [int(a) for a in sys.argv[3:]]
    {"repo": repo, "artifacts": artifacts, "world": world, "tree": spec_tree}[kind](out, *args)


if __name__ == "__main__":
    main()
