#include <cstdio>
#include <iostream>

#include "cli/commands.hpp"
#include "luet/core/error.hpp"

namespace luet::cli {

void info(const std::string& line) { std::cout << line << std::endl; }
spec::LoadOptions load_options(const std::vector<std::string>& values_files) {
    spec::LoadOptions opts;
    for (const auto& f : values_files) opts.values_files.emplace_back(f);
    return opts;
}

void warn(const std::string& line) { std::cerr << "Warning: " << line << std::endl; }

}  // namespace luet::cli

int main(int argc, char** argv) {
    CLI::App app{"luet - container-based package manager"};
    app.require_subcommand(1);
    // Global flags (--config, --debug) are accepted after the subcommand too, as with cobra.
    app.fallthrough();
    luet::cli::Globals g;
    app.add_option("--config", g.config_file, "luet configuration file (default /etc/luet/luet.yaml)");
    app.add_flag("--debug,-d", g.debug, "verbose output");
    luet::cli::add_build(app, g);
    luet::cli::add_create_repo(app, g);
    luet::cli::add_install(app, g);
    luet::cli::add_uninstall(app, g);
    luet::cli::add_config(app, g);
    luet::cli::add_tree(app, g);
    luet::cli::add_pack(app, g);
    luet::cli::add_upgrade(app, g);
    luet::cli::add_reinstall(app, g);
    luet::cli::add_replace(app, g);
    try {
        app.parse(argc, argv);
    } catch (const CLI::RuntimeError& e) {
        return e.get_exit_code();  // the command already reported (e.g. tree validate)
    } catch (const CLI::ParseError& e) {
        return app.exit(e);
    } catch (const luet::Error& e) {
        std::cerr << "Error: " << e.what() << std::endl;
        return 1;
    } catch (const std::exception& e) {
        std::cerr << "Error: " << e.what() << std::endl;
        return 1;
    }
    return 0;
}
