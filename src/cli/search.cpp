// `luet search [REGEX...]` as geaaru/luet (cmd/search.go): the terms are regexes over
// "category/name"; --name/-n, --package/-p, --category, --label, --rlabel, --annotation/-a,
// --condition-or, --hidden, --files, --with-rootfs-prefix, --full, --quiet, --table,
// --ignore-masks, --output|-o terminal|json|yaml, --installed. mudler/luet's --by-label,
// --by-label-regex and --revdeps are kept. Where the two upstreams disagree, geaaru's wins:
// the output is {"stones": [...]} (mudler: {"packages": [...]}), the terminal prints one
// "category/name-version" line per package, and --files adds the files to the output (mudler
// searched by file: use `luet query belongs`).
// A stone (pkg/v2/repository/wagon_stones.go Stone): name, category, version, then license,
// repository, hidden, files, annotations, labels, use_flags, provides, requires, conflicts when
// not empty; nested stones have name, category and version.
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

struct StoneView {
    bool files = false, full = false;
    std::string rootfs_prefix;  // joined before each file ("" to leave them as recorded)
};

std::string file_path(const StoneView& v, const std::string& f) {
    if (v.rootfs_prefix.empty()) return f;
    return v.rootfs_prefix + (f.starts_with('/') ? "" : "/") + f;
}

std::string ref_version(const core::PackageRef& r) {
    const std::string v = r.selector.str();
    return v.empty() ? ">=0" : v;
}

// `yaml`: Stone's yaml tags lack omitempty on repository, so nested stones say `repository: ""`.
nlohmann::ordered_json stone_json(const install::SearchResult& r, const StoneView& v, bool yaml = false) {
    const auto& d = r.definition;
    nlohmann::ordered_json j{{"name", d.form.name}, {"category", d.form.category}, {"version", d.form.version}};
    if (!d.license.empty()) j["license"] = d.license;
    if (!r.repository.empty()) j["repository"] = r.repository;
    if (d.hidden) j["hidden"] = true;
    if (v.files && !r.files.empty()) {
        auto& files = j["files"] = nlohmann::ordered_json::array();
        for (const auto& f : r.files) files.push_back(file_path(v, f));
    }
    if (!d.annotations.empty()) j["annotations"] = d.annotations;
    if (!d.labels.empty()) j["labels"] = d.labels;
    if (v.full) {
        auto refs = [&](const char* key, const std::vector<core::PackageRef>& list) {
            if (list.empty()) return;
            auto& arr = j[key] = nlohmann::ordered_json::array();
            for (const auto& p : list) {
                nlohmann::ordered_json n{{"name", p.name}, {"category", p.category}, {"version", ref_version(p)}};
                if (yaml) n["repository"] = "";
                arr.push_back(std::move(n));
            }
        };
        refs("provides", d.provides);
        refs("requires", d.requires_);
        refs("conflicts", d.conflicts);
    }
    return j;
}

void print_json(const std::vector<install::SearchResult>& results, const StoneView& v) {
    auto stones = nlohmann::ordered_json::array();
    for (const auto& r : results) stones.push_back(stone_json(r, v));
    // Go's encoding/json escapes <, > and & (they only occur inside strings here).
    std::string text;
    for (char c : nlohmann::ordered_json{{"stones", stones}}.dump())
        text += c == '<' ? "\\u003c" : c == '>' ? "\\u003e" : c == '&' ? "\\u0026" : std::string(1, c);
    std::cout << text << std::endl;
}

