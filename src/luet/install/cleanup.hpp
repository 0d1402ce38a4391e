// Emptying the client's caches (mudler/luet cmd/cleanup.go; geaaru/luet
// pkg/v2/installer CleanLocalPackagesCache and PurgeLocalReposCache).
#pragma once

#include <cstddef>

#include "luet/config/config.hpp"

namespace luet::install {

// Removes every file (folders are left, as upstream does) of the packages cache
// (<system_dir>/<pkgs_cache_path>) and returns how many went. A missing cache counts 0.
// Throws luet::Error naming the file that cannot be removed.
std::size_t clean_packages_cache(const config::Config& cfg);

// Removes every repository's local copy (the folders of <system_dir>/repos) and returns how
// many went; the next command syncs them again. Throws luet::Error naming the folder.
std::size_t purge_repositories(const config::Config& cfg);

}  // namespace luet::install
