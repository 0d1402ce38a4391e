// create-repo (mudler/luet cmd/create-repo.go + pkg/installer/repository_local.go,
// geaaru/luet luet-build/cmd/create-repo.go + luet-build/pkg/v2/repository/factory.go).
//
// Where the two upstreams differ, what we do:
//  - documents: geaaru 0.40 writes only treev2 (+ compilertree on request), mudler tree +
//    meta + compilertree. We write the tree document once and name it both `treev2` and
//    `tree`, and the meta document as `meta`, so that both clients (and geaaru < 0.40) read
//    the repository; the compilertree only with --with-compilertree (geaaru), always zstd.
//  - compilertree content: each tree folder under its own name (mudler's CopyDir; geaaru
//    archives the tree's parent folder with whatever else it holds), without .git and build.
//  - packages that left the tree: both drop them (geaaru's note is used); mudler's
//    --from-metadata keeps them with their metadata's runtime.
//  - a metadata file without its artifact: an error naming it (the repository would be
//    broken); with --check-package-tarball it is left out with geaaru's note instead.
//  - the previous revision is read from the output folder (mudler; geaaru reads --packages).
//  - snapshots (mudler writes ID-repository.yaml and ID-<document> copies on every run, ID a
//    timestamp): only when --snapshot-id is given.
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <ctime>

#include "luet/artifact/tarball.hpp"
#include "luet/core/error.hpp"
#include "luet/core/file.hpp"
#include "luet/plugin/bus.hpp"
#include "luet/repo/documents.hpp"
#include "luet/repo/repository.hpp"
#include "luet/repo/signature.hpp"

namespace fs = std::filesystem;