// A scalar as go-yaml writes it: plain when a YAML reader reads it back as this string;
// double-quoted when it would read as a number, boolean or null (or holds a newline);
// single-quoted when it is a string that plain style cannot carry (indicators such as ">").
std::string yaml_scalar(const nlohmann::ordered_json& j) {
    if (j.is_boolean()) return j.get<bool>() ? "true" : "false";
    const std::string text = j.get<std::string>();
    bool other_type = text.empty() || text.find('\n') != std::string::npos, plain = false;
    if (!other_type) {
        try {
            const YAML::Node probe = YAML::Load(text);
            int i;
            double d;
            bool b;
            other_type = probe.IsNull() || (probe.IsScalar() && probe.Tag() != "!" &&
                                            (YAML::convert<int>::decode(probe, i) ||
                                             YAML::convert<double>::decode(probe, d) ||
                                             YAML::convert<bool>::decode(probe, b)));
            plain = !other_type && probe.IsScalar() && probe.Tag() != "!" && probe.as<std::string>() == text &&
                    text.find_first_of("#\"'") == std::string::npos;
        } catch (const YAML::Exception&) {
        }
    }
    if (plain) return text;
    if (!other_type) {
        std::string q = "'";
        for (char c : text) q += c == '\'' ? std::string("''") : std::string(1, c);
        return q + "'";
    }
    std::string q = "\"";
    for (char c : text) {
        if (c == '"' || c == '\\') q += '\\';
        if (c == '\n') q += "\\n";
        else q += c;
    }
    return q + "\"";
}

// YAML with go-yaml v3's layout (what geaaru/luet prints): the top level's children indented
// by 4, deeper ones by 2; a sequence item's first key on its "- " line.
void emit_yaml(std::string& out, const nlohmann::ordered_json& j, size_t indent, bool first_inline) {
    const size_t child = indent == 0 ? 4 : indent + 2;
    auto pad = [&](size_t n) { return std::string(n, ' '); };
    if (j.is_object()) {
        bool first = true;
        for (const auto& [k, v] : j.items()) {
            out += (first && first_inline) ? "" : pad(indent);
            first = false;
            out += k + ":";
            if ((v.is_array() || v.is_object()) && v.empty()) out += v.is_array() ? " []\n" : " {}\n";
            else if (v.is_object()) { out += "\n"; emit_yaml(out, v, child, false); }
            else if (v.is_array()) { out += "\n"; emit_yaml(out, v, child, false); }
            else out += " " + yaml_scalar(v) + "\n";
        }
    } else if (j.is_array()) {
        for (const auto& v : j) {
            out += pad(indent) + "- ";
            if (v.is_object() && !v.empty()) emit_yaml(out, v, indent + 2, true);
            else out += yaml_scalar(v) + "\n";
        }
    }
}

void print_yaml(const std::vector<install::SearchResult>& results, const StoneView& v) {
    nlohmann::ordered_json pack{{"stones", nlohmann::ordered_json::array()}};
    for (const auto& r : results) pack["stones"].push_back(stone_json(r, v, true));
    std::string out;
    emit_yaml(out, pack, 0, false);
    std::cout << out << std::endl;
}

}  // namespace

