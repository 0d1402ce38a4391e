#include "luet/build/builder.hpp"

#include <re2/re2.h>
#include <unistd.h>

#include <algorithm>
#include <map>
#include <memory>
#include <set>

#include "luet/build/backend.hpp"
#include "luet/core/error.hpp"
#include "luet/solver/solver.hpp"

namespace fs = std::filesystem;

namespace luet::build {
namespace {

struct TempDir {
    fs::path path;
    TempDir() {
        char tmpl[] = "/tmp/luet-build-XXXXXX";
        if (!mkdtemp(tmpl)) throw Error("cannot create a temporary folder");
        path = tmpl;
    }
    ~TempDir() {
        std::error_code ec;
        fs::remove_all(path, ec);
    }
};

std::string image_tag(const core::PackageForm& f, const std::string& stage) {
    std::string s = "luet-build/" + f.fingerprint() + "-" + stage;
    for (char& c : s) {
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        if (!std::isalnum(static_cast<unsigned char>(c)) && c != '/' && c != '.' && c != '-' && c != '_') c = '-';
    }
    return s + ":latest";
}

const spec::PackageSpec& resolve_build_dep(const spec::Tree& tree, const spec::PackageSpec& p,
                                           const core::PackageRef& ref) {
    const spec::PackageSpec* dep = tree.best_match(ref);
    if (!dep)
        throw Error(p.build_file.string() + " (" + p.definition.form.str() + "): requires " + ref.str() +
                    ", but the tree has no package matching it");
    return *dep;
}

}  // namespace

std::vector<const spec::PackageSpec*> plan(const spec::Tree& tree, const BuildOptions& opts) {
    std::vector<const spec::PackageSpec*> wanted;
    if (opts.all) {
        for (const auto& p : tree.packages) wanted.push_back(&p);
    }
    for (const auto& ref : opts.targets) {
        const spec::PackageSpec* p = tree.best_match(ref);
        if (!p) throw Error("package " + ref.str() + " not found in the tree");
        wanted.push_back(p);
    }
    // Close over build-time requires.
    std::vector<const spec::PackageSpec*> closure;
    std::set<const spec::PackageSpec*> seen;
    std::vector<const spec::PackageSpec*> stack(wanted.rbegin(), wanted.rend());
    while (!stack.empty()) {
        const spec::PackageSpec* p = stack.back();
        stack.pop_back();
        if (!seen.insert(p).second) continue;
        closure.push_back(p);
        for (const auto& r : p->build.requires_) stack.push_back(&resolve_build_dep(tree, *p, r));
    }
    // Order with the solver's topological sort; entries keep the build requires.
    std::vector<solver::PackageEntry> entries;
    std::map<std::string, const spec::PackageSpec*> by_form;
    for (const auto* p : closure) {
        solver::PackageEntry e;
        e.form = p->definition.form;
        for (const auto& r : p->build.requires_) {
            const auto& dep = resolve_build_dep(tree, *p, r).definition.form;
            e.requires_.push_back({dep.category, dep.name, core::Selector{core::SelectorOp::Eq, dep.version}});
        }
        entries.push_back(std::move(e));
        by_form[p->definition.form.str()] = p;
    }
    std::vector<const spec::PackageSpec*> ordered;
    for (const auto& e : solver::topological_order(entries)) ordered.push_back(by_form.at(e.form.str()));

    // One seed image per build graph.
    std::map<const spec::PackageSpec*, std::string> seed;
    for (const auto* p : ordered) {
        if (!p->build.image.empty()) {
            seed[p] = p->build.image;
            continue;
        }
        for (const auto& r : p->build.requires_) {
            const std::string& s = seed.at(&resolve_build_dep(tree, *p, r));
            if (seed.count(p) && seed[p] != s)
                throw Error(p->build_file.string() + " (" + p->definition.form.str() +
                            "): requires packages built from different images (" + seed[p] + " and " + s +
                            "); a build graph must have a single seed image");
            seed[p] = s;
        }
    }
    return ordered;
}

std::vector<std::string> select_entries(const fs::path& root, const std::vector<std::string>& includes,
                                        const std::vector<std::string>& excludes, bool keep_empty_dirs) {
    auto compile = [](const std::vector<std::string>& patterns, const char* what) {
        std::vector<std::unique_ptr<RE2>> out;
        for (const auto& p : patterns) {
            auto re = std::make_unique<RE2>(p, RE2::Quiet);
            if (!re->ok()) throw Error(std::string("invalid ") + what + " regex '" + p + "': " + re->error());
            out.push_back(std::move(re));
        }
        return out;
    };
    const auto inc = compile(includes, "includes");
    const auto exc = compile(excludes, "excludes");
    auto any = [](const std::vector<std::unique_ptr<RE2>>& res, const std::string& s) {
        return std::any_of(res.begin(), res.end(), [&](const auto& re) { return RE2::PartialMatch(s, *re); });
    };

    std::vector<std::string> all;
    if (!fs::exists(root)) return all;
    for (auto it = fs::recursive_directory_iterator(root); it != fs::recursive_directory_iterator(); ++it)
        all.push_back(it->path().lexically_relative(root).string());
    std::sort(all.begin(), all.end());

    std::set<std::string> chosen;
    for (const auto& rel : all) {
        const std::string abs = "/" + rel;
        if (!keep_empty_dirs && fs::is_directory(fs::symlink_status(root / rel))) continue;
        if (!inc.empty() && !any(inc, abs)) continue;
        if (any(exc, abs)) continue;
        chosen.insert(rel);
        for (fs::path parent = fs::path(rel).parent_path(); !parent.empty(); parent = parent.parent_path())
            chosen.insert(parent.string());
    }
    // std::set orders "a" before "a/b": parents come first.
    return {chosen.begin(), chosen.end()};
}

std::vector<artifact::Metadata> build(const spec::Tree& tree, const BuildOptions& opts, const Reporter& reporter) {
    const auto order = plan(tree, opts);
    auto backend = make_backend(opts.backend);
    fs::create_directories(opts.destination);

    std::map<const spec::PackageSpec*, std::string> final_image;
    std::map<const spec::PackageSpec*, artifact::Metadata> built;
    std::vector<std::string> created;  // images to remove at the end
    struct RemoveImages {
        Backend& backend;
        std::vector<std::string>& images;
        ~RemoveImages() {
            for (auto it = images.rbegin(); it != images.rend(); ++it) backend.remove_image(*it);
        }
    } remove_images{*backend, created};

    std::vector<artifact::Metadata> result;
    size_t index = 0;
    for (const auto* p : order) {
        ++index;
        const auto& form = p->definition.form;
        const std::string label = p->build_file.string() + " (" + form.str() + ")";
        if (reporter.progress)
            reporter.progress("📦 [" + std::to_string(index) + "/" + std::to_string(order.size()) + "] Building " +
                              form.str());

        // The image the build starts from.
        std::string base;
        if (!p->build.image.empty()) {
            base = p->build.image;
            if (!backend->image_exists(base)) backend->pull(base);
        } else {
            const auto& first = resolve_build_dep(tree, *p, p->build.requires_.front());
            base = final_image.at(&first);
            if (p->build.requires_.size() > 1) {
                // Further requires are layered on top as their artifacts' content.
                TempDir overlay;
                for (size_t i = 1; i < p->build.requires_.size(); ++i) {
                    const auto& dep = resolve_build_dep(tree, *p, p->build.requires_[i]);
                    const auto& meta = built.at(&dep);
                    core::capture({"tar", "-xf", (opts.destination / meta.path).string(), "-C",
                                   overlay.path.string()});
                }
                RunRequest layer{base, overlay.path, "/", {}, {"true"}, image_tag(form, "deps"), label};
                backend->run(layer, reporter.output);
                created.push_back(layer.result_image);
                base = layer.result_image;
            }
        }

        std::string builder = base;
        std::string package_image = base;
        const bool has_commands = !p->build.prelude.empty() || !p->build.steps.empty();
        if (has_commands) {
            RunRequest pre{base, p->dir, "/luetbuild", p->build.env,
                           p->build.prelude.empty() ? std::vector<std::string>{"true"} : p->build.prelude,
                           image_tag(form, "builder"), label};
            backend->run(pre, reporter.output);
            created.push_back(pre.result_image);
            builder = package_image = pre.result_image;
            if (!p->build.steps.empty()) {
                RunRequest steps{builder, {}, "/luetbuild", p->build.env, p->build.steps,
                                 image_tag(form, "package"), label};
                backend->run(steps, reporter.output);
                created.push_back(steps.result_image);
                package_image = steps.result_image;
            }
        }
        final_image[p] = package_image;

        TempDir staging;
        fs::path content = staging.path;
        if (p->build.unpack || !p->build.package_dir.empty()) {
            backend->export_layers(package_image, 0, staging.path);
            if (!p->build.package_dir.empty()) content = staging.path / fs::path(p->build.package_dir).relative_path();
        } else if (package_image != builder) {
            backend->export_layers(package_image, backend->layer_count(builder), staging.path);
        }
        if (!p->build.package_dir.empty() && !fs::is_directory(content))
            throw Error(label + ": package_dir " + p->build.package_dir + " does not exist after the build steps");

        artifact::Metadata meta;
        meta.runtime = p->definition;
        meta.build_yaml = p->build_yaml;
        meta.compression = opts.compression;
        meta.path = form.fingerprint() + artifact::package_suffix(opts.compression);
        // A delta layer also records folders whose only change is their mtime (e.g. /tmp after
        // a compiler ran); folders without selected content are left out of a delta.
        const bool delta = !p->build.unpack && p->build.package_dir.empty();
        std::vector<std::string> entries = select_entries(content, p->build.includes, p->build.excludes, !delta);
        artifact::pack(content, entries, opts.destination / meta.path, opts.compression);
        for (const auto& e : entries)
            if (!fs::is_directory(fs::symlink_status(content / e))) meta.files.push_back(e);
        meta.sha256 = artifact::sha256_file(opts.destination / meta.path);
        artifact::write_metadata(meta, opts.destination / meta.metadata_file_name());
        if (reporter.progress)
            reporter.progress("✔ " + form.str() + ": " + meta.path + " (" + std::to_string(meta.files.size()) +
                              " files)");
        built[p] = meta;
        result.push_back(std::move(meta));
    }
    return result;
}

}  // namespace luet::build
