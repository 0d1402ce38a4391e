#include <yaml-cpp/yaml.h>

#include <fstream>

#include "luet/artifact/tarball.hpp"
#include "luet/core/error.hpp"
#include "luet/core/file.hpp"
#include "luet/repo/repository.hpp"
#include "luet/spec/yaml_util.hpp"

namespace fs = std::filesystem;

namespace luet::repo {
namespace {


// Copies src to dest through a temporary file, checking the sha256 before the rename.
void copy_verified(const fs::path& src, const fs::path& dest, const std::string& sha256, const std::string& what) {
    if (!fs::exists(src)) throw Error(what + ": " + src.string() + " does not exist");
    const fs::path tmp = dest.string() + ".part";
    fs::copy_file(src, tmp, fs::copy_options::overwrite_existing);
    const std::string actual = artifact::sha256_file(tmp);
    if (actual != sha256) {
        fs::remove(tmp);
        throw Error(what + ": checksum mismatch for " + src.string() + " (sha256 " + actual + ", expected " +
                    sha256 + ")");
    }
    fs::rename(tmp, dest);
}

}  // namespace

LoadedRepository sync_disk(const std::string& name, const fs::path& url, const fs::path& cache_dir) {
    const std::string what = "repository " + name;
    const fs::path remote_index = url / "repository.yaml";
    if (!fs::exists(remote_index)) throw Error(what + ": " + remote_index.string() + " does not exist");
    const std::string index_text = core::read_file(remote_index);
    LoadedRepository repo;
    repo.name = name;
    repo.base = url;
    repo.index = index_from_yaml(index_text, remote_index.string());
    for (const char* key : {"tree", "meta"})
        if (!repo.index.repo_files.count(key))
            throw Error(what + ": " + remote_index.string() + " has no repo_files." + key);

    fs::create_directories(cache_dir);
    for (const char* key : {"tree", "meta"}) {
        const RepoFile& f = repo.index.repo_files.at(key);
        const fs::path cached = cache_dir / f.filename;
        if (fs::exists(cached) && artifact::sha256_file(cached) == f.sha256) continue;
        copy_verified(url / f.filename, cached, f.sha256, what);
    }
    {
        std::ofstream out(cache_dir / "repository.yaml", std::ios::trunc);
        out << index_text;
    }

    const auto tree = artifact::read_memory_tar(cache_dir / repo.index.repo_files.at("tree").filename);
    const auto meta = artifact::read_memory_tar(cache_dir / repo.index.repo_files.at("meta").filename);
    auto doc = meta.find("repository.meta.yaml");
    if (doc == meta.end()) throw Error(what + ": the meta document has no repository.meta.yaml");
    const std::string origin = what + " repository.meta.yaml";
    YAML::Node root = spec::load_yaml(doc->second, origin);
    for (const auto& item : root["artifacts"]) {
        YAML::Emitter e;
        e << item;
        RepoPackage pkg;
        pkg.meta = artifact::metadata_from_yaml(e.c_str(), origin);
        const auto& f = pkg.meta.runtime.form;
        const std::string dir = f.category + "/" + f.name + "/" + f.version + "/";
        auto fin = tree.find(dir + "finalize.yaml");
        if (fin != tree.end()) {
            // Finalizers are templates rendered with the package definition, as upstream clients do.
            auto def = tree.find(dir + "definition.yaml");
            const std::string definition = def != tree.end() ? def->second : spec::definition_to_yaml(pkg.meta.runtime);
            pkg.finalize_install = spec::render_finalize(fin->second, definition, what + " " + fin->first);
        }
        repo.packages.push_back(std::move(pkg));
    }
    return repo;
}

std::vector<LoadedRepository> load_enabled(const config::Config& cfg,
                                           const std::function<void(const std::string&)>& progress) {
    std::vector<LoadedRepository> repos;
    for (const auto& rc : cfg.repositories) {
        if (!rc.enable) continue;
        if (rc.type != "disk")
            throw Error("repository " + rc.name + " (" + rc.origin + "): type " + rc.type + " is not supported yet");
        if (rc.urls.empty()) throw Error("repository " + rc.name + " (" + rc.origin + ") has no urls");
        repos.push_back(sync_disk(rc.name, rc.urls.front(), cfg.system_dir() / "repos" / rc.name));
        if (progress)
            progress("🏠 Repository " + rc.name + " revision " + std::to_string(repos.back().index.revision) + " (" +
                     std::to_string(repos.back().packages.size()) + " packages)");
    }
    return repos;
}

void fetch_artifact(const LoadedRepository& repo, const RepoPackage& pkg, const fs::path& dest) {
    copy_verified(repo.base / pkg.meta.path, dest, pkg.meta.sha256,
                  "repository " + repo.name + ", package " + pkg.meta.runtime.form.str());
}

}  // namespace luet::repo
