// The installed-packages database (db/database.hpp) on a real SQLite file.
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include "luet/core/file.hpp"
#include "luet/db/database.hpp"
#include "luet/spec/spec.hpp"

namespace fs = std::filesystem;
using namespace luet;

namespace {

std::vector<std::string> names_in(const fs::path& dir) {
    std::vector<std::string> out;
    for (const auto& e : fs::directory_iterator(dir)) out.push_back(e.path().filename().string());
    std::sort(out.begin(), out.end());
    return out;
}

db::InstalledPackage installed(const std::string& category, const std::string& name, const std::string& version) {
    db::InstalledPackage p;
    p.definition =
        spec::parse_definition("name: " + name + "\ncategory: " + category + "\nversion: \"" + version + "\"\n", "def");
    p.repository = "main";
    return p;
}

}  // namespace

// A new database is made whole under another name and renamed into place: nothing else is
// left beside it, it is in WAL mode with the schema, and opening it again changes nothing.
TEST(Database, ANewFileIsCreatedWholeAndReopened) {
    core::TempDir dir("db-test");
    const fs::path file = dir.path / "state" / "luet.sqlite";
    {
        db::Database db(file);
        db.add(installed("apps", "hello", "1.0"), {"usr/bin/hello"});
    }
    EXPECT_EQ(names_in(file.parent_path()), std::vector<std::string>{"luet.sqlite"});
    sqlite3* raw = nullptr;
    ASSERT_EQ(sqlite3_open_v2(file.c_str(), &raw, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
    sqlite3_stmt* st = nullptr;
    ASSERT_EQ(sqlite3_prepare_v2(raw, "PRAGMA journal_mode", -1, &st, nullptr), SQLITE_OK);
    ASSERT_EQ(sqlite3_step(st), SQLITE_ROW);
    EXPECT_EQ(std::string(reinterpret_cast<const char*>(sqlite3_column_text(st, 0))), "wal");
    sqlite3_finalize(st);
    sqlite3_close(raw);
    db::Database again(file);
    EXPECT_TRUE(again.contains({"apps", "hello", "1.0"}));
    EXPECT_EQ(again.files({"apps", "hello", "1.0"}), std::vector<std::string>{"usr/bin/hello"});
}

// A leftover of an interrupted creation under this process's temporary name does not stop it.
TEST(Database, ALeftoverOfAnInterruptedCreationIsReplaced) {
    core::TempDir dir("db-test");
    const fs::path file = dir.path / "luet.sqlite";
    core::write_file_atomic(fs::path(file.string() + ".new." + std::to_string(::getpid())), "not a database");
    {
        db::Database db(file);
        db.add(installed("apps", "hello", "1.0"), {});
        EXPECT_TRUE(db.contains({"apps", "hello", "1.0"}));
    }
    EXPECT_EQ(names_in(dir.path), std::vector<std::string>{"luet.sqlite"});
}

TEST(Database, FormsListsTheInstalledPackagesByCategoryAndName) {
    core::TempDir dir("db-test");
    db::Database db(dir.path / "luet.sqlite");
    db.add(installed("libs", "zlib", "1.3"), {});
    db.add(installed("apps", "hello", "2.0"), {});
    db.add(installed("apps", "curl", "8.0"), {});
    std::vector<std::string> forms;
    for (const auto& f : db.forms()) forms.push_back(f.str());
    EXPECT_EQ(forms, (std::vector<std::string>{"apps/curl-8.0", "apps/hello-2.0", "libs/zlib-1.3"}));
    std::vector<std::string> parsed;
    for (const auto& p : db.packages()) parsed.push_back(p.definition.form.str());
    EXPECT_EQ(parsed, forms) << "the same as the definitions say";
}
