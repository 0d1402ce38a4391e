// The registry client: references, challenges, credentials and index documents (pure logic),
// then pushes and pulls against a real Debian docker-registry started on a free loopback port.
#include "luet/repo/registry.hpp"

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <thread>

#include "luet/core/error.hpp"

namespace fs = std::filesystem;
using namespace luet::repo::registry;

namespace {

fs::path temp_dir(const std::string& tag) {
    fs::path p = fs::temp_directory_path() / ("luet-registry-" + tag + "-" + std::to_string(getpid()));
    fs::remove_all(p);
    fs::create_directories(p);
    return p;
}

void write(const fs::path& p, const std::string& s) {
    std::ofstream(p, std::ios::binary) << s;
}

std::string read(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), {}};
}

}  // namespace

TEST(RegistryReference, SplitsHostNameAndTag) {
    auto r = Reference::parse("127.0.0.1:5000/luet/repo:repository.yaml");
    EXPECT_EQ(r.host, "127.0.0.1:5000");
    EXPECT_EQ(r.name, "luet/repo");
    EXPECT_EQ(r.reference, "repository.yaml");
    EXPECT_TRUE(r.plain_http);
    EXPECT_EQ(r.str(), "127.0.0.1:5000/luet/repo:repository.yaml");

    r = Reference::parse("quay.io/mocaccino/desktop");
    EXPECT_EQ(r.host, "quay.io");
    EXPECT_EQ(r.name, "mocaccino/desktop");
    EXPECT_EQ(r.reference, "latest");
    EXPECT_FALSE(r.plain_http);

    r = Reference::parse("alpine");
    EXPECT_EQ(r.host, "registry-1.docker.io");
    EXPECT_EQ(r.name, "library/alpine");

    r = Reference::parse("localhost:5000/a@sha256:0123");
    EXPECT_EQ(r.name, "a");
    EXPECT_EQ(r.reference, "sha256:0123");
    EXPECT_TRUE(r.plain_http);

    r = Reference::parse("http://reg.example:8080/x/y:1.0-2");
    EXPECT_TRUE(r.plain_http);
    EXPECT_EQ(r.reference, "1.0-2");

    EXPECT_THROW(Reference::parse(""), luet::Error);
    EXPECT_THROW(Reference::parse("quay.io/x:bad+tag"), luet::Error);
}

TEST(RegistryChallenge, ParsesBearerParameters) {
    const auto ch = parse_challenge(
        R"(Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/alpine:pull")");
    ASSERT_TRUE(ch);
    EXPECT_EQ(ch->scheme, "Bearer");
    EXPECT_EQ(ch->params.at("realm"), "https://auth.docker.io/token");
    EXPECT_EQ(ch->params.at("service"), "registry.docker.io");
    EXPECT_EQ(ch->params.at("scope"), "repository:library/alpine:pull");
    const auto basic = parse_challenge(R"(Basic realm="Registry Realm")");
    ASSERT_TRUE(basic);
    EXPECT_EQ(basic->scheme, "Basic");
    EXPECT_EQ(basic->params.at("realm"), "Registry Realm");
}

TEST(RegistryCredentials, ReadsDockerConfigJson) {
    const auto dir = temp_dir("creds");
    // base64("alice:s3cr:t") = YWxpY2U6czNjcjp0
    write(dir / "config.json", R"({"auths": {"127.0.0.1:5000": {"auth": "YWxpY2U6czNjcjp0"},
        "https://index.docker.io/v1/": {"username": "bob", "password": "pw"}}})");
    auto c = credentials_from_docker_config(dir / "config.json", "127.0.0.1:5000");
    ASSERT_TRUE(c);
    EXPECT_EQ(c->username, "alice");
    EXPECT_EQ(c->password, "s3cr:t");
    c = credentials_from_docker_config(dir / "config.json", "registry-1.docker.io");
    ASSERT_TRUE(c);
    EXPECT_EQ(c->username, "bob");
    EXPECT_FALSE(credentials_from_docker_config(dir / "config.json", "quay.io"));
    EXPECT_FALSE(credentials_from_docker_config(dir / "missing.json", "quay.io"));
    write(dir / "bad.json", R"({"auths": {"quay.io": {"auth": "bm9jb2xvbg=="}}})");  // "nocolon"
    EXPECT_THROW(credentials_from_docker_config(dir / "bad.json", "quay.io"), luet::Error);
    write(dir / "notjson.json", "{");
    EXPECT_THROW(credentials_from_docker_config(dir / "notjson.json", "quay.io"), luet::Error);
    fs::remove_all(dir);
}

