#include "luet/db/database.hpp"

#include <sqlite3.h>
#include <yaml-cpp/yaml.h>

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <set>
#include <string_view>

#include "luet/core/error.hpp"
#include "luet/spec/yaml_util.hpp"

namespace fs = std::filesystem;

namespace luet::db {
namespace {

struct Stmt {
    sqlite3_stmt* s = nullptr;
    Stmt(sqlite3* db, const char* sql, const fs::path& file) {
        if (sqlite3_prepare_v2(db, sql, -1, &s, nullptr) != SQLITE_OK)
            throw Error("database " + file.string() + ": " + sqlite3_errmsg(db));
    }
    ~Stmt() { sqlite3_finalize(s); }
    Stmt& bind(int i, const std::string& v) {
        sqlite3_bind_text(s, i, v.c_str(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
        return *this;
    }
    bool step() { return sqlite3_step(s) == SQLITE_ROW; }
    std::string text(int col) const {
        auto p = reinterpret_cast<const char*>(sqlite3_column_text(s, col));
        return p ? p : "";
    }
};

// The finalize column: a flow list of the install commands, or, when the package has
// uninstall commands or a shell, a map {install, uninstall, shell} (older records are lists).
std::string finalize_to_yaml(const InstalledPackage& p) {
    YAML::Emitter out;
    out << YAML::Flow;
    if (p.finalize_uninstall.empty() && p.finalize_shell.empty()) {
        out << p.finalize_install;
    } else {
        out << YAML::BeginMap << YAML::Key << "install" << YAML::Value << p.finalize_install << YAML::Key
            << "uninstall" << YAML::Value << p.finalize_uninstall << YAML::Key << "shell" << YAML::Value
            << p.finalize_shell << YAML::EndMap;
    }
    return out.c_str();
}

void finalize_from_yaml(const std::string& text, InstalledPackage& p) {
    const YAML::Node n = YAML::Load(text);
    auto list = [](const YAML::Node& l, std::vector<std::string>& out) {
        if (l && l.IsSequence())
            for (const auto& c : l) out.push_back(c.Scalar());
    };
    if (n.IsMap()) {
        list(n["install"], p.finalize_install);
        list(n["uninstall"], p.finalize_uninstall);
        list(n["shell"], p.finalize_shell);
    } else {
        list(n, p.finalize_install);
    }
}

constexpr const char* kSchema =
    "CREATE TABLE IF NOT EXISTS packages ("
    " id INTEGER PRIMARY KEY, category TEXT NOT NULL, name TEXT NOT NULL, version TEXT NOT NULL,"
    " repository TEXT NOT NULL, definition TEXT NOT NULL, finalize TEXT NOT NULL,"
    " UNIQUE(category, name, version));"
    "CREATE TABLE IF NOT EXISTS files ("
    " package_id INTEGER NOT NULL REFERENCES packages(id) ON DELETE CASCADE, path TEXT NOT NULL);"
    "CREATE INDEX IF NOT EXISTS files_path ON files(path);"
    "CREATE INDEX IF NOT EXISTS files_package ON files(package_id);"
    "CREATE TABLE IF NOT EXISTS journal (id INTEGER PRIMARY KEY CHECK (id = 1), doc TEXT NOT NULL);";

// A missing database file is made whole under another name (without SQLite's flushes),
// flushed once and renamed into place, and its folder flushed: a new rootfs's first command
// pays two flushes instead of the rollback journal's and the first commit's (about ten).
// Another process that made it first wins (the rename does not replace). Throws luet::Error.
void create_database(const fs::path& file) {
    const fs::path part = file.string() + ".new." + std::to_string(::getpid());
    auto discard = [&] {
        std::error_code ec;
        for (const char* suffix : {"", "-wal", "-shm", "-journal"}) fs::remove(part.string() + suffix, ec);
    };
    discard();
    sqlite3* db = nullptr;
    const int rc = sqlite3_open_v2(part.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr);
    char* err = nullptr;
    const bool made = rc == SQLITE_OK &&
                      sqlite3_exec(db,
                                   (std::string("PRAGMA synchronous=OFF; PRAGMA journal_mode=WAL; BEGIN;") + kSchema +
                                    "COMMIT;")
                                       .c_str(),
                                   nullptr, nullptr, &err) == SQLITE_OK;
    const std::string msg = err ? err : db ? sqlite3_errmsg(db) : "out of memory";
    sqlite3_free(err);
    // Closing the only connection moves the write-ahead log into the file and removes it.
    const bool closed = sqlite3_close(db) == SQLITE_OK;
    if (!made || !closed) {
        discard();
        throw Error("cannot create database " + file.string() + ": " + (made ? "cannot close it" : msg));
    }
    auto flush = [](const fs::path& p, int flags) {
        const int fd = ::open(p.c_str(), flags | O_CLOEXEC);
        const bool ok = fd >= 0 && ::fsync(fd) == 0;
        if (fd >= 0) ::close(fd);
        return ok;
    };
    if (!flush(part, O_RDONLY)) {
        discard();
        throw Error("cannot create database " + file.string() + ": cannot flush " + part.string());
    }
    if (::renameat2(AT_FDCWD, part.c_str(), AT_FDCWD, file.c_str(), RENAME_NOREPLACE) != 0) {
        const int e = errno;
        discard();
        if (e != EEXIST) throw Error("cannot create database " + file.string() + ": " + std::strerror(e));
        return;
    }
    if (!flush(file.parent_path(), O_RDONLY | O_DIRECTORY))
        throw Error("cannot create database " + file.string() + ": cannot flush its folder");
}

}  // namespace

Database::Database(const fs::path& file) : Database(file, false) {}

Database Database::for_reading(const fs::path& file) { return Database(file, !fs::exists(file)); }

Database::Database(const fs::path& file, bool in_memory) : file_(file) {
    if (!in_memory) {
        fs::create_directories(file.parent_path());
        std::error_code ec;
        if (!fs::exists(fs::symlink_status(file, ec))) create_database(file);
    }
    if (sqlite3_open(in_memory ? ":memory:" : file.c_str(), &db_) != SQLITE_OK) {
        std::string msg = db_ ? sqlite3_errmsg(db_) : "out of memory";
        sqlite3_close(db_);
        throw Error("cannot open database " + file.string() + ": " + msg);
    }
    sqlite3_busy_timeout(db_, 10000);
    // The schema in one transaction: an existing database writes nothing. Closing the
    // connection on an error rolls back what was begun.
    try {
        exec(std::string("PRAGMA journal_mode=WAL; PRAGMA foreign_keys=ON; BEGIN;") + kSchema + "COMMIT;");
    } catch (...) {
        sqlite3_close(db_);
        throw;
    }
}

Database::~Database() { sqlite3_close(db_); }

void Database::exec(const std::string& sql) const {
    char* err = nullptr;
    if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
        std::string msg = err ? err : "unknown error";
        sqlite3_free(err);
        throw Error("database " + file_.string() + ": " + msg);
    }
}

std::vector<InstalledPackage> Database::packages() const {
    std::vector<InstalledPackage> out;
    Stmt q(db_, "SELECT definition, repository, finalize FROM packages ORDER BY category, name", file_);
    while (q.step()) {
        InstalledPackage p;
        p.definition = spec::parse_definition(q.text(0), "database " + file_.string());
        p.repository = q.text(1);
        finalize_from_yaml(q.text(2), p);
        out.push_back(std::move(p));
    }
    return out;
}

std::vector<core::PackageForm> Database::forms() const {
    std::vector<core::PackageForm> out;
    Stmt q(db_, "SELECT category, name, version FROM packages ORDER BY category, name", file_);
    while (q.step()) out.push_back({q.text(0), q.text(1), q.text(2)});
    return out;
}

std::vector<std::string> Database::files(const core::PackageForm& f) const {
    std::vector<std::string> out;
    Stmt q(db_,
           "SELECT path FROM files JOIN packages ON packages.id = files.package_id "
           "WHERE category = ?1 AND name = ?2 AND version = ?3 ORDER BY path",
           file_);
    q.bind(1, f.category).bind(2, f.name).bind(3, f.version);
    while (q.step()) out.push_back(q.text(0));
    return out;
}

bool Database::contains(const core::PackageForm& f) const {
    Stmt q(db_, "SELECT 1 FROM packages WHERE category = ?1 AND name = ?2 AND version = ?3", file_);
    q.bind(1, f.category).bind(2, f.name).bind(3, f.version);
    return q.step();
}

std::vector<core::PackageForm> Database::owners(const std::string& path) const {
    Stmt q(db_,
           "SELECT category, name, version FROM files JOIN packages ON packages.id = files.package_id "
           "WHERE path = ?1",
           file_);
    q.bind(1, path);
    std::vector<core::PackageForm> out;
    while (q.step()) out.push_back({q.text(0), q.text(1), q.text(2)});
    return out;
}

void Database::insert(const InstalledPackage& pkg, const std::vector<std::string>& files) {
    const auto& f = pkg.definition.form;
    Stmt del(db_, "DELETE FROM packages WHERE category = ?1 AND name = ?2 AND version = ?3", file_);
    del.bind(1, f.category).bind(2, f.name).bind(3, f.version);
    del.step();
    Stmt ins(db_,
             "INSERT INTO packages (category, name, version, repository, definition, finalize) "
             "VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
             file_);
    ins.bind(1, f.category).bind(2, f.name).bind(3, f.version).bind(4, pkg.repository);
    ins.bind(5, spec::definition_to_yaml(pkg.definition)).bind(6, finalize_to_yaml(pkg));
    if (sqlite3_step(ins.s) != SQLITE_DONE) throw Error("database " + file_.string() + ": " + sqlite3_errmsg(db_));
    const auto id = std::to_string(sqlite3_last_insert_rowid(db_));
    Stmt file_ins(db_, "INSERT INTO files (package_id, path) VALUES (?1, ?2)", file_);
    std::set<std::string_view> seen;  // an artifact or metadata listing a path twice records it once
    for (const auto& path : files) {
        if (!seen.insert(path).second) continue;
        sqlite3_reset(file_ins.s);
        file_ins.bind(1, id).bind(2, path);
        if (sqlite3_step(file_ins.s) != SQLITE_DONE)
            throw Error("database " + file_.string() + ": " + sqlite3_errmsg(db_));
    }
}

void Database::add(const InstalledPackage& pkg, const std::vector<std::string>& files) {
    exec("BEGIN IMMEDIATE");
    try {
        insert(pkg, files);
        exec("COMMIT");
    } catch (...) {
        exec("ROLLBACK");
        throw;
    }
}

void Database::commit(const std::vector<core::PackageForm>& remove,
                      const std::vector<std::pair<InstalledPackage, std::vector<std::string>>>& add,
                      const std::string& journal_after) {
    exec("BEGIN IMMEDIATE");
    try {
        for (const auto& f : remove) this->remove(f);
        for (const auto& [pkg, files] : add) insert(pkg, files);
        set_journal(journal_after);
        exec("COMMIT");
    } catch (...) {
        exec("ROLLBACK");
        throw;
    }
}

std::optional<std::string> Database::journal() const {
    Stmt q(db_, "SELECT doc FROM journal WHERE id = 1", file_);
    if (!q.step()) return std::nullopt;
    return q.text(0);
}

void Database::set_journal(const std::string& doc) {
    Stmt q(db_, "INSERT OR REPLACE INTO journal (id, doc) VALUES (1, ?1)", file_);
    q.bind(1, doc);
    if (sqlite3_step(q.s) != SQLITE_DONE) throw Error("database " + file_.string() + ": " + sqlite3_errmsg(db_));
}

void Database::clear_journal() { exec("DELETE FROM journal"); }

void Database::remove(const core::PackageForm& f) {
    Stmt del(db_, "DELETE FROM packages WHERE category = ?1 AND name = ?2 AND version = ?3", file_);
    del.bind(1, f.category).bind(2, f.name).bind(3, f.version);
    if (sqlite3_step(del.s) != SQLITE_DONE) throw Error("database " + file_.string() + ": " + sqlite3_errmsg(db_));
}

void Database::reindex() { exec("REINDEX"); }

}  // namespace luet::db
