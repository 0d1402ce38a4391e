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

TEST(BuildCache, HashCoversSeedContentEpochAndVersion) {
    core::TempDir dir("hash-test");
    fs::create_directories(dir.path / "a");
    std::ofstream(dir.path / "a/definition.yaml") << "name: a\ncategory: t\nversion: \"1.0\"\n";
    std::ofstream(dir.path / "a/build.yaml") << "image: seed:latest\nsteps:\n- true\n";
    const spec::Tree tree = spec::load_tree({dir.path});
    const spec::PackageSpec& p = tree.packages.at(0);
    std::string seed = "sha256:1111";
    build::HashInputs in;
    in.luet_version = "0.1.0";
    in.seed_id = [&](const std::string& image) {
        EXPECT_EQ(image, "seed:latest");
        return seed;
    };
    auto hash = [&](const build::HashInputs& i) {
        build::HashCache cache;
        return build::build_hash(tree, p, cache, i);
    };
    const std::string base = hash(in);
    EXPECT_EQ(hash(in), base) << "equal inputs, equal hashes";
    seed = "sha256:2222";  // the tag moved
    EXPECT_NE(hash(in), base);
    seed = "sha256:1111";
    in.source_date_epoch = 1700000000;
    EXPECT_NE(hash(in), base);
    in.source_date_epoch.reset();
    in.luet_version = "0.2.0";
    EXPECT_NE(hash(in), base);
}

TEST(BuildCache, RepositoryTreesDoNotReplaceLocalPackages) {
    core::TempDir dir("merge-test");
    auto pkg = [&](const std::string& root, const std::string& name, const std::string& version, const std::string& step) {
        fs::create_directories(dir.path / root / name);
        std::ofstream(dir.path / root / name / "definition.yaml")
            << "name: " << name << "\ncategory: t\nversion: \"" << version << "\"\n";
        std::ofstream(dir.path / root / name / "build.yaml") << "image: seed\nsteps:\n- " << step << "\n";
    };
    pkg("local", "a", "1.0", "local");
    pkg("repo", "a", "1.0", "repo");
    pkg("repo", "b", "1.0", "repo");
    spec::Tree tree = spec::load_tree({dir.path / "local"});
    spec::add_repository_tree(tree, spec::load_tree({dir.path / "repo"}), "r1");
    ASSERT_EQ(tree.packages.size(), 2u);
    const auto* a = tree.find({"t", "a", "1.0"});
    ASSERT_TRUE(a);
    EXPECT_EQ(a->repository, "");
    EXPECT_EQ(a->build.steps, std::vector<std::string>{"local"});
    const auto* b = tree.find({"t", "b", "1.0"});
    ASSERT_TRUE(b);
    EXPECT_EQ(b->repository, "r1");
}

TEST(BuildCache, MetadataRecordsThePushImageRepository) {
    artifact::Metadata m;
    m.runtime.form = {"t", "a", "1.0"};
    m.compilespec.package = m.runtime.form;
    m.path = "a-t-1.0.package.tar";
    m.compilespec.push_image_repository = "127.0.0.1:5000/cache";
    const std::string yaml = artifact::metadata_to_yaml(m);
    EXPECT_NE(yaml.find("pushimagerepository: 127.0.0.1:5000/cache"), std::string::npos) << yaml;
    EXPECT_EQ(artifact::metadata_from_yaml(yaml, "t").compilespec.push_image_repository, "127.0.0.1:5000/cache");
    EXPECT_EQ(artifact::metadata_from_yaml(artifact::metadata_to_json(m), "t").compilespec.push_image_repository,
              "127.0.0.1:5000/cache");
    m.compilespec.push_image_repository.clear();
    EXPECT_NE(artifact::metadata_to_yaml(m).find("build_options: null"), std::string::npos);
}
