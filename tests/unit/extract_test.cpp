// Archive safety of install::extract: crafted artifacts (written with libarchive here) are
// refused before anything is written, and symlinks never lead a write out of the rootfs.
#include <archive.h>
#include <archive_entry.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "luet/core/error.hpp"
#include "luet/core/file.hpp"
#include "luet/install/extract.hpp"

namespace fs = std::filesystem;
using luet::install::extract;
using luet::install::list_entries;
using luet::install::resolve_in_root;

namespace {

struct TarEntry {
    std::string name;
    mode_t type = AE_IFREG;
    std::string content;   // file data, or the symlink target
    std::string hardlink;  // set: a hard link to this name
};

TarEntry tar_file(std::string name, std::string content) { return {std::move(name), AE_IFREG, std::move(content), ""}; }
TarEntry tar_dir(std::string name) { return {std::move(name), AE_IFDIR, "", ""}; }
TarEntry tar_symlink(std::string name, std::string target) { return {std::move(name), AE_IFLNK, std::move(target), ""}; }
TarEntry tar_hardlink(std::string name, std::string target) { return {std::move(name), AE_IFREG, "", std::move(target)}; }
TarEntry tar_node(std::string name, mode_t type) { return {std::move(name), type, "", ""}; }


// Writes a gzip tarball with exactly these entries, in order.
void write_tar(const fs::path& file, const std::vector<TarEntry>& entries) {
    std::unique_ptr<struct archive, int (*)(struct archive*)> a(archive_write_new(), archive_write_free);
    archive_write_set_format_pax_restricted(a.get());
    archive_write_add_filter_gzip(a.get());
    ASSERT_EQ(archive_write_open_filename(a.get(), file.c_str()), ARCHIVE_OK);
    for (const auto& t : entries) {
        std::unique_ptr<struct archive_entry, void (*)(struct archive_entry*)> e(archive_entry_new(), archive_entry_free);
        archive_entry_set_pathname(e.get(), t.name.c_str());
        archive_entry_set_filetype(e.get(), t.type);
        archive_entry_set_perm(e.get(), t.type == AE_IFDIR ? 0755 : 0644);
        if (!t.hardlink.empty()) archive_entry_set_hardlink(e.get(), t.hardlink.c_str());
        if (t.type == AE_IFLNK) archive_entry_set_symlink(e.get(), t.content.c_str());
        const bool data = t.type == AE_IFREG && t.hardlink.empty();
        archive_entry_set_size(e.get(), data ? static_cast<la_int64_t>(t.content.size()) : 0);
        ASSERT_EQ(archive_write_header(a.get(), e.get()), ARCHIVE_OK) << t.name;
        if (data) archive_write_data(a.get(), t.content.data(), t.content.size());
    }
    ASSERT_EQ(archive_write_close(a.get()), ARCHIVE_OK);
}

// One 512-byte ustar header block.
std::string ustar_header(const std::string& name, char type, std::size_t size, const std::string& linkname = "") {
    std::string h(512, '\0');
    auto put = [&](std::size_t at, std::size_t len, const std::string& v) { h.replace(at, std::min(len, v.size()), v.substr(0, len)); };
    auto octal = [](std::size_t v, int width) {
        char buf[32];
        std::snprintf(buf, sizeof buf, "%0*zo", width, v);
        return std::string(buf);
    };
    put(0, 100, name);
    put(100, 8, octal(0644, 7));
    put(108, 8, octal(0, 7));
    put(116, 8, octal(0, 7));
    put(124, 12, octal(size, 11));
    put(136, 12, octal(0, 11));
    put(148, 8, "        ");
    h[156] = type;
    put(157, 100, linkname);
    put(257, 6, std::string("ustar\0", 6));
    put(263, 2, "00");
    unsigned sum = 0;
    for (unsigned char c : h) sum += c;
    put(148, 8, octal(sum, 6) + std::string("\0 ", 2));
    return h;
}

std::string tar_block(const std::string& data) { return data + std::string((512 - data.size() % 512) % 512, '\0'); }

// An uncompressed pax tarball holding the file `target` and a hard link `name` to it that
// carries `body`: libarchive's writer drops such bodies, so the blocks are written here. A pax
// extended header precedes the link, which makes readers take its body.
void write_tar_with_linked_body(const fs::path& file, const std::string& target, const std::string& name,
                                const std::string& body) {
    std::string record = " comment=hard link\n";
    std::string len = std::to_string(record.size() + 2);
    record = std::to_string(record.size() + len.size()) + record;
    std::ofstream out(file, std::ios::binary);
    out << ustar_header(target, '0', 4) << tar_block("data");
    out << ustar_header("PaxHeader/link", 'x', record.size()) << tar_block(record);
    out << ustar_header(name, '1', body.size(), target) << tar_block(body);
    out << std::string(1024, '\0');
}

// Every path below `dir`, relative to it.
std::vector<std::string> tree_of(const fs::path& dir) {
    std::vector<std::string> out;
    for (const auto& e : fs::recursive_directory_iterator(dir)) out.push_back(fs::relative(e.path(), dir).string());
    std::sort(out.begin(), out.end());
    return out;
}

class Extract : public ::testing::Test {
protected:
    luet::core::TempDir tmp{"extract-test"};
    fs::path rootfs = tmp.path / "rootfs";
    fs::path outside = tmp.path / "outside";
    fs::path artifact = tmp.path / "bad-test-1.0.package.tar.gz";
    void SetUp() override {
        fs::create_directories(rootfs / "usr");
        fs::create_directories(outside);
    }
    // The artifact is refused with a message naming it and `entry`, and the rootfs is untouched.
    void expect_refused(const std::string& entry) {
        const auto before = tree_of(rootfs);
        try {
            extract(artifact, rootfs);
            FAIL() << "extract accepted an artifact with '" << entry << "'";
        } catch (const luet::Error& e) {
            const std::string msg = e.what();
            EXPECT_NE(msg.find(artifact.string()), std::string::npos) << msg;
            EXPECT_NE(msg.find("'" + entry + "'"), std::string::npos) << msg;
        }
        EXPECT_EQ(tree_of(rootfs), before);
        EXPECT_TRUE(fs::is_empty(outside));
    }
    // list_entries' error message, or "" when it accepts the artifact.
    std::string list_entries_or_error() {
        try {
            list_entries(artifact);
        } catch (const luet::Error& e) {
            return e.what();
        }
        return "";
    }
};

}  // namespace

