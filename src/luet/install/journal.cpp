#include "luet/install/journal.hpp"

#include <csignal>
#include <cstdlib>

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>

#include "luet/core/error.hpp"
#include "luet/db/database.hpp"
#include "luet/install/extract.hpp"

namespace fs = std::filesystem;

namespace luet::install {

std::string Journal::to_json() const {
    nlohmann::json doc;
    doc["written"] = written;
    doc["created_dirs"] = created_dirs;
    doc["backups"] = nlohmann::json::array();
    for (const auto& [path, name] : backups) doc["backups"].push_back({path, name});
    doc["leaving_dirs"] = leaving_dirs;
    doc["committed"] = committed;
    doc["finalize"] = finalize;
    return doc.dump();
}

Journal Journal::from_json(const std::string& text, const std::string& origin) {
    try {
        const auto doc = nlohmann::json::parse(text);
        Journal j;
        j.written = doc.at("written").get<std::vector<std::string>>();
        j.created_dirs = doc.at("created_dirs").get<std::vector<std::string>>();
        for (const auto& b : doc.at("backups")) j.backups.emplace_back(b.at(0).get<std::string>(), b.at(1).get<std::string>());
        j.leaving_dirs = doc.at("leaving_dirs").get<std::vector<std::string>>();
        j.committed = doc.at("committed").get<bool>();
        j.finalize = doc.at("finalize").get<std::vector<std::string>>();
        return j;
    } catch (const nlohmann::json::exception& e) {
        throw Error(origin + ": malformed transaction journal: " + e.what());
    }
}

void roll_back(const fs::path& rootfs, const fs::path& backup_dir, const Journal& journal) {
    std::map<std::string, fs::path> backup_of;
    for (const auto& [path, name] : journal.backups) backup_of[path] = backup_dir / name;
    std::error_code ec;
    // What the transaction wrote goes, except where a planned backup was never made: the
    // backups all precede the first write, so such a path still holds its own content.
    // Children first: a symlinked folder must still be there to reach its files.
    std::vector<std::string> written = journal.written;
    std::sort(written.rbegin(), written.rend());
    for (const auto& path : written) {
        auto it = backup_of.find(path);
        if (it != backup_of.end() && !fs::exists(fs::symlink_status(it->second, ec))) continue;
        const fs::path host = resolve_in_root(rootfs, path, false);
        if (!fs::is_directory(fs::symlink_status(host, ec))) fs::remove(host, ec);
    }
    // In the reverse order of their making, so a symlinked folder comes back before its files.
    for (auto it = journal.backups.rbegin(); it != journal.backups.rend(); ++it) {
        const fs::path aside = backup_dir / it->second;
        if (!fs::exists(fs::symlink_status(aside, ec))) continue;
        const fs::path host = resolve_in_root(rootfs, it->first, false);
        fs::create_directories(host.parent_path(), ec);
        fs::rename(aside, host);
    }
    std::vector<std::string> dirs = journal.created_dirs;
    std::sort(dirs.rbegin(), dirs.rend());  // children before their parents
    for (const auto& d : dirs) {
        const fs::path host = resolve_in_root(rootfs, d, false);
        if (fs::is_directory(fs::symlink_status(host, ec)) && fs::is_empty(host, ec)) fs::remove(host, ec);
    }
    fs::remove_all(backup_dir);
}

void finish(const fs::path& rootfs, const fs::path& backup_dir, const Journal& journal, db::Database& database,
            const FinalizerRun& run_finalizers) {
    std::vector<std::string> dirs = journal.leaving_dirs;
    std::sort(dirs.rbegin(), dirs.rend());  // children before their parents
    std::error_code ec;
    for (const auto& d : dirs) {
        const fs::path host = resolve_in_root(rootfs, d, false);
        if (fs::is_directory(fs::symlink_status(host, ec)) && fs::is_empty(host, ec) && database.owners(d).empty())
            fs::remove(host, ec);
    }
    fs::remove_all(backup_dir);
    if (run_finalizers && !journal.finalize.empty()) run_finalizers(journal.finalize);
    database.clear_journal();
}

Recovery recover(const fs::path& rootfs, const fs::path& backup_dir, db::Database& database,
                 const FinalizerRun& run_finalizers) {
    auto doc = database.journal();
    if (!doc) {
        fs::remove_all(backup_dir);
        return Recovery::none;
    }
    const Journal journal = Journal::from_json(*doc, "database journal");
    if (journal.committed) {
        finish(rootfs, backup_dir, journal, database, run_finalizers);
        return Recovery::finished;
    }
    roll_back(rootfs, backup_dir, journal);
    database.clear_journal();
    return Recovery::rolled_back;
}

void crash_point(std::string_view step) {
    static const std::string target = [] {
        const char* v = std::getenv("LUET_TEST_CRASH_AT");
        return std::string(v ? v : "");
    }();
    if (target.empty()) return;
    static std::map<std::string, int, std::less<>> seen;
    const int n = ++seen[std::string(step)];
    if (target == std::string(step) + ":" + std::to_string(n)) std::raise(SIGKILL);
}

}  // namespace luet::install
