// Building packages of a tree in containers and writing their artifacts.
//
// Upstream behaviour (mudler/luet docs "Specfile", "Package definition"):
// - a package starts from its `image` (a seed) or from the image of the packages it
//   `requires` (which are built first); all of a build graph must share one seed image;
// - `prelude` runs first and is not accounted in the package; `steps` run next;
// - the package is the delta added by `steps` (default), the whole image (`unpack: true`)
//   or one folder of it rebased to / (`package_dir`), filtered by `includes` and
//   `excludes` (Go/RE2 regexes matched against absolute paths; excludes win);
// - the build context (the spec folder) is available to the commands in /luetbuild.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "luet/artifact/artifact.hpp"
#include "luet/core/process.hpp"
#include "luet/spec/spec.hpp"

namespace luet::build {

// The build cache (see cache.hpp), with upstream's `luet build` flags.
struct CacheOptions {
    std::string image_repository = "luet/cache";  // --image-repository: where the hash-tagged images go
    std::vector<std::string> pull_repositories;    // --pull-repository: further repositories to pull from
    bool pull = false;         // --pull: images a registry has are pulled instead of building them
    bool push = false;         // --push: the builder and package images built are pushed
    bool rebuild = false;      // --rebuild: every package of the plan is built
    bool keep_images = true;   // --keep-images (upstream's default: true)
    // --from-repositories: "CAT/NAME-VERSION" -> the image repository a repository's metadata
    // records for that package (repo/build_trees.hpp); with --pull its images are looked up
    // there too.
    std::map<std::string, std::string> package_image_repositories;
};

struct BuildOptions {
    std::filesystem::path destination;  // where artifacts and metadata files are written
    artifact::Compression compression = artifact::Compression::Gzip;
    std::string backend = "docker";     // docker | podman | buildah (build/backend.hpp)
    std::vector<std::string> backend_args;  // added to each container run of the backend
    // Packages built at once (general.concurrency, --concurrency): each after what it needs.
    std::size_t concurrency = 1;
    bool all = false;                   // build every package of the tree
    std::vector<core::PackageRef> targets;
    // Upstream's planning flags (mudler/luet cmd/build.go): the packages the targets need are
    // built for their images only, no artifact written (--only-target-package); or only them,
    // not the targets (--onlydeps).
    bool only_target = false;
    bool only_deps = false;
    CacheOptions cache;
    // SOURCE_DATE_EPOCH (seconds since 1970 UTC) when the user set it: artifact times are
    // clamped to it, compilespec.package.buildtimestamp is that time and the build containers
    // see it in their environment. Unset: times are clamped to artifact::kDefaultSourceDateEpoch
    // and buildtimestamp is the time of the build (as upstream writes it; upstream's
    // `upgrade` treats a changed buildtimestamp as a new build of the same version).
    std::optional<std::int64_t> source_date_epoch;
    // luet's version, part of every build hash (the CLI's `luet version`).
    std::string luet_version;
};

// One package of a build, for the summary.
struct PackageTiming {
    std::string package;  // "apps/hello-1.0"
    std::string status;   // "built", "failed" or "not built" (stopped by a failure)
    double seconds = 0;   // wall time of its build, when built
};

// Called one at a time, from the threads building packages.
struct Reporter {
    std::function<void(const std::string&)> progress;  // one line per build stage
    // Container output, line by line ("[CAT/NAME-VERSION] line" when concurrency > 1).
    core::LineSink output;
    std::function<void(const std::vector<PackageTiming>&)> summary;  // at the end, also on failure
};

// The packages of `order` that `opts` names (every one with opts.all).
std::set<const spec::PackageSpec*> targets_of(const spec::Tree& tree, const BuildOptions& opts,
                                              const std::vector<const spec::PackageSpec*>& order);

// Packages to build for `opts`, each after the packages it requires at build time
// (without the targets themselves when opts.only_deps).
// Throws luet::Error naming the spec file and the constraint when a target or a build
// requirement is missing, on a cycle, when the graph mixes seed images, or when a package to
// build has steps but neither 'image' nor 'requires'.
std::vector<const spec::PackageSpec*> plan(const spec::Tree& tree, const BuildOptions& opts);

// The packages of `tree` whose build needs one of `targets`, directly or through other
// packages (their build-time `requires`), in tree order, without the targets themselves
// (mudler/luet CompileWithReverseDeps, `luet build --revdeps`).
std::vector<const spec::PackageSpec*> reverse_build_dependencies(const spec::Tree& tree,
                                                                 const std::vector<const spec::PackageSpec*>& targets);

// Builds the plan and returns the metadata of the artifacts written to opts.destination, in
// plan order. Up to opts.concurrency packages build at once, each after the packages it
// needs. A failing package throws luet::Error naming it: no package starts after it, those
// already building finish; artifacts already complete stay, nothing partial of the failing
// package is left in the destination.
std::vector<artifact::Metadata> build(const spec::Tree& tree, const BuildOptions& opts, const Reporter& reporter);

// `luet pack`: an artifact of the whole `source` folder (no container), with its metadata file,
// written to `destination` as NAME-CATEGORY-VERSION.package.tar[.gz|.zst] (mudler/luet cmd/pack.go).
// Throws luet::Error when `source` is not a folder.
// source_date_epoch as in BuildOptions.
artifact::Metadata pack_folder(const std::filesystem::path& source, const spec::Definition& runtime,
                               const std::filesystem::path& destination, artifact::Compression compression,
                               std::optional<std::int64_t> source_date_epoch = {});

// A content hash of a package's build (the build cache key, cache.hpp): equal inputs give
// equal hashes (what upstream's `luet tree images` prints as the image tag). It covers
//   - build.yaml (rendered) and definition.yaml: every field upstream's hash covers (mudler/luet
//     compilerspec.go signature(): image, steps, prelude, env, retrieve, unpack, includes,
//     excludes, package_dir, copy, requires, requires_final_images) and more;
//   - every file of the spec folder (path and sha256): the build context;
//   - the hashes of the packages its build needs;
// and, beyond upstream, what could otherwise make a changed build reuse an old result:
//   - the content of each seed image (`image:`, and `copy:` images): its ID (HashInputs::seed_id),
//     so a moved tag ("latest") rebuilds;
//   - what retrieve: brings from outside the spec folder (URL contents, files of the
//     destination; retrieve_digest in retrieve.hpp);
//   - SOURCE_DATE_EPOCH (artifact times, buildtimestamp and the build environment depend on it);
//   - luet's version (how artifacts are cut and packed).
// Not covered: the backend (docker, podman and buildah give byte-identical artifacts, see
// tests/integration/engines_test.sh, and images are looked up in the engine in use), backend
// args, and what the steps fetch from the network themselves; `--rebuild` is the way out.
struct HashInputs {
    std::optional<std::int64_t> source_date_epoch;  // BuildOptions::source_date_epoch
    // "sha256:…" identity of a seed image's content; unset: the image name alone is hashed.
    std::function<std::string(const std::string& image)> seed_id;
    std::filesystem::path destination;  // BuildOptions::destination, for retrieve: globs
    std::string luet_version;           // BuildOptions::luet_version
};
// `cache` keeps the hashes computed so far, so a dependency shared by many packages is hashed
// once. Throws luet::Error when seed_id or a retrieve: URL fails.
using HashCache = std::map<const spec::PackageSpec*, std::string>;
std::string build_hash(const spec::Tree& tree, const spec::PackageSpec& p, HashCache& cache,
                       const HashInputs& inputs = {});

// The entries of `root` (paths relative to it, in walk order: a folder, then what is below
// it, names sorted bytewise, as upstream writes artifacts) that the
// includes/excludes filters select. Parent folders of selected entries are kept; other
// folders only when keep_empty_dirs is set. Throws luet::Error on an invalid regex, naming it.
std::vector<std::string> select_entries(const std::filesystem::path& root, const std::vector<std::string>& includes,
                                        const std::vector<std::string>& excludes, bool keep_empty_dirs);

}  // namespace luet::build
