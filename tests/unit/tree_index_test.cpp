// spec::current_tree_index: when `tree pkglist` may answer from a tree index without reading
// the definitions.
#include <gtest/gtest.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <ctime>
#include <filesystem>
#include <fstream>

#include "luet/spec/tree_index.hpp"

namespace fs = std::filesystem;
using luet::spec::current_tree_index;
using luet::spec::generate_tree_index;

namespace {

void write(const fs::path& f, const std::string& text) {
    fs::create_directories(f.parent_path());
    std::ofstream(f) << text;
}

// Sets a file's modification time `seconds` from now.
void shift_mtime(const fs::path& f, long seconds) {
    timespec times[2];
    clock_gettime(CLOCK_REALTIME, &times[0]);
    times[0].tv_sec += seconds;
    times[1] = times[0];
    ASSERT_EQ(utimensat(AT_FDCWD, f.c_str(), times, 0), 0) << f;
}

class TreeIndexCurrent : public ::testing::Test {
protected:
    void SetUp() override {
        root = fs::temp_directory_path() / ("luet-tree-index-" + std::to_string(::getpid()) + "-" +
                                            ::testing::UnitTest::GetInstance()->current_test_info()->name());
        fs::remove_all(root);
        tree = root / "tree";
        write(tree / "apps/a/definition.yaml", "name: a\ncategory: apps\nversion: \"1.0\"\n");
        write(tree / "apps/a/build.yaml", "image: x\n");
        write(tree / "libs/coll/collection.yaml",
              "packages:\n- {name: l1, category: libs, version: \"2.0\"}\n- {name: l2, category: libs, version: \"3\"}\n");
        write(tree / "libs/coll/build.yaml", "image: y\n");
        write(tree / "notes/readme.txt", "not a package\n");
        // Every file older than the index, as when the tree was written well before genidx.
        for (const auto& e : fs::recursive_directory_iterator(tree)) shift_mtime(e.path(), -60);
        shift_mtime(tree, -60);
        generate_tree_index(tree);
    }
    void TearDown() override { fs::remove_all(root); }
    fs::path root, tree;
};

TEST_F(TreeIndexCurrent, AnUnchangedTreeIsAnsweredFromItsIndex) {
    const auto idx = current_tree_index(tree);
    ASSERT_TRUE(idx.has_value());
    ASSERT_EQ(idx->packages.size(), 3u);
    EXPECT_EQ(idx->packages.at("apps/a").at(0).version, "1.0");
    EXPECT_EQ(idx->packages.at("libs/l2").at(0).version, "3");
    // Relative and trailing-slash spellings of the same tree.
    EXPECT_TRUE(current_tree_index(tree.string() + "/").has_value());
}

TEST_F(TreeIndexCurrent, NoIndexNoAnswer) {
    fs::remove(tree / ".anise-idx.json.zstd");
    EXPECT_FALSE(current_tree_index(tree).has_value());
}

TEST_F(TreeIndexCurrent, ADefinitionChangedAfterTheIndexIsNotTrusted) {
    write(tree / "apps/a/definition.yaml", "name: a\ncategory: apps\nversion: \"1.1\"\n");
    shift_mtime(tree / "apps/a/definition.yaml", 5);
    EXPECT_FALSE(current_tree_index(tree).has_value());
}

TEST_F(TreeIndexCurrent, AnAddedPackageIsNotTrustedEvenWithAnOldTime) {
    // Times copied from elsewhere (cp -p, tar): the folder set still differs from the index.
    write(tree / "apps/b/definition.yaml", "name: b\ncategory: apps\nversion: \"1\"\n");
    write(tree / "apps/b/build.yaml", "image: x\n");
    for (const auto& f : {tree / "apps/b/definition.yaml", tree / "apps/b/build.yaml", tree / "apps/b", tree / "apps"})
        shift_mtime(f, -30);
    EXPECT_FALSE(current_tree_index(tree).has_value());
}

TEST_F(TreeIndexCurrent, ARemovedPackageIsNotTrusted) {
    fs::remove_all(tree / "libs/coll");
    shift_mtime(tree / "libs", -30);
    EXPECT_FALSE(current_tree_index(tree).has_value());
}

TEST_F(TreeIndexCurrent, ADefinitionWithoutBuildSpecIsNotTrusted) {
    // genidx lists it; load_tree does not load a folder without build.yaml.
    fs::remove(tree / "apps/a/build.yaml");
    shift_mtime(tree / "apps/a", -30);
    generate_tree_index(tree);
    EXPECT_FALSE(current_tree_index(tree).has_value());
}

TEST_F(TreeIndexCurrent, AFolderSymlinkIsNotTrusted) {
    // load_tree follows it, genidx does not.
    fs::create_directory_symlink(tree / "apps", tree / "notes/link");
    shift_mtime(tree / "notes", -30);
    generate_tree_index(tree);
    EXPECT_FALSE(current_tree_index(tree).has_value());
}

TEST_F(TreeIndexCurrent, AnIndexOfAnotherTreeIsNotTrusted) {
    // The index names its tree folder in every path: a renamed tree's index does not match.
    const fs::path moved = root / "other";
    fs::rename(tree, moved);
    EXPECT_FALSE(current_tree_index(moved).has_value());
}

}  // namespace
