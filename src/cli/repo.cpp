// `luet repo list|enable|disable|update` (geaaru/luet cmd/repo/*.go).
#include <algorithm>
#include <cstdio>
#include <filesystem>

#include "cli/commands.hpp"
#include "luet/config/config.hpp"
#include "luet/core/file.hpp"
#include "luet/repo/repository.hpp"

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

}  // namespace

void add_repo(CLI::App& app, Globals& g) {
    auto* repo = app.add_subcommand("repo", "Manage luet repositories.");
    repo->require_subcommand(1);
    add_list(*repo, g);
    add_toggle(*repo, g, true);
    add_toggle(*repo, g, false);
    add_update(*repo, g);
}

}  // namespace luet::cli
