#include "luet/core/users.hpp"

#include <gtest/gtest.h>

#include <fstream>

namespace fs = std::filesystem;
using luet::core::UserDb;

namespace {

fs::path make_etc(const std::string& passwd, const std::string& group) {
    const fs::path dir = fs::temp_directory_path() / ("luet-users-" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) +
                                                      ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir);
    std::ofstream(dir / "passwd") << passwd;
    std::ofstream(dir / "group") << group;
    return dir;
}

}  // namespace

TEST(UserDb, NamesAndIdsFromPasswdAndGroup) {
    const auto etc = make_etc("root:x:0:0:root:/root:/bin/bash\nportage:x:250:250::/var/tmp/portage:/bin/false\n",
                              "root:x:0:\nwheel:x:10:root,portage\nportage:x:250:portage\n");
    const UserDb db(etc);
    ASSERT_NE(db.user_name(0), nullptr);
    EXPECT_EQ(*db.user_name(0), "root");
    ASSERT_NE(db.user_name(250), nullptr);
    EXPECT_EQ(*db.user_name(250), "portage");
    EXPECT_EQ(db.user_id("portage"), 250u);
    ASSERT_NE(db.group_name(10), nullptr);
    EXPECT_EQ(*db.group_name(10), "wheel");
    EXPECT_EQ(db.group_id("wheel"), 10u);
    EXPECT_EQ(db.user_name(1234), nullptr);
    EXPECT_EQ(db.group_id("nosuch"), std::nullopt);
    fs::remove_all(etc);
}

TEST(UserDb, FirstEntryWinsAndMalformedLinesAreSkipped) {
    const auto etc = make_etc("# comment\n\nbroken\n:x:5:5::/:/bin/sh\nbad:x:notanumber:1::/:/bin/sh\n"
                              "daemon:x:1:1::/:/bin/sh\ndaemon:x:2:2::/:/bin/sh\nother:x:1:1::/:/bin/sh\n",
                              "nogid:x:\n");
    const UserDb db(etc);
    EXPECT_EQ(db.user_id("daemon"), 1u);
    ASSERT_NE(db.user_name(1), nullptr);
    EXPECT_EQ(*db.user_name(1), "daemon");
    EXPECT_EQ(db.user_name(5), nullptr);
    EXPECT_EQ(db.user_id("bad"), std::nullopt);
    EXPECT_EQ(db.group_id("nogid"), std::nullopt);
    fs::remove_all(etc);
}

TEST(UserDb, MissingFilesFindNothing) {
    const UserDb db(fs::path("/nonexistent-luet-etc"));
    EXPECT_EQ(db.user_name(0), nullptr);
    EXPECT_EQ(db.group_id("root"), std::nullopt);
}
