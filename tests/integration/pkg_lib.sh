# Packages without Docker for the client tests (sourced after lib.sh): pkg makes a folder of
# files, packs it with `luet pack` into $P and writes its definition into a tree folder.
P=$WORK/packed
# pkg TREE CAT NAME VERSION "REQ_CAT/REQ_NAME>=V ..." FINALIZER PATH=CONTENT...
pkg() {
  local tree=$1 cat=$2 name=$3 version=$4 reqs=$5 finalizer=$6; shift 6
  local src=$WORK/src/$cat-$name-$version def=$tree/$name-$version
  mkdir -p "$src" "$def"
  for f in "$@"; do mkdir -p "$src/$(dirname "${f%%=*}")"; printf '%s\n' "${f#*=}" >"$src/${f%%=*}"; done
  { echo "name: $name"; echo "category: $cat"; echo "version: \"$version\""
    if [ -n "$reqs" ]; then
      echo "requires:"
      for r in $reqs; do
        echo "- category: ${r%%/*}"; local rest=${r#*/}; echo "  name: ${rest%%>=*}"
        [ "$rest" != "${rest%%>=*}" ] && echo "  version: \">=${rest#*>=}\""
      done
    fi; } >"$def/definition.yaml"
  echo "# packed by hand" >"$def/build.yaml"
  [ -n "$finalizer" ] && printf 'install:\n- %s\n' "$finalizer" >"$def/finalize.yaml"
  "$LUET" pack "$cat/$name@$version" --source "$src" --destination "$P" >/dev/null
  # luet pack knows no definition: the requires go into the artifact's runtime metadata,
  # where clients read them.
  sed -n '/^requires:/,$p' "$def/definition.yaml" | sed 's/^/  /' >"$WORK/requires"
  sed -i "/^runtime:\$/r $WORK/requires" "$P/$name-$cat-$version.metadata.yaml"
}

# add_pkg REPO CAT NAME VERSION EXTRA FILE...: packs CAT/NAME@VERSION holding FILE... into
# $WORK/packed-REPO, with a tree definition carrying the YAML lines EXTRA (labels, hidden,
# requires), which also becomes the artifact's runtime definition.
add_pkg() {
  local repo=$1 cat=$2 name=$3 version=$4 extra=$5; shift 5
  local src=$WORK/src/$repo/$cat-$name-$version; mkdir -p "$src"
  for f in "$@"; do mkdir -p "$src/$(dirname "$f")"; echo "$f" >"$src/$f"; done
  "$LUET" pack "$cat/$name@$version" --source "$src" --destination "$WORK/packed-$repo" >/dev/null
  local def=$WORK/tree-$repo/$cat/$name/$version; mkdir -p "$def"
  printf 'name: %s\ncategory: %s\nversion: "%s"\n%s\n' "$name" "$cat" "$version" "$extra" >"$def/definition.yaml"
  echo '# packed by hand' >"$def/build.yaml"
  local meta=$WORK/packed-$repo/$name-$cat-$version.metadata.yaml
  { sed '/^runtime:/,$d' "$meta"; echo "runtime:"; sed 's/^/  /' "$def/definition.yaml"; sed -n '/^compilespec:/,$p' "$meta"; } >"$meta.new"
  mv "$meta.new" "$meta"
}
# make_repo REPO: the repository $WORK/repo-REPO of $WORK/tree-REPO and $WORK/packed-REPO.
make_repo() {
  "$LUET" create-repo --tree "$WORK/tree-$1" --packages "$WORK/packed-$1" --output "$WORK/repo-$1" --name "$1" >/dev/null
}

# craft_artifact NAME PYTHON: the artifact of test/NAME@1.0 in $WORK/packed-NAME (packed from
# a harmless usr/share/NAME) replaced by a pax tarball (gzip) that the python snippet fills
# through `add(info, data=b"")`, `entry(name, kind=REGTYPE, **attrs)` (a TarInfo, mode 0644,
# folders 0755) and `link(name, target, data=b"")` (a hard link whose pax header makes readers,
# libarchive, take its body); usr/, usr/share/ and usr/share/NAME come first. The metadata's
# sha256 is fixed to match, so only the client's own checks stand in the way.
craft_artifact() {
  local name=$1 code=$2 src=$WORK/harmless-$1
  mkdir -p "$src/usr/share"; echo harmless >"$src/usr/share/$name"
  "$LUET" pack "test/$name@1.0" --source "$src" --destination "$WORK/packed-$name" >/dev/null
  local tarball=$WORK/packed-$name/$name-test-1.0.package.tar.gz meta=$WORK/packed-$name/$name-test-1.0.metadata.yaml
  local old; old=$(sha256sum "$tarball" | cut -d' ' -f1)
  python3 - "$tarball" <<PYEOF
import io, sys, tarfile
t = tarfile.open(sys.argv[1], "w:gz", format=tarfile.PAX_FORMAT)
def add(info, data=b""):
    info.size = len(data)
    t.addfile(info, io.BytesIO(data) if data else None)
def entry(name, kind=tarfile.REGTYPE, **kw):
    i = tarfile.TarInfo(name); i.type = kind; i.mode = 0o755 if kind == tarfile.DIRTYPE else 0o644
    for k, v in kw.items(): setattr(i, k, v)
    return i
def link(name, target, data=b""):
    add(entry(name, tarfile.LNKTYPE, linkname=target, pax_headers={"comment": "hard link"}), data)
add(entry("usr/", tarfile.DIRTYPE)); add(entry("usr/share/", tarfile.DIRTYPE))
add(entry("usr/share/$name"), b"harmless\n")
$code
t.close()
PYEOF
  local new; new=$(sha256sum "$tarball" | cut -d' ' -f1)
  sed -i "s/$old/$new/" "$meta"
}
