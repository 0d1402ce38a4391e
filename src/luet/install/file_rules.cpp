#include "luet/install/file_rules.hpp"

namespace luet::install {

FileRules load_file_rules(const config::Config& cfg) { return {load_subsets(cfg), load_config_protect(cfg)}; }

ExtractFilter extract_filter(const FileRules& rules, const spec::Definition& pkg,
                             std::function<void(const std::string&, const std::string&)> on_protected) {
    ExtractFilter f;
    SubsetFilter subsets(rules.subsets, pkg);
    f.skip = [subsets](const std::string& name, bool directory) { return subsets.excluded(name, directory); };
    ProtectedDirs dirs(rules.protect, pkg);
    if (!dirs.empty()) f.protect = [dirs](const std::string& name) { return dirs.protects(name); };
    f.on_protected = std::move(on_protected);
    return f;
}

}  // namespace luet::install
