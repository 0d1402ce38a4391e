// `luet cleanup [--purge-repos]` (mudler/luet cmd/cleanup.go, geaaru/luet cmd/cleanup.go):
// prints "Cleaned: N packages." and, with --purge-repos, "Repos Cleaned: N".
#include <memory>

#include "cli/commands.hpp"
#include "luet/install/cleanup.hpp"
#include "luet/install/transaction.hpp"

namespace luet::cli {

void add_cleanup(CLI::App& app, Globals& g) {
    auto purge = std::make_shared<bool>(false);
    auto* cmd = app.add_subcommand("cleanup", "Clean packages cache.");
    cmd->add_flag("--purge-repos", *purge, "Remove all repos files. This impacts on searching packages too.");
    cmd->callback([purge, &g] {
        const auto cfg = load_config(g);
        // Under the rootfs lock: an install running beside must not lose its downloads.
        install::with_rootfs(cfg, install_reporter(), [&](db::Database&) {
            info("Cleaned: " + std::to_string(install::clean_packages_cache(cfg)) + " packages.");
            if (*purge) info("Repos Cleaned: " + std::to_string(install::purge_repositories(cfg)));
        });
    });
}

}  // namespace luet::cli
