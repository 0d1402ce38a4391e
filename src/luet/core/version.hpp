// luet version ordering and version selectors.
//
// Upstream: mudler/luet pkg/versioner (versioner.go Sort, version.go ParseVersion and
// PackageAdmit) and the package selector syntax of docs "Specfile".
//
// A version reads [EPOCH:]UPSTREAM[-REVISION]:
//   UPSTREAM  dotted numbers, an optional letter, then suffixes: gentoo _alpha < _beta <
//             _pre < _rc < (release) < _p (each with an optional number); "-word"
//             prereleases (1.0-alpha) and "~word" (Debian tilde, lowest of all) are accepted;
//             "+BUILD" (luet's build revision, what `tree bump` appends) orders after the
//             plain upstream version: 1.0 < 1.0+1 < 1.0+2 < 1.0.1.
//   REVISION  "-rN" (gentoo) or "-N"/"_N" (debian style, ordered below "-rN").
// Where upstream's two regimes (ordering vs selector matching) disagree, this single
// comparator follows upstream's ordering (Sort), so that selectors and "newest" agree;
// the differences are listed in tests/unit/version_test.cpp.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace luet::core {

// Three-way compare of two luet versions: <0 when a orders before b, 0 when equal,
// >0 when a orders after b. Never throws. Versions outside the grammar (e.g. "v1.0",
// "latest") order before every valid version and among themselves naturally.
int compare_versions(std::string_view a, std::string_view b);

// True when `v` follows the version grammar above.
bool valid_version(std::string_view v);

// The next build revision of `version`, as upstream's `luet tree bump` (Package.BumpBuildVersion):
// "1.0" -> "1.0+1", "1.0+3" -> "1.0+4", "1.0+r2" -> "1.0+r3" (also p, rc), "1.0+a.b.2" ->
// "1.0+a.b.3", "1.0+beta" -> "1.0+beta.1". Throws luet::Error when `version` is not valid.
std::string bump_build_version(std::string_view version);

enum class SelectorOp {
    Any,       // empty version, "*" or ">=0": matches everything
    Eq,        // "1.0" or "=1.0"
    Ne,        // "!=1.0" or "!1.0"
    Lt,        // "<1.0"
    Le,        // "<=1.0"
    Gt,        // ">1.0"
    Ge,        // ">=1.0"
    Revision,  // "~1.0": 1.0 with any revision or build (1.0-r2, 1.0+3)
    Prefix,    // "=1.0*": versions whose dotted numbers start with 1.0 (1.0, 1.0.3; not 1.01)
};

// A version constraint as written in requires/conflicts/provides "version:" fields
// or after "@" on the command line. A range is several constraints that must all hold,
// written ">=1.0 <2.0" or ">=1.0, <2.0".
struct Selector {
    SelectorOp op = SelectorOp::Any;
    std::string version;         // empty for Any
    std::vector<Selector> also;  // further constraints of a range (each with empty `also`)

    // Parses ">=1.0", "<2", "=1.0", "1.0", "!=1", "~1.0", "=1.0*", ">=1.0, <2.0", "" ...
    // Throws luet::Error on a malformed selector (e.g. ">=" with no version).
    static Selector parse(std::string_view text);

    bool matches(std::string_view candidate) const;
    // True when libsolv can express it as one relation (no range, ~ or *).
    bool simple() const { return also.empty() && op != SelectorOp::Revision && op != SelectorOp::Prefix; }
    // Canonical text: "" for Any, ">=1.0", "1.0" for Eq, ">=1.0, <2.0" for a range.
    std::string str() const;
};

}  // namespace luet::core
