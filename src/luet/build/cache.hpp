// The build cache: images tagged by build hash, artifacts kept when their hash is unchanged,
// images pulled from and pushed to registries.
//
// Upstream (mudler/luet pkg/compiler/compiler.go compileWithImage, imagehashtree.go; geaaru's
// luet-build keeps the same form):
//   package image   <image-repository>:<package hash>
//   builder image   <image-repository>:builder-<md5 hex of "<name>-<category>-<version>-<package hash>">
// and `luet tree images` prints the package image. Upstream's package hash hashes its solver
// assertions (Go structures); ours is build_hash() (builder.hpp: build.yaml, definition.yaml,
// the context files, the hashes of the packages the build needs, the seed images' IDs, what
// retrieve: fetches, SOURCE_DATE_EPOCH and luet's version), so the tags have upstream's form
// but not its values. The artifact metadata records the hash as `package_cacheimage` (upstream's
// PackageCacheImage field).
//
// What a build does with each package of the plan (decided before the first container starts):
//   Skip        the artifact (and the subpackages' ones) in the destination records this hash
//               and its file has the recorded sha256, and no package to build needs its image:
//               nothing runs (with --push, local images the registry lacks are pushed);
//   FromImages  the builder and package images tagged with this hash are local, or (with
//               --pull) in the image repository, a pull repository or (a package of a
//               repository's compilertree, --from-repositories) the image repository its
//               published metadata records: they are pulled when needed and the artifact is
//               cut from them, no build step runs;
//   Build       the steps run (and with --push both images are pushed).
// --rebuild builds every package of the plan.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "luet/artifact/artifact.hpp"
#include "luet/build/backend.hpp"
#include "luet/build/builder.hpp"
#include "luet/spec/spec.hpp"

namespace luet::build {

// "<repository>:<hash>".
std::string package_image_name(const std::string& repository, const std::string& hash);
// "<repository>:builder-<md5(fingerprint + "-" + hash)>" (upstream's genBuilderImageTag).
std::string builder_image_name(const std::string& repository, const core::PackageForm& form, const std::string& hash);

// The content identity of a seed image for the build hash: its local ID when the backend has
// it, else the config digest its registry's manifest names (the same value; nothing is
// pulled), else (may_pull) its ID after the engine pulled it. Throws luet::Error naming the
// image and every reason when none of these works.
std::string seed_identity(Backend& backend, const std::string& image, bool may_pull);

// The HashInputs of a build with `opts` (seed identities asked of `backend`, each image once;
// may_pull as in seed_identity: `luet build` pulls, a listing does not).
HashInputs hash_inputs(const BuildOptions& opts, Backend& backend, bool may_pull = true);

enum class CacheAction { Build, FromImages, Skip };

struct CacheDecision {
    CacheAction action = CacheAction::Build;
    std::string hash;           // build_hash of the package
    std::string package_image;  // image-repository:hash
    std::string builder_image;  // image-repository:builder-…
    // Set when the images are not local but a registry has them: the repository to pull from
    // (the image repository or a pull repository); pulled images are tagged as above.
    std::string pull_from;
    // The artifacts in the destination are current (package, then subpackages, as read).
    bool artifact_current = false;
    std::vector<artifact::Metadata> artifacts;
};

// The artifacts of `p` (and its subpackages) in opts.destination when every metadata file
// records `hash` as package_cacheimage, names the file the current compression gives, and the
// file has the recorded sha256. Empty otherwise.
std::vector<artifact::Metadata> current_artifacts(const spec::PackageSpec& p, const std::string& hash,
                                                  const BuildOptions& opts);

// Decides what to do with each package of `order` (a plan() result). Registry look-ups use the
// registry client (HEAD on the manifests), credentials from docker's config.json; a registry
// that cannot be reached counts as not having the image (`warn` is told why).
std::map<const spec::PackageSpec*, CacheDecision> plan_cache(const spec::Tree& tree,
                                                            const std::vector<const spec::PackageSpec*>& order,
                                                            const BuildOptions& opts, Backend& backend,
                                                            const std::function<void(const std::string&)>& warn);

using Say = std::function<void(const std::string&)>;

// FromImages: pulls the images when cd.pull_from names a registry repository, tagging them as
// cd.builder_image and cd.package_image; with opts.push, local images the registry lacks are
// pushed. Throws luet::Error when a pull or a push fails.
void use_cached_images(Backend& backend, const core::PackageForm& form, const CacheDecision& cd,
                       const CacheOptions& opts, const Say& say);

// --push for a package whose images were not built now (Skip, FromImages from local images):
// each of cd's two images that its registry lacks is pushed when it is local; one that is
// neither is reported through `say`. Throws luet::Error when the registry cannot be asked or
// a push fails.
void push_missing_images(Backend& backend, const CacheDecision& cd, const Say& say);

// Build: gives the images a build produced (`builder`, `package_image`; the base image itself
// for a package without commands) the hash tags of `cd`, and pushes both with opts.push.
void store_cache_images(Backend& backend, const CacheDecision& cd, const std::string& builder,
                        const std::string& package_image, const CacheOptions& opts, const Say& say);

// Whether `image` (REGISTRY/NAME:TAG) has a manifest in its registry, asked with the registry
// client. Throws luet::Error when the registry cannot be asked.
bool remote_image_exists(const std::string& image);

}  // namespace luet::build
