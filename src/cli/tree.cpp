// `luet tree pkglist|validate|images|bump`, with upstream's flags and output shapes
// (mudler/luet cmd/tree/*.go).
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <fstream>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>

#include "cli/commands.hpp"
#include "luet/build/builder.hpp"
#include "luet/build/cache.hpp"
#include "luet/core/file.hpp"
#include "luet/core/regex.hpp"
#include "luet/spec/tree_index.hpp"
#include "luet/spec/validate.hpp"

namespace fs = std::filesystem;

namespace luet::cli {
namespace {

// Upstream's filter: kept when it matches one of `matches` (if any) and none of `excludes`.
bool keep(const std::string& s, const core::RegexList& matches, const core::RegexList& excludes) {
    return (matches.empty() || matches.any(s)) && !excludes.any(s);
}

// Loads the trees, rendering their build specs with the --values files (as `build` does;
// mudler/luet tree images reads the same `values` setting).
spec::Tree load(const std::vector<std::string>& trees, const std::vector<std::string>& values) {
    if (trees.empty()) throw Error("Mandatory tree param missing.");
    return spec::load_tree(std::vector<fs::path>(trees.begin(), trees.end()), load_options(values));
}

void add_values_flag(CLI::App* cmd, std::vector<std::string>& values) {
    cmd->add_option("--values", values, "Build values file to interpolate with each package")->allow_extra_args(false);
}

struct Row {
    std::string name, category, version;
    std::string detail;  // the path (pkglist) or the image (images)
};

// Prints rows as upstream's TreeResults: {"packages": [{name, category, version, <extra>}]}
// where `extra` names the detail ("path" or "image").
void print_rows(const std::vector<Row>& rows, const std::string& output, const char* extra) {
    if (output == "json") {
        nlohmann::json j = {{"packages", nlohmann::json::array()}};
        for (const auto& r : rows) {
            nlohmann::json e = {{"name", r.name}, {"category", r.category}, {"version", r.version}};
            e[extra] = r.detail;
            j["packages"].push_back(e);
        }
        std::cout << j.dump() << std::endl;
    } else {
        YAML::Emitter out;
        out << YAML::BeginMap << YAML::Key << "packages" << YAML::Value << YAML::BeginSeq;
        for (const auto& r : rows) {
            out << YAML::BeginMap << YAML::Key << "name" << YAML::Value << r.name << YAML::Key << "category"
                << YAML::Value << r.category << YAML::Key << "version" << YAML::Value << YAML::DoubleQuoted << r.version << YAML::Key
                << extra << YAML::Value << r.detail << YAML::EndMap;
        }
        out << YAML::EndSeq << YAML::EndMap;
        std::cout << out.c_str() << std::endl;
    }
}

void add_pkglist(CLI::App& tree) {
    struct Args {
        std::vector<std::string> trees, matches, excludes, values;
        std::string output = "terminal";
        bool buildtime = false, revdeps = false, verbose = false, full = false;
    };
    auto a = std::make_shared<Args>();
    auto* cmd = tree.add_subcommand("pkglist", "List of the packages found in tree.");
    cmd->add_option("--tree,-t", a->trees, "Path of the tree to use.")->allow_extra_args(false);
    cmd->add_option("--matches,-m", a->matches, "Include only matched packages from list. (Use string as regex).")
        ->delimiter(',')->allow_extra_args(false);
    cmd->add_option("--exclude,-e", a->excludes, "Exclude matched packages from list. (Use string as regex).")
        ->delimiter(',')->allow_extra_args(false);
    cmd->add_option("--output,-o", a->output, "Output format ( Defaults: terminal, available: json,yaml )");
    cmd->add_flag("--buildtime,-b", a->buildtime, "Build time match");
    cmd->add_flag("--revdeps", a->revdeps, "Search package reverse dependencies");
    cmd->add_flag("--verbose,-v", a->verbose, "Add package version");
    cmd->add_flag("--full,-f", a->full, "Show package detail");
    add_values_flag(cmd, a->values);
    cmd->callback([a] {
        check_output(a->output);
        const spec::Tree t = load(a->trees, a->values);
        const core::RegexList m(a->matches, "--matches"), e(a->excludes, "--exclude");
        auto label = [&](const spec::PackageSpec& p) {
            const auto& d = p.definition;
            if (a->full) {
                std::string s = "\n  @@ Package: " + d.form.str() + "\n     Description: " + d.description +
                                "\n     License:     " + d.license;
                for (size_t i = 0; i < d.uri.size(); ++i) s += (i ? "\n                  " : "\n     URLs:        ") + d.uri[i];
                return s;
            }
            return a->verbose ? d.form.str() : d.form.atom();
        };
        // --revdeps: packages whose (runtime, or build with --buildtime) requirements reach it.
        auto requires_of = [&](const spec::PackageSpec& p) -> const std::vector<core::PackageRef>& {
            return a->buildtime ? p.build.requires_ : p.definition.requires_;
        };
        auto revdeps = [&](const spec::PackageSpec& target) {
            std::vector<const spec::PackageSpec*> out{};
            std::vector<const spec::PackageSpec*> todo{&target};
            while (!todo.empty()) {
                const auto* cur = todo.back();
                todo.pop_back();
                for (const auto& p : t.packages) {
                    if (std::find(out.begin(), out.end(), &p) != out.end()) continue;
                    for (const auto& r : requires_of(p)) {
                        if (t.best_match(r) == cur) {
                            out.push_back(&p);
                            todo.push_back(&p);
                            break;
                        }
                    }
                }
            }
            return out;
        };
        std::vector<std::string> lines;
        std::vector<Row> rows;
        auto add = [&](const spec::PackageSpec& p) {
            const auto& f = p.definition.form;
            lines.push_back(label(p));
            rows.push_back({f.name, f.category, f.version, p.dir.string()});
        };
        for (const auto& p : t.packages) {
            if (!keep(label(p), m, e)) continue;
            if (!a->revdeps) {
                add(p);
            } else {
                for (const auto* r : revdeps(p)) add(*r);
            }
        }
        if (a->output != "terminal") return print_rows(rows, a->output, "path");
        std::sort(lines.begin(), lines.end());
        for (const auto& l : lines) std::cout << l << "\n";
    });
}

void add_validate(CLI::App& tree) {
    struct Args {
        std::vector<std::string> trees, matches, excludes, values;
        bool with_solver = false, only_runtime = false, only_buildtime = false;
    };
    auto a = std::make_shared<Args>();
    auto* cmd = tree.add_subcommand("validate", "Validate a tree or a list of packages");
    cmd->add_flag("--only-runtime", a->only_runtime, "Check only runtime dependencies.");
    cmd->add_flag("--only-buildtime", a->only_buildtime, "Check only buildtime dependencies.");
    cmd->add_option("--tree,-t", a->trees, "Path of the tree to use.")->allow_extra_args(false);
    cmd->add_flag("--with-solver,-s", a->with_solver, "Enable check of requires also with solver.");
    cmd->add_option("--matches,-m", a->matches, "Analyze only matched packages. (Use string as regex).")->delimiter(',')->allow_extra_args(false);
    cmd->add_option("--exclude,-e", a->excludes, "Exclude matched packages from analysis. (Use string as regex).")
        ->delimiter(',')->allow_extra_args(false);
    add_values_flag(cmd, a->values);
    cmd->callback([a] {
        if (a->only_runtime && a->only_buildtime)
            throw Error("Both --only-runtime and --only-buildtime options are not possibile.");
        const spec::Tree t = load(a->trees, a->values);
        const core::RegexList m(a->matches, "--matches"), e(a->excludes, "--exclude");
        const auto scope = a->only_runtime     ? spec::ValidateScope::Runtime
                           : a->only_buildtime ? spec::ValidateScope::Buildtime
                                               : spec::ValidateScope::Both;
        const auto report = spec::validate_tree(
            t, a->with_solver, [&](const spec::PackageSpec& p) { return keep(p.definition.form.str(), m, e); }, scope);
        for (const auto& err : report.errors) std::cout << err << "\n";
        std::cout << "Broken packages: " << report.broken_packages << " ( " << report.broken_deps << " deps )."
                  << std::endl;
        if (report.broken_packages > 0) throw CLI::RuntimeError(1);
    });
}

void add_images(CLI::App& tree) {
    struct Args {
        std::vector<std::string> trees, values;
        std::string output = "terminal";
        std::string image_repository = "luet/cache";
        std::string package;
    };
    auto a = std::make_shared<Args>();
    auto* cmd = tree.add_subcommand("images", "List of the images of a package");
    cmd->add_option("--tree,-t", a->trees, "Path of the tree to use.")->allow_extra_args(false);
    cmd->add_option("--output,-o", a->output, "Output format ( Defaults: terminal, available: json,yaml )");
    cmd->add_option("--image-repository", a->image_repository, "Default base image string for generated image");
    cmd->add_option("package", a->package, "The package whose build plan is listed")->required();
    add_values_flag(cmd, a->values);
    cmd->callback([a] {
        check_output(a->output);
        if (a->trees.empty()) a->trees.push_back(fs::current_path().string());
        const spec::Tree t = load(a->trees, a->values);
        build::BuildOptions opts;
        opts.targets = {core::parse_package_arg(a->package)};
        // The hash `luet build` computes (cache.hpp): same SOURCE_DATE_EPOCH, version and seed
        // images (asked of docker, else their registry); no destination for retrieve: globs.
        opts.source_date_epoch = source_date_epoch();
        opts.luet_version = version();
        auto backend = build::make_backend("docker");
        build::HashInputs inputs = build::hash_inputs(opts, *backend, false);
        // A listing does not fail on a seed image it cannot see; its hash then differs from the
        // one the build (which pulls the image) computes, and the warning says so.
        inputs.seed_id = [ask = inputs.seed_id](const std::string& image) {
            try {
                return ask(image);
            } catch (const Error& e) {
                warn(std::string(e.what()) + "; hashed by its name only: `luet build`, which pulls it, computes "
                                             "another hash");
                return std::string();
            }
        };
        std::vector<Row> rows;
        build::HashCache hashes;
        for (const auto* p : build::plan(t, opts)) {
            const auto& f = p->definition.form;
            rows.push_back({f.name, f.category, f.version,
                            build::package_image_name(a->image_repository, build::build_hash(t, *p, hashes, inputs))});
        }
        if (a->output != "terminal") return print_rows(rows, a->output, "image");
        for (const auto& r : rows) std::cout << r.category << "/" << r.name << "-" << r.version << ": " << r.detail << "\n";
    });
}

void add_bump(CLI::App& tree) {
    struct Args {
        std::string definition_file;
        bool to_stdout = false;
    };
    auto a = std::make_shared<Args>();
    auto* cmd = tree.add_subcommand("bump", "Bump a new package build version.");
    cmd->add_option("--definition-file,-f", a->definition_file, "Path of the definition to bump.");
    cmd->add_flag("--to-stdout,-o", a->to_stdout, "Bump package to output.");
    cmd->callback([a] {
        if (a->definition_file.empty()) throw Error("Mandatory definition.yaml path missing.");
        const std::string text = core::read_file(a->definition_file);
        const spec::Definition d = spec::parse_definition(text, a->definition_file);
        std::string next;
        try {
            next = core::bump_build_version(d.form.version);
        } catch (const Error& e) {
            throw Error(a->definition_file + " (" + d.form.str() + "): Error on increment build version: " + e.what());
        }
        const std::string bumped = spec::replace_definition_version(text, next, a->definition_file);
        if (a->to_stdout) {
            std::cout << bumped;
            return;
        }
        // Written beside and renamed over: the definition is never left half-written.
        const fs::path target = a->definition_file;
        const fs::path tmp = target.string() + ".luet-bump";
        {
            std::ofstream out(tmp, std::ios::binary);
            out << bumped;
            if (!out.flush()) throw Error("cannot write " + tmp.string());
        }
        fs::permissions(tmp, fs::status(target).permissions());
        fs::rename(tmp, target);
        std::cout << "Bumped package " << d.form.category << "/" << d.form.name << "-" << next << "." << std::endl;
    });
}

// geaaru luet-build/cmd/tree/genidx.go: writes the tree index (.anise-idx.json[.zstd]) of
// each tree, and prints it with -o json|yaml.
void add_genidx(CLI::App& tree) {
    struct Args {
        std::vector<std::string> trees;
        std::string output;
        bool dry_run = false, compress = true, only_upper_level = false;
    };
    auto a = std::make_shared<Args>();
    auto* cmd = tree.add_subcommand("genidx", "Generate tree indexes.");
    cmd->add_flag("--dry-run", a->dry_run, "Generate indexes without update and/or create files.");
    cmd->add_flag("--compress", a->compress, "Use compressed indexes (true) or not (false).")->default_str("true");
    cmd->add_flag("--only-upper-level", a->only_upper_level,
                  "Write index only the upper level index (true) or in all directories.");
    cmd->add_option("--tree,-t", a->trees, "Path of the tree to use.")->allow_extra_args(false)->default_str("$PWD");
    cmd->add_option("--output,-o", a->output, "Output format ( Defaults: No output, available: json,yaml )");
    cmd->callback([a] {
        if (!a->output.empty()) check_output(a->output, {"json", "yaml"});
        if (a->trees.empty()) a->trees.push_back(fs::current_path().string());
        spec::TreeIndexOptions opts;
        opts.dry_run = a->dry_run;
        opts.compress = a->compress;
        opts.only_upper_level = a->only_upper_level;
        for (const auto& t : a->trees) {
            spec::TreeIndex idx;
            try {
                idx = spec::generate_tree_index(t, opts);
            } catch (const Error& e) {
                throw Error(std::string("Error on generate indexes: ") + e.what());
            }
            if (a->output == "json") std::cout << spec::tree_index_json(idx) << std::endl;
            if (a->output == "yaml") std::cout << spec::tree_index_yaml(idx) << std::endl;
        }
    });
}

}  // namespace

void add_tree(CLI::App& app, Globals&) {
    auto* tree = app.add_subcommand("tree", "Tree operations");
    tree->require_subcommand(1);
    add_pkglist(*tree);
    add_validate(*tree);
    add_images(*tree);
    add_bump(*tree);
    add_genidx(*tree);
}

}  // namespace luet::cli
