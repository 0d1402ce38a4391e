#include "luet/build/docker_api.hpp"

#include <archive.h>
#include <archive_entry.h>
#include <httplib.h>
#include <sys/socket.h>

#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <fstream>
#include <mutex>
#include <thread>

#include "luet/artifact/archive_error.hpp"

namespace fs = std::filesystem;

namespace luet::build::docker_api {

std::string socket_path(const char* docker_host, const char* docker_context, const std::string& config_current_context) {
    // A context names an endpoint of its own (kept in the CLI's context store): leave it to the CLI.
    const std::string context = docker_context ? docker_context : config_current_context;
    if (!context.empty() && context != "default") return "";
    const std::string host = docker_host ? docker_host : "";
    if (host.empty()) return "/var/run/docker.sock";
    constexpr std::string_view unix_scheme = "unix://";
    if (!host.starts_with(unix_scheme)) return "";
    const std::string path = host.substr(unix_scheme.size());
    return path.starts_with('/') ? path : "";
}

std::string socket_path_from_environment() {
    fs::path config;
    if (const char* d = std::getenv("DOCKER_CONFIG"); d && *d)
        config = fs::path(d) / "config.json";
    else if (const char* h = std::getenv("HOME"); h && *h)
        config = fs::path(h) / ".docker" / "config.json";
    std::string current;
    if (!config.empty()) {
        std::ifstream in(config);
        if (in) {
            const auto j = nlohmann::json::parse(in, nullptr, /*allow_exceptions=*/false);
            if (j.is_object() && j.contains("currentContext") && j["currentContext"].is_string())
                current = j["currentContext"].get<std::string>();
        }
    }
    return socket_path(std::getenv("DOCKER_HOST"), std::getenv("DOCKER_CONTEXT"), current);
}

void StreamDemux::feed(std::string_view bytes) {
    while (!bytes.empty()) {
        if (remaining_ == 0) {
            const std::size_t take = std::min(bytes.size(), sizeof header_ - header_used_);
            std::copy_n(bytes.data(), take, header_ + header_used_);
            header_used_ += take;
            bytes.remove_prefix(take);
            if (header_used_ < sizeof header_) return;
            header_used_ = 0;
            stream_ = header_[0];
            remaining_ = (std::uint32_t{header_[4]} << 24) | (std::uint32_t{header_[5]} << 16) |
                         (std::uint32_t{header_[6]} << 8) | std::uint32_t{header_[7]};
            continue;
        }
        const std::size_t take = std::min<std::size_t>(bytes.size(), remaining_);
        out_(stream_, bytes.substr(0, take));
        remaining_ -= static_cast<std::uint32_t>(take);
        bytes.remove_prefix(take);
    }
}

std::optional<CreateOptions> translate_backend_args(const std::vector<std::string>& args) {
    CreateOptions out;
    auto& hc = out.host_config;
    auto append = [&](const char* key, const std::string& value) {
        if (!hc.contains(key)) hc[key] = nlohmann::json::array();
        hc[key].push_back(value);
    };
    for (std::size_t i = 0; i < args.size(); ++i) {
        std::string flag = args[i], value;
        bool has_value = false;
        if (const auto eq = flag.find('='); flag.starts_with("--") && eq != std::string::npos) {
            value = flag.substr(eq + 1);
            flag.resize(eq);
            has_value = true;
        } else if (flag.size() > 2 && flag[0] == '-' && flag[1] != '-') {
            // "-vSRC:DST", "-eNAME=value", "-uUSER": the short flag and its value in one word.
            value = flag.substr(2);
            flag.resize(2);
            has_value = true;
        }
        if (flag == "--privileged") {
            if (has_value && value != "true" && value != "false") return std::nullopt;
            hc["Privileged"] = !has_value || value == "true";
            continue;
        }
        static const std::vector<std::string> with_value = {"--network", "--net", "-v", "--volume",
                                                            "-e",        "--env", "--add-host", "--dns",
                                                            "--cap-add", "--cap-drop", "--security-opt",
                                                            "-u",        "--user"};
        if (std::find(with_value.begin(), with_value.end(), flag) == with_value.end()) return std::nullopt;
        if (!has_value) {
            if (i + 1 >= args.size()) return std::nullopt;
            value = args[++i];
        }
        if (flag == "--network" || flag == "--net") {
            hc["NetworkMode"] = value;
        } else if (flag == "-v" || flag == "--volume") {
            append("Binds", value);
        } else if (flag == "-e" || flag == "--env") {
            if (value.find('=') != std::string::npos) {
                out.env.push_back(value);
            } else if (const char* v = std::getenv(value.c_str())) {
                out.env.push_back(value + "=" + v);
            }
        } else if (flag == "--add-host") {
            append("ExtraHosts", value);
        } else if (flag == "--dns") {
            append("Dns", value);
        } else if (flag == "--cap-add") {
            append("CapAdd", value);
        } else if (flag == "--cap-drop") {
            append("CapDrop", value);
        } else if (flag == "--security-opt") {
            append("SecurityOpt", value);
        } else {
            out.user = value;
        }
    }
    return out;
}

std::pair<std::string, std::string> split_reference(const std::string& reference) {
    const std::size_t slash = reference.rfind('/');
    const std::size_t colon = reference.rfind(':');
    if (colon == std::string::npos || (slash != std::string::npos && colon < slash)) return {reference, "latest"};
    return {reference.substr(0, colon), reference.substr(colon + 1)};
}

namespace {

using ArchivePtr = std::unique_ptr<struct archive, int (*)(struct archive*)>;
using EntryPtr = std::unique_ptr<struct archive_entry, void (*)(struct archive_entry*)>;

void check(struct archive* a, int rc, const std::string& what) {
    if (rc < ARCHIVE_WARN) throw Error(what + ": " + archive_error_text(a));
}

void write_file_data(struct archive* out, const char* src, const fs::path& dest) {
    std::unique_ptr<FILE, int (*)(FILE*)> in(std::fopen(src, "rb"), std::fclose);
    if (!in) throw Error("cannot read " + std::string(src));
    std::vector<char> buf(1 << 16);
    for (std::size_t n; (n = std::fread(buf.data(), 1, buf.size(), in.get())) > 0;)
        if (archive_write_data(out, buf.data(), n) < 0)
            throw Error("cannot write " + dest.string() + ": " + archive_error_text(out));
    if (std::ferror(in.get())) throw Error("cannot read " + std::string(src));
}

}  // namespace

void write_copy_tar(const std::vector<std::pair<fs::path, std::string>>& sources, const fs::path& dest) {
    ArchivePtr out(archive_write_new(), archive_write_free);
    ArchivePtr disk(archive_read_disk_new(), archive_read_free);
    // What `docker cp` sends: modes, sizes, link targets and whole-second times; no xattrs,
    // ACLs or file flags.
    archive_read_disk_set_behavior(disk.get(), ARCHIVE_READDISK_NO_XATTR | ARCHIVE_READDISK_NO_ACL |
                                                   ARCHIVE_READDISK_NO_FFLAGS | ARCHIVE_READDISK_NO_SPARSE);
    archive_write_set_format_pax_restricted(out.get());
    check(out.get(), archive_write_open_filename(out.get(), dest.c_str()), "creating " + dest.string());
    std::unique_ptr<struct archive_entry_linkresolver, void (*)(struct archive_entry_linkresolver*)> links(
        archive_entry_linkresolver_new(), archive_entry_linkresolver_free);
    archive_entry_linkresolver_set_strategy(links.get(), ARCHIVE_FORMAT_TAR_PAX_RESTRICTED);
    auto write = [&](struct archive_entry* e) {
        check(out.get(), archive_write_header(out.get(), e), "writing " + dest.string());
        if (archive_entry_filetype(e) == AE_IFREG && archive_entry_size(e) > 0)
            write_file_data(out.get(), archive_entry_sourcepath(e), dest);
    };
    auto add = [&](const fs::path& src, const std::string& name) {
        EntryPtr entry(archive_entry_new(), archive_entry_free);
        archive_entry_copy_sourcepath(entry.get(), src.c_str());
        check(disk.get(), archive_read_disk_entry_from_file(disk.get(), entry.get(), -1, nullptr),
              "reading " + src.string());
        archive_entry_copy_pathname(entry.get(), name.c_str());
        archive_entry_set_uid(entry.get(), 0);
        archive_entry_set_gid(entry.get(), 0);
        archive_entry_copy_uname(entry.get(), nullptr);
        archive_entry_copy_gname(entry.get(), nullptr);
        archive_entry_set_mtime(entry.get(), archive_entry_mtime(entry.get()), 0);
        archive_entry_unset_atime(entry.get());
        archive_entry_unset_ctime(entry.get());
        archive_entry_unset_birthtime(entry.get());
        struct archive_entry* sparse = nullptr;
        struct archive_entry* e = entry.release();
        archive_entry_linkify(links.get(), &e, &sparse);
        EntryPtr owned(e, archive_entry_free);
        if (e) write(e);  // else deferred by the link resolver
    };
    for (const auto& [src, name] : sources) {
        std::error_code ec;
        const auto status = fs::symlink_status(src, ec);
        if (ec) throw Error("cannot read " + src.string() + ": " + ec.message());
        if (!name.empty()) add(src, name);
        if (!fs::is_directory(status)) continue;
        // Sorted, so the same folder gives the same tar.
        std::vector<fs::path> inside;
        for (auto it = fs::recursive_directory_iterator(src); it != fs::recursive_directory_iterator(); ++it)
            inside.push_back(it->path());
        std::sort(inside.begin(), inside.end());
        for (const auto& p : inside) {
            const std::string rel = p.lexically_relative(src).string();
            add(p, name.empty() ? rel : name + "/" + rel);
        }
    }
    for (;;) {  // hard links whose last link was deferred
        struct archive_entry* e = nullptr;
        struct archive_entry* sparse = nullptr;
        archive_entry_linkify(links.get(), &e, &sparse);
        if (!e) break;
        EntryPtr owned(e, archive_entry_free);
        write(e);
    }
    check(out.get(), archive_write_close(out.get()), "closing " + dest.string());
}

namespace {

// A client for one request: its own connection to the socket. The engine rejects the Host
// httplib would send (the socket path); any name does.
std::unique_ptr<httplib::Client> client(const std::string& socket) {
    auto c = std::make_unique<httplib::Client>(socket);
    c->set_address_family(AF_UNIX);
    c->set_default_headers({{"Host", "docker"}});
    c->set_connection_timeout(10);
    // Commit and removal of a large container, or an engine under load, take a while.
    c->set_read_timeout(600);
    c->set_write_timeout(600);
    return c;
}

std::string engine_message(const std::string& body) {
    const auto j = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
    if (j.is_object() && j.contains("message") && j["message"].is_string()) return j["message"].get<std::string>();
    std::string text = body;
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
    return text;
}

// The response of a finished request; throws naming the route when there is none or its
// status is not `ok` (nor one of `also`).
const httplib::Response& expect(const httplib::Result& r, const std::string& what, std::initializer_list<int> ok) {
    if (!r) throw Error("docker engine: " + what + ": " + httplib::to_string(r.error()));
    for (int s : ok)
        if (r->status == s) return *r;
    throw Error("docker engine: " + what + ": " + std::to_string(r->status) + " " + engine_message(r->body));
}

const std::string kJson = "application/json";

}  // namespace

std::unique_ptr<Engine> Engine::connect(const std::string& socket, std::string& why) {
    if (socket.empty()) {
        why = "DOCKER_HOST or the docker context names no local unix socket";
        return nullptr;
    }
    auto c = client(socket);
    c->set_connection_timeout(2);
    c->set_read_timeout(10);
    const auto r = c->Get("/_ping");
    if (!r) {
        why = "GET /_ping on " + socket + ": " + httplib::to_string(r.error());
        return nullptr;
    }
    if (r->status != 200) {
        why = "GET /_ping on " + socket + ": " + std::to_string(r->status) + " " + engine_message(r->body);
        return nullptr;
    }
    return std::unique_ptr<Engine>(new Engine(socket));
}

std::optional<nlohmann::json> Engine::inspect_image(const std::string& name) const {
    const std::string route = "/images/" + name + "/json";
    const auto r = client(socket_)->Get(route);
    const auto& res = expect(r, "GET " + route, {200, 404});
    if (res.status == 404) return std::nullopt;
    return nlohmann::json::parse(res.body);
}

std::string Engine::create_container(const nlohmann::json& body) const {
    const auto r = client(socket_)->Post("/containers/create", body.dump(), kJson);
    if (r && r->status == 404) throw NoSuchImage(engine_message(r->body));
    const auto& res = expect(r, "POST /containers/create", {201});
    const auto j = nlohmann::json::parse(res.body);
    return j.at("Id").get<std::string>();
}

void Engine::put_archive(const std::string& id, const std::string& path, const fs::path& tar) const {
    const std::string route = "/containers/" + id + "/archive?path=" + httplib::detail::encode_query_param(path);
    std::error_code ec;
    const auto size = fs::file_size(tar, ec);
    if (ec) throw Error("cannot read " + tar.string() + ": " + ec.message());
    std::ifstream in(tar, std::ios::binary);
    if (!in) throw Error("cannot read " + tar.string());
    std::vector<char> buf(1 << 16);
    const auto r = client(socket_)->Put(
        route, static_cast<std::size_t>(size),
        [&](std::size_t offset, std::size_t length, httplib::DataSink& sink) {
            in.seekg(static_cast<std::streamoff>(offset));
            const std::size_t want = std::min(length, buf.size());
            in.read(buf.data(), static_cast<std::streamsize>(want));
            const auto got = in.gcount();
            if (got <= 0) return false;
            sink.write(buf.data(), static_cast<std::size_t>(got));
            return true;
        },
        "application/x-tar");
    expect(r, "PUT " + route, {200});
}

int Engine::start_attached(const std::string& id, const core::LineSink& sink) const {
    // The attach request is answered (headers) before the container starts, so no output is
    // lost; the engine then streams it and closes the connection when the container stops.
    auto attach = client(socket_);
    attach->set_read_timeout(std::chrono::hours(24 * 365));  // a step may print nothing for long
    const std::string attach_route = "/containers/" + id + "/attach";
    std::mutex m;
    std::condition_variable cv;
    bool answered = false, done = false;
    int status = 0;
    std::string refusal;  // the body of an attach the engine refused
    core::LineSplitter out(sink), err(sink);
    StreamDemux demux([&](int stream, std::string_view payload) { (stream == 2 ? err : out).feed(payload); });
    httplib::Result attached{nullptr, httplib::Error::Unknown};
    std::exception_ptr failure;
    std::thread reader([&] {
        httplib::Request req;
        req.method = "POST";
        req.path = attach_route + "?stream=1&stdout=1&stderr=1";
        req.response_handler = [&](const httplib::Response& res) {
            std::lock_guard lock(m);
            status = res.status;
            answered = true;
            cv.notify_all();
            return true;
        };
        req.content_receiver = [&](const char* data, std::size_t n, std::uint64_t, std::uint64_t) {
            if (status != 200 && status != 101) {
                refusal.append(data, n);
                return true;
            }
            try {
                demux.feed(std::string_view(data, n));
                return true;
            } catch (...) {  // from the sink: handed to the caller, the stream abandoned
                failure = std::current_exception();
                return false;
            }
        };
        attached = attach->send(req);
        std::lock_guard lock(m);
        answered = done = true;
        cv.notify_all();
    });
    struct Join {
        std::thread& t;
        httplib::Client& c;
        ~Join() {
            if (t.joinable()) {
                c.stop();
                t.join();
            }
        }
    } join{reader, *attach};
    {
        std::unique_lock lock(m);
        cv.wait(lock, [&] { return answered; });
        if (done || (status != 200 && status != 101)) {
            lock.unlock();
            reader.join();
            if (!attached) throw Error("docker engine: POST " + attach_route + ": " + httplib::to_string(attached.error()));
            throw Error("docker engine: POST " + attach_route + ": " + std::to_string(status) + " " +
                        engine_message(refusal));
        }
    }
    const std::string start = "/containers/" + id + "/start";
    expect(client(socket_)->Post(start), "POST " + start, {204, 304});
    reader.join();
    if (failure) std::rethrow_exception(failure);
    out.finish();
    err.finish();
    if (!attached) throw Error("docker engine: POST " + attach_route + ": " + httplib::to_string(attached.error()));
    const std::string wait = "/containers/" + id + "/wait";
    const auto waited = client(socket_)->Post(wait);
    const auto& res = expect(waited, "POST " + wait, {200});
    const auto j = nlohmann::json::parse(res.body);
    if (j.contains("Error") && j["Error"].is_object() && j["Error"].contains("Message") &&
        j["Error"]["Message"].is_string() && !j["Error"]["Message"].get<std::string>().empty())
        throw Error("docker engine: POST " + wait + ": " + j["Error"]["Message"].get<std::string>());
    return j.at("StatusCode").get<int>();
}

void Engine::commit(const std::string& id, const std::string& reference) const {
    const auto [repo, tag] = split_reference(reference);
    const std::string route = "/commit?container=" + id + "&repo=" + httplib::detail::encode_query_param(repo) +
                              "&tag=" + httplib::detail::encode_query_param(tag);
    // No configuration changes (`docker commit` without --change sends none): the container's
    // own becomes the image's.
    expect(client(socket_)->Post(route, "null", kJson), "POST /commit of " + id + " as " + reference, {201});
}

void Engine::remove_container(const std::string& id) const noexcept {
    try {
        client(socket_)->Delete("/containers/" + id + "?force=1");
    } catch (...) {
        // A cleanup: the container stays when the engine cannot remove it.
    }
}

void Engine::remove_image(const std::string& name) const noexcept {
    try {
        client(socket_)->Delete("/images/" + name + "?force=1");
    } catch (...) {
        // As `rmi -f` whose failure the CLI backend ignores.
    }
}

}  // namespace luet::build::docker_api
