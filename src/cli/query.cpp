// `luet query files|belongs|orphans` (geaaru/luet cmd/query.go, cmd/query/*.go).
// `belongs -o json|yaml` prints stones as `search` does (cli/stones.hpp), with their files
// (without the rootfs prefix, as geaaru); installed packages belong to the repository "system".

#include <algorithm>
#include <iostream>
#include <set>
#include <nlohmann/json.hpp>

#include "cli/commands.hpp"
#include "cli/stones.hpp"
#include "luet/db/database.hpp"
#include "luet/repo/repository.hpp"
#include "luet/template/template.hpp"

namespace fs = std::filesystem;

namespace luet::cli {
namespace {

struct Stone {
    const spec::Definition* definition;
    std::string repository;
    std::vector<std::string> files;  // entry names, e.g. "usr/bin/hello"
};

// Every installed package, or the packages of the enabled repositories `load` selects (all
// by default), with their files.
std::vector<Stone> stones(const config::Config& cfg, bool installed, std::vector<db::InstalledPackage>& db_keep,
                          std::vector<repo::LoadedRepository>& repo_keep, repo::LoadOptions load = {}) {
    std::vector<Stone> out;
    if (installed) {
        auto database = db::Database::for_reading(cfg.system_dir() / "luet.sqlite");
        db_keep = database.packages();
        for (const auto& p : db_keep) out.push_back({&p.definition, "system", database.files(p.definition.form)});
    } else {
        load.files = true;
        repo_keep = repo::load_enabled(cfg, load, {});
        for (const auto& r : repo_keep)
            for (const auto& p : r.packages) out.push_back({&p.meta.runtime, r.name, p.meta.files});
    }
    return out;
}

void print(const nlohmann::json& j, const std::string& output) {
    if (output == "json")
        std::cout << j.dump() << std::endl;
    else
        std::cout << tmpl::json_to_yaml(j) << std::endl;
}

std::string with_root(const fs::path& rootfs, const std::string& name) { return (rootfs / name).string(); }

void add_files(CLI::App& query, Globals& g) {
    struct Args {
        std::vector<std::string> packages;
        std::string output = "terminal";
        bool installed = false;
        bool rootfs_prefix = true;
    };
    auto a = std::make_shared<Args>();
    auto* cmd = query.add_subcommand("files", "Show files owned by a specific package.");
    cmd->alias("fi");
    cmd->alias("f");
    cmd->add_option("packages", a->packages, "<pkg1> ... <pkgN>")->required();
    cmd->add_option("--output,-o", a->output, "Output format ( Defaults: terminal, available: json,yaml )");
    cmd->add_flag("--installed", a->installed, "Search between system packages");
    cmd->add_flag("--with-rootfs-prefix", a->rootfs_prefix, "Add prefix of the configured rootfs path.");
    cmd->callback([a, &g] {
        check_output(a->output);
        const auto refs = parse_packages(a->packages);
        const auto cfg = load_config(g);
        std::vector<db::InstalledPackage> db_keep;
        std::vector<repo::LoadedRepository> repo_keep;
        std::vector<std::string> files;
        // Only the packages named are read from a repository index.
        repo::LoadOptions load;
        load.keep = [&refs](const std::string& category, const std::string& name) {
            return std::any_of(refs.begin(), refs.end(), [&](const core::PackageRef& r) {
                return r.name == name && (r.category.empty() || r.category == category);
            });
        };
        for (const auto& s : stones(cfg, a->installed, db_keep, repo_keep, load)) {
            if (std::none_of(refs.begin(), refs.end(), [&](const auto& r) { return r.matches(s.definition->form); }))
                continue;
            for (const auto& f : s.files) files.push_back(a->rootfs_prefix ? with_root(cfg.rootfs, f) : f);
        }
        if (a->output == "terminal") {
            for (const auto& f : files) std::cout << f << "\n";
        } else {
            print(files, a->output);
        }
    });
}

void add_belongs(CLI::App& query, Globals& g) {
    struct Args {
        std::vector<std::string> files;
        std::string output = "terminal";
        bool installed = false;
        bool quiet = false;
        bool table = false;
    };
    auto a = std::make_shared<Args>();
    auto* cmd = query.add_subcommand("belongs", "Resolve what package a file belongs to.");
    cmd->add_flag("--table", a->table, "show output in a table (wider screens)");
    cmd->alias("be");
    cmd->alias("b");
    cmd->add_option("files", a->files, "<file1> ... <fileN>")->required();
    cmd->add_option("--output,-o", a->output, "Output format ( Defaults: terminal, available: json,yaml )");
    cmd->add_flag("--installed", a->installed, "Search between system packages");
    cmd->add_flag("--quiet", a->quiet, "show output as list without version");
    cmd->callback([a, &g] {
        check_output(a->output);
        // Package file lists hold entry names without the leading "/".
        std::set<std::string> wanted;
        for (auto f : a->files) wanted.insert(f.starts_with("/") ? f.substr(1) : f);
        const auto cfg = load_config(g);
        std::vector<db::InstalledPackage> db_keep;
        std::vector<repo::LoadedRepository> repo_keep;
        std::vector<Stone> found;
        // Only the packages listing one of the files are read from a repository index.
        repo::LoadOptions load;
        load.with_files.assign(wanted.begin(), wanted.end());
        for (auto& s : stones(cfg, a->installed, db_keep, repo_keep, load))
            if (std::any_of(s.files.begin(), s.files.end(), [&](const auto& f) { return wanted.count(f) > 0; }))
                found.push_back(std::move(s));
        if (a->output == "terminal" && a->table) {
            std::vector<std::array<std::string, 3>> rows;
            for (const auto& s : found)
                rows.push_back({s.definition->form.atom(), s.definition->form.version, s.repository});
            print_package_table(rows);
            return;
        }
        if (a->output == "terminal") {
            for (const auto& s : found)
                std::cout << (a->quiet ? s.definition->form.atom() : s.definition->form.str()) << "\n";
            return;
        }
        std::vector<install::SearchResult> results;
        for (const auto& s : found) results.push_back({*s.definition, s.repository, s.files, a->installed});
        const StoneView view{true, false, {}};
        if (a->output == "json") print_stones_json(results, view);
        else print_stones_yaml(results, view);
    });
}

void add_orphans(CLI::App& query, Globals& g) {
    struct Args {
        std::string output = "terminal";
        bool quiet = false;
        bool verbose = true;
    };
    auto a = std::make_shared<Args>();
    auto* cmd = query.add_subcommand("orphans", "Show orphans packages.");
    cmd->alias("o");
    cmd->footer("An orphan package is a package that is no more\navailable in the configured and/or enabled "
                "repositories.");
    cmd->add_option("--output,-o", a->output, "Output format ( Defaults: terminal, available: json,yaml )");
    cmd->add_flag("--quiet", a->quiet, "show output as list without version");
    cmd->add_flag("--verbose", a->verbose, "Show messages.");
    cmd->callback([a, &g] {
        check_output(a->output);
        const auto cfg = load_config(g);
        if (a->output == "terminal" && a->verbose) std::cout << "🧠 Searching for orphans packages..." << std::endl;
        const auto repos = repo::load_enabled(cfg, repo::LoadOptions{.strict = false, .files = false, .keep = {}, .name_literals = {}, .reach = std::nullopt, .with_files = {}}, {});
        auto database = db::Database::for_reading(cfg.system_dir() / "luet.sqlite");
        std::vector<core::PackageForm> orphans;
        for (const auto& p : database.packages()) {
            const bool available = std::any_of(repos.begin(), repos.end(), [&](const auto& r) {
                return std::any_of(r.packages.begin(), r.packages.end(),
                                   [&](const auto& rp) { return rp.meta.runtime.form == p.definition.form; });
            });
            if (!available) orphans.push_back(p.definition.form);
        }
        if (a->output == "terminal") {
            for (const auto& f : orphans) std::cout << (a->quiet ? f.atom() : f.str()) << "\n";
            return;
        }
        nlohmann::json j = {{"packages", nlohmann::json::array()}};
        for (const auto& f : orphans)
            j["packages"].push_back({{"name", f.name}, {"category", f.category}, {"version", f.version}});
        print(j, a->output);
    });
}

}  // namespace

void add_query(CLI::App& app, Globals& g) {
    auto* cmd = app.add_subcommand("query", "Repository query tools.");
    cmd->alias("q");
    cmd->require_subcommand(1);
    add_files(*cmd, g);
    add_belongs(*cmd, g);
    add_orphans(*cmd, g);
}

}  // namespace luet::cli
