// `luet tree validate` and `luet tree bump`: checks and edits over a loaded tree.
//
// Upstream: mudler/luet cmd/tree/validate.go (message shapes "CAT/NAME-VER: Broken Dep
// ... - No packages", the closing "Broken packages: N ( M deps )." line, exit 1 when
// broken) and cmd/tree/bump.go.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "luet/spec/spec.hpp"

namespace luet::spec {

struct ValidationReport {
    std::vector<std::string> errors;  // one line per broken dependency, sorted
    int broken_packages = 0;
    int broken_deps = 0;
};

// Which requirements validate_tree checks (luet-build tree validate --only-runtime /
// --only-buildtime; both by default).
enum class ValidateScope { Both, Runtime, Buildtime };

// Checks every selected package: each runtime requirement must match a package of the
// tree ("Broken Dep"), each build requirement and copy source too ("Broken build Dep");
// with `with_solver`, the package's runtime requirements must also be solvable together
// ("solver broken", with the solver's explanation). `scope` leaves one side out.
ValidationReport validate_tree(const Tree& tree, bool with_solver,
                               const std::function<bool(const PackageSpec&)>& selected,
                               ValidateScope scope = ValidateScope::Both);

// definition.yaml text with its top-level `version:` replaced by `version`, everything
// else (comments, order) kept. Throws luet::Error naming `origin` when there is no
// top-level version line.
std::string replace_definition_version(const std::string& yaml_text, const std::string& version,
                                       const std::string& origin);

}  // namespace luet::spec
