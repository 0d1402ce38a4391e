#include "luet/install/transaction.hpp"

#include <filesystem>

#include "cli/commands.hpp"

#include <iostream>
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

void add_install(CLI::App& app, Globals& g) {
    struct Args {
        std::vector<std::string> packages;
        bool yes = false, nodeps = false, force = false;
    };
    auto args = std::make_shared<Args>();
    auto* cmd = app.add_subcommand("install", "Install packages");
    cmd->alias("i");
    cmd->add_option("packages", args->packages, "Packages: CAT/NAME[@VERSION]")->required();
    cmd->add_flag("--yes,-y", args->yes, "Don't ask questions");
    cmd->add_flag("--nodeps", args->nodeps, "Don't consider package dependencies");
    cmd->add_flag("--force", args->force, "Skip errors and overwrite files of other packages");
    cmd->callback([args, &g] {
        std::vector<core::PackageRef> refs;
        for (const auto& p : args->packages) refs.push_back(core::parse_package_arg(p));
        const auto cfg = load_config(g);
        const auto result = install::install(cfg, refs, {args->nodeps, args->force}, install_reporter());
        if (result.changed.empty()) {
            info("No packages to install");
            return;
        }
        for (const auto& f : result.changed) info("✔ Installed " + f.str());
        for (const auto& f : result.replaced) info("✔ Replaced " + f.str());
        if (!result.finalizer_errors.empty()) {
            std::string all;
            for (const auto& e : result.finalizer_errors) all += "\n  " + e;
            throw Error("finalizers failed:" + all);
        }
    });
}

void add_uninstall(CLI::App& app, Globals& g) {
    struct Args {
        std::vector<std::string> packages;
        bool yes = false, nodeps = false, force = false;
    };
    auto args = std::make_shared<Args>();
    auto* cmd = app.add_subcommand("uninstall", "Uninstall packages");
    cmd->alias("rm");
    cmd->alias("un");
    cmd->add_option("packages", args->packages, "Packages: CAT/NAME[@VERSION]")->required();
    cmd->add_flag("--yes,-y", args->yes, "Don't ask questions");
    cmd->add_flag("--nodeps", args->nodeps, "Don't check reverse dependencies");
    cmd->add_flag("--force", args->force, "Force uninstall");
    cmd->callback([args, &g] {
        std::vector<core::PackageRef> refs;
        for (const auto& p : args->packages) refs.push_back(core::parse_package_arg(p));
        const auto cfg = load_config(g);
        const auto result = install::uninstall(cfg, refs, {args->nodeps || args->force, args->force}, install_reporter());
        for (const auto& f : result.changed) info("✔ Uninstalled " + f.str());
    });
}

void add_config(CLI::App& app, Globals& g) {
    auto* cmd = app.add_subcommand("config", "Print the effective configuration");
    cmd->callback([&g] { std::cout << config::to_yaml(load_config(g)); });
}

}  // namespace luet::cli
