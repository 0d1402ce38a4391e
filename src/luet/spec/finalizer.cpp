// finalize.yaml with all of its keys (install, uninstall, shell); see spec.hpp.
#include <nlohmann/json.hpp>

#include "luet/spec/spec.hpp"
#include "luet/spec/yaml_util.hpp"
#include "luet/template/template.hpp"

namespace luet::spec {

Finalizer render_finalizer(const std::string& finalize_text, const std::string& definition_text,
                           const std::string& origin) {
    nlohmann::json values = tmpl::yaml_to_json(definition_text, origin);
    if (!values.is_object()) values = nlohmann::json::object();
    const YAML::Node doc = load_yaml(tmpl::render(origin, finalize_text, {{"Values", values}}), origin);
    return {strings(doc, "shell", origin), strings(doc, "install", origin), strings(doc, "uninstall", origin)};
}

}  // namespace luet::spec
