// luet.yaml and the repository files of repos_confdir.
//
// Upstream: mudler/luet pkg/api/core/types/config.go and docs "Configuration";
// geaaru/luet adds repos_confdir semantics (files *.yml / *.yaml, one repository each).
// Keys read: system.rootfs, system.database_path (joined to rootfs, as upstream),
// system.database_engine, system.pkgs_cache_path, repositories[], repos_confdir[],
// finalizer_envs (NAME: value map or list of {key, value}), general.debug.
// Subsets and config protect (geaaru/luet pkg/config/config.go): subsets.enabled,
// subsets_confdir, subsets_defdir, packages_maskdir, config_protect_confdir, config_protect_skip,
// config_from_host (true: those folders are host paths; false: inside the rootfs).
// Ours: a repository's verify.keys (signed repositories, repo/signature.hpp),
// general.max_unpacked_bytes and general.max_artifact_bytes.
//
// Settings from outside the file (upstream: viper in geaaru/luet cmd/root.go and mudler/luet
// cmd/util/config.go): every scalar key of settings() can also come from a global flag
// (--system-target → system.rootfs …) or from its LUET_* environment variable (env_name());
// the precedence is viper's: flag > environment > luet.yaml > built-in default.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace luet::config {

// general.max_artifact_bytes by default: 4 GiB, above the largest artifacts of the Macaroni
// and Mocaccino repositories (compressed), far below a disk filled by an endless body.
inline constexpr std::uint64_t kDefaultMaxArtifactBytes = std::uint64_t{4} << 30;

struct RepositoryConfig {
    std::string name;
    std::string description;
    std::string type;  // disk | http | docker
    std::vector<std::string> urls;          // disk: resolved (relative to the file, or the rootfs)
    std::vector<std::string> written_urls;  // as written in the file
    bool enable = true;
    int priority = 0;
    std::string origin;  // file it was read from
    // verify.keys (ours, repo/signature.hpp): Ed25519 public keys as PEM text. Each entry of
    // the file is the PEM itself or the path of a PEM file (relative to the repository's
    // file). Not empty: sync() refuses a repository.yaml without a valid signature by one of
    // them.
    std::vector<std::string> verify_keys;
    // auth: (mudler/luet pkg/api/core/types/repository.go Authentication, `auth` key; geaaru the
    // same): string keys and values. docker repositories read docker's AuthConfig keys —
    // username + password, or auth (base64 "user:pass"), or registrytoken (a bearer token sent
    // as is) — and win over docker's config.json; http repositories send `token` as
    // "Authorization: token X" or `basic` as "Authorization: Basic X" (pkg/installer/client/http.go).
    std::map<std::string, std::string> auth;
    // reference: (mudler/luet ReferenceID): the file fetched instead of repository.yaml, a
    // snapshot's index as `create-repo --snapshot-id ID` writes it ("ID-repository.yaml"). A
    // plain file name; "" = repository.yaml. http and disk repositories.
    std::string reference;
    // Config::http_timeout, copied here by load() for the transport: the longest a whole
    // download (every attempt and url) may take, in seconds; 0 or less: no limit.
    int http_timeout = 120;
    // Config::max_artifact_bytes, copied here by load(): the cap of one artifact download.
    std::uint64_t max_artifact_bytes = kDefaultMaxArtifactBytes;
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
    // Package mask files (geaaru/luet packages_maskdir): *.yml/*.yaml with `rules:`.
    std::vector<std::filesystem::path> packages_maskdir = {"/etc/luet/mask.d"};
    std::vector<std::filesystem::path> subsets_defdir = {"/etc/luet/subsets.def.d"};
    std::vector<std::filesystem::path> config_protect_confdir = {"/etc/luet/config.protect.d"};
    bool config_protect_skip = false;
    bool config_from_host = true;
    std::filesystem::path tmpdir_base;  // system.tmpdir_base (default $TMPDIR/tmpluet)

