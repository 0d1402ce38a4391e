// The template engine (template/template.hpp): Go text/template + sprig, as specs and
// finalizers use it. Input: TEMPLATE [NUL VALUES-YAML]; the values are read as .Values.
#include <nlohmann/json.hpp>

#include "fuzz_util.hpp"
#include "luet/core/error.hpp"
#include "luet/template/template.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const auto p = fuzz::parts(data, size, 2);
    nlohmann::json values = nlohmann::json::object();
    if (p.size() > 1) {
        try {
            values["Values"] = luet::tmpl::yaml_to_json(p[1], "values.yaml");
        } catch (const luet::Error&) {
        }
    }
    try {
        luet::tmpl::render("fuzz", p[0], values);
    } catch (const luet::Error&) {
    }
    return 0;
}
