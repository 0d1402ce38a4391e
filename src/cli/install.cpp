// `install`, `uninstall` and `config`, and what every command that changes a rootfs shares:
// progress lines, package arguments, --finalizer-env, the plan flags (-y, --pretend,
// --show-install-order, --cleanup). Upstream: geaaru/luet cmd/install.go, cmd/uninstall.go
// (followed where the two differ), mudler/luet cmd/install.go, cmd/uninstall.go.
#include "luet/install/transaction.hpp"

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <set>

#include "cli/commands.hpp"
#include "luet/config/config.hpp"
#include "luet/install/cleanup.hpp"
#include "luet/install/subsets.hpp"

namespace luet::cli {

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
    cfg.finalizer_envs["LUET_VERSION"] = version();
    std::string subsets;
    for (const auto& s : install::load_subsets(cfg).enabled) subsets += (subsets.empty() ? "" : " ") + s;
    cfg.finalizer_envs["ANISE_SUBSETS"] = subsets;
}

void report(const install::Result& result, const install::Options& opts) {
    if (result.stopped) return;
    if (opts.download_only) {
        for (const auto& f : result.downloaded) info("📦 Package " + f.str() + " downloaded");
        return;
    }
    for (const auto& f : result.changed) info("✔ Installed " + f.str());
    for (const auto& f : result.replaced)
        if (std::find(result.changed.begin(), result.changed.end(), f) == result.changed.end())
            info("✔ Replaced " + f.str());
    report_finalizer_errors(result);
}

void report_finalizer_errors(const install::Result& result) {
    if (result.finalizer_errors.empty()) return;
    std::string all;
    for (const auto& e : result.finalizer_errors) all += "\n  " + e;
    throw Error("finalizers failed:" + all);
}

CLI::Option* add_accepted_flag(CLI::App* cmd, const std::string& names, const std::string& help) {
    return cmd->add_flag(names, help);
}

void add_plan_flags(CLI::App* cmd, PlanFlags& f, const std::string& order_flag, bool cleanup) {
    f.cmd = cmd;
    cmd->add_flag("--yes,-y", f.yes, "Don't ask questions (also LUET_YES=true; without a terminal none is asked)");
    cmd->add_flag("--pretend,-p", f.pretend,
                  "simply display what *would* have been done if --pretend weren't used");
    if (!order_flag.empty())
        cmd->add_flag(order_flag, f.show_order, "Show the order of the operations and exit.");
    if (cleanup) {
        cmd->add_flag("--cleanup", f.cleanup, "Cleanup local packages cache.");
        cmd->add_flag("--purge-repos", f.purge_repos,
                      "Remove all repos files. This impacts on searching packages too. Needs --cleanup.");
    }
}

namespace {

// The plan as geaaru/luet lists it: "[  1 of   3] [N] cat/name - version", N new, U upgrade
// (same package, other version), D removed.
void print_plan(const std::vector<core::PackageForm>& add, const std::vector<core::PackageForm>& remove) {
    std::vector<std::string> lines;
    std::set<std::string> upgraded;
    for (const auto& f : add) {
        auto old = std::find_if(remove.begin(), remove.end(), [&](const auto& r) { return r.atom() == f.atom(); });
        if (old != remove.end()) {
            upgraded.insert(old->str());
            lines.push_back("[U] " + f.atom() + " - " + old->version + " → " + f.version);
        } else {
            lines.push_back("[N] " + f.atom() + " - " + f.version);
        }
    }
    for (const auto& r : remove)
        if (!upgraded.count(r.str())) lines.push_back("[D] " + r.atom() + " - " + r.version);
    char n[32];
    for (std::size_t i = 0; i < lines.size(); ++i) {
        std::snprintf(n, sizeof n, "[%3zu of %3zu] ", i + 1, lines.size());
        info(std::string(lines[i][1] == 'D' ? "🔪 " : "🍦 ") + n + lines[i]);
    }
}

}  // namespace

