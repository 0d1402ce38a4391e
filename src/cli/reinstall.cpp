#include "luet/install/transaction.hpp"

#include "cli/commands.hpp"
#include "luet/db/database.hpp"

namespace luet::cli {

// Upstream: mudler/luet cmd/reinstall.go.
void add_reinstall(CLI::App& app, Globals& g) {
    struct Args {
        std::vector<std::string> packages, finalizer_envs;
        bool installed = false;
        PlanFlags plan;
        install::Options opts;
    };
    auto args = std::make_shared<Args>();
    auto* cmd = app.add_subcommand("reinstall", "reinstall a set of packages");
    cmd->add_option("packages", args->packages, "Packages: CAT/NAME[@VERSION]");
    add_plan_flags(cmd, args->plan, "", false);
    cmd->add_flag("--force", args->opts.force, "Skip errors and keep going (potentially harmful)");
    cmd->add_flag("--download-only", args->opts.download_only, "Download only");
    cmd->add_flag("--installed", args->installed, "Reinstall installed packages (all of them)");
    add_accepted_flag(cmd, "--onlydeps",
                      "Consider **only** package dependencies (accepted; ours reinstalls exactly the packages named).");
    add_finalizer_env_flag(cmd, args->finalizer_envs);
    cmd->callback([args, &g] {
        auto cfg = load_config(g);
        apply_finalizer_envs(cfg, args->finalizer_envs);
        args->opts.concurrency = cfg.concurrency;
        std::vector<core::PackageRef> refs = parse_packages(args->packages);
        if (args->installed) {
            const auto database = db::Database::for_reading(cfg.system_dir() / "luet.sqlite");
            for (const auto& p : database.packages()) {
                const auto& f = p.definition.form;
                refs.push_back({f.category, f.name, core::Selector{core::SelectorOp::Eq, f.version, {}}});
            }
        }
        if (refs.empty()) throw Error("no packages given (name packages or use --installed)");
        const auto result = install::reinstall(cfg, refs, args->opts, plan_reporter(args->plan));
        report(result, args->opts);
        finish(args->plan, result, cfg);
    });
}

}  // namespace luet::cli
