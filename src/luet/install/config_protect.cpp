#include "luet/install/config_protect.hpp"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>

#include "luet/core/error.hpp"
#include "luet/core/file.hpp"
#include "luet/install/extract.hpp"
#include "luet/spec/yaml_util.hpp"

namespace fs = std::filesystem;

namespace luet::install {
namespace {

// "/etc/" -> "/etc", "etc" -> "/etc", "/" -> "/".
std::string normalize_dir(const std::string& dir) {
    std::string d = fs::path("/" + dir).lexically_normal().string();
    while (d.size() > 1 && d.back() == '/') d.pop_back();
    return d;
}

}  // namespace

ConfigProtectFile parse_config_protect(const std::string& yaml_text, const std::string& origin) {
    YAML::Node n = spec::load_yaml(yaml_text, origin);
    ConfigProtectFile f;
    f.name = spec::scalar(n, "name", origin);
    f.dirs = spec::strings(n, "dirs", origin);
    if (f.name.empty() || f.dirs.empty())
        throw Error(origin + ": invalid config protect file (it needs a 'name' and a 'dirs' list)");
    return f;
}

ConfigProtect load_config_protect(const config::Config& cfg) {
    ConfigProtect cp;
    cp.skip = cfg.config_protect_skip;
    for (const auto& d : cfg.config_protect_confdir) {
        const fs::path dir = cfg.config_dir(d);
        std::error_code ec;
        if (!fs::is_directory(dir, ec)) continue;
        std::vector<fs::path> files;
        for (const auto& e : fs::directory_iterator(dir))
            if (!e.is_directory() && e.path().extension() == ".yml") files.push_back(e.path());
        std::sort(files.begin(), files.end());
        for (const auto& f : files) cp.files.push_back(parse_config_protect(core::read_file(f), f.string()));
    }
    return cp;
}

ProtectedDirs::ProtectedDirs(const ConfigProtect& protect, const spec::Definition& pkg) {
    if (protect.skip) return;
    for (const auto& f : protect.files)
        for (const auto& d : f.dirs) dirs_.push_back(normalize_dir(d));
    if (auto it = pkg.annotations.find("config_protect"); it != pkg.annotations.end() && !it->second.empty()) {
        if (!spec::map_value(it->second).IsScalar())
            throw Error("package " + pkg.form.str() + ": annotation 'config_protect' must be a folder path");
        dirs_.push_back(normalize_dir(it->second));
    }
}

bool ProtectedDirs::protects(const std::string& name) const {
    const std::string path = "/" + name;
    return std::any_of(dirs_.begin(), dirs_.end(), [&](const std::string& d) {
        return d == "/" || path == d || path.starts_with(d + "/");
    });
}

std::string protected_name(const fs::path& rootfs, const std::string& name) {
    const fs::path rel(name);
    const fs::path folder = resolve_in_root(rootfs, rel.parent_path(), true);
    for (int i = 1; i <= 9999; ++i) {
        const std::string base = fmt::format("._cfg{:04d}_{}", i, rel.filename().string());
        std::error_code ec;
        if (!fs::exists(fs::symlink_status(folder / base, ec))) return (rel.parent_path() / base).string();
    }
    throw Error("config protect: no free ._cfgNNNN_ name left for /" + name);
}

}  // namespace luet::install
