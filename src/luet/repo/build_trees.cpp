#include "luet/repo/build_trees.hpp"

#include <algorithm>
#include <fstream>

#include "luet/artifact/tarball.hpp"
#include "luet/core/error.hpp"
#include "luet/repo/repository.hpp"

namespace fs = std::filesystem;

namespace luet::repo {
namespace {

// A metadata file lists every file of its package: larger than repository.yaml, far below this.
constexpr std::uint64_t kMaxMetadataBytes = 64u << 20;

void write_file(const fs::path& file, const std::string& data) {
    fs::create_directories(file.parent_path());
    std::ofstream out(file, std::ios::binary | std::ios::trunc);
    out << data;
    if (!out.flush()) throw Error("cannot write " + file.string());
}

RepositoryBuildTree load_one(const config::Config& cfg, const config::RepositoryConfig& rc, const fs::path& dir,
                             const std::function<void(const std::string&)>& warn) {
    const std::string what = "repository " + rc.name;
    const fs::path local = local_dir(cfg, rc.name);
    // The repository.yaml just downloaded names the compilertree (the local copy is kept when
    // the tree and meta documents did not change).
    const RepositoryIndex index = sync(rc, local, false).index;
    const LoadedRepository repo = load_local(rc, local, false);
    const auto cf = index.repo_files.find("compilertree");
    if (cf == index.repo_files.end())
        throw Error(what + ": repository.yaml names no compilertree (the repository was created without "
                           "--with-compilertree): it gives no build specs");
    const RepoFile& f = cf->second;
    const fs::path out = dir / rc.name;
    fs::remove_all(out);
    fs::create_directories(out / "tree");
    const fs::path doc = out / f.filename;
    repo.transport->download(f.filename, doc, {}, kMaxDocumentBytes);
    const std::string actual = artifact::sha256_file(doc);
    if (actual != f.sha256)
        throw Error(what + ": checksum mismatch for " + f.filename + " (sha256 " + actual +
                    ", repository.yaml says " + f.sha256 + ")");
    // Regular files only (what a tree holds), executable bits kept: a build context's scripts run.
    std::map<std::string, unsigned> modes;
    for (const auto& [name, data] : artifact::read_memory_tar(doc, kMaxUnpackedFileBytes, kMaxUnpackedBytes, &modes)) {
        const fs::path rel = fs::path(name).lexically_normal();
        if (rel.is_absolute() || rel.empty() || *rel.begin() == "..")
            throw Error(what + ": " + f.filename + " entry '" + name + "' would leave the tree folder");
        write_file(out / "tree" / rel, data);
        fs::permissions(out / "tree" / rel, static_cast<fs::perms>((modes[name] & 0111u) ? 0755 : 0644));
    }
    fs::remove(doc);

    RepositoryBuildTree bt;
    bt.repository = rc.name;
    bt.priority = rc.priority;
    for (const auto& e : fs::directory_iterator(out / "tree"))
        if (e.is_directory()) bt.roots.push_back(e.path());
    std::sort(bt.roots.begin(), bt.roots.end());
    for (const auto& pkg : repo.packages) {
        const std::string file = pkg.meta.metadata_file_name();
        try {
            repo.transport->download(file, out / file, {}, kMaxMetadataBytes);
            const artifact::Metadata m = artifact::read_metadata(out / file);
            if (!m.compilespec.push_image_repository.empty())
                bt.image_repositories[m.runtime.form.str()] = m.compilespec.push_image_repository;
        } catch (const Error& e) {
            if (warn) warn(what + ": " + file + ": " + e.what());
        }
    }
    return bt;
}

}  // namespace

std::vector<RepositoryBuildTree> load_build_trees(const config::Config& cfg, const fs::path& dir,
                                                  const std::function<void(const std::string&)>& warn) {
    std::vector<const config::RepositoryConfig*> enabled;
    for (const auto& rc : cfg.repositories)
        if (rc.enable) enabled.push_back(&rc);
    std::stable_sort(enabled.begin(), enabled.end(),
                     [](const auto* a, const auto* b) { return a->priority < b->priority; });
    std::vector<RepositoryBuildTree> out;
    for (const auto* rc : enabled) {
        try {
            out.push_back(load_one(cfg, *rc, dir, warn));
        } catch (const Error& e) {
            if (warn) warn(std::string("errors while loading trees from repositories: ") + e.what());
        } catch (const fs::filesystem_error& e) {
            if (warn) warn(std::string("errors while loading trees from repositories: repository ") + rc->name + ": " +
                           e.what());
        }
    }
    return out;
}

}  // namespace luet::repo
