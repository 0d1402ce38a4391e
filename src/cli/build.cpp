#include <algorithm>
#include <cstdio>
#include <iostream>

#include <nlohmann/json.hpp>

#include "luet/build/backend.hpp"
#include "luet/build/builder.hpp"
#include "luet/core/file.hpp"
#include "luet/install/extract.hpp"
#include "luet/repo/docker_repo.hpp"
#include "luet/repo/build_trees.hpp"

#include "cli/commands.hpp"

namespace luet::cli {
namespace {

core::PackageRef exact_ref(const core::PackageForm& f) {
    return core::parse_package_arg(f.category + "/" + f.name + "@" + f.version);
}

// --pretend -o json|yaml, as geaaru/luet luet-build build: for each target, the packages its
// build needs (not the target), {"packages": [...]} with the keys sorted (ghodss/yaml).
void print_pretend(const spec::Tree& tree, const build::BuildOptions& opts, const std::string& output) {
    nlohmann::json packages = nullptr;
    const auto order = build::plan(tree, opts);
    const auto targets = build::targets_of(tree, opts, order);
    for (const auto* target : order) {
        if (!targets.contains(target)) continue;
        build::BuildOptions one = opts;
        one.all = false;
        one.only_deps = false;
        one.targets = {exact_ref(target->definition.form)};
        for (const auto* p : build::plan(tree, one)) {
            if (p == target) continue;
            const auto& f = p->definition.form;
            packages.push_back({{"License", ""}, {"category", f.category}, {"files", nullptr},
                                {"hidden", p->definition.hidden}, {"name", f.name}, {"repository", ""},
                                {"target", target->definition.form.str()}, {"version", f.version}});
        }
    }
    const nlohmann::json doc = {{"packages", packages}};
    if (output == "json") {
        std::cout << doc.dump() << std::endl;
        return;
    }
    // ghodss/yaml's layout: list items at the key's column, strings quoted only when a YAML
    // reader would type them otherwise (the version, empty strings).
    std::string out = "packages:";
    if (packages.is_null()) out += " null\n";
    else out += "\n";
    for (const auto& p : packages) {
        bool first = true;
        for (const auto& [k, v] : p.items()) {
            out += first ? "- " : "  ";
            first = false;
            out += k + ": ";
            if (v.is_null()) out += "null";
            else if (v.is_boolean()) out += v.get<bool>() ? "true" : "false";
            else if (k == "version" || v.get<std::string>().empty()) out += "\"" + v.get<std::string>() + "\"";
            else out += v.get<std::string>();
            out += "\n";
        }
    }
    std::cout << out << std::endl;
}

// --generate-final-images (mudler/luet compiler.go finalizeImages, GenerateFinalImage): in
// the backend's engine, <repository>:<artifact tag> holding the artifact's files and
// <repository>:<metadata tag> holding the metadata file, each as the image's only layer.
void generate_final_images(const std::vector<artifact::Metadata>& built, const build::BuildOptions& opts,
                           const std::string& repository) {
    auto backend = build::make_backend(opts.backend, opts.backend_args);
    for (const auto& m : built) {
        info("Generating final image for " + m.runtime.form.str());
        const core::TempDir tmp("final-image");
        install::extract(opts.destination / m.path, tmp.path / "files");
        const std::string image = repository + ":" + repo::docker_tag_for_file(m.path);
        backend->import_folder(tmp.path / "files", image);
        std::filesystem::create_directories(tmp.path / "metadata");
        std::filesystem::copy_file(opts.destination / m.metadata_file_name(), tmp.path / "metadata" / m.metadata_file_name());
        const std::string metadata_image = repository + ":" + repo::docker_tag_for_file(m.metadata_file_name());
        backend->import_folder(tmp.path / "metadata", metadata_image);
        info("  generated " + image + " and " + metadata_image);
    }
}

}  // namespace

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
        bool only_target = false, only_deps = false, pretend = false, privileged = false, revdeps = false;
        std::string output = "terminal";
        bool push_final = false, push_final_force = false, generate_final = false;
        std::string final_repository;
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
    cmd->add_flag("--revdeps", args->revdeps,
                  "Build with revdeps (also the packages of the tree whose build needs the targets)");
    cmd->add_option("--output,-o", args->output,
                    "Output format of --pretend ( Defaults: terminal, available: json,yaml ): the packages each "
                    "target needs, as geaaru/luet");
    add_accepted_flag(cmd, "--solver-concurrent",
                      "Use concurrent solver (accepted: ours orders builds without a SAT solver)");
    // Final images (mudler/luet): each artifact and its metadata file as an image
    // <repository>:<tag>, the layout of a docker repository (repo/docker_repo.hpp).
    cmd->add_flag("--push-final-images", args->push_final,
                  "Push final images while building (each artifact and its metadata to the registry, no engine)");
    cmd->add_flag("--push-final-images-force", args->push_final_force, "Override existing images");
    cmd->add_option("--push-final-images-repository", args->final_repository,
                    "Repository where to push final images to (default: --image-repository)");
    cmd->add_flag("--generate-final-images", args->generate_final,
                  "Generate final images while building (in the backend's local engine: each artifact's files and "
                  "its metadata file, as images of --push-final-images-repository or --image-repository)");
    add_accepted_flag(cmd, "--dockerfiles",
                      "Source packages also from dockerfiles (mudler/luet; accepted: ours reads packages from "
                      "definition.yaml and collection.yaml only)");
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
        check_output(args->output);
        const core::TempDir work("build-trees");
        const spec::Tree tree = load_build_tree(args->trees, args->values, args->from_repositories, g, work.path,
                                                &opts.cache.package_image_repositories);
        if (args->revdeps && !opts.all) {
            const auto order = build::plan(tree, opts);
            const auto targets = build::targets_of(tree, opts, order);
            for (const auto* r : build::reverse_build_dependencies(tree, {targets.begin(), targets.end()})) {
                if (args->output == "terminal") info("↪ " + r->definition.form.str() + " (reverse dependency)");
                opts.targets.push_back(exact_ref(r->definition.form));
            }
        }
        if (args->pretend) {
            if (args->output == "terminal") {
                for (const auto* p : build::plan(tree, opts)) std::cout << p->definition.form.str() << "\n";
            } else {
                print_pretend(tree, opts, args->output);
            }
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
        const std::string repository =
            args->final_repository.empty() ? opts.cache.image_repository : args->final_repository;
        if (args->generate_final) generate_final_images(built, opts, repository);
        if (args->push_final) {
            for (const auto& m : built) {
                info("Pushing final image for " + m.runtime.form.str());
                for (const auto& [file, as_layer] : {std::pair{m.path, true}, std::pair{m.metadata_file_name(), false}}) {
                    const std::string image = repository + ":" + repo::docker_tag_for_file(file);
                    const bool pushed = repo::push_file_image(image, opts.destination / file, as_layer, args->push_final_force);
                    info(std::string(pushed ? "  pushed " : "  exists, kept ") + image);
                }
            }
        }
    });
}

}  // namespace luet::cli
