// Dependency resolution on libsolv.
//
// The rest of libluet sees only plain data: PackageEntry in, Solution out. Every
// libsolv type stays inside solver.cpp. Versions are ordered with luet's own
// comparator (core::compare_versions), not libsolv's: all versions seen in the
// pool (packages and selectors) are ranked once and handed to libsolv as
// zero-padded ranks, so libsolv's ordering equals luet's.
//
// Upstream semantics (mudler/luet pkg/solver, docs "Package definition"):
// - requires: every listed selector must be satisfied by an installed package;
// - conflicts: no package matching the selector may be installed beside it;
// - provides: the package also answers requirements on the provided package
//   form, and replaces it (the provided package cannot be installed beside it);
// - among candidates, the highest version is preferred.
#pragma once

#include <string>
#include <vector>

#include "luet/core/package.hpp"

namespace luet::solver {

struct PackageEntry {
    core::PackageForm form;
    std::vector<core::PackageRef> requires_;
    std::vector<core::PackageRef> conflicts;
    std::vector<core::PackageRef> provides;
    std::string repository;  // name of the repository it comes from; "" for installed
};

struct Request {
    std::vector<core::PackageRef> install;  // packages the user asked for
    std::vector<core::PackageRef> remove;   // packages to uninstall
    bool nodeps = false;                    // install only what is asked, ignore requires
    bool update_all = false;                // also update every installed package where the
                                            // constraints allow (upgrade --universe)
};

struct Solution {
    // Packages to add, in an order where dependencies come before dependents.
    std::vector<PackageEntry> install;
    // Installed packages to remove (uninstall requests, or replaced by an upgrade/provides).
    std::vector<PackageEntry> remove;
};

// Resolves `request` against the `available` packages (all enabled repositories) and the
// `installed` ones. Packages already installed that satisfy a request are not listed again.
// Throws luet::ResolveError when the request cannot be satisfied; its message explains the
// problem in terms of package forms and constraints, e.g.
//   "apps/foo-1.0 requires libs/bar>=2.0, but the repositories have only libs/bar-1.5".
// Throws luet::ResolveError naming the argument when a requested package is unknown.
Solution solve(const std::vector<PackageEntry>& available,
               const std::vector<PackageEntry>& installed,
               const Request& request);

// Build-time ordering helper: returns the entries of `closure` (a set of packages
// whose requires are all in the set) ordered so that every package comes after the
// packages it requires. Throws luet::Error naming the packages on a dependency cycle.
std::vector<PackageEntry> topological_order(const std::vector<PackageEntry>& closure);

}  // namespace luet::solver
