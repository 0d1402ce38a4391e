// `luet serve-repo --dir DIR --address A --port P` (mudler/luet cmd/serve-repo.go).
#include <cstdlib>
#include <filesystem>

#include "cli/commands.hpp"
#include "luet/repo/serve.hpp"

namespace luet::cli {

void add_serve_repo(CLI::App& app, Globals&) {
    auto opts = std::make_shared<repo::ServeOptions>();
    opts->dir = std::filesystem::current_path();
    auto* cmd = app.add_subcommand("serve-repo", "Embedded micro-http server");
    cmd->add_option("--dir", opts->dir, "Packages folder (output from build)");
    cmd->add_option("--port", opts->port, "Listening port (0: any free port)");
    cmd->add_option("--address", opts->address, "Listening address");
    cmd->callback([opts] {
        if (const char* drop = std::getenv("LUET_TEST_SERVE_DROP_AFTER")) opts->drop_after = std::strtoull(drop, nullptr, 10);
        repo::serve(
            *opts, [&](int port) { info("Serving " + opts->dir.string() + " on HTTP port: " + std::to_string(port)); },
            [](const std::string& line) { info(line); });
    });
}

}  // namespace luet::cli
