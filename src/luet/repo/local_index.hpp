// The client's index of a synced repository: written once by sync() beside the local copy
// (repository.hpp), read by every command instead of parsing the copy's YAML documents.
//
// The local copy keeps repository.yaml and the documents under upstream's names (e.g.
// tree.tar.gz); this file is ours, not an upstream format, and is rebuilt from the
// documents by the next sync when missing or of another format (format 1 was
// luet-index.json + luet-files.jsonl beside an unpacked treefs/ and metafs/):
//   luet-index.sqlite  an SQLite database (opened read-only by the readers):
//     info(key TEXT PRIMARY KEY, value TEXT)   key "format" = kLocalIndexFormat
//     packages(id INTEGER PRIMARY KEY, category TEXT, name TEXT, version TEXT, record TEXT)
//       one row per package, id from 0 in the document's order (treev2: by folder
//       CATEGORY/NAME/VERSION; tree + meta: the meta document's order);
//       record is a JSON list
//         [path, compression ("none"|"gzip"|"zstd"), sha256, 0, 0 (both unused),
//          category, name, version, requires, conflicts, provides, hidden,
//          labels ({} or a map), annotations (the stored text, nested values included),
//          description, license, uri]
//       with each requires/conflicts/provides entry
//         [category, name, op, version, [[op, version], ...]]  (core::Selector)
//     provides(category TEXT, name TEXT, pkg INTEGER)   one row per provides entry
//     files(pkg INTEGER PRIMARY KEY, list TEXT)        the artifact's files, a JSON list:
//       read only by the commands that show or search them
//     finalizers(pkg INTEGER PRIMARY KEY, definition TEXT, finalize TEXT)   the tree
//       document's definition.yaml and finalize.yaml of each package that has a finalize.yaml
//     names  an FTS5 table over packages(category, name) (external content, tokenizer
//       "trigram case_sensitive 1"): the packages whose names hold a string
//     owners(key INTEGER PRIMARY KEY)   one row per (file, package): key = FNV-1a (32 bits)
//       of the entry name << 31 | package id: the packages that may list a file (a hash,
//       so the list is read to be sure); ids stay under 2^31
//   with indexes on packages(category, name), packages(name), provides(category, name) and
//   provides(name), so that a command reads only the packages its request reaches.
// Format 2 had no names table, format 3 no owners table.
// Everything a client reads from an artifact's metadata is kept (its build spec is not:
// compilespec.package is the runtime form, as load from metafs gives it).
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "luet/artifact/artifact.hpp"

namespace luet::repo {

inline constexpr const char* kLocalIndexFile = "luet-index.sqlite";
inline constexpr int kLocalIndexFormat = 4;

struct IndexedPackage {
    artifact::Metadata meta;      // files empty unless read with the files
    std::string definition_yaml;  // with a finalizer: the definition.yaml it is rendered with
    std::string finalize_yaml;    // finalize.yaml as the tree document has it, "" when none
};

// One package to index.
struct IndexInput {
    const artifact::Metadata& meta;
    std::string_view definition_yaml;  // read back only when finalize_yaml is not empty
    std::string_view finalize_yaml;    // "" when the package has no finalize.yaml
};

// Writes the index of `packages` (in that order) into `dir` (a local copy being built,
// swapped in whole by its caller: it is not flushed). Throws luet::Error when it cannot be
// written.
void write_local_index(const std::filesystem::path& dir, const std::vector<IndexInput>& packages);

// Writes the index of a treev2 document read one file at a time (repository.hpp sync): the
// files are staged in temporary tables of SQLite (a temporary file), so that memory holds
// one file at a time, not the document. Packages are the folders CATEGORY/NAME/VERSION
// holding a definition.yaml, in folder order, each described by its metadata.json, else its
// metadata.yaml (geaaru wagon_stones.go analyzePackageDir). Every call throws luet::Error
// when the index cannot be written; the file is then incomplete (its caller discards the
// copy being built).
class TreeIndexWriter {
public:
    explicit TreeIndexWriter(const std::filesystem::path& dir);
    ~TreeIndexWriter();
    TreeIndexWriter(const TreeIndexWriter&) = delete;
    TreeIndexWriter& operator=(const TreeIndexWriter&) = delete;
    // One file of the folder "CATEGORY/NAME/VERSION", in any order (a later one replaces an
    // earlier one of the same name).
    void definition(const std::string& folder, std::string_view text);
    void finalize(const std::string& folder, std::string_view text);
    void metadata(const std::string& folder, const artifact::Metadata& m);  // its metadata.json
    void metadata_yaml(const std::string& folder, std::string_view text);   // read only without metadata.json
    // Writes the packages. Throws luet::Error naming `origin` and the folder when a folder
    // with a definition.yaml has no metadata, or metadata of another package.
    void finish(const std::string& origin);

private:
    struct State;
    std::unique_ptr<State> state_;
};

// True when `dir` holds an index of the current format.
bool has_local_index(const std::filesystem::path& dir);

// A package atom a request names: category "" stands for any category (a bare name).
struct IndexSeed {
    std::string category;
    std::string name;
};

// Which packages read_local_index returns (all of them by default), in the index's order.
struct IndexQuery {
    bool files = false;  // also each package's files
    // When set: only the packages whose category and name it accepts (tested before the rest
    // of a package is read).
    std::function<bool(const std::string& category, const std::string& name)> keep;
    // With `keep`, when not empty: `keep` is asked only about the packages whose category or
    // name holds one of these strings (each of 3 ASCII characters or more), found through the
    // index's trigram table instead of reading every name: the caller promises that `keep`
    // refuses every other package.
    std::vector<std::string> name_literals;
    // When set: only the packages these atoms reach: the packages named so, the packages
    // providing them, and, transitively, the same for every requires, conflicts and provides
    // entry of a package reached (what a solver may need to answer a request about them).
    std::optional<std::vector<IndexSeed>> reach;
    // When not empty: only the packages whose files include one of these names (entry names,
    // as the files list them: "usr/bin/x"). Not with `reach`.
    std::vector<std::string> with_files;
};

// Reads the index of `dir`. Throws luet::Error naming the file when it is missing, of
// another format or malformed.
std::vector<IndexedPackage> read_local_index(const std::filesystem::path& dir, const IndexQuery& query);
// The same, opening the file once: nullopt when there is no index file or it is of another
// format (then *format, when given, is that format); throws luet::Error naming the file when
// it is malformed.
std::optional<std::vector<IndexedPackage>> read_current_local_index(const std::filesystem::path& dir,
                                                                    const IndexQuery& query,
                                                                    std::string* format = nullptr);
inline std::vector<IndexedPackage> read_local_index(const std::filesystem::path& dir, bool files) {
    return read_local_index(dir, IndexQuery{.files = files, .keep = {}, .name_literals = {}, .reach = std::nullopt, .with_files = {}});
}

}  // namespace luet::repo
