// `luet repo list|enable|disable|update` (geaaru/luet cmd/repo/*.go).
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <unistd.h>
#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <iostream>
#include <nlohmann/json.hpp>
#include <optional>

#include "cli/commands.hpp"
#include "luet/config/config.hpp"
#include "luet/core/file.hpp"
#include "luet/core/text.hpp"
#include "luet/repo/repository.hpp"
#include "luet/repo/signature.hpp"
#include "luet/repo/transport.hpp"
#include "luet/spec/yaml_util.hpp"
#include "luet/template/template.hpp"

namespace fs = std::filesystem;

namespace luet::cli {
namespace {

const config::RepositoryConfig& find_repo(const config::Config& cfg, const std::string& name) {
    for (const auto& r : cfg.repositories)
        if (r.name == name) return r;
    throw Error("repository " + name + " is not configured");
}

void add_list(CLI::App& repo, Globals& g) {
    struct Args {
        bool enabled = false, disabled = false, quiet = false, urls = false;
        std::string type;
    };
    auto a = std::make_shared<Args>();
    auto* cmd = repo.add_subcommand("list", "List of the configured repositories.");
    cmd->add_flag("--enabled", a->enabled, "Show only enabled repositories.");
    cmd->add_flag("--disabled", a->disabled, "Show only disabled repositories.");
    cmd->add_flag("--urls,-u", a->urls, "Show URLs of the repository. (only in normal mode).");
    cmd->add_flag("--quiet,-q", a->quiet, "Show only name of the repositories.");
    cmd->add_option("--type,-t", a->type, "Filter repositories of a specific type");
    cmd->callback([a, &g] {
        if (a->enabled && a->disabled) throw Error("Used both --enable and --disabled options.\nOnly one admitted.");
        const auto cfg = load_config(g);
        for (const auto& r : cfg.repositories) {
            if ((a->enabled && !r.enable) || (a->disabled && r.enable)) continue;
            if (!a->type.empty() && r.type != a->type) continue;
            if (a->quiet) {
                info(r.name);
                continue;
            }
            info(r.name);
            info("  " + (!r.description.empty() ? r.description : r.urls.empty() ? std::string() : r.urls.front()));
            const fs::path index = repo::local_dir(cfg, r.name) / "repository.yaml";
            if (fs::exists(index)) {
                const auto idx = repo::index_from_yaml(core::read_file(index), index.string());
                char line[64];
                std::snprintf(line, sizeof line, "  Revision %5d - ", idx.revision);
                info(line + repo::format_last_update(idx.last_update));
            }
            char line[64];
            std::snprintf(line, sizeof line, "  Priority %5d - Type %4s", r.priority, r.type.c_str());
            info(line);
            if (a->urls) {
                info("  Urls:");
                for (const auto& u : r.urls) info("   * " + u);
            }
        }
    });
}

void add_toggle(CLI::App& repo, Globals& g, bool enable) {
    auto names = std::make_shared<std::vector<std::string>>();
    auto* cmd = repo.add_subcommand(enable ? "enable" : "disable",
                                    enable ? "Enable one or more repositories." : "Disable one or more repositories.");
    cmd->add_option("repositories", *names, "<repo1> ... <repoN>");
    cmd->callback([names, &g, enable] {
        const char* verb = enable ? "enabled" : "disabled";
        if (names->empty()) throw Error(std::string("Missing repositories to ") + (enable ? "enable." : "disable."));
        const auto cfg = load_config(g);
        std::string failed;
        for (const auto& name : *names) {
            try {
                if (find_repo(cfg, name).enable == enable) {
                    info("Repository " + name + " already " + verb + ". Nothing to do.");
                    continue;
                }
                config::set_repository_enabled(cfg, name, enable);
                info(name + " " + verb + ": ✔");
            } catch (const Error& e) {
                warn(e.what());
                failed += " " + name;
            }
        }
        if (!failed.empty()) throw Error(std::string("repositories not ") + verb + ":" + failed);
    });
}

void add_update(CLI::App& repo, Globals& g) {
    struct Args {
        std::vector<std::string> names;
        bool force = false, ignore_errors = false;
    };
    auto a = std::make_shared<Args>();
    auto* cmd = repo.add_subcommand("update", "Update a specific cached repository or all cached repositories.");
    cmd->alias("up");
    cmd->add_option("repositories", a->names, "[repo1] [repo2]");
    cmd->add_flag("--force,-f", a->force, "Force resync.");
    cmd->add_flag("--ignore-errors,-i", a->ignore_errors, "Ignore errors on sync repositories.");
    cmd->callback([a, &g] {
        const auto cfg = load_config(g);
        std::vector<const config::RepositoryConfig*> targets;
        if (a->names.empty()) {
            for (const auto& r : cfg.repositories)
                if (r.enable) targets.push_back(&r);
        } else {
            for (const auto& n : a->names) targets.push_back(&find_repo(cfg, n));
        }
        std::string errors;
        for (const auto* r : targets) {
            try {
                const auto result = repo::sync(*r, repo::local_dir(cfg, r->name), a->force);
                info(result.updated ? repo::sync_line(r->name, result.index)
                                    : "ℹ️ Repository: " + r->name + " is already up to date.");
            } catch (const Error& e) {
                warn(e.what());
                errors += "\n  " + std::string(e.what());
            }
        }
        if (!errors.empty() && !a->ignore_errors) throw Error("repositories not synced:" + errors);
    });
}

// The most bytes of a repository file `repo add` reads (a few hundred in practice), from a
// URL (cut off while it downloads) or a local file.
constexpr std::uint64_t kMaxRepositoryFileBytes = 1u << 20;  // 1 MiB

// The repository document named by `uri`: a local file or an http(s) URL (downloaded within
// general.http_timeout); nullopt when it is neither (then `uri` is the name of an inline
// repository).
std::optional<std::string> fetch_document(const std::string& uri, const config::Config& cfg) {
    std::error_code ec;
    const std::string too_large = "a repository file is at most " + std::to_string(kMaxRepositoryFileBytes) + " bytes";
    if (fs::is_regular_file(uri, ec)) {
        if (fs::file_size(uri, ec) > kMaxRepositoryFileBytes) throw Error(uri + ": " + too_large);
        return core::read_file(uri);
    }
    if (!uri.starts_with("http://") && !uri.starts_with("https://")) return std::nullopt;
    config::RepositoryConfig rc;
    rc.name = uri;
    rc.type = "http";
    rc.http_timeout = cfg.http_timeout;
    const auto slash = uri.rfind('/');
    rc.urls = {uri.substr(0, slash)};
    // A private folder: nobody else can place a link where the download is written.
    std::string pattern = (fs::temp_directory_path() / "luet-repo-add-XXXXXX").string();
    if (!::mkdtemp(pattern.data())) throw Error("cannot make a temporary folder " + pattern);
    struct Cleanup {
        fs::path dir;
        ~Cleanup() {
            std::error_code e;
            fs::remove_all(dir, e);
        }
    } cleanup{pattern};
    const fs::path tmp = cleanup.dir / "repository.yaml";
    try {
        repo::make_transport(rc)->download(uri.substr(slash + 1), tmp, {}, kMaxRepositoryFileBytes);
    } catch (const SizeLimitError& e) {
        throw SizeLimitError(uri + ": " + too_large + "; refused: " + e.what());
    }
    return core::read_file(tmp);
}

// mudler/luet cmd/repo/add.go.
void add_add(CLI::App& repo, Globals& g) {
    struct Args {
        std::string uri, dir, description, type, url, reference, username, passwd;
        int priority = 99;
        bool yes = false;
    };
    auto a = std::make_shared<Args>();
    auto* cmd = repo.add_subcommand("add", "Add a repository to the system");
    cmd->footer("Adds a repository to the system. URLs, local files or inline repo can be specified:\n"
                "  luet repo add /path/to/file\n  luet repo add https://....\n"
                "  luet repo add NAME --description \"Bar\" --url URL --type http\n"
                "The file is written as <rootfs>/<--dir or the first repos_confdir>/<name>.yaml.");
    cmd->add_option("uri", a->uri, "https://..../something.yaml, /local/file.yaml or a repository name")->required();
    cmd->add_flag("--yes,-y", a->yes, "Assume yes to questions");
    cmd->add_option("--dir,-o", a->dir, "Folder to write to");
    cmd->add_option("--description", a->description, "Repository description");
    cmd->add_option("--type", a->type, "Repository type");
    cmd->add_option("--url", a->url, "Repository URL");
    cmd->add_option("--reference", a->reference, "Repository Reference ID");
    cmd->add_option("--priority,-p", a->priority, "repository prio");
    cmd->add_option("--username", a->username, "repository username");
    cmd->add_option("--passwd", a->passwd, "repository password");
    cmd->callback([a, cmd, &g] {
        const auto cfg = load_config(g);
        std::string dir = a->dir;
        if (dir.empty()) {
            if (cfg.repos_confdir.empty()) throw Error("No repository dirs defined");
            dir = cfg.repos_confdir.front().string();
        }
        YAML::Node r(YAML::NodeType::Map);
        const auto doc = fetch_document(a->uri, cfg);
        if (doc) {
            r = spec::load_yaml(*doc, a->uri);
            if (!r.IsMap() || !r["name"] || !r["name"].IsScalar() || r["name"].Scalar().empty())
                throw Error(a->uri + ": a repository has no 'name'");
        } else {
            r["name"] = a->uri;
            r["enable"] = true;
            r["cached"] = true;
        }
        if (!a->description.empty()) r["description"] = a->description;
        if (!a->reference.empty()) r["reference"] = a->reference;
        if (!a->type.empty()) r["type"] = a->type;
        if (!a->url.empty()) r["urls"] = std::vector<std::string>{a->url};
        if (!doc || cmd->count("--priority")) r["priority"] = a->priority;
        if (!a->username.empty() && !a->passwd.empty()) {
            r["authentication"]["username"] = a->username;
            r["authentication"]["password"] = a->passwd;
        }
        // The name becomes the file name NAME.yaml and the folder of the local copy.
        if (const std::string why = config::invalid_repository_name(r["name"].Scalar()); !why.empty())
            throw Error(a->uri + ": repository 'name' " + core::quoted(r["name"].Scalar()) + " is not a plain name: " + why);
        if (!r["type"] || !r["type"].IsScalar() || r["type"].Scalar().empty())
            throw Error("repository " + r["name"].Scalar() + " has no type (--type)");
        const fs::path file = cfg.rootfs / fs::path(dir).relative_path() / (r["name"].Scalar() + ".yaml");
        YAML::Emitter out;
        out << r;
        info("Adding repository to the sytem as " + file.string());
        std::cout << out.c_str() << std::endl;
        if (!a->yes && !ask("Do you want to continue with this operation?")) {
            info("Aborted by user");
            return;
        }
        fs::create_directories(file.parent_path());
        core::write_file_atomic(file, std::string(out.c_str()) + "\n");
    });
}

// mudler/luet cmd/repo/get.go: the configured repository as text, json or yaml.
void add_get(CLI::App& repo, Globals& g) {
    struct Args {
        std::string name, output;
    };
    auto a = std::make_shared<Args>();
    auto* cmd = repo.add_subcommand("get", "get repository in the system");
    cmd->add_option("name", a->name, "Repository name")->required();
    cmd->add_option("--output,-o", a->output, "output format (json, yaml, text)");
    cmd->callback([a, &g] {
        const auto cfg = load_config(g);
        for (const auto& r : cfg.repositories) {
            if (r.name != a->name) continue;
            nlohmann::ordered_json j = {{"name", r.name}, {"description", r.description}, {"urls", r.urls},
                                        {"type", r.type},  {"priority", r.priority},       {"enable", r.enable}};
            if (a->output == "json") {
                std::cout << j.dump() << std::endl;
            } else if (a->output == "yaml") {
                std::cout << tmpl::json_to_yaml(nlohmann::json(j)) << std::endl;
            } else {
                std::cout << r.name << " (" << r.type << ", priority " << r.priority << ", "
                          << (r.enable ? "enabled" : "disabled") << "): " << r.description;
                for (const auto& u : r.urls) std::cout << " " << u;
                std::cout << std::endl;
            }
            return;
        }
    });
}

// Ours (repo/signature.hpp): an Ed25519 key pair for create-repo --sign-key and the
// clients' verify.keys.
void add_keygen(CLI::App& repo) {
    auto file = std::make_shared<std::string>();
    auto* cmd = repo.add_subcommand("keygen", "Make an Ed25519 key pair to sign repositories with");
    cmd->footer("Writes FILE (the private key, mode 0600: create-repo --sign-key FILE) and FILE.pub (the public\n"
                "key: a client's repository configuration lists it under verify: {keys: [FILE.pub]}).\n"
                "Existing files are never overwritten.");
    cmd->add_option("file", *file, "the private key file to write")->required();
    cmd->callback([file] {
        const fs::path priv = *file;
        const fs::path pub = *file + ".pub";
        repo::generate_key_pair(priv, pub);
        info("🔑 Private key " + priv.string() + ", public key " + pub.string());
        std::cout << core::read_file(pub);
    });
}

}  // namespace

void add_repo(CLI::App& app, Globals& g) {
    auto* repo = app.add_subcommand("repo", "Manage luet repositories.");
    repo->require_subcommand(1);
    add_list(*repo, g);
    add_toggle(*repo, g, true);
    add_toggle(*repo, g, false);
    add_update(*repo, g);
    add_add(*repo, g);
    add_get(*repo, g);
    add_keygen(*repo);
}

}  // namespace luet::cli
