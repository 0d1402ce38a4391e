// Layers kept unpacked by an overlay storage driver applied onto a folder (apply_layer_folder):
// whiteouts (character devices 0:0 and .wh. files), opaque folders, hard links, symbolic
// links, modes and times kept, xattrs other than security.capability dropped, and the
// filter that leaves entries out.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <utime.h>

#include <fstream>
#include <sstream>

#include "luet/build/backend.hpp"
#include "luet/core/error.hpp"
#include "luet/core/file.hpp"

namespace fs = std::filesystem;
using namespace luet;

namespace {

void write(const fs::path& file, const std::string& text) {
    fs::create_directories(file.parent_path());
    std::ofstream(file) << text;
}

std::string read(const fs::path& file) {
    std::ifstream in(file);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

struct stat lstat_of(const fs::path& p) {
    struct stat st{};
    EXPECT_EQ(::lstat(p.c_str(), &st), 0) << p;
    return st;
}

}  // namespace

TEST(BuildLayers, FolderLayersStackWithWhiteoutsAndOpaqueFolders) {
    core::TempDir tmp("layers-test");
    const fs::path lower = tmp.path / "lower", upper = tmp.path / "upper", dest = tmp.path / "dest";
    write(lower / "etc/keep", "kept");
    write(lower / "etc/gone", "deleted by a device whiteout");
    write(lower / "etc/gone-too", "deleted by a .wh. file");
    write(lower / "opt/old/a", "hidden by the opaque folder");
    write(upper / "opt/old/b", "new in the opaque folder");
    write(upper / "etc/.wh.gone-too", "");
    fs::create_directories(upper / "etc");
    // The overlay forms need root (mknod, trusted.* xattrs), as reading an engine's storage does.
    if (::mknod((upper / "etc/gone").c_str(), S_IFCHR | 0000, makedev(0, 0)) != 0)
        GTEST_SKIP() << "mknod of a whiteout needs CAP_MKNOD";
    if (::setxattr((upper / "opt/old").c_str(), "trusted.overlay.opaque", "y", 1, 0) != 0)
        GTEST_SKIP() << "trusted.* xattrs need CAP_SYS_ADMIN (or the filesystem has none)";

    build::apply_layer_folder(lower, dest);
    build::apply_layer_folder(upper, dest);
    EXPECT_EQ(read(dest / "etc/keep"), "kept");
    EXPECT_FALSE(fs::exists(fs::symlink_status(dest / "etc/gone")));
    EXPECT_FALSE(fs::exists(fs::symlink_status(dest / "etc/gone-too")));
    EXPECT_FALSE(fs::exists(fs::symlink_status(dest / "etc/.wh.gone-too")));
    EXPECT_FALSE(fs::exists(dest / "opt/old/a"));
    EXPECT_EQ(read(dest / "opt/old/b"), "new in the opaque folder");
    // The overlay marker itself is not copied.
    char value[8];
    EXPECT_LT(::getxattr((dest / "opt/old").c_str(), "trusted.overlay.opaque", value, sizeof value), 0);
}

TEST(BuildLayers, FolderLayerKeepsLinksModesTimesAndDropsOtherXattrs) {
    core::TempDir tmp("layers-test");
    const fs::path layer = tmp.path / "layer", dest = tmp.path / "dest";
    write(layer / "usr/bin/tool", "#!/bin/sh\n");
    fs::permissions(layer / "usr/bin/tool", fs::perms(0751));
    fs::create_hard_link(layer / "usr/bin/tool", layer / "usr/bin/tool-again");
    fs::create_symlink("tool", layer / "usr/bin/link");
    struct utimbuf times{1000000000, 1000000000};
    ASSERT_EQ(::utime((layer / "usr/bin/tool").c_str(), &times), 0);
    const bool user_xattr = ::setxattr((layer / "usr/bin/tool").c_str(), "user.note", "x", 1, 0) == 0;

    build::apply_layer_folder(layer, dest);
    const auto tool = lstat_of(dest / "usr/bin/tool");
    const auto again = lstat_of(dest / "usr/bin/tool-again");
    EXPECT_EQ(tool.st_ino, again.st_ino) << "hard links stay hard links";
    EXPECT_EQ(tool.st_mode & 07777, 0751u);
    EXPECT_EQ(tool.st_mtime, 1000000000);
    EXPECT_EQ(fs::read_symlink(dest / "usr/bin/link"), "tool");
    EXPECT_EQ(read(dest / "usr/bin/tool"), "#!/bin/sh\n");
    if (user_xattr) {
        char value[8];
        EXPECT_LT(::getxattr((dest / "usr/bin/tool").c_str(), "user.note", value, sizeof value), 0)
            << "docker's layer tar carries security.capability only";
    }
}

TEST(BuildLayers, FilterLeavesEntriesOutAndWritesALinkWhoseFirstNameIsLeftOut) {
    core::TempDir tmp("layers-test");
    const fs::path layer = tmp.path / "layer", dest = tmp.path / "dest";
    write(layer / "a/first", "shared");
    fs::create_directories(layer / "b");
    fs::create_hard_link(layer / "a/first", layer / "b/second");
    write(layer / "c/other", "left out");
    build::apply_layer_folder(layer, dest, [](const std::string& path) { return path.starts_with("/b/"); });
    EXPECT_FALSE(fs::exists(dest / "a/first"));
    EXPECT_TRUE(fs::is_directory(dest / "a")) << "folders are always written";
    EXPECT_EQ(read(dest / "b/second"), "shared");
    EXPECT_FALSE(fs::exists(dest / "c/other"));
    EXPECT_TRUE(fs::is_directory(dest / "c"));
}

TEST(BuildLayers, MissingFolderIsAnError) {
    core::TempDir tmp("layers-test");
    EXPECT_THROW(build::apply_layer_folder(tmp.path / "none", tmp.path / "dest"), Error);
}
