#include "luet/install/masks.hpp"

#include <algorithm>
#include <filesystem>

#include "luet/core/error.hpp"
#include "luet/core/file.hpp"
#include "luet/core/text.hpp"
#include "luet/spec/yaml_util.hpp"

namespace fs = std::filesystem;

namespace luet::install {

const MaskRule* PackageMasks::find(const core::PackageForm& form, const std::string& repository) const {
    for (const auto& r : rules)
        if ((r.repository.empty() || r.repository == repository) && r.ref.matches(form)) return &r;
    return nullptr;
}

PackageMasks load_masks(const config::Config& cfg) {
    PackageMasks masks;
    for (const auto& configured : cfg.packages_maskdir) {
        const fs::path dir = cfg.config_dir(configured);
        std::error_code ec;
        if (!fs::is_directory(dir, ec)) continue;
        std::vector<fs::path> files;
        for (const auto& e : fs::directory_iterator(dir)) {
            const auto ext = e.path().extension();
            if (e.is_regular_file() && (ext == ".yml" || ext == ".yaml")) files.push_back(e.path());
        }
        std::sort(files.begin(), files.end());
        for (const auto& f : files) {
            const YAML::Node doc = spec::load_yaml(core::read_file(f), f.string());
            if (!doc.IsMap()) throw Error("Mask file " + f.string() + " broken: expected a map with 'rules'");
            if (doc["enabled"] && !spec::boolean(doc, "enabled", f.string())) continue;
            for (const auto& text : spec::strings(doc, "rules", f.string())) {
                MaskRule rule;
                rule.file = f.string();
                std::string pkg = text;
                if (auto at = pkg.find("::"); at != std::string::npos) {
                    rule.repository = pkg.substr(at + 2);
                    pkg.resize(at);
                }
                try {
                    if (pkg.find('/') == std::string::npos || pkg.find('@') != std::string::npos)
                        throw Error("expected [OPERATOR]category/name[-VERSION][::REPOSITORY]");
                    rule.ref = core::parse_package_arg(pkg);
                } catch (const Error& e) {
                    throw Error("Mask file " + f.string() + " broken: rule " + core::quoted(text) + ": " + e.what());
                }
                masks.rules.push_back(std::move(rule));
            }
        }
    }
    return masks;
}

}  // namespace luet::install
