#include "luet/install/transaction.hpp"

#include "cli/commands.hpp"

namespace luet::cli {

// Upstream: mudler/luet cmd/reinstall.go.
void add_reinstall(CLI::App& app, Globals& g) {
    struct Args {
        std::vector<std::string> packages, finalizer_envs;
        bool yes = false;
        install::Options opts;
    };
    auto args = std::make_shared<Args>();
    auto* cmd = app.add_subcommand("reinstall", "reinstall a set of packages");
    cmd->add_option("packages", args->packages, "Packages: CAT/NAME[@VERSION]")->required();
    cmd->add_flag("--yes,-y", args->yes, "Don't ask questions");
    cmd->add_flag("--force", args->opts.force, "Skip errors and keep going (potentially harmful)");
    cmd->add_flag("--download-only", args->opts.download_only, "Download only");
    add_finalizer_env_flag(cmd, args->finalizer_envs);
    cmd->callback([args, &g] {
        auto cfg = load_config(g);
        apply_finalizer_envs(cfg, args->finalizer_envs);
        report(install::reinstall(cfg, parse_packages(args->packages), args->opts, install_reporter()), args->opts);
    });
}

}  // namespace luet::cli
