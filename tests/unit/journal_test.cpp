#include <gtest/gtest.h>

#include <fstream>

#include "luet/core/error.hpp"
#include "luet/core/file.hpp"
#include "luet/db/database.hpp"
#include "luet/install/journal.hpp"

namespace fs = std::filesystem;
using luet::install::Journal;

namespace {

void write(const fs::path& p, const std::string& text) {
    fs::create_directories(p.parent_path());
    std::ofstream(p) << text;
}

std::string read(const fs::path& p) { return luet::core::read_file(p); }

}  // namespace

TEST(Journal, JsonRoundTrip) {
    Journal j;
    j.written = {"usr/bin/a", "usr/bin/b"};
    j.created_dirs = {"usr/share/new"};
    j.backups = {{"usr/bin/a", "0"}, {"etc/old", "1"}};
    j.leaving_dirs = {"etc/oldpkg"};
    j.committed = true;
    j.finalize = {"apps/a-1.0"};
    const Journal back = Journal::from_json(j.to_json(), "test");
    EXPECT_EQ(back.written, j.written);
    EXPECT_EQ(back.created_dirs, j.created_dirs);
    EXPECT_EQ(back.backups, j.backups);
    EXPECT_EQ(back.leaving_dirs, j.leaving_dirs);
    EXPECT_TRUE(back.committed);
    EXPECT_EQ(back.finalize, j.finalize);
}

TEST(Journal, MalformedDocumentNamesItsOrigin) {
    try {
        Journal::from_json("{\"written\": 3}", "db journal");
        FAIL() << "no error";
    } catch (const luet::Error& e) {
        EXPECT_NE(std::string(e.what()).find("db journal"), std::string::npos) << e.what();
    }
}

// A transaction killed after its backups and part of its writes: the rollback puts back the
// overwritten and the moved-out files, removes the new ones and the folders it created, and
// leaves alone a planned backup that was never made.
TEST(Journal, RollBackRestoresTheRootfs) {
    luet::core::TempDir tmp("journal-test");
    const fs::path root = tmp.path / "root", backups = tmp.path / "backups";
    write(root / "usr/bin/overwritten", "old");
    write(root / "usr/bin/untouched", "mine");
    write(root / "etc/moved", "moved");
    // What the transaction did before the kill:
    fs::create_directories(backups);
    fs::create_hard_link(root / "usr/bin/overwritten", backups / "0");
    fs::remove(root / "usr/bin/overwritten");
    write(root / "usr/bin/overwritten", "new");
    write(root / "usr/share/fresh/file", "new");
    fs::rename(root / "etc/moved", backups / "2");

    Journal j;
    j.written = {"usr/bin/overwritten", "usr/bin/untouched", "usr/share/fresh/file"};
    j.created_dirs = {"usr/share", "usr/share/fresh"};
    j.backups = {{"usr/bin/overwritten", "0"}, {"usr/bin/untouched", "1"}, {"etc/moved", "2"}};
    luet::install::roll_back(root, backups, j);

    EXPECT_EQ(read(root / "usr/bin/overwritten"), "old");
    EXPECT_EQ(read(root / "usr/bin/untouched"), "mine");
    EXPECT_EQ(read(root / "etc/moved"), "moved");
    EXPECT_FALSE(fs::exists(root / "usr/share"));
    EXPECT_FALSE(fs::exists(backups));
}

TEST(Journal, RecoverFollowsTheDatabaseJournal) {
    luet::core::TempDir tmp("journal-test");
    const fs::path root = tmp.path / "root", backups = tmp.path / "backups";
    luet::db::Database db(tmp.path / "luet.sqlite");
    EXPECT_EQ(luet::install::recover(root, backups, db, {}), luet::install::Recovery::none);

    write(root / "usr/bin/new", "new");
    Journal j;
    j.written = {"usr/bin/new"};
    db.set_journal(j.to_json());
    EXPECT_EQ(luet::install::recover(root, backups, db, {}), luet::install::Recovery::rolled_back);
    EXPECT_FALSE(fs::exists(root / "usr/bin/new"));
    EXPECT_FALSE(db.journal());

    fs::create_directories(root / "usr/share/gone");
    write(backups / "0", "old content");
    Journal done;
    done.leaving_dirs = {"usr/share/gone"};
    done.committed = true;
    done.finalize = {"apps/a-1.0", "apps/b-1.0"};
    db.set_journal(done.to_json());
    std::vector<std::string> finalized;
    auto run = [&](const std::vector<std::string>& packages) { finalized = packages; };
    EXPECT_EQ(luet::install::recover(root, backups, db, run), luet::install::Recovery::finished);
    EXPECT_EQ(finalized, done.finalize);
    EXPECT_FALSE(fs::exists(root / "usr/share/gone"));
    EXPECT_FALSE(fs::exists(backups));
    EXPECT_FALSE(db.journal());
}

// Files written through a symlinked folder the same transaction created: the files go first,
// while the symlink still leads to them.
TEST(Journal, RollBackRemovesFilesBehindANewSymlink) {
    luet::core::TempDir tmp("journal-test");
    const fs::path root = tmp.path / "root", backups = tmp.path / "backups";
    fs::create_directories(root / "elsewhere");
    fs::create_symlink("/elsewhere", root / "x");
    write(root / "elsewhere/passwd", "new");
    Journal j;
    j.written = {"x", "x/passwd"};
    luet::install::roll_back(root, backups, j);
    EXPECT_FALSE(fs::exists(root / "elsewhere/passwd"));
    EXPECT_FALSE(fs::exists(fs::symlink_status(root / "x")));
}
