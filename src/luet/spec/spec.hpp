// The spec model of a luet tree: definition.yaml (runtime), build.yaml (build time) and
// finalize.yaml (post-install commands), one PackageSpec per package form.
//
// Upstream: mudler/luet docs/content/en/docs/concepts/packages/specfile.md and
// pkg/api/core/types/package.go (field names of definition.yaml).
#pragma once

#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "luet/core/package.hpp"

namespace luet::spec {

// definition.yaml: the runtime side of a package.
struct Definition {
    core::PackageForm form;
    std::vector<core::PackageRef> requires_;
    std::vector<core::PackageRef> conflicts;
    std::vector<core::PackageRef> provides;
    bool hidden = false;
    std::map<std::string, std::string> labels;
    // Scalar annotations keep their text; nested ones (e.g. subsets rules) are kept as
    // YAML flow text so that they round-trip into repositories.
    std::map<std::string, std::string> annotations;
    std::string description;
    std::string license;
    std::vector<std::string> uri;
};

// build.yaml "copy:" entry: files taken from an image, or from the package image of
// another package of the tree (built first), before prelude runs (Docker's COPY --from).
struct CopyField {
    std::optional<core::PackageRef> package;
    std::string image;
    std::string source;       // absolute path in the source image
    std::string destination;  // absolute path in the build container
};

// build.yaml "subpackages:" entry: a further artifact cut from the same build result,
// with its own package form and its own includes/excludes.
struct SubPackage {
    Definition definition;  // category and version default to the parent's
    std::vector<std::string> includes;
    std::vector<std::string> excludes;
};

// build.yaml: how the package content is produced in a container.
struct BuildSpec {
    std::string image;                       // seed image; wins over requires (see load_tree)
    std::vector<core::PackageRef> requires_; // build-time dependencies
    std::vector<core::PackageRef> conflicts;
    std::vector<std::string> prelude;        // not accounted in the delta
    std::vector<std::string> steps;
    std::vector<std::string> env;            // NAME=value, expanded as ${NAME}
    // Files of the spec folder and http(s) URLs added to the build context, as upstream's
    // Dockerfile `ADD <entry> /luetbuild/` (build/retrieve.hpp).
    std::vector<std::string> retrieve;
    bool unpack = false;                     // package the whole image content
    std::vector<std::string> includes;       // RE2 regexes on absolute paths
    std::vector<std::string> excludes;       // win over includes
    std::string package_dir;                 // package only this folder, rebased to /
    // Start from an image holding the artifacts of `requires` (squashed), instead of
    // chaining their build images. `join:` (deprecated upstream) sets requires + this.
    bool requires_final_images = false;
    bool from_join = false;                  // requires came from the deprecated `join:`
    std::vector<CopyField> copy;
    std::vector<SubPackage> subpackages;

    // No commands and nothing to unpack: a virtual (meta) package with an empty artifact.
    bool is_virtual() const {
        return prelude.empty() && steps.empty() && !unpack && package_dir.empty() && copy.empty();
    }
};

struct PackageSpec {
    Definition definition;
    BuildSpec build;
    std::vector<std::string> finalize_install;  // finalize.yaml "install:"
    std::filesystem::path dir;                  // folder holding the spec: the build context
    std::filesystem::path definition_file;      // definition.yaml, or the collection.yaml
    std::filesystem::path build_file;
    std::string definition_yaml;                // definition.yaml as written (a collection entry as YAML)
    std::string build_yaml;                     // build.yaml as rendered
    std::string finalize_yaml;                  // finalize.yaml as written, "" when absent
    // Another spec of the same package form comes later in the walk: that one is built and
    // resolved (upstream keeps the last one loaded), this one is only listed.
    bool shadowed = false;
    // The repository whose compilertree holds this spec (build --from-repositories,
    // repo/build_trees.hpp); "" for the local trees.
    std::string repository;
};

// All package specs found under one or more tree folders, in walk order (roots in the order
// given, folders by path). A package form defined twice appears twice; all but its last
// spec are `shadowed`.
struct Tree {
    std::vector<PackageSpec> packages;

