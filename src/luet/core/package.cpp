#include "luet/core/package.hpp"

#include <cctype>
#include <optional>
#include <set>

#include "luet/core/error.hpp"
#include "luet/core/text.hpp"

namespace luet::core {

std::string PackageForm::atom() const { return category.empty() ? name : category + "/" + name; }
std::string PackageForm::str() const { return atom() + "-" + version; }
std::string PackageForm::fingerprint() const { return name + "-" + category + "-" + version; }

std::string PackageRef::atom() const { return category.empty() ? name : category + "/" + name; }

std::string PackageRef::str() const {
    const std::string sel = selector.str();
    if (sel.empty()) return atom();
    // An exact version reads as "cat/name-1.0"; operators as "cat/name>=1.0".
    return selector.op == SelectorOp::Eq ? atom() + "-" + sel : atom() + sel;
}

bool PackageRef::matches(const PackageForm& p) const {
    return p.name == name && p.category == category && selector.matches(p.version);
}

namespace {

// The first "-<digit>" after the last '/' from which the rest is a valid version, or npos.
// Names may hold "-<digit>" themselves ("foo-bar2-1.0"), so the first valid cut wins.
size_t version_cut(std::string_view text) {
    const size_t slash = text.rfind('/');
    for (size_t i = slash == std::string_view::npos ? 0 : slash; i < text.size(); ++i) {
        if (text[i] == '-' && i + 1 < text.size() && std::isdigit(static_cast<unsigned char>(text[i + 1])) &&
            valid_version(text.substr(i + 1)))
            return i;
    }
    return std::string_view::npos;
}

}  // namespace

PackageRef parse_package_arg(std::string_view text) {
    const std::string original(text);
    PackageRef ref;
    if (auto at = text.find('@'); at != std::string_view::npos) {
        ref.selector = Selector::parse(text.substr(at + 1));
        text = text.substr(0, at);
    } else if (text.find('/') != std::string_view::npos) {
        // Gentoo form, as geaaru/luet reads a package with a '/' and no '@'
        // (cmd/helpers/cli.go ParsePackageStr): [OP]cat/name[-VERSION][*], OP one of
        // >= > <= < = ~ ! (and !< !> as "not less/greater"); "cat/name-1.0" is that version exactly.
        struct Prefix {
            std::string_view text;
            SelectorOp op;
        };
        static constexpr Prefix prefixes[] = {{">=", SelectorOp::Ge}, {">", SelectorOp::Gt}, {"<=", SelectorOp::Le},
                                              {"<", SelectorOp::Lt},  {"!<", SelectorOp::Ge}, {"!>", SelectorOp::Le},
                                              {"!", SelectorOp::Ne},  {"~", SelectorOp::Revision},
                                              {"=", SelectorOp::Eq}};
        std::optional<SelectorOp> op;
        for (const auto& p : prefixes) {
            if (text.starts_with(p.text)) {
                op = p.op;
                text.remove_prefix(p.text.size());
                break;
            }
        }
        bool prefix_match = false;
        if (op == SelectorOp::Eq && text.ends_with('*')) {
            prefix_match = true;
            text.remove_suffix(1);
        }
        const size_t cut = version_cut(text);
        if (cut != std::string_view::npos) {
            ref.selector.op = prefix_match ? SelectorOp::Prefix : op.value_or(SelectorOp::Eq);
            ref.selector.version = std::string(text.substr(cut + 1));
            // ">=0" matches everything: Any, as Selector::parse reads it (so that the
            // argument's canonical text "cat/name@>=0" reads back the same).
            if (ref.selector.op == SelectorOp::Ge && ref.selector.version == "0") ref.selector = Selector{};
            text = text.substr(0, cut);
        } else if (op) {
            throw Error("package '" + original + "' has no version after its operator");
        }
    }
    if (auto slash = text.find('/'); slash != std::string_view::npos) {
        ref.category = std::string(text.substr(0, slash));
        ref.name = std::string(text.substr(slash + 1));
        if (ref.category.empty()) throw Error("package '" + original + "' has an empty category");
    } else {
        ref.name = std::string(text);
    }
    if (ref.name.empty()) throw Error("package '" + original + "' has no name");
    // '@' only ever starts the selector: "=cat/na@me-1.0" would read back as another package;
    // operators belong before a gentoo form with a version ("=cat/name-1.0") or after '@'.
    static constexpr std::string_view forbidden = "@=<>!~*,()[]{} \t\n;'\"/";
    for (const std::string* part : {&ref.category, &ref.name})
        if (part->find_first_of(forbidden) != std::string::npos)
            throw Error("package '" + original + "': " + core::quoted(*part) +
                        " is not a category or name (operators and versions are written CAT/NAME@SELECTOR or "
                        "[OP]CAT/NAME-VERSION)");
    return ref;
}

PackageRef resolve_category(PackageRef ref, const std::vector<const PackageForm*>& forms) {
    if (!ref.category.empty()) return ref;
    std::set<std::string> categories;
    for (const auto* f : forms)
        if (f->name == ref.name) categories.insert(f->category);
    const std::string what = "Invalid package string " + ref.str() + ": ";
    if (categories.empty()) throw Error(what + "No matching packages found with name " + ref.name + ".");
    if (categories.size() > 1) {
        std::string msg = what + "Multiple matches with name " + ref.name + ":";
        for (const auto& c : categories) msg += "\n   - " + (c.empty() ? ref.name : c + "/" + ref.name);
        throw Error(msg);
    }
    ref.category = *categories.begin();
    return ref;
}

}  // namespace luet::core
