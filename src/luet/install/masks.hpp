// Package masks: packages no install, upgrade, search or download may pick.
//
// Upstream: geaaru/luet pkg/v2/repository/mask (config key `packages_maskdir`, default
// /etc/luet/mask.d, inside the rootfs unless config_from_host). Each *.yml/*.yaml file there is
//   description: "why"        # optional
//   enabled: true             # a file with enabled: false is skipped
//   rules:                    # packages in gentoo form, as on the command line
//   - cat/name                #   every version
//   - ">=cat/name-2.0"        #   versions from 2.0
//   - "=cat/name-1.0::main"   #   that version, only in repository "main"
// A package is masked when one rule of one enabled file admits it.
#pragma once

#include <string>
#include <vector>

#include "luet/config/config.hpp"
#include "luet/core/package.hpp"

namespace luet::install {

struct MaskRule {
    core::PackageRef ref;
    std::string repository;  // "" for every repository
    std::string file;        // the mask file it comes from, for messages
};

struct PackageMasks {
    std::vector<MaskRule> rules;

    // The rule masking `form` of `repository`, or nullptr.
    const MaskRule* find(const core::PackageForm& form, const std::string& repository) const;
    bool masked(const core::PackageForm& form, const std::string& repository) const {
        return find(form, repository) != nullptr;
    }
};

// Reads the mask files of cfg.packages_maskdir (missing folders are skipped, files in name
// order). Throws luet::Error naming the file and the rule when a rule is not a package
// ("Mask file F broken: rule R: ..."), or when a file is not YAML of that shape.
PackageMasks load_masks(const config::Config& cfg);

}  // namespace luet::install