    // The (unshadowed) package with exactly this form, or nullptr.
    const PackageSpec* find(const core::PackageForm& form) const;
    // The highest version of an unshadowed package providing `ref` (providers replace what
    // they provide), else the highest version matching `ref` itself; nullptr when none.
    const PackageSpec* best_match(const core::PackageRef& ref) const;
};

// Loads every folder holding both build.yaml and definition.yaml below each tree root.
// Throws luet::Error naming the file on malformed YAML, a missing name, or a build spec
// with neither `image` nor `requires` while it has commands to run (a spec without
// commands is a virtual package, as upstream allows).
// Accepted with a warning, as upstream accepts them:
//  - a build spec with both `image` and `requires`: it is built from the image and its
//    requires are dropped from the build (geaaru/luet pkg/compiler/compiler.go compile:
//    "If image is set we just generate a plain dockerfile");
//  - a package form defined twice (two folders, or twice in one collection): both are
//    listed, the later one in walk order builds (upstream's in-memory database keeps the
//    last package stored under one fingerprint, pkg/tree/compiler_recipe.go Load).
//
// build.yaml is a Go text/template (mudler/luet pkg/compiler templatePackage): it is
// rendered with .Values = the package's definition (every field), overridden by the
// `values_files` merged in order, with the {{define}}s of every ROOT/templates/ file.
// A folder with collection.yaml instead of definition.yaml holds one package per entry of
// its `packages:` list, all built from the one build.yaml (each entry its own .Values).
// Template errors name the build.yaml, line and column.
struct LoadOptions {
    std::vector<std::filesystem::path> values_files;  // --values, later files win
    // Further folders of shared templates, read after every ROOT/templates (geaaru/luet
    // luet-build tree render --templates-dir); a folder that does not exist is skipped.
    std::vector<std::filesystem::path> template_dirs;
    // Receives each warning (one line naming the files and the package); none when unset.
    std::function<void(const std::string&)> warning;
};
Tree load_tree(const std::vector<std::filesystem::path>& roots, const LoadOptions& opts = {});

// Adds to `into` the packages of `more` whose form `into` does not define, marked as coming
// from `repository`: a local tree wins over a repository's compilertree, and an earlier
// (higher priority) repository over a later one (mudler/luet LoadBuildTree: the packages
// already in the compiler database are kept). Shadowed specs of `more` are dropped.
void add_repository_tree(Tree& into, Tree more, const std::string& repository);

// finalize.yaml's `install:` commands, rendered with .Values = the definition (as clients
// do at install time). Throws luet::Error naming `origin` on template or YAML errors.
std::vector<std::string> render_finalize(const std::string& finalize_text, const std::string& definition_text,
                                         const std::string& origin);

// Every key of a finalize.yaml (geaaru/luet pkg/v2/repository/finalizer.go LuetFinalizer):
// `install:` runs after the package is installed, `uninstall:` after it is removed (on
// uninstall, and for the old version on upgrade), each command as `shell` + [command]
// (default: sh -c).
struct Finalizer {
    std::vector<std::string> shell;
    std::vector<std::string> install;
    std::vector<std::string> uninstall;
};
// finalize.yaml rendered with .Values = the definition, as render_finalize(). Throws
// luet::Error naming `origin` on template or YAML errors.
Finalizer render_finalizer(const std::string& finalize_text, const std::string& definition_text,
                           const std::string& origin);

// Parses a definition document (definition.yaml or a repository's runtime definition).
// `origin` names the file in error messages.
Definition parse_definition(const std::string& yaml_text, const std::string& origin);

// Writes a definition back to YAML (used for repository trees and metadata).
std::string definition_to_yaml(const Definition& def);

}  // namespace luet::spec
