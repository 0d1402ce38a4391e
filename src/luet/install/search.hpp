// Searching packages: available ones in the enabled repositories, or installed ones.
//
// Upstream: mudler/luet cmd/search.go (searchOnline, searchLocally, searchFiles,
// searchLocalFiles) over pkg/installer Repositories.SearchPackages and the package database's
// FindPackageMatch / FindPackageLabel / FindPackageLabelMatch / FindPackageByFile.
// Terms are Go-syntax regular expressions (RE2) matched anywhere (Go's MatchString).
#pragma once

#include <string>
#include <vector>

#include "luet/db/database.hpp"
#include "luet/repo/repository.hpp"
#include "luet/spec/spec.hpp"

namespace luet::install {

enum class SearchMode {
    Regex,       // the term matches "category/name-version"
    Label,       // the package has a label whose key is the term
    LabelRegex,  // the term matches one of the package's labels as "key=value"
    Files,       // the term matches one of the package's files (e.g. "usr/bin/hello")
};

struct SearchOptions {
    std::string term = ".";
    SearchMode mode = SearchMode::Regex;
    bool hidden = false;   // keep hidden packages (upstream leaves them out; Files mode keeps them)
    bool revdeps = false;  // the packages requiring the matches, transitively, instead of the matches
    // When set, only packages having one of these annotation keys are kept (geaaru/luet
    // `search --annotation`, in AND with the term).
    std::vector<std::string> annotations;
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

// Searches the installed packages (repository "system"), ordered by category, name and version.
// Throws luet::Error on an invalid regular expression.
std::vector<SearchResult> search_installed(const db::Database& installed, const SearchOptions& opts);

}  // namespace luet::install
