#include "luet/install/transaction.hpp"

#include "cli/commands.hpp"

namespace luet::cli {

// Upstream: mudler/luet cmd/replace.go: `luet replace OLD... --for NEW...`, one transaction.
void add_replace(CLI::App& app, Globals& g) {
    struct Args {
        std::vector<std::string> packages, for_packages, finalizer_envs;
        PlanFlags plan;
        install::Options opts;
    };
    auto args = std::make_shared<Args>();
    auto* cmd = app.add_subcommand("replace", "replace a set of packages");
    cmd->alias("r");
    cmd->add_option("packages", args->packages, "Installed packages to remove: CAT/NAME[@VERSION]")->required();
    cmd->add_option("--for", args->for_packages, "Packages that has to be installed in place of others")
        ->required()
        ->allow_extra_args(false)
        ->delimiter(',');
    add_plan_flags(cmd, args->plan, "", false);
    cmd->add_flag("--download-only", args->opts.download_only, "Download only");
    cmd->add_flag("--nodeps", args->opts.nodeps, "Don't consider package dependencies (harmful!)");
    cmd->add_flag("--onlydeps", args->opts.onlydeps, "Consider **only** package dependencies");
    cmd->add_flag("--force", args->opts.force, "Skip errors and keep going (potentially harmful)");
    add_finalizer_env_flag(cmd, args->finalizer_envs);
    cmd->callback([args, &g] {
        auto cfg = load_config(g);
        apply_finalizer_envs(cfg, args->finalizer_envs);
        args->opts.concurrency = cfg.concurrency;
        const auto result = install::replace(cfg, parse_packages(args->packages), parse_packages(args->for_packages),
                                             args->opts, plan_reporter(args->plan));
        report(result, args->opts);
        finish(args->plan, result, cfg);
    });
}

}  // namespace luet::cli
