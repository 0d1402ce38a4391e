#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <exception>
#include <thread>
#include <map>
#include <set>
#include <utility>

#include "luet/core/error.hpp"
#include "luet/core/file.hpp"
#include "luet/core/parallel.hpp"
#include "luet/core/text.hpp"
#include "luet/spec/spec.hpp"
#include "luet/spec/tree_index.hpp"
#include "luet/spec/yaml_util.hpp"
#include "luet/template/template.hpp"

namespace fs = std::filesystem;

namespace luet::spec {
namespace {



BuildSpec parse_build(const YAML::Node& n, const std::string& origin, const Definition& parent) {
    BuildSpec b;
    b.image = scalar(n, "image", origin);
    b.requires_ = package_refs(n, "requires", origin);
    b.requires_final_images = boolean(n, "requires_final_images", origin);
    if (auto join = package_refs(n, "join", origin); !join.empty()) {
        if (!b.requires_.empty())
            throw Error(origin + ": 'join' and 'requires' are both set; 'join' is the deprecated form of "
                        "'requires' with 'requires_final_images: true'");
        b.requires_ = std::move(join);
        b.requires_final_images = true;
        b.from_join = true;
    }
    if (YAML::Node copy = n["copy"]; copy && !copy.IsNull()) {
        if (!copy.IsSequence()) throw Error(origin + ": 'copy' must be a list");
        for (const auto& item : copy) {
            CopyField c;
            if (item["package"]) {
                YAML::Node wrapped;
                wrapped["package"].push_back(item["package"]);
                c.package = package_refs(wrapped, "package", origin + ": copy").front();
            }
            c.image = scalar(item, "image", origin);
            c.source = scalar(item, "source", origin);
            c.destination = scalar(item, "destination", origin);
            if (c.package.has_value() == !c.image.empty())
                throw Error(origin + ": each 'copy' entry needs exactly one of 'package' or 'image'");
            if (c.source.empty() || c.destination.empty())
                throw Error(origin + ": each 'copy' entry needs 'source' and 'destination'");
            b.copy.push_back(std::move(c));
        }
    }
    if (YAML::Node subs = n["subpackages"]; subs && !subs.IsNull()) {
        if (!subs.IsSequence()) throw Error(origin + ": 'subpackages' must be a list");
        for (const auto& item : subs) {
            YAML::Node def = YAML::Clone(item);
            if (!def["category"]) def["category"] = parent.form.category;
            if (!def["version"]) def["version"] = parent.form.version;
            SubPackage sp;
            sp.definition = definition_from_node(def, origin + ": subpackages");
            sp.includes = strings(item, "includes", origin);
            sp.excludes = strings(item, "excludes", origin);
            b.subpackages.push_back(std::move(sp));
        }
    }
    b.conflicts = package_refs(n, "conflicts", origin);
    b.prelude = strings(n, "prelude", origin);
    b.steps = strings(n, "steps", origin);
    b.env = strings(n, "env", origin);
    for (const auto& e : b.env) {
        const std::string name = e.substr(0, e.find('='));
        const bool ok = e.find('=') != std::string::npos && !name.empty() && !std::isdigit(static_cast<unsigned char>(name[0])) &&
                        std::all_of(name.begin(), name.end(), [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; });
        if (!ok) throw Error(origin + ": 'env' entry '" + e + "' is not NAME=value with NAME a variable name");
    }
    b.retrieve = strings(n, "retrieve", origin);
    b.includes = strings(n, "includes", origin);
    b.excludes = strings(n, "excludes", origin);
    b.package_dir = scalar(n, "package_dir", origin);
    b.unpack = boolean(n, "unpack", origin);
    return b;
}

// What every spec of one load shares, read only while folders load (several at once): the
// --values overrides and the templates/ sources.
struct RenderContext {
    nlohmann::json overrides = nlohmann::json::object();
    std::vector<std::pair<std::string, std::string>> shared;
};
// Build specs that set both 'image' and 'requires': the first few are named one by one,
// the rest counted (a distribution tree has thousands; a listing is not a build log).
constexpr std::size_t kNamedImageAndRequires = 5;

// What loading one folder gives: its packages, the 'image and requires' warnings of its build
// specs (said in folder order once all are loaded), or the error that stopped it.
struct FolderLoad {
    std::vector<PackageSpec> specs;
    std::vector<std::string> image_and_requires;
    std::exception_ptr error;
};

// One package of a folder: its definition (from definition.yaml or one collection.yaml
// entry) and build.yaml rendered with that definition as .Values (upstream semantics:
// every definition field, known or not, is a value; --values files override them).
PackageSpec load_package(const fs::path& dir, const std::string& definition_text, const fs::path& definition_file,
                         const std::string& build_text, const RenderContext& ctx, FolderLoad& out) {
    PackageSpec s;
    s.dir = dir;
    s.definition_file = definition_file;
    s.build_file = dir / "build.yaml";
    s.definition_yaml = definition_text;
    s.definition = parse_definition(s.definition_yaml, s.definition_file.string());

    const std::string origin = s.build_file.string() + " (" + s.definition.form.str() + ")";
    nlohmann::json values = tmpl::yaml_to_json(definition_text, definition_file.string());
    if (!values.is_object()) values = nlohmann::json::object();
    tmpl::merge_values(values, ctx.overrides);
    const nlohmann::json data = {{"Values", values}};
    try {
        s.build_yaml = tmpl::render(s.build_file.string(), build_text, data, ctx.shared);
    } catch (const Error& e) {
        throw Error(std::string(e.what()) + " (rendering the build spec of " + s.definition.form.str() + ")");
    }
    s.build = parse_build(load_yaml(s.build_yaml, origin), origin, s.definition);
    if (!s.build.image.empty() && !s.build.requires_.empty()) {
        std::string reqs;
        for (const auto& r : s.build.requires_) reqs += (reqs.empty() ? "" : ", ") + r.str();
        out.image_and_requires.push_back(origin + ": 'image' and 'requires' are both set; building from image '" +
                                         s.build.image + "' (as upstream does), the build requires (" + reqs +
                                         ") are not used");
        s.build.requires_.clear();
        s.build.requires_final_images = false;
        s.build.from_join = false;
    }
    // A spec with steps but neither 'image' nor 'requires' loads (upstream lists it); building
    // it is refused (build::plan).

    fs::path finalize = dir / "finalize.yaml";
    if (fs::exists(finalize)) {
        // Kept as written (clients render it at install time); parsed rendered here.
        s.finalize_yaml = core::read_file(finalize);
        s.finalize_install = render_finalize(s.finalize_yaml, s.definition_yaml,
                                             finalize.string() + " (" + s.definition.form.str() + ")");
    }
    return s;
}

// Every package of one folder: one for definition.yaml, one per collection.yaml entry.
void load_folder(const fs::path& dir, const RenderContext& ctx, FolderLoad& out) {
    const std::string build_text = core::read_file(dir / "build.yaml");
    if (fs::exists(dir / "definition.yaml")) {
        out.specs.push_back(
            load_package(dir, core::read_file(dir / "definition.yaml"), dir / "definition.yaml", build_text, ctx, out));
        return;
    }
    const fs::path collection = dir / "collection.yaml";
    const nlohmann::json doc = tmpl::yaml_to_json(core::read_file(collection), collection.string());
    if (!doc.is_object() || !doc.contains("packages") || !doc["packages"].is_array() || doc["packages"].empty())
        throw Error(collection.string() + ": a collection needs a non-empty 'packages' list");
    for (const auto& entry : doc["packages"]) {
        if (!entry.is_object()) throw Error(collection.string() + ": each 'packages' entry must be a map");
        out.specs.push_back(load_package(dir, tmpl::json_to_yaml(entry), collection, build_text, ctx, out));
    }
}

// Loads every folder of `dirs`, several at once (rendering and parsing are most of a tree's
// load: 3 000 templated definitions take about 0.5 s on one core), each into its own slot.
// After an error, folders after the failing one are not started: the error reported is the
// one of the first failing folder in `dirs` order, as a one-by-one load would give.
std::vector<FolderLoad> load_folders(const std::vector<fs::path>& dirs, const RenderContext& ctx) {
    std::vector<FolderLoad> loads(dirs.size());
    // Small trees load on this thread alone.
    const size_t threads = dirs.size() < 64 ? 1 : std::min<size_t>(8, std::max(1u, std::thread::hardware_concurrency()));
    core::for_each_index(dirs.size(), threads, [&](size_t i) {
        try {
            load_folder(dirs[i], ctx, loads[i]);
            return true;
        } catch (...) {
            loads[i].error = std::current_exception();
            return false;
        }
    });
    return loads;
}

}  // namespace

Definition parse_definition(const std::string& yaml_text, const std::string& origin) {
    return definition_from_node(load_yaml(yaml_text, origin), origin);
}

Definition definition_from_node(const YAML::Node& n, const std::string& origin) {
    Definition d;
    d.form.name = scalar(n, "name", origin);
    d.form.category = scalar(n, "category", origin);
    d.form.version = scalar(n, "version", origin);
    if (d.form.name.empty()) throw Error(origin + ": the package has no 'name'");
    // Names are printed and joined into paths: a newline or escape sequence in one would forge
    // output lines or terminal commands.
    for (const auto& [key, value] : {std::pair{"name", &d.form.name}, {"category", &d.form.category}, {"version", &d.form.version}})
        if (core::has_control(*value))
            throw Error(origin + ": package '" + key + "' " + core::quoted(*value) + " contains control characters");
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
    out << YAML::Key << "name" << YAML::Value;
    emit_text(out, d.form.name);
    out << YAML::Key << "category" << YAML::Value;
    emit_text(out, d.form.category);
    out << YAML::Key << "version" << YAML::Value << YAML::DoubleQuoted << d.form.version;
    emit_refs(out, "requires", d.requires_);
    emit_refs(out, "conflicts", d.conflicts);
    emit_refs(out, "provides", d.provides);
    if (d.hidden) out << YAML::Key << "hidden" << YAML::Value << true;
    emit_map(out, "labels", d.labels);
    emit_map(out, "annotations", d.annotations);
    if (!d.description.empty()) {
        out << YAML::Key << "description" << YAML::Value;
        emit_text(out, d.description);
    }
    if (!d.license.empty()) {
        out << YAML::Key << "license" << YAML::Value;
        emit_text(out, d.license);
    }
    if (!d.uri.empty()) {
        out << YAML::Key << "uri" << YAML::Value << YAML::BeginSeq;
        for (const auto& u : d.uri) emit_text(out, u);
        out << YAML::EndSeq;
    }
    out << YAML::EndMap;
    return std::string(out.c_str()) + "\n";
}

std::vector<std::string> render_finalize(const std::string& finalize_text, const std::string& definition_text,
                                         const std::string& origin) {
    nlohmann::json values = tmpl::yaml_to_json(definition_text, origin);
    if (!values.is_object()) values = nlohmann::json::object();
    const std::string rendered = tmpl::render(origin, finalize_text, {{"Values", values}});
    return strings(load_yaml(rendered, origin), "install", origin);
}

Tree load_tree(const std::vector<fs::path>& roots, const LoadOptions& opts) {
    RenderContext ctx;
    const auto& warning = opts.warning;
    std::size_t image_and_requires = 0;
    for (const auto& f : opts.values_files)
        tmpl::merge_values(ctx.overrides, tmpl::yaml_to_json(core::read_file(f), f.string()));
    std::vector<fs::path> template_folders;
    for (const auto& root : roots) template_folders.push_back(root / "templates");
    template_folders.insert(template_folders.end(), opts.template_dirs.begin(), opts.template_dirs.end());
    std::vector<fs::path> seen;
    for (const auto& folder : template_folders) {
        // Shared templates: every file of ROOT/templates, for every spec of every tree.
        if (!fs::is_directory(folder)) continue;
        const fs::path canonical = fs::canonical(folder);
        if (std::find(seen.begin(), seen.end(), canonical) != seen.end()) continue;  // read once
        seen.push_back(canonical);
        std::vector<fs::path> files;
        for (const auto& e : fs::recursive_directory_iterator(folder))
            if (e.is_regular_file()) files.push_back(e.path());
        std::sort(files.begin(), files.end());
        for (const auto& f : files) ctx.shared.emplace_back(f.string(), core::read_file(f));
    }

    Tree tree;
    for (const auto& root : roots) {
        if (!fs::is_directory(root)) throw Error("tree " + root.string() + " is not a folder");
        auto is_package_dir = [](const fs::path& d) {
            return fs::exists(d / "build.yaml") &&
                   (fs::exists(d / "definition.yaml") || fs::exists(d / "collection.yaml"));
        };
        // The tree folder itself may hold a package (upstream walks it too).
        std::vector<fs::path> dirs;
        if (is_package_dir(root)) dirs.push_back(root);
        for (auto it = fs::recursive_directory_iterator(root, fs::directory_options::follow_directory_symlink);
             it != fs::recursive_directory_iterator(); ++it) {
            if (it->is_directory() && is_package_dir(it->path())) dirs.push_back(it->path());
        }
        std::sort(dirs.begin(), dirs.end());
        if (warning && has_tree_index(root) && !current_tree_index(root)) {
            // Upstream's create-repo and pkglist read the index instead of the tree: say so
            // when it no longer matches, so that the two tools do not silently disagree.
            try {
                const auto diffs = stale_tree_index(root);
                if (!diffs.empty()) {
                    std::string lines;
                    for (const auto& d : diffs) lines += "\n  " + d;
                    warning("the tree index of " + root.string() + " is stale (run 'luet-build tree genidx'):" + lines);
                }
            } catch (const Error& e) {
                warning("the tree index of " + root.string() + " cannot be read: " + e.what());
            }
        }
        for (auto& load : load_folders(dirs, ctx)) {
            for (auto& w : load.image_and_requires)
                if (warning && ++image_and_requires <= kNamedImageAndRequires) warning(w);
            if (load.error) std::rethrow_exception(load.error);
            for (auto& p : load.specs) tree.packages.push_back(std::move(p));
        }
    }
    if (warning && image_and_requires > kNamedImageAndRequires)
        warning("... and " + std::to_string(image_and_requires - kNamedImageAndRequires) +
                    " more build specs set both 'image' and 'requires': each builds from its image (as upstream "
                    "does) and does not use its build requires");
    // A form defined again later shadows the earlier spec (upstream keeps the last one).
    std::map<std::string, size_t> last;
    for (size_t i = 0; i < tree.packages.size(); ++i) {
        auto& cur = tree.packages[i];
        auto [it, fresh] = last.try_emplace(cur.definition.form.str(), i);
        if (fresh) continue;
        auto& earlier = tree.packages[it->second];
        earlier.shadowed = true;
        it->second = i;
        if (warning)
            warning("package " + cur.definition.form.str() + " is defined twice: in " +
                        earlier.definition_file.string() + " and in " + cur.definition_file.string() +
                        "; both are listed, the one in " + cur.definition_file.string() + " is built");
    }
    return tree;
}

void add_repository_tree(Tree& into, Tree more, const std::string& repository) {
    std::set<std::string> known;
    for (const auto& p : into.packages)
        if (!p.shadowed) known.insert(p.definition.form.str());
    for (auto& p : more.packages) {
        if (p.shadowed || known.count(p.definition.form.str())) continue;
        p.repository = repository;
        into.packages.push_back(std::move(p));
    }
}

const PackageSpec* Tree::find(const core::PackageForm& form) const {
    for (const auto& p : packages)
        if (!p.shadowed && p.definition.form == form) return &p;
    return nullptr;
}

const PackageSpec* Tree::best_match(const core::PackageRef& ref) const {
    // A package that provides the reference replaces it (upstream: "provides: packages which
    // it replaces"), so providers are preferred over the provided package itself.
    const PackageSpec* best_direct = nullptr;
    const PackageSpec* best_provider = nullptr;
    auto consider = [](const PackageSpec*& best, const PackageSpec& p) {
        if (!best || core::compare_versions(p.definition.form.version, best->definition.form.version) > 0) best = &p;
    };
    for (const auto& p : packages) {
        if (p.shadowed) continue;
        if (ref.matches(p.definition.form)) consider(best_direct, p);
        for (const auto& prov : p.definition.provides) {
            if (prov.atom() == ref.atom() &&
                (prov.selector.op == core::SelectorOp::Any || ref.selector.matches(prov.selector.version))) {
                consider(best_provider, p);
                break;
            }
        }
    }
    return best_provider ? best_provider : best_direct;
}

}  // namespace luet::spec
