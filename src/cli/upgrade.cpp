#include "luet/install/transaction.hpp"

#include "cli/commands.hpp"

namespace luet::cli {

// Upstream: geaaru/luet cmd/upgrade.go (followed), mudler/luet cmd/upgrade.go (--universe,
// --clean, --sync, --oscheck).
void add_upgrade(CLI::App& app, Globals& g) {
    struct Args {
        std::vector<std::string> finalizer_envs;
        PlanFlags plan;
        bool oscheck = false;
        install::Options opts;
    };
    auto args = std::make_shared<Args>();
    auto* cmd = app.add_subcommand("upgrade", "Upgrades the system");
    cmd->alias("u");
    add_plan_flags(cmd, args->plan, "--show-upgrade-order", true);
    cmd->add_flag("--force", args->opts.force, "Force upgrade by ignoring errors");
    cmd->add_flag("--nodeps", args->opts.nodeps, "Don't consider package dependencies (harmful!)");
    cmd->add_flag("--universe", args->opts.universe, "Use ONLY the SAT solver to compute upgrades (experimental)");
    cmd->add_flag("--download-only", args->opts.download_only, "Download only");
    cmd->add_flag("--skip-finalizers", args->opts.skip_finalizers, "Skip the execution of the finalizers.");
    cmd->add_flag("--sync-repos", args->opts.sync_repos,
                  "Sync repositories before upgrade: a repository that cannot be synced is an error.");
    cmd->add_flag("--ignore-conflicts", args->opts.ignore_conflicts, "Don't consider package conflicts (harmful!)");
    cmd->add_flag("--oscheck", args->oscheck, "Perform post-upgrade OS check (as `luet oscheck`)");
    add_finalizer_env_flag(cmd, args->finalizer_envs);
    cmd->add_flag("--deep", args->opts.deep,
                  "Deep analyzing with downgrade: an installed version that left the repositories goes to the "
                  "best one they have, even a lower one.");
    add_accepted_flag(cmd, "--skip-check-system",
                      "Skip conflicts check with existing rootfs (ours never refuses a file no package owns).");
    add_accepted_flag(cmd, "--preserve-system-essentials",
                      "Preserve system luet files (always on in ours).");
    cmd->add_flag("--ignore-masks", args->opts.ignore_masks, "Ignore packages masked (packages_maskdir).");
    add_accepted_flag(cmd, "--sync",
                      "Upgrade packages with new revisions (mudler/luet; always on in ours: +N revisions are "
                      "newer versions).");
    add_accepted_flag(cmd, "--clean",
                      "Try to drop removed packages (mudler/luet, experimental; accepted, ours keeps them).");
    add_accepted_flag(cmd, "--solver-concurrent", "Use concurrent solver (mudler/luet; ours always uses libsolv).");
    add_accepted_flag(cmd, "--full", "Deprecated upstream and ignored")->group("");
    cmd->callback([args, &g] {
        auto cfg = load_config(g);
        apply_finalizer_envs(cfg, args->finalizer_envs);
        args->opts.concurrency = cfg.concurrency;
        const auto result = install::upgrade(cfg, args->opts, plan_reporter(args->plan));
        if (result.downloaded.empty() && result.replaced.empty() && !result.stopped) {
            info("Nothing to do");
        } else {
            report(result, args->opts);
            finish(args->plan, result, cfg);
        }
        if (args->oscheck && !result.stopped && !args->opts.download_only) run_oscheck(g, false);
    });
}

}  // namespace luet::cli
