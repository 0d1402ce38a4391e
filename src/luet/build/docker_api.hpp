// The Docker Engine API over its unix socket: the per-package calls of the docker backend
// (create, put archive, attach, start, wait, commit, image inspect, remove) without a `docker`
// CLI process for each (tens of ms apiece). Format and routes: the Docker Engine API
// (docs.docker.com/engine/api, v1.41 as Debian 12's docker.io 20.10 serves it; the paths are
// unversioned, so the daemon answers with its own version); the attach stream format is the
// one `docker start -a` reads (moby api/types and pkg/stdcopy). The docker backend
// (docker_backend.cpp) uses it when the socket answers and falls back to the CLI otherwise.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "luet/core/error.hpp"
#include "luet/core/process.hpp"

namespace luet::build::docker_api {

// The unix socket the `docker` CLI would talk to, from DOCKER_HOST ("unix:///PATH": PATH;
// unset or empty: /var/run/docker.sock) and the selected context (DOCKER_CONTEXT, else the
// `currentContext` of the CLI's config.json). Empty when the CLI would go elsewhere: another
// transport (tcp://, ssh://, fd://) or a context other than "default".
std::string socket_path(const char* docker_host, const char* docker_context, const std::string& config_current_context);
// socket_path from this process's environment and $DOCKER_CONFIG/config.json (else
// ~/.docker/config.json).
std::string socket_path_from_environment();

// Splits the stream of an attach without a TTY into its frames: each is an 8-byte header
// (byte 0: the stream, 0 stdin, 1 stdout, 2 stderr; bytes 1-3: zero; bytes 4-7: the payload
// size, big-endian) and the payload. Takes the bytes in pieces of any size.
class StreamDemux {
public:
    using Output = std::function<void(int stream, std::string_view payload)>;
    explicit StreamDemux(Output out) : out_(std::move(out)) {}
    // Calls `out` with each complete payload (a large payload may arrive in several calls, in
    // order, all for the same stream).
    void feed(std::string_view bytes);
    // True when the stream stopped inside a header or a payload.
    bool mid_frame() const { return header_used_ != 0 || remaining_ != 0; }

private:
    Output out_;
    unsigned char header_[8] = {};
    std::size_t header_used_ = 0;
    std::uint32_t remaining_ = 0;  // payload bytes of the current frame still to come
    int stream_ = 0;
};

// What the user's --backend-args add to a container: the `HostConfig` members and the
// environment entries ("NAME=value", in the order given). Understood: --privileged,
// --network/--net, -v/--volume (binds and named volumes as -v takes them), -e/--env (NAME
// alone: this process's value, left out when unset, as the CLI does), --add-host, --dns,
// --cap-add, --cap-drop, --security-opt, -u/--user; each as "--flag=value" or "--flag value".
// Anything else: nullopt (the backend then runs the `docker` CLI, which knows every flag).
struct CreateOptions {
    nlohmann::json host_config = nlohmann::json::object();
    std::vector<std::string> env;
    std::string user;  // Config.User; empty: the image's
};
std::optional<CreateOptions> translate_backend_args(const std::vector<std::string>& args);

// `name[:tag]` split for POST /commit: the tag is what follows the last ':' after the last '/'
// ("127.0.0.1:5000/a/b:t" -> {"127.0.0.1:5000/a/b", "t"}); no tag: "latest", as the CLI.
std::pair<std::string, std::string> split_reference(const std::string& reference);

// Writes an uncompressed tar to `dest` for PUT /containers/{id}/archive: each source (a host
// file, folder or symlink, not followed) under its name in the tar; a folder with an empty
// name gives its content at the top. Entries are as `docker cp` sends them: owner 0:0 (the
// engine gives them to the container's root anyway), modification times in whole seconds,
// hard links within the tar kept as links. Throws luet::Error naming the file.
void write_copy_tar(const std::vector<std::pair<std::filesystem::path, std::string>>& sources,
                    const std::filesystem::path& dest);

// One Docker engine reached over a unix socket. Each call opens its own connection, so calls
// from several threads can run at once. Errors: luet::Error with the method, the route, the
// HTTP status and the engine's message ("docker engine: POST /containers/create: 404 No
// such image: x").
class Engine {
public:
    // The engine at `socket` when GET /_ping answers there; else nullopt with the reason in `why`.
    static std::unique_ptr<Engine> connect(const std::string& socket, std::string& why);

    const std::string& socket() const { return socket_; }
    // GET /images/{name}/json; nullopt when the engine has no such image.
    std::optional<nlohmann::json> inspect_image(const std::string& name) const;
    // POST /containers/create with `body` (the Config, with HostConfig); the container's ID.
    // A 404 (no such image) throws NoSuchImage.
    std::string create_container(const nlohmann::json& body) const;
    // PUT /containers/{id}/archive?path=PATH with the tar file `tar` (PATH must exist).
    void put_archive(const std::string& id, const std::string& path, const std::filesystem::path& tar) const;
    // Attaches to stdout and stderr (POST /containers/{id}/attach), starts the container, sends
    // its output lines to `sink` as they come, and returns its exit code (POST .../wait).
    int start_attached(const std::string& id, const core::LineSink& sink) const;
    // POST /commit: the container as image `reference` (name[:tag]); the container's
    // configuration, its Env included, becomes the image's, as `docker commit`.
    void commit(const std::string& id, const std::string& reference) const;
    // DELETE /containers/{id}?force=1; errors are ignored (a cleanup).
    void remove_container(const std::string& id) const noexcept;
    // DELETE /images/{name}?force=1; errors are ignored, as `rmi -f` by the CLI backend.
    void remove_image(const std::string& name) const noexcept;

    struct NoSuchImage : Error {
        using Error::Error;
    };

private:
    explicit Engine(std::string socket) : socket_(std::move(socket)) {}
    std::string socket_;
};

}  // namespace luet::build::docker_api