    // general.*: concurrency = artifacts downloaded at once (default: the CPUs); same_owner =
    // keep the archive's uid/gid when extracting (upstream default: true for root).
    int concurrency = 1;
    bool same_owner = false;
    bool fatal_warnings = false;      // general.fatal_warnings: a warning ends the command
    bool quiet = false;               // general.quiet (mudler/luet -q): no progress lines
    bool show_build_output = false;   // general.show_build_output (--live-output)
    int http_timeout = 120;           // general.http_timeout, seconds (mudler/luet); 0: no limit
    // general.max_unpacked_bytes (ours): the most bytes of files one artifact may unpack
    // into the rootfs; 0 (default): only the free space of the rootfs' file system bounds it.
    std::uint64_t max_unpacked_bytes = 0;
    // general.max_artifact_bytes (ours): the most bytes one artifact download may have; a
    // larger body is cut off and refused before its checksum is computed (0: no cap).
    std::uint64_t max_artifact_bytes = kDefaultMaxArtifactBytes;
    // logging.*: colour and emoji of the terminal output, and a copy of it in a log file.
    bool color = true;
    bool enable_emoji = true;
    bool enable_logfile = false;
    std::filesystem::path log_path = "/var/log/luet.log";
    bool no_spinner = false;          // no_spinner: no progress bar redrawn in place
    // backend (luet-build's viper key, also LUET_BACKEND): the engine of `build` when
    // --backend is not given; "" means docker.
    std::string backend;
    // solver.*: the qlearning knobs of mudler/luet. Ours always solves with libsolv; the
    // values are kept so that `luet config` shows what was asked.
    std::string solver_type;
    double solver_rate = 0.7;
    double solver_discount = 1.0;
    int solver_max_attempts = 9000;

    // rootfs + database_path: where the database and caches live.
    std::filesystem::path system_dir() const;
    std::filesystem::path packages_cache_dir() const;
    // A configuration folder as luet reads it: `dir` itself, or `dir` inside the rootfs
    // when config_from_host is false.
    std::filesystem::path config_dir(const std::filesystem::path& dir) const;
};

// A value for one upstream key ("system.rootfs") from outside luet.yaml. `origin` names where
// it came from in errors ("--system-target", "LUET_SYSTEM__ROOTFS"); relative paths are
// taken relative to `base` (the working folder).
struct Setting {
    std::string key;
    std::string value;
    std::string origin;
    std::filesystem::path base;
};

// The scalar keys that luet.yaml, settings and LUET_* variables can set, in upstream's
// spelling ("system.rootfs", "general.concurrency", "logging.color", "no_spinner", ...).
const std::vector<std::string>& setting_keys();

// The environment variable viper reads for `key`: LUET_ + the key upper-cased, with "."
// written "__" (system.rootfs → LUET_SYSTEM__ROOTFS, no_spinner → LUET_NO_SPINNER).
std::string env_name(const std::string& key);

// Booleans as Go's strconv.ParseBool reads them (1 t T TRUE true True, 0 f F FALSE false
// False), plus YAML's yes/no/on/off; nullopt otherwise.
std::optional<bool> parse_bool(const std::string& text);

// The configuration file upstream reads when no --config is given: $PWD/.luet.yaml, else
// $HOME/.luet.yaml, else /etc/luet/luet.yaml; the first that exists (empty path when none).
std::filesystem::path find_file(const std::filesystem::path& cwd, const std::filesystem::path& home);

// Loads `file` (and the repository files of its repos_confdir), then applies `overrides` in
// order (later ones win), before repos_confdir is read, so that --system-target and
// config_from_host: false read the repositories of the target. An empty `file` gives the
// built-in defaults (upstream setDefaults, with repos_confdir [/etc/luet/repos.conf.d]).
// Relative paths inside the file are taken relative to the file's folder. Throws
// luet::Error naming the file and key (or the setting's origin), and for a repository name
// defined twice (naming both files). Refused: repository names that are not plain names
// (invalid_repository_name), a database_path with "..", a relative pkgs_cache_path with "..".
// An absolute pkgs_cache_path is a host folder (as upstream).
Config load(const std::filesystem::path& file, const std::vector<Setting>& overrides = {});

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
