#include "luet/install/cleanup.hpp"

#include <filesystem>
#include <system_error>

#include "luet/core/error.hpp"

namespace fs = std::filesystem;

namespace luet::install {
namespace {

// Removes the entries of `dir` that `pick` selects; returns how many.
template <typename Pick>
std::size_t remove_entries(const fs::path& dir, Pick pick) {
    std::error_code ec;
    if (!fs::is_directory(dir, ec)) return 0;
    std::size_t count = 0;
    for (const auto& e : fs::directory_iterator(dir)) {
        if (!pick(e)) continue;
        fs::remove_all(e.path(), ec);
        if (ec) throw Error("cannot remove " + e.path().string() + ": " + ec.message());
        ++count;
    }
    return count;
}

}  // namespace

bool is_cached_artifact(const std::string& name) {
    // NAME-CATEGORY-VERSION.package.tar[.gz|.zst], and ".download" while it is fetched.
    return !name.empty() && name.front() != '.' && name.find(".package.tar") != std::string::npos;
}

std::size_t clean_packages_cache(const config::Config& cfg) {
    return remove_entries(cfg.packages_cache_dir(), [](const fs::directory_entry& e) {
        std::error_code ec;
        return !e.is_directory(ec) && is_cached_artifact(e.path().filename().string());
    });
}

std::size_t purge_repositories(const config::Config& cfg) {
    return remove_entries(cfg.system_dir() / "repos", [](const fs::directory_entry& e) {
        std::error_code ec;
        return e.is_directory(ec) && !e.is_symlink(ec);
    });
}

}  // namespace luet::install
