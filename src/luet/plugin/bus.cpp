#include "luet/plugin/bus.hpp"

#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <mutex>

#include "luet/core/error.hpp"
#include "luet/core/process.hpp"

namespace fs = std::filesystem;

namespace luet::plugin {
namespace {

// go-pluggable's maxMessageSize: larger payloads travel in a file, not in argv.
constexpr std::size_t kMaxArgPayload = 1 << 13;

struct State {
    std::mutex mu;
    std::vector<Plugin> plugins;
    std::function<void(const std::string&)> on_state;
};
State& state() {
    static State s;
    return s;
}

// A temporary file removed when it goes out of scope.
struct TempFile {
    fs::path path;
    explicit TempFile(const std::string& content) {
        const char* dir = std::getenv("TMPDIR");
        std::string tmpl = (fs::path(dir && *dir ? dir : "/tmp") / "pluggableXXXXXX").string();
        const int fd = mkstemp(tmpl.data());
        if (fd < 0) throw Error("plugin: cannot create a temporary file in " + fs::path(tmpl).parent_path().string());
        close(fd);
        path = tmpl;
        std::ofstream(path, std::ios::binary) << content;
    }
    ~TempFile() {
        std::error_code ec;
        fs::remove(path, ec);
    }
};

}  // namespace

std::vector<Plugin> find(const std::vector<std::string>& names, const std::string& path) {
    std::vector<Plugin> out;
    std::size_t start = 0;
    while (start <= path.size()) {
        const std::size_t end = std::min(path.find(':', start), path.size());
        const fs::path dir = path.substr(start, end - start);
        start = end + 1;
        for (const auto& n : names) {
            std::error_code ec;
            const fs::path exe = dir / n;
            if (!n.empty() && fs::exists(fs::symlink_status(exe, ec))) out.push_back({n, exe});
        }
    }
    return out;
}

void set_plugins(std::vector<Plugin> plugins, std::function<void(const std::string&)> on_state) {
    std::lock_guard lock(state().mu);
    state().plugins = std::move(plugins);
    state().on_state = std::move(on_state);
}

void publish(const std::string& event, const std::function<nlohmann::json()>& make_payload) {
    auto& s = state();
    std::lock_guard lock(s.mu);
    if (s.plugins.empty()) return;
    const std::string data = make_payload().dump();
    nlohmann::json ev = {{"name", event}, {"data", data}, {"file", ""}};
    std::unique_ptr<TempFile> file;
    if (data.size() > kMaxArgPayload) {
        file = std::make_unique<TempFile>(data);
        ev["data"] = "";
        ev["file"] = file->path.string();
    }
    const std::string text = ev.dump();
    for (const auto& p : s.plugins) {
        const std::string where = "Plugin " + p.name + " at " + p.executable.string();
        std::string out;
        try {
            out = core::capture({p.executable.string(), event, text});
        } catch (const Error& e) {
            std::string msg = e.what();  // the command line, without the (long) event JSON
            if (const auto at = msg.find(core::quote_command({text})); at != std::string::npos)
                msg.replace(at, core::quote_command({text}).size(), "EVENT_JSON");
            throw Error(where + " had an error: error while executing plugin: " + msg);
        }
        nlohmann::json r;
        try {
            r = nlohmann::json::parse(out);
        } catch (const nlohmann::json::exception& e) {
            throw Error(where + " had an error: its answer to " + event + " is not JSON: " + e.what());
        }
        const auto field = [&](const char* k) {
            return r.is_object() && r.contains(k) && r[k].is_string() ? r[k].get<std::string>() : std::string();
        };
        if (const std::string err = field("error"); !err.empty()) throw Error(where + " had an error: " + err);
        if (const std::string st = field("state"); !st.empty() && s.on_state)
            s.on_state("🍭 " + where + " succeded, state reported: " + st);
    }
}

}  // namespace luet::plugin
