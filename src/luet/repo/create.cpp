#include <yaml-cpp/yaml.h>

#include <ctime>

#include "luet/artifact/tarball.hpp"
#include "luet/core/error.hpp"
#include "luet/core/file.hpp"
#include "luet/repo/repository.hpp"

namespace fs = std::filesystem;

namespace luet::repo {
namespace {

RepoFile write_document(const fs::path& dir, const std::string& stem, artifact::Compression c,
                        const std::map<std::string, std::string>& files) {
    RepoFile f{stem + artifact::tar_suffix(c), c, ""};
    artifact::write_memory_tar(dir / f.filename, c, files);
    f.sha256 = artifact::sha256_file(dir / f.filename);
    return f;
}

void copy_into(const fs::path& src, const fs::path& dest_dir) {
    const fs::path dest = dest_dir / src.filename();
    if (fs::exists(dest) && fs::equivalent(src, dest)) return;
    const fs::path tmp = dest.string() + ".part";
    fs::copy_file(src, tmp, fs::copy_options::overwrite_existing);
    fs::rename(tmp, dest);
}

}  // namespace

RepositoryIndex create_repository(const spec::Tree& tree, const CreateOptions& opts) {
    if (!fs::is_directory(opts.packages)) throw Error("packages folder " + opts.packages.string() + " does not exist");
    fs::create_directories(opts.output);

    std::vector<fs::path> metadata_files;
    for (const auto& e : fs::directory_iterator(opts.packages))
        if (e.path().string().ends_with(".metadata.yaml")) metadata_files.push_back(e.path());
    std::sort(metadata_files.begin(), metadata_files.end());

    std::map<std::string, std::string> tree_files, compiler_files;
    YAML::Node artifacts(YAML::NodeType::Sequence);
    for (const auto& file : metadata_files) {
        artifact::Metadata meta = artifact::read_metadata(file);
        const fs::path package_file = opts.packages / meta.path;
        if (!fs::exists(package_file))
            throw Error(file.string() + ": the artifact " + package_file.string() + " is missing");
        const std::string actual = artifact::sha256_file(package_file);
        if (actual != meta.sha256)
            throw Error(package_file.string() + " (" + meta.runtime.form.str() + "): sha256 " + actual +
                        " does not match " + meta.sha256 + " in " + file.string());

        const auto& form = meta.runtime.form;
        const std::string dir = form.category + "/" + form.name + "/" + form.version + "/";
        const spec::PackageSpec* spec = tree.find(form);
        const std::string definition = spec ? spec->definition_yaml : spec::definition_to_yaml(meta.runtime);
        tree_files[dir + "definition.yaml"] = compiler_files[dir + "definition.yaml"] = definition;
        if (spec && !spec->finalize_yaml.empty())
            tree_files[dir + "finalize.yaml"] = compiler_files[dir + "finalize.yaml"] = spec->finalize_yaml;
        compiler_files[dir + "build.yaml"] = spec ? spec->build_yaml : meta.build_yaml;
        artifacts.push_back(YAML::Load(artifact::metadata_to_yaml(meta)));

        copy_into(package_file, opts.output);
        copy_into(file, opts.output);
    }

    RepositoryIndex index;
    const fs::path index_file = opts.output / "repository.yaml";
    if (fs::exists(index_file)) {
        index.revision = index_from_yaml(core::read_file(index_file), index_file.string()).revision;
    }
    index.revision += 1;
    index.name = opts.name;
    index.description = opts.description;
    index.type = opts.type;
    index.urls = opts.urls;
    index.priority = opts.priority;
    index.last_update = std::to_string(time(nullptr));

    YAML::Node meta_doc;
    meta_doc["artifacts"] = artifacts;
    YAML::Emitter meta_out;
    meta_out << meta_doc;
    index.repo_files["tree"] = write_document(opts.output, "tree", opts.tree_compression, tree_files);
    index.repo_files["compilertree"] =
        write_document(opts.output, "compilertree", opts.tree_compression, compiler_files);
    index.repo_files["meta"] = write_document(opts.output, "repository.meta.yaml", opts.meta_compression,
                                              {{"repository.meta.yaml", std::string(meta_out.c_str()) + "\n"}});

    core::write_file_atomic(index_file, index_to_yaml(index));
    return index;
}

}  // namespace luet::repo
