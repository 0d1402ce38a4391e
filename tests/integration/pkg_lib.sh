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
