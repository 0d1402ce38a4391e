// What the client applies to every file of a package it installs: subsets (subsets.hpp) and
// config protect (config_protect.hpp), loaded once per command.
#pragma once

#include <functional>
#include <string>

#include "luet/config/config.hpp"
#include "luet/install/config_protect.hpp"
#include "luet/install/extract.hpp"
#include "luet/install/subsets.hpp"
#include "luet/spec/spec.hpp"

namespace luet::install {

struct FileRules {
    Subsets subsets;
    ConfigProtect protect;
};

// Throws luet::Error naming the file on a malformed subsets or config protect file.
FileRules load_file_rules(const config::Config& cfg);

// The extract filter of one package: entries of subsets that are not enabled are skipped,
// files in protected folders are protected. `on_protected` (may be empty) receives the
// protected files written aside. Throws luet::Error naming the package on malformed
// annotations or rules.
ExtractFilter extract_filter(const FileRules& rules, const spec::Definition& pkg,
                             std::function<void(const std::string& name, const std::string& written_as)> on_protected);

}  // namespace luet::install
