// `luet create-repo` (mudler/luet cmd/create-repo.go, geaaru/luet luet-build/cmd/create-repo.go):
// the flags of both upstreams; what is written is described in src/luet/repo/create.cpp.
#include "luet/repo/docker_repo.hpp"
#include "luet/repo/repository.hpp"

#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <map>

#include "luet/core/file.hpp"

#include "cli/commands.hpp"

namespace luet::cli {
namespace {

// "30d", "12h", "90m", "3600s" or "3600" as seconds; throws naming `flag` otherwise.
long long duration_seconds(const std::string& text, const std::string& flag) {
    static const std::map<char, long long> units = {{'s', 1}, {'m', 60}, {'h', 3600}, {'d', 86400}};
    std::string digits = text;
    long long unit = 1;
    if (!digits.empty() && units.count(digits.back())) {
        unit = units.at(digits.back());
        digits.pop_back();
    }
    const bool ok = !digits.empty() && digits.size() <= 9 &&
                    std::all_of(digits.begin(), digits.end(), [](unsigned char c) { return std::isdigit(c); });
    if (!ok || std::stoll(digits) == 0)
        throw Error(flag + ": expected a duration such as 30d, 12h, 90m or 3600s, not '" + text + "'");
    return std::stoll(digits) * unit;
}

}  // namespace

void add_create_repo(CLI::App& app, Globals& g) {
    struct Args {
        std::vector<std::string> trees;
        std::vector<std::string> values;
        std::string output;
        std::string packages = "build";
        std::string name = "luet";
        std::string descr = "luet";
        std::vector<std::string> urls;
        std::string type = "disk";
        int priority = 9999;
        std::string tree_compression = "gzip";
        std::string tree_filename = "tree.tar";
        std::string meta_compression = "none";
        std::string meta_filename = "repository.meta.yaml.tar";
        bool with_compilertree = false;
        bool from_repositories = false;
        bool reset_revision = false;
        bool from_metadata = false;
        bool check_package_tarball = false;
        std::string snapshot_id;
        std::string repo;
        bool push_images = false;
        bool force_push = false;
        std::vector<std::string> sign_keys;
        std::string expires;
        std::vector<std::string> ignored;
        std::string backend = "docker";  // --backend: accepted, not used
    };
    auto args = std::make_shared<Args>();
    auto* cmd = app.add_subcommand("create-repo", "Create a luet repository from a build");
    // Both are cobra string slices upstream: repeatable and comma separated.
    cmd->add_option("--tree,-t", args->trees, "Path of the source trees to use (repeatable)")
        ->allow_extra_args(false)
        ->delimiter(',');
    cmd->add_option("--values", args->values, "Build values file to interpolate with each package (repeatable)")
        ->allow_extra_args(false);
    cmd->add_option("--output,-o", args->output, "Destination for generated archives (default: the --packages folder)");
    cmd->add_option("--packages", args->packages, "Packages folder (output from build)");
    cmd->add_option("--name", args->name, "Repository name");
    cmd->add_option("--descr", args->descr, "Repository description");
    cmd->add_option("--urls", args->urls, "Repository URLs (repeatable)")->allow_extra_args(false)->delimiter(',');
    cmd->add_option("--type", args->type, "Repository type (disk, http, docker)");
    cmd->add_option("--priority", args->priority, "Repository priority written in repository.yaml");
    cmd->add_option("--tree-compression", args->tree_compression,
                    "Compression alg of the tree: none (from the file name), gzip, zstd");
    cmd->add_option("--tree-filename", args->tree_filename, "Repository tree filename");
    cmd->add_option("--meta-compression", args->meta_compression, "Compression alg of the metadata: none, gzip, zstd");
    cmd->add_option("--meta-filename", args->meta_filename, "Repository metadata filename");
    cmd->add_flag("--with-compilertree", args->with_compilertree, "Create compiler tree tarball.");
    // mudler/luet: packages whose specs only the configured repositories' compilertrees hold
    // (built with build --from-repositories) are kept instead of "No more in the tree".
    cmd->add_flag("--from-repositories", args->from_repositories,
                  "Consume the user-defined repositories to pull specfiles from");
    cmd->add_flag("--reset-revision", args->reset_revision, "Reset repository revision.");
    cmd->add_flag("--from-metadata", args->from_metadata,
                  "Consider metadata files from the packages folder while indexing the new tree");
    cmd->add_flag("--check-package-tarball", args->check_package_tarball,
                  "Validate presence of package tarball (metadata without one is left out).");
    cmd->add_option("--snapshot-id", args->snapshot_id, "Unique ID to use when creating repository snapshots");
    cmd->add_option("--repo", args->repo, "Use repository defined in configuration.");
    cmd->add_flag("--push-images", args->push_images, "Enable/Disable docker image push for docker repositories");
    cmd->add_flag("--force-push", args->force_push, "Force overwrite of docker images if already present online");
    cmd->add_option("--backend", args->backend,
                    "backend used (docker, img; accepted: ours pushes docker repositories with its own registry "
                    "client, no engine)");
    add_accepted_flag(cmd, "--dockerfiles",
                      "Read dockerfiles in tree as packages (mudler/luet; accepted: ours reads packages from "
                      "definition.yaml and collection.yaml only)");
    cmd->add_option("--sign-key", args->sign_keys,
                    "Ed25519 private key (luet repo keygen) signing repository.yaml into repository.yaml.sig "
                    "(repeatable: one signature each, for key rotation)")
        ->allow_extra_args(false);
    cmd->add_option("--expires", args->expires,
                    "Clients refuse repository.yaml after this long: N followed by s, m, h or d (e.g. 30d)");
    // cobra accepts (and ignores) positional arguments here; upstream's own tests pass one.
    cmd->add_option("ignored", args->ignored)->group("");
    cmd->callback([args, cmd, &g] {
        if (args->trees.empty()) args->trees.push_back(".");
        repo::CreateOptions opts;
        opts.packages = args->packages;
        opts.output = args->output.empty() ? opts.packages : std::filesystem::path(args->output);
        opts.tree_roots.assign(args->trees.begin(), args->trees.end());
        opts.name = args->name;
        opts.description = args->descr;
        opts.type = args->type;
        opts.urls = args->urls;
        opts.priority = args->priority;
        if (!args->repo.empty()) {
            // Name, description, urls, priority (and type unless --type) of a configured repository.
            const config::Config cfg = load_config(g);
            const auto it = std::find_if(cfg.repositories.begin(), cfg.repositories.end(),
                                         [&](const auto& r) { return r.name == args->repo; });
            if (it == cfg.repositories.end())
                throw Error("--repo: no repository named '" + args->repo + "' in " +
                            (cfg.file.empty() ? std::string("the configuration") : cfg.file.string()));
            opts.name = it->name;
            opts.description = it->description;
            opts.urls = it->urls;
            opts.priority = it->priority;
            if (!cmd->count("--type")) opts.type = it->type;
        }
        // Without --tree-compression, a name ending in .gz or .zst says the compression
        // (geaaru's default "none", self-autodetect), any other name gets gzip (mudler's).
        const bool named = args->tree_filename.ends_with(".gz") || args->tree_filename.ends_with(".zst");
        const auto tree_compression = cmd->count("--tree-compression") || !named
                                          ? artifact::parse_compression(args->tree_compression)
                                          : artifact::Compression::None;
        opts.tree_file = repo::document_file(args->tree_filename, tree_compression);
        opts.meta_file = repo::document_file(args->meta_filename, artifact::parse_compression(args->meta_compression));
        if (opts.tree_file.filename == opts.meta_file.filename)
            throw Error("--tree-filename and --meta-filename both name " + opts.tree_file.filename);
        opts.with_compilertree = args->with_compilertree;
        opts.reset_revision = args->reset_revision;
        opts.from_metadata = args->from_metadata;
        opts.check_package_tarball = args->check_package_tarball;
        opts.snapshot_id = args->snapshot_id;
        opts.sign_keys.assign(args->sign_keys.begin(), args->sign_keys.end());
        if (!args->expires.empty()) opts.expires_in = duration_seconds(args->expires, "--expires");
        opts.note = info;
        const core::TempDir work("build-trees");
        auto tree = [&] {
            return load_build_tree(args->trees, args->values, args->from_repositories, g, work.path, nullptr);
        };
        if (opts.type != "disk" && opts.type != "http" && opts.type != "docker")
            throw Error("unknown repository type '" + opts.type + "' (expected disk, http or docker)");
        if (opts.type == "docker") {
            // --output names the image prefix (host/name): the repository is written to a
            // staging folder, then pushed (docker_repo.hpp); no container engine is used.
            if (args->output.empty()) throw Error("create-repo --type docker needs --output REGISTRY/NAME");
            if (!args->push_images)
                throw Error("create-repo --type docker keeps no local images: add --push-images to publish to " +
                            args->output);
            const auto staging = std::filesystem::temp_directory_path() /
                                 ("luet-docker-repo-" + std::to_string(getpid()));
            std::filesystem::remove_all(staging);
            std::filesystem::create_directories(staging);
            struct Cleanup {
                std::filesystem::path p;
                ~Cleanup() {
                    std::error_code ec;
                    std::filesystem::remove_all(p, ec);
                }
            } cleanup{staging};
            opts.output = staging;
            repo::fetch_published_index(args->output, staging);
            const auto index = repo::create_repository(tree(), opts);
            repo::push_repository(staging, args->output, args->force_push, info);
            info("🏠 Repository: " + index.name + " creating revision " + std::to_string(index.revision) +
                 " and last update " + repo::format_last_update(index.last_update) + " in " + args->output);
            return;
        }
        const auto index = repo::create_repository(tree(), opts);
        info("🏠 Repository: " + index.name + " creating revision " + std::to_string(index.revision) +
             " and last update " + repo::format_last_update(index.last_update) + " in " + opts.output.string());
    });
}

}  // namespace luet::cli