install::Reporter plan_reporter(const PlanFlags& f) {
    install::Reporter r = install_reporter();
    const bool yes = assume_yes(f.cmd, f.yes);
    const bool pretend = f.pretend, show_order = f.show_order;
    r.confirm = [yes, pretend, show_order](const std::vector<core::PackageForm>& add,
                                           const std::vector<core::PackageForm>& remove) {
        if (pretend || show_order) {
            info(show_order ? "🧠 Operations order:" : "🧠 Packages that would be changed:");
            print_plan(add, remove);
            return false;
        }
        if (yes || ::isatty(STDIN_FILENO) != 1) return true;
        print_plan(add, remove);
        return ask("Do you want to continue with this operation?");
    };
    return r;
}

void finish(const PlanFlags& f, const install::Result& result, const config::Config& cfg) {
    if (result.stopped && !f.pretend && !f.show_order) throw Error("Packages operation cancelled by user.");
    if (f.cleanup && !result.stopped) {
        install::with_rootfs(cfg, install_reporter(), [&](db::Database&) {
            info("Cleaned: " + std::to_string(install::clean_packages_cache(cfg)) + " packages.");
            if (f.purge_repos) info("Repos Cleaned: " + std::to_string(install::purge_repositories(cfg)));
        });
    }
}

void add_install(CLI::App& app, Globals& g) {
    struct Args {
        std::vector<std::string> packages, finalizer_envs;
        PlanFlags plan;
        install::Options opts;
    };
    auto args = std::make_shared<Args>();
    auto* cmd = app.add_subcommand("install", "Install a package");
    cmd->alias("i");
    cmd->footer(
        "A package that no repository has is reported and skipped, with exit 0, as geaaru/luet does "
        "(\"No packages to install.\").");
    cmd->add_option("packages", args->packages, "Packages: CAT/NAME[@VERSION]")->required();
    add_plan_flags(cmd, args->plan, "--show-install-order", true);
    cmd->add_flag("--nodeps", args->opts.nodeps, "Don't consider package dependencies (harmful!)");
    cmd->add_flag("--onlydeps", args->opts.onlydeps, "Consider **only** package dependencies");
    cmd->add_flag("--force", args->opts.force, "Skip errors and keep going (potentially harmful)");
    cmd->add_flag("--download-only", args->opts.download_only, "Download only");
    cmd->add_flag("--skip-finalizers", args->opts.skip_finalizers, "Skip the execution of the finalizers.");
    cmd->add_flag("--sync-repos", args->opts.sync_repos,
                  "Sync repositories before install: a repository that cannot be synced is an error.");
    cmd->add_flag("--relax", args->opts.relax, "Relax installation constraints");
    cmd->add_flag("--ignore-conflicts", args->opts.ignore_conflicts, "Don't consider package conflicts (harmful!)");
    add_finalizer_env_flag(cmd, args->finalizer_envs);
    add_accepted_flag(cmd, "--skip-check-system",
                      "Skip conflicts check with existing rootfs (ours never refuses a file no package owns: it is "
                      "kept aside until the commit, so there is nothing to skip).");
    add_accepted_flag(cmd, "--preserve-system-essentials",
                      "Preserve system luet files (always on in ours: no package may write into luet's database "
                      "folder).");
    add_accepted_flag(cmd, "--overwrite-existing-dir-perms",
                      "Overwrite exiting directories permissions (accepted; ours keeps the modes of folders that "
                      "exist).");
    cmd->add_flag("--ignore-masks", args->opts.ignore_masks, "Ignore packages masked (packages_maskdir).");
    add_accepted_flag(cmd, "--solver-concurrent", "Use concurrent solver (mudler/luet; ours always uses libsolv).");
    cmd->callback([args, &g] {
        std::vector<core::PackageRef> refs;
        for (const auto& p : args->packages) refs.push_back(core::parse_package_arg(p));
        auto cfg = load_config(g);
        apply_finalizer_envs(cfg, args->finalizer_envs);
        args->opts.concurrency = cfg.concurrency;
        if (env_true("LUET_NODEPS") && !args->plan.cmd->count("--nodeps")) args->opts.nodeps = true;
        if (env_true("LUET_FORCE") && !args->plan.cmd->count("--force")) args->opts.force = true;
        install::Result result;
        // geaaru/luet: a package no repository has is a warning; the others are installed.
        for (bool solved = false; !solved;) {
            try {
                result = install::install(cfg, refs, args->opts, plan_reporter(args->plan));
                solved = true;
            } catch (const NotFoundError& e) {
                if (std::erase_if(refs, [&](const core::PackageRef& r) { return r.str() == e.request; }) == 0) throw;
                warn(e.what());
                if (refs.empty()) {
                    info("No packages to install.");
                    return;
                }
            }
        }
        if (result.downloaded.empty() && !result.stopped) {
            info("No packages to install.");
            return;
        }
        report(result, args->opts);
        finish(args->plan, result, cfg);
    });
}

