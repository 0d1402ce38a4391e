// The artifact metadata document (see artifact.hpp for the format and the upstream sources).
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <map>
#include <optional>

#include "luet/artifact/artifact.hpp"
#include "luet/core/error.hpp"
#include "luet/core/text.hpp"
#include "luet/core/file.hpp"
#include "luet/spec/yaml_util.hpp"
#include "luet/template/template.hpp"

namespace fs = std::filesystem;
using nlohmann::json;

namespace luet::artifact {
namespace {

json string_list(const std::vector<std::string>& v) {
    json out = json::array();
    for (const auto& s : v) out.push_back(s);
    return out;
}

// A requires/conflicts/provides entry. A reference without a version is written as ">=0":
// it means any version to both upstreams, and geaaru/luet's solver cannot parse an empty one.
json ref_json(const core::PackageRef& r) {
    const std::string version = r.selector.op == core::SelectorOp::Any ? ">=0" : r.selector.str();
    return json{{"name", r.name}, {"category", r.category}, {"version", version}};
}

void put_refs(json& out, const char* key, const std::vector<core::PackageRef>& refs) {
    if (refs.empty()) return;
    json list = json::array();
    for (const auto& r : refs) list.push_back(ref_json(r));
    out[key] = std::move(list);
}

// A string_map value: nested YAML (annotations such as subsets rules) becomes JSON again.
json map_value_json(const std::string& value) {
    YAML::Node n = spec::map_value(value);
    if (n.IsScalar()) return value;
    YAML::Emitter e;
    e << n;
    return tmpl::yaml_to_json(e.c_str(), "annotation");
}

json package_json(const core::PackageForm& f) {
    return json{{"name", f.name}, {"category", f.category}, {"version", f.version}};
}

}  // namespace

json runtime_json(const spec::Definition& d) {
    json out = package_json(d.form);
    put_refs(out, "requires", d.requires_);
    put_refs(out, "conflicts", d.conflicts);
    put_refs(out, "provides", d.provides);
    if (d.hidden) out["hidden"] = true;
    if (!d.labels.empty()) out["labels"] = json(d.labels);
    if (!d.annotations.empty()) {
        json a = json::object();
        for (const auto& [k, v] : d.annotations) a[k] = map_value_json(v);
        out["annotations"] = std::move(a);
    }
    if (!d.description.empty()) out["description"] = d.description;
    if (!d.license.empty()) out["license"] = d.license;
    if (!d.uri.empty()) out["uri"] = string_list(d.uri);
    return out;
}

CompileSpec compile_spec(const core::PackageForm& form, const spec::BuildSpec& b) {
    CompileSpec cs;
    cs.package = form;
    cs.image = b.image;
    cs.package_dir = b.package_dir;
    cs.steps = b.steps;
    cs.env = b.env;
    cs.prelude = b.prelude;
    cs.retrieve = b.retrieve;
    cs.includes = b.includes;
    cs.excludes = b.excludes;
    cs.unpack = b.unpack;
    cs.requires_final_images = b.requires_final_images;
    return cs;
}

json metadata_json(const Metadata& m) {
    const CompileSpec& c = m.compilespec;
    json package = package_json(c.package.name.empty() ? m.runtime.form : c.package);
    if (!c.build_timestamp.empty()) package["buildtimestamp"] = c.build_timestamp;
    json cs = {{"steps", string_list(c.steps)},
               {"env", string_list(c.env)},
               {"prelude", string_list(c.prelude)},
               {"image", c.image},
               {"seed", c.seed},
               {"package", std::move(package)},
               {"package_dir", c.package_dir},
               {"retrieve", string_list(c.retrieve)},
               {"unpack", c.unpack},
               {"includes", string_list(c.includes)},
               {"excludes", string_list(c.excludes)},
               {"build_options", c.push_image_repository.empty()
                                     ? json(nullptr)
                                     : json{{"pushimagerepository", c.push_image_repository}}},
               {"copy", json::array()},
               {"requires_final_images", c.requires_final_images}};
    return json{{"path", m.path},
                {"dependencies", json::array()},
                {"compilespec", cs},
                {"compilationspec", cs},
                {"checksums", {{"sha256", m.sha256}}},
                {"compressiontype", compression_name(m.compression)},
                {"files", string_list(m.files)},
                {"package_cacheimage", m.package_cacheimage},
                {"runtime", runtime_json(m.runtime)}};
}

std::string Metadata::metadata_file_name() const { return runtime.form.fingerprint() + ".metadata.yaml"; }

// Invalid UTF-8 (a hostile or broken metadata document) becomes U+FFFD, as Go's
// encoding/json writes it, instead of nlohmann's type_error.
std::string metadata_to_json(const Metadata& m) {
    return metadata_json(m).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string metadata_to_yaml(const Metadata& m) { return tmpl::json_to_yaml(metadata_json(m)); }

namespace {

// The JSON reader of metadata documents (treev2's metadata.json, thousands per sync):
// nlohmann instead of yaml-cpp, several times faster. It gives up (GiveUp) on anything it
// would not read exactly as metadata_from_node does — a number or boolean where text is
// expected, nested annotations, anything metadata_from_node reports as an error — and the
// document is then read as YAML, so both readers give the same Metadata or the same error.
struct GiveUp {};

const json* member(const json& o, const char* key) {
    auto it = o.find(key);
    return it == o.end() ? nullptr : &*it;
}

std::string text(const json& o, const char* key) {
    const json* v = member(o, key);
    if (!v || v->is_null()) return "";
    if (!v->is_string()) throw GiveUp{};
    return v->get<std::string>();
}

bool flag(const json& o, const char* key) {
    const json* v = member(o, key);
    if (!v || v->is_null()) return false;
    if (!v->is_boolean()) throw GiveUp{};
    return v->get<bool>();
}

std::vector<std::string> texts(const json& o, const char* key) {
    std::vector<std::string> out;
    const json* v = member(o, key);
    if (!v || v->is_null()) return out;
    if (!v->is_array()) throw GiveUp{};
    out.reserve(v->size());
    for (const auto& item : *v) {
        if (!item.is_string()) throw GiveUp{};
        out.push_back(item.get<std::string>());
    }
    return out;
}

std::map<std::string, std::string> text_map(const json& o, const char* key) {
    std::map<std::string, std::string> out;
    const json* v = member(o, key);
    if (!v || v->is_null()) return out;
    if (!v->is_object()) throw GiveUp{};
    for (const auto& [k, value] : v->items()) {
        if (!value.is_string()) throw GiveUp{};
        out[k] = value.get<std::string>();
    }
    return out;
}

std::vector<core::PackageRef> refs(const json& o, const char* key) {
    std::vector<core::PackageRef> out;
    const json* v = member(o, key);
    if (!v || v->is_null()) return out;
    if (!v->is_array()) throw GiveUp{};
    for (const auto& item : *v) {
        if (!item.is_object()) throw GiveUp{};
        core::PackageRef ref;
        ref.name = text(item, "name");
        ref.category = text(item, "category");
        if (ref.name.empty()) throw GiveUp{};
        ref.selector = core::Selector::parse(text(item, "version"));
        out.push_back(std::move(ref));
    }
    return out;
}

// spec::definition_from_node
spec::Definition definition_of(const json& n) {
    spec::Definition d;
    d.form.name = text(n, "name");
    d.form.category = text(n, "category");
    d.form.version = text(n, "version");
    if (d.form.name.empty()) throw GiveUp{};
    for (const auto* value : {&d.form.name, &d.form.category, &d.form.version})
        if (core::has_control(*value))
            throw GiveUp{};
    d.requires_ = refs(n, "requires");
    d.conflicts = refs(n, "conflicts");
    d.provides = refs(n, "provides");
    d.hidden = flag(n, "hidden");
    d.labels = text_map(n, "labels");
    d.annotations = text_map(n, "annotations");
    d.description = text(n, "description");
    d.license = text(n, "license");
    d.uri = texts(n, "uri");
    return d;
}

// metadata_from_node over JSON; nullopt: read it as YAML.
std::optional<Metadata> metadata_from_json(const std::string& doc) {
    try {
        const json n = json::parse(doc);
        if (!n.is_object()) return std::nullopt;
        Metadata m;
        m.path = text(n, "path");
        if (auto slash = m.path.rfind('/'); slash != std::string::npos) m.path = m.path.substr(slash + 1);
        if (m.path.empty() || m.path == "." || m.path == "..") return std::nullopt;
        const std::string compression = text(n, "compressiontype");
        m.compression = parse_compression(compression.empty() ? "none" : compression);
        if (const json* sums = member(n, "checksums"); sums && sums->is_object()) m.sha256 = text(*sums, "sha256");
        m.files = texts(n, "files");
        m.package_cacheimage = text(n, "package_cacheimage");
        const json* cs = member(n, "compilespec");
        if (!cs) cs = member(n, "compilationspec");
        if (cs && cs->is_object()) {
            CompileSpec& c = m.compilespec;
            if (const json* p = member(*cs, "package"); p && p->is_object()) {
                c.package = {text(*p, "category"), text(*p, "name"), text(*p, "version")};
                c.build_timestamp = text(*p, "buildtimestamp");
            }
            c.image = text(*cs, "image");
            c.seed = text(*cs, "seed");
            c.package_dir = text(*cs, "package_dir");
            c.steps = texts(*cs, "steps");
            c.env = texts(*cs, "env");
            c.prelude = texts(*cs, "prelude");
            c.retrieve = texts(*cs, "retrieve");
            c.includes = texts(*cs, "includes");
            c.excludes = texts(*cs, "excludes");
            c.unpack = flag(*cs, "unpack");
            c.requires_final_images = flag(*cs, "requires_final_images");
            if (const json* bo = member(*cs, "build_options"); bo && bo->is_object())
                c.push_image_repository = text(*bo, "pushimagerepository");
        }
        const json* runtime = member(n, "runtime");
        if (runtime && runtime->is_object() && !text(*runtime, "name").empty()) {
            m.runtime = definition_of(*runtime);
        } else if (!m.compilespec.package.name.empty()) {
            m.runtime.form = m.compilespec.package;
        } else {
            return std::nullopt;
        }
        if (m.compilespec.package.name.empty()) m.compilespec.package = m.runtime.form;
        return m;
    } catch (const GiveUp&) {
    } catch (const json::exception&) {
    } catch (const Error&) {
    }
    return std::nullopt;
}

}  // namespace

Metadata metadata_from_yaml(const std::string& text, const std::string& origin) {
    if (const auto first = text.find_first_not_of(" \t\r\n"); first != std::string::npos && text[first] == '{')
        if (auto m = metadata_from_json(text)) return std::move(*m);
    return metadata_from_node(spec::load_yaml(text, origin), origin);
}

Metadata metadata_from_node(const YAML::Node& n, const std::string& origin) {
    if (!n.IsMap()) throw Error(origin + ": artifact metadata must be a mapping");
    Metadata m;
    m.path = spec::scalar(n, "path", origin);
    // Upstream writes the artifact's absolute build path; only the file name matters here.
    if (auto slash = m.path.rfind('/'); slash != std::string::npos) m.path = m.path.substr(slash + 1);
    if (m.path.empty()) throw Error(origin + ": artifact metadata has no 'path'");
    // The file name is joined to the packages cache folder.
    if (m.path == "." || m.path == "..")
        throw Error(origin + ": artifact metadata 'path' '" + m.path + "' names no file");
    const std::string compression = spec::scalar(n, "compressiontype", origin);
    m.compression = parse_compression(compression.empty() ? "none" : compression);
    if (YAML::Node sums = n["checksums"]; sums && sums.IsMap()) m.sha256 = spec::scalar(sums, "sha256", origin);
    m.files = spec::strings(n, "files", origin);
    m.package_cacheimage = spec::scalar(n, "package_cacheimage", origin);

    // yaml-cpp: assigning to a Node writes into the document, so the choice is made once.
    const YAML::Node cs = n["compilespec"] ? n["compilespec"] : n["compilationspec"];
    if (cs && cs.IsMap()) {
        const std::string where = origin + " compilespec";
        CompileSpec& c = m.compilespec;
        if (YAML::Node p = cs["package"]; p && p.IsMap()) {
            c.package = {spec::scalar(p, "category", where), spec::scalar(p, "name", where),
                         spec::scalar(p, "version", where)};
            c.build_timestamp = spec::scalar(p, "buildtimestamp", where);
        }
        c.image = spec::scalar(cs, "image", where);
        c.seed = spec::scalar(cs, "seed", where);
        c.package_dir = spec::scalar(cs, "package_dir", where);
        c.steps = spec::strings(cs, "steps", where);
        c.env = spec::strings(cs, "env", where);
        c.prelude = spec::strings(cs, "prelude", where);
        c.retrieve = spec::strings(cs, "retrieve", where);
        c.includes = spec::strings(cs, "includes", where);
        c.excludes = spec::strings(cs, "excludes", where);
        c.unpack = spec::boolean(cs, "unpack", where);
        c.requires_final_images = spec::boolean(cs, "requires_final_images", where);
        if (YAML::Node bo = cs["build_options"]; bo && bo.IsMap())
            c.push_image_repository = spec::scalar(bo, "pushimagerepository", where + " build_options");
    }

    YAML::Node runtime = n["runtime"];
    if (runtime && runtime.IsMap() && !spec::scalar(runtime, "name", origin).empty()) {
        m.runtime = spec::definition_from_node(runtime, origin + " runtime");
    } else if (!m.compilespec.package.name.empty()) {
        m.runtime.form = m.compilespec.package;
    } else {
        throw Error(origin + ": artifact metadata names no package (neither runtime nor compilespec.package)");
    }
    if (m.compilespec.package.name.empty()) m.compilespec.package = m.runtime.form;
    return m;
}

Metadata read_metadata(const fs::path& file) { return metadata_from_yaml(core::read_file(file), file.string()); }

void write_metadata(const Metadata& m, const fs::path& file) { core::write_file_atomic(file, metadata_to_yaml(m)); }

}  // namespace luet::artifact
