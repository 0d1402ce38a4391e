// Emptying the client's caches (mudler/luet cmd/cleanup.go; geaaru/luet
// pkg/v2/installer CleanLocalPackagesCache and PurgeLocalReposCache).
#pragma once

#include <cstddef>
#include <string>

#include "luet/config/config.hpp"

namespace luet::install {

// True for the file names luet writes into the packages cache: artifacts
// ("NAME-CATEGORY-VERSION.package.tar[.gz|.zst]") and their partial downloads.
bool is_cached_artifact(const std::string& name);

// Removes the artifacts (is_cached_artifact; folders and other files are left) of the packages
// cache (<system_dir>/<pkgs_cache_path>, or pkgs_cache_path itself when absolute) and returns
// how many went. Upstream removes every file there; an absolute pkgs_cache_path can name any
// host folder, so only luet's own files go. A missing cache counts 0.
// Throws luet::Error naming the file that cannot be removed.
std::size_t clean_packages_cache(const config::Config& cfg);

// Removes every repository's local copy (the folders of <system_dir>/repos) and returns how
// many went; the next command syncs them again. Throws luet::Error naming the folder.
std::size_t purge_repositories(const config::Config& cfg);

}  // namespace luet::install
