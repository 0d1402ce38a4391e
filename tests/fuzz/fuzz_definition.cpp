// Spec YAML (spec/spec.hpp, spec/yaml_util.hpp): a definition.yaml as a tree or a
// repository's runtime holds it, and a finalize.yaml rendered with that definition (the
// template engine on hostile repository text). Input: DEFINITION [NUL FINALIZE].
// Property: definition_to_yaml(parse(x)) is a fixed point of parse + write.
#include "fuzz_util.hpp"
#include "luet/core/error.hpp"
#include "luet/spec/spec.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const auto p = fuzz::parts(data, size, 2);
    try {
        const auto def = luet::spec::parse_definition(p[0], "definition.yaml");
        const std::string once = luet::spec::definition_to_yaml(def);
        std::string twice;
        try {
            twice = luet::spec::definition_to_yaml(luet::spec::parse_definition(once, "written.yaml"));
        } catch (const luet::Error& e) {
            fuzz::broken("a written definition parses", once + "\n" + e.what());
        }
        if (once != twice) fuzz::broken("definition round trip", once + "\n----\n" + twice);
    } catch (const luet::Error&) {
    }
    if (p.size() > 1) {
        try {
            luet::spec::render_finalizer(p[1], p[0], "finalize.yaml");
        } catch (const luet::Error&) {
        }
    }
    return 0;
}
