// The documents of a repository besides repository.yaml (see repository.hpp): the tree
// document (tree_document.cpp) and the legacy meta document (meta_document.cpp). Internal
// to repo/: create-repo writes them, the client reads them and keeps its local copy in the
// same shapes.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "luet/artifact/artifact.hpp"

namespace luet::repo {

class TreeIndexWriter;

// One package folder of the tree document, CATEGORY/NAME/VERSION/.
struct TreePackage {
    artifact::Metadata meta;      // metadata.json
    std::string definition_yaml;  // definition.yaml as the tree has it
    std::string finalize_yaml;    // finalize.yaml, "" when the package has none
};

// "CATEGORY/NAME/VERSION"
std::string package_dir(const core::PackageForm& f);

// The files of the tree document (name inside the tarball -> content): every package's
// definition.yaml, finalize.yaml and metadata.json (geaaru luet-build factory.go
// createPackage), and provides.yaml, "provides: {CAT/NAME: [runtime of each provider]}"
// (geaaru pkg/v2/repository/provides.go).
std::map<std::string, std::string> tree_files(const std::vector<TreePackage>& packages);

// The packages of a tree document's files. treev2 (`meta` null): every folder holding a
// definition.yaml is a package, its metadata.json (else metadata.yaml) the metadata (geaaru
// wagon_stones.go analyzePackageDir). Legacy (`meta` = the meta document's index): the
// index entries whose folder holds a definition.yaml, with that definition as the runtime
// (geaaru wagon.go ExplodeMetadata; mudler/luet reads its packages from the tree).
// Throws luet::Error naming `origin` and the folder on unreadable metadata, a folder whose
// metadata names another package, or a name that would leave the folder.
std::vector<TreePackage> read_tree(const std::map<std::string, std::string>& files,
                                   const std::vector<artifact::Metadata>* meta, const std::string& origin);

// The files of the treev2 document `file`, read one at a time (artifact::for_each_tar_file,
// with its limits), into `writer` (its caller calls finish()): definition.yaml, finalize.yaml,
// metadata.json (parsed) and metadata.yaml of each CATEGORY/NAME/VERSION folder. Throws
// luet::Error naming `origin` and the file on a name that would leave the folder or
// unreadable metadata.json.
void stream_tree(const std::filesystem::path& file, std::uint64_t max_file_bytes, std::uint64_t max_total_bytes,
                 const std::string& origin, TreeIndexWriter& writer);

// repository.meta.yaml: "index:" followed by every artifact's metadata (mudler/luet
// LuetSystemRepositoryMetadata, geaaru StonesCatalog). `for_client`: only what a client
// reads (path, compressiontype, checksums, files, runtime), for the local copy that every
// command parses; the build side (compilespec, compilationspec, dependencies,
// package_cacheimage) is left out.
std::string meta_yaml(const std::vector<artifact::Metadata>& index, bool for_client = false);
// Reads it; `artifacts:` (what luet C++ wrote before it wrote `index:`) is read as well.
// Throws luet::Error naming `origin` on malformed YAML or metadata.
std::vector<artifact::Metadata> parse_meta(const std::string& text, const std::string& origin);

}  // namespace luet::repo
