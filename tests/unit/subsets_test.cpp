#include <gtest/gtest.h>

#include <fstream>

#include "luet/core/error.hpp"
#include "luet/core/file.hpp"
#include "luet/install/subsets.hpp"

namespace {

using luet::install::add_definitions;
using luet::install::package_rules;
using luet::install::SubsetFilter;
using luet::install::SubsetRules;
using luet::install::Subsets;

luet::spec::Definition lib_with_annotation() {
    return luet::spec::parse_definition(R"(
name: lib
category: dev
version: "1.0"
annotations:
  subsets:
    rules:
      devel:
      - ^/usr/include/
      portage:
      - ^/var/db/pkg/
)",
                                        "test definition");
}

luet::spec::Definition plain(const std::string& category, const std::string& name) {
    luet::spec::Definition d;
    d.form = {category, name, "1.0"};
    return d;
}

TEST(Subsets, AnnotationRules) {
    const SubsetRules rules = package_rules(Subsets{}, lib_with_annotation());
    ASSERT_EQ(rules.size(), 2u);
    EXPECT_EQ(rules.at("devel"), std::vector<std::string>{"^/usr/include/"});
    EXPECT_EQ(rules.at("portage"), std::vector<std::string>{"^/var/db/pkg/"});
}

TEST(Subsets, PackageDefinitionOverridesAnnotationAndCategory) {
    Subsets s;
    add_definitions(s, R"(
subsets_def:
  a:
    name: devel
    rules: [^/usr/bin/]
    packages: [dev/lib]
  b:
    name: docs
    rules: [^/usr/share/doc/]
    packages: [dev/lib]
  c:
    name: portage
    rules: [^/nothing/]
    categories: [dev]
)",
                    "defs.yml");
    const SubsetRules rules = package_rules(s, lib_with_annotation());
    EXPECT_EQ(rules.at("devel"), std::vector<std::string>{"^/usr/bin/"});    // replaced
    EXPECT_EQ(rules.at("docs"), std::vector<std::string>{"^/usr/share/doc/"});  // added
    // The category definition is ignored while the package has its own.
    EXPECT_EQ(rules.at("portage"), std::vector<std::string>{"^/var/db/pkg/"});

    // Another package of the category gets the category's rules.
    const SubsetRules other = package_rules(s, plain("dev", "other"));
    ASSERT_EQ(other.size(), 1u);
    EXPECT_EQ(other.at("portage"), std::vector<std::string>{"^/nothing/"});
    EXPECT_TRUE(package_rules(s, plain("sys", "other")).empty());
}

TEST(Subsets, SameSubsetAcrossFilesAppendsRules) {
    Subsets s;
    add_definitions(s, "subsets_def:\n  x: {name: devel, rules: [^/a/], packages: [dev/lib]}\n", "1.yml");
    add_definitions(s, "subsets_def:\n  y: {name: devel, rules: [^/b/], packages: [dev/lib]}\n", "2.yml");
    EXPECT_EQ(package_rules(s, plain("dev", "lib")).at("devel"), (std::vector<std::string>{"^/a/", "^/b/"}));
}

TEST(Subsets, DescriptionOnlyDefinitionsDoNotApply) {
    Subsets s;
    add_definitions(s, "subsets_def:\n  devel:\n    descr: Headers\n    rules: [^/usr/]\n", "d.yml");
    ASSERT_EQ(s.descriptions.count("devel"), 1u);
    EXPECT_EQ(s.descriptions.at("devel").description, "Headers");
    EXPECT_TRUE(package_rules(s, plain("dev", "lib")).empty());
}

TEST(Subsets, MalformedInputNamesTheFile) {
    Subsets s;
    EXPECT_THROW(add_definitions(s, "enabled: [x]\n", "f.yml"), luet::Error);
    try {
        add_definitions(s, "subsets_def:\n  x: {packages: [dev/lib]}\n", "nor.yml");
        FAIL() << "no error";
    } catch (const luet::Error& e) {
        EXPECT_NE(std::string(e.what()).find("nor.yml (subset x): has packages or categories but no rules"),
                  std::string::npos)
            << e.what();
    }
    EXPECT_THROW(add_definitions(s, "subsets_def:\n  x: {rules: [a], packages: [nocategory]}\n", "p.yml"),
                 luet::Error);
    auto bad = plain("dev", "lib");
    bad.annotations["subsets"] = "just text";
    EXPECT_THROW(package_rules(s, bad), luet::Error);
}

