// Subsets: named groups of a package's files (e.g. "devel" for headers) that are installed
// only when the subset is enabled.
//
// Upstream: geaaru/luet pkg/subsets/subsets.go, pkg/config/subsets.go and
// pkg/v2/compiler/types/artifact (GetSubsets, GetTarFormersSpec); reference doc
// ../shared/spec 003 "Subsets".
//   - Rules come from the definition's `annotations.subsets.rules` (subset name -> list of
//     Go regexes), then from the files of `subsets_defdir`:
//       subsets_def:
//         KEY: {name, descr (or description), rules: [...], packages: [cat/name], categories: [...]}
//     A local definition for the package replaces the definition's rules of the same subset
//     (and adds new subsets); only when there is none for the package do the definitions
//     for its category do so. Definitions naming several files for the same package and
//     subset append their rules. Definitions without packages and categories only describe
//     a subset (`subsets list`).
//   - Enabled subsets: luet.yaml `subsets.enabled`, then every `enabled:` list of the *.yml /
//     *.yaml files of `subsets_confdir`.
//   - Rules match the entry path with a leading "/" (folders also with a trailing "/"); an
//     entry matching a rule of a subset that is not enabled is not installed.
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "luet/config/config.hpp"
#include "luet/core/regex.hpp"
#include "luet/spec/spec.hpp"

namespace luet::install {

struct SubsetDefinition {
    std::string name;
    std::string description;
    std::vector<std::string> rules;
    std::vector<std::string> packages;    // "category/name"
    std::vector<std::string> categories;
};

// subset name -> rules
using SubsetRules = std::map<std::string, std::vector<std::string>>;

struct Subsets {
    std::vector<std::string> enabled;  // in configuration order, without duplicates
    std::map<std::string, SubsetDefinition> descriptions;     // definitions without packages/categories
    std::map<std::string, SubsetRules> by_package;            // "category/name" -> rules
    std::map<std::string, SubsetRules> by_category;

    bool is_enabled(const std::string& name) const;
};

// Adds the definitions of one subsets_defdir document. Throws luet::Error naming `origin` when
// it has no `subsets_def` map, or a definition has no rules or a malformed field.
void add_definitions(Subsets& subsets, const std::string& yaml_text, const std::string& origin);

// The `enabled:` list of a subsets_confdir file (empty when the file has none).
// Throws luet::Error naming `origin` on malformed YAML.
std::vector<std::string> parse_enabled(const std::string& yaml_text, const std::string& origin);

// Reads luet.yaml's subsets.enabled and the folders subsets_defdir and subsets_confdir
// (missing folders are skipped). Throws luet::Error naming the file on malformed content.
Subsets load_subsets(const config::Config& cfg);

// The rules that apply to `pkg`, by the precedence above. Throws luet::Error naming the
// package when its subsets annotation is malformed.
SubsetRules package_rules(const Subsets& subsets, const spec::Definition& pkg);

// Decides which entries of one package are left out.
class SubsetFilter {
public:
    // Compiles the rules (package_rules) of the package's subsets that are not enabled.
    // Throws luet::Error for an invalid regex, naming the package and the subset.
    SubsetFilter(const Subsets& subsets, const spec::Definition& pkg);

    // `name` is an entry name without a leading "/", e.g. "usr/include/x.h".
    bool excluded(const std::string& name, bool directory) const;
    bool empty() const { return ignore_->empty(); }

private:
    std::shared_ptr<std::vector<core::RegexList>> ignore_;  // one list per subset not enabled; shared by copies
};

// The file `subsets enable/disable` edits: <first subsets_confdir>/<name>.yml, where name is
// "main" by default. Throws luet::Error when no subsets_confdir is configured or `name` is not
// a plain file name.
std::filesystem::path subsets_conf_file(const config::Config& cfg, const std::string& name);

// Writes `enabled:` with `names` to `file` atomically (temporary file + rename), creating the
// folder. Throws luet::Error naming the file on I/O failure.
void write_enabled(const std::filesystem::path& file, const std::vector<std::string>& names);

}  // namespace luet::install
