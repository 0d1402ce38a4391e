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

