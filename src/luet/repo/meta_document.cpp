// The legacy meta document, repository.meta.yaml (see documents.hpp).
#include <yaml-cpp/yaml.h>

#include "luet/core/error.hpp"
#include "luet/repo/documents.hpp"
#include "luet/spec/yaml_util.hpp"
#include "luet/template/template.hpp"

namespace luet::repo {

std::string meta_yaml(const std::vector<artifact::Metadata>& index, bool for_client) {
    nlohmann::json list = nlohmann::json::array();
    for (const auto& m : index) {
        nlohmann::json entry = artifact::metadata_json(m);
        if (for_client)
            for (const char* key : {"compilespec", "compilationspec", "dependencies", "package_cacheimage"})
                entry.erase(key);
        list.push_back(std::move(entry));
    }
    return tmpl::json_to_yaml(nlohmann::json{{"index", std::move(list)}});
}

std::vector<artifact::Metadata> parse_meta(const std::string& text, const std::string& origin) {
    std::vector<artifact::Metadata> out;
    const YAML::Node root = spec::load_yaml(text, origin);
    const YAML::Node index = root["index"] ? root["index"] : root["artifacts"];
    if (!index || index.IsNull()) return out;
    if (!index.IsSequence()) throw Error(origin + ": 'index' must be a list of artifacts");
    size_t i = 0;
    for (const auto& item : index)
        out.push_back(artifact::metadata_from_node(item, origin + " index[" + std::to_string(i++) + "]"));
    return out;
}

}  // namespace luet::repo
