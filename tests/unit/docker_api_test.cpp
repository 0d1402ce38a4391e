// The pure parts of the Docker Engine API client (build/docker_api.hpp): the attach stream's
// frame decoder fed in pieces, line splitting, --backend-args translation, references for
// POST /commit, the socket DOCKER_HOST names, and the tar a copy sends.
#include <archive.h>
#include <archive_entry.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>

#include "luet/build/docker_api.hpp"
#include "luet/core/file.hpp"

namespace fs = std::filesystem;
using namespace luet::build::docker_api;

namespace {

std::string frame(int stream, const std::string& payload) {
    std::string h(8, '\0');
    h[0] = static_cast<char>(stream);
    const auto n = static_cast<std::uint32_t>(payload.size());
    h[4] = static_cast<char>(n >> 24);
    h[5] = static_cast<char>((n >> 16) & 0xff);
    h[6] = static_cast<char>((n >> 8) & 0xff);
    h[7] = static_cast<char>(n & 0xff);
    return h + payload;
}

// The payloads per stream the demultiplexer gives for `bytes` fed in pieces of `piece` bytes.
std::map<int, std::string> demux_in_pieces(const std::string& bytes, std::size_t piece, bool* mid = nullptr) {
    std::map<int, std::string> got;
    StreamDemux d([&](int stream, std::string_view payload) { got[stream].append(payload); });
    for (std::size_t at = 0; at < bytes.size(); at += piece) d.feed(std::string_view(bytes).substr(at, piece));
    if (mid) *mid = d.mid_frame();
    return got;
}

}  // namespace

TEST(DockerApiDemux, FramesSplitAnywhereGiveTheSamePayloads) {
    const std::string big(70000, 'x');  // a size using three bytes of the length field
    const std::string bytes = frame(1, "hello\n") + frame(2, "oops\n") + frame(1, "") + frame(1, big) +
                              frame(2, "tail");
    for (std::size_t piece : {1u, 3u, 7u, 8u, 9u, 4096u, 1000000u}) {
        bool mid = true;
        const auto got = demux_in_pieces(bytes, piece, &mid);
        EXPECT_EQ(got.at(1), "hello\n" + big) << "pieces of " << piece;
        EXPECT_EQ(got.at(2), "oops\ntail") << "pieces of " << piece;
        EXPECT_FALSE(mid);
    }
}

TEST(DockerApiDemux, ReportsAStreamCutInsideAFrame) {
    bool mid = false;
    demux_in_pieces(frame(1, "abcdef").substr(0, 10), 4, &mid);
    EXPECT_TRUE(mid);
    demux_in_pieces(frame(1, "abcdef").substr(0, 5), 4, &mid);
    EXPECT_TRUE(mid);
}

TEST(DockerApiLines, SplitsAcrossPiecesAndFlushesTheLastLine) {
    std::vector<std::string> lines;
    const luet::core::LineSink sink = [&](std::string_view l) { lines.emplace_back(l); };
    luet::core::LineSplitter s(sink);
    s.feed("one\ntw");
    s.feed("o\n\nthr");
    s.feed("ee");
    EXPECT_EQ(lines, (std::vector<std::string>{"one", "two", ""}));
    s.finish();
    EXPECT_EQ(lines, (std::vector<std::string>{"one", "two", "", "three"}));
    s.finish();
    EXPECT_EQ(lines.size(), 4u);
}

TEST(DockerApiBackendArgs, TranslatesTheCommonFlagsInBothSpellings) {
    ::setenv("LUET_TEST_FROM_HOST", "host value", 1);
    ::unsetenv("LUET_TEST_UNSET");
    const auto o = translate_backend_args({"--privileged", "--network=host", "-v", "/a:/b:ro", "--volume=/c:/d",
                                           "-e", "A=1", "--env=LUET_TEST_FROM_HOST", "-eLUET_TEST_UNSET",
                                           "--add-host", "h:1.2.3.4", "--cap-add=SYS_ADMIN", "-u", "1000"});
    ASSERT_TRUE(o);
    EXPECT_EQ(o->host_config["Privileged"], true);
    EXPECT_EQ(o->host_config["NetworkMode"], "host");
    EXPECT_EQ(o->host_config["Binds"], nlohmann::json({"/a:/b:ro", "/c:/d"}));
    EXPECT_EQ(o->host_config["ExtraHosts"], nlohmann::json({"h:1.2.3.4"}));
    EXPECT_EQ(o->host_config["CapAdd"], nlohmann::json({"SYS_ADMIN"}));
    EXPECT_EQ(o->env, (std::vector<std::string>{"A=1", "LUET_TEST_FROM_HOST=host value"}));
    EXPECT_EQ(o->user, "1000");
    EXPECT_EQ(translate_backend_args({"--privileged=false"})->host_config["Privileged"], false);
    EXPECT_TRUE(translate_backend_args({})->host_config.empty());
}

