// The artifact metadata document (see artifact.hpp for the format and the upstream sources).
#include <yaml-cpp/yaml.h>

#include "luet/artifact/artifact.hpp"
#include "luet/core/error.hpp"
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
               {"build_options", nullptr},
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

Metadata metadata_from_yaml(const std::string& text, const std::string& origin) {
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
