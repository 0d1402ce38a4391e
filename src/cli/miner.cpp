// `luet miner reinstall-package|install-package|remove-package` (geaaru/luet cmd/miner.go,
// cmd/miner/*.go): low-level operations without the solver, for advanced users.
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <iostream>

#include "cli/commands.hpp"
#include "luet/core/version.hpp"
#include "luet/repo/repository.hpp"
#include "luet/install/transaction.hpp"

namespace luet::cli {

void add_miner(CLI::App& app, Globals& g) {
    auto* miner = app.add_subcommand("miner", "Advance Users/Develpers only commands.");
    miner->group("");  // hidden, as upstream
    miner->require_subcommand(1);

    struct ReinstallArgs {
        std::vector<std::string> packages, finalizer_envs;
        bool skip_finalizers = false;
        bool force = false;
    };
    auto ri_args = std::make_shared<ReinstallArgs>();
    auto* ri = miner->add_subcommand(
        "reinstall-package",
        "Reinstall a package without analyze deps and conflicts and in the passed order. The package must be "
        "available with the same version of a repository.");
    ri->alias("ri");
    ri->add_option("packages", ri_args->packages, "<pkg1> <pkg2> ... <pkgN>")->required();
    ri->add_flag("--skip-finalizers", ri_args->skip_finalizers, "Skip the execution of the finalizers.");
    ri->add_flag("--force", ri_args->force, "Skip errors and force reinstall.");
    add_finalizer_env_flag(ri, ri_args->finalizer_envs);
    add_accepted_flag(ri, "--preserve-system-essentials", "Preserve system essentials files (always on in ours).");
    ri->callback([ri_args, &g] {
        install::Options opts;
        opts.skip_finalizers = ri_args->skip_finalizers;
        opts.force = ri_args->force;
        auto cfg = load_config(g);
        apply_finalizer_envs(cfg, ri_args->finalizer_envs);
        report(install::reinstall(cfg, parse_packages(ri_args->packages), opts, install_reporter()), opts);
    });

    struct InstallArgs {
        std::string repository;
        std::vector<std::string> packages, finalizer_envs;
        bool force = false;
        bool skip_finalizers = false;
    };
    auto in_args = std::make_shared<InstallArgs>();
    auto* in = miner->add_subcommand("install-package",
                                     "Install a package from a specified repository without analyze deps and "
                                     "conflicts and in the passed order.");
    in->alias("i");
    in->add_option("repository", in_args->repository, "<repository-name>")->required();
    in->add_option("packages", in_args->packages, "<pkg1> <pkg2> ... <pkgN>")->required();
    in->add_flag("--force", in_args->force, "Ignoring conflicts and errors.");
    in->add_flag("--skip-finalizers", in_args->skip_finalizers, "Skip the execution of the finalizers.");
    add_finalizer_env_flag(in, in_args->finalizer_envs);
    add_accepted_flag(in, "--check-conflicts",
                      "Check conflicts between packages to install and installed packages (ours always checks file "
                      "conflicts, unless --force).");
    in->callback([in_args, &g] {
        install::Options opts;
        opts.ignore_masks = true;  // geaaru/luet: "On miner I don't load masks. Keep full control to users."
        opts.force = in_args->force;
        opts.skip_finalizers = in_args->skip_finalizers;
        auto cfg = load_config(g);
        apply_finalizer_envs(cfg, in_args->finalizer_envs);
        report(install::install_from(cfg, in_args->repository, parse_packages(in_args->packages), opts,
                                     install_reporter()),
               opts);
    });

    struct RemoveArgs {
        std::vector<std::string> packages;
        bool skip_finalizers = false;
    };
    auto rm_args = std::make_shared<RemoveArgs>();
    auto* rm = miner->add_subcommand(
        "remove-package", "Uninstall a package without analyze deps and conflicts and in the passed order.");
    rm->alias("r");
    rm->alias("rm");
    rm->add_option("packages", rm_args->packages, "<pkg1> <pkg2> ... <pkgN>")->required();
    rm->add_flag("--skip-finalizers", rm_args->skip_finalizers, "Skip the execution of the finalizers.");
    add_accepted_flag(rm, "--force", "Force removing and ignore errors (always: miner ignores dependencies).");
    add_accepted_flag(rm, "--preserve-system-essentials", "Preserve system essentials files (always on in ours).");
    rm->callback([rm_args, &g] {
        install::Options opts;
        opts.nodeps = true;
        opts.skip_finalizers = rm_args->skip_finalizers;
        auto cfg = load_config(g);
        apply_finalizer_envs(cfg, {});
        const auto result = install::uninstall(cfg, parse_packages(rm_args->packages), opts, install_reporter());
        for (const auto& f : result.changed) info("✔ Uninstalled " + f.str());
        report_finalizer_errors(result);
    });

    struct ReplaceArgs {
        std::vector<std::string> packages, for_packages, finalizer_envs;
        bool with_deps = false;
        install::Options opts;
    };
    auto re_args = std::make_shared<ReplaceArgs>();
    auto* re = miner->add_subcommand("replace-package",
                                     "Replace one or more packages with others without the solver: the new packages' "
                                     "requires are followed only with --with-deps.");
    re->alias("re");
    re->alias("switch");
    re->add_option("packages", re_args->packages, "<pkg1> <pkg2> ...")->required();
    re->add_option("--for", re_args->for_packages, "Packages that has to be installed in place of others")
        ->required()
        ->allow_extra_args(false)
        ->delimiter(',');
    re->add_flag("--with-deps", re_args->with_deps, "Consider package dependencies");
    re->add_flag("--force", re_args->opts.force, "Skip errors and force reinstall.");
    re->add_flag("--skip-finalizers", re_args->opts.skip_finalizers, "Skip the execution of the finalizers.");
    add_finalizer_env_flag(re, re_args->finalizer_envs);
    add_accepted_flag(re, "--preserve-system-essentials", "Preserve system essentials files (always on in ours).");
    add_accepted_flag(re, "--skip-check-system",
                      "Skip conflicts check with existing rootfs (ours never refuses a file no package owns).");
    re->add_flag("--ignore-masks", re_args->opts.ignore_masks, "Ignore packages masked (packages_maskdir).");
    re->callback([re_args, &g] {
        install::Options opts = re_args->opts;
        opts.nodeps = !re_args->with_deps;
        auto cfg = load_config(g);
        apply_finalizer_envs(cfg, re_args->finalizer_envs);
        report(install::replace(cfg, parse_packages(re_args->packages), parse_packages(re_args->for_packages), opts,
                                install_reporter()),
               opts);
    });

    struct DownloadArgs {
        std::string repository;
        std::vector<std::string> packages;
    };
    auto dl_args = std::make_shared<DownloadArgs>();
    auto* dl = miner->add_subcommand("download", "Download a package from a specified repository.");
    dl->alias("d");
    dl->footer("The artifacts go to the packages cache (<database_path>/<pkgs_cache_path>), checked against their "
               "sha256. Exit 1 when a package is not found or a download fails.");
    dl->add_option("repository", dl_args->repository, "<repository-name>")->required();
    dl->add_option("packages", dl_args->packages, "<pkg1> <pkg2> ... <pkgN>")->required();
    dl->callback([dl_args, &g] {
        const auto cfg = load_config(g);
        const auto repos = repo::load_enabled(cfg, repo::LoadOptions{.strict = false, .files = false, .keep = {}, .name_literals = {}, .reach = std::nullopt, .with_files = {}}, info);
        auto r = std::find_if(repos.begin(), repos.end(), [&](const auto& x) { return x.name == dl_args->repository; });
        if (r == repos.end()) throw Error("repository " + dl_args->repository + " is not configured or not enabled");
        std::vector<const repo::RepoPackage*> found;
        std::vector<const core::PackageForm*> forms;
        for (const auto& p : r->packages) forms.push_back(&p.meta.runtime.form);
        for (const auto& bare : parse_packages(dl_args->packages)) {
            const core::PackageRef ref = core::resolve_category(bare, forms);
            const repo::RepoPackage* best = nullptr;
            for (const auto& p : r->packages)
                if (ref.matches(p.meta.runtime.form) &&
                    (!best || core::compare_versions(p.meta.runtime.form.version, best->meta.runtime.form.version) > 0))
                    best = &p;
            if (best) found.push_back(best);
        }
        const auto cache = cfg.packages_cache_dir();
        std::filesystem::create_directories(cache);
        bool failed = false;
        char n[32];
        for (std::size_t i = 0; i < found.size(); ++i) {
            const auto& form = found[i]->meta.runtime.form;
            std::snprintf(n, sizeof n, "[%3zu of %3zu] ", i + 1, found.size());
            const std::string line = std::string(n) + form.atom() + "::" + r->name + " - " + form.version;
            try {
                repo::fetch_artifact(*r, *found[i], cache / found[i]->meta.path);
                info("📦 " + line + " # downloaded ✔");
            } catch (const Error& e) {
                std::cerr << "Error on download artifact " << form.str() << ": " << e.what() << std::endl;
                failed = true;
            }
        }
        if (found.empty()) {
            warn("No packages found.");
            failed = true;
        } else if (found.size() != dl_args->packages.size()) {
            warn("Not all packages found.");
            failed = true;
        }
        if (failed) throw CLI::RuntimeError(1);
    });
}

}  // namespace luet::cli
