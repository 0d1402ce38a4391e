// Versions, selectors and package arguments (core/version.hpp, core/package.hpp): what a
// repository's requires/conflicts/provides and the command line hand to the parser.
// Properties: compare_versions is a total order on the pair (antisymmetric, reflexive),
// a bumped valid version is valid and orders after it, a selector's canonical text parses
// back to itself, a parsed package argument written as ATOM@SELECTOR parses back to the same.
#include "fuzz_util.hpp"
#include "luet/core/error.hpp"
#include "luet/core/package.hpp"
#include "luet/core/version.hpp"

using namespace luet::core;

namespace {
int sign(int v) { return (v > 0) - (v < 0); }
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const auto p = fuzz::parts(data, size, 2);
    const std::string& a = p[0];
    const std::string b = p.size() > 1 ? p[1] : a + "1";
    if (compare_versions(a, a) != 0) fuzz::broken("compare(a, a) == 0", a);
    if (sign(compare_versions(a, b)) != -sign(compare_versions(b, a))) fuzz::broken("antisymmetric", a + " | " + b);
    if (valid_version(a)) {
        try {
            const std::string next = bump_build_version(a);
            if (!valid_version(next)) fuzz::broken("bump gives a valid version", a + " -> " + next);
            if (compare_versions(next, a) <= 0) fuzz::broken("bump orders after", a + " -> " + next);
        } catch (const luet::Error&) {
        }
    }
    try {
        const Selector s = Selector::parse(a);
        const std::string canonical = s.str();
        const Selector again = Selector::parse(canonical);
        if (again.str() != canonical) fuzz::broken("selector round trip", a + " -> " + canonical + " -> " + again.str());
        if (s.matches(b) != again.matches(b)) fuzz::broken("selector round trip matches the same", a + " | " + b);
    } catch (const luet::Error&) {
    }
    try {
        const PackageRef r = parse_package_arg(a);
        const std::string sel = r.selector.str();
        // Always with '@': without it, "cat/name-1.0" is the gentoo form (version 1.0), so a
        // name ending in "-<version>" is only written back unambiguously as "cat/name-1.0@".
        const std::string canonical = r.atom() + "@" + sel;
        const PackageRef again = parse_package_arg(canonical);
        if (again.atom() != r.atom() || again.selector.str() != sel)
            fuzz::broken("package argument round trip", a + " -> " + canonical + " -> " + again.str());
    } catch (const luet::Error&) {
    }
    return 0;
}