TEST_F(Extract, ResolveFollowsSymlinksInsideTheRootfs) {
    fs::create_directory_symlink("/etc", rootfs / "abs");
    fs::create_directory_symlink("../../../../..", rootfs / "usr" / "up");
    fs::create_symlink("usr/up/x", rootfs / "chain");
    EXPECT_EQ(resolve_in_root(rootfs, "abs/passwd", false), rootfs / "etc" / "passwd");
    EXPECT_EQ(resolve_in_root(rootfs, "usr/up/etc/passwd", false), rootfs / "etc" / "passwd");
    EXPECT_EQ(resolve_in_root(rootfs, "../../etc", false), rootfs / "etc");
    EXPECT_EQ(resolve_in_root(rootfs, "/usr/./lib", false), rootfs / "usr" / "lib");
    // The last component is followed only when asked.
    EXPECT_EQ(resolve_in_root(rootfs, "abs", false), rootfs / "abs");
    EXPECT_EQ(resolve_in_root(rootfs, "abs", true), rootfs / "etc");
    EXPECT_EQ(resolve_in_root(rootfs, "chain", true), rootfs / "x");
}

TEST_F(Extract, ResolveRefusesSymlinkLoops) {
    fs::create_symlink("b", rootfs / "a");
    fs::create_symlink("a", rootfs / "b");
    EXPECT_THROW(resolve_in_root(rootfs, "a/file", false), luet::Error);
}

TEST_F(Extract, RefusesAbsoluteNames) {
    write_tar(artifact, {tar_file("usr/ok", "ok"), tar_file((outside / "evil").string(), "x")});
    expect_refused((outside / "evil").string());
}

TEST_F(Extract, RefusesDotDot) {
    write_tar(artifact, {tar_file("usr/ok", "ok"), tar_file("usr/../../outside/evil", "x")});
    expect_refused("usr/../../outside/evil");
}

TEST_F(Extract, RefusesDeviceNodesAndFifos) {
    for (mode_t type : {AE_IFCHR, AE_IFBLK, AE_IFIFO}) {
        write_tar(artifact, {tar_file("usr/ok", "ok"), tar_node("dev/thing", type)});
        expect_refused("dev/thing");
    }
}

