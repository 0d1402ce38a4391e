#include <algorithm>
#include <cstdio>
#include <iostream>

#include "luet/build/builder.hpp"
#include "luet/core/file.hpp"
#include "luet/repo/build_trees.hpp"

#include "cli/commands.hpp"

namespace luet::cli {

spec::Tree load_build_tree(const std::vector<std::string>& roots, const std::vector<std::string>& values,
                           bool from_repositories, const Globals& g, const std::filesystem::path& work,
                           std::map<std::string, std::string>* image_repositories) {
    const spec::LoadOptions lo = load_options(values);
    std::vector<std::filesystem::path> paths(roots.begin(), roots.end());
    spec::Tree tree = spec::load_tree(paths, lo);
    if (!from_repositories) return tree;
    const config::Config cfg = g.config ? *g.config : config::Config{};
    if (cfg.repositories.empty()) warn("--from-repositories: the configuration has no repositories");
    for (const auto& bt : repo::load_build_trees(cfg, work, warn)) {
        const std::size_t before = tree.packages.size();
        spec::add_repository_tree(tree, spec::load_tree(bt.roots, lo), bt.repository);
        info("Loading tree from repository " + bt.repository + ": " + std::to_string(tree.packages.size() - before) +
             " package(s) not in the local trees");
        if (image_repositories)
            for (const auto& [form, r] : bt.image_repositories) image_repositories->emplace(form, r);
    }
    return tree;
}

void add_build(CLI::App& app, Globals& g) {
    struct Args {
        std::vector<std::string> trees;
        std::vector<std::string> values;
        std::string destination = "build";
        std::string compression = "none";
        std::string backend = "docker";
        std::vector<std::string> backend_args;
        bool all = false;
        std::vector<std::string> packages;
        build::CacheOptions cache;
        bool only_target = false, only_deps = false, pretend = false, privileged = false;
        bool from_repositories = false;
    };
    auto args = std::make_shared<Args>();
    auto* cmd = app.add_subcommand("build", "Build packages of a tree in containers");
    cmd->add_option("--tree,-t", args->trees, "Path of the tree (repeatable)")->allow_extra_args(false);
    cmd->add_option("--values", args->values, "Build values file to interpolate with each package (repeatable)")
        ->allow_extra_args(false);
    cmd->add_option("--destination", args->destination, "Destination folder of the artifacts");
    cmd->add_option("--compression", args->compression, "Compression of the artifacts: gzip, zstd or none");
    auto* backend = cmd->add_option("--backend,-b", args->backend,
                                    "backend used (docker, podman, buildah; img is buildah, as mudler/luet)");
    cmd->add_option("--backend-args,-a", args->backend_args, "Backend args (added to each container run)")
        ->delimiter(',')
        ->allow_extra_args(false);
    cmd->add_flag("--all", args->all, "Build every package of the tree");
    // geaaru/luet's luet-build --full ("Build all packages (optimized)"): every package of the
    // tree, each once, after the packages it needs — what --all does here.
    cmd->add_flag("--full", args->all, "Build all packages (as --all)");
    // The build cache (mudler/luet cmd/build.go, geaaru luet-build cmd/build.go).
    cmd->add_option("--image-repository", args->cache.image_repository,
                    "Default base image string for generated image");
    cmd->add_flag("--push", args->cache.push, "Push images to a hub");
    cmd->add_flag("--pull", args->cache.pull, "Pull images from a hub");
    cmd->add_option("--pull-repository,-p", args->cache.pull_repositories,
                    "A list of repositories to pull the cache from")
        ->allow_extra_args(false);
    cmd->add_flag("--rebuild", args->cache.rebuild,
                  "To combine with --pull. Allows to rebuild the target package even if an image is available, "
                  "against a local values file");
    cmd->add_flag("--keep-images", args->cache.keep_images, "Keep built docker images in the host")
        ->default_str("true");
    cmd->add_flag("--only-target-package", args->only_target,
                  "Build packages of only the target package (the packages it needs are built for their images, "
                  "no artifact)");
    cmd->add_flag("--onlydeps", args->only_deps, "Build only package dependencies");
    cmd->add_flag("--pretend", args->pretend, "Just print what packages will be compiled");
    cmd->add_flag("--privileged", args->privileged, "Privileged (Keep permissions)");
    add_accepted_flag(cmd, "--wait", "Don't build all intermediate images, but wait for them (accepted: ours "
                                     "builds each image once, after what it needs)");
    add_accepted_flag(cmd, "--nodeps",
                      "Build only the target packages, skipping deps (accepted; ours builds the deps a target "
                      "needs, or reuses them from the build cache: see --pull)");
    cmd->add_flag("--from-repositories", args->from_repositories,
                  "Consume the user-defined repositories to pull specfiles from");
    cmd->add_option("packages", args->packages, "Packages to build: CAT/NAME[@VERSION]");
    cmd->callback([args, backend, &g] {
        if (args->trees.empty()) args->trees.push_back(".");
        if (!args->all && args->packages.empty()) throw Error("nothing to build: give packages or --all");
        build::BuildOptions opts;
        opts.destination = std::filesystem::absolute(args->destination);
        opts.compression = artifact::parse_compression(args->compression);
        opts.backend = args->backend;
        if (backend->count() == 0 && g.config && !g.config->backend.empty()) opts.backend = g.config->backend;
        opts.backend_args = args->backend_args;
        opts.concurrency = g.config ? static_cast<std::size_t>(std::max(1, g.config->concurrency)) : 1;
        opts.all = args->all;
        opts.cache = args->cache;
        opts.only_target = args->only_target;
        opts.only_deps = args->only_deps;
        if (args->privileged && opts.backend != "buildah" && opts.backend != "img")
            opts.backend_args.push_back("--privileged");
        opts.source_date_epoch = source_date_epoch();
        opts.luet_version = version();
        for (const auto& p : args->packages) opts.targets.push_back(core::parse_package_arg(p));
        const core::TempDir work("build-trees");
        const spec::Tree tree = load_build_tree(args->trees, args->values, args->from_repositories, g, work.path,
                                                &opts.cache.package_image_repositories);
        if (args->pretend) {
            for (const auto* p : build::plan(tree, opts)) std::cout << p->definition.form.str() << "\n";
            return;
        }
        build::Reporter reporter;
        reporter.progress = info;
        reporter.output = [](std::string_view line) { info("  │ " + std::string(line)); };
        reporter.summary = [](const std::vector<build::PackageTiming>& rows) {
            std::size_t width = 7;
            for (const auto& r : rows) width = std::max(width, r.package.size());
            auto row = [&](const std::string& a, const std::string& b, const std::string& c) {
                info(a + std::string(width - a.size() + 2, ' ') + b + std::string(11 - b.size(), ' ') + c);
            };
            row("Package", "Result", "Time");
            for (const auto& r : rows) {
                char took[32] = "";
                if (r.status == "built") std::snprintf(took, sizeof took, "%.1fs", r.seconds);
                row(r.package, r.status, took);
            }
        };
        const auto built = build::build(tree, opts, reporter);
        info("Built " + std::to_string(built.size()) + " package(s) in " + opts.destination.string());
    });
}

}  // namespace luet::cli
