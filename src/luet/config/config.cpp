#include "luet/config/config.hpp"

#include <yaml-cpp/yaml.h>

#include <sched.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <thread>

#include "luet/core/error.hpp"
#include "luet/core/file.hpp"
#include "luet/core/text.hpp"
#include "luet/spec/yaml_util.hpp"

namespace fs = std::filesystem;

namespace luet::config {
namespace {

fs::path relative_to(const fs::path& base, const std::string& p) {
    if (p.empty()) return {};
    fs::path path(p);
    return path.is_absolute() ? path : (base / path).lexically_normal();
}

int to_int(const std::string& v, const std::string& where) {
    try {
        std::size_t used = 0;
        const int n = std::stoi(v, &used);
        if (used == v.size()) return n;
    } catch (const std::logic_error&) {
    }
    throw Error(where + ": expected a whole number, not '" + v + "'");
}

std::uint64_t to_bytes(const std::string& v, const std::string& where) {
    try {
        std::size_t used = 0;
        const std::uint64_t n = !v.empty() && v[0] != '-' ? std::stoull(v, &used) : 0;
        if (used == v.size() && used > 0) return n;
    } catch (const std::logic_error&) {
    }
    throw Error(where + ": expected a number of bytes, not '" + v + "'");
}

double to_double(const std::string& v, const std::string& where) {
    try {
        std::size_t used = 0;
        const double d = std::stod(v, &used);
        if (used == v.size()) return d;
    } catch (const std::logic_error&) {
    }
    throw Error(where + ": expected a number, not '" + v + "'");
}

bool to_bool(const std::string& v, const std::string& where) {
    if (auto b = parse_bool(v)) return *b;
    throw Error(where + ": expected true or false, not '" + v + "'");
}

// Each settable key and how its text lands in Config. `where` names the origin in errors;
// `base` resolves relative paths.
using Setter = std::function<void(Config&, const std::string& value, const std::string& where, const fs::path& base)>;

const std::vector<std::pair<std::string, Setter>>& setters() {
    static const std::vector<std::pair<std::string, Setter>> table = {
        {"system.rootfs", [](Config& c, const std::string& v, const std::string&, const fs::path& b) { c.rootfs = relative_to(b, v); }},
        {"system.database_path", [](Config& c, const std::string& v, const std::string&, const fs::path&) { c.database_path = v; }},
        {"system.database_engine", [](Config& c, const std::string& v, const std::string&, const fs::path&) { c.database_engine = v; }},
        {"system.pkgs_cache_path", [](Config& c, const std::string& v, const std::string&, const fs::path&) { c.pkgs_cache_path = v; }},
        {"system.tmpdir_base", [](Config& c, const std::string& v, const std::string&, const fs::path& b) { c.tmpdir_base = relative_to(b, v); }},
        {"general.debug", [](Config& c, const std::string& v, const std::string& w, const fs::path&) { c.debug = to_bool(v, w); }},
        {"general.quiet", [](Config& c, const std::string& v, const std::string& w, const fs::path&) { c.quiet = to_bool(v, w); }},
        {"general.concurrency", [](Config& c, const std::string& v, const std::string& w, const fs::path&) {
             c.concurrency = to_int(v, w);
             if (c.concurrency < 1) throw Error(w + ": concurrency must be at least 1, not " + v);
         }},
        {"general.same_owner", [](Config& c, const std::string& v, const std::string& w, const fs::path&) { c.same_owner = to_bool(v, w); }},
        {"general.fatal_warnings", [](Config& c, const std::string& v, const std::string& w, const fs::path&) { c.fatal_warnings = to_bool(v, w); }},
        {"general.show_build_output", [](Config& c, const std::string& v, const std::string& w, const fs::path&) { c.show_build_output = to_bool(v, w); }},
        {"general.http_timeout", [](Config& c, const std::string& v, const std::string& w, const fs::path&) { c.http_timeout = to_int(v, w); }},
        {"general.max_unpacked_bytes", [](Config& c, const std::string& v, const std::string& w, const fs::path&) { c.max_unpacked_bytes = to_bytes(v, w); }},
        {"general.max_artifact_bytes", [](Config& c, const std::string& v, const std::string& w, const fs::path&) { c.max_artifact_bytes = to_bytes(v, w); }},
        {"logging.color", [](Config& c, const std::string& v, const std::string& w, const fs::path&) { c.color = to_bool(v, w); }},
        {"logging.enable_emoji", [](Config& c, const std::string& v, const std::string& w, const fs::path&) { c.enable_emoji = to_bool(v, w); }},
        {"logging.enable_logfile", [](Config& c, const std::string& v, const std::string& w, const fs::path&) { c.enable_logfile = to_bool(v, w); }},
        {"logging.path", [](Config& c, const std::string& v, const std::string&, const fs::path& b) { c.log_path = relative_to(b, v); }},
        {"backend", [](Config& c, const std::string& v, const std::string&, const fs::path&) { c.backend = v; }},
        {"no_spinner", [](Config& c, const std::string& v, const std::string& w, const fs::path&) { c.no_spinner = to_bool(v, w); }},
        {"config_protect_skip", [](Config& c, const std::string& v, const std::string& w, const fs::path&) { c.config_protect_skip = to_bool(v, w); }},
        {"config_from_host", [](Config& c, const std::string& v, const std::string& w, const fs::path&) { c.config_from_host = to_bool(v, w); }},
        {"solver.type", [](Config& c, const std::string& v, const std::string&, const fs::path&) { c.solver_type = v; }},
        {"solver.rate", [](Config& c, const std::string& v, const std::string& w, const fs::path&) { c.solver_rate = to_double(v, w); }},
        {"solver.discount", [](Config& c, const std::string& v, const std::string& w, const fs::path&) { c.solver_discount = to_double(v, w); }},
        {"solver.max_attempts", [](Config& c, const std::string& v, const std::string& w, const fs::path&) { c.solver_max_attempts = to_int(v, w); }},
    };
    return table;
}

void apply(Config& cfg, const Setting& s) {
    const auto& table = setters();
    auto it = std::find_if(table.begin(), table.end(), [&](const auto& e) { return e.first == s.key; });
    if (it == table.end()) throw Error(s.origin + ": unknown configuration key '" + s.key + "'");
    it->second(cfg, s.value, s.origin, s.base);
}

// The node at a dotted key ("system.rootfs") of the document, or an undefined node.
YAML::Node at(const YAML::Node& root, const std::string& key) {
    YAML::Node n;
    n.reset(root);  // reset, not =: assigning a YAML::Node would write into `root`
    std::size_t start = 0;
    while (true) {
        const auto dot = key.find('.', start);
        const std::string part = key.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
        if (!n.IsMap()) return YAML::Node(YAML::NodeType::Undefined);
        const YAML::Node& here = n;  // const lookup: never adds the key
        const YAML::Node child = here[part];
        if (!child.IsDefined()) return YAML::Node(YAML::NodeType::Undefined);
        if (dot == std::string::npos) return child;
        n.reset(child);
        start = dot + 1;
    }
}

// Go's runtime.NumCPU(), upstream's default concurrency (both upstreams: viper default and the
// --concurrency flag default): the CPUs this process may run on (its affinity mask, which a
// container's cpuset narrows), else the CPUs online.
int cpus_usable() {
    cpu_set_t set;
    CPU_ZERO(&set);
    if (sched_getaffinity(0, sizeof set, &set) == 0 && CPU_COUNT(&set) > 0) return CPU_COUNT(&set);
    return static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
}

// Upstream setDefaults: values that depend on the machine.
Config defaults() {
    Config cfg;
    cfg.concurrency = cpus_usable();
    cfg.same_owner = ::geteuid() == 0;
    // As Go's os.TempDir: $TMPDIR, else /tmp, whether it exists or not (a bare chroot where the
    // static luet runs may have no /tmp; std::filesystem::temp_directory_path would throw).
    const char* tmpdir = std::getenv("TMPDIR");
    cfg.tmpdir_base = fs::path(tmpdir && *tmpdir ? tmpdir : "/tmp") / "tmpluet";
    cfg.repos_confdir = {"/etc/luet/repos.conf.d"};
    return cfg;
}

// True when `p` has a ".." component (it could climb out of the folder it is joined to).
bool climbs(const fs::path& p) {
    return std::any_of(p.begin(), p.end(), [](const fs::path& part) { return part == ".."; });
}

RepositoryConfig parse_repository(const YAML::Node& n, const std::string& origin, const fs::path& base) {
    RepositoryConfig r;
    r.origin = origin;
    r.name = spec::scalar(n, "name", origin);
    if (r.name.empty()) throw Error(origin + ": a repository has no 'name'");
    // The name is a folder under <database_path>/repos that repo update replaces whole.
    if (std::string why = invalid_repository_name(r.name); !why.empty())
        throw Error(origin + ": repository 'name' " + core::quoted(r.name) + " is not a plain name: " + why);
    const std::string where = origin + " (repository " + r.name + ")";
    r.description = spec::scalar(n, "description", where);
    r.reference = spec::scalar(n, "reference", where);
    if (!r.reference.empty() && (r.reference.find('/') != std::string::npos || r.reference == "." ||
                                 r.reference == ".." || r.reference.find('\0') != std::string::npos))
        throw Error(where + ": 'reference' must be a file name of the repository (e.g. ID-repository.yaml), not " +
                    core::quoted(r.reference));
    r.type = spec::scalar(n, "type", where);
    r.urls = spec::strings(n, "urls", where);
    r.written_urls = r.urls;
    if (r.type == "disk")
        for (auto& u : r.urls) u = relative_to(base, u).string();
    std::string enable = spec::scalar(n, "enable", where);
    r.enable = enable.empty() ? true : spec::boolean(n, "enable", where);
    std::string prio = spec::scalar(n, "priority", where);
    try {
        r.priority = prio.empty() ? 0 : std::stoi(prio);
    } catch (const std::logic_error&) {
        throw Error(where + ": 'priority' must be a number, not '" + prio + "'");
    }
    if (r.type != "disk" && r.type != "http" && r.type != "docker")
        throw Error(where + ": unknown type '" + r.type + "' (expected disk, http or docker)");
    if (const YAML::Node verify = n["verify"]; verify && !verify.IsNull()) {
        if (!verify.IsMap()) throw Error(where + ": 'verify' must be a map with 'keys'");
        for (const auto& key : spec::strings(verify, "keys", where + " verify")) {
            if (key.find("-----BEGIN") != std::string::npos) {
                r.verify_keys.push_back(key);
                continue;
            }
            const fs::path file = relative_to(base, key);
            std::error_code ec;
            if (!fs::is_regular_file(file, ec))
                throw Error(where + ": verify.keys: no public key file " + file.string());
            r.verify_keys.push_back(core::read_file(file));
        }
        if (r.verify_keys.empty()) throw Error(where + ": 'verify' lists no keys (verify: {keys: [FILE or PEM]})");
    }
    if (const YAML::Node auth = n["auth"]; auth && !auth.IsNull()) {
        if (!auth.IsMap()) throw Error(where + ": 'auth' must be a map (e.g. auth: {username: U, password: P})");
        for (const auto& kv : auth) {
            const std::string key = kv.first.as<std::string>();
            if (!kv.second.IsScalar()) throw Error(where + ": auth." + key + " must be a string");
            r.auth[key] = kv.second.as<std::string>();
        }
    }
    return r;
}

}  // namespace

std::string invalid_repository_name(const std::string& name) {
    if (name.empty()) return "it is empty";
    if (name == "." || name == "..") return "'.' and '..' name folders";
    if (name.find('/') != std::string::npos) return "it contains '/'";
    if (core::has_control(name))
        return "it contains control characters";
    return "";
}

fs::path Config::system_dir() const { return rootfs / database_path.relative_path(); }

fs::path Config::packages_cache_dir() const { return system_dir() / pkgs_cache_path; }

fs::path Config::config_dir(const fs::path& dir) const {
    return config_from_host ? dir : rootfs / dir.relative_path();
}

const std::vector<std::string>& setting_keys() {
    static const std::vector<std::string> keys = [] {
        std::vector<std::string> out;
        for (const auto& [k, setter] : setters()) out.push_back(k);
        return out;
    }();
    return keys;
}

std::string env_name(const std::string& key) {
    std::string out = "LUET_";
    for (char c : key) {
        if (c == '.') {
            out += "__";
        } else {
            out += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
        }
    }
    return out;
}

std::optional<bool> parse_bool(const std::string& t) {
    for (const char* yes : {"1", "t", "T", "TRUE", "true", "True", "yes", "Yes", "on", "On"})
        if (t == yes) return true;
    for (const char* no : {"0", "f", "F", "FALSE", "false", "False", "no", "No", "off", "Off"})
        if (t == no) return false;
    return std::nullopt;
}

fs::path find_file(const fs::path& cwd, const fs::path& home) {
    std::error_code ec;
    if (fs::is_regular_file(cwd / ".luet.yaml", ec)) return cwd / ".luet.yaml";
    if (!home.empty() && fs::is_regular_file(home / ".luet.yaml", ec)) return home / ".luet.yaml";
    if (fs::is_regular_file("/etc/luet/luet.yaml", ec)) return "/etc/luet/luet.yaml";
    return {};
}

Config load(const fs::path& file, const std::vector<Setting>& overrides) {
    Config cfg = defaults();
    YAML::Node n(YAML::NodeType::Map);
    fs::path base = fs::current_path();
    std::string origin = "built-in defaults";
    if (!file.empty()) {
        cfg.file = fs::absolute(file);
        origin = cfg.file.string();
        base = cfg.file.parent_path();
        n.reset(spec::load_yaml(core::read_file(file), origin));
    }

    for (const auto& key : setting_keys()) {
        YAML::Node v = at(n, key);
        if (!v || v.IsNull()) continue;
        if (!v.IsScalar()) throw Error(origin + ": '" + key + "' must be a single value");
        if (v.Scalar().empty()) continue;
        apply(cfg, {key, v.Scalar(), origin + " " + key, base});
    }
    if (n["repos_confdir"]) {
        cfg.repos_confdir.clear();
        for (const auto& d : spec::strings(n, "repos_confdir", origin))
            cfg.repos_confdir.push_back(cfg.config_from_host ? relative_to(base, d) : fs::path(d));
    }
    // Relative host folders are taken relative to this file, as repos_confdir; folders inside
    // the rootfs (config_from_host false) are kept as written.
    auto folders = [&](const char* key, std::vector<fs::path>& out) {
        if (!n[key]) return;
        out.clear();
        for (const auto& d : spec::strings(n, key, origin))
            out.push_back(cfg.config_from_host ? relative_to(base, d) : fs::path(d));
    };
    folders("subsets_confdir", cfg.subsets_confdir);
    folders("subsets_defdir", cfg.subsets_defdir);
    folders("packages_maskdir", cfg.packages_maskdir);
    folders("config_protect_confdir", cfg.config_protect_confdir);
    if (YAML::Node subsets = n["subsets"]; subsets && !subsets.IsNull()) {
        if (!subsets.IsMap()) throw Error(origin + ": 'subsets' must be a map with an 'enabled' list");
        cfg.subsets_enabled = spec::strings(subsets, "enabled", origin + " subsets");
    }
    if (YAML::Node envs = n["finalizer_envs"]; envs) {
        if (envs.IsMap()) {
            for (const auto& kv : envs) cfg.finalizer_envs[kv.first.Scalar()] = kv.second.Scalar();
        } else if (envs.IsSequence()) {
            for (const auto& item : envs)
                cfg.finalizer_envs[spec::scalar(item, "key", origin)] = spec::scalar(item, "value", origin);
        }
    }
    if (YAML::Node repos = n["repositories"]; repos && !repos.IsNull()) {
        if (!repos.IsSequence()) throw Error(origin + ": 'repositories' must be a list");
        for (const auto& r : repos) cfg.repositories.push_back(parse_repository(r, origin, base));
    }
    for (const auto& s : overrides) apply(cfg, s);
    // The state folder is inside the rootfs, and a relative cache folder inside the state
    // folder: luet replaces and deletes files there.
    if (climbs(cfg.database_path))
        throw Error(origin + ": system.database_path " + core::quoted(cfg.database_path.string()) +
                    " contains '..': luet's database folder must stay inside the rootfs");
    if (fs::path(cfg.pkgs_cache_path).is_relative() && climbs(cfg.pkgs_cache_path))
        throw Error(origin + ": system.pkgs_cache_path " + core::quoted(cfg.pkgs_cache_path) +
                    " contains '..': a relative packages cache must stay inside the database folder");
    for (const auto& confdir : cfg.repos_confdir) {
        const fs::path dir = cfg.config_dir(confdir);
        if (!fs::is_directory(dir)) continue;
        std::vector<fs::path> files;
        for (const auto& e : fs::directory_iterator(dir)) {
            const auto ext = e.path().extension();
            if (ext == ".yml" || ext == ".yaml") files.push_back(e.path());
        }
        std::sort(files.begin(), files.end());
        for (const auto& f : files)
            cfg.repositories.push_back(parse_repository(spec::load_yaml(core::read_file(f), f.string()), f.string(), dir));
    }
    // config_from_host false: a disk repository's urls are paths inside the rootfs, as the
    // confdirs are (geaaru/luet pkg/v2/repository/client/local.go joins rootfs and url).
    if (!cfg.config_from_host && !cfg.rootfs.empty() && cfg.rootfs != "/")
        for (auto& r : cfg.repositories)
            if (r.type == "disk")
                for (size_t i = 0; i < r.urls.size() && i < r.written_urls.size(); ++i)
                    r.urls[i] = (cfg.rootfs / fs::path(r.written_urls[i]).relative_path()).lexically_normal().string();
    for (auto& r : cfg.repositories) {
        r.http_timeout = cfg.http_timeout;
        r.max_artifact_bytes = cfg.max_artifact_bytes;
    }
    // Each repository has its own local copy under repos/NAME: a name must be unique.
    for (size_t i = 0; i < cfg.repositories.size(); ++i)
        for (size_t j = 0; j < i; ++j)
            if (cfg.repositories[i].name == cfg.repositories[j].name)
                throw Error("repository " + cfg.repositories[i].name + " is defined twice: in " +
                            cfg.repositories[j].origin + " and in " + cfg.repositories[i].origin);
    return cfg;
}

void set_repository_enabled(const Config& cfg, const std::string& name, bool enable) {
    auto it = std::find_if(cfg.repositories.begin(), cfg.repositories.end(),
                           [&](const RepositoryConfig& r) { return r.name == name; });
    if (it == cfg.repositories.end()) throw Error("repository " + name + " is not configured");
    const fs::path file = it->origin;
    YAML::Node root = spec::load_yaml(core::read_file(file), file.string());
    bool found = false;
    if (root["repositories"] && root["repositories"].IsSequence()) {
        for (auto r : root["repositories"])
            if (r["name"] && r["name"].Scalar() == name) {
                r["enable"] = enable;
                found = true;
            }
    } else if (root["name"] && root["name"].Scalar() == name) {
        root["enable"] = enable;
        found = true;
    }
    if (!found) throw Error(file.string() + ": no repository named " + name);
    YAML::Emitter out;
    out << root;
    core::write_file_atomic(file, std::string(out.c_str()) + "\n");
}

std::string to_yaml(const Config& cfg) {
    YAML::Emitter out;
    out << YAML::BeginMap;
    out << YAML::Key << "general" << YAML::Value << YAML::BeginMap;
    out << YAML::Key << "debug" << YAML::Value << cfg.debug;
    out << YAML::Key << "quiet" << YAML::Value << cfg.quiet;
    out << YAML::Key << "concurrency" << YAML::Value << cfg.concurrency;
    out << YAML::Key << "same_owner" << YAML::Value << cfg.same_owner;
    out << YAML::Key << "fatal_warnings" << YAML::Value << cfg.fatal_warnings;
    out << YAML::Key << "show_build_output" << YAML::Value << cfg.show_build_output;
    out << YAML::Key << "http_timeout" << YAML::Value << cfg.http_timeout;
    out << YAML::Key << "max_unpacked_bytes" << YAML::Value << cfg.max_unpacked_bytes;
    out << YAML::Key << "max_artifact_bytes" << YAML::Value << cfg.max_artifact_bytes;
    out << YAML::EndMap;
    out << YAML::Key << "logging" << YAML::Value << YAML::BeginMap;
    out << YAML::Key << "color" << YAML::Value << cfg.color;
    out << YAML::Key << "enable_emoji" << YAML::Value << cfg.enable_emoji;
    out << YAML::Key << "enable_logfile" << YAML::Value << cfg.enable_logfile;
    out << YAML::Key << "path" << YAML::Value << cfg.log_path.string();
    out << YAML::EndMap;
    out << YAML::Key << "no_spinner" << YAML::Value << cfg.no_spinner;
    out << YAML::Key << "system" << YAML::Value << YAML::BeginMap;
    out << YAML::Key << "rootfs" << YAML::Value << cfg.rootfs.string();
    out << YAML::Key << "database_path" << YAML::Value << cfg.database_path.string();
    out << YAML::Key << "database_engine" << YAML::Value << cfg.database_engine;
    out << YAML::Key << "pkgs_cache_path" << YAML::Value << cfg.pkgs_cache_path;
    out << YAML::Key << "tmpdir_base" << YAML::Value << cfg.tmpdir_base.string();
    out << YAML::EndMap;
    out << YAML::Key << "solver" << YAML::Value << YAML::BeginMap;
    out << YAML::Key << "type" << YAML::Value << cfg.solver_type;
    // %g: 0.7 as written, not 0.69999999999999996.
    auto number = [](double d) {
        char buf[32];
        std::snprintf(buf, sizeof buf, "%g", d);
        return std::string(buf);
    };
    out << YAML::Key << "rate" << YAML::Value << number(cfg.solver_rate);
    out << YAML::Key << "discount" << YAML::Value << number(cfg.solver_discount);
    out << YAML::Key << "max_attempts" << YAML::Value << cfg.solver_max_attempts;
    out << YAML::EndMap;
    out << YAML::Key << "repos_confdir" << YAML::Value << YAML::BeginSeq;
    for (const auto& d : cfg.repos_confdir) out << d.string();
    out << YAML::EndSeq;
    auto folders = [&](const char* key, const std::vector<fs::path>& dirs) {
        out << YAML::Key << key << YAML::Value << YAML::BeginSeq;
        for (const auto& d : dirs) out << d.string();
        out << YAML::EndSeq;
    };
    folders("subsets_confdir", cfg.subsets_confdir);
    folders("subsets_defdir", cfg.subsets_defdir);
    folders("packages_maskdir", cfg.packages_maskdir);
    folders("config_protect_confdir", cfg.config_protect_confdir);
    out << YAML::Key << "config_protect_skip" << YAML::Value << cfg.config_protect_skip;
    out << YAML::Key << "config_from_host" << YAML::Value << cfg.config_from_host;
    if (!cfg.subsets_enabled.empty()) {
        out << YAML::Key << "subsets" << YAML::Value << YAML::BeginMap << YAML::Key << "enabled" << YAML::Value
            << YAML::BeginSeq;
        for (const auto& s : cfg.subsets_enabled) out << s;
        out << YAML::EndSeq << YAML::EndMap;
    }
    if (!cfg.finalizer_envs.empty()) {
        out << YAML::Key << "finalizer_envs" << YAML::Value << YAML::BeginMap;
        for (const auto& [k, v] : cfg.finalizer_envs) out << YAML::Key << k << YAML::Value << v;
        out << YAML::EndMap;
    }
    out << YAML::Key << "repositories" << YAML::Value << YAML::BeginSeq;
    for (const auto& r : cfg.repositories) {
        out << YAML::BeginMap;
        out << YAML::Key << "name" << YAML::Value << r.name;
        if (!r.description.empty()) out << YAML::Key << "description" << YAML::Value << r.description;
        out << YAML::Key << "type" << YAML::Value << r.type;
        if (!r.reference.empty()) out << YAML::Key << "reference" << YAML::Value << r.reference;
        out << YAML::Key << "enable" << YAML::Value << r.enable;
        if (r.priority) out << YAML::Key << "priority" << YAML::Value << r.priority;
        out << YAML::Key << "urls" << YAML::Value << YAML::BeginSeq;
        for (const auto& u : r.urls) out << u;
        out << YAML::EndSeq;
        out << YAML::EndMap;
    }
    out << YAML::EndSeq;
    out << YAML::EndMap;
    return std::string(out.c_str()) + "\n";
}

}  // namespace luet::config