TEST(RegistryCredentials, ReadsARepositoryAuthBlock) {
    // mudler/luet's auth: keys (docker's AuthConfig).
    auto c = credentials_from_auth({{"username", "alice"}, {"password", "pw"}}, "repo");
    ASSERT_TRUE(c);
    EXPECT_EQ(c->username, "alice");
    EXPECT_EQ(c->password, "pw");
    c = credentials_from_auth({{"auth", "YWxpY2U6czNjcjp0"}}, "repo");  // alice:s3cr:t
    ASSERT_TRUE(c);
    EXPECT_EQ(c->username, "alice");
    EXPECT_EQ(c->password, "s3cr:t");
    c = credentials_from_auth({{"registrytoken", "tok"}, {"username", "ignored"}}, "repo");
    ASSERT_TRUE(c);
    EXPECT_EQ(c->registry_token, "tok");
    EXPECT_FALSE(credentials_from_auth({}, "repo"));
    EXPECT_FALSE(credentials_from_auth({{"serveraddress", "quay.io"}}, "repo"));
    EXPECT_THROW(credentials_from_auth({{"auth", "bm9jb2xvbg=="}}, "repo"), luet::Error);  // "nocolon"
    EXPECT_THROW(credentials_from_auth({{"identitytoken", "refresh"}}, "repo"), luet::Error);
}

TEST(RegistryIndex, PicksThePlatform) {
    const std::string index = R"({"schemaVersion": 2, "manifests": [
        {"digest": "sha256:aa", "platform": {"os": "linux", "architecture": "arm64"}},
        {"digest": "sha256:bb", "platform": {"os": "linux", "architecture": "amd64"}}]})";
    EXPECT_EQ(pick_platform(index, "linux", "amd64"), "sha256:bb");
    try {
        pick_platform(index, "linux", "riscv64");
        FAIL() << "no error";
    } catch (const luet::Error& e) {
        EXPECT_NE(std::string(e.what()).find("linux/arm64, linux/amd64"), std::string::npos) << e.what();
    }
    EXPECT_THROW(parse_manifest(R"({"schemaVersion": 1})", kDockerManifest), luet::Error);
}

// ---- against a real registry --------------------------------------------------------------

class RegistryServer : public ::testing::Test {
protected:
    void SetUp() override {
        ASSERT_TRUE(fs::exists("/usr/bin/docker-registry")) << "docker-registry is missing: run scripts/setup.sh";
        dir_ = temp_dir("server");
        int s = socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        ASSERT_EQ(bind(s, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
        socklen_t len = sizeof a;
        getsockname(s, reinterpret_cast<sockaddr*>(&a), &len);
        port_ = ntohs(a.sin_port);
        close(s);
        host_ = "127.0.0.1:" + std::to_string(port_);
        write(dir_ / "config.yml", "version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n    rootdirectory: " +
                                       (dir_ / "data").string() + "\nhttp:\n  addr: " + host_ + "\n");
        pid_ = fork();
        ASSERT_GE(pid_, 0);
        if (pid_ == 0) {
            const std::string log = (dir_ / "log").string();
            freopen(log.c_str(), "w", stdout);
            freopen(log.c_str(), "a", stderr);
            execl("/usr/bin/docker-registry", "docker-registry", "serve", (dir_ / "config.yml").c_str(), nullptr);
            _exit(127);
        }
        Client probe(host_, true);
        for (int i = 0; i < 100; ++i) {
            try {
                probe.manifest_exists("probe", "latest");
                return;
            } catch (const luet::Error&) {
                std::this_thread::sleep_for(std::chrono::milliseconds(50));
            }
        }
        FAIL() << "docker-registry did not start on " << host_ << ": " << read(dir_ / "log");
    }
    void TearDown() override {
        if (pid_ > 0) {
            kill(pid_, SIGTERM);
            waitpid(pid_, nullptr, 0);
        }
        fs::remove_all(dir_);
    }

    // Pushes a one-layer image name:tag whose layer is `layer` bytes; returns its manifest digest.
    std::string push_image(Client& c, const std::string& name, const std::string& tag, const std::string& layer,
                           Descriptor* layer_desc = nullptr) {
        write(dir_ / "layer", layer);
        const Descriptor l = c.push_blob(name, dir_ / "layer");
        const std::string config = R"({"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}})";
        const Descriptor cfg = c.push_blob_data(name, config);
        const std::string manifest = std::string(R"({"schemaVersion":2,"mediaType":")") + kOciManifest +
                                     R"(","config":{"mediaType":")" + kOciConfig + R"(","digest":")" + cfg.digest +
                                     R"(","size":)" + std::to_string(cfg.size) + R"(},"layers":[{"mediaType":")" +
                                     kOciLayerGzip + R"(","digest":")" + l.digest + R"(","size":)" +
                                     std::to_string(l.size) + "}]}";
        if (layer_desc) *layer_desc = l;
        return c.push_manifest(name, tag, kOciManifest, manifest);
    }

