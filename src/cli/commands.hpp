// The luet command line: one file per command, each registering its subcommand.
// Upstream names, flags and exit codes (mudler/luet cmd/, geaaru/luet cmd/): errors print
// "Error: <message>" and exit 1.
#pragma once

#include <CLI/CLI.hpp>

#include "luet/config/config.hpp"
#include "luet/core/error.hpp"
#include "luet/install/transaction.hpp"
#include "luet/spec/spec.hpp"

#include <cstdint>
#include <functional>
#include <initializer_list>
#include <string_view>
#include <string>

namespace luet::cli {

using luet::Error;

struct Globals {
    std::string config_file;  // --config
    bool debug = false;
};

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
void apply_finalizer_envs(config::Config& cfg, const std::vector<std::string>& values);
void report(const install::Result& result, const install::Options& opts);

void add_serve_repo(CLI::App& app, Globals& g);
void add_repo(CLI::App& app, Globals& g);
void add_search(CLI::App& app, Globals& g);
void add_database(CLI::App& app, Globals& g);
void add_cleanup(CLI::App& app, Globals& g);
void add_subsets(CLI::App& app, Globals& g);
void add_miner(CLI::App& app, Globals& g);
void add_query(CLI::App& app, Globals& g);

// The luet.yaml of --config (default /etc/luet/luet.yaml; built-in defaults when that is
// missing). Defined in install.cpp.
config::Config load_config(const Globals& g);

// Progress of artifact downloads (install::Reporter::download): a bar on a terminal, one
// line per finished artifact otherwise. Called serialised by the library.
using DownloadProgress = std::function<void(const core::PackageForm&, std::uint64_t done, std::uint64_t total)>;
DownloadProgress download_progress();

// Refuses an --output value outside `allowed`: "unknown output format 'X' (available: ...)".
void check_output(const std::string& output,
                  std::initializer_list<std::string_view> allowed = {"terminal", "json", "yaml"});

// Tree loading options from the --values flags (build, create-repo).
spec::LoadOptions load_options(const std::vector<std::string>& values_files);

// Status lines of long work go to stdout with a fixed prefix so they stay readable when
// interleaved with container output.
void info(const std::string& line);
void warn(const std::string& line);

}  // namespace luet::cli
