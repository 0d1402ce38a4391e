#include <yaml-cpp/yaml.h>

#include "luet/core/error.hpp"
#include "luet/repo/repository.hpp"
#include "luet/spec/yaml_util.hpp"

namespace luet::repo {

RepoFile document_file(const std::string& filename, artifact::Compression c) {
    RepoFile f{filename, c, ""};
    if (c == artifact::Compression::None) {
        if (filename.ends_with(".gz")) f.compression = artifact::Compression::Gzip;
        if (filename.ends_with(".zst")) f.compression = artifact::Compression::Zstd;
        return f;
    }
    const std::string suffix = c == artifact::Compression::Gzip ? ".gz" : ".zst";
    if (!filename.ends_with(suffix)) f.filename += suffix;
    return f;
}

// repository.yaml keeps the key order of geaaru's WagonIdentity (config.LuetRepository
// inline, then repo_files); mudler/luet reads the same keys.
std::string index_to_yaml(const RepositoryIndex& r) {
    YAML::Emitter out;
    out << YAML::BeginMap;
    out << YAML::Key << "name" << YAML::Value << r.name;
    out << YAML::Key << "description" << YAML::Value << r.description;
    out << YAML::Key << "urls" << YAML::Value << YAML::BeginSeq;
    for (const auto& u : r.urls) out << u;
    out << YAML::EndSeq;
    out << YAML::Key << "type" << YAML::Value << r.type;
    if (r.priority != 0) out << YAML::Key << "priority" << YAML::Value << r.priority;
    out << YAML::Key << "enable" << YAML::Value << r.enable;
    out << YAML::Key << "cached" << YAML::Value << r.cached;
    out << YAML::Key << "revision" << YAML::Value << r.revision;
    out << YAML::Key << "last_update" << YAML::Value << YAML::DoubleQuoted << r.last_update;
    if (!r.expires.empty()) out << YAML::Key << "expires" << YAML::Value << YAML::DoubleQuoted << r.expires;
    out << YAML::Key << "repo_files" << YAML::Value << YAML::BeginMap;
    for (const auto& [key, f] : r.repo_files) {
        out << YAML::Key << key << YAML::Value << YAML::BeginMap;
        out << YAML::Key << "filename" << YAML::Value << f.filename;
        out << YAML::Key << "compressiontype" << YAML::Value << artifact::compression_name(f.compression);
        out << YAML::Key << "checksums" << YAML::Value << YAML::BeginMap << YAML::Key << "sha256" << YAML::Value
            << f.sha256 << YAML::EndMap;
        out << YAML::EndMap;
    }
    out << YAML::EndMap;
    out << YAML::EndMap;
    return std::string(out.c_str()) + "\n";
}

RepositoryIndex index_from_yaml(const std::string& text, const std::string& origin) {
    YAML::Node n = spec::load_yaml(text, origin);
    RepositoryIndex r;
    r.name = spec::scalar(n, "name", origin);
    r.description = spec::scalar(n, "description", origin);
    r.type = spec::scalar(n, "type", origin);
    r.urls = spec::strings(n, "urls", origin);
    try {
        std::string prio = spec::scalar(n, "priority", origin);
        r.priority = prio.empty() ? 0 : std::stoi(prio);
        std::string rev = spec::scalar(n, "revision", origin);
        r.revision = rev.empty() ? 0 : std::stoi(rev);
    } catch (const std::logic_error&) {
        throw Error(origin + ": 'priority' and 'revision' must be numbers");
    }
    r.enable = !n["enable"] || spec::boolean(n, "enable", origin);
    r.cached = spec::boolean(n, "cached", origin);
    r.last_update = spec::scalar(n, "last_update", origin);
    r.expires = spec::scalar(n, "expires", origin);
    if (YAML::Node files = n["repo_files"]; files && files.IsMap()) {
        for (const auto& kv : files) {
            const std::string key = kv.first.Scalar();
            const std::string where = origin + " repo_files." + key;
            RepoFile f;
            f.filename = spec::scalar(kv.second, "filename", where);
            std::string comp = spec::scalar(kv.second, "compressiontype", where);
            f.compression = artifact::parse_compression(comp.empty() ? "none" : comp);
            if (YAML::Node sums = kv.second["checksums"]; sums && sums.IsMap())
                f.sha256 = spec::scalar(sums, "sha256", where);
            if (f.filename.empty()) throw Error(where + ": no filename");
            r.repo_files[key] = f;
        }
    }
    return r;
}

}  // namespace luet::repo
