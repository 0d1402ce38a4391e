// Signed repositories (issue 17): Ed25519 key pairs, signature lines, verification with
// several keys and lines, and the `expires:` key of repository.yaml.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <string>

#include "luet/core/error.hpp"
#include "luet/core/file.hpp"
#include "luet/repo/repository.hpp"
#include "luet/repo/signature.hpp"

namespace fs = std::filesystem;
using namespace luet::repo;

namespace {

struct Keys : ::testing::Test {
    fs::path dir;
    void SetUp() override {
        dir = fs::temp_directory_path() / ("luet-signature-test-" + std::to_string(::getpid()));
        fs::remove_all(dir);
        fs::create_directories(dir);
        generate_key_pair(dir / "a", dir / "a.pub");
        generate_key_pair(dir / "b", dir / "b.pub");
    }
    void TearDown() override { fs::remove_all(dir); }
    std::string pub(const std::string& name) { return luet::core::read_file(dir / (name + ".pub")); }
};

const std::string kIndex = "name: r\nrevision: 3\nrepo_files: {}\n";

}  // namespace

TEST_F(Keys, KeyPairIsPemAndPrivateKeyIsMode0600) {
    struct stat st {};
    ASSERT_EQ(::stat((dir / "a").c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600u);
    EXPECT_NE(luet::core::read_file(dir / "a").find("-----BEGIN PRIVATE KEY-----"), std::string::npos);
    EXPECT_NE(pub("a").find("-----BEGIN PUBLIC KEY-----"), std::string::npos);
    EXPECT_EQ(public_key_of(dir / "a"), pub("a"));
    EXPECT_NE(pub("a"), pub("b"));
}

TEST_F(Keys, KeysAreNeverOverwritten) {
    const std::string before = luet::core::read_file(dir / "a");
    EXPECT_THROW(generate_key_pair(dir / "a", dir / "c.pub"), luet::Error);
    EXPECT_EQ(luet::core::read_file(dir / "a"), before);
    EXPECT_FALSE(fs::exists(dir / "c.pub"));
}

TEST_F(Keys, SignatureVerifiesWithItsKeyOnly) {
    const std::string line = sign(kIndex, dir / "a");
    EXPECT_EQ(line.size(), 88u);  // base64 of 64 bytes
    EXPECT_TRUE(verify(kIndex, line + "\n", {pub("a")}, "test"));
    EXPECT_FALSE(verify(kIndex, line + "\n", {pub("b")}, "test"));
    EXPECT_FALSE(verify(kIndex + " ", line + "\n", {pub("a")}, "test"));
    std::string flipped = line;
    flipped[10] = flipped[10] == 'A' ? 'B' : 'A';
    EXPECT_FALSE(verify(kIndex, flipped + "\n", {pub("a")}, "test"));
}

TEST_F(Keys, AnyLineWithAnyKeyVerifies) {
    const std::string sigs = "# rotation\n\n" + sign(kIndex, dir / "b") + "\r\n" + sign(kIndex, dir / "a") + "\n";
    EXPECT_TRUE(verify(kIndex, sigs, {pub("a")}, "test"));
    EXPECT_TRUE(verify(kIndex, sigs, {pub("b")}, "test"));
    EXPECT_TRUE(verify(kIndex, sign(kIndex, dir / "b"), {pub("a"), pub("b")}, "test"));
}

TEST_F(Keys, MalformedSignaturesVerifyNothing) {
    for (const std::string& sigs :
         {std::string(), std::string("\n\n"), std::string("garbage\n"), std::string(88, '='), std::string(88, 'A'),
          sign(kIndex, dir / "a").substr(0, 87), sign(kIndex, dir / "a") + "A"})
        EXPECT_FALSE(verify(kIndex, sigs, {pub("a")}, "test")) << sigs;
}

TEST_F(Keys, OnlyEd25519KeysAreAccepted) {
    EXPECT_THROW(sign(kIndex, dir / "a.pub"), luet::Error);
    EXPECT_THROW(check_public_key(luet::core::read_file(dir / "a"), "cfg"), luet::Error);
    EXPECT_THROW(check_public_key("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n", "cfg"), luet::Error);
    try {
        verify(kIndex, "", {"not a key"}, "repos.conf.d/r.yml");
        FAIL() << "a malformed key was accepted";
    } catch (const luet::Error& e) {
        EXPECT_NE(std::string(e.what()).find("repos.conf.d/r.yml: not an Ed25519 public key"), std::string::npos);
    }
    EXPECT_NO_THROW(check_public_key(pub("a"), "cfg"));
}

TEST(RepositoryIndex, ExpiresRoundTripsAndIsLeftOutWhenEmpty) {
    RepositoryIndex r;
    r.name = "r";
    r.type = "http";
    r.last_update = "1700000000";
    EXPECT_EQ(index_to_yaml(r).find("expires"), std::string::npos);
    r.expires = "1800000000";
    const std::string text = index_to_yaml(r);
    EXPECT_NE(text.find("expires: \"1800000000\""), std::string::npos) << text;
    EXPECT_EQ(index_from_yaml(text, "repository.yaml").expires, "1800000000");
}
