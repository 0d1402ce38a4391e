// config::load with settings from outside the file (flags, LUET_* variables), env_name,
// parse_bool and find_file.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "luet/config/config.hpp"
#include "luet/core/error.hpp"

namespace fs = std::filesystem;
using namespace luet;

namespace {

fs::path scratch(const std::string& name) {
    fs::path dir = fs::temp_directory_path() / ("luet-config-test-" + name);
    fs::remove_all(dir);
    fs::create_directories(dir);
    return dir;
}

void write(const fs::path& file, const std::string& text) { std::ofstream(file) << text; }

}  // namespace

TEST(Config, EnvNameIsVipersKey) {
    EXPECT_EQ(config::env_name("system.rootfs"), "LUET_SYSTEM__ROOTFS");
    EXPECT_EQ(config::env_name("no_spinner"), "LUET_NO_SPINNER");
    EXPECT_EQ(config::env_name("general.same_owner"), "LUET_GENERAL__SAME_OWNER");
}

TEST(Config, ParseBoolAsGo) {
    for (const char* t : {"1", "t", "T", "TRUE", "true", "True"}) EXPECT_EQ(config::parse_bool(t), true) << t;
    for (const char* f : {"0", "f", "F", "FALSE", "false", "False"}) EXPECT_EQ(config::parse_bool(f), false) << f;
    EXPECT_FALSE(config::parse_bool("maybe").has_value());
}

TEST(Config, SettingsOverrideTheFileInOrder) {
    const auto dir = scratch("override");
    write(dir / "luet.yaml", "system:\n  rootfs: root\ngeneral:\n  concurrency: 2\nlogging:\n  color: false\n");
    auto cfg = config::load(dir / "luet.yaml");
    EXPECT_EQ(cfg.rootfs, dir / "root");  // relative to the file
    EXPECT_EQ(cfg.concurrency, 2);
    EXPECT_FALSE(cfg.color);
    cfg = config::load(dir / "luet.yaml", {{"general.concurrency", "4", "LUET_GENERAL__CONCURRENCY", "/"},
                                           {"general.concurrency", "6", "--concurrency", "/"},
                                           {"system.rootfs", "target", "--system-target", "/work"}});
    EXPECT_EQ(cfg.concurrency, 6);
    EXPECT_EQ(cfg.rootfs, fs::path("/work/target"));  // relative to the working folder
}

TEST(Config, BadSettingNamesItsOrigin) {
    try {
        config::load({}, {{"general.concurrency", "x", "LUET_GENERAL__CONCURRENCY", "/"}});
        FAIL() << "no error";
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("LUET_GENERAL__CONCURRENCY"), std::string::npos) << e.what();
    }
    EXPECT_THROW(config::load({}, {{"no.such.key", "1", "test", "/"}}), Error);
}

TEST(Config, DefaultsWithoutFile) {
    const auto cfg = config::load({});
    EXPECT_TRUE(cfg.file.empty());
    ASSERT_EQ(cfg.repos_confdir.size(), 1u);
    EXPECT_EQ(cfg.repos_confdir.front(), fs::path("/etc/luet/repos.conf.d"));
    EXPECT_GE(cfg.concurrency, 1);
}

TEST(Config, RepositoriesOfTheTargetWithoutConfigFromHost) {
    const auto dir = scratch("target");
    fs::create_directories(dir / "target/etc/luet/repos.conf.d");
    write(dir / "target/etc/luet/repos.conf.d/r.yml", "name: inside\ntype: disk\nurls: [/srv]\n");
    write(dir / "luet.yaml", "config_from_host: false\nrepos_confdir: [/etc/luet/repos.conf.d]\n");
    const auto cfg = config::load(dir / "luet.yaml", {{"system.rootfs", (dir / "target").string(), "--system-target", "/"}});
    ASSERT_EQ(cfg.repositories.size(), 1u);
    EXPECT_EQ(cfg.repositories.front().name, "inside");
}

TEST(Config, FindFileOrder) {
    const auto dir = scratch("find");
    fs::create_directories(dir / "cwd");
    fs::create_directories(dir / "home");
    EXPECT_NE(config::find_file(dir / "cwd", dir / "home"), dir / "home/.luet.yaml");
    write(dir / "home/.luet.yaml", "");
    EXPECT_EQ(config::find_file(dir / "cwd", dir / "home"), dir / "home/.luet.yaml");
    write(dir / "cwd/.luet.yaml", "");
    EXPECT_EQ(config::find_file(dir / "cwd", dir / "home"), dir / "cwd/.luet.yaml");
}
