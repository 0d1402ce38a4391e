// The luet command line: one file per command, each registering its subcommand.
// Upstream names, flags and exit codes (mudler/luet cmd/, geaaru/luet cmd/): errors print
// "Error: <message>" and exit 1.
#pragma once

#include <CLI/CLI.hpp>

#include <array>

#include "luet/config/config.hpp"
#include "luet/core/error.hpp"
#include "luet/install/transaction.hpp"
#include "luet/spec/spec.hpp"

#include <cstdint>
#include <functional>
#include <initializer_list>
#include <map>
#include <optional>
#include <string_view>
#include <string>

namespace luet::cli {

using luet::Error;

// The global flags (globals.cpp). Each flag of `flags` sets one configuration key.
struct Globals {
    struct Flag {
        CLI::Option* option;
        std::string key;           // config::setting_keys() spelling
        const bool* flag;          // bool flags
        const std::string* value;  // flags with a value
    };
    std::string config_file;  // --config
    std::map<std::string, bool> flag_bools;
    std::map<std::string, std::string> flag_values;
    std::vector<Flag> flags;
    std::vector<std::string> plugins;  // --plugin
    bool avoid_cleanup_tmpdir = false;
    std::optional<config::Config> config;  // read once the command line is parsed
};

// Registers the global flags of both upstreams (and --version/-v) on the root command, and
// reads the configuration once the command line is parsed.
void add_globals(CLI::App& app, Globals& g);
// The settings of the LUET_* environment variables and of the global flags given, in
// precedence order (the flags last).
std::vector<config::Setting> global_settings(const Globals& g);
// "0.1.0": the version of this luet.
std::string version();
// True when the environment variable is set to a true value (LUET_YES=true).
bool env_true(const char* name);
// SOURCE_DATE_EPOCH (https://reproducible-builds.org/specs/source-date-epoch/) when set;
// throws luet::Error when it is not a non-negative integer.
std::optional<std::int64_t> source_date_epoch();
// -y/--yes when given on `cmd`, else LUET_YES (upstream binds the "yes" key to both).
bool assume_yes(const CLI::App* cmd, bool yes);
// Asks QUESTION [y/N] on a terminal; true for y/yes. Without a terminal on stdin there is
// no one to ask: true, as with -y.
bool ask(const std::string& question);
// Whether -q/--quiet (general.quiet) silences progress lines.
bool quiet_output();
// Whether --no-spinner (no_spinner) asks for plain lines instead of a bar redrawn in place.
bool no_spinner();

// Each returns nothing; failures throw luet::Error, which main() prints.
void add_build(CLI::App& app, Globals& g);
void add_create_repo(CLI::App& app, Globals& g);
void add_install(CLI::App& app, Globals& g);
void add_uninstall(CLI::App& app, Globals& g);
void add_config(CLI::App& app, Globals& g);
void add_tree(CLI::App& app, Globals& g);
void add_pack(CLI::App& app, Globals& g);
void add_upgrade(CLI::App& app, Globals& g);
void add_reinstall(CLI::App& app, Globals& g);
void add_replace(CLI::App& app, Globals& g);

// Shared by the commands that change a rootfs (install.cpp): the configuration of --config
// (defaults when no file), progress lines and finalizer output to stdout, package arguments,
// --finalizer-env KEY=VALUE merged over luet.yaml's finalizer_envs, and the result lines
// (finalizer failures become an Error, so the exit is 1 while the install stays).
install::Reporter install_reporter();
std::vector<core::PackageRef> parse_packages(const std::vector<std::string>& args);
void add_finalizer_env_flag(CLI::App* cmd, std::vector<std::string>& values);
// Also sets LUET_VERSION and ANISE_SUBSETS (the enabled subsets), as geaaru/luet gives every
// finalizer (pkg/v2/repository/finalizer.go).
void apply_finalizer_envs(config::Config& cfg, const std::vector<std::string>& values);
void report(const install::Result& result, const install::Options& opts);
// Finalizer failures become an Error (exit 1) while the transaction stays.
void report_finalizer_errors(const install::Result& result);

// The flags that decide whether a solved plan runs: -y/--yes (else LUET_YES, else the
// question on a terminal), -p/--pretend and --show-install-order/--show-upgrade-order
// (print the plan and stop), and --cleanup/--purge-repos (empty the caches afterwards).
struct PlanFlags {
    CLI::App* cmd = nullptr;
    bool yes = false;
    bool pretend = false;
    bool show_order = false;
    bool cleanup = false;
    bool purge_repos = false;
};
// `order_flag`: "--show-install-order", "--show-upgrade-order" or "" (none); `cleanup`: add
// --cleanup and --purge-repos.
void add_plan_flags(CLI::App* cmd, PlanFlags& f, const std::string& order_flag, bool cleanup);
// install_reporter() whose confirm hook applies `f`.
install::Reporter plan_reporter(const PlanFlags& f);
// After the transaction: "cancelled by user" (exit 1) when the question was answered no, and
// the caches emptied with --cleanup.
void finish(const PlanFlags& f, const install::Result& result, const config::Config& cfg);
// An upstream flag whose behaviour ours has built in (or that has no counterpart in ours):
// accepted, and its help says why it changes nothing.
CLI::Option* add_accepted_flag(CLI::App* cmd, const std::string& names, const std::string& help);

void add_serve_repo(CLI::App& app, Globals& g);
// `luet util image-exist|unpack|pack` (util.cpp).
void add_util(CLI::App& app, Globals& g);
void add_repo(CLI::App& app, Globals& g);
void add_search(CLI::App& app, Globals& g);
void add_database(CLI::App& app, Globals& g);
void add_cleanup(CLI::App& app, Globals& g);
void add_subsets(CLI::App& app, Globals& g);
void add_miner(CLI::App& app, Globals& g);
void add_query(CLI::App& app, Globals& g);
void add_oscheck(CLI::App& app, Globals& g);
// `luet oscheck`: lists the installed packages with files missing from the rootfs; with
// `reinstall`, reinstalls them. Throws luet::Error when packages are broken and not repaired.
void run_oscheck(const Globals& g, bool reinstall);
void add_reclaim(CLI::App& app, Globals& g);
void add_box(CLI::App& app, Globals& g);
// cobra's built-ins and mudler/luet's `version` (completion.cpp).
void add_completion(CLI::App& app);
void add_help(CLI::App& app);
void add_version(CLI::App& app);

// The configuration: --config FILE (a missing FILE gives the built-in defaults, with a
// warning, as geaaru/luet), else the first of ./.luet.yaml, $HOME/.luet.yaml,
// /etc/luet/luet.yaml; then LUET_* variables and the global flags (globals.cpp).
config::Config load_config(const Globals& g);

// Progress of artifact downloads (install::Reporter::download): a bar on a terminal, one
// line per finished artifact otherwise. Called serialised by the library.
using DownloadProgress = std::function<void(const core::PackageForm&, std::uint64_t done, std::uint64_t total)>;
DownloadProgress download_progress();

// Refuses an --output value outside `allowed`: "unknown output format 'X' (available: ...)".
void check_output(const std::string& output,
                  std::initializer_list<std::string_view> allowed = {"terminal", "json", "yaml"});

// geaaru/luet's --table (olekukonko/tablewriter as search and query belongs set it up):
// centred upper-case headers, a dashed separator, cells left-aligned, "|" borders left and right.
// `rows` are (package "cat/name", version, repository).
void print_package_table(const std::vector<std::array<std::string, 3>>& rows);

// Tree loading options from the --values flags (build, create-repo).
spec::LoadOptions load_options(const std::vector<std::string>& values_files);
// The tree of `roots` and, with `from_repositories`, the build specs of every enabled
// repository of the configuration (repo/build_trees.hpp) unpacked into `work` (which must
// outlive the tree: the specs' folders are build contexts). The image repositories their
// metadata records are added to `image_repositories` when given (build.cpp).
spec::Tree load_build_tree(const std::vector<std::string>& roots, const std::vector<std::string>& values,
                           bool from_repositories, const Globals& g, const std::filesystem::path& work,
                           std::map<std::string, std::string>* image_repositories);

// Status lines of long work go to stdout (none with --quiet; without their emoji with
// --emoji=false; also to the log file with --enable-logfile). warn() writes to stderr, or
// throws luet::Error with --fatal.
void info(const std::string& line);
void warn(const std::string& line);

}  // namespace luet::cli
