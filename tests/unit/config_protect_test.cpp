#include <gtest/gtest.h>

#include <fstream>

#include "luet/core/error.hpp"
#include "luet/core/file.hpp"
#include "luet/install/config_protect.hpp"

namespace {

using luet::install::ConfigProtect;
using luet::install::ProtectedDirs;

luet::spec::Definition pkg(const std::string& annotation = "") {
    luet::spec::Definition d;
    d.form = {"app", "cfg", "1.0"};
    if (!annotation.empty()) d.annotations["config_protect"] = annotation;
    return d;
}

TEST(ConfigProtect, ProtectsFilesUnderConfiguredFolders) {
    ConfigProtect cp;
    cp.files.push_back({"etc", {"/etc/", "usr/share/app"}});
    const ProtectedDirs dirs(cp, pkg());
    EXPECT_TRUE(dirs.protects("etc/app.conf"));
    EXPECT_TRUE(dirs.protects("etc/app/deep/x.conf"));
    EXPECT_TRUE(dirs.protects("usr/share/app/x"));
    EXPECT_FALSE(dirs.protects("etcetera/x"));  // whole path components only
    EXPECT_FALSE(dirs.protects("usr/bin/app"));
}

TEST(ConfigProtect, AnnotationAddsAFolderAndSkipTurnsItOff) {
    ConfigProtect cp;
    EXPECT_TRUE(ProtectedDirs(cp, pkg()).empty());
    EXPECT_TRUE(ProtectedDirs(cp, pkg("/opt/conf")).protects("opt/conf/a"));
    cp.files.push_back({"etc", {"/etc"}});
    cp.skip = true;
    const ProtectedDirs off(cp, pkg("/opt/conf"));
    EXPECT_FALSE(off.protects("etc/a"));
    EXPECT_FALSE(off.protects("opt/conf/a"));
}

TEST(ConfigProtect, ParseRequiresNameAndDirs) {
    const auto f = luet::install::parse_config_protect("name: etc\ndirs:\n- /etc/\n", "etc.yml");
    EXPECT_EQ(f.name, "etc");
    EXPECT_EQ(f.dirs, std::vector<std::string>{"/etc/"});
    EXPECT_THROW(luet::install::parse_config_protect("name: etc\n", "x.yml"), luet::Error);
    EXPECT_THROW(luet::install::parse_config_protect("dirs: [/etc]\n", "x.yml"), luet::Error);
}

TEST(ConfigProtect, ProtectedNameTakesTheFirstFreeNumber) {
    luet::core::TempDir root("protect-test");
    std::filesystem::create_directories(root.path / "etc");
    EXPECT_EQ(luet::install::protected_name(root.path, "etc/app.conf"), "etc/._cfg0001_app.conf");
    std::ofstream(root.path / "etc" / "._cfg0001_app.conf") << "x";
    std::filesystem::create_symlink("nowhere", root.path / "etc" / "._cfg0002_app.conf");  // dangling counts as taken
    EXPECT_EQ(luet::install::protected_name(root.path, "etc/app.conf"), "etc/._cfg0003_app.conf");
}

TEST(ConfigProtect, LoadReadsOnlyYmlFiles) {
    luet::core::TempDir dir("protect-conf");
    std::ofstream(dir.path / "b.yml") << "name: b\ndirs: [/b]\n";
    std::ofstream(dir.path / "a.yml") << "name: a\ndirs: [/a]\n";
    std::ofstream(dir.path / "c.yaml") << "not read\n";
    luet::config::Config cfg;
    cfg.config_protect_confdir = {dir.path, dir.path / "missing"};
    const auto cp = luet::install::load_config_protect(cfg);
    ASSERT_EQ(cp.files.size(), 2u);
    EXPECT_EQ(cp.files[0].name, "a");
    EXPECT_EQ(cp.files[1].name, "b");
}

}  // namespace
