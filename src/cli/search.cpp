// `luet search [term]` (mudler/luet cmd/search.go): flags --installed, --by-label,
// --by-label-regex, --revdeps, --hidden, --files, --table, --output|-o terminal|json|yaml,
// and geaaru/luet's --annotation|-a.
// JSON and YAML keep upstream's shape: {"packages": [{category, files, hidden, installed,
// name, repository, target, version}]} with keys in upstream's (alphabetical) order and
// "packages": null when nothing matches.
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>

#include "cli/commands.hpp"
#include "luet/db/database.hpp"
#include "luet/install/search.hpp"
#include "luet/repo/repository.hpp"

namespace luet::cli {
namespace {

void print_json(const std::vector<install::SearchResult>& results) {
    nlohmann::json packages = nullptr;
    for (const auto& r : results) {
        const auto& f = r.definition.form;
        packages.push_back({{"name", f.name},
                            {"category", f.category},
                            {"version", f.version},
                            {"repository", r.repository},
                            {"target", ""},
                            {"hidden", r.definition.hidden},
                            {"files", r.files},
                            {"installed", r.installed}});
    }
    std::cout << nlohmann::json{{"packages", packages}}.dump() << std::endl;
}

void print_yaml(const std::vector<install::SearchResult>& results) {
    YAML::Emitter out;
    out << YAML::BeginMap << YAML::Key << "packages" << YAML::Value;
    if (results.empty()) {
        out << YAML::Null;
    } else {
        out << YAML::BeginSeq;
        for (const auto& r : results) {
            const auto& f = r.definition.form;
            out << YAML::BeginMap;
            out << YAML::Key << "category" << YAML::Value << f.category;
            out << YAML::Key << "files" << YAML::Value << YAML::BeginSeq;
            for (const auto& file : r.files) out << file;
            out << YAML::EndSeq;
            out << YAML::Key << "hidden" << YAML::Value << r.definition.hidden;
            out << YAML::Key << "installed" << YAML::Value << r.installed;
            out << YAML::Key << "name" << YAML::Value << f.name;
            out << YAML::Key << "repository" << YAML::Value << r.repository;
            out << YAML::Key << "target" << YAML::Value << YAML::DoubleQuoted << "";
            out << YAML::Key << "version" << YAML::Value << YAML::DoubleQuoted << f.version;
            out << YAML::EndMap;
        }
        out << YAML::EndSeq;
    }
    out << YAML::EndMap;
    std::cout << out.c_str() << std::endl;
}

std::string yes_no(bool b) { return b ? "true" : "false"; }

// Upstream's --table: a header row, then one row per package, columns separated by " | ".
void print_table(const std::vector<install::SearchResult>& results) {
    std::vector<std::vector<std::string>> rows = {
        {"Package", "Category", "Name", "Version", "Repository", "License", "Installed"}};
    for (const auto& r : results) {
        const auto& f = r.definition.form;
        rows.push_back({f.str(), f.category, f.name, f.version, r.repository, r.definition.license, yes_no(r.installed)});
    }
    std::vector<size_t> width(rows.front().size(), 0);
    for (const auto& row : rows)
        for (size_t i = 0; i < row.size(); ++i) width[i] = std::max(width[i], row[i].size());
    for (const auto& row : rows) {
        std::string line;
        for (size_t i = 0; i < row.size(); ++i) {
            if (i) line += " | ";
            line += row[i];
            if (i + 1 < row.size()) line += std::string(width[i] - row[i].size(), ' ');
        }
        std::cout << line << "\n";
    }
}

// Upstream's default: a bullet list with the details of each package.
void print_list(const std::vector<install::SearchResult>& results) {
    for (const auto& r : results) {
        const auto& d = r.definition;
        std::string uri;
        for (const auto& u : d.uri) uri += (uri.empty() ? "" : " ") + u;
        std::cout << "> " << d.form.str() << "\n"
                  << " -> Category: " << d.form.category << "\n"
                  << " -> Name: " << d.form.name << "\n"
                  << " -> Version: " << d.form.version << "\n"
                  << " -> Description: " << d.description << "\n"
                  << " -> Repository: " << r.repository << " \n"
                  << " -> Uri: " << uri << " \n"
                  << " -> Installed: " << yes_no(r.installed) << " \n";
    }
}

}  // namespace

void add_search(CLI::App& app, Globals& g) {
    struct Args {
        std::vector<std::string> terms, annotations;
        std::string output = "terminal";
        bool installed = false, by_label = false, by_label_regex = false, revdeps = false, hidden = false,
             table = false, files = false;
    };
    auto a = std::make_shared<Args>();
    auto* cmd = app.add_subcommand("search", "Search packages");
    cmd->alias("s");
    cmd->add_option("term", a->terms, "Regular expression (default: every package)");
    cmd->add_flag("--installed", a->installed, "Search between system packages");
    cmd->add_option("--output,-o", a->output, "Output format ( Defaults: terminal, available: json,yaml )");
    cmd->add_flag("--by-label", a->by_label, "Search packages through label");
    cmd->add_flag("--by-label-regex", a->by_label_regex, "Search packages through label regex");
    cmd->add_flag("--revdeps", a->revdeps, "Search package reverse dependencies");
    cmd->add_flag("--hidden", a->hidden, "Include hidden packages");
    cmd->add_flag("--table", a->table, "show output in a table (wider screens)");
    cmd->add_flag("--files", a->files, "Search between packages files");
    cmd->add_option("--annotation,-a", a->annotations, "Search packages through one or more annotations.")
        ->delimiter(',')
        ->allow_extra_args(false);
    cmd->callback([a, &g] {
        if (a->terms.size() > 1) throw Error("Wrong number of arguments (expected 1)");
        check_output(a->output, {"terminal", "json", "yaml", "table"});
        install::SearchOptions opts;
        if (!a->terms.empty()) opts.term = a->terms.front();
        opts.mode = a->files            ? install::SearchMode::Files
                    : a->by_label       ? install::SearchMode::Label
                    : a->by_label_regex ? install::SearchMode::LabelRegex
                                        : install::SearchMode::Regex;
        opts.hidden = a->hidden;
        opts.revdeps = a->revdeps;
        opts.annotations = a->annotations;
        const bool terminal = a->output == "terminal" || a->output == "table";

        const auto cfg = load_config(g);
        auto database = db::Database::for_reading(cfg.system_dir() / "luet.sqlite");
        std::vector<install::SearchResult> results;
        if (a->installed) {
            results = install::search_installed(database, opts);
        } else {
            // Files are searched with --files and shown by -o json|yaml only.
            const repo::LoadOptions load{.files = a->files || !terminal};
            const auto repos =
                repo::load_enabled(cfg, load, terminal ? std::function<void(const std::string&)>(info) : nullptr);
            results = install::search_repositories(repos, database, opts);
        }
        if (terminal && (!a->installed || a->files)) info("--- Search results (" + opts.term + "): ---");

        if (a->output == "json") {
            print_json(results);
        } else if (a->output == "yaml") {
            print_yaml(results);
        } else if (a->table || a->output == "table") {
            print_table(results);
        } else {
            print_list(results);
        }
    });
}

}  // namespace luet::cli
