#include <cstdio>
#include <filesystem>
#include <iostream>

#include "cli/commands.hpp"
#include "luet/core/error.hpp"

namespace luet::cli {

void info(const std::string& line) { std::cout << line << std::endl; }
spec::LoadOptions load_options(const std::vector<std::string>& values_files) {
    spec::LoadOptions opts;
    for (const auto& f : values_files) opts.values_files.emplace_back(f);
    opts.warning = [](const std::string& w) { warn(w); };
    return opts;
}

void check_output(const std::string& output, std::initializer_list<std::string_view> allowed) {
    std::string names;
    for (const auto& a : allowed) {
        if (output == a) return;
        names += (names.empty() ? "" : ", ") + std::string(a);
    }
    throw Error("unknown output format '" + output + "' (available: " + names + ")");
}

void warn(const std::string& line) { std::cerr << "Warning: " << line << std::endl; }

}  // namespace luet::cli

int main(int argc, char** argv) {
    // Invoked as luet-build, the binary is the Macaroni builder (geaaru/luet: luet-build
    // builds and publishes, luet installs); as luet it keeps every command, as mudler/luet.
    const std::string self = std::filesystem::path(argc > 0 ? argv[0] : "luet").filename().string();
    const bool builder = self == "luet-build";
    CLI::App app{builder ? "luet-build - build packages and create repositories"
                         : "luet - container-based package manager"};
    app.name(builder ? "luet-build" : "luet");
    app.require_subcommand(1);
    // Global flags (--config, --debug) are accepted after the subcommand too, as with cobra.
    app.fallthrough();
    luet::cli::Globals g;
    app.add_option("--config", g.config_file, "luet configuration file (default /etc/luet/luet.yaml)");
    app.add_flag("--debug,-d", g.debug, "verbose output");
    luet::cli::add_build(app, g);
    luet::cli::add_create_repo(app, g);
    luet::cli::add_tree(app, g);
    luet::cli::add_pack(app, g);
    luet::cli::add_serve_repo(app, g);
    luet::cli::add_config(app, g);
    if (!builder) {
        luet::cli::add_install(app, g);
        luet::cli::add_uninstall(app, g);
        luet::cli::add_repo(app, g);
        luet::cli::add_search(app, g);
        luet::cli::add_database(app, g);
        luet::cli::add_cleanup(app, g);
        luet::cli::add_upgrade(app, g);
        luet::cli::add_reinstall(app, g);
        luet::cli::add_replace(app, g);
        luet::cli::add_subsets(app, g);
        luet::cli::add_miner(app, g);
        luet::cli::add_query(app, g);
    }
    // cobra's answer to an unknown command (at any level: "luet repo nosuch"), rather than
    // CLI11's "A subcommand is required".
    CLI::App* level = &app;
    std::string path = app.get_name();
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        if (arg == "--config") {
            ++i;
            continue;
        }
        if (arg.starts_with("-")) continue;
        if (level->get_subcommands([](CLI::App*) { return true; }).empty()) break;  // a positional argument
        const auto subs = level->get_subcommands([&](CLI::App* sub) { return sub->check_name(arg); });
        if (subs.empty()) {
            std::cerr << "Error: unknown command \"" << arg << "\" for \"" << path << "\"" << std::endl;
            return 1;
        }
        level = subs.front();
        path += " " + level->get_name();
    }
    try {
        app.parse(argc, argv);
    } catch (const CLI::RuntimeError& e) {
        return e.get_exit_code();  // the command already reported (e.g. tree validate)
    } catch (const CLI::ParseError& e) {
        // Help exits 0; usage errors exit 1, as cobra does.
        return app.exit(e) == 0 ? 0 : 1;
    } catch (const luet::Error& e) {
        std::cerr << "Error: " << e.what() << std::endl;
        return 1;
    } catch (const std::exception& e) {
        std::cerr << "Error: " << e.what() << std::endl;
        return 1;
    }
    return 0;
}
