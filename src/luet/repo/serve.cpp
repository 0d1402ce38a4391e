#include "luet/repo/serve.hpp"

#include <httplib.h>

#include <fstream>
#include <mutex>
#include <set>

#include "luet/core/error.hpp"

namespace fs = std::filesystem;

namespace luet::repo {

void serve(const ServeOptions& opts, const std::function<void(int)>& on_listen,
           const std::function<void(const std::string&)>& on_request) {
    if (!fs::is_directory(opts.dir)) throw Error("serve-repo: " + opts.dir.string() + " is not a folder");
    const fs::path root = fs::canonical(opts.dir);
    httplib::Server server;
    // cpp-httplib closes a keep-alive connection after 5 requests by default; Go's client
    // (upstream luet) then stalls on the closed connections: 200 downloads took 122 s.
    server.set_keep_alive_max_count(1000);
    std::mutex mu;
    std::set<std::string> dropped;  // paths whose first response was already cut (drop_after)

    server.Get(R"(/(.*))", [&](const httplib::Request& req, httplib::Response& res) {
        const fs::path rel = fs::path(req.matches[1].str()).lexically_normal();
        if (rel.is_absolute() || (!rel.empty() && *rel.begin() == "..")) {
            res.status = 403;
            return;
        }
        std::error_code ec;
        const fs::path file = fs::weakly_canonical(root / rel, ec);
        const auto [mismatch, _] = std::mismatch(root.begin(), root.end(), file.begin(), file.end());
        if (ec || mismatch != root.end()) {
            res.status = 403;
            return;
        }
        if (!fs::is_regular_file(file, ec)) {
            res.status = 404;
            return;
        }
        const std::uint64_t size = fs::file_size(file, ec);
        std::uint64_t cut = 0;
        if (opts.drop_after > 0) {
            std::lock_guard lock(mu);
            if (dropped.insert(file.string()).second) cut = opts.drop_after;
        }
        res.set_content_provider(
            size, "application/octet-stream",
            [file, cut, stream = std::make_shared<std::ifstream>(file, std::ios::binary)](
                size_t offset, size_t length, httplib::DataSink& sink) {
                char buf[1 << 16];
                size_t n = std::min(length, sizeof buf);
                if (cut > 0) {
                    if (offset >= cut) return false;  // the connection "drops" here
                    n = std::min<size_t>(n, cut - offset);
                }
                stream->seekg(static_cast<std::streamoff>(offset));
                stream->read(buf, static_cast<std::streamsize>(n));
                const auto got = stream->gcount();
                if (got <= 0) return false;
                sink.write(buf, static_cast<size_t>(got));
                return true;
            });
    });
    if (on_request)
        server.set_logger([&](const httplib::Request& req, const httplib::Response& res) {
            on_request(req.method + " " + req.path + " " + std::to_string(res.status));
        });

    int port = opts.port;
    if (port == 0) {
        port = server.bind_to_any_port(opts.address);
        if (port < 0) throw Error("serve-repo: cannot listen on " + opts.address);
    } else if (!server.bind_to_port(opts.address, port)) {
        throw Error("serve-repo: cannot listen on " + opts.address + ":" + std::to_string(port));
    }
    if (on_listen) on_listen(port);
    if (!server.listen_after_bind()) throw Error("serve-repo: the server stopped unexpectedly");
}

}  // namespace luet::repo
