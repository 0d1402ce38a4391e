// Package forms and package references.
//
// Upstream: mudler/luet docs "Package definition" (the category/name/version triple,
// the "package form") and "Refering to packages from the CLI".
#pragma once

#include <string>
#include <string_view>

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

// Parses a command-line package: "cat/name", "=cat/name-1.1" (gentoo form),
// "cat/name@1.1", "cat/name@>=1.1", or a bare "name" (empty category).
// Throws luet::Error on malformed input such as "" or "cat/".
PackageRef parse_package_arg(std::string_view text);

}  // namespace luet::core
