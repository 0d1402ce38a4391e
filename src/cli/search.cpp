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
#include <algorithm>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>

#include "cli/commands.hpp"
#include "cli/stones.hpp"
#include "luet/db/database.hpp"
#include "luet/install/search.hpp"
#include "luet/repo/repository.hpp"

namespace luet::cli {
namespace {

// One artifact as geaaru/luet's PackageArtifact marshals it (pkg/v2/compiler/types/artifact/
// artifact.go): its keys in field order, dependencies/compilespec/package_cacheimage omitted
// when empty.
nlohmann::ordered_json artifact_view(const artifact::Metadata& m) {
    const nlohmann::json all = artifact::metadata_json(m);
    nlohmann::ordered_json j;
    for (const char* key : {"path", "dependencies", "compilespec", "checksums", "compressiontype", "files",
                            "package_cacheimage", "runtime"}) {
        if (!all.contains(key)) continue;
        const auto& v = all[key];
        const bool omitempty = std::string(key) == "dependencies" || std::string(key) == "compilespec" ||
                               std::string(key) == "package_cacheimage";
        if (omitempty && (v.is_null() || v.empty() || v == "")) continue;
        j[key] = nlohmann::ordered_json::parse(v.dump());
    }
    return j;
}

}  // namespace

void add_search(CLI::App& app, Globals& g) {
    struct Args {
        std::vector<std::string> terms, names, packages, categories, labels, rlabels, annotations;
        std::string output = "terminal";
        bool installed = false, by_label = false, by_label_regex = false, revdeps = false, hidden = false,
             table = false, files = false, full = false, quiet = false, condition_or = false, ignore_masks = false,
             with_rootfs_prefix = true, artifacts = false;
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
    cmd->add_flag("--artifacts", a->artifacts,
                  "Show full artefact data ({\"artifacts\": [...]}: each package's artifact metadata for -o json|yaml).");
    cmd->callback([a, &g] {
        check_output(a->output, {"terminal", "json", "yaml", "table"});
        if (a->installed && a->artifacts) {
            std::cout << "Flags --installed and --artifacts not usable together." << std::endl;
            throw CLI::RuntimeError(1);
        }
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
            const repo::LoadOptions load{.strict = false, .files = a->files || a->artifacts, .keep = install::search_prefilter(opts),
                                         .name_literals = install::search_name_literals(opts), .reach = std::nullopt,
                                         .with_files = {}};
            const auto repos = repo::load_enabled(
                cfg, load,
                terminal ? std::function<void(const std::string&)>([](const std::string& m) { std::cerr << m << "\n"; })
                         : nullptr);
            results = install::search_repositories(repos, database, opts);
            if (a->artifacts && (a->output == "json" || a->output == "yaml")) {
                // geaaru/luet's ArtifactsPack: the artifact metadata of each package found.
                nlohmann::ordered_json arts = nlohmann::ordered_json::array();
                for (const auto& r : results)
                    for (const auto& lr : repos)
                        if (lr.name == r.repository)
                            for (const auto& p : lr.packages)
                                if (p.meta.runtime.form == r.definition.form) arts.push_back(artifact_view(p.meta));
                const nlohmann::ordered_json pack{{"artifacts", arts}};
                if (a->output == "json") std::cout << pack.dump() << std::endl;
                else std::cout << go_yaml(pack) << std::endl;
                return;
            }
        }
        StoneView view{a->files, a->full, {}};
        if (a->with_rootfs_prefix) {
            view.rootfs_prefix = cfg.rootfs.string();
            while (view.rootfs_prefix.ends_with('/')) view.rootfs_prefix.pop_back();
        }
        if (a->output == "json") {
            print_stones_json(results, view);
        } else if (a->output == "yaml") {
            print_stones_yaml(results, view);
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