TEST_F(Extract, RefusesHardLinksOutsideTheArtifact) {
    // To a file of the rootfs that the artifact does not ship.
    std::ofstream(rootfs / "usr" / "shadow") << "secret";
    write_tar(artifact, {tar_file("usr/ok", "ok"), tar_hardlink("usr/mine", "usr/shadow")});
    expect_refused("usr/mine");
    // Absolute and ".." targets.
    write_tar(artifact, {tar_hardlink("usr/mine", (outside / "f").string())});
    expect_refused("usr/mine");
    write_tar(artifact, {tar_file("usr/ok", "ok"), tar_hardlink("usr/mine", "usr/../../outside/f")});
    expect_refused("usr/mine");
    // To an entry listed only after the link.
    write_tar(artifact, {tar_hardlink("usr/mine", "usr/later"), tar_file("usr/later", "x")});
    expect_refused("usr/mine");
}

TEST_F(Extract, HardLinkToAnEarlierFileIsInstalled) {
    write_tar(artifact, {tar_file("usr/a", "data"), tar_hardlink("usr/b", "usr/a")});
    const auto written = extract(artifact, rootfs);
    EXPECT_EQ(written, (std::vector<std::string>{"usr/a", "usr/b"}));
    struct stat a {}, b {};
    ASSERT_EQ(stat((rootfs / "usr/a").c_str(), &a), 0);
    ASSERT_EQ(stat((rootfs / "usr/b").c_str(), &b), 0);
    EXPECT_EQ(a.st_ino, b.st_ino);
    EXPECT_EQ(a.st_nlink, 2u);
}

TEST_F(Extract, WritesThroughAnAbsoluteSymlinkLandInsideTheRootfs) {
    write_tar(artifact, {tar_symlink("x", outside.string()), tar_file("x/passwd", "owned")});
    const auto written = extract(artifact, rootfs);
    EXPECT_EQ(written, (std::vector<std::string>{"x", "x/passwd"}));
    EXPECT_TRUE(fs::is_empty(outside));
    // The symlink is kept as written; the file went below the rootfs at the symlink's target.
    EXPECT_EQ(fs::read_symlink(rootfs / "x"), outside);
    EXPECT_EQ(luet::core::read_file(rootfs / outside.relative_path() / "passwd"), "owned");
}

TEST_F(Extract, WritesThroughARelativeEscapingSymlinkLandInsideTheRootfs) {
    write_tar(artifact, {tar_symlink("usr/x", "../../../../../../../.."),
                         tar_file("usr/x/" + outside.relative_path().string() + "/passwd", "owned"),
                         tar_dir("usr/x/")});
    fs::permissions(rootfs, fs::perms::owner_all);
    extract(artifact, rootfs);
    EXPECT_TRUE(fs::is_empty(outside));
    EXPECT_EQ(luet::core::read_file(rootfs / outside.relative_path() / "passwd"), "owned");
    // The folder entry reaching the rootfs itself (mode 0755) left the rootfs' mode alone.
    EXPECT_EQ(fs::status(rootfs).permissions(), fs::perms::owner_all);
}

TEST_F(Extract, ListEntriesNamesFoldersAndFiles) {
    write_tar(artifact, {tar_dir("./usr/"), tar_file("./usr/bin//tool", "x"), tar_dir("./")});
    const auto entries = list_entries(artifact);
    ASSERT_EQ(entries.size(), 2u);
    EXPECT_EQ(entries[0].name, "usr");
    EXPECT_TRUE(entries[0].directory);
    EXPECT_EQ(entries[1].name, "usr/bin/tool");
    EXPECT_FALSE(entries[1].directory);
}

TEST_F(Extract, FailedExtractionRemovesTheFoldersItCreated) {
    // "usr/file" is a file, so "usr/file/deeper/x" cannot be written after "a/b/c" was.
    write_tar(artifact, {tar_file("a/b/c", "x"), tar_file("usr/file", "f"), tar_file("usr/file/deeper/x", "y")});
    const auto before = tree_of(rootfs);
    EXPECT_ANY_THROW(extract(artifact, rootfs));
    EXPECT_EQ(tree_of(rootfs), before);
}

TEST_F(Extract, RefusesHardLinksCarryingData) {
    write_tar_with_linked_body(artifact, "usr/a", "usr/b", "owned");
    // The body must reach the reader for the test to mean anything.
    const auto entries = list_entries_or_error();
    EXPECT_NE(entries.find("carries data (5 bytes)"), std::string::npos) << entries;
    expect_refused("usr/b");
}

