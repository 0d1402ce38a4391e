#include "luet/core/package.hpp"

#include <cctype>

#include "luet/core/error.hpp"

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

PackageRef parse_package_arg(std::string_view text) {
    const std::string original(text);
    PackageRef ref;
    if (text.starts_with("=")) {
        // Gentoo form: =cat/name-1.2.3[-rN][*]; the version starts at the first "-<digit>"
        // after which the rest is a valid version (names may hold "-<digit>" themselves).
        text.remove_prefix(1);
        bool prefix = false;
        if (text.ends_with('*')) {
            prefix = true;
            text.remove_suffix(1);
        }
        size_t cut = std::string_view::npos;
        for (size_t i = text.rfind('/') == std::string_view::npos ? 0 : text.rfind('/'); i < text.size(); ++i) {
            if (text[i] == '-' && i + 1 < text.size() && std::isdigit(static_cast<unsigned char>(text[i + 1])) &&
                valid_version(text.substr(i + 1))) {
                cut = i;
                break;
            }
        }
        if (cut == std::string_view::npos) throw Error("package '" + original + "' has no version after '='");
        ref.selector.op = prefix ? SelectorOp::Prefix : SelectorOp::Eq;
        ref.selector.version = std::string(text.substr(cut + 1));
        text = text.substr(0, cut);
    } else if (auto at = text.find('@'); at != std::string_view::npos) {
        ref.selector = Selector::parse(text.substr(at + 1));
        text = text.substr(0, at);
    }
    if (auto slash = text.find('/'); slash != std::string_view::npos) {
        ref.category = std::string(text.substr(0, slash));
        ref.name = std::string(text.substr(slash + 1));
        if (ref.category.empty()) throw Error("package '" + original + "' has an empty category");
    } else {
        ref.name = std::string(text);
    }
    if (ref.name.empty()) throw Error("package '" + original + "' has no name");
    // '@' only ever starts the selector: "=cat/na@me-1.0" would read back as another package.
    if (ref.category.find('@') != std::string::npos || ref.name.find('@') != std::string::npos)
        throw Error("package '" + original + "': '@' in a category or name (the selector is written CAT/NAME@SELECTOR)");
    return ref;
}

}  // namespace luet::core