void add_uninstall(CLI::App& app, Globals& g) {
    struct Args {
        std::vector<std::string> packages, finalizer_envs;
        PlanFlags plan;
        bool keep_protected = false;
        install::Options opts;
    };
    auto args = std::make_shared<Args>();
    auto* cmd = app.add_subcommand("uninstall", "Uninstall a package or a list of packages");
    cmd->alias("rm");
    cmd->alias("un");
    cmd->footer(
        "Remove one or more packages and, as geaaru/luet does, every installed package that requires them "
        "(recursively; they are listed before the question). --nodeps removes only the named packages. "
        "(mudler/luet refuses to remove a required package instead.)");
    cmd->add_option("packages", args->packages, "Packages: CAT/NAME[@VERSION]")->required();
    add_plan_flags(cmd, args->plan, "", false);
    cmd->add_flag("--nodeps", args->opts.nodeps,
                  "Don't consider package dependencies (harmful! overrides checkconflicts and full!)");
    cmd->add_flag("--force", args->opts.force, "Force uninstall");
    cmd->add_flag("--full", args->opts.full,
                  "Attempts to remove as much packages as possible which aren't required (slow)");
    cmd->add_flag("--keep-protected-files,-k", args->keep_protected,
                  "Keep package protected files around (without it, as upstream, they are removed)");
    cmd->add_flag("--skip-finalizers", args->opts.skip_finalizers, "Skip the execution of the finalizers.");
    add_finalizer_env_flag(cmd, args->finalizer_envs);
    add_accepted_flag(cmd, "--preserve-system-essentials",
                      "Preserve system luet files (always on in ours: luet's database folder belongs to no package).");
    add_accepted_flag(cmd, "--conflictscheck",
                      "Check if the package marked for deletion is required by other packages (always on in ours "
                      "unless --nodeps or --force: the packages requiring it are removed too, as geaaru/luet).");
    add_accepted_flag(cmd, "--full-clean",
                      "Attempts to remove as much packages as possible which aren't required (ours: same as --full).");
    add_accepted_flag(cmd, "--solver-concurrent", "Use concurrent solver (mudler/luet; ours always uses libsolv).");
    cmd->callback([args, cmd, &g] {
        install::Options opts = args->opts;
        if (cmd->count("--full-clean")) opts.full = true;
        // Upstream: --nodeps overrides --full; --force removes regardless of reverse dependencies.
        if (opts.nodeps) opts.full = false;
        opts.nodeps = opts.nodeps || opts.force;
        auto cfg = load_config(g);
        apply_finalizer_envs(cfg, args->finalizer_envs);
        // Both upstreams: config protect applies to an uninstall only with -k.
        if (!args->keep_protected) cfg.config_protect_skip = true;
        const auto result = install::uninstall(cfg, parse_packages(args->packages), opts, plan_reporter(args->plan));
        if (!result.stopped)
            for (const auto& f : result.changed) info("✔ Uninstalled " + f.str());
        report_finalizer_errors(result);
        finish(args->plan, result, cfg);
    });
}

void add_config(CLI::App& app, Globals& g) {
    auto* cmd = app.add_subcommand("config", "Print the effective configuration");
    cmd->alias("c");
    cmd->callback([&g] { std::cout << config::to_yaml(load_config(g)); });
}

}  // namespace luet::cli
