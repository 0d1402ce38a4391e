// The build cache's image names (upstream's form) and the check that an artifact in the
// destination is current for a build hash.
#include <gtest/gtest.h>

#include <fstream>

#include "luet/build/cache.hpp"
#include "luet/core/file.hpp"

namespace fs = std::filesystem;
using namespace luet;

TEST(BuildCache, ImageNamesAsUpstream) {
    EXPECT_EQ(build::package_image_name("127.0.0.1:5000/cache", "abc123"), "127.0.0.1:5000/cache:abc123");
    // builder-<md5("<name>-<category>-<version>-<hash>")>, mudler/luet genBuilderImageTag;
    // md5("hello-apps-1.0-abc123") computed with Python's hashlib.
    EXPECT_EQ(build::builder_image_name("luet/cache", {"apps", "hello", "1.0"}, "abc123"),
              "luet/cache:builder-b67229b0123aa6776351d46e05198a39");
}

namespace {

struct Dest {
    core::TempDir dir{"cache-test"};
    spec::PackageSpec spec;
    build::BuildOptions opts;

    Dest() {
        spec.definition.form = {"apps", "hello", "1.0"};
        opts.destination = dir.path;
        opts.compression = artifact::Compression::None;
        fs::create_directories(dir.path / "root/usr/bin");
        std::ofstream(dir.path / "root/usr/bin/hello") << "hi";
        write("abc123");
    }
    void write(const std::string& hash) {
        artifact::Metadata m;
        m.runtime = spec.definition;
        m.compilespec.package = spec.definition.form;
        m.compression = artifact::Compression::None;
        m.path = "hello-apps-1.0.package.tar";
        m.package_cacheimage = hash;
        artifact::pack(dir.path / "root", {"usr", "usr/bin", "usr/bin/hello"}, dir.path / m.path, m.compression);
        m.sha256 = artifact::sha256_file(dir.path / m.path);
        artifact::write_metadata(m, dir.path / m.metadata_file_name());
    }
};

}  // namespace

TEST(BuildCache, CurrentArtifacts) {
    Dest d;
    const auto got = build::current_artifacts(d.spec, "abc123", d.opts);
    ASSERT_EQ(got.size(), 1u);
    EXPECT_EQ(got[0].path, "hello-apps-1.0.package.tar");
    EXPECT_TRUE(build::current_artifacts(d.spec, "other", d.opts).empty()) << "another build hash";
    d.opts.compression = artifact::Compression::Gzip;
    EXPECT_TRUE(build::current_artifacts(d.spec, "abc123", d.opts).empty()) << "another compression";
    d.opts.compression = artifact::Compression::None;
    std::ofstream(d.dir.path / "hello-apps-1.0.package.tar", std::ios::app) << "x";
    EXPECT_TRUE(build::current_artifacts(d.spec, "abc123", d.opts).empty()) << "sha256 no longer matches";
    fs::remove(d.dir.path / "hello-apps-1.0.package.tar");
    EXPECT_TRUE(build::current_artifacts(d.spec, "abc123", d.opts).empty()) << "artifact missing";
}

TEST(BuildCache, SubpackageArtifactsNeededToo) {
    Dest d;
    spec::SubPackage sub;
    sub.definition.form = {"apps", "hello-doc", "1.0"};
    d.spec.build.subpackages.push_back(sub);
    EXPECT_TRUE(build::current_artifacts(d.spec, "abc123", d.opts).empty()) << "the subpackage has no artifact";
}
