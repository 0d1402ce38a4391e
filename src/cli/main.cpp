#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <algorithm>
#include <iostream>
#include <string_view>

#include "cli/commands.hpp"
#include "luet/core/error.hpp"

namespace luet::cli {

spec::LoadOptions load_options(const std::vector<std::string>& values_files) {
    spec::LoadOptions opts;
    for (const auto& f : values_files) opts.values_files.emplace_back(f);
    opts.warning = [](const std::string& w) { warn(w); };
    return opts;
}

void print_package_table(const std::vector<std::array<std::string, 3>>& rows) {
    const std::array<std::string, 3> header = {"PACKAGE", "VERSION", "REPOSITORY"};
    std::array<size_t, 3> width{};
    for (size_t i = 0; i < 3; ++i) width[i] = header[i].size();
    for (const auto& row : rows)
        for (size_t i = 0; i < 3; ++i) width[i] = std::max(width[i], row[i].size());
    auto line = [&](const std::array<std::string, 3>& row, bool centre) {
        std::string out = "|";
        for (size_t i = 0; i < 3; ++i) {
            const size_t gap = width[i] - row[i].size(), left = centre ? gap / 2 : 0;
            out += " " + std::string(left, ' ') + row[i] + std::string(gap - left, ' ') + " |";
        }
        std::cout << out << "\n";
    };
    line(header, true);
    std::string sep = "|";
    for (size_t w : width) sep += std::string(w + 2, '-') + "|";
    std::cout << sep << "\n";
    for (const auto& row : rows) line(row, false);
}

void check_output(const std::string& output, std::initializer_list<std::string_view> allowed) {
    std::string names;
    for (const auto& a : allowed) {
        if (output == a) return;
        names += (names.empty() ? "" : ", ") + std::string(a);
    }
    throw Error("unknown output format '" + output + "' (available: " + names + ")");
}

}  // namespace luet::cli

namespace {

// An extension: an executable luet-NAME in PATH or in ./extensions (mudler/luet
// cmd/util/config.go, extensions.Discover("luet", "extensions")); empty when none.
std::string find_extension(const std::string& name) {
    if (name.empty() || name.find('/') != std::string::npos) return {};
    const std::string file = "luet-" + name;
    std::vector<std::filesystem::path> dirs;
    if (const char* path = std::getenv("PATH"))
        for (std::string_view rest = path; !rest.empty();) {
            const auto colon = rest.find(':');
            dirs.emplace_back(std::string(rest.substr(0, colon)));
            rest = colon == std::string_view::npos ? std::string_view{} : rest.substr(colon + 1);
        }
    dirs.emplace_back("extensions");
    for (const auto& d : dirs) {
        const auto candidate = (d.empty() ? std::filesystem::path(".") : d) / file;
        std::error_code ec;
        if (std::filesystem::is_regular_file(candidate, ec) && ::access(candidate.c_str(), X_OK) == 0)
            return candidate.string();
    }
    return {};
}

// The option named `arg` ("--config", "-l", "--config=x") of `level` or of a command above it
// (global flags fall through), or null.
const CLI::Option* find_option(const CLI::App* level, const std::string& arg) {
    std::string name = arg.substr(0, arg.find('='));
    for (const CLI::App* a = level; a; a = a->get_parent())
        if (const auto* opt = a->get_option_no_throw(name)) return opt;
    return nullptr;
}

}  // namespace

namespace {

// The error that ends a command goes to stderr. geaaru/luet prints it on stdout (its logger
// writes everything there), and scripts written for it capture `out=$(luet ...)` and look
// for the message: when stdout is not where stderr goes, the message is written there too
// (once on a terminal, where both are the same).
void report_error(const char* what) {
    std::cerr << "Error: " << what << std::endl;
    struct stat out {}, err {};
    if (fstat(STDOUT_FILENO, &out) != 0) return;
    if (fstat(STDERR_FILENO, &err) == 0 && out.st_dev == err.st_dev && out.st_ino == err.st_ino) return;
    std::cout << "Error: " << what << std::endl;
}

}  // namespace

int main(int argc, char** argv) {
    // Invoked as luet-build, the binary is the Macaroni builder (geaaru/luet: luet-build
    // builds and publishes, luet installs); as luet it keeps every command, as mudler/luet.
    const std::string self = std::filesystem::path(argc > 0 ? argv[0] : "luet").filename().string();
    const bool builder = self == "luet-build";
    CLI::App app{builder ? "luet-build - build packages and create repositories"
                         : "luet - container-based package manager"};
    app.name(builder ? "luet-build" : "luet");
    app.require_subcommand(1);
    // Global flags are accepted after the subcommand too, as with cobra's persistent flags.
    app.fallthrough();
    luet::cli::Globals g;
    luet::cli::add_globals(app, g);
    luet::cli::add_build(app, g);
    luet::cli::add_create_repo(app, g);
    luet::cli::add_tree(app, g);
    luet::cli::add_pack(app, g);
    luet::cli::add_serve_repo(app, g);
    luet::cli::add_config(app, g);
    luet::cli::add_version(app);
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
        luet::cli::add_oscheck(app, g);
        luet::cli::add_reclaim(app, g);
        luet::cli::add_util(app, g);
        luet::cli::add_box(app, g);
    }
    luet::cli::add_completion(app);
    luet::cli::add_help(app);
    // cobra's answer to an unknown command (at any level: "luet repo nosuch"), rather than
    // CLI11's "A subcommand is required"; an unknown first command may be an extension.
    CLI::App* level = &app;
    std::string path = app.get_name();
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        if (arg == "--") break;
        if (arg.starts_with("-")) {
            // Skip the value of an option that takes one ("--config FILE", "-l FILE").
            const auto* opt = find_option(level, arg);
            if (opt && opt->get_expected_min() > 0 && arg.find('=') == std::string::npos) ++i;
            continue;
        }
        if (level->get_subcommands([](CLI::App*) { return true; }).empty()) break;  // a positional argument
        const auto subs = level->get_subcommands([&](CLI::App* sub) { return sub->check_name(arg); });
        if (subs.empty()) {
            if (level == &app) {
                if (const std::string ext = find_extension(arg); !ext.empty()) {
                    std::vector<char*> args = {const_cast<char*>(ext.c_str())};
                    for (int j = i + 1; j < argc; ++j) args.push_back(argv[j]);
                    args.push_back(nullptr);
                    ::execv(ext.c_str(), args.data());
                    std::cerr << "Error: cannot run extension " << ext << ": " << std::strerror(errno) << std::endl;
                    return 1;
                }
            }
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
        // Help and --version exit 0; usage errors exit 1, as cobra does.
        return app.exit(e) == 0 ? 0 : 1;
    } catch (const std::exception& e) {
        report_error(e.what());
        return 1;
    }
    return 0;
}