TEST(DockerApiBackendArgs, UnknownFlagsOrMissingValuesLeaveItToTheCli) {
    EXPECT_FALSE(translate_backend_args({"--memory=1g"}));
    EXPECT_FALSE(translate_backend_args({"--network"}));
    EXPECT_FALSE(translate_backend_args({"--privileged=maybe"}));
    EXPECT_FALSE(translate_backend_args({"-t"}));
    EXPECT_FALSE(translate_backend_args({"--privileged", "--tmpfs", "/x"}));
}

TEST(DockerApiReference, SplitsTheTagAfterTheLastSlash) {
    EXPECT_EQ(split_reference("luet/p:1.0-abc"), std::make_pair(std::string("luet/p"), std::string("1.0-abc")));
    EXPECT_EQ(split_reference("127.0.0.1:5000/a/b:t"),
              std::make_pair(std::string("127.0.0.1:5000/a/b"), std::string("t")));
    EXPECT_EQ(split_reference("127.0.0.1:5000/a/b"),
              std::make_pair(std::string("127.0.0.1:5000/a/b"), std::string("latest")));
    EXPECT_EQ(split_reference("plain"), std::make_pair(std::string("plain"), std::string("latest")));
}

TEST(DockerApiSocket, OnlyALocalUnixSocketOfTheDefaultContext) {
    EXPECT_EQ(socket_path(nullptr, nullptr, ""), "/var/run/docker.sock");
    EXPECT_EQ(socket_path("", nullptr, ""), "/var/run/docker.sock");
    EXPECT_EQ(socket_path("unix:///run/user/1000/docker.sock", nullptr, ""), "/run/user/1000/docker.sock");
    EXPECT_EQ(socket_path("tcp://127.0.0.1:2375", nullptr, ""), "");
    EXPECT_EQ(socket_path("ssh://me@host", nullptr, ""), "");
    EXPECT_EQ(socket_path("unix://relative.sock", nullptr, ""), "");
    EXPECT_EQ(socket_path(nullptr, "remote", ""), "");
    EXPECT_EQ(socket_path(nullptr, nullptr, "remote"), "");
    EXPECT_EQ(socket_path(nullptr, "default", "remote"), "/var/run/docker.sock");
    EXPECT_EQ(socket_path(nullptr, nullptr, "default"), "/var/run/docker.sock");
}

TEST(DockerApiTar, NamesModesLinksAndWholeSecondTimes) {
    luet::core::TempDir t("tar-test");
    const fs::path ctx = t.path / "ctx";
    fs::create_directories(ctx / "sub");
    std::ofstream(ctx / "sub" / "f") << "data";
    ::chmod((ctx / "sub" / "f").c_str(), 0750);
    fs::create_symlink("sub/f", ctx / "link");
    fs::create_hard_link(ctx / "sub" / "f", ctx / "hard");
    std::ofstream(t.path / "single") << "x";
    const fs::path tar = t.path / "out.tar";
    write_copy_tar({{ctx, ""}, {t.path / "single", ".luet-copy/0"}}, tar);

    struct Seen {
        int type;
        int perm;
        long long size;
        std::string link, hardlink;
        long mtime_nsec;
        long long uid;
    };
    std::map<std::string, Seen> seen;
    std::unique_ptr<struct archive, int (*)(struct archive*)> in(archive_read_new(), archive_read_free);
    archive_read_support_format_tar(in.get());
    ASSERT_EQ(archive_read_open_filename(in.get(), tar.c_str(), 10240), ARCHIVE_OK);
    struct archive_entry* e = nullptr;
    while (archive_read_next_header(in.get(), &e) == ARCHIVE_OK) {
        const char* sl = archive_entry_symlink(e);
        const char* hl = archive_entry_hardlink(e);
        seen[archive_entry_pathname(e)] = {static_cast<int>(archive_entry_filetype(e)),
                                           static_cast<int>(archive_entry_perm(e)),
                                           static_cast<long long>(archive_entry_size(e)),
                                           sl ? sl : "",
                                           hl ? hl : "",
                                           archive_entry_mtime_nsec(e),
                                           static_cast<long long>(archive_entry_uid(e))};
    }
    ASSERT_EQ(seen.size(), 5u);  // sub, sub/f, link, hard, .luet-copy/0; no entry for ctx itself
    EXPECT_EQ(seen.at("sub/").type, AE_IFDIR);  // tar writes folder names with a slash
    EXPECT_EQ(seen.at("link").type, AE_IFLNK);
    EXPECT_EQ(seen.at("link").link, "sub/f");
    EXPECT_EQ(seen.at(".luet-copy/0").size, 1);
    // The two names of one file: one carries the data, the other links to it.
    const bool hard_links_f = seen.at("hard").hardlink == "sub/f";
    const bool f_links_hard = seen.at("sub/f").hardlink == "hard";
    EXPECT_TRUE(hard_links_f || f_links_hard);
    EXPECT_EQ(seen.at(hard_links_f ? "sub/f" : "hard").size, 4);
    EXPECT_EQ(seen.at(hard_links_f ? "sub/f" : "hard").perm, 0750);
    for (const auto& [name, s] : seen) {
        EXPECT_EQ(s.mtime_nsec, 0) << name;
        EXPECT_EQ(s.uid, 0) << name;
    }
}
