// The global flags, LUET_* environment variables and configuration look-up of both upstreams,
// read here and nowhere else (geaaru/luet cmd/root.go initCommand/initConfig, luet-build
// cmd/root.go, mudler/luet cmd/util/config.go InitViper/initConfig), and the output they
// shape (quiet, emoji, log file, fatal warnings).
//
// Each flag sets one upstream configuration key (config::setting_keys()); the value of a key
// is, as viper gives it: the flag when given, else LUET_<KEY> from the environment, else
// luet.yaml, else the built-in default. Flags that upstream has but whose behaviour ours
// does not have say so in their help text.
#include <unistd.h>

#include <cctype>
#include <chrono>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <iostream>

#include "cli/commands.hpp"
#include "luet/plugin/bus.hpp"

#ifndef LUET_VERSION
#define LUET_VERSION "0.0.0"
#endif

namespace luet::cli {
namespace {

// A global flag and the configuration key it sets; bool flags accept --flag=false.
struct GlobalFlag {
    const char* names;
    const char* key;
    const char* help;
    bool is_bool;
};

const GlobalFlag kFlags[] = {
    {"--debug,-d", "general.debug", "verbose output", true},
    {"--quiet,-q", "general.quiet", "Disable output (progress lines; results are still printed)", true},
    {"--fatal", "general.fatal_warnings", "Enables Warnings to exit", true},
    {"--enable-logfile", "logging.enable_logfile", "Enable log to file", true},
    {"--logfile,-l", "logging.path", "Logfile path. Empty value disable log to file.", false},
    {"--no-spinner", "no_spinner", "Disable spinner (ours: no download bar redrawn in place).", true},
    {"--color", "logging.color", "Enable/Disable color (ours prints no colour codes either way).", true},
    {"--emoji", "logging.enable_emoji", "Enable/Disable emoji.", true},
    {"--skip-config-protect", "config_protect_skip", "Disable config protect analysis.", true},
    {"--system-dbpath", "system.database_path", "System db path", false},
    {"--system-target", "system.rootfs", "System rootpath", false},
    {"--system-engine", "system.database_engine",
     "System DB engine (ours: always SQLite; boltdb and memory are accepted and mean the same)", false},
    {"--same-owner", "general.same_owner",
     "Maintain same owner on uncompress (ours keeps the archive's numeric owners when run as root).", true},
    {"--concurrency", "general.concurrency", "Concurrency (artifacts downloaded at once; packages built at once by build)",
     false},
    {"--live-output", "general.show_build_output", "Show live output during build (ours always shows it).", true},
    {"--http-timeout", "general.http_timeout", "Timeout for http(s) requests in seconds (mudler/luet)", false},
    {"--solver-type", "solver.type", "Solver strategy (ours always solves with libsolv; qlearning is accepted)", false},
    {"--solver-rate", "solver.rate", "Solver learning rate (qlearning; accepted, not used)", false},
    {"--solver-discount", "solver.discount", "Solver discount rate (qlearning; accepted, not used)", false},
    {"--solver-attempts", "solver.max_attempts", "Solver maximum attempts (qlearning; accepted, not used)", false},
};

struct Output {
    bool quiet = false;
    bool no_spinner = false;
    bool emoji = true;
    bool fatal = false;
    std::ofstream log;
};

Output& output() {
    static Output out;
    return out;
}

bool is_box_drawing(unsigned char a, unsigned char b, unsigned char c) {
    // U+2500..U+257F: the frame of finalizer output, kept.
    return a == 0xE2 && b == 0x94 && c >= 0x80 ? true : (a == 0xE2 && b == 0x95 && c <= 0xBF);
}

// The line without its leading emoji (and the space after it), for --emoji=false.
std::string without_emoji(const std::string& line) {
    std::size_t i = 0;
    while (i < line.size() && line[i] == ' ') ++i;
    if (i >= line.size() || static_cast<unsigned char>(line[i]) < 0x80) return line;
    if (i + 2 < line.size() && is_box_drawing(line[i], line[i + 1], line[i + 2])) return line;
    std::size_t j = i;
    while (j < line.size() && static_cast<unsigned char>(line[j]) >= 0x80) ++j;
    if (j < line.size() && line[j] == ' ') ++j;
    return line.substr(0, i) + line.substr(j);
}

void log_line(const char* level, const std::string& line) {
    auto& out = output();
    if (!out.log.is_open()) return;
    const std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
    char stamp[32];
    std::strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%S", std::localtime(&now));
    out.log << stamp << " " << level << " " << line << std::endl;
}

}  // namespace

void info(const std::string& line) {
    log_line("INFO", line);
    if (output().quiet) return;
    std::cout << (output().emoji ? line : without_emoji(line)) << std::endl;
}

void warn(const std::string& line) {
    log_line("WARN", line);
    if (output().fatal) throw Error(line + " (warnings are fatal: --fatal)");
    std::cerr << "Warning: " << line << std::endl;
}

bool quiet_output() { return output().quiet; }

bool no_spinner() { return output().no_spinner; }

std::string version() { return LUET_VERSION; }

void load_plugins(const Globals& g) {
    std::vector<std::string> names;
    auto split = [&](const std::string& list) {  // pflag's StringSlice: comma-separated
        std::size_t start = 0;
        while (start <= list.size()) {
            const std::size_t end = std::min(list.find(',', start), list.size());
            if (end > start) names.push_back(list.substr(start, end - start));
            start = end + 1;
        }
    };
    for (const auto& p : g.plugins) split(p);
    if (const char* env = std::getenv("LUET_PLUGIN"); env && g.plugins.empty()) split(env);
    if (names.empty()) return;
    const char* path = std::getenv("PATH");
    auto found = plugin::find(names, path ? path : "");
    if (found.empty()) return;
    info("🍭 Enabled plugins:");
    for (const auto& p : found) info("\t➡ " + p.name + " (at " + p.executable.string() + ")");
    plugin::set_plugins(std::move(found), [](const std::string& line) { info(line); });
}

void add_globals(CLI::App& app, Globals& g) {
    app.add_option("--config", g.config_file, "config file (default is $HOME/.luet.yaml)");
    for (const auto& f : kFlags) {
        // std::map nodes stay where they are: the options keep pointers into them.
        if (f.is_bool) {
            bool& b = g.flag_bools[f.key];
            g.flags.push_back({app.add_flag(f.names, b, f.help), f.key, &b, nullptr});
        } else {
            std::string& v = g.flag_values[f.key];
            g.flags.push_back({app.add_option(f.names, v, f.help), f.key, nullptr, &v});
        }
    }
    app.add_option("--plugin", g.plugins,
                   "A list of runtime plugins to load (mudler/luet): executables in $PATH run on luet's events "
                   "(repeat the flag or separate names with commas; also LUET_PLUGIN)")
        ->allow_extra_args(false);
    app.add_flag("--avoid-cleanup-tmpdir", g.avoid_cleanup_tmpdir,
                 "For debugging could help to see the content of temporary dirs (luet-build).");
    app.add_flag_callback(
        "--version,-v",
        [&app] {
            std::cout << app.get_name() << " version " << version() << std::endl;
            throw CLI::Success();
        },
        "version for luet");
    // The configuration is read once, before the command runs, as upstream's PersistentPreRun.
    app.parse_complete_callback([&g] {
        g.config = load_config(g);
        load_plugins(g);
    });
}

std::vector<config::Setting> global_settings(const Globals& g) {
    std::vector<config::Setting> out;
    const auto cwd = std::filesystem::current_path();
    for (const auto& key : config::setting_keys()) {
        const std::string env = config::env_name(key);
        if (const char* v = std::getenv(env.c_str()); v && *v) out.push_back({key, v, env, cwd});
    }
    for (const auto& f : g.flags) {
        if (f.option->count() == 0) continue;
        const std::string name = f.option->get_name();
        out.push_back({f.key, f.flag ? (*f.flag ? "true" : "false") : *f.value, name, cwd});
    }
    return out;
}

config::Config load_config(const Globals& g) {
    if (g.config) return *g.config;
    std::filesystem::path file = g.config_file;
    if (file.empty()) {
        const char* home = std::getenv("HOME");
        file = config::find_file(std::filesystem::current_path(), home ? home : "");
    } else if (!std::filesystem::exists(file)) {
        // geaaru/luet reads a missing --config file as no file (exit 0); ours says so.
        std::cerr << "Warning: config file " << file.string() << " not found: using the built-in defaults"
                  << std::endl;
        file.clear();
    }
    config::Config cfg = config::load(file, global_settings(g));
    auto& out = output();
    out.quiet = cfg.quiet;
    out.no_spinner = cfg.no_spinner;
    out.emoji = cfg.enable_emoji;
    out.fatal = cfg.fatal_warnings;
    if (cfg.enable_logfile && !cfg.log_path.empty() && !out.log.is_open()) {
        out.log.open(cfg.log_path, std::ios::app);
        if (!out.log) throw Error("cannot open the log file " + cfg.log_path.string() + " (--logfile)");
    }
    return cfg;
}

bool env_true(const char* name) {
    const char* v = std::getenv(name);
    return v && config::parse_bool(v).value_or(false);
}

std::optional<std::int64_t> source_date_epoch() {
    const char* v = std::getenv("SOURCE_DATE_EPOCH");
    if (!v || !*v) return std::nullopt;
    const std::string text = v;
    std::size_t used = 0;
    long long seconds = -1;
    try {
        seconds = std::stoll(text, &used);
    } catch (const std::exception&) {
        used = 0;
    }
    if (used != text.size() || seconds < 0)
        throw Error("SOURCE_DATE_EPOCH='" + text + "' is not a number of seconds since 1970-01-01 UTC");
    return seconds;
}

bool assume_yes(const CLI::App* cmd, bool yes) {
    if (cmd->count("--yes") > 0) return yes;
    return env_true("LUET_YES");
}

bool ask(const std::string& question) {
    if (::isatty(STDIN_FILENO) != 1) return true;  // a script: no one to ask, go on as with -y
    std::cout << question << " [y/N]: " << std::flush;
    std::string answer;
    if (!std::getline(std::cin, answer)) return false;
    for (auto& c : answer) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return answer == "y" || answer == "yes";
}

}  // namespace luet::cli