void add_search(CLI::App& app, Globals& g) {
    struct Args {
        std::vector<std::string> terms, names, packages, categories, labels, rlabels, annotations;
        std::string output = "terminal";
        bool installed = false, by_label = false, by_label_regex = false, revdeps = false, hidden = false,
             table = false, files = false, full = false, quiet = false, condition_or = false, ignore_masks = false,
             with_rootfs_prefix = true;
    };
    auto a = std::make_shared<Args>();
    auto* cmd = app.add_subcommand("search", "Search packages");
    cmd->alias("s");
    cmd->footer("Output as geaaru/luet: {\"stones\": [...]} for -o json|yaml (mudler/luet writes \"packages\"), "
                "one category/name-version line per package on a terminal. --files shows the files of each "
                "package (mudler's file search is `luet query belongs`).");
    cmd->add_option("term", a->terms, "Regular expressions over category/name (default: every package)");
    cmd->add_flag("--installed", a->installed, "Search between system packages");
    cmd->add_option("--output,-o", a->output, "Output format ( Defaults: terminal, available: json,yaml )");
    auto list = [&](const char* flag, std::vector<std::string>& into, const char* help) {
        cmd->add_option(flag, into, help)->delimiter(',')->allow_extra_args(false);
    };
    list("--label", a->labels, "Search packages through one or more labels.");
    list("--rlabel", a->rlabels, "Search packages through one or more labels regex.");
    list("--category", a->categories, "Search packages through one or more categories regex.");
    list("--annotation,-a", a->annotations, "Search packages through one or more annotations.");
    list("--package,-p", a->packages, "Search packages matching the package string cat/name.");
    list("--name,-n", a->names, "Search packages matching the package name string.");
    cmd->add_flag("--condition-or", a->condition_or,
                  "The searching options are managed in OR between the searching types.");
    cmd->add_flag("--by-label", a->by_label, "Search packages through label (mudler/luet: the terms are label keys)");
    cmd->add_flag("--by-label-regex", a->by_label_regex,
                  "Search packages through label regex (mudler/luet: the terms match key=value)");
    cmd->add_flag("--revdeps", a->revdeps, "Search package reverse dependencies (mudler/luet)");
    cmd->add_flag("--hidden", a->hidden, "Include hidden packages");
    cmd->add_flag("--files", a->files, "Show package files on YAML/JSON output.");
    cmd->add_flag("--with-rootfs-prefix,!--without-rootfs-prefix", a->with_rootfs_prefix,
                  "Add prefix of the configured rootfs path.");
    cmd->add_flag("--table", a->table, "show output in a table (wider screens)");
    cmd->add_flag("--quiet", a->quiet, "show output as list without version");
    cmd->add_flag("--full", a->full, "Show full informations.");
    cmd->add_flag("--ignore-masks", a->ignore_masks, "Ignore packages masked.");
    cmd->callback([a, &g] {
        check_output(a->output, {"terminal", "json", "yaml", "table"});
        install::SearchOptions opts;
        if (a->by_label) opts.labels = a->terms;
        else if (a->by_label_regex) opts.label_regexes = a->terms;
        else opts.matches = a->terms;
        // No criterion at all: every package (geaaru/luet searches ".").
        for (const auto& p : a->packages) opts.packages.push_back(core::parse_package_arg(p));
        opts.names = a->names;
        opts.categories = a->categories;
        for (const auto& l : a->labels) opts.labels.push_back(l);
        for (const auto& l : a->rlabels) opts.label_regexes.push_back(l);
        opts.annotations = a->annotations;
        opts.any_criterion = a->condition_or;
        opts.hidden = a->hidden;
        opts.revdeps = a->revdeps;

        const auto cfg = load_config(g);
        auto database = db::Database::for_reading(cfg.system_dir() / "luet.sqlite");
        std::vector<install::SearchResult> results;
        const install::PackageMasks masks = a->ignore_masks ? install::PackageMasks{} : install::load_masks(cfg);
        opts.masks = &masks;
        if (a->installed) {
            results = install::search_installed(database, opts);
        } else {
            // Sync messages on stderr: stdout holds only the results, as geaaru/luet (which logs
            // at error level during a search) prints them. File lists are read for --files only.
            const bool terminal = a->output == "terminal" || a->output == "table";
            const repo::LoadOptions load{.strict = false, .files = a->files, .keep = install::search_prefilter(opts),
                                         .reach = std::nullopt, .with_files = {}};
            const auto repos = repo::load_enabled(
                cfg, load,
                terminal ? std::function<void(const std::string&)>([](const std::string& m) { std::cerr << m << "\n"; })
                         : nullptr);
            results = install::search_repositories(repos, database, opts);
        }
        StoneView view{a->files, a->full, {}};
        if (a->with_rootfs_prefix) {
            view.rootfs_prefix = cfg.rootfs.string();
            while (view.rootfs_prefix.ends_with('/')) view.rootfs_prefix.pop_back();
        }
        if (a->output == "json") {
            print_json(results, view);
        } else if (a->output == "yaml") {
            print_yaml(results, view);
        } else if (a->table || a->output == "table") {
            std::vector<std::array<std::string, 3>> rows;
            for (const auto& r : results)
                rows.push_back({r.definition.form.atom(), r.definition.form.version, r.repository});
            print_package_table(rows);
        } else {
            for (const auto& r : results)
                std::cout << (a->quiet ? r.definition.form.atom() : r.definition.form.str()) << "\n";
        }
    });
}

}  // namespace luet::cli
