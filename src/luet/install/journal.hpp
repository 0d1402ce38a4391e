// The journal of an install transaction: what it is about to change in the rootfs, written
// to the database (db::Database::set_journal) before the first change, so that a transaction
// killed at any point can be undone by the next luet command that changes the rootfs.
//
// The protocol (install::Transaction follows it):
//   1. journal stored                       nothing changed yet
//   2. backups: every existing path the new packages write is hard-linked into the backup
//      folder (copied across filesystems)   rootfs unchanged
//   3. the new packages are extracted       (extraction unlinks before it writes, so the
//                                            backups keep the old content)
//   4. files of leaving packages are moved into the backup folder
//   5. database commit: leaving records out, new records in, journal marked committed, in
//      one SQL transaction                  the point of truth
//   6. finish(): the leaving packages' emptied folders and the backup folder removed, the new
//      packages' finalizers run, journal cleared (a kill during the finalizers runs them all
//      again from the next command: at least once rather than at most once)
// An uncommitted journal found in the database means step 5 never happened: roll_back() puts
// the rootfs back as it was before step 2. A committed one is finished.
#pragma once

#include <filesystem>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace luet::db {
class Database;
}

namespace luet::install {

struct Journal {
    // Non-folder entries (rootfs-relative, e.g. "usr/bin/x") the new packages write.
    std::vector<std::string> written;
    // Folders the transaction may create (absent before it), removed again when empty.
    std::vector<std::string> created_dirs;
    // rootfs-relative path -> file name in the backup folder holding its previous content, in
    // the order they are made. Planned up front: a missing backup file means the path was
    // never touched.
    std::vector<std::pair<std::string, std::string>> backups;
    // Folders of the leaving packages, removed after the commit when empty and unowned.
    std::vector<std::string> leaving_dirs;
    // Set in the document the database commit stores: only finish() is left to do.
    bool committed = false;
    // Packages ("category/name-version", in install order) whose finalizers finish() runs.
    std::vector<std::string> finalize;

    // JSON text, as stored in the database's journal table.
    std::string to_json() const;
    // Throws luet::Error naming `origin` on a malformed document.
    static Journal from_json(const std::string& text, const std::string& origin);
};

// Puts `rootfs` back as it was before the journal's transaction touched it, then removes
// `backup_dir`. Safe to repeat after being interrupted itself.
void roll_back(const std::filesystem::path& rootfs, const std::filesystem::path& backup_dir, const Journal& journal);

// Runs the finalizers of the installed packages named "category/name-version".
using FinalizerRun = std::function<void(const std::vector<std::string>& packages)>;

// Step 6 of a committed transaction, safe to repeat: removes the journal's leaving folders
// that are empty and owned by no installed package and the backup folder, hands
// journal.finalize to `run_finalizers` (may be empty), then clears the journal.
void finish(const std::filesystem::path& rootfs, const std::filesystem::path& backup_dir, const Journal& journal,
            db::Database& database, const FinalizerRun& run_finalizers);

enum class Recovery { none, rolled_back, finished };

// Undoes or finishes a transaction interrupted in `rootfs` (call with the rootfs lock held),
// following the journal in `database`; without one, a leftover backup folder is removed.
// A committed journal is finished with `run_finalizers`.
Recovery recover(const std::filesystem::path& rootfs, const std::filesystem::path& backup_dir,
                 db::Database& database, const FinalizerRun& run_finalizers);

// Test hook: LUET_TEST_CRASH_AT=<step>:<n> makes the n-th (from 1) call of crash_point(step)
// kill the process with SIGKILL, so that tests can interrupt a transaction at a named point
// deterministically. Steps of install::Transaction: "journal", "backup" (after each backup),
// "entry" (after each archive entry written by extract()), "extract" (after each package),
// "remove" (after each file moved out), "commit".
// Without the variable this does nothing.
void crash_point(std::string_view step);

}  // namespace luet::install
