#include "luet/install/subsets.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>

#include "luet/core/error.hpp"
#include "luet/core/file.hpp"
#include "luet/spec/yaml_util.hpp"

namespace fs = std::filesystem;

namespace luet::install {
namespace {

// *.yml and *.yaml files of `dir`, sorted by name (upstream reads them in directory order,
// which Go sorts); an absent folder has none.
std::vector<fs::path> yaml_files(const fs::path& dir) {
    std::vector<fs::path> files;
    std::error_code ec;
    if (!fs::is_directory(dir, ec)) return files;
    for (const auto& e : fs::directory_iterator(dir)) {
        const auto ext = e.path().extension();
        if (!e.is_directory() && (ext == ".yml" || ext == ".yaml")) files.push_back(e.path());
    }
    std::sort(files.begin(), files.end());
    return files;
}

void add_unique(std::vector<std::string>& list, const std::string& s) {
    if (std::find(list.begin(), list.end(), s) == list.end()) list.push_back(s);
}

}  // namespace

bool Subsets::is_enabled(const std::string& name) const {
    return std::find(enabled.begin(), enabled.end(), name) != enabled.end();
}

void add_definitions(Subsets& subsets, const std::string& yaml_text, const std::string& origin) {
    YAML::Node root = spec::load_yaml(yaml_text, origin);
    YAML::Node defs = root["subsets_def"];
    if (!defs || !defs.IsMap() || defs.size() == 0)
        throw Error(origin + ": not a subsets definition file (expected a 'subsets_def' map of subsets)");
    for (const auto& kv : defs) {
        const std::string key = kv.first.Scalar();
        const std::string where = origin + " (subset " + key + ")";
        if (!kv.second.IsMap()) throw Error(where + ": expected a map with name, rules, packages, categories");
        SubsetDefinition d;
        d.name = spec::scalar(kv.second, "name", where);
        if (d.name.empty()) d.name = key;
        d.description = spec::scalar(kv.second, "descr", where);
        if (d.description.empty()) d.description = spec::scalar(kv.second, "description", where);
        d.rules = spec::strings(kv.second, "rules", where);
        d.packages = spec::strings(kv.second, "packages", where);
        d.categories = spec::strings(kv.second, "categories", where);
        if (d.packages.empty() && d.categories.empty()) {
            // A later file replaces the description of the same subset.
            subsets.descriptions[key] = d;
            continue;
        }
        if (d.rules.empty()) throw Error(where + ": has packages or categories but no rules");
        for (const auto& p : d.packages) {
            if (p.find('/') == std::string::npos)
                throw Error(where + ": package '" + p + "' is not in the form category/name");
            auto& rules = subsets.by_package[p][d.name];
            rules.insert(rules.end(), d.rules.begin(), d.rules.end());
        }
        for (const auto& c : d.categories) {
            auto& rules = subsets.by_category[c][d.name];
            rules.insert(rules.end(), d.rules.begin(), d.rules.end());
        }
    }
}

std::vector<std::string> parse_enabled(const std::string& yaml_text, const std::string& origin) {
    return spec::strings(spec::load_yaml(yaml_text, origin), "enabled", origin);
}

Subsets load_subsets(const config::Config& cfg) {
    Subsets s;
    for (const auto& name : cfg.subsets_enabled) add_unique(s.enabled, name);
    for (const auto& dir : cfg.subsets_defdir)
        for (const auto& f : yaml_files(cfg.config_dir(dir))) add_definitions(s, core::read_file(f), f.string());
    for (const auto& dir : cfg.subsets_confdir)
        for (const auto& f : yaml_files(cfg.config_dir(dir)))
            for (const auto& name : parse_enabled(core::read_file(f), f.string())) add_unique(s.enabled, name);
    return s;
}

SubsetRules package_rules(const Subsets& subsets, const spec::Definition& pkg) {
    SubsetRules rules;
    if (auto it = pkg.annotations.find("subsets"); it != pkg.annotations.end()) {
        const std::string where = "package " + pkg.form.str() + ": annotation 'subsets'";
        YAML::Node n = spec::map_value(it->second);
        if (!n.IsMap()) throw Error(where + " must be a map with 'rules'");
        if (YAML::Node r = n["rules"]; r && !r.IsNull()) {
            if (!r.IsMap()) throw Error(where + ": 'rules' must map subset names to lists of regexes");
            for (const auto& kv : r) rules[kv.first.Scalar()] = spec::strings(r, kv.first.Scalar(), where + " rules");
        }
    }
    const SubsetRules* local = nullptr;
    if (auto it = subsets.by_package.find(pkg.form.atom()); it != subsets.by_package.end())
        local = &it->second;
    else if (auto c = subsets.by_category.find(pkg.form.category); c != subsets.by_category.end())
        local = &c->second;
    if (local)
        for (const auto& [name, r] : *local) rules[name] = r;
    return rules;
}

SubsetFilter::SubsetFilter(const Subsets& subsets, const spec::Definition& pkg)
    : ignore_(std::make_shared<std::vector<core::RegexList>>()) {
    for (const auto& [name, rules] : package_rules(subsets, pkg))
        if (!subsets.is_enabled(name) && !rules.empty())
            ignore_->emplace_back(rules, "subset " + name + " (package " + pkg.form.str() + ")");
}

bool SubsetFilter::excluded(const std::string& name, bool directory) const {
    if (ignore_->empty()) return false;
    const std::string path = "/" + name;
    return std::any_of(ignore_->begin(), ignore_->end(), [&](const core::RegexList& rules) {
        return rules.any(path) || (directory && rules.any(path + "/"));
    });
}

fs::path subsets_conf_file(const config::Config& cfg, const std::string& name) {
    if (cfg.subsets_confdir.empty()) throw Error("No subsets config directories defined (subsets_confdir).");
    const std::string stem = name.empty() ? "main" : name;
    if (stem.find('/') != std::string::npos || stem == "." || stem == "..")
        throw Error("invalid subsets file name '" + name + "': give a name without folders or extension");
    return cfg.config_dir(cfg.subsets_confdir.front()) / (stem + ".yml");
}

void write_enabled(const fs::path& file, const std::vector<std::string>& names) {
    YAML::Emitter out;
    out << YAML::BeginMap << YAML::Key << "enabled" << YAML::Value;
    if (names.empty()) out << YAML::Flow;
    out << names << YAML::EndMap;
    std::error_code ec;
    fs::create_directories(file.parent_path(), ec);
    if (ec) throw Error("cannot create " + file.parent_path().string() + ": " + ec.message());
    core::write_file_atomic(file, std::string(out.c_str()) + "\n");
}

}  // namespace luet::install
