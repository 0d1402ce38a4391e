// The client's index of a synced repository: written once by sync() beside the local copy
// (repository.hpp), read by every command instead of parsing the copy's YAML documents.
//
// The local copy keeps upstream's layout and names (repository.yaml, treefs/, metafs/);
// these two files are ours, not an upstream format, and are rebuilt from the documents by
// the next sync when missing or of another format:
//   luet-index.json    {"format": kLocalIndexFormat, "files": "<file name below>",
//                      "packages": [PACKAGE, ...]}, one PACKAGE per artifact in the order of
//                      metafs/repository.meta.yaml:
//                        [path, compression ("none"|"gzip"|"zstd"), sha256, has finalize.yaml
//                         (bool), byte offset of its line in luet-files.jsonl, category,
//                         name, version, requires, conflicts, provides, hidden, labels
//                         ({} or a map), annotations (the stored text, nested values
//                         included), description, license, uri]
//                      with each requires/conflicts/provides entry
//                        [category, name, op, version, [[op, version], ...]]  (core::Selector)
//   luet-files.jsonl   one JSON list of file names per package, same order: the files are
//                      read only by the commands that show or search them.
// Everything a client reads from an artifact's metadata is kept (its build spec is not:
// compilespec.package is the runtime form, as load from metafs gives it).
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "luet/artifact/artifact.hpp"

namespace luet::repo {

inline constexpr const char* kLocalIndexFile = "luet-index.json";
inline constexpr const char* kLocalFilesFile = "luet-files.jsonl";
inline constexpr int kLocalIndexFormat = 1;

struct IndexedPackage {
    artifact::Metadata meta;  // files empty unless read with the files
    bool has_finalize = false;
    std::uint64_t files_at = 0;  // offset of its line in luet-files.jsonl
};

// Writes both files into `dir` (a local copy being built, swapped in whole by its caller:
// the files are not flushed one by one). `has_finalize[i]` tells whether
// metas[i] has a finalize.yaml in treefs/. Throws luet::Error when a file cannot be written.
void write_local_index(const std::filesystem::path& dir, const std::vector<artifact::Metadata>& metas,
                       const std::vector<bool>& has_finalize);

// True when `dir` holds an index of the current format.
bool has_local_index(const std::filesystem::path& dir);

// Reads luet-index.json of `dir`; with `files`, also every package's files. Throws
// luet::Error naming the file when it is missing, of another format or malformed.
std::vector<IndexedPackage> read_local_index(const std::filesystem::path& dir, bool files);

}  // namespace luet::repo
