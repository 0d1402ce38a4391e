#include "luet/build/builder.hpp"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <map>
#include <memory>
#include <mutex>
#include <set>

#include "luet/build/backend.hpp"
#include "luet/build/cache.hpp"
#include "luet/build/env.hpp"
#include "luet/build/retrieve.hpp"
#include "luet/build/schedule.hpp"
#include "luet/core/error.hpp"
#include "luet/core/file.hpp"
#include "luet/core/regex.hpp"
#include "luet/plugin/bus.hpp"
#include "luet/solver/solver.hpp"

namespace fs = std::filesystem;

namespace luet::build {
namespace {

std::string image_tag(const core::PackageForm& f, const std::string& stage) {
    std::string s = "luet-build/" + f.fingerprint() + "-" + stage;
    for (char& c : s) {
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        if (!std::isalnum(static_cast<unsigned char>(c)) && c != '/' && c != '.' && c != '-' && c != '_') c = '-';
    }
    return s + ":latest";
}

const spec::PackageSpec& resolve_build_dep(const spec::Tree& tree, const spec::PackageSpec& p,
                                           const core::PackageRef& ref, const char* how = "requires") {
    const spec::PackageSpec* dep = tree.best_match(ref);
    if (!dep)
        throw Error(p.build_file.string() + " (" + p.definition.form.str() + "): " + how + " " + ref.str() +
                    ", but the tree has no package matching it");
    return *dep;
}

// Packages that must be built before `p`: its build requires and the packages it copies from.
std::vector<const spec::PackageSpec*> build_deps(const spec::Tree& tree, const spec::PackageSpec& p) {
    std::vector<const spec::PackageSpec*> out;
    for (const auto& r : p.build.requires_) out.push_back(&resolve_build_dep(tree, p, r));
    for (const auto& c : p.build.copy)
        if (c.package) out.push_back(&resolve_build_dep(tree, p, *c.package, "copies from"));
    return out;
}

// The build-time conflicts of `p` against the packages its build needs (`deps`).
void check_build_conflicts(const spec::PackageSpec& p, const std::vector<const spec::PackageSpec*>& deps) {
    for (const auto* dep : deps)
        for (const auto& c : p.build.conflicts)
            if (c.matches(dep->definition.form))
                throw Error(p.build_file.string() + " (" + p.definition.form.str() + "): conflicts with " + c.str() +
                            " at build time, but its build needs " + dep->definition.form.str());
}

}  // namespace

std::set<const spec::PackageSpec*> targets_of(const spec::Tree& tree, const BuildOptions& opts,
                                              const std::vector<const spec::PackageSpec*>& order) {
    if (opts.all) return {order.begin(), order.end()};
    std::set<const spec::PackageSpec*> out;
    for (const auto& ref : opts.targets)
        if (const spec::PackageSpec* p = tree.best_match(ref)) out.insert(p);
    return out;
}

std::vector<const spec::PackageSpec*> reverse_build_dependencies(const spec::Tree& tree,
                                                                 const std::vector<const spec::PackageSpec*>& targets) {
    // Packages that another package's build needs (what build_deps resolves; a requirement
    // the tree lacks is that package's own error, reported when it is built).
    auto needs = [&](const spec::PackageSpec& p, const std::set<const spec::PackageSpec*>& of) {
        for (const auto& r : p.build.requires_)
            if (of.contains(tree.best_match(r))) return true;
        for (const auto& c : p.build.copy)
            if (c.package && of.contains(tree.best_match(*c.package))) return true;
        return false;
    };
    std::set<const spec::PackageSpec*> reached(targets.begin(), targets.end());
    for (bool grew = true; grew;) {
        grew = false;
        for (const auto& p : tree.packages)
            if (!p.shadowed && !reached.contains(&p) && needs(p, reached)) {
                reached.insert(&p);
                grew = true;
            }
    }
    std::vector<const spec::PackageSpec*> out;
    for (const auto& p : tree.packages)
        if (reached.contains(&p) && std::find(targets.begin(), targets.end(), &p) == targets.end()) out.push_back(&p);
    return out;
}

std::vector<const spec::PackageSpec*> plan(const spec::Tree& tree, const BuildOptions& opts) {
    std::vector<const spec::PackageSpec*> wanted;
    if (opts.all) {
        for (const auto& p : tree.packages)
            if (!p.shadowed) wanted.push_back(&p);
    }
    for (const auto& ref : opts.targets) {
        const spec::PackageSpec* p = tree.best_match(ref);
        if (!p) throw Error("package " + ref.str() + " not found in the tree");
        wanted.push_back(p);
    }
    // Close over build-time requires, resolving each package's build dependencies once.
    std::vector<const spec::PackageSpec*> closure;
    std::map<const spec::PackageSpec*, std::vector<const spec::PackageSpec*>> deps;
    std::vector<const spec::PackageSpec*> stack(wanted.rbegin(), wanted.rend());
    while (!stack.empty()) {
        const spec::PackageSpec* p = stack.back();
        stack.pop_back();
        if (deps.count(p)) continue;
        closure.push_back(p);
        if (p->build.image.empty() && p->build.requires_.empty() && !p->build.is_virtual())
            throw Error(p->build_file.string() + " (" + p->definition.form.str() +
                        "): neither 'image' nor 'requires' is set; a build spec with steps must say where the "
                        "build starts from");
        const auto& d = deps[p] = build_deps(tree, *p);
        check_build_conflicts(*p, d);
        stack.insert(stack.end(), d.begin(), d.end());
    }
    // Order with the solver's topological sort; entries keep the build requires.
    std::vector<solver::PackageEntry> entries;
    std::map<std::string, const spec::PackageSpec*> by_form;
    for (const auto* p : closure) {
        solver::PackageEntry e;
        e.form = p->definition.form;
        for (const auto* d : deps.at(p)) {
            const auto& dep = d->definition.form;
            e.requires_.push_back({dep.category, dep.name, core::Selector{core::SelectorOp::Eq, dep.version, {}}});
        }
        entries.push_back(std::move(e));
        by_form[p->definition.form.str()] = p;
    }
    std::vector<const spec::PackageSpec*> ordered;
    std::vector<solver::PackageEntry> sorted;
    try {
        sorted = solver::topological_order(entries);
    } catch (const Error& e) {
        std::string files;
        const std::string what = e.what();
        for (const auto* p : closure)
            if (what.find(p->definition.form.str()) != std::string::npos)
                files += "\n  " + p->build_file.string() + " (" + p->definition.form.str() + ")";
        throw Error(std::string(e.what()) + "; the build specs involved:" + files);
    }
    for (const auto& e : sorted) ordered.push_back(by_form.at(e.form.str()));
    if (opts.only_deps) {
        const auto targets = targets_of(tree, opts, ordered);
        std::erase_if(ordered, [&](const spec::PackageSpec* p) { return targets.count(p) > 0; });
    }

    // One seed image per build graph (a squash of final images starts a graph of its own).
    std::map<const spec::PackageSpec*, std::string> seed;
    for (const auto* p : ordered) {
        if (!p->build.image.empty()) {
            seed[p] = p->build.image;
            continue;
        }
        if (p->build.requires_final_images || p->build.requires_.empty()) {
            seed[p] = "final images of " + p->definition.form.str();
            continue;
        }
        for (const auto& r : p->build.requires_) {
            const spec::PackageSpec& dep = resolve_build_dep(tree, *p, r);
            // Upstream builds p FROM the package image of dep; a virtual package (no image,
            // no requires) has none, so geaaru/luet fails there (its 25_virtuals test).
            if (dep.build.image.empty() && dep.build.requires_.empty())
                throw Error(p->build_file.string() + " (" + p->definition.form.str() + "): requires " +
                            dep.definition.form.str() +
                            ", a virtual package (neither 'image' nor 'requires'): there is no image to build "
                            "from; set 'image', or 'requires_final_images: true' to start from its artifact");
            const std::string& s = seed.at(&dep);
            if (seed.count(p) && seed[p] != s)
                throw Error(p->build_file.string() + " (" + p->definition.form.str() +
                            "): requires packages built from different images (" + seed[p] + " and " + s +
                            "); a build graph must have a single seed image");
            seed[p] = s;
        }
    }
    return ordered;
}

std::string build_hash(const spec::Tree& tree, const spec::PackageSpec& p, HashCache& cache,
                       const HashInputs& inputs) {
    if (auto it = cache.find(&p); it != cache.end()) return it->second;
    std::string input = "build.yaml\n" + p.build_yaml + "\ndefinition.yaml\n" + p.definition_yaml + "\n";
    input += "luet " + inputs.luet_version + "\n";
    input += "source_date_epoch " +
             (inputs.source_date_epoch ? std::to_string(*inputs.source_date_epoch) : std::string("unset")) + "\n";
    auto seed = [&](const std::string& image) {
        try {
            input += "seed " + image + " " + (inputs.seed_id ? inputs.seed_id(image) : std::string()) + "\n";
        } catch (const Error& e) {
            throw Error(p.build_file.string() + " (" + p.definition.form.str() + "): " + e.what());
        }
    };
    if (!p.build.image.empty()) seed(p.build.image);
    for (const auto& c : p.build.copy)
        if (!c.package && !c.image.empty()) seed(c.image);
    input += retrieve_digest(p, inputs.destination);
    std::vector<fs::path> files;
    for (auto it = fs::recursive_directory_iterator(p.dir); it != fs::recursive_directory_iterator(); ++it)
        if (it->is_regular_file()) files.push_back(it->path());
    std::sort(files.begin(), files.end());
    for (const auto& f : files)
        input += f.lexically_relative(p.dir).string() + " " + artifact::sha256_file(f) + "\n";
    for (const auto* d : build_deps(tree, p)) input += "dep " + build_hash(tree, *d, cache, inputs) + "\n";
    return cache[&p] = artifact::sha256_string(input);
}

namespace {

// filepath.Walk's order, in which upstream's archive.Tar writes artifacts: a folder's entries
// by name (bytes), each followed by what is below it ("a", "a/b", "a-b"): '/' sorts first.
struct WalkOrder {
    bool operator()(const std::string& a, const std::string& b) const {
        const auto key = [](char c) { return c == '/' ? 0 : static_cast<unsigned char>(c) + 1; };
        return std::lexicographical_compare(a.begin(), a.end(), b.begin(), b.end(),
                                            [&](char x, char y) { return key(x) < key(y); });
    }
};

}  // namespace

std::vector<std::string> select_entries(const fs::path& root, const std::vector<std::string>& includes,
                                        const std::vector<std::string>& excludes, bool keep_empty_dirs) {
    const core::RegexList inc(includes, "includes");
    const core::RegexList exc(excludes, "excludes");

    std::vector<std::string> all;
    if (!fs::exists(root)) return all;
    for (auto it = fs::recursive_directory_iterator(root); it != fs::recursive_directory_iterator(); ++it)
        all.push_back(it->path().lexically_relative(root).string());
    std::sort(all.begin(), all.end());

    std::set<std::string, WalkOrder> chosen;
    for (const auto& rel : all) {
        const std::string abs = "/" + rel;
        if (!keep_empty_dirs && fs::is_directory(fs::symlink_status(root / rel))) continue;
        if (!inc.empty() && !inc.any(abs)) continue;
        if (exc.any(abs)) continue;
        chosen.insert(rel);
        for (fs::path parent = fs::path(rel).parent_path(); !parent.empty(); parent = parent.parent_path())
            chosen.insert(parent.string());
    }
    // Parents come first in walk order.
    return {chosen.begin(), chosen.end()};
}

namespace {

// compilespec.package.buildtimestamp: the time as Go's time.String() prints it in UTC
// ("2026-11-23 20:01:35.510239514 +0000 UTC", trailing zeros of the fraction dropped), as
// upstream's build and pack write it; SOURCE_DATE_EPOCH when set, else now.
std::string build_timestamp(std::optional<std::int64_t> source_date_epoch) {
    timespec ts{};
    if (source_date_epoch)
        ts.tv_sec = static_cast<time_t>(*source_date_epoch);
    else
        clock_gettime(CLOCK_REALTIME, &ts);
    std::tm tm{};
    gmtime_r(&ts.tv_sec, &tm);
    char when[32] = "";
    std::strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S", &tm);
    std::string out = when;
    if (ts.tv_nsec != 0) {
        char nanos[16] = "";
        std::snprintf(nanos, sizeof nanos, ".%09ld", static_cast<long>(ts.tv_nsec));
        std::string frac = nanos;
        while (frac.back() == '0') frac.pop_back();
        out += frac;
    }
    return out + " +0000 UTC";
}

// Writes one artifact (and its metadata file) cut from `content`.
artifact::Metadata write_artifact(const fs::path& content, const spec::Definition& runtime, artifact::CompileSpec cs,
                                  const std::vector<std::string>& includes, const std::vector<std::string>& excludes,
                                  bool keep_empty_dirs, const BuildOptions& opts, const std::string& cache_hash = {}) {
    artifact::Metadata meta;
    meta.runtime = runtime;
    meta.package_cacheimage = cache_hash;
    cs.package = runtime.form;
    cs.build_timestamp = build_timestamp(opts.source_date_epoch);
    cs.includes = includes;
    cs.excludes = excludes;
    if (!cache_hash.empty()) cs.push_image_repository = opts.cache.image_repository;
    meta.compilespec = std::move(cs);
    meta.compression = opts.compression;
    meta.path = runtime.form.fingerprint() + artifact::package_suffix(opts.compression);
    std::vector<std::string> entries = select_entries(content, includes, excludes, keep_empty_dirs);
    artifact::pack(content, entries, opts.destination / meta.path, opts.compression,
                   opts.source_date_epoch.value_or(artifact::kDefaultSourceDateEpoch));
    for (const auto& e : entries)
        if (!fs::is_directory(fs::symlink_status(content / e))) meta.files.push_back(e);
    meta.sha256 = artifact::sha256_file(opts.destination / meta.path);
    plugin::publish(plugin::kPackagePreBuildArtifact, [&] { return artifact::metadata_json(meta); });
    artifact::write_metadata(meta, opts.destination / meta.metadata_file_name());
    plugin::publish(plugin::kPackagePostBuildArtifact, [&] { return artifact::metadata_json(meta); });
    return meta;
}

// The environment of a package's build commands, recorded in its images as Dockerfile ENV
// (upstream's order: PACKAGE_NAME, PACKAGE_VERSION, PACKAGE_CATEGORY, then `env`).
std::vector<std::string> build_env(const spec::PackageSpec& p, const BuildOptions& opts,
                                   const std::vector<std::string>& image_env) {
    const auto& form = p.definition.form;
    std::vector<std::string> env = {"PACKAGE_NAME=" + form.name, "PACKAGE_VERSION=" + form.version,
                                    "PACKAGE_CATEGORY=" + form.category};
    if (opts.source_date_epoch) env.push_back("SOURCE_DATE_EPOCH=" + std::to_string(*opts.source_date_epoch));
    try {
        for (auto& e : expand_env(p.build.env, image_env)) env.push_back(std::move(e));
    } catch (const Error& e) {
        throw Error(p.build_file.string() + " (" + form.str() + "): " + e.what());
    }
    return env;
}

// The entries of a whole image (unpack, package_dir) an artifact of `p` or of its subpackages
// can hold: under package_dir, or selected by the includes/excludes of one of them (see
// select_entries; folders are always exported, so parents keep their own metadata).
LayerFilter whole_image_filter(const spec::PackageSpec& p) {
    const auto& b = p.build;
    if (!b.package_dir.empty()) {
        std::string dir = fs::path(b.package_dir).lexically_normal().string();
        while (dir.size() > 1 && dir.ends_with('/')) dir.pop_back();
        if (dir == "/") return {};
        return [prefix = dir + "/"](const std::string& path) { return path.starts_with(prefix); };
    }
    struct Filters {
        core::RegexList inc, exc;
    };
    auto filters = std::make_shared<std::vector<Filters>>();
    filters->push_back({core::RegexList(b.includes, "includes"), core::RegexList(b.excludes, "excludes")});
    for (const auto& sub : b.subpackages)
        filters->push_back({core::RegexList(sub.includes, "includes"), core::RegexList(sub.excludes, "excludes")});
    for (const auto& f : *filters)
        if (f.inc.empty() && f.exc.empty()) return {};  // one artifact takes everything
    return [filters](const std::string& path) {
        for (const auto& f : *filters)
            if ((f.inc.empty() || f.inc.any(path)) && !f.exc.any(path)) return true;
        return false;
    };
}

void extract_artifact(const fs::path& file, const fs::path& dest) {
    core::capture({"tar", "-xf", file.string(), "-C", dest.string()});
}

}  // namespace

artifact::Metadata pack_folder(const fs::path& source, const spec::Definition& runtime, const fs::path& destination,
                               artifact::Compression compression, std::optional<std::int64_t> source_date_epoch) {
    if (!fs::is_directory(source)) throw Error("pack: source " + source.string() + " is not a folder");
    BuildOptions opts;
    opts.destination = destination;
    opts.compression = compression;
    opts.source_date_epoch = source_date_epoch;
    fs::create_directories(destination);
    return write_artifact(source, runtime, {}, {}, {}, true, opts);
}

std::vector<artifact::Metadata> build(const spec::Tree& tree, const BuildOptions& opts, const Reporter& reporter) {
    const auto order = plan(tree, opts);
    auto backend = make_backend(opts.backend, opts.backend_args);
    fs::create_directories(opts.destination);

    // Shared by the packages building at once (opts.concurrency), under `state`.
    std::mutex state;
    std::map<const spec::PackageSpec*, std::string> final_image;
    std::map<const spec::PackageSpec*, artifact::Metadata> built;
    std::vector<std::string> created;  // intermediate images, removed at the end
    std::vector<std::string> cached;   // hash-tagged images built, removed at the end without keep_images
    auto image_of = [&](const spec::PackageSpec& dep) {
        std::lock_guard lock(state);
        return final_image.at(&dep);
    };
    auto artifact_of = [&](const spec::PackageSpec& dep) {
        std::lock_guard lock(state);
        return opts.destination / built.at(&dep).path;
    };
    auto keep = [&](const std::string& image) {
        std::lock_guard lock(state);
        created.push_back(image);
    };
    struct RemoveImages {
        Backend& backend;
        std::vector<std::string>& images;
        ~RemoveImages() {
            for (auto it = images.rbegin(); it != images.rend(); ++it) backend.remove_image(*it);
        }
    } remove_images{*backend, created}, remove_cached{*backend, cached};
    std::mutex report;
    auto say = [&](const std::string& line) {
        std::lock_guard lock(report);
        if (reporter.progress) reporter.progress(line);
    };
    const auto cache = plan_cache(tree, order, opts, *backend, say);
    std::set<std::string> present;  // images seen locally or pulled in this build (under `state`)
    auto ensure_image = [&](const std::string& image) {
        {
            std::lock_guard lock(state);
            if (present.count(image)) return;
        }
        if (!backend->image_exists(image)) backend->pull(image);
        std::lock_guard lock(state);
        present.insert(image);
    };

    const auto targets = targets_of(tree, opts, order);
    std::vector<std::vector<artifact::Metadata>> results(order.size());  // per package of the plan
    std::vector<PackageTiming> timings(order.size());
    auto build_one = [&](std::size_t index) {
        const auto* p = order[index];
        const auto& form = p->definition.form;
        const auto& b = p->build;
        const std::string label = p->build_file.string() + " (" + form.str() + ")";
        const auto started = std::chrono::steady_clock::now();
        auto elapsed = [&] {
            return std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
        };
        // Container output, prefixed by the package when several build at once.
        const core::LineSink output = [&](std::string_view line) {
            std::lock_guard lock(report);
            if (!reporter.output) return;
            if (opts.concurrency > 1)
                reporter.output("[" + form.str() + "] " + std::string(line));
            else
                reporter.output(line);
        };
        say("📦 [" + std::to_string(index + 1) + "/" + std::to_string(order.size()) + "] Building " + form.str() +
            (p->repository.empty() ? "" : " (spec from repository " + p->repository + ")"));
        // mudler/luet's payloads: {CompileSpec, Assert{Package}} before, {CompileSpec, Artifact} after.
        auto compilespec_json = [&] {
            artifact::Metadata m;
            m.runtime = p->definition;
            m.compilespec = artifact::compile_spec(form, b);
            return artifact::metadata_json(m)["compilespec"];
        };
        plugin::publish(plugin::kPackagePreBuild, [&] {
            return nlohmann::json{{"CompileSpec", compilespec_json()},
                                  {"Assert", {{"Package", artifact::runtime_json(p->definition)}, {"Value", true}}}};
        });

        // The build cache: artifacts kept, images reused or pulled (see cache.hpp).
        const CacheDecision& cd = cache.at(p);
        if (cd.action != CacheAction::Build) {
            if (cd.action == CacheAction::FromImages) use_cached_images(*backend, form, cd, opts.cache, say);
            // Beyond upstream (which pushes only what it builds): a registry filled late, or
            // emptied, gets the images of packages that were current.
            if (cd.action == CacheAction::Skip && opts.cache.push && (!b.image.empty() || !b.requires_.empty()))
                push_missing_images(*backend, cd, say);
            {
                std::lock_guard lock(state);
                final_image[p] = cd.action == CacheAction::FromImages ? cd.package_image : "";
                if (cd.artifact_current) built[p] = cd.artifacts.front();
            }
            if (cd.artifact_current) {
                say("⏭ " + form.str() + ": unchanged (build hash " + cd.hash + "), " + cd.artifacts.front().path +
                    " kept, skipped");
                results[index].insert(results[index].end(), cd.artifacts.begin(), cd.artifacts.end());
                timings[index].seconds = elapsed();
                return;
            }
        }

        // The image the build starts from.
        std::string base;
        if (cd.action == CacheAction::FromImages) {
            // Cut from the cached images below; nothing to prepare.
        } else if (!b.image.empty()) {
            base = b.image;
            ensure_image(base);
        } else if (b.requires_final_images) {
            if (b.from_join) say("  'join' is deprecated upstream: use 'requires' with 'requires_final_images: true'");
            // A new image holding exactly the artifacts of the required packages.
            core::TempDir squash("build");
            for (const auto& r : b.requires_) {
                const auto& dep = resolve_build_dep(tree, *p, r);
                say("  ↳ final image content: " + dep.definition.form.str());
                extract_artifact(artifact_of(dep), squash.path);
            }
            base = image_tag(form, "final-deps");
            backend->import_folder(squash.path, base);
            keep(base);
        } else if (!b.requires_.empty()) {
            const auto& first = resolve_build_dep(tree, *p, b.requires_.front());
            base = image_of(first);
            if (b.requires_.size() > 1) {
                // Further requires are layered on top as their artifacts' content.
                core::TempDir overlay("build");
                for (size_t i = 1; i < b.requires_.size(); ++i) {
                    const auto& dep = resolve_build_dep(tree, *p, b.requires_[i]);
                    extract_artifact(artifact_of(dep), overlay.path);
                }
                RunRequest layer;
                layer.base_image = base;
                layer.context = overlay.path;
                layer.workdir = "/";
                layer.commands = {};  // the context alone
                layer.result_image = image_tag(form, "deps");
                layer.label = label;
                backend->run(layer, output);
                keep(layer.result_image);
                base = layer.result_image;
            }
        }

        // Files copied in from images or from other packages' images (before prelude).
        core::TempDir copies("build");
        std::vector<std::pair<fs::path, std::string>> copy_list;
        for (size_t i = 0; cd.action == CacheAction::Build && i < b.copy.size(); ++i) {
            const auto& c = b.copy[i];
            std::string from = c.image;
            if (c.package) {
                from = image_of(resolve_build_dep(tree, *p, *c.package, "copies from"));
            } else {
                ensure_image(from);
            }
            const fs::path staged = copies.path / std::to_string(i);
            backend->copy_from_image(from, c.source, staged);
            // As Dockerfile COPY: a file copied to "dir/" keeps its name.
            std::string dest = c.destination;
            if (dest.ends_with('/') && !fs::is_directory(staged)) dest += fs::path(c.source).filename().string();
            copy_list.emplace_back(staged, dest);
        }

        std::string builder = base;
        std::string package_image = base;
        const bool has_commands =
            cd.action == CacheAction::Build && (!b.prelude.empty() || !b.steps.empty() || !copy_list.empty());
        if (has_commands && base.empty())
            throw Error(label + ": has commands to run but neither 'image' nor 'requires' to run them in");
        RunRequest run;
        run.base_image = base;
        run.label = label;
        if (has_commands) {
            // The image's own environment only matters to expand the spec's `env` entries.
            run.env = build_env(*p, opts, b.env.empty() ? std::vector<std::string>{} : backend->image_env(base));
            RunRequest pre = run;
            pre.context = p->dir;
            core::TempDir context("context");
            if (!b.retrieve.empty()) {
                stage_context(*p, context.path / "c", opts.destination);
                pre.context = context.path / "c";
            }
            pre.copies = copy_list;
            pre.commands = b.prelude;  // none: the context (and copies) alone make the builder image
            pre.result_image = cd.builder_image;
            backend->run(pre, output);
            builder = package_image = pre.result_image;
            if (!b.steps.empty()) {
                RunRequest steps = run;
                steps.base_image = builder;
                steps.commands = b.steps;
                steps.result_image = cd.package_image;
                backend->run(steps, output);
                package_image = steps.result_image;
            }
        }
        if (cd.action == CacheAction::FromImages) {
            builder = cd.builder_image;
            package_image = cd.package_image;
        } else if (!base.empty()) {
            store_cache_images(*backend, cd, builder, package_image, opts.cache, say);
            if (!opts.cache.keep_images) {
                std::lock_guard lock(state);
                cached.insert(cached.end(), {cd.builder_image, cd.package_image});
            }
            builder = cd.builder_image;
            package_image = cd.package_image;
        }
        {
            std::lock_guard lock(state);
            final_image[p] = package_image;
            if (cd.artifact_current) built[p] = cd.artifacts.front();
        }
        if (cd.artifact_current) {
            // Built only because a package to build needs its image; the artifacts are current.
            say("⏭ " + form.str() + ": unchanged (build hash " + cd.hash + "), " + cd.artifacts.front().path + " kept");
            results[index].insert(results[index].end(), cd.artifacts.begin(), cd.artifacts.end());
            timings[index].seconds = elapsed();
            return;
        }

        core::TempDir staging("build");
        fs::path content = staging.path;
        if (b.unpack || !b.package_dir.empty()) {
            // The whole image, less what no artifact of the package can hold.
            backend->export_layers(package_image, "", staging.path, whole_image_filter(*p));
            if (!b.package_dir.empty()) content = staging.path / fs::path(b.package_dir).relative_path();
        } else if (!b.steps.empty()) {
            // The delta the steps added: the package image's layers above the builder's.
            backend->export_layers(package_image, builder, staging.path);
        }
        if (!b.package_dir.empty() && !fs::is_directory(content))
            throw Error(label + ": package_dir " + b.package_dir + " does not exist after the build steps");

        if (opts.only_target && !targets.count(p)) {
            say("  " + form.str() + ": image only, no artifact (--only-target-package)");
            timings[index].seconds = elapsed();
            return;
        }

        // A delta layer also records folders whose only change is their mtime (e.g. /tmp after
        // a compiler ran); folders without selected content are left out of a delta.
        const bool delta = !b.unpack && b.package_dir.empty();
        artifact::Metadata meta =
            write_artifact(content, p->definition, artifact::compile_spec(form, b), b.includes, b.excludes, !delta, opts, cd.hash);
        char took[32];
        std::snprintf(took, sizeof took, "%.1fs", elapsed());
        say("✔ " + form.str() + ": " + meta.path + " (" + std::to_string(meta.files.size()) + " files) in " + took);
        {
            std::lock_guard lock(state);
            built[p] = meta;
        }
        plugin::publish(plugin::kPackagePostBuild, [&] {
            return nlohmann::json{{"CompileSpec", compilespec_json()}, {"Artifact", artifact::metadata_json(meta)}};
        });
        results[index].push_back(std::move(meta));

        for (const auto& sub : b.subpackages) {
            // Subpackages cut the same build result with their own filters.
            artifact::Metadata sm =
                write_artifact(content, sub.definition, artifact::compile_spec(sub.definition.form, b), sub.includes,
                               sub.excludes, !delta, opts, cd.hash);
            say("✔ " + sub.definition.form.str() + " (subpackage of " + form.str() + "): " + sm.path + " (" +
                std::to_string(sm.files.size()) + " files)");
            results[index].push_back(std::move(sm));
        }
        timings[index].seconds = elapsed();
    };

    std::vector<DagNode> nodes;
    std::map<const spec::PackageSpec*, std::size_t> position;
    for (std::size_t i = 0; i < order.size(); ++i) {
        position[order[i]] = i;
        DagNode node{order[i]->definition.form.str(), {}};
        for (const auto* d : build_deps(tree, *order[i])) node.deps.push_back(position.at(d));
        nodes.push_back(std::move(node));
        timings[i].package = nodes.back().name;
    }
    const DagResult run = run_dag(nodes, opts.concurrency, build_one);
    for (std::size_t i = 0; i < order.size(); ++i)
        timings[i].status = run.done[i] ? "built" : nodes[i].name == run.failed ? "failed" : "not built";
    if (reporter.summary) reporter.summary(timings);
    if (!run.failed.empty())
        throw Error(run.message.find(run.failed) != std::string::npos ? run.message : run.failed + ": " + run.message);
    std::vector<artifact::Metadata> result;
    for (auto& r : results)
        for (auto& m : r) result.push_back(std::move(m));
    return result;
}

}  // namespace luet::build