TEST_F(Extract, RefusesHardLinksToThemselves) {
    write_tar(artifact, {tar_file("usr/a", "data"), tar_hardlink("usr/a", "usr/a")});
    expect_refused("usr/a");
}

TEST_F(Extract, HardLinkToASkippedEntryIsSkippedToo) {
    fs::create_directories(rootfs / "etc");
    std::ofstream(rootfs / "etc" / "shadow") << "secret";
    write_tar(artifact, {tar_file("etc/shadow", "decoy"), tar_hardlink("usr/sh", "etc/shadow"), tar_file("usr/ok", "ok")});
    luet::install::ExtractFilter filter;
    filter.skip = [](const std::string& name, bool) { return name == "etc/shadow"; };
    EXPECT_EQ(extract(artifact, rootfs, filter), (std::vector<std::string>{"usr/ok"}));
    EXPECT_FALSE(fs::exists(rootfs / "usr" / "sh"));
    EXPECT_EQ(luet::core::read_file(rootfs / "etc" / "shadow"), "secret");
    EXPECT_EQ(fs::hard_link_count(rootfs / "etc" / "shadow"), 1u);
    // kept_entries() makes the same decision.
    std::vector<std::string> kept;
    for (const auto& e : luet::install::kept_entries(artifact, filter)) kept.push_back(e.name);
    EXPECT_EQ(kept, (std::vector<std::string>{"usr/ok"}));
}

TEST_F(Extract, HardLinkToAFileWrittenAsideIsRefused) {
    fs::create_directories(rootfs / "etc");
    std::ofstream(rootfs / "etc" / "passwd") << "mine";
    write_tar(artifact, {tar_file("etc/passwd", "decoy"), tar_hardlink("usr/pw", "etc/passwd")});
    luet::install::ExtractFilter filter;
    filter.protect = [](const std::string& name) { return name.starts_with("etc/"); };
    const auto before = tree_of(rootfs);
    try {
        extract(artifact, rootfs, filter);
        FAIL() << "a hard link to a file written aside was installed";
    } catch (const luet::Error& e) {
        EXPECT_NE(std::string(e.what()).find("entry 'usr/pw' is a hard link to 'etc/passwd', which config protect wrote aside"),
                  std::string::npos)
            << e.what();
    }
    EXPECT_EQ(tree_of(rootfs), before);
    EXPECT_EQ(luet::core::read_file(rootfs / "etc" / "passwd"), "mine");
}

TEST_F(Extract, ProtectedHardLinkIsWrittenAside) {
    fs::create_directories(rootfs / "etc");
    std::ofstream(rootfs / "etc" / "app.conf") << "mine";
    write_tar(artifact, {tar_file("usr/default.conf", "package"), tar_hardlink("etc/app.conf", "usr/default.conf")});
    luet::install::ExtractFilter filter;
    filter.protect = [](const std::string& name) { return name.starts_with("etc/"); };
    std::vector<std::string> aside;
    filter.on_protected = [&](const std::string&, const std::string& as) { aside.push_back(as); };
    extract(artifact, rootfs, filter);
    EXPECT_EQ(luet::core::read_file(rootfs / "etc" / "app.conf"), "mine");
    EXPECT_EQ(aside, (std::vector<std::string>{"etc/._cfg0001_app.conf"}));
    EXPECT_TRUE(fs::equivalent(rootfs / "etc" / "._cfg0001_app.conf", rootfs / "usr" / "default.conf"));
}

TEST_F(Extract, HardLinkToANameNoLongerItsFileIsRefused) {
    fs::create_directories(rootfs / "etc");
    std::ofstream(rootfs / "etc" / "shadow") << "secret";
    // usr/a is written, then replaced by a symlink: a link to usr/a would not name that file.
    write_tar(artifact, {tar_file("usr/a", "data"), tar_symlink("usr/a", "/etc/shadow"), tar_hardlink("usr/b", "usr/a")});
    expect_refused("usr/b");
    EXPECT_EQ(luet::core::read_file(rootfs / "etc" / "shadow"), "secret");
}

