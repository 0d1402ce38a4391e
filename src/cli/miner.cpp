// `luet miner reinstall-package|install-package|remove-package` (geaaru/luet cmd/miner.go,
// cmd/miner/*.go): low-level operations without the solver, for advanced users.
#include "cli/commands.hpp"
#include "luet/install/miner.hpp"

namespace luet::cli {
namespace {

install::Reporter reporter() {
    install::Reporter r;
    r.progress = info;
    r.finalizer_output = [](std::string_view line) { info("  │ " + std::string(line)); };
    return r;
}

// Failed finalizers make the command fail after the packages were installed, as install.
void check_finalizers(const install::Result& result) {
    if (result.finalizer_errors.empty()) return;
    std::string all;
    for (const auto& e : result.finalizer_errors) all += "\n  " + e;
    throw Error("finalizers failed:" + all);
}

std::vector<core::PackageRef> parse_refs(const std::vector<std::string>& args) {
    std::vector<core::PackageRef> refs;
    for (const auto& p : args) refs.push_back(core::parse_package_arg(p));
    return refs;
}

}  // namespace

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
        const auto result = install::reinstall_packages(load_config(g), parse_refs(ri_args->packages),
                                                        ri_args->skip_finalizers, reporter());
        for (const auto& f : result.changed) info("✔ Reinstalled " + f.str());
        check_finalizers(result);
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
        const auto result =
            install::install_packages(load_config(g), in_args->repository, parse_refs(in_args->packages),
                                      in_args->force, in_args->skip_finalizers, reporter());
        for (const auto& f : result.changed) info("✔ Installed " + f.str());
        check_finalizers(result);
    });

    auto rm_args = std::make_shared<std::vector<std::string>>();
    auto* rm = miner->add_subcommand(
        "remove-package", "Uninstall a package without analyze deps and conflicts and in the passed order.");
    rm->alias("r");
    rm->alias("rm");
    rm->add_option("packages", *rm_args, "<pkg1> <pkg2> ... <pkgN>")->required();
    rm->callback([rm_args, &g] {
        const auto result = install::uninstall(load_config(g), parse_refs(*rm_args), {true, false}, reporter());
        for (const auto& f : result.changed) info("✔ Uninstalled " + f.str());
    });
}

}  // namespace luet::cli
