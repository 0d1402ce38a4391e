// Searching packages: available ones in the enabled repositories, or installed ones.
//
// Upstream: geaaru/luet cmd/search.go over pkg/v2/repository/wagon_stones.go
// (StonesSearchOpts, analyzePackageDir) — the criteria below; mudler/luet's --by-label,
// --by-label-regex and --revdeps (cmd/search.go) map onto them. Regular expressions are
// Go-syntax (RE2) matched anywhere (Go's MatchString).
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "luet/core/package.hpp"
#include "luet/db/database.hpp"
#include "luet/install/masks.hpp"
#include "luet/repo/repository.hpp"
#include "luet/spec/spec.hpp"

namespace luet::install {

// Each non-empty criterion is one test, passed when any of its values matches the package;
// a package is found when every test passes (or, with `any_criterion`, when one does), as
// geaaru/luet's default AND and --condition-or.
struct SearchOptions {
    std::vector<std::string> matches;         // regexes over "category/name" (the search terms)
    std::vector<std::string> names;           // exact package names (-n/--name)
    std::vector<core::PackageRef> packages;   // cat/name with selector, or a package providing it (-p)
    std::vector<std::string> categories;      // regexes over the category (--category)
    std::vector<std::string> labels;          // label keys (--label, mudler's --by-label)
    std::vector<std::string> label_regexes;   // regexes over "key=value" (--rlabel, --by-label-regex)
    std::vector<std::string> annotations;     // annotation keys (-a/--annotation)
    bool any_criterion = false;               // --condition-or
    bool hidden = false;   // keep hidden packages (left out by default, as upstream)
    bool revdeps = false;  // the packages requiring the matches, transitively, instead of them (mudler)
    const PackageMasks* masks = nullptr;  // repository packages these mask are left out
};

struct SearchResult {
    spec::Definition definition;
    std::string repository;          // the repository name, "system" for installed packages
    std::vector<std::string> files;  // the artifact's (or the installed package's) files
    bool installed = false;
};

// Searches the packages of `repos`, repository by repository in the given order; each
// repository's results are ordered by category, name and version. `installed` tells which
// are installed. Throws luet::Error on an invalid regular expression.
std::vector<SearchResult> search_repositories(const std::vector<repo::LoadedRepository>& repos,
                                              const db::Database& installed, const SearchOptions& opts);

// A test on a package's category and name that every package search_repositories would
// find with `opts` passes (for reading only those from a repository index:
// repo::LoadOptions::keep); empty when the options need more of a package to decide
// (--revdeps, or -p/labels/annotations with --condition-or) or select every package.
// Throws luet::Error on an invalid regular expression.
std::function<bool(const std::string& category, const std::string& name)> search_prefilter(const SearchOptions& opts);

// Strings that the category or the name of every package search_prefilter(opts) accepts
// holds one of (repo::LoadOptions::name_literals): for each regular expression of
// opts.matches that is a plain string (no character special to RE2), its longest piece
// without '/'. Empty when that does not hold for some package or a piece is shorter than 3
// characters or holds a space or a byte outside printable ASCII: then every name is tested.
std::vector<std::string> search_name_literals(const SearchOptions& opts);

// Searches the installed packages (repository "system"), ordered by category, name and version.
// Throws luet::Error on an invalid regular expression.
std::vector<SearchResult> search_installed(const db::Database& installed, const SearchOptions& opts);

}  // namespace luet::install
