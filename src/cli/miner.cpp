// `luet miner reinstall-package|install-package|remove-package` (geaaru/luet cmd/miner.go,
// cmd/miner/*.go): low-level operations without the solver, for advanced users.
#include "cli/commands.hpp"
#include "luet/install/transaction.hpp"

namespace luet::cli {

void add_miner(CLI::App& app, Globals& g) {
    auto* miner = app.add_subcommand("miner", "Advance Users/Develpers only commands.");
    miner->group("");  // hidden, as upstream
    miner->require_subcommand(1);

    struct ReinstallArgs {
        std::vector<std::string> packages;
        bool skip_finalizers = false;
    };
    auto ri_args = std::make_shared<ReinstallArgs>();
    auto* ri = miner->add_subcommand(
        "reinstall-package",
        "Reinstall a package without analyze deps and conflicts and in the passed order. The package must be "
        "available with the same version of a repository.");
    ri->alias("ri");
    ri->add_option("packages", ri_args->packages, "<pkg1> <pkg2> ... <pkgN>")->required();
    ri->add_flag("--skip-finalizers", ri_args->skip_finalizers, "Skip the execution of the finalizers.");
    ri->callback([ri_args, &g] {
        install::Options opts;
        opts.skip_finalizers = ri_args->skip_finalizers;
        report(install::reinstall(load_config(g), parse_packages(ri_args->packages), opts, install_reporter()), opts);
    });

    struct InstallArgs {
        std::string repository;
        std::vector<std::string> packages;
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
    in->callback([in_args, &g] {
        install::Options opts;
        opts.force = in_args->force;
        opts.skip_finalizers = in_args->skip_finalizers;
        report(install::install_from(load_config(g), in_args->repository, parse_packages(in_args->packages), opts,
                                     install_reporter()),
               opts);
    });

    auto rm_args = std::make_shared<std::vector<std::string>>();
    auto* rm = miner->add_subcommand(
        "remove-package", "Uninstall a package without analyze deps and conflicts and in the passed order.");
    rm->alias("r");
    rm->alias("rm");
    rm->add_option("packages", *rm_args, "<pkg1> <pkg2> ... <pkgN>")->required();
    rm->callback([rm_args, &g] {
        install::Options opts;
        opts.nodeps = true;
        const auto result = install::uninstall(load_config(g), parse_packages(*rm_args), opts, install_reporter());
        for (const auto& f : result.changed) info("✔ Uninstalled " + f.str());
    });
}

}  // namespace luet::cli
