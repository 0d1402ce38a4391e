// Configuration values that name folders luet writes to or deletes from (issue 17, item 3):
// repository names, database_path and pkgs_cache_path; and the cleanup's choice of files.
#include <gtest/gtest.h>

#include <fstream>
#include <string>

#include "luet/config/config.hpp"
#include "luet/core/error.hpp"
#include "luet/core/file.hpp"
#include "luet/install/cleanup.hpp"

namespace fs = std::filesystem;
using luet::config::invalid_repository_name;

namespace {

// Loads a luet.yaml with `text`; returns the error message, or "" when it loads.
std::string load_error(const std::string& text) {
    luet::core::TempDir tmp("config-test");
    const fs::path file = tmp.path / "luet.yaml";
    std::ofstream(file) << text;
    try {
        luet::config::load(file);
    } catch (const luet::Error& e) {
        return e.what();
    }
    return "";
}

}  // namespace

TEST(Config, RepositoryNamesArePlainNames) {
    EXPECT_EQ(invalid_repository_name("mottainai-stable"), "");
    EXPECT_EQ(invalid_repository_name("repo.v2_x"), "");
    EXPECT_NE(invalid_repository_name(""), "");
    EXPECT_NE(invalid_repository_name("."), "");
    EXPECT_NE(invalid_repository_name(".."), "");
    EXPECT_NE(invalid_repository_name("../../x"), "");
    EXPECT_NE(invalid_repository_name("a/b"), "");
    EXPECT_NE(invalid_repository_name("a\nb"), "");
    EXPECT_NE(invalid_repository_name("a\x1b[2J"), "");
}

TEST(Config, LoadRefusesABadRepositoryNameNamingFileAndKey) {
    const std::string msg = load_error("repositories:\n- name: ../../../etc\n  type: disk\n  urls: [/tmp]\n");
    EXPECT_NE(msg.find("luet.yaml: repository 'name' '../../../etc' is not a plain name: it contains '/'"),
              std::string::npos)
        << msg;
    // Control characters are shown escaped.
    const std::string ctl = load_error("repositories:\n- name: \"a\\nb\"\n  type: disk\n  urls: [/tmp]\n");
    EXPECT_NE(ctl.find("'a\\nb'"), std::string::npos) << ctl;
    EXPECT_EQ(ctl.find('\n'), std::string::npos) << ctl;
}

TEST(Config, DatabasePathStaysInsideTheRootfs) {
    EXPECT_EQ(load_error("system:\n  database_path: /var/lib/luet\n"), "");
    EXPECT_EQ(load_error("system:\n  database_path: var/lib/luet\n"), "");
    const std::string msg = load_error("system:\n  database_path: /var/../../tmp/x\n");
    EXPECT_NE(msg.find("system.database_path '/var/../../tmp/x' contains '..'"), std::string::npos) << msg;
}

TEST(Config, RelativePackagesCacheStaysInsideTheDatabaseFolder) {
    EXPECT_EQ(load_error("system:\n  pkgs_cache_path: cache/packages\n"), "");
    EXPECT_EQ(load_error("system:\n  pkgs_cache_path: /srv/luet-cache\n"), "");  // a host folder, as upstream
    const std::string msg = load_error("system:\n  pkgs_cache_path: ../../x\n");
    EXPECT_NE(msg.find("system.pkgs_cache_path '../../x' contains '..'"), std::string::npos) << msg;
}

TEST(Cleanup, OnlyLuetsArtifactsAreCacheFiles) {
    using luet::install::is_cached_artifact;
    EXPECT_TRUE(is_cached_artifact("hello-apps-1.0.package.tar.gz"));
    EXPECT_TRUE(is_cached_artifact("hello-apps-1.0.package.tar.zst"));
    EXPECT_TRUE(is_cached_artifact("hello-apps-1.0.package.tar"));
    EXPECT_TRUE(is_cached_artifact("hello-apps-1.0.package.tar.gz.download"));
    EXPECT_FALSE(is_cached_artifact("passwd"));
    EXPECT_FALSE(is_cached_artifact("notes.tar.gz"));
    EXPECT_FALSE(is_cached_artifact(".hidden.package.tar.gz"));
}

TEST(Cleanup, AnAbsoluteCacheLosesOnlyArtifacts) {
    luet::core::TempDir tmp("cleanup-test");
    const fs::path cache = tmp.path / "host-folder";
    fs::create_directories(cache / "sub");
    std::ofstream(cache / "a-b-1.0.package.tar.gz") << "x";
    std::ofstream(cache / "precious") << "y";
    luet::config::Config cfg;
    cfg.rootfs = tmp.path / "rootfs";
    cfg.pkgs_cache_path = cache.string();
    EXPECT_EQ(cfg.packages_cache_dir(), cache);
    EXPECT_EQ(luet::install::clean_packages_cache(cfg), 1u);
    EXPECT_FALSE(fs::exists(cache / "a-b-1.0.package.tar.gz"));
    EXPECT_TRUE(fs::exists(cache / "precious"));
    EXPECT_TRUE(fs::exists(cache / "sub"));
}
