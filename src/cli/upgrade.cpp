#include "luet/install/transaction.hpp"

#include "cli/commands.hpp"

namespace luet::cli {

// Upstream: mudler/luet cmd/upgrade.go.
void add_upgrade(CLI::App& app, Globals& g) {
    struct Args {
        std::vector<std::string> finalizer_envs;
        bool yes = false;
        install::Options opts;
    };
    auto args = std::make_shared<Args>();
    auto* cmd = app.add_subcommand("upgrade", "Upgrades the system");
    cmd->alias("u");
    cmd->add_flag("--yes,-y", args->yes, "Don't ask questions");
    cmd->add_flag("--force", args->opts.force, "Force upgrade by ignoring errors");
    cmd->add_flag("--nodeps", args->opts.nodeps, "Don't consider package dependencies (harmful!)");
    cmd->add_flag("--universe", args->opts.universe, "Use ONLY the SAT solver to compute upgrades (experimental)");
    cmd->add_flag("--download-only", args->opts.download_only, "Download only");
    add_finalizer_env_flag(cmd, args->finalizer_envs);
    cmd->callback([args, &g] {
        auto cfg = load_config(g);
        apply_finalizer_envs(cfg, args->finalizer_envs);
        const auto result = install::upgrade(cfg, args->opts, install_reporter());
        if (result.downloaded.empty() && result.replaced.empty()) {
            info("Nothing to do");
            return;
        }
        report(result, args->opts);
    });
}

}  // namespace luet::cli
