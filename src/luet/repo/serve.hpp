// A small HTTP server for a repository folder, as `luet serve-repo` (mudler/luet
// cmd/serve-repo.go: a static file server on --address:--port for --dir).
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>

namespace luet::repo {

struct ServeOptions {
    std::filesystem::path dir;          // files served; paths leaving it are refused (403)
    std::string address = "0.0.0.0";
    int port = 9090;                    // 0 picks a free port
    // Test hook (not an upstream option): when > 0, the first response for each path is cut
    // off after this many bytes, as a dropped connection, to exercise client retries.
    std::uint64_t drop_after = 0;
};

// Serves until the process ends. `on_listen` gets the bound port once listening;
// `on_request` gets one line per request ("GET /repository.yaml 200"); both may be empty
// and are called from server threads. Throws luet::Error when the folder does not exist
// or the address cannot be bound.
void serve(const ServeOptions& opts, const std::function<void(int port)>& on_listen,
           const std::function<void(const std::string&)>& on_request);

}  // namespace luet::repo