namespace luet::repo {
namespace {

RepoFile write_document(const fs::path& dir, RepoFile f, const std::map<std::string, std::string>& files) {
    artifact::write_memory_tar(dir / f.filename, f.compression, files);
    f.sha256 = artifact::sha256_file(dir / f.filename);
    return f;
}

void copy_into(const fs::path& src, const fs::path& dest) {
    if (fs::exists(dest) && fs::equivalent(src, dest)) return;
    const fs::path tmp = dest.string() + ".part";
    fs::copy_file(src, tmp, fs::copy_options::overwrite_existing);
    fs::rename(tmp, dest);
}

// compilertree.tar.zst: every tree folder as it is, under its own name.
RepoFile write_compilertree(const fs::path& dir, const std::vector<fs::path>& roots) {
    std::vector<artifact::PackEntry> entries;
    for (const auto& root : roots) {
        const fs::path abs = fs::absolute(root).lexically_normal();
        const std::string top = (abs.has_filename() ? abs : abs.parent_path()).filename().string();
        entries.push_back({abs, top});
        std::vector<artifact::PackEntry> below;
        for (auto it = fs::recursive_directory_iterator(abs); it != fs::recursive_directory_iterator(); ++it) {
            const std::string rel = it->path().lexically_relative(abs).string();
            if (it.depth() == 0 && (rel.starts_with(".git") || rel == "build")) {
                std::error_code ec;
                if (it->is_directory(ec)) it.disable_recursion_pending();
                continue;
            }
            below.push_back({it->path(), top + "/" + rel});
        }
        std::sort(below.begin(), below.end(), [](const auto& a, const auto& b) { return a.name < b.name; });
        entries.insert(entries.end(), below.begin(), below.end());
    }
    RepoFile f{"compilertree.tar.zst", artifact::Compression::Zstd, ""};
    artifact::pack(entries, dir / f.filename, f.compression);
    f.sha256 = artifact::sha256_file(dir / f.filename);
    return f;
}

// The tree's package of `form`: a package folder, or a subpackage cut from one's build.
bool from_tree(const spec::Tree& tree, const core::PackageForm& form, TreePackage& p) {
    if (const spec::PackageSpec* spec = tree.find(form)) {
        p.meta.runtime = spec->definition;
        p.definition_yaml = spec->definition_yaml;
        p.finalize_yaml = spec->finalize_yaml;
        return true;
    }
    for (const auto& spec : tree.packages)
        for (const auto& sub : spec.build.subpackages)
            if (sub.definition.form == form) {
                p.meta.runtime = sub.definition;
                p.definition_yaml = spec::definition_to_yaml(sub.definition);
                return true;
            }
    return false;
}

}  // namespace

RepositoryIndex create_repository(const spec::Tree& tree, const CreateOptions& opts) {
    if (!fs::is_directory(opts.packages)) throw Error("packages folder " + opts.packages.string() + " does not exist");
    for (const auto& key : opts.sign_keys) public_key_of(key);  // an unusable key fails before anything is written
    fs::create_directories(opts.output);
    auto note = [&](const std::string& line) {
        if (opts.note) opts.note(line);
    };

    std::vector<fs::path> metadata_files;
    for (const auto& e : fs::directory_iterator(opts.packages))
        if (e.is_regular_file() && e.path().filename().string().ends_with(".metadata.yaml"))
            metadata_files.push_back(e.path());
    std::sort(metadata_files.begin(), metadata_files.end());

    std::vector<TreePackage> packages;
    std::vector<artifact::Metadata> index;
    for (const auto& file : metadata_files) {
        TreePackage p;
        p.meta = artifact::read_metadata(file);
        const auto& form = p.meta.runtime.form;
        const fs::path package_file = opts.packages / p.meta.path;
        if (!fs::exists(package_file)) {
            if (!opts.check_package_tarball)
                throw Error(file.string() + ": the artifact " + package_file.string() + " is missing");
            note("[" + form.str() + "] Found metadata file " + file.filename().string() +
                 " without runtime pkg tarball. Ignoring it.");
            continue;
        }
        const std::string actual = artifact::sha256_file(package_file);
        if (actual != p.meta.sha256)
            throw Error(package_file.string() + " (" + form.str() + "): sha256 " + actual + " does not match " +
                        p.meta.sha256 + " in " + file.string());

        // The tree's definition is the package as of this revision: requires, provides,
        // labels may change without a rebuild (geaaru's MergeDefinition).
        if (!from_tree(tree, form, p)) {
            if (!opts.from_metadata) {
                note("[" + form.str() + "] No more in the tree. Ignoring the package.");
                continue;
            }
            p.definition_yaml = spec::definition_to_yaml(p.meta.runtime);
        }
        copy_into(package_file, opts.output / package_file.filename());
        copy_into(file, opts.output / file.filename());
        index.push_back(p.meta);
        packages.push_back(std::move(p));
    }

    RepositoryIndex r;
    const fs::path index_file = opts.output / "repository.yaml";
    if (fs::exists(index_file) && !opts.reset_revision)
        r.revision = index_from_yaml(core::read_file(index_file), index_file.string()).revision;
    r.revision += 1;
    r.name = opts.name;
    r.description = opts.description;
    r.type = opts.type;
    r.urls = opts.urls;
    r.priority = opts.priority;
    r.last_update = std::to_string(time(nullptr));
    // mudler/luet's repository events: {Repo, Path}.
    auto event = [&] {
        return nlohmann::json{{"Repo", {{"name", r.name}, {"description", r.description}, {"type", r.type},
                                        {"urls", r.urls}, {"priority", r.priority}, {"revision", r.revision},
                                        {"last_update", r.last_update}}},
                              {"Path", opts.output.string()}};
    };
    plugin::publish(plugin::kRepositoryPreBuild, event);

    const RepoFile tree_doc = write_document(opts.output, opts.tree_file, tree_files(packages));
    r.repo_files["treev2"] = tree_doc;
    r.repo_files["tree"] = tree_doc;
    r.repo_files["meta"] = write_document(opts.output, opts.meta_file, {{"repository.meta.yaml", meta_yaml(index)}});
    if (opts.with_compilertree) r.repo_files["compilertree"] = write_compilertree(opts.output, opts.tree_roots);

    if (opts.expires_in > 0) r.expires = std::to_string(static_cast<long long>(time(nullptr)) + opts.expires_in);

    // An index and its detached signature (signature.hpp): the signature is written first, so
    // that the index never stands beside no signature; without keys a stale one is removed.
    auto write_index = [&](const fs::path& file, const std::string& text) {
        const fs::path sig_file = file.parent_path() / signature_file_name(file.filename().string());
        if (opts.sign_keys.empty()) {
            std::error_code ec;
            fs::remove(sig_file, ec);
        } else {
            std::string lines;
            for (const auto& key : opts.sign_keys) lines += sign(text, key) + "\n";
            core::write_file_atomic(sig_file, lines);
        }
        core::write_file_atomic(file, text);
    };
    if (!opts.snapshot_id.empty()) {
        RepositoryIndex snapshot = r;
        for (auto& [key, f] : snapshot.repo_files) {
            const std::string name = opts.snapshot_id + "-" + r.repo_files.at(key).filename;
            copy_into(opts.output / r.repo_files.at(key).filename, opts.output / name);
            f.filename = name;
        }
        write_index(opts.output / (opts.snapshot_id + "-repository.yaml"), index_to_yaml(snapshot));
    }
    write_index(index_file, index_to_yaml(r));
    plugin::publish(plugin::kRepositoryPostBuild, event);
    return r;
}

}  // namespace luet::repo
