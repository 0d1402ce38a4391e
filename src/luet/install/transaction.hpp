// Install and uninstall transactions on a rootfs.
//
// Order of an install (upstream: mudler/luet pkg/installer/installer.go):
// sync repositories → solve → fetch every artifact and verify its sha256 → check file
// conflicts → extract (dependencies first) and record each package in the database →
// run finalizers. Nothing is extracted before every artifact is verified; a failure while
// extracting removes what this transaction extracted and recorded.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "luet/config/config.hpp"
#include "luet/core/package.hpp"
#include "luet/core/process.hpp"

namespace luet::install {

struct Options {
    bool nodeps = false;  // ignore requires (install) or reverse dependencies (uninstall)
    bool force = false;   // overwrite files owned by other packages
    int concurrency = 4;  // artifacts downloaded at once
};

struct Reporter {
    std::function<void(const std::string&)> progress;
    core::LineSink finalizer_output;
    // Download progress of one artifact: bytes so far and expected total (0 = unknown).
    std::function<void(const core::PackageForm&, std::uint64_t done, std::uint64_t total)> download;
};

struct Result {
    std::vector<core::PackageForm> changed;      // installed or removed packages
    std::vector<core::PackageForm> replaced;     // installed packages removed because a new one provides them
    std::vector<std::string> finalizer_errors;   // one message per failed finalizer command
};

// Installs the packages matching `refs` and what they require. Packages already installed
// are skipped; when nothing is left, Result::changed is empty.
// Throws luet::ResolveError for unknown or unsatisfiable requests and luet::Error for
// repository, checksum, conflict and extraction problems; the rootfs and database are then
// as before the call.
Result install(const config::Config& cfg, const std::vector<core::PackageRef>& refs, const Options& opts,
               const Reporter& reporter);

// Removes the installed packages matching `refs`: exactly the files each one owns (folders
// only when left empty). Throws luet::Error when a package is not installed or, without
// nodeps, when another installed package requires it.
Result uninstall(const config::Config& cfg, const std::vector<core::PackageRef>& refs, const Options& opts,
                 const Reporter& reporter);

}  // namespace luet::install
