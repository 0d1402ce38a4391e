// `luet oscheck` and `luet reclaim` (mudler/luet cmd/oscheck.go, cmd/reclaim.go): the
// installed-package database held against the files really in the rootfs.
#include <filesystem>
#include <iostream>
#include <memory>

#include "cli/commands.hpp"
#include "luet/db/database.hpp"
#include "luet/install/transaction.hpp"
#include "luet/repo/repository.hpp"

namespace fs = std::filesystem;

namespace luet::cli {
namespace {

bool in_rootfs(const fs::path& rootfs, const std::string& name) {
    std::error_code ec;
    return fs::exists(fs::symlink_status(rootfs / name, ec));
}

}  // namespace

void run_oscheck(const Globals& g, bool reinstall) {
    const auto cfg = load_config(g);
    std::vector<core::PackageForm> broken;
    {
        const auto database = db::Database::for_reading(cfg.system_dir() / "luet.sqlite");
        for (const auto& p : database.packages()) {
            const auto files = database.files(p.definition.form);
            if (std::any_of(files.begin(), files.end(), [&](const auto& f) { return !in_rootfs(cfg.rootfs, f); }))
                broken.push_back(p.definition.form);
        }
    }
    if (broken.empty()) {
        info("All good!");
        return;
    }
    if (quiet_output()) {
        std::string all;
        for (const auto& f : broken) all += (all.empty() ? "" : " ") + f.str();
        std::cout << all << std::endl;
    } else {
        info("Following packages are missing files or are incomplete:");
        for (const auto& f : broken) info(f.str());
    }
    if (!reinstall) return;
    std::vector<core::PackageRef> refs;
    for (const auto& f : broken) refs.push_back({f.category, f.name, core::Selector{core::SelectorOp::Eq, f.version, {}}});
    install::Options opts;
    opts.concurrency = cfg.concurrency;
    opts.force = true;  // the missing files belong to the package being put back
    report(install::reinstall(cfg, refs, opts, install_reporter()), opts);
}

void add_oscheck(CLI::App& app, Globals& g) {
    struct Args {
        bool reinstall = false;
        PlanFlags plan;
    };
    auto args = std::make_shared<Args>();
    auto* cmd = app.add_subcommand("oscheck", "Checks packages integrity");
    cmd->footer("List packages that are installed in the system which files are missing in the system.\n"
                "  $ luet oscheck\nTo reinstall packages in the list:\n  $ luet oscheck --reinstall\n"
                "(mudler/luet's alias `i` is not given: it is install's.)");
    cmd->add_flag("--reinstall", args->reinstall, "reinstall");
    cmd->add_flag("--yes,-y", args->plan.yes, "Don't ask questions");
    add_accepted_flag(cmd, "--onlydeps", "Consider **only** package dependencies (accepted; reinstall takes no deps)");
    add_accepted_flag(cmd, "--force", "Skip errors and keep going (always on: the missing files are the package's)");
    add_accepted_flag(cmd, "--download-only", "Download only (accepted; the check downloads nothing)");
    cmd->callback([args, &g] { run_oscheck(g, args->reinstall); });
}

void add_reclaim(CLI::App& app, Globals& g) {
    auto force = std::make_shared<bool>(false);
    auto* cmd = app.add_subcommand("reclaim", "Reclaim packages to Luet database from available repositories");
    cmd->footer("Reclaim tries to find association between packages in the online repositories and the system "
                "one: a repository package with a file present in the target rootfs is marked as installed in "
                "the system database (with the files of its artifact). Packages with a version already "
                "recorded are left alone.");
    cmd->add_flag("--force", *force, "Skip errors and keep going (potentially harmful)");
    cmd->callback([force, &g] {
        const auto cfg = load_config(g);
        const auto repos = repo::load_enabled(cfg, info);
        install::with_rootfs(cfg, install_reporter(), [&](db::Database& database) {
            const auto installed = database.packages();
            for (const auto& r : repos) {
                for (const auto& p : r.packages) {
                    const auto& def = p.meta.runtime;
                    const auto& files = p.meta.files;
                    if (std::none_of(files.begin(), files.end(), [&](const auto& f) { return in_rootfs(cfg.rootfs, f); }))
                        continue;
                    info("🔍 Found package: " + def.form.str());
                    const bool recorded = std::any_of(installed.begin(), installed.end(), [&](const auto& i) {
                        return i.definition.form.atom() == def.form.atom();
                    }) || database.contains(def.form);
                    if (recorded) {
                        warn("Filtering out package " + def.form.str() + ", already reclaimed");
                        continue;
                    }
                    try {
                        database.add({def, r.name, p.finalize_install, p.finalize_uninstall, p.finalize_shell}, files);
                    } catch (const Error&) {
                        if (!*force) throw;
                        continue;
                    }
                    info("⚡ Reclaimed package: " + def.form.str());
                }
            }
        });
        info("Done!");
    });
}

}  // namespace luet::cli