TEST_F(Extract, CheckSeesThePathEachEntryReallyReaches) {
    fs::create_directories(rootfs / "var" / "cache");
    fs::create_directory_symlink("var", rootfs / "vv");
    write_tar(artifact, {tar_symlink("x", "/etc"), tar_file("x/passwd", "p"), tar_dir("vv/cache/"), tar_file("usr/f", "f")});
    luet::install::ExtractFilter filter;
    std::vector<std::string> seen;
    filter.check = [&](const std::string& name, const std::string& real, bool directory) {
        seen.push_back(name + " -> " + real + (directory ? "/" : ""));
    };
    extract(artifact, rootfs, filter);
    EXPECT_EQ(seen, (std::vector<std::string>{"x -> x", "x/passwd -> etc/passwd", "vv/cache -> var/cache/", "usr/f -> usr/f"}));
    // A check that throws stops the extraction before the entry is written; earlier ones go.
    filter.check = [](const std::string& name, const std::string&, bool) {
        if (name == "usr/f") throw luet::Error("refused usr/f");
    };
    fs::remove_all(rootfs);
    fs::create_directories(rootfs / "usr");
    EXPECT_THROW(extract(artifact, rootfs, filter), luet::Error);
    EXPECT_EQ(tree_of(rootfs), (std::vector<std::string>{"usr"}));
}

TEST_F(Extract, DuplicateEntriesAreReturnedOnce) {
    write_tar(artifact, {tar_file("usr/a", "1"), tar_file("usr/b", "b"), tar_file("usr/a", "2")});
    EXPECT_EQ(extract(artifact, rootfs), (std::vector<std::string>{"usr/a", "usr/b"}));
    EXPECT_EQ(luet::core::read_file(rootfs / "usr" / "a"), "2");
}

// Issue 17: names as long as the kernel allows (PATH_MAX 4096 with its NUL, NAME_MAX 255).
TEST_F(Extract, RefusesNamesOverTheKernelLimits) {
    std::string deep;
    for (int i = 0; i < 4000; ++i) deep += "a/";
    deep += "f";  // 8001 bytes
    write_tar(artifact, {tar_file("usr/ok", "ok"), tar_file(deep, "x")});
    const auto start = std::chrono::steady_clock::now();
    const std::string msg = list_entries_or_error();
    EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(1));
    EXPECT_NE(msg.find("has a name of 8001 bytes (the limit is 4095)"), std::string::npos) << msg.substr(0, 400);
    EXPECT_LT(msg.size(), 600u) << "the name is shown by its start only";

    write_tar(artifact, {tar_file("usr/" + std::string(256, 'n'), "x")});
    EXPECT_NE(list_entries_or_error().find("has a path component of 256 bytes (the limit is 255)"), std::string::npos);
    // At the limits: accepted.
    std::string longest = "usr/";
    while (longest.size() + 2 < 4095) longest += "b/";
    longest += std::string(4095 - longest.size(), 'c');
    ASSERT_EQ(longest.size(), 4095u);
    write_tar(artifact, {tar_file("usr/" + std::string(255, 'n'), "x"), tar_file(longest, "y")});
    EXPECT_EQ(list_entries_or_error(), "");
}

TEST_F(Extract, ResolveIsLinearInTheDepth) {
    std::string deep;
    for (int i = 0; i < 2000; ++i) deep += "a/";
    fs::create_directory_symlink("usr", rootfs / "a");
    const auto start = std::chrono::steady_clock::now();
    const fs::path got = resolve_in_root(rootfs, deep + "f", false);
    EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(1));
    // Only the first a is a symlink (to usr); the rest do not exist.
    EXPECT_EQ(got, rootfs / "usr" / fs::path(deep.substr(2) + "f"));
    EXPECT_EQ(resolve_in_root(rootfs, "a/../../x/..", false), rootfs);
}

TEST_F(Extract, RefusesArtifactsUnpackingOverTheCap) {
    write_tar(artifact, {tar_file("usr/a", std::string(600, 'a')), tar_file("usr/b", std::string(600, 'b'))});
    luet::install::ExtractFilter filter;
    filter.max_bytes = 1000;
    try {
        extract(artifact, rootfs, filter);
        FAIL() << "an artifact of 1200 bytes was accepted with a cap of 1000";
    } catch (const luet::Error& e) {
        EXPECT_NE(std::string(e.what()).find("unpacks to 1200 bytes, more than the 1000 allowed"), std::string::npos) << e.what();
    }
    EXPECT_EQ(tree_of(rootfs), (std::vector<std::string>{"usr"}));
    // Skipped entries do not count.
    filter.skip = [](const std::string& name, bool) { return name == "usr/b"; };
    EXPECT_EQ(extract(artifact, rootfs, filter), (std::vector<std::string>{"usr/a"}));
}
