// The installed-package database (SQLite, WAL), at <rootfs>/<database_path>/luet.sqlite.
// Upstream keeps the same facts in BoltDB (luet.db): installed packages, their files and
// their finalizers. Every change is one SQL transaction: a package and its file list
// appear or disappear together.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "luet/spec/spec.hpp"

struct sqlite3;

namespace luet::db {

struct InstalledPackage {
    spec::Definition definition;
    std::string repository;
    std::vector<std::string> finalize_install;
    std::vector<std::string> finalize_uninstall;  // run after the package is removed
    std::vector<std::string> finalize_shell;      // empty: sh -c
};

class Database {
public:
    // Opens (creating when missing) the database file. Throws luet::Error naming the file.
    explicit Database(const std::filesystem::path& file);
    // For commands that only read (search, query, database get): a missing file is an empty
    // database held in memory, so reading creates nothing in the rootfs.
    static Database for_reading(const std::filesystem::path& file);
    ~Database();
    Database(const Database&) = delete;
    Database& operator=(const Database&) = delete;

    std::vector<InstalledPackage> packages() const;
    // The installed package forms alone, ordered by category and name (no definition parsed).
    std::vector<core::PackageForm> forms() const;
    // Files (archive entry names, e.g. "usr/bin/hello") owned by the package.
    std::vector<std::string> files(const core::PackageForm& form) const;
    // Every installed package listing `path` (several after a forced install).
    std::vector<core::PackageForm> owners(const std::string& path) const;
    // Whether the package is recorded.
    bool contains(const core::PackageForm& form) const;

    // Records a package and its files in one transaction (replacing an older record of the
    // same package form).
    void add(const InstalledPackage& pkg, const std::vector<std::string>& files);
    // Removes a package and its files in one transaction.
    void remove(const core::PackageForm& form);
    // Rebuilds every index (SQLite REINDEX), as geaaru/luet `database reindex` does for its
    // BoltDB indexes. Throws luet::Error naming the file.
    void reindex();

    // One install transaction's change, in one SQL transaction: the `remove` records go, the
    // `add` records (each with its files) come, and the journal becomes `journal_after`.
    // This is the commit point of install::Transaction: before it nothing is recorded,
    // after it all is.
    void commit(const std::vector<core::PackageForm>& remove,
                const std::vector<std::pair<InstalledPackage, std::vector<std::string>>>& add,
                const std::string& journal_after);

    // The journal of the transaction in progress (install/journal.hpp gives the document's
    // shape), if one was begun and neither committed nor cleared.
    std::optional<std::string> journal() const;
    // Stores the journal document (replacing an older one), durably, before the rootfs changes.
    void set_journal(const std::string& doc);
    void clear_journal();

private:
    Database(const std::filesystem::path& file, bool in_memory);
    // Records a package and its files inside the caller's SQL transaction.
    void insert(const InstalledPackage& pkg, const std::vector<std::string>& files);
    void exec(const std::string& sql) const;
    sqlite3* db_ = nullptr;
    std::filesystem::path file_;
};

}  // namespace luet::db
