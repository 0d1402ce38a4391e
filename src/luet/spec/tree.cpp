#include <yaml-cpp/yaml.h>

#include <algorithm>

#include "luet/core/error.hpp"
#include "luet/core/file.hpp"
#include "luet/spec/spec.hpp"
#include "luet/spec/yaml_util.hpp"

namespace fs = std::filesystem;

namespace luet::spec {
namespace {


BuildSpec parse_build(const YAML::Node& n, const std::string& origin) {
    BuildSpec b;
    b.image = scalar(n, "image", origin);
    b.requires_ = package_refs(n, "requires", origin);
    b.conflicts = package_refs(n, "conflicts", origin);
    b.prelude = strings(n, "prelude", origin);
    b.steps = strings(n, "steps", origin);
    b.env = strings(n, "env", origin);
    b.includes = strings(n, "includes", origin);
    b.excludes = strings(n, "excludes", origin);
    b.package_dir = scalar(n, "package_dir", origin);
    b.unpack = boolean(n, "unpack", origin);
    return b;
}

PackageSpec load_package(const fs::path& dir) {
    PackageSpec s;
    s.dir = dir;
    s.definition_file = dir / "definition.yaml";
    s.build_file = dir / "build.yaml";
    s.definition_yaml = core::read_file(s.definition_file);
    s.build_yaml = core::read_file(s.build_file);
    s.definition = parse_definition(s.definition_yaml, s.definition_file.string());

    const std::string origin = s.build_file.string() + " (" + s.definition.form.str() + ")";
    s.build = parse_build(load_yaml(s.build_yaml, origin), origin);
    if (!s.build.image.empty() && !s.build.requires_.empty())
        throw Error(origin + ": 'image' and 'requires' are both set; a build spec starts "
                    "either from an image or from other packages, not both");
    if (s.build.image.empty() && s.build.requires_.empty())
        throw Error(origin + ": neither 'image' nor 'requires' is set; a build spec must "
                    "say where the build starts from");

    fs::path finalize = dir / "finalize.yaml";
    if (fs::exists(finalize)) {
        s.finalize_yaml = core::read_file(finalize);
        const std::string forigin = finalize.string() + " (" + s.definition.form.str() + ")";
        s.finalize_install = strings(load_yaml(s.finalize_yaml, forigin), "install", forigin);
    }
    return s;
}

}  // namespace

Definition parse_definition(const std::string& yaml_text, const std::string& origin) {
    YAML::Node n = load_yaml(yaml_text, origin);
    Definition d;
    d.form.name = scalar(n, "name", origin);
    d.form.category = scalar(n, "category", origin);
    d.form.version = scalar(n, "version", origin);
    if (d.form.name.empty()) throw Error(origin + ": the package has no 'name'");
    const std::string where = origin + " (" + d.form.str() + ")";
    d.requires_ = package_refs(n, "requires", where);
    d.conflicts = package_refs(n, "conflicts", where);
    d.provides = package_refs(n, "provides", where);
    d.hidden = boolean(n, "hidden", where);
    d.labels = string_map(n, "labels", where);
    d.annotations = string_map(n, "annotations", where);
    d.description = scalar(n, "description", where);
    d.license = scalar(n, "license", where);
    d.uri = strings(n, "uri", where);
    return d;
}

std::string definition_to_yaml(const Definition& d) {
    YAML::Emitter out;
    out << YAML::BeginMap;
    out << YAML::Key << "name" << YAML::Value << d.form.name;
    out << YAML::Key << "category" << YAML::Value << d.form.category;
    out << YAML::Key << "version" << YAML::Value << YAML::DoubleQuoted << d.form.version;
    emit_refs(out, "requires", d.requires_);
    emit_refs(out, "conflicts", d.conflicts);
    emit_refs(out, "provides", d.provides);
    if (d.hidden) out << YAML::Key << "hidden" << YAML::Value << true;
    emit_map(out, "labels", d.labels);
    emit_map(out, "annotations", d.annotations);
    if (!d.description.empty()) out << YAML::Key << "description" << YAML::Value << d.description;
    if (!d.license.empty()) out << YAML::Key << "license" << YAML::Value << d.license;
    if (!d.uri.empty()) {
        out << YAML::Key << "uri" << YAML::Value << YAML::BeginSeq;
        for (const auto& u : d.uri) out << u;
        out << YAML::EndSeq;
    }
    out << YAML::EndMap;
    return std::string(out.c_str()) + "\n";
}

Tree load_tree(const std::vector<fs::path>& roots) {
    Tree tree;
    for (const auto& root : roots) {
        if (!fs::is_directory(root)) throw Error("tree " + root.string() + " is not a folder");
        std::vector<fs::path> dirs;
        for (auto it = fs::recursive_directory_iterator(root, fs::directory_options::follow_directory_symlink);
             it != fs::recursive_directory_iterator(); ++it) {
            if (it->is_directory() && fs::exists(it->path() / "build.yaml") &&
                fs::exists(it->path() / "definition.yaml"))
                dirs.push_back(it->path());
        }
        std::sort(dirs.begin(), dirs.end());
        for (const auto& d : dirs) tree.packages.push_back(load_package(d));
    }
    for (size_t i = 0; i < tree.packages.size(); ++i) {
        for (size_t j = 0; j < i; ++j) {
            if (tree.packages[i].definition.form == tree.packages[j].definition.form)
                throw Error("package " + tree.packages[i].definition.form.str() + " is defined twice: in " +
                            tree.packages[j].definition_file.string() + " and in " +
                            tree.packages[i].definition_file.string());
        }
    }
    return tree;
}

const PackageSpec* Tree::find(const core::PackageForm& form) const {
    for (const auto& p : packages)
        if (p.definition.form == form) return &p;
    return nullptr;
}

const PackageSpec* Tree::best_match(const core::PackageRef& ref) const {
    const PackageSpec* best = nullptr;
    auto consider = [&](const PackageSpec& p) {
        if (!best || core::compare_versions(p.definition.form.version, best->definition.form.version) > 0)
            best = &p;
    };
    for (const auto& p : packages) {
        if (ref.matches(p.definition.form)) {
            consider(p);
            continue;
        }
        for (const auto& prov : p.definition.provides) {
            if (prov.atom() == ref.atom() &&
                (prov.selector.op == core::SelectorOp::Any || ref.selector.matches(prov.selector.version))) {
                consider(p);
                break;
            }
        }
    }
    return best;
}

}  // namespace luet::spec
