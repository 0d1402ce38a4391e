// Artifacts: the package tarball and its metadata file.
//
// An artifact is NAME-CATEGORY-VERSION.package.tar[.gz|.zst] beside
// NAME-CATEGORY-VERSION.metadata.yaml. The metadata document is upstream's PackageArtifact
// (mudler/luet pkg/api/core/types/artifact/artifact.go, geaaru/luet
// pkg/v2/compiler/types/artifact/artifact.go); the same document is written as YAML
// (.metadata.yaml, the legacy meta's `index:` entries) and as JSON (treev2's metadata.json):
//   path                 artifact file name (upstream writes the absolute build path; only
//                        the file name is read)
//   compressiontype      none | gzip | zstd
//   checksums.sha256
//   files                entries of the artifact, without a leading "/"
//   runtime              the whole definition (requires, conflicts, provides, labels, ...)
//   compilespec          how it was built: package {name, category, version, buildtimestamp},
//                        steps, env, prelude, image, seed, package_dir, retrieve, unpack,
//                        includes, excludes, build_options, copy, requires_final_images
//   dependencies         always [] (upstream keeps it for artifacts of a build graph)
//   package_cacheimage   the build cache image, "" for packed artifacts
// The upstreams disagree on one key: geaaru writes and reads `compilespec`, mudler
// (ghodss/yaml over json tags) writes and reads `compilationspec`, and its client needs
// `compilationspec.package` to find an artifact. We write both keys with the same content;
// each client ignores the other's. Reading accepts either; without `runtime` the package is
// compilespec.package (as both upstream clients do).
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
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

// compilespec: the build spec an artifact came from (upstream's LuetCompilationSpec).
// `copy` is written empty and not read back; of `build_options` (upstream's CompilerOptions,
// marshalled by yaml.v3 with lower-cased field names) only `pushimagerepository` is written and
// read: null when it is empty.
struct CompileSpec {
    core::PackageForm package;   // compilespec.package
    std::string build_timestamp; // compilespec.package.buildtimestamp, free text
    std::string image;
    std::string seed;
    std::string package_dir;
    std::vector<std::string> steps;
    std::vector<std::string> env;
    std::vector<std::string> prelude;
    std::vector<std::string> retrieve;
    std::vector<std::string> includes;
    std::vector<std::string> excludes;
    bool unpack = false;
    bool requires_final_images = false;
    // build_options.pushimagerepository: the image repository the package's build cache images
    // (cache.hpp) went to, `luet build --image-repository`. `build --from-repositories` looks a
    // package of a repository's compilertree up there (mudler/luet inheritSpecBuildOptions).
    std::string push_image_repository;
};

// The compilespec of a package built from `build` (build.yaml).
CompileSpec compile_spec(const core::PackageForm& form, const spec::BuildSpec& build);

struct Metadata {
    std::string path;  // artifact file name, relative to the metadata file's folder
    Compression compression = Compression::Gzip;
    std::string sha256;               // hex sha256 of the artifact file
    std::vector<std::string> files;   // entries of the artifact, e.g. "usr/bin/hello"
    spec::Definition runtime;         // the package's whole definition
    CompileSpec compilespec;
    std::string package_cacheimage;

    // NAME-CATEGORY-VERSION.metadata.yaml
    std::string metadata_file_name() const;
};

// The metadata document as JSON (treev2's metadata.json) and as YAML (.metadata.yaml,
// strings quoted where a YAML reader would type them otherwise: version: "1.0").
std::string metadata_to_json(const Metadata& m);
nlohmann::json metadata_json(const Metadata& m);
// The runtime definition as upstream's package JSON (also the entries of provides.yaml).
nlohmann::json runtime_json(const spec::Definition& d);
std::string metadata_to_yaml(const Metadata& m);
// Throws luet::Error naming `origin` on malformed metadata. JSON text (a document starting
// with '{') is read with nlohmann-json when that gives what reading it as YAML gives (plain
// string fields), else as YAML.
Metadata metadata_from_yaml(const std::string& text, const std::string& origin);
// The same from a node already parsed (one element of a meta document's index).
Metadata metadata_from_node(const YAML::Node& n, const std::string& origin);
Metadata read_metadata(const std::filesystem::path& file);
// Writes atomically (temporary file + rename).
void write_metadata(const Metadata& m, const std::filesystem::path& file);

// Entry times of artifacts are clamped to a "source date epoch" (seconds since 1970-01-01 UTC,
// https://reproducible-builds.org/specs/source-date-epoch/): a time after it is written as
// it. The CLI takes SOURCE_DATE_EPOCH from the environment; without it, this fixed epoch
// (1980-01-01T00:00:00Z) is used, so that the same content always gives the same bytes.
inline constexpr std::int64_t kDefaultSourceDateEpoch = 315532800;

// Packs `entries` (paths relative to `root`, in the given order) into the tarball `dest`
// (pax, as upstream's docker archive.Tar writes it), preserving type, mode, numeric owner,
// xattrs, symlinks and hard links. The bytes depend only on the entries' content and
// attributes and on `source_date_epoch`: modification times are clamped to it and written
// in whole seconds; no atime/ctime, owner names, file flags, sparse maps or SELinux labels
// (the build host's) are written; the gzip header has no time and no name. The file is
// written beside `dest` under a temporary name and renamed when complete.
// Throws luet::Error on I/O failure (nothing is left at `dest`).
void pack(const std::filesystem::path& root, const std::vector<std::string>& entries,
          const std::filesystem::path& dest, Compression c,
          std::int64_t source_date_epoch = kDefaultSourceDateEpoch);
// The same for entries read from anywhere: (file on disk, name in the tarball).
struct PackEntry {
    std::filesystem::path source;
    std::string name;
};
void pack(const std::vector<PackEntry>& entries, const std::filesystem::path& dest, Compression c,
          std::int64_t source_date_epoch = kDefaultSourceDateEpoch);

// Hex sha256 of a file's content. Throws luet::Error when it cannot be read.
// Hex sha256 of a byte string.
std::string sha256_string(std::string_view data);
std::string sha256_file(const std::filesystem::path& file);

}  // namespace luet::artifact
