#include "luet/config/config.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>

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
    r.type = spec::scalar(n, "type", where);
    r.urls = spec::strings(n, "urls", where);
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
    return r;
}

}  // namespace

std::string invalid_repository_name(const std::string& name) {
    if (name.empty()) return "it is empty";
    if (name == "." || name == "..") return "'.' and '..' name folders";
    if (name.find('/') != std::string::npos) return "it contains '/'";
    if (std::any_of(name.begin(), name.end(), [](unsigned char c) { return c < 0x20 || c == 0x7f; }))
        return "it contains control characters";
    return "";
}

fs::path Config::system_dir() const { return rootfs / database_path.relative_path(); }

fs::path Config::packages_cache_dir() const { return system_dir() / pkgs_cache_path; }

fs::path Config::config_dir(const fs::path& dir) const {
    return config_from_host ? dir : rootfs / dir.relative_path();
}

Config load(const fs::path& file) {
    Config cfg;
    cfg.file = fs::absolute(file);
    const std::string origin = cfg.file.string();
    const fs::path base = cfg.file.parent_path();
    YAML::Node n = spec::load_yaml(core::read_file(file), origin);

    if (YAML::Node sys = n["system"]; sys && sys.IsMap()) {
        if (auto v = spec::scalar(sys, "rootfs", origin + " system"); !v.empty()) cfg.rootfs = relative_to(base, v);
        if (auto v = spec::scalar(sys, "database_path", origin + " system"); !v.empty()) cfg.database_path = v;
        if (auto v = spec::scalar(sys, "database_engine", origin + " system"); !v.empty()) cfg.database_engine = v;
        if (auto v = spec::scalar(sys, "pkgs_cache_path", origin + " system"); !v.empty()) cfg.pkgs_cache_path = v;
    }
    // The state folder is inside the rootfs, and a relative cache folder inside the state
    // folder: luet replaces and deletes files there.
    if (climbs(cfg.database_path))
        throw Error(origin + ": system.database_path " + core::quoted(cfg.database_path.string()) +
                    " contains '..': luet's database folder must stay inside the rootfs");
    if (fs::path(cfg.pkgs_cache_path).is_relative() && climbs(cfg.pkgs_cache_path))
        throw Error(origin + ": system.pkgs_cache_path " + core::quoted(cfg.pkgs_cache_path) +
                    " contains '..': a relative packages cache must stay inside the database folder");
    if (YAML::Node gen = n["general"]; gen && gen.IsMap()) cfg.debug = spec::boolean(gen, "debug", origin + " general");
    for (const auto& d : spec::strings(n, "repos_confdir", origin)) cfg.repos_confdir.push_back(relative_to(base, d));
    if (!spec::scalar(n, "config_from_host", origin).empty())
        cfg.config_from_host = spec::boolean(n, "config_from_host", origin);
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
    folders("config_protect_confdir", cfg.config_protect_confdir);
    cfg.config_protect_skip = spec::boolean(n, "config_protect_skip", origin);
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
    for (const auto& dir : cfg.repos_confdir) {
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
    out << YAML::Key << "general" << YAML::Value << YAML::BeginMap << YAML::Key << "debug" << YAML::Value
        << cfg.debug << YAML::EndMap;
    out << YAML::Key << "system" << YAML::Value << YAML::BeginMap;
    out << YAML::Key << "rootfs" << YAML::Value << cfg.rootfs.string();
    out << YAML::Key << "database_path" << YAML::Value << cfg.database_path.string();
    out << YAML::Key << "database_engine" << YAML::Value << cfg.database_engine;
    out << YAML::Key << "pkgs_cache_path" << YAML::Value << cfg.pkgs_cache_path;
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
