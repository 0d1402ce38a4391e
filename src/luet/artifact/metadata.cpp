#include <yaml-cpp/yaml.h>


#include "luet/artifact/artifact.hpp"
#include "luet/core/error.hpp"
#include "luet/core/file.hpp"
#include "luet/spec/yaml_util.hpp"

namespace fs = std::filesystem;

namespace luet::artifact {

std::string Metadata::metadata_file_name() const { return runtime.form.fingerprint() + ".metadata.yaml"; }

std::string metadata_to_yaml(const Metadata& m) {
    YAML::Emitter out;
    out << YAML::BeginMap;
    out << YAML::Key << "path" << YAML::Value << m.path;
    out << YAML::Key << "compressiontype" << YAML::Value << compression_name(m.compression);
    out << YAML::Key << "checksums" << YAML::Value << YAML::BeginMap << YAML::Key << "sha256" << YAML::Value
        << m.sha256 << YAML::EndMap;
    out << YAML::Key << "files" << YAML::Value << YAML::BeginSeq;
    for (const auto& f : m.files) out << f;
    out << YAML::EndSeq;
    out << YAML::Key << "runtime" << YAML::Value << YAML::Load(spec::definition_to_yaml(m.runtime));
    out << YAML::Key << "compilespec" << YAML::Value << YAML::BeginMap;
    out << YAML::Key << "build" << YAML::Value << YAML::Literal << m.build_yaml;
    out << YAML::EndMap;
    out << YAML::EndMap;
    return std::string(out.c_str()) + "\n";
}

Metadata metadata_from_yaml(const std::string& text, const std::string& origin) {
    return metadata_from_node(spec::load_yaml(text, origin), origin);
}

Metadata metadata_from_node(const YAML::Node& n, const std::string& origin) {
    Metadata m;
    m.path = spec::scalar(n, "path", origin);
    // Upstream writes the artifact's absolute build path; only the file name matters here.
    if (auto slash = m.path.rfind('/'); slash != std::string::npos) m.path = m.path.substr(slash + 1);
    m.compression = parse_compression(spec::scalar(n, "compressiontype", origin).empty()
                                          ? "none"
                                          : spec::scalar(n, "compressiontype", origin));
    if (YAML::Node sums = n["checksums"]; sums && sums.IsMap()) m.sha256 = spec::scalar(sums, "sha256", origin);
    m.files = spec::strings(n, "files", origin);
    YAML::Node runtime = n["runtime"];
    if (!runtime || !runtime.IsMap()) throw Error(origin + ": artifact metadata has no 'runtime' package");
    m.runtime = spec::definition_from_node(runtime, origin);
    if (YAML::Node cs = n["compilespec"]; cs && cs.IsMap()) m.build_yaml = spec::scalar(cs, "build", origin);
    if (m.path.empty()) throw Error(origin + ": artifact metadata has no 'path'");
    // The file name is joined to the packages cache folder.
    if (m.path == "." || m.path == "..")
        throw Error(origin + ": artifact metadata 'path' '" + m.path + "' names no file");
    return m;
}

Metadata read_metadata(const fs::path& file) {
    return metadata_from_yaml(core::read_file(file), file.string());
}

void write_metadata(const Metadata& m, const fs::path& file) {
    core::write_file_atomic(file, metadata_to_yaml(m));
}

}  // namespace luet::artifact
