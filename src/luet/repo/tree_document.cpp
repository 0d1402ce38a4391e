// The tree document: treev2, and the legacy tree (see documents.hpp).
#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <set>

#include "luet/artifact/tarball.hpp"
#include "luet/core/error.hpp"
#include "luet/repo/local_index.hpp"
#include "luet/repo/documents.hpp"
#include "luet/spec/yaml_util.hpp"
#include "luet/template/template.hpp"

namespace fs = std::filesystem;

namespace luet::repo {
namespace {

// The folder CAT/NAME/VERSION of a file name in the document, or "" for other names
// (provides.yaml, files deeper or shallower than a package folder).
std::string folder_of(const std::string& name) {
    const fs::path p = fs::path(name).lexically_normal();
    if (p.is_absolute() || p.empty() || *p.begin() == "..")
        throw Error("entry '" + name + "' would leave the repository folder");
    size_t depth = 0;
    for (auto it = p.begin(); it != p.end(); ++it) ++depth;
    return depth == 4 ? p.parent_path().string() : "";
}

const std::string* find(const std::map<std::string, std::string>& files, const std::string& name) {
    auto it = files.find(name);
    return it == files.end() ? nullptr : &it->second;
}

}  // namespace

std::string package_dir(const core::PackageForm& f) { return f.category + "/" + f.name + "/" + f.version; }

std::map<std::string, std::string> tree_files(const std::vector<TreePackage>& packages) {
    std::map<std::string, std::string> files;
    nlohmann::json provides = nlohmann::json::object();
    for (const auto& p : packages) {
        const std::string dir = package_dir(p.meta.runtime.form) + "/";
        files[dir + "definition.yaml"] = p.definition_yaml;
        if (!p.finalize_yaml.empty()) files[dir + "finalize.yaml"] = p.finalize_yaml;
        files[dir + "metadata.json"] = artifact::metadata_to_json(p.meta);
        for (const auto& prov : p.meta.runtime.provides)
            provides[prov.category + "/" + prov.name].push_back(artifact::runtime_json(p.meta.runtime));
    }
    files["provides.yaml"] = tmpl::json_to_yaml(nlohmann::json{{"provides", std::move(provides)}});
    return files;
}

std::vector<TreePackage> read_tree(const std::map<std::string, std::string>& files,
                                   const std::vector<artifact::Metadata>* meta, const std::string& origin) {
    std::set<std::string> folders;
    for (const auto& [name, content] : files) {
        std::string folder;
        try {
            folder = folder_of(name);
        } catch (const Error& e) {
            throw Error(origin + ": " + e.what());
        }
        if (!folder.empty() && fs::path(name).filename() == "definition.yaml") folders.insert(folder);
    }
    auto package = [&](const std::string& folder, artifact::Metadata m) {
        TreePackage p;
        p.meta = std::move(m);
        p.definition_yaml = *find(files, folder + "/definition.yaml");
        if (const auto* f = find(files, folder + "/finalize.yaml")) p.finalize_yaml = *f;
        return p;
    };

    std::vector<TreePackage> out;
    if (meta) {
        for (const auto& m : *meta) {
            const std::string folder = package_dir(m.runtime.form);
            if (!folders.count(folder)) continue;  // not in the tree: geaaru and mudler ignore it
            TreePackage p = package(folder, m);
            const std::string where = origin + " " + folder + "/definition.yaml";
            spec::Definition def = spec::parse_definition(p.definition_yaml, where);
            if (def.form != m.runtime.form)
                throw Error(where + ": defines " + def.form.str() + ", not " + m.runtime.form.str());
            p.meta.runtime = std::move(def);
            out.push_back(std::move(p));
        }
        return out;
    }
    for (const auto& folder : folders) {
        const std::string* json = find(files, folder + "/metadata.json");
        const std::string* yaml = json ? json : find(files, folder + "/metadata.yaml");
        const std::string where = origin + " " + folder + (json ? "/metadata.json" : "/metadata.yaml");
        if (!yaml) throw Error(origin + " " + folder + ": no metadata.json or metadata.yaml beside definition.yaml");
        artifact::Metadata m = artifact::metadata_from_yaml(*yaml, where);
        if (package_dir(m.runtime.form) != folder)
            throw Error(where + ": describes " + m.runtime.form.str() + ", not the package of its folder");
        out.push_back(package(folder, std::move(m)));
    }
    return out;
}

void stream_tree(const fs::path& file, std::uint64_t max_file_bytes, std::uint64_t max_total_bytes,
                 const std::string& origin, TreeIndexWriter& writer) {
    artifact::for_each_tar_file(file, max_file_bytes, max_total_bytes, [&](const std::string& name, std::string&& content) {
        std::string folder;
        try {
            folder = folder_of(name);
        } catch (const Error& e) {
            throw Error(origin + ": " + e.what());
        }
        if (folder.empty()) return;
        const std::string base = fs::path(name).filename().string();
        if (base == "definition.yaml") writer.definition(folder, content);
        else if (base == "finalize.yaml") writer.finalize(folder, content);
        else if (base == "metadata.json")
            writer.metadata(folder, artifact::metadata_from_yaml(content, origin + " " + folder + "/metadata.json"));
        else if (base == "metadata.yaml") writer.metadata_yaml(folder, content);
    });
}

}  // namespace luet::repo
