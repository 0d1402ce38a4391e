// The tree index of geaaru/luet (Macaroni "anise" trees): `.anise-idx.json`, or with
// zstd compression `.anise-idx.json.zstd`, in a tree folder (and, unless written with
// --only-upper-level, in every folder below it).
//
// Upstream: geaaru/luet pkg/v2/tree/common.go (TreeIdx, Generate, Write, Read, DetectMode),
// written by `luet-build tree genidx` (luet-build/cmd/tree/genidx.go) and read instead of
// the tree by geaaru's `luet-build create-repo` and `luet-build tree pkglist|render`.
//
// Format (Go encoding/json of TreeIdx, keys sorted, HTML characters escaped as \u003c…,
// empty fields omitted), all on one line, no final newline:
//   {"packages":{"CATEGORY/NAME":[{"version":"V","path":"P"},...],...},"basedir":"B"}
// P is the definition.yaml (or collection.yaml, one entry per package of it) relative to
// the *parent* of the tree folder ("mytree/cat/pkg/definition.yaml"); B is that parent
// relative to the folder holding the index ("..", "../..", ...). Entries of one name keep
// the walk order: folder entries by byte order of their names, depth first, symlinks to
// folders not followed. Definitions are read as written (no templating).
//
// Our commands walk the tree itself; an index is checked for staleness (a stale index makes
// upstream's commands silently miss or invent packages). `tree pkglist` answers from an index
// only when current_tree_index() shows it describes the tree as it is.
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace luet::spec {

inline constexpr const char* kTreeIndexFile = ".anise-idx.json";

struct TreeIndexEntry {
    std::string version;
    std::string path;  // relative to the tree's parent folder
    bool operator==(const TreeIndexEntry&) const = default;
};

struct TreeIndex {
    std::map<std::string, std::vector<TreeIndexEntry>> packages;  // "CATEGORY/NAME" -> walk order
    std::string basedir;                                           // "..", "../..", ...
};

struct TreeIndexOptions {
    bool compress = true;           // .anise-idx.json.zstd (upstream's default) or .anise-idx.json
    bool only_upper_level = false;  // write the index of the tree folder only
    bool dry_run = false;           // write nothing, only return the index
};

// Walks `tree` (a folder; a trailing '/' and relative paths are fine) and returns its
// index; unless dry_run, writes it (atomically) in the tree folder and, without
// only_upper_level, the index of each sub-folder in that sub-folder. Throws luet::Error
// naming the folder or file on an unreadable folder or a malformed definition/collection.
TreeIndex generate_tree_index(const std::filesystem::path& tree, const TreeIndexOptions& opts = {});

// Reads the index of the folder `tree`: `.anise-idx.json` when present (upstream's
// DetectMode prefers it), else `.anise-idx.json.zstd`. Throws luet::Error when there is
// none ("File X doesn't exists", upstream's words) or it is not valid.
TreeIndex read_tree_index(const std::filesystem::path& tree);

// True when `tree` holds an index file (either form).
bool has_tree_index(const std::filesystem::path& tree);

// Upstream's output forms of an index (`genidx -o json|yaml`): Go's json.Marshal (one
// line) and yaml.v3's Marshal (4-space indentation, ends with a newline).
std::string tree_index_json(const TreeIndex& idx);
std::string tree_index_yaml(const TreeIndex& idx);

// Differences between the index of `tree` and the tree on disk, one line each
// ("the index lists CAT/NAME-V (P), which the tree no longer has" / "the tree has
// CAT/NAME-V (P), which the index lacks"); empty when there is no index or it is current.
std::vector<std::string> stale_tree_index(const std::filesystem::path& tree);

// The index of `tree` when it provably describes the tree as load_tree() reads it, else
// nullopt (conservative: a "no" only costs the caller a walk of the tree). Checked without
// reading any definition: the index file exists, names one top folder (basedir ".."); no
// folder of the tree, definition.yaml or collection.yaml was modified at or after the
// index's own modification time (a changed, added or removed definition changes its folder's
// or its own time); no symbolic link to a folder (load_tree follows them, genidx does not);
// every folder holding a definition also holds the build.yaml load_tree needs; and the
// definition files found are exactly the paths the index lists. Never throws on an
// unreadable tree or index (nullopt).
std::optional<TreeIndex> current_tree_index(const std::filesystem::path& tree);

}  // namespace luet::spec