    fs::path dir_;
    int port_ = 0;
    std::string host_;
    pid_t pid_ = -1;
};

TEST_F(RegistryServer, PushThenPullVerified) {
    Client c(host_, true);
    EXPECT_FALSE(c.manifest_exists("luet/repo", "repository.yaml"));
    Descriptor layer;
    const std::string digest = push_image(c, "luet/repo", "repository.yaml", "layer bytes\n", &layer);
    EXPECT_TRUE(c.manifest_exists("luet/repo", "repository.yaml"));
    EXPECT_TRUE(c.blob_exists("luet/repo", layer.digest));
    EXPECT_FALSE(c.blob_exists("luet/repo", digest_of("other")));

    const Manifest m = c.manifest("luet/repo", "repository.yaml");
    EXPECT_EQ(m.digest, digest);
    EXPECT_EQ(m.media_type, kOciManifest);
    ASSERT_EQ(m.layers.size(), 1u);
    EXPECT_EQ(m.layers[0].digest, layer.digest);
    EXPECT_EQ(m.layers[0].size, 12u);
    EXPECT_EQ(c.manifest("luet/repo", digest).digest, digest);  // by digest, checked

    c.blob_to_file("luet/repo", layer.digest, dir_ / "pulled");
    EXPECT_EQ(read(dir_ / "pulled"), "layer bytes\n");
    EXPECT_FALSE(fs::exists(dir_ / "pulled.part"));

    // A second push of the same blob is skipped (HEAD) and gives the same descriptor.
    EXPECT_EQ(c.push_blob("luet/repo", dir_ / "layer").digest, layer.digest);

    try {
        c.manifest("luet/repo", "missing");
        FAIL() << "no error";
    } catch (const luet::Error& e) {
        EXPECT_NE(std::string(e.what()).find(host_ + "/luet/repo:missing: not found"), std::string::npos) << e.what();
    }
}

TEST_F(RegistryServer, IndexResolvesToLinuxAmd64) {
    Client c(host_, true);
    const std::string amd = push_image(c, "multi", "amd", "amd64 layer");
    const std::string arm = push_image(c, "multi", "arm", "arm64 layer");
    const auto size_of = [&](const std::string& d) { return std::to_string(c.manifest("multi", d).raw.size()); };
    const std::string index = std::string(R"({"schemaVersion":2,"mediaType":")") + kOciIndex +
                              R"(","manifests":[{"mediaType":")" + kOciManifest + R"(","digest":")" + arm +
                              R"(","size":)" + size_of(arm) +
                              R"(,"platform":{"os":"linux","architecture":"arm64"}},{"mediaType":")" + kOciManifest +
                              R"(","digest":")" + amd + R"(","size":)" + size_of(amd) +
                              R"(,"platform":{"os":"linux","architecture":"amd64"}}]})";
    c.push_manifest("multi", "latest", kOciIndex, index);
    EXPECT_EQ(c.manifest("multi", "latest").digest, amd);
    Client arm_client(host_, true, std::nullopt, "linux", "arm64");
    EXPECT_EQ(arm_client.manifest("multi", "latest").digest, arm);
    Client riscv(host_, true, std::nullopt, "linux", "riscv64");
    EXPECT_THROW(riscv.manifest("multi", "latest"), luet::Error);
}

TEST_F(RegistryServer, TamperedBlobRefusedNothingKept) {
    Client c(host_, true);
    Descriptor layer;
    push_image(c, "t", "v1", "the genuine content", &layer);
    // Rewrite the blob in the registry's storage (same length, other bytes).
    const std::string hex = layer.digest.substr(7);
    const fs::path data = dir_ / "data/docker/registry/v2/blobs/sha256" / hex.substr(0, 2) / hex / "data";
    ASSERT_TRUE(fs::exists(data)) << data;
    write(data, "the tampered content");
    try {
        c.blob_to_file("t", layer.digest, dir_ / "out");
        FAIL() << "no error";
    } catch (const luet::Error& e) {
        EXPECT_NE(std::string(e.what()).find("digest mismatch"), std::string::npos) << e.what();
    }
    EXPECT_FALSE(fs::exists(dir_ / "out"));
    EXPECT_FALSE(fs::exists(dir_ / "out.part"));
}
