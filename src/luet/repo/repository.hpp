// Repositories: creating them from built artifacts, and reading them as a client.
//
// Upstream: mudler/luet pkg/api/core/types/repository.go and pkg/installer/repository.go,
// geaaru/luet pkg/v2/repository (the "wagon" format, see ../shared/spec 003).
// A repository folder holds:
//   repository.yaml                 name, description, urls, type, revision, last_update,
//                                   repo_files.{tree,meta,compilertree}.{filename,
//                                   compressiontype,checksums.sha256}
//   tree.tar.gz                     CATEGORY/NAME/VERSION/{definition.yaml,finalize.yaml}
//   compilertree.tar.gz             the same plus build.yaml
//   repository.meta.yaml.tar.gz     repository.meta.yaml: "artifacts:" list of metadata
//   NAME-CATEGORY-VERSION.package.tar.gz and .metadata.yaml for every package
#pragma once

#include <filesystem>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "luet/artifact/artifact.hpp"
#include "luet/config/config.hpp"
#include "luet/spec/spec.hpp"

namespace luet::repo {

struct RepoFile {
    std::string filename;
    artifact::Compression compression = artifact::Compression::Gzip;
    std::string sha256;
};

// repository.yaml
struct RepositoryIndex {
    std::string name;
    std::string description;
    std::string type;  // disk | http | docker
    std::vector<std::string> urls;
    int priority = 0;
    int revision = 0;
    std::string last_update;                   // seconds since the epoch, as text
    std::map<std::string, RepoFile> repo_files;  // "tree", "meta", "compilertree"
};

std::string index_to_yaml(const RepositoryIndex& index);
RepositoryIndex index_from_yaml(const std::string& text, const std::string& origin);

struct CreateOptions {
    std::filesystem::path output;    // repository folder to write
    std::filesystem::path packages;  // folder with the built artifacts
    std::string name;
    std::string description;
    std::string type = "disk";
    std::vector<std::string> urls;
    int priority = 0;
    artifact::Compression tree_compression = artifact::Compression::Gzip;
    artifact::Compression meta_compression = artifact::Compression::Gzip;
};

// Writes a repository for every artifact metadata file in opts.packages whose package is
// in `tree`. Artifacts are checked against their sha256 and copied to opts.output when it is
// another folder. The revision is one more than the one already in opts.output.
// repository.yaml is written last, so a failure leaves the previous repository valid.
// Throws luet::Error naming the artifact on a checksum mismatch or a missing file.
RepositoryIndex create_repository(const spec::Tree& tree, const CreateOptions& opts);

// A package as a client sees it in a repository.
struct RepoPackage {
    artifact::Metadata meta;
    std::vector<std::string> finalize_install;
};

// A repository loaded by the client: its index and its packages.
struct LoadedRepository {
    RepositoryIndex index;
    std::string name;                 // configured name
    std::filesystem::path base;       // folder holding the artifacts (disk repositories)
    std::vector<RepoPackage> packages;
};

// Syncs a disk repository at `url` into `cache_dir` (database_path/repos/NAME): copies
// repository.yaml and, when its revision, last_update or checksums changed, the tree and meta
// documents, verifying each against repository.yaml before it replaces the cached copy.
// Then loads the packages from the cache. Throws luet::Error naming the repository and the
// document on a checksum mismatch (the previous cached copy stays).
LoadedRepository sync_disk(const std::string& name, const std::filesystem::path& url,
                           const std::filesystem::path& cache_dir);

// Syncs and loads every enabled repository of `cfg`, in configuration order, each into
// <system_dir>/repos/NAME. `progress` (may be empty) receives one line per repository.
// Throws luet::Error naming the repository and its config file on an unsupported type,
// missing urls, or a failed sync.
std::vector<LoadedRepository> load_enabled(const config::Config& cfg,
                                           const std::function<void(const std::string&)>& progress);

// Copies the package's artifact to `dest` and verifies its sha256 against the repository.
// Throws luet::Error naming the package on a mismatch; nothing is left at `dest` then.
void fetch_artifact(const LoadedRepository& repo, const RepoPackage& pkg, const std::filesystem::path& dest);

}  // namespace luet::repo