TEST(SubsetFilter, ExcludesRulesOfSubsetsNotEnabled) {
    Subsets s;
    const auto def = lib_with_annotation();
    {
        const SubsetFilter f(s, def);
        EXPECT_TRUE(f.excluded("usr/include/lib.h", false));
        EXPECT_TRUE(f.excluded("usr/include", true));  // the folder itself, matched with a trailing "/"
        EXPECT_FALSE(f.excluded("usr/include", false));
        EXPECT_TRUE(f.excluded("var/db/pkg/dev/lib/CONTENTS", false));
        EXPECT_FALSE(f.excluded("usr/bin/lib", false));
        // Rules see a leading "/": "^usr" would never match.
        EXPECT_FALSE(f.excluded("myusr/include/x", false));
    }
    s.enabled = {"devel"};
    const SubsetFilter f(s, def);
    EXPECT_FALSE(f.excluded("usr/include/lib.h", false));
    EXPECT_TRUE(f.excluded("var/db/pkg/dev/lib/CONTENTS", false));
}

TEST(SubsetFilter, InvalidRegexNamesSubsetAndPackage) {
    Subsets s;
    add_definitions(s, "subsets_def:\n  x: {name: bad, rules: ['(unclosed'], packages: [dev/lib]}\n", "b.yml");
    try {
        SubsetFilter f(s, plain("dev", "lib"));
        FAIL() << "no error";
    } catch (const luet::Error& e) {
        EXPECT_NE(std::string(e.what()).find("subset bad (package dev/lib-1.0)"), std::string::npos) << e.what();
    }
    s.enabled = {"bad"};  // rules of enabled subsets are not used
    EXPECT_NO_THROW(SubsetFilter(s, plain("dev", "lib")));
}

TEST(Subsets, LoadReadsConfigAndFolders) {
    luet::core::TempDir dir("subsets-test");
    std::filesystem::create_directories(dir.path / "conf");
    std::filesystem::create_directories(dir.path / "def");
    std::ofstream(dir.path / "conf" / "b.yml") << "enabled: [devel, extra]\n";
    std::ofstream(dir.path / "conf" / "a.yaml") << "enabled: [portage]\n";
    std::ofstream(dir.path / "conf" / "notes.txt") << "enabled: [ignored]\n";
    std::ofstream(dir.path / "def" / "d.yml") << "subsets_def:\n  x: {name: extra, rules: [^/x/], categories: [dev]}\n";
    luet::config::Config cfg;
    cfg.subsets_enabled = {"devel"};
    cfg.subsets_confdir = {dir.path / "conf", dir.path / "missing"};
    cfg.subsets_defdir = {dir.path / "def"};
    const Subsets s = luet::install::load_subsets(cfg);
    EXPECT_EQ(s.enabled, (std::vector<std::string>{"devel", "portage", "extra"}));
    EXPECT_EQ(package_rules(s, plain("dev", "x")).at("extra"), std::vector<std::string>{"^/x/"});

    // subsets enable/disable edit <first confdir>/<name>.yml, atomically replaced.
    const auto file = luet::install::subsets_conf_file(cfg, "");
    EXPECT_EQ(file, dir.path / "conf" / "main.yml");
    luet::install::write_enabled(file, {"a", "b"});
    EXPECT_EQ(luet::install::parse_enabled(luet::core::read_file(file), file.string()),
              (std::vector<std::string>{"a", "b"}));
    luet::install::write_enabled(file, {});
    EXPECT_TRUE(luet::install::parse_enabled(luet::core::read_file(file), file.string()).empty());
    EXPECT_FALSE(std::filesystem::exists(file.string() + ".part"));
    EXPECT_THROW(luet::install::subsets_conf_file(cfg, "../x"), luet::Error);

    // With config_from_host false the folders are inside the rootfs.
    cfg.config_from_host = false;
    cfg.rootfs = dir.path;
    cfg.subsets_confdir = {"/conf"};
    EXPECT_EQ(luet::install::subsets_conf_file(cfg, "my"), dir.path / "conf" / "my.yml");
}

}  // namespace
