// `luet tree pkglist|validate|images|bump`, with upstream's flags and output shapes
// (mudler/luet cmd/tree/*.go).
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <fstream>
#include <functional>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>

#include "cli/commands.hpp"
#include "cli/stones.hpp"
#include "luet/build/builder.hpp"
#include "luet/build/cache.hpp"
#include "luet/core/file.hpp"
#include "luet/core/regex.hpp"
#include "luet/core/version.hpp"
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
        bool buildtime = false, revdeps = false, deps = false, verbose = false, full = false;
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
    cmd->add_flag("--deps", a->deps, "Search package dependencies (each after the packages it needs)");
    cmd->add_flag("--verbose,-v", a->verbose, "Add package version");
    cmd->add_flag("--full,-f", a->full, "Show package detail");
    add_values_flag(cmd, a->values);
    cmd->callback([a] {
        check_output(a->output);
        if (a->revdeps && a->deps) throw Error("Both revdeps and deps option used. Choice only one.");
        const core::RegexList m(a->matches, "--matches"), e(a->excludes, "--exclude");
        if (a->trees.empty()) throw Error("Mandatory tree param missing.");
        // The plain listing, as geaaru's luet-build prints it from the tree index: when every
        // tree has an index that provably describes it (spec::current_tree_index), the
        // definitions are not read at all. Anything else walks and loads the trees.
        if (a->output == "terminal" && !a->revdeps && !a->deps && !a->full) {
            std::vector<std::string> lines;
            bool indexed = true;
            for (const auto& tree : a->trees) {
                const auto idx = spec::current_tree_index(tree);
                if (!idx) {
                    indexed = false;
                    break;
                }
                for (const auto& [atom, entries] : idx->packages)
                    for (const auto& entry : entries) {
                        std::string label = a->verbose ? atom + "-" + entry.version : atom;
                        if (keep(label, m, e)) lines.push_back(std::move(label));
                    }
            }
            if (indexed) {
                std::sort(lines.begin(), lines.end());
                for (const auto& l : lines) std::cout << l << "\n";
                return;
            }
        }
        const spec::Tree t = load(a->trees, a->values);
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
        // --deps: what the package needs, transitively, each after what it needs itself
        // (mudler/luet: the ordered install solution without the package).
        auto deps = [&](const spec::PackageSpec& target) {
            std::vector<const spec::PackageSpec*> out, visiting;
            std::function<void(const spec::PackageSpec*)> visit = [&](const spec::PackageSpec* p) {
                if (std::find(out.begin(), out.end(), p) != out.end() ||
                    std::find(visiting.begin(), visiting.end(), p) != visiting.end())
                    return;
                visiting.push_back(p);
                for (const auto& r : requires_of(*p)) {
                    const auto* d = t.best_match(r);
                    if (!d) throw Error(p->definition_file.string() + " (" + p->definition.form.str() + "): " +
                                        "requires " + r.str() + ", which the tree does not have");
                    visit(d);
                }
                visiting.pop_back();
                out.push_back(p);
            };
            visit(&target);
            out.pop_back();  // the package itself
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
            if (a->revdeps) {
                for (const auto* r : revdeps(p)) add(*r);
            } else if (a->deps) {
                for (const auto* d : deps(p)) add(*d);
            } else {
                add(p);
            }
        }
        if (a->output != "terminal") return print_rows(rows, a->output, "path");
        if (!a->deps) std::sort(lines.begin(), lines.end());  // --deps keeps the order
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
        std::vector<std::string> pull_repositories;
        std::string package;
    };
    auto a = std::make_shared<Args>();
    auto* cmd = tree.add_subcommand("images", "List of the images of a package");
    cmd->add_option("--tree,-t", a->trees, "Path of the tree to use.")->allow_extra_args(false);
    cmd->add_option("--output,-o", a->output, "Output format ( Defaults: terminal, available: json,yaml )");
    cmd->add_option("--image-repository", a->image_repository, "Default base image string for generated image");
    // Upstream hands it to its compiler, but the images listed are named from
    // --image-repository only (mudler/luet cmd/tree/images.go): no effect there either.
    cmd->add_option("--pull-repository,-p", a->pull_repositories,
                    "A list of repositories to pull the cache from (accepted: the images listed are named from "
                    "--image-repository, as upstream)")
        ->allow_extra_args(false);
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
        std::string pkg_version;
        bool to_stdout = false;
    };
    auto a = std::make_shared<Args>();
    auto* cmd = tree.add_subcommand("bump", "Bump a new package build version.");
    cmd->add_option("--definition-file,-f", a->definition_file, "Path of the definition to bump.");
    cmd->add_flag("--to-stdout,-o", a->to_stdout, "Bump package to output.");
    cmd->add_option("--pkg-version,-p", a->pkg_version, "Set a specific package version");
    cmd->callback([a] {
        if (a->definition_file.empty()) throw Error("Mandatory definition.yaml path missing.");
        const std::string text = core::read_file(a->definition_file);
        const spec::Definition d = spec::parse_definition(text, a->definition_file);
        std::string next;
        if (!a->pkg_version.empty()) {
            if (!core::valid_version(a->pkg_version))
                throw Error("Invalid version string: " + a->pkg_version + " (" + a->definition_file + ")");
            next = a->pkg_version;
        } else {
            try {
                next = core::bump_build_version(d.form.version);
            } catch (const Error& e) {
                throw Error(a->definition_file + " (" + d.form.str() + "): Error on increment build version: " + e.what());
            }
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

// A requires/conflicts/copy package of a rendered build spec, as upstream marshals its
// DefaultPackage: YAML name, version (when set), category; JSON (encoding/json, no
// omitempty) id, name, version, category, requires, conflicts.
nlohmann::ordered_json yaml_package(const YAML::Node& n) {
    auto field = [&](const char* key) { return n[key] ? n[key].as<std::string>("") : std::string(); };
    nlohmann::ordered_json j{{"name", field("name")}};
    if (!field("version").empty()) j["version"] = field("version");
    j["category"] = field("category");
    return j;
}

nlohmann::ordered_json json_package(const YAML::Node& n) {
    auto field = [&](const char* key) { return n && n[key] ? n[key].as<std::string>("") : std::string(); };
    return {{"id", 0}, {"name", field("name")}, {"version", field("version")}, {"category", field("category")},
            {"requires", nullptr}, {"conflicts", nullptr}};
}

// The rendered build.yaml of `p` as geaaru/luet's `tree render` prints it: YAML (the inline
// package's empty name and category first, as upstream's marshal writes them) or JSON
// (upstream's encoding/json puts the inline package under the key "-"). The keys are those of
// geaaru/luet's CompilationSpecLoad in its field order (pkg/v2/compiler/types/specs/
// definition.go); other keys are dropped, as upstream's marshal drops them.
std::string render_spec(const spec::PackageSpec& p, const std::string& output) {
    const std::string origin = p.build_file.string() + " (" + p.definition.form.str() + ")";
    YAML::Node n;
    try {
        n = YAML::Load(p.build_yaml);
    } catch (const YAML::Exception& e) {
        throw Error(origin + ": " + e.what());
    }
    const bool json = output == "json";
    auto seq = [&](const char* key) { return n[key] && n[key].IsSequence() && n[key].size() > 0; };
    nlohmann::ordered_json doc;
    if (json) {
        nlohmann::ordered_json pkg = json_package(YAML::Node());
        for (const char* key : {"requires", "conflicts"}) {
            if (!seq(key)) continue;
            pkg[key] = nlohmann::ordered_json::array();
            for (const auto& e : n[key]) pkg[key].push_back(json_package(e));
        }
        doc["-"] = pkg;
    } else {
        doc["name"] = "";
        doc["category"] = "";
        for (const char* key : {"requires", "conflicts"}) {
            if (!seq(key)) continue;
            doc[key] = nlohmann::ordered_json::array();
            for (const auto& e : n[key]) doc[key].push_back(yaml_package(e));
        }
    }
    auto strings = [&](const char* key) {
        if (!seq(key)) return;
        doc[key] = nlohmann::ordered_json::array();
        for (const auto& item : n[key]) doc[key].push_back(item.as<std::string>(""));
    };
    auto scalar = [&](const char* key) {
        if (n[key] && n[key].IsScalar() && !n[key].as<std::string>().empty()) doc[key] = n[key].as<std::string>();
    };
    auto flag = [&](const char* key) {
        if (n[key] && n[key].IsScalar() && n[key].as<bool>(false)) doc[key] = true;
    };
    strings("steps");
    strings("env");
    strings("prelude");
    scalar("image");
    scalar("seed");
    scalar("package_dir");
    strings("retrieve");
    flag("unpack");
    strings("includes");
    strings("excludes");
    if (seq("copy")) {
        doc["copy"] = nlohmann::ordered_json::array();
        for (const auto& c : n["copy"]) {
            auto field = [&](const char* key) { return c[key] ? c[key].as<std::string>("") : std::string(); };
            nlohmann::ordered_json e;
            if (c["package"]) e["package"] = json ? json_package(c["package"]) : yaml_package(c["package"]);
            e["image"] = field("image");
            e["source"] = field("source");
            e["destination"] = field("destination");
            doc["copy"].push_back(e);
        }
    }
    flag("requires_final_images");
    if (!json) return go_yaml(doc);
    // Go's encoding/json escapes <, > and & (they only occur inside strings here).
    std::string text;
    for (char c : doc.dump())
        text += c == '<' ? "\\u003c" : c == '>' ? "\\u003e" : c == '&' ? "\\u0026" : std::string(1, c);
    return text;
}

// geaaru luet-build/cmd/tree/render.go: the build.yaml of the packages matching a selector,
// rendered with the tree's templates, --templates-dir and --values.
void add_render(CLI::App& tree) {
    struct Args {
        std::vector<std::string> trees, values, templates_dirs;
        std::string output = "terminal";
        std::vector<std::string> selector;
    };
    auto a = std::make_shared<Args>();
    auto* cmd = tree.add_subcommand("render", "Show rendered build.yaml file of a selected package.");
    cmd->add_option("--tree,-t", a->trees, "Path of the tree to use.")->allow_extra_args(false)->default_str("$PWD");
    add_values_flag(cmd, a->values);
    cmd->add_option("--templates-dir", a->templates_dirs, "Path of the render templates to use.")
        ->allow_extra_args(false)
        ->default_str("$PWD/templates");
    cmd->add_option("--output,-o", a->output, "Output format ( Defaults: terminal, available: terminal,json,yaml )");
    cmd->add_option("package-selector", a->selector, "The package: CAT/NAME[@VERSION]");
    cmd->callback([a] {
        check_output(a->output);
        if (a->selector.empty()) throw Error("No package selected.");
        if (a->trees.empty()) a->trees.push_back(fs::current_path().string());
        if (a->templates_dirs.empty()) a->templates_dirs.push_back((fs::current_path() / "templates").string());
        auto opts = load_options(a->values);
        opts.template_dirs.assign(a->templates_dirs.begin(), a->templates_dirs.end());
        const spec::Tree t = spec::load_tree(std::vector<fs::path>(a->trees.begin(), a->trees.end()), opts);
        const core::PackageRef ref = core::parse_package_arg(a->selector.front());
        bool found = false;
        for (const auto& p : t.packages) {
            if (!ref.matches(p.definition.form)) continue;
            found = true;
            if (a->output == "terminal") info("👁️  Processing package " + p.definition.form.str() + "...");
            // As upstream: an empty line, the document, an empty line (Println each).
            std::cout << "\n" << render_spec(p, a->output) << "\n\n" << std::flush;
        }
        if (!found) {
            warn("No packages found with the selector " + a->selector.front());
            throw CLI::RuntimeError(1);
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
    add_render(*tree);
}

}  // namespace luet::cli
