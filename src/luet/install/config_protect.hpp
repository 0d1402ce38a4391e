// Config protect: configuration files changed on disk survive package installs.
//
// Upstream: mudler/luet pkg/config (ConfigProtect, config_protect_confdir) and
// pkg/compiler/types/artifact (tarModifierWrapperFunc); geaaru/luet pkg/config/config_protect.go
// and pkg/v2/installer (removePackageFiles).
//   - Protected folders come from the *.yml files of `config_protect_confdir`
//       name: NAME
//       dirs: [/etc/, ...]
//     and from the package definition's annotation `config_protect` (one folder).
//     `config_protect_skip: true` in luet.yaml turns the feature off.
//   - A protected file that is already on disk with a different content keeps it; the
//     package's content is written beside it as ._cfgNNNN_<name> (NNNN from 0001, as upstream).
//   - Removing a package keeps its protected files.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "luet/config/config.hpp"
#include "luet/spec/spec.hpp"

namespace luet::install {

struct ConfigProtectFile {
    std::string name;
    std::vector<std::string> dirs;
};

struct ConfigProtect {
    bool skip = false;  // config_protect_skip
    std::vector<ConfigProtectFile> files;
};

// One config_protect_confdir file. Throws luet::Error naming `origin` when it has no name or
// no dirs.
ConfigProtectFile parse_config_protect(const std::string& yaml_text, const std::string& origin);

// The *.yml files of every config_protect_confdir (missing folders are skipped), sorted by
// name. Throws luet::Error naming the file on malformed content.
ConfigProtect load_config_protect(const config::Config& cfg);

// The protected folders of one package.
class ProtectedDirs {
public:
    // Throws luet::Error naming the package when its config_protect annotation is not a path.
    ProtectedDirs(const ConfigProtect& protect, const spec::Definition& pkg);

    // `name` is an entry name without a leading "/", e.g. "etc/app.conf"; true when it lies
    // in (or is) a protected folder.
    bool protects(const std::string& name) const;
    bool empty() const { return dirs_.empty(); }

private:
    std::vector<std::string> dirs_;  // "/etc", without a trailing "/" ("/" for the root)
};

// The name the package's version of the protected file `name` (relative to the rootfs) is
// written under: "<folder>/._cfgNNNN_<file>" with the lowest NNNN from 0001 not on disk.
// Throws luet::Error when 0001 to 9999 are all taken.
std::string protected_name(const std::filesystem::path& rootfs, const std::string& name);

}  // namespace luet::install
