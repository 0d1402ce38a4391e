// luet version ordering and version selectors.
//
// Upstream: mudler/luet pkg/versioner (versioner.go, selector logic) and the
// package selector syntax of docs/content/en/docs/concepts/packages/specfile.md.
// Versions are semver-like dotted numbers with optional gentoo suffixes
// (_alpha, _beta, _pre, _rc, _p with optional numbers, -rN revisions) and a
// "+N" build revision that orders after the plain version.
#pragma once

#include <string>
#include <string_view>

namespace luet::core {

// Three-way compare of two luet versions: <0 when a orders before b, 0 when equal,
// >0 when a orders after b. Never throws; unparseable parts compare as strings.
int compare_versions(std::string_view a, std::string_view b);

enum class SelectorOp {
    Any,  // empty version, "", "*" or ">=0": matches everything
    Eq,   // "1.0" or "=1.0"
    Ne,   // "!=1.0"
    Lt,   // "<1.0"
    Le,   // "<=1.0"
    Gt,   // ">1.0"
    Ge,   // ">=1.0"
};

// A version constraint as written in requires/conflicts/provides "version:" fields
// or after "@" on the command line.
struct Selector {
    SelectorOp op = SelectorOp::Any;
    std::string version;  // empty for Any

    // Parses ">=1.0", "<2", "=1.0", "1.0", "!=1", "" ... Throws luet::Error on a malformed
    // selector (e.g. ">=" with no version).
    static Selector parse(std::string_view text);

    bool matches(std::string_view candidate) const;
    // Canonical text: "" for Any, ">=1.0", "1.0" for Eq.
    std::string str() const;
};

}  // namespace luet::core
