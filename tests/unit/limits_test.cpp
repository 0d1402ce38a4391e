// Issue 17: bounded work on hostile documents: YAML alias bombs and deep nesting, tarballs
// unpacking to more than their caps.
#include <gtest/gtest.h>

#include <string>

#include "luet/artifact/tarball.hpp"
#include "luet/core/error.hpp"
#include "luet/core/file.hpp"
#include "luet/spec/yaml_util.hpp"

namespace {

std::string error_of_yaml(const std::string& text) {
    try {
        luet::spec::load_yaml(text, "doc.yaml");
    } catch (const luet::Error& e) {
        return e.what();
    }
    return "";
}

// Nine levels of nine aliases: 9^9 (387 million) leaves in about 400 bytes.
std::string alias_bomb() {
    std::string text = "a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n";
    for (int i = 1; i < 10; ++i) {
        text += "a" + std::to_string(i) + ": &a" + std::to_string(i) + " [";
        for (int k = 0; k < 9; ++k) text += (k ? ", *a" : "*a") + std::to_string(i - 1);
        text += "]\n";
    }
    return text;
}

}  // namespace

TEST(YamlBounds, AliasBombIsRefused) {
    const std::string msg = error_of_yaml(alias_bomb());
    EXPECT_NE(msg.find("doc.yaml: the YAML document expands to more than"), std::string::npos) << msg;
}

TEST(YamlBounds, DeepNestingIsRefused) {
    const std::string deep = "x: " + std::string(300, '[') + std::string(300, ']') + "\n";
    EXPECT_NE(error_of_yaml(deep).find("nests deeper than 256 levels"), std::string::npos) << error_of_yaml(deep);
    const std::string ok = "x: " + std::string(200, '[') + std::string(200, ']') + "\n";
    EXPECT_EQ(error_of_yaml(ok), "");
}

TEST(YamlBounds, OrdinaryAliasesAndLargeDocumentsPass) {
    EXPECT_EQ(error_of_yaml("base: &b {a: 1, b: 2}\none: *b\ntwo: *b\n"), "");
    std::string big = "items:\n";
    for (int i = 0; i < 50000; ++i) big += "- {n: " + std::to_string(i) + ", v: x}\n";
    EXPECT_EQ(error_of_yaml(big), "");
}

TEST(MemoryTar, RefusesUnpackingOverItsCaps) {
    luet::core::TempDir tmp{"limits-test"};
    const auto file = tmp.path / "doc.tar.gz";
    luet::artifact::write_memory_tar(file, luet::artifact::Compression::Gzip,
                                     {{"a", std::string(3000, 'a')}, {"b", std::string(3000, 'b')}});
    EXPECT_EQ(luet::artifact::read_memory_tar(file).size(), 2u);
    EXPECT_EQ(luet::artifact::read_memory_tar(file, 3000, 6000).size(), 2u);
    try {
        luet::artifact::read_memory_tar(file, 2999, 0);
        FAIL() << "a file over its cap was read";
    } catch (const luet::Error& e) {
        EXPECT_NE(std::string(e.what()).find("a unpacks to more than 2999 bytes"), std::string::npos) << e.what();
    }
    EXPECT_THROW(luet::artifact::read_memory_tar(file, 0, 5999), luet::Error);
}
