// luet.yaml and the repository files of repos_confdir.
//
// Upstream: mudler/luet pkg/api/core/types/config.go and docs "Configuration";
// geaaru/luet adds repos_confdir semantics (files *.yml / *.yaml, one repository each).
// Keys read: system.rootfs, system.database_path (joined to rootfs, as upstream),
// system.database_engine, system.pkgs_cache_path, repositories[], repos_confdir[],
// finalizer_envs (NAME: value map or list of {key, value}), general.debug.
// Subsets and config protect (geaaru/luet pkg/config/config.go): subsets.enabled,
// subsets_confdir, subsets_defdir, config_protect_confdir, config_protect_skip,
// config_from_host (true: those folders are host paths; false: inside the rootfs).
#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace luet::config {

struct RepositoryConfig {
    std::string name;
    std::string description;
    std::string type;  // disk | http | docker
    std::vector<std::string> urls;
    bool enable = true;
    int priority = 0;
    std::string origin;  // file it was read from
};

struct Config {
    std::filesystem::path file;  // the luet.yaml that was loaded, empty for defaults
    std::filesystem::path rootfs = "/";
    std::filesystem::path database_path = "/var/cache/luet";
    std::string database_engine = "sqlite";
    std::string pkgs_cache_path = "packages";
    bool debug = false;
    std::vector<std::filesystem::path> repos_confdir;
    std::vector<RepositoryConfig> repositories;
    std::map<std::string, std::string> finalizer_envs;
    std::vector<std::string> subsets_enabled;  // subsets.enabled
    std::vector<std::filesystem::path> subsets_confdir = {"/etc/luet/subsets.conf.d"};
    std::vector<std::filesystem::path> subsets_defdir = {"/etc/luet/subsets.def.d"};
    std::vector<std::filesystem::path> config_protect_confdir = {"/etc/luet/config.protect.d"};
    bool config_protect_skip = false;
    bool config_from_host = true;

    // rootfs + database_path: where the database and caches live.
    std::filesystem::path system_dir() const;
    std::filesystem::path packages_cache_dir() const;
    // A configuration folder as luet reads it: `dir` itself, or `dir` inside the rootfs
    // when config_from_host is false.
    std::filesystem::path config_dir(const std::filesystem::path& dir) const;
};

// Loads `file` (and the repository files of its repos_confdir). Relative paths inside the
// file are taken relative to the file's folder. Throws luet::Error naming the file and key,
// and for a repository name defined twice (naming both files). Refused: repository names
// that are not plain names (invalid_repository_name), a database_path with "..", a relative
// pkgs_cache_path with "..". An absolute pkgs_cache_path is a host folder (as upstream).
Config load(const std::filesystem::path& file);

// Why `name` cannot name a repository (its local copy is the folder repos/NAME), or "" when
// it can: empty, "." or "..", a "/" or a control character.
std::string invalid_repository_name(const std::string& name);

// Sets `enable` of repository `name` in the file that defines it (a repos_confdir file, or
// its entry in luet.yaml's `repositories`), written atomically; as geaaru/luet
// cmd/repo/{enable,disable}.go. Comments in that file are not kept.
// Throws luet::Error when no repository has that name or the file cannot be written.
void set_repository_enabled(const Config& cfg, const std::string& name, bool enable);

// The effective configuration as YAML, as `luet config` prints it.
std::string to_yaml(const Config& cfg);

}  // namespace luet::config
