// Package forms and package references.
//
// Upstream: mudler/luet docs "Package definition" (the category/name/version triple,
// the "package form") and "Refering to packages from the CLI".
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "luet/core/version.hpp"

namespace luet::core {

// A concrete package: category, name and an exact version.
struct PackageForm {
    std::string category;
    std::string name;
    std::string version;

    // "category/name" (or "name" when category is empty).
    std::string atom() const;
    // "category/name-version", as upstream prints packages.
    std::string str() const;
    // "name-category-version": the artifact file stem upstream uses
    // (NAME-CATEGORY-VERSION.package.tar.gz, NAME-CATEGORY-VERSION.metadata.yaml).
    std::string fingerprint() const;

    friend bool operator==(const PackageForm&, const PackageForm&) = default;
};

// A reference to packages: category/name plus a version selector. Used for
// requires, conflicts and provides entries and for command-line arguments.
struct PackageRef {
    std::string category;
    std::string name;
    Selector selector;

    std::string atom() const;
    // "category/name" followed by the selector when it is not Any, e.g. "cat/foo>=1.0".
    std::string str() const;
    bool matches(const PackageForm& p) const;
};

// Parses a command-line package as geaaru/luet does (cmd/helpers/cli.go ParsePackageStr):
// "cat/name@1.1", "cat/name@>=1.1", "name@1.1"; without '@' and with '/', the gentoo form
// [OP]cat/name[-VERSION] with OP one of >= > <= < = =...* ~ ! !< !> ("cat/name-1.1" is exactly
// 1.1, "cat/name" any version); a bare "name" has an empty category, which the caller resolves
// against the repositories (resolve_category). Throws luet::Error on malformed input such as
// "", "cat/" or ">=cat/name" (an operator without a version).
PackageRef parse_package_arg(std::string_view text);

// Gives a reference without category (a bare "name" on the command line) the category of the
// packages named so: `forms` are the packages it may name (a repository's, or the installed
// ones). A reference with a category is returned unchanged. As geaaru/luet's resolveCategory,
// throws luet::Error "Invalid package string NAME: No matching packages found with name NAME."
// when none has that name, and "... Multiple matches with name NAME:" listing each category/name
// when several categories have it.
PackageRef resolve_category(PackageRef ref, const std::vector<const PackageForm*>& forms);

}  // namespace luet::core
