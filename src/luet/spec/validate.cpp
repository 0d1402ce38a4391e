#include "luet/spec/validate.hpp"

#include <algorithm>
#include <string_view>

#include "luet/core/error.hpp"
#include "luet/solver/solver.hpp"

namespace luet::spec {
namespace {

solver::PackageEntry to_entry(const Definition& d) {
    return {d.form, d.requires_, d.conflicts, d.provides, "tree"};
}

}  // namespace

ValidationReport validate_tree(const Tree& tree, bool with_solver,
                               const std::function<bool(const PackageSpec&)>& selected, ValidateScope scope) {
    const bool runtime = scope != ValidateScope::Buildtime, buildtime = scope != ValidateScope::Runtime;
    ValidationReport report;
    std::vector<solver::PackageEntry> universe;
    for (const auto& p : tree.packages)
        if (!p.shadowed) universe.push_back(to_entry(p.definition));

    for (const auto& p : tree.packages) {
        if (p.shadowed || (selected && !selected(p))) continue;
        const std::string name = p.definition.form.str();
        int broken = 0;
        auto check = [&](const core::PackageRef& r, const char* kind) {
            if (tree.best_match(r)) return;
            report.errors.push_back(name + ": " + kind + " " + r.str() + " - No packages");
            ++broken;
        };
        if (runtime)
            for (const auto& r : p.definition.requires_) check(r, "Broken Dep");
        if (buildtime) {
            for (const auto& r : p.build.requires_) check(r, "Broken build Dep");
            for (const auto& c : p.build.copy)
                if (c.package) check(*c.package, "Broken build Dep");
        }
        if (runtime && with_solver && broken == 0 && !p.definition.requires_.empty()) {
            solver::Request req;
            req.install = {core::PackageRef{p.definition.form.category, p.definition.form.name,
                                            core::Selector{core::SelectorOp::Eq, p.definition.form.version, {}}}};
            try {
                solver::solve(universe, {}, req);
            } catch (const Error& e) {
                report.errors.push_back(name + ": solver broken - " + e.what());
                ++broken;
            }
        }
        report.broken_deps += broken;
        if (broken) ++report.broken_packages;
    }
    std::sort(report.errors.begin(), report.errors.end());
    return report;
}

std::string replace_definition_version(const std::string& yaml_text, const std::string& version,
                                       const std::string& origin) {
    // Top-level keys start at column 0; a trailing comment on the line is kept.
    size_t pos = 0;
    while (pos < yaml_text.size()) {
        size_t end = yaml_text.find('\n', pos);
        if (end == std::string::npos) end = yaml_text.size();
        const std::string_view line(yaml_text.data() + pos, end - pos);
        if (line.starts_with("version:")) {
            std::string replacement = "version: \"" + version + "\"";
            if (size_t hash = line.find(" #"); hash != std::string_view::npos)
                replacement += std::string(line.substr(hash));
            return yaml_text.substr(0, pos) + replacement + yaml_text.substr(end);
        }
        pos = end + 1;
    }
    throw Error(origin + ": no top-level 'version:' to bump");
}

}  // namespace luet::spec
