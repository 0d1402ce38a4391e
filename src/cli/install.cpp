#include "luet/install/transaction.hpp"

#include <algorithm>
#include <filesystem>
#include <iostream>

#include "cli/commands.hpp"
#include "luet/config/config.hpp"

namespace luet::cli {

config::Config load_config(const Globals& g) {
    std::filesystem::path file = g.config_file.empty() ? "/etc/luet/luet.yaml" : g.config_file;
    if (g.config_file.empty() && !std::filesystem::exists(file)) return {};
    return config::load(file);
}

install::Reporter install_reporter() {
    install::Reporter r;
    r.progress = info;
    r.finalizer_output = [](std::string_view line) { info("  │ " + std::string(line)); };
    r.download = download_progress();
    return r;
}

std::vector<core::PackageRef> parse_packages(const std::vector<std::string>& args) {
    std::vector<core::PackageRef> refs;
    for (const auto& p : args) refs.push_back(core::parse_package_arg(p));
    return refs;
}

void add_finalizer_env_flag(CLI::App* cmd, std::vector<std::string>& values) {
    cmd->add_option("--finalizer-env", values, "Set finalizer environment in the format key=value.")
        ->allow_extra_args(false);
}

void apply_finalizer_envs(config::Config& cfg, const std::vector<std::string>& values) {
    for (const auto& kv : values) {
        const auto eq = kv.find('=');
        if (eq == std::string::npos || eq == 0)
            throw Error("invalid --finalizer-env value '" + kv + "': expected key=value");
        cfg.finalizer_envs[kv.substr(0, eq)] = kv.substr(eq + 1);
    }
}

void report(const install::Result& result, const install::Options& opts) {
    if (opts.download_only) {
        for (const auto& f : result.downloaded) info("📦 Package " + f.str() + " downloaded");
        return;
    }
    for (const auto& f : result.changed) info("✔ Installed " + f.str());
    for (const auto& f : result.replaced)
        if (std::find(result.changed.begin(), result.changed.end(), f) == result.changed.end())
            info("✔ Replaced " + f.str());
    if (!result.finalizer_errors.empty()) {
        std::string all;
        for (const auto& e : result.finalizer_errors) all += "\n  " + e;
        throw Error("finalizers failed:" + all);
    }
}

void add_install(CLI::App& app, Globals& g) {
    struct Args {
        std::vector<std::string> packages, finalizer_envs;
        bool yes = false;
        install::Options opts;
    };
    auto args = std::make_shared<Args>();
    auto* cmd = app.add_subcommand("install", "Install a package");
    cmd->alias("i");
    cmd->add_option("packages", args->packages, "Packages: CAT/NAME[@VERSION]")->required();
    cmd->add_flag("--yes,-y", args->yes, "Don't ask questions");
    cmd->add_flag("--nodeps", args->opts.nodeps, "Don't consider package dependencies (harmful!)");
    cmd->add_flag("--onlydeps", args->opts.onlydeps, "Consider **only** package dependencies");
    cmd->add_flag("--force", args->opts.force, "Skip errors and keep going (potentially harmful)");
    cmd->add_flag("--download-only", args->opts.download_only, "Download only");
    cmd->add_flag("--skip-finalizers", args->opts.skip_finalizers, "Skip the execution of the finalizers.");
    cmd->add_flag("--sync-repos", args->opts.sync_repos,
                  "Sync repositories before install: a repository that cannot be synced is an error.");
    cmd->add_flag("--relax", args->opts.relax, "Relax installation constraints");
    add_finalizer_env_flag(cmd, args->finalizer_envs);
    cmd->callback([args, &g] {
        const auto refs = parse_packages(args->packages);
        auto cfg = load_config(g);
        apply_finalizer_envs(cfg, args->finalizer_envs);
        const auto result = install::install(cfg, refs, args->opts, install_reporter());
        if (result.downloaded.empty()) {
            info("No packages to install");
            return;
        }
        report(result, args->opts);
    });
}

void add_uninstall(CLI::App& app, Globals& g) {
    struct Args {
        std::vector<std::string> packages;
        bool yes = false;
        install::Options opts;
    };
    auto args = std::make_shared<Args>();
    auto* cmd = app.add_subcommand("uninstall", "Uninstall a package or a list of packages");
    cmd->alias("rm");
    cmd->alias("un");
    cmd->add_option("packages", args->packages, "Packages: CAT/NAME[@VERSION]")->required();
    cmd->add_flag("--yes,-y", args->yes, "Don't ask questions");
    cmd->add_flag("--nodeps", args->opts.nodeps,
                  "Don't consider package dependencies (harmful! overrides checkconflicts and full!)");
    cmd->add_flag("--force", args->opts.force, "Force uninstall");
    cmd->add_flag("--full", args->opts.full,
                  "Attempts to remove as much packages as possible which aren't required (slow)");
    cmd->callback([args, &g] {
        install::Options opts = args->opts;
        // Upstream: --nodeps overrides --full; --force removes regardless of reverse dependencies.
        if (opts.nodeps) opts.full = false;
        opts.nodeps = opts.nodeps || opts.force;
        const auto result = install::uninstall(load_config(g), parse_packages(args->packages), opts, install_reporter());
        for (const auto& f : result.changed) info("✔ Uninstalled " + f.str());
    });
}

void add_config(CLI::App& app, Globals& g) {
    auto* cmd = app.add_subcommand("config", "Print the effective configuration");
    cmd->callback([&g] { std::cout << config::to_yaml(load_config(g)); });
}

}  // namespace luet::cli
