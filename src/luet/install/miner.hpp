// Low-level package operations of `luet miner` (geaaru/luet cmd/miner, pkg/v2/installer
// ArtifactsManager): no solver, packages taken in the order given, dependencies not checked.
#pragma once

#include <string>
#include <vector>

#include "luet/config/config.hpp"
#include "luet/core/package.hpp"
#include "luet/install/transaction.hpp"

namespace luet::install {

// Extracts again every installed package matching `refs` from the same version in the
// enabled repositories, applying the current subsets and config protect, and records the new
// file list. Files the package no longer installs (e.g. those of a subset disabled since) are
// removed: folders only when empty, files of other packages and protected files stay.
// Every artifact is fetched and verified before the rootfs is touched; a failed extraction
// removes what it created and leaves the database as it was.
// Then the packages' finalizers run (unless skip_finalizers), as install runs them.
// Throws luet::Error when a reference matches no installed package, or the installed version
// is in no enabled repository.
Result reinstall_packages(const config::Config& cfg, const std::vector<core::PackageRef>& refs,
                          bool skip_finalizers, const Reporter& reporter);

// Installs, from the enabled repository `repository`, the highest version matching each of
// `refs`, without resolving dependencies. Without `force`, a file owned by another installed
// package is a conflict. Then the finalizers run unless skip_finalizers.
// Throws luet::Error for an unknown repository, a reference it does not hold, or a conflict.
Result install_packages(const config::Config& cfg, const std::string& repository,
                        const std::vector<core::PackageRef>& refs, bool force, bool skip_finalizers,
                        const Reporter& reporter);

}  // namespace luet::install
