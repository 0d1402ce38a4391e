#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "luet/core/error.hpp"
#include "luet/spec/spec.hpp"

namespace {

const std::filesystem::path kTrees = std::filesystem::path(LUET_FIXTURES_DIR) / "trees";

std::string error_of(const std::filesystem::path& tree) {
    try {
        luet::spec::load_tree({tree});
    } catch (const luet::Error& e) {
        return e.what();
    }
    return "";
}

TEST(Tree, LoadsEveryKeyword) {
    const auto tree = luet::spec::load_tree({kTrees / "valid"});
    ASSERT_EQ(tree.packages.size(), 3u);
    const auto* app = tree.find({"apps", "app", "1.2+3"});
    ASSERT_NE(app, nullptr);
    const auto& d = app->definition;
    ASSERT_EQ(d.requires_.size(), 1u);
    EXPECT_EQ(d.requires_[0].str(), "libs/lib>=1.0");
    ASSERT_EQ(d.conflicts.size(), 1u);
    EXPECT_EQ(d.conflicts[0].atom(), "apps/oldapp");
    ASSERT_EQ(d.provides.size(), 1u);
    EXPECT_EQ(d.provides[0].atom(), "virtual/app-virtual");
    EXPECT_TRUE(d.hidden);
    EXPECT_EQ(d.labels.at("team"), "core");
    EXPECT_EQ(d.annotations.at("config_protect"), "/etc/app");
    EXPECT_NE(d.annotations.at("subsets").find("^/usr/include/"), std::string::npos);

    const auto& b = app->build;
    EXPECT_TRUE(b.image.empty());
    ASSERT_EQ(b.requires_.size(), 1u);
    EXPECT_EQ(b.requires_[0].atom(), "seed/base");
    EXPECT_EQ(b.env, std::vector<std::string>{"FOO=bar"});
    EXPECT_EQ(b.prelude, std::vector<std::string>{"echo pre"});
    EXPECT_EQ(b.steps, std::vector<std::string>{"echo \"${FOO}\" > /out"});
    EXPECT_EQ(b.includes, std::vector<std::string>{"^/out$"});
    EXPECT_EQ(b.excludes, std::vector<std::string>{"^/tmp"});
    EXPECT_TRUE(b.unpack);
    EXPECT_EQ(app->finalize_install, std::vector<std::string>{"echo done"});
    EXPECT_EQ(app->dir.filename(), "app");

    EXPECT_EQ(tree.find({"libs", "lib", "1.0"})->build.package_dir, "/output");
    EXPECT_EQ(tree.find({"seed", "base", "1"})->build.image, "example/base:1");
}

TEST(Tree, BestMatchPrefersHighestAndHonoursProvides) {
    const auto tree = luet::spec::load_tree({kTrees / "valid"});
    const auto* p = tree.best_match({"virtual", "app-virtual", {}});
    ASSERT_NE(p, nullptr);
    EXPECT_EQ(p->definition.form.name, "app");
    EXPECT_EQ(tree.best_match({"libs", "lib", luet::core::Selector::parse(">=2")}), nullptr);
}

TEST(Tree, DefinitionRoundTripsThroughYaml) {
    const auto tree = luet::spec::load_tree({kTrees / "valid"});
    const auto& d = tree.find({"apps", "app", "1.2+3"})->definition;
    const auto again = luet::spec::parse_definition(luet::spec::definition_to_yaml(d), "roundtrip");
    EXPECT_EQ(again.form, d.form);
    EXPECT_EQ(again.requires_[0].str(), d.requires_[0].str());
    EXPECT_EQ(again.provides[0].atom(), d.provides[0].atom());
    EXPECT_EQ(again.annotations, d.annotations);
    EXPECT_EQ(again.hidden, d.hidden);
}

// Upstream builds such a spec from its image (geaaru/luet pkg/compiler/compiler.go).
TEST(Tree, ImageWinsOverRequiresWithAWarning) {
    std::vector<std::string> warnings;
    luet::spec::LoadOptions opts;
    opts.warning = [&](const std::string& w) { warnings.push_back(w); };
    const auto tree = luet::spec::load_tree({kTrees / "both"}, opts);
    const auto* bad = tree.find({"x", "bad", "1"});
    ASSERT_NE(bad, nullptr);
    EXPECT_EQ(bad->build.image, "foo");
    EXPECT_TRUE(bad->build.requires_.empty());
    ASSERT_EQ(warnings.size(), 1u);
    EXPECT_NE(warnings[0].find("bad/build.yaml (x/bad-1)"), std::string::npos) << warnings[0];
    EXPECT_NE(warnings[0].find("'image' and 'requires'"), std::string::npos) << warnings[0];
    EXPECT_NE(warnings[0].find("seed/base"), std::string::npos) << warnings[0];
}

// Upstream lists both and keeps the last one loaded (its in-memory database overwrites).
TEST(Tree, PackageDefinedTwiceIsListedTwiceAndTheLaterBuilds) {
    std::vector<std::string> warnings;
    luet::spec::LoadOptions opts;
    opts.warning = [&](const std::string& w) { warnings.push_back(w); };
    const auto tree = luet::spec::load_tree({kTrees / "dup"}, opts);
    ASSERT_EQ(tree.packages.size(), 2u);
    EXPECT_TRUE(tree.packages[0].shadowed);
    EXPECT_FALSE(tree.packages[1].shadowed);
    const auto* lib = tree.find({"libs", "lib", "1.0"});
    ASSERT_NE(lib, nullptr);
    EXPECT_EQ(lib->build.package_dir, "/output-b");
    EXPECT_EQ(tree.best_match({"libs", "lib", {}}), lib);
    ASSERT_EQ(warnings.size(), 1u);
    EXPECT_NE(warnings[0].find("libs/lib-1.0 is defined twice"), std::string::npos) << warnings[0];
    EXPECT_NE(warnings[0].find("dup/a/definition.yaml"), std::string::npos) << warnings[0];
    EXPECT_NE(warnings[0].find("dup/b/definition.yaml"), std::string::npos) << warnings[0];
    EXPECT_EQ(error_of(kTrees / "dup"), "");  // no sink: no warning, no error
}

TEST(Tree, MalformedYamlNamesFileLineAndColumn) {
    EXPECT_THROW(luet::spec::parse_definition("name: [unterminated", "x/definition.yaml"), luet::Error);
    try {
        luet::spec::parse_definition("name: a\nrequires: [\n", "x/definition.yaml");
        FAIL() << "no error";
    } catch (const luet::Error& e) {
        EXPECT_NE(std::string(e.what()).find("x/definition.yaml:"), std::string::npos) << e.what();
    }
    EXPECT_THROW(luet::spec::parse_definition("category: a\n", "nameless.yaml"), luet::Error);
}

// A large tree loads its folders several at once (load_folders); what it gives must be what a
// one-by-one load gives: packages in folder order, warnings in folder order, and, when several
// folders fail, the error of the first one.
TEST(Tree, ManyFoldersLoadInOrderAndReportTheFirstError) {
    namespace fs = std::filesystem;
    const fs::path root = fs::temp_directory_path() / ("luet-tree-many-" + std::to_string(::getpid()));
    fs::remove_all(root);
    auto write = [](const fs::path& f, const std::string& text) {
        fs::create_directories(f.parent_path());
        std::ofstream(f) << text;
    };
    const int kFolders = 150;
    for (int i = 0; i < kFolders; ++i) {
        char name[16];
        std::snprintf(name, sizeof name, "p%03d", i);
        write(root / name / "definition.yaml", std::string("name: ") + name + "\ncategory: c\nversion: \"1." +
                                                   std::to_string(i) + "\"\n");
        // Every tenth both sets image and requires (a warning each); the rest are plain.
        write(root / name / "build.yaml", i % 10 == 0 ? "image: img\nrequires:\n- {category: c, name: base}\n"
                                                      : "image: img-{{ .Values.version }}\n");
    }
    for (int attempt = 0; attempt < 5; ++attempt) {
        std::vector<std::string> warnings;
        luet::spec::LoadOptions opts;
        opts.warning = [&](const std::string& w) { warnings.push_back(w); };
        const auto tree = luet::spec::load_tree({root}, opts);
        ASSERT_EQ(tree.packages.size(), static_cast<size_t>(kFolders));
        for (int i = 0; i < kFolders; ++i) {
            EXPECT_EQ(tree.packages[i].definition.form.version, "1." + std::to_string(i));
            if (i % 10) {
                EXPECT_EQ(tree.packages[i].build.image, "img-1." + std::to_string(i));
            }
        }
        ASSERT_EQ(warnings.size(), 6u);  // five named, then "... and 10 more"
        EXPECT_NE(warnings[0].find("p000/build.yaml"), std::string::npos) << warnings[0];
        EXPECT_NE(warnings[4].find("p040/build.yaml"), std::string::npos) << warnings[4];
        EXPECT_NE(warnings[5].find("... and 10 more"), std::string::npos) << warnings[5];
    }
    // Two broken build specs: the error is always the first one's.
    write(root / "p037" / "build.yaml", "image: {{ .Values.version | nosuchfunction }}\n");
    write(root / "p120" / "build.yaml", "image: {{ .Values.version | otherfunction }}\n");
    for (int attempt = 0; attempt < 5; ++attempt) {
        const std::string e = error_of(root);
        EXPECT_NE(e.find("p037/build.yaml"), std::string::npos) << e;
        EXPECT_NE(e.find("nosuchfunction"), std::string::npos) << e;
    }
    fs::remove_all(root);
}

TEST(Tree, MissingFolderIsAnError) {
    EXPECT_NE(error_of(kTrees / "does-not-exist").find("is not a folder"), std::string::npos);
}

}  // namespace

