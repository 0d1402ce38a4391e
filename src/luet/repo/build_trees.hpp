// The build trees of published repositories, for `luet build --from-repositories` and
// `luet create-repo --from-repositories`.
//
// Upstream: mudler/luet pkg/installer/repository.go LoadBuildTree + SyncBuildMetadata (geaaru's
// luet-build has the same code): every enabled repository of the configuration is synced, its
// `compilertree` document (the build specs it was built from, create-repo --with-compilertree)
// is unpacked into a temporary folder, and each of its packages' NAME-CATEGORY-VERSION.metadata.yaml
// is downloaded beside it. The compiler then resolves build dependencies missing from the local
// trees with those specs, and looks their build cache images up in the image repository the
// metadata records (compilespec.build_options.pushimagerepository; mudler's
// inheritSpecBuildOptions): with --pull the images the publisher pushed are pulled and no step
// of the dependency runs.
// Failures are per repository and not fatal (upstream warns "errors while loading trees from
// repositories" and goes on): a repository without a compilertree gives no specs.
#pragma once

#include <filesystem>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "luet/config/config.hpp"

namespace luet::repo {

struct RepositoryBuildTree {
    std::string repository;                      // the configured name
    int priority = 0;                            // the configured priority (lower is preferred)
    std::vector<std::filesystem::path> roots;    // the tree folders unpacked from its compilertree
    // "CAT/NAME-VERSION" -> compilespec.build_options.pushimagerepository of its metadata file
    // (packages whose metadata records none are absent).
    std::map<std::string, std::string> image_repositories;
};

// Syncs every enabled repository of `cfg` (see sync()) and unpacks its compilertree into
// dir/NAME/tree (each entry checked to stay inside it; the document's sha256 checked against
// repository.yaml), then downloads the metadata file of each of its packages into dir/NAME.
// Returns the repositories whose compilertree was read, by priority (lower first). Each
// repository that fails (no compilertree, a download, a checksum) is left out and `warn` gets
// one line naming it and why.
std::vector<RepositoryBuildTree> load_build_trees(const config::Config& cfg, const std::filesystem::path& dir,
                                                  const std::function<void(const std::string&)>& warn);

}  // namespace luet::repo
