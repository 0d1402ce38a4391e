// Install, uninstall, upgrade, reinstall and replace transactions on a rootfs.
//
// Order of a transaction (upstream: mudler/luet pkg/installer/installer.go):
// lock the rootfs → finish or undo an interrupted transaction (install/journal.hpp) → sync
// repositories → solve → fetch every artifact and verify its sha256 → check file conflicts →
// journal → extract (dependencies first) → move the leaving packages' files out → one
// database commit → run finalizers. Nothing is extracted before every artifact is verified;
// a failure before the commit, or a kill at any point, leaves the rootfs and the database as
// before the transaction (after the next command, for a kill). The journal lives in the
// database, the backups in <system_dir>/transaction-backup.
//
// Every call holds an exclusive flock on <system_dir>/luet.lock for its life; a second luet
// process changing the same rootfs fails at once with luet::Error.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "luet/config/config.hpp"
#include "luet/core/package.hpp"
#include "luet/core/process.hpp"

namespace luet::db {
class Database;
}

namespace luet::install {

struct Options {
    bool nodeps = false;         // install: ignore requires; uninstall: ignore reverse dependencies
    bool force = false;          // overwrite files owned by other packages or by none; install:
                                 // skip requested packages that cannot be solved
    bool onlydeps = false;       // install/replace: install only what the requested packages require
    bool download_only = false;  // fetch and verify into the packages cache, change nothing else
    bool relax = false;          // install: leave installed packages at their versions
    bool full = false;           // uninstall: also remove dependencies nothing else requires
    bool universe = false;       // upgrade: let the solver pick the best consistent set of upgrades
    bool deep = false;           // upgrade: an installed version no repository has any more goes to the
                                 // best version there is, lower ones included (geaaru/luet --deep)
    int concurrency = 4;         // artifacts downloaded at once
    bool skip_finalizers = false;  // do not run the installed packages' finalizers
    bool sync_repos = false;       // a repository that cannot be synced is an error, not a warning
    bool ignore_conflicts = false;  // install/upgrade/replace: solve as if no package declared conflicts
    bool ignore_masks = false;      // also pick packages the mask files (packages_maskdir) mask
};

struct Reporter {
    std::function<void(const std::string&)> progress;
    core::LineSink finalizer_output;
    // Download progress of one artifact: bytes so far and expected total (0 = unknown).
    std::function<void(const core::PackageForm&, std::uint64_t done, std::uint64_t total)> download;
    // Called once with the solved plan, before anything is downloaded or changed: the
    // packages to install (dependencies first: the order they are installed in) and the
    // installed ones to remove. Returning false ends the transaction there, with nothing
    // changed and Result::stopped set (upstream --pretend, --show-install-order, and the
    // question asked without -y).
    std::function<bool(const std::vector<core::PackageForm>& install, const std::vector<core::PackageForm>& remove)>
        confirm;
};

struct Result {
    std::vector<core::PackageForm> changed;      // installed (or, for uninstall, removed) packages
    std::vector<core::PackageForm> replaced;     // installed packages removed by the transaction
    std::vector<core::PackageForm> downloaded;   // with download_only: the artifacts fetched
    std::vector<std::string> finalizer_errors;   // one message per failed finalizer command
    bool stopped = false;                        // Reporter::confirm said no: nothing changed
};

// Installs the packages matching `refs` and what they require. Without opts.relax, installed
// packages with a newer version in the repositories are upgraded in the same transaction
// (upstream's "Checking for available upgrades"). Packages already installed are skipped;
// when nothing is left, Result::changed is empty.
// With opts.force, an unsatisfiable request does not fail: the requested packages (in order)
// that can be solved together are installed, each one left out is reported.
// Throws luet::ResolveError for unknown or unsatisfiable requests and luet::Error for
// repository, checksum, conflict and extraction problems; the rootfs and database are then
// as before the call.
Result install(const config::Config& cfg, const std::vector<core::PackageRef>& refs, const Options& opts,
               const Reporter& reporter);

// Removes the installed packages matching `refs`: exactly the files each one owns (folders
// only when left empty, files another package owns too stay). With opts.full, the packages
// they required that no remaining package requires go too. Throws luet::Error when a package
// is not installed or, without nodeps, when another installed package requires it.
Result uninstall(const config::Config& cfg, const std::vector<core::PackageRef>& refs, const Options& opts,
                 const Reporter& reporter);

// Upgrades every installed package to the best version the repositories have (build
// revisions "+N" included). A file moving from one package to another between versions is
// not a conflict. With opts.universe the solver may keep a package back when its upgrade
// would break a constraint; otherwise that is an error. Result::changed is empty when
// everything is up to date.
Result upgrade(const config::Config& cfg, const Options& opts, const Reporter& reporter);

// Removes and installs again the installed packages matching `refs`, at their installed
// version (upstream `luet reinstall`). Throws luet::Error when a package is not installed or
// its version is in no repository.
Result reinstall(const config::Config& cfg, const std::vector<core::PackageRef>& refs, const Options& opts,
                 const Reporter& reporter);

// Removes the installed packages `olds` and installs `news` (with what they require) in one
// transaction (upstream `luet replace OLD... --for NEW...`). Throws luet::Error when an old
// package is not installed, and as install() does.
Result replace(const config::Config& cfg, const std::vector<core::PackageRef>& olds,
               const std::vector<core::PackageRef>& news, const Options& opts, const Reporter& reporter);

// Installs from the enabled repository `repository` the highest version matching each of
// `refs`, without the solver: requires are not followed, an installed version of the same
// package is replaced (geaaru/luet `miner install-package`). Journaled like install().
// Throws luet::Error for an unknown or disabled repository, a reference it does not hold,
// or a file conflict (unless opts.force).
Result install_from(const config::Config& cfg, const std::string& repository, const std::vector<core::PackageRef>& refs,
                    const Options& opts, const Reporter& reporter);

// Runs `fn` as a transaction runs: the rootfs locked, an interrupted transaction finished or
// undone first, the database open. For commands that change the database or the caches
// outside install/uninstall (database create/remove/reindex, cleanup). Throws what fn throws,
// and luet::Error when the lock is held.
void with_rootfs(const config::Config& cfg, const Reporter& reporter, const std::function<void(db::Database&)>& fn);

}  // namespace luet::install
