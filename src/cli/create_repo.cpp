#include "luet/repo/repository.hpp"

#include "cli/commands.hpp"

namespace luet::cli {

void add_create_repo(CLI::App& app, Globals&) {
    struct Args {
        std::vector<std::string> trees;
        std::vector<std::string> values;
        std::string output;
        std::string packages;
        std::string name = "luet";
        std::string descr = "luet repository";
        std::vector<std::string> urls;
        std::string type = "disk";
        int priority = 1;
        std::string tree_compression = "gzip";
        std::string meta_compression = "gzip";
    };
    auto args = std::make_shared<Args>();
    auto* cmd = app.add_subcommand("create-repo", "Create a repository from built artifacts");
    cmd->add_option("--tree,-t", args->trees, "Path of the source tree (repeatable)")->allow_extra_args(false);
    cmd->add_option("--values", args->values, "Build values file to interpolate with each package (repeatable)")
        ->allow_extra_args(false);
    cmd->add_option("--output,-o", args->output, "Folder where the repository is written");
    cmd->add_option("--packages", args->packages, "Folder holding the built artifacts");
    cmd->add_option("--name", args->name, "Repository name");
    cmd->add_option("--descr", args->descr, "Repository description");
    cmd->add_option("--urls", args->urls, "Repository URLs (repeatable)")->allow_extra_args(false);
    cmd->add_option("--type", args->type, "Repository type: disk, http or docker");
    cmd->add_option("--priority", args->priority, "Repository priority");
    cmd->add_option("--tree-compression", args->tree_compression, "Compression of the tree documents");
    cmd->add_option("--meta-compression", args->meta_compression, "Compression of the metadata document");
    cmd->callback([args] {
        if (args->trees.empty()) args->trees.push_back(".");
        repo::CreateOptions opts;
        opts.packages = args->packages.empty() ? std::filesystem::path("build") : std::filesystem::path(args->packages);
        opts.output = args->output.empty() ? opts.packages : std::filesystem::path(args->output);
        opts.name = args->name;
        opts.description = args->descr;
        opts.type = args->type;
        opts.urls = args->urls;
        opts.priority = args->priority;
        opts.tree_compression = artifact::parse_compression(args->tree_compression);
        opts.meta_compression = artifact::parse_compression(args->meta_compression);
        if (opts.type != "disk" && opts.type != "http" && opts.type != "docker")
            throw Error("unknown repository type '" + opts.type + "' (expected disk, http or docker)");
        std::vector<std::filesystem::path> roots(args->trees.begin(), args->trees.end());
        const auto index = repo::create_repository(spec::load_tree(roots, load_options(args->values)), opts);
        info("Repository " + index.name + " revision " + std::to_string(index.revision) + " written to " +
             opts.output.string());
    });
}

}  // namespace luet::cli