// Issue 17, item 7: a name with a newline or an escape sequence would forge output lines.
TEST(Definition, RefusesControlCharactersInNames) {
    for (const char* yaml : {"name: \"a\\nb\"\ncategory: c\nversion: \"1\"\n", "name: a\ncategory: \"c\\e[2J\"\nversion: \"1\"\n",
                             "name: a\ncategory: c\nversion: \"1\\r\"\n"}) {
        try {
            luet::spec::parse_definition(yaml, "x/definition.yaml");
            ADD_FAILURE() << yaml << " was accepted";
        } catch (const luet::Error& e) {
            const std::string msg = e.what();
            EXPECT_NE(msg.find("x/definition.yaml: package '"), std::string::npos) << msg;
            EXPECT_NE(msg.find("contains control characters"), std::string::npos) << msg;
            EXPECT_EQ(msg.find_first_of("\n\r\x1b"), std::string::npos) << msg;
        }
    }
    EXPECT_NO_THROW(luet::spec::parse_definition("name: a-b_c.d\ncategory: \"cü\"\nversion: \"1.0+2\"\n", "ok"));
}

namespace {

// A tree whose every build spec sets both 'image' and 'requires' names the first five and
// counts the rest in one line (a distribution tree has thousands).
TEST(Tree, ImageAndRequiresWarningsAreCapped) {
    namespace fs = std::filesystem;
    const fs::path root = fs::temp_directory_path() / ("luet-tree-warn-" + std::to_string(::getpid()));
    fs::remove_all(root);
    for (int i = 0; i < 8; ++i) {
        const fs::path d = root / ("p" + std::to_string(i));
        fs::create_directories(d);
        std::ofstream(d / "definition.yaml") << "name: p" << i << "\ncategory: c\nversion: \"1\"\n";
        std::ofstream(d / "build.yaml") << "image: img\nrequires:\n- {name: p0, category: c, version: \">=0\"}\n";
    }
    std::vector<std::string> warnings;
    luet::spec::LoadOptions opts;
    opts.warning = [&](const std::string& w) { warnings.push_back(w); };
    const auto tree = luet::spec::load_tree({root}, opts);
    fs::remove_all(root);
    EXPECT_EQ(tree.packages.size(), 8u);
    ASSERT_EQ(warnings.size(), 6u);
    for (int i = 0; i < 5; ++i) EXPECT_NE(warnings[i].find("'image' and 'requires' are both set"), std::string::npos);
    EXPECT_EQ(warnings[5].rfind("... and 3 more build specs set both 'image' and 'requires'", 0), 0u) << warnings[5];
}

}  // namespace
