// Artifacts: the package tarball and its metadata file.
//
// Upstream: mudler/luet pkg/api/core/types/artifact/artifact.go. An artifact is
// NAME-CATEGORY-VERSION.package.tar[.gz|.zst] beside NAME-CATEGORY-VERSION.metadata.yaml.
// The metadata keeps upstream's keys: path, compressiontype (none|gzip|zstd),
// checksums.sha256, files (entry names without a leading "/"), runtime (the definition),
// compilespec (the build spec the artifact came from).
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "luet/spec/spec.hpp"

namespace YAML {
class Node;
}

namespace luet::artifact {

enum class Compression { None, Gzip, Zstd };

// "none" | "gzip" | "zstd" (also "" = gzip, "zst" = zstd). Throws luet::Error otherwise.
Compression parse_compression(std::string_view name);
std::string compression_name(Compression c);
// ".tar" + "" | ".gz" | ".zst"
std::string tar_suffix(Compression c);
// ".package" + tar_suffix(c)
std::string package_suffix(Compression c);

struct Metadata {
    std::string path;  // artifact file name, relative to the metadata file's folder
    Compression compression = Compression::Gzip;
    std::string sha256;               // hex sha256 of the artifact file
    std::vector<std::string> files;   // entries of the artifact, e.g. "usr/bin/hello"
    spec::Definition runtime;         // the package's definition.yaml
    std::string build_yaml;           // the build spec as written in the tree

    // NAME-CATEGORY-VERSION.metadata.yaml
    std::string metadata_file_name() const;
};

std::string metadata_to_yaml(const Metadata& m);
// Throws luet::Error naming `origin` on malformed metadata.
Metadata metadata_from_yaml(const std::string& text, const std::string& origin);
// The same from a node already parsed (one element of repository.meta.yaml's artifacts).
Metadata metadata_from_node(const YAML::Node& n, const std::string& origin);
Metadata read_metadata(const std::filesystem::path& file);
// Writes atomically (temporary file + rename).
void write_metadata(const Metadata& m, const std::filesystem::path& file);

// Packs `entries` (paths relative to `root`, in the given order) into the tarball `dest`,
// preserving type, mode, ownership, mtime, xattrs, symlinks and hard links. The file is
// written beside `dest` under a temporary name and renamed when complete.
// Throws luet::Error on I/O failure (nothing is left at `dest`).
void pack(const std::filesystem::path& root, const std::vector<std::string>& entries,
          const std::filesystem::path& dest, Compression c);

// Hex sha256 of a file's content. Throws luet::Error when it cannot be read.
// Hex sha256 of a byte string.
std::string sha256_string(std::string_view data);
std::string sha256_file(const std::filesystem::path& file);

}  // namespace luet::artifact
