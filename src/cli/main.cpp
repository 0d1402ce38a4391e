#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <algorithm>
#include <array>
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

using Registrar = void (*)(CLI::App&, luet::cli::Globals&);
// The top-level commands in the order help lists them: the names and aliases each answers to
// (`names`), whether it exists in luet-build too (`builder`), and whether it needs every other
// command registered (help and completion walk them all).
struct Command {
    std::array<std::string_view, 3> names;  // unused slots empty
    Registrar add;
    bool builder;
    bool needs_all = false;
};
using namespace luet::cli;
const Command kCommands[] = {
    {{"build"}, add_build, true},
    {{"create-repo"}, add_create_repo, true},
    {{"tree"}, add_tree, true},
    {{"pack"}, add_pack, true},
    {{"serve-repo"}, add_serve_repo, true},
    {{"config", "c"}, add_config, true},
    {{"version"}, [](CLI::App& a, Globals&) { add_version(a); }, true},
    {{"install", "i"}, add_install, false},
    {{"uninstall", "rm", "un"}, add_uninstall, false},
    {{"repo"}, add_repo, false},
    {{"search", "s"}, add_search, false},
    {{"database"}, add_database, false},
    {{"cleanup"}, add_cleanup, false},
    {{"upgrade", "u"}, add_upgrade, false},
    {{"reinstall"}, add_reinstall, false},
    {{"replace", "r"}, add_replace, false},
    {{"subsets"}, add_subsets, false},
    {{"miner"}, add_miner, false},
    {{"query", "q"}, add_query, false},
    {{"oscheck"}, add_oscheck, false},
    {{"reclaim"}, add_reclaim, false},
    {{"util"}, add_util, false},
    {{"box", "exec"}, add_box, false},
    {{"completion"}, [](CLI::App& a, Globals&) { add_completion(a); }, true, true},
    {{"help"}, [](CLI::App& a, Globals&) { add_help(a); }, true, true},
};

// The first word of the command line that is not an option nor the value of a global option
// ("luet --config F search x" -> "search"); empty when there is none.
std::string first_command(const CLI::App& app, int argc, char** argv) {
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        if (arg == "--") break;
        if (!arg.starts_with("-")) return arg;
        const auto* opt = find_option(&app, arg);
        if (opt && opt->get_expected_min() > 0 && arg.find('=') == std::string::npos) ++i;
    }
    return {};
}

// Registers the command the command line names, alone: building all ~100 commands, flags and
// their callbacks costs about 0.5 ms of CPU, a sixth of a `luet search`. Every command is
// registered when none is named, for help and completion, for a name not in kCommands (an
// extension, a typo: the error lists the commands), and when the chosen entry does not
// register what its names promise.
void register_commands(CLI::App& app, luet::cli::Globals& g, bool builder, const std::string& name) {
    const Command* chosen = nullptr;
    for (const auto& c : kCommands)
        if (!name.empty() && (!builder || c.builder) && !c.needs_all &&
            std::find(c.names.begin(), c.names.end(), name) != c.names.end())
            chosen = &c;
    if (chosen) {
        chosen->add(app, g);
        if (!app.get_subcommands([&](CLI::App* sub) { return sub->check_name(name); }).empty()) return;
    }
    for (const auto& c : kCommands)
        if (&c != chosen && (!builder || c.builder)) c.add(app, g);
}

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
    register_commands(app, g, builder, first_command(app, argc, argv));
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
