#include "luet/core/version.hpp"

#include <cctype>
#include <optional>
#include <vector>

#include "luet/core/error.hpp"

namespace luet::core {
namespace {

// A version split the way gentoo/luet order it: 1.2.3b_rc1-r2+3.
struct Parsed {
    std::vector<std::string> numbers;  // dotted numeric parts, kept as text for big values
    char letter = 0;
    std::vector<std::pair<int, std::string>> suffixes;  // rank, number
    std::string revision;                               // -rN
    std::optional<std::string> build;                   // +N
};

int compare_numeric(std::string a, std::string b) {
    auto strip = [](std::string& s) {
        size_t i = s.find_first_not_of('0');
        s = i == std::string::npos ? "" : s.substr(i);
    };
    strip(a);
    strip(b);
    if (a.size() != b.size()) return a.size() < b.size() ? -1 : 1;
    return a.compare(b) < 0 ? -1 : (a == b ? 0 : 1);
}

int suffix_rank(std::string_view s) {
    if (s == "alpha") return -4;
    if (s == "beta") return -3;
    if (s == "pre") return -2;
    if (s == "rc") return -1;
    if (s == "p") return 1;
    return 99;
}

std::optional<Parsed> parse(std::string_view v) {
    Parsed p;
    if (auto plus = v.find('+'); plus != std::string_view::npos) {
        p.build = std::string(v.substr(plus + 1));
        v = v.substr(0, plus);
    }
    size_t i = 0;
    auto digits = [&] {
        size_t start = i;
        while (i < v.size() && std::isdigit(static_cast<unsigned char>(v[i]))) ++i;
        return std::string(v.substr(start, i - start));
    };
    std::string n = digits();
    if (n.empty()) return std::nullopt;
    p.numbers.push_back(n);
    while (i < v.size() && v[i] == '.') {
        ++i;
        n = digits();
        if (n.empty()) return std::nullopt;
        p.numbers.push_back(n);
    }
    if (i < v.size() && std::islower(static_cast<unsigned char>(v[i])) &&
        (i + 1 == v.size() || v[i + 1] == '_' || v[i + 1] == '-'))
        p.letter = v[i++];
    while (i < v.size() && v[i] == '_') {
        ++i;
        size_t start = i;
        while (i < v.size() && std::islower(static_cast<unsigned char>(v[i]))) ++i;
        int rank = suffix_rank(v.substr(start, i - start));
        if (rank == 99) return std::nullopt;
        p.suffixes.emplace_back(rank, digits());
    }
    if (i < v.size() && v[i] == '-') {
        if (i + 1 < v.size() && v[i + 1] == 'r') {
            i += 2;
            p.revision = digits();
            if (p.revision.empty()) return std::nullopt;
        } else {
            return std::nullopt;
        }
    }
    if (i != v.size()) return std::nullopt;
    return p;
}

// Fallback for versions outside the gentoo grammar: runs of digits compare numerically,
// other runs as text.
int natural_compare(std::string_view a, std::string_view b) {
    size_t i = 0, j = 0;
    while (i < a.size() && j < b.size()) {
        const bool da = std::isdigit(static_cast<unsigned char>(a[i]));
        const bool db = std::isdigit(static_cast<unsigned char>(b[j]));
        if (da && db) {
            size_t si = i, sj = j;
            while (i < a.size() && std::isdigit(static_cast<unsigned char>(a[i]))) ++i;
            while (j < b.size() && std::isdigit(static_cast<unsigned char>(b[j]))) ++j;
            if (int c = compare_numeric(std::string(a.substr(si, i - si)), std::string(b.substr(sj, j - sj)))) return c;
        } else {
            if (a[i] != b[j]) return a[i] < b[j] ? -1 : 1;
            ++i;
            ++j;
        }
    }
    if (i < a.size()) return 1;
    if (j < b.size()) return -1;
    return 0;
}

}  // namespace

int compare_versions(std::string_view a, std::string_view b) {
    auto pa = parse(a), pb = parse(b);
    if (!pa || !pb) return natural_compare(a, b);
    const size_t n = std::max(pa->numbers.size(), pb->numbers.size());
    for (size_t k = 0; k < n; ++k) {
        const std::string x = k < pa->numbers.size() ? pa->numbers[k] : "";
        const std::string y = k < pb->numbers.size() ? pb->numbers[k] : "";
        if (x.empty() != y.empty()) {
            // 1.0 < 1.0.1, but 1.0 == 1.0.0
            const std::string& present = x.empty() ? y : x;
            if (compare_numeric(present, "0") == 0) continue;
            return x.empty() ? -1 : 1;
        }
        if (int c = compare_numeric(x, y)) return c;
    }
    if (pa->letter != pb->letter) return pa->letter < pb->letter ? -1 : 1;
    const size_t s = std::max(pa->suffixes.size(), pb->suffixes.size());
    for (size_t k = 0; k < s; ++k) {
        const auto x = k < pa->suffixes.size() ? pa->suffixes[k] : std::pair<int, std::string>{0, ""};
        const auto y = k < pb->suffixes.size() ? pb->suffixes[k] : std::pair<int, std::string>{0, ""};
        if (x.first != y.first) return x.first < y.first ? -1 : 1;
        if (int c = compare_numeric(x.second, y.second)) return c;
    }
    if (int c = compare_numeric(pa->revision, pb->revision)) return c;
    if (pa->build.has_value() != pb->build.has_value()) return pa->build ? 1 : -1;
    if (pa->build) return natural_compare(*pa->build, *pb->build);
    return 0;
}

Selector Selector::parse(std::string_view text) {
    while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
    while (!text.empty() && text.back() == ' ') text.remove_suffix(1);
    Selector s;
    if (text.empty() || text == "*" || text == ">=0") return s;
    static const std::pair<std::string_view, SelectorOp> ops[] = {
        {">=", SelectorOp::Ge}, {"<=", SelectorOp::Le}, {"!=", SelectorOp::Ne}, {">", SelectorOp::Gt},
        {"<", SelectorOp::Lt},  {"=", SelectorOp::Eq},
    };
    s.op = SelectorOp::Eq;
    for (const auto& [prefix, op] : ops) {
        if (text.starts_with(prefix)) {
            s.op = op;
            text.remove_prefix(prefix.size());
            break;
        }
    }
    while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
    if (text.empty()) throw Error("version selector has an operator but no version");
    s.version = std::string(text);
    return s;
}

bool Selector::matches(std::string_view candidate) const {
    if (op == SelectorOp::Any) return true;
    const int c = compare_versions(candidate, version);
    switch (op) {
        case SelectorOp::Eq: return c == 0;
        case SelectorOp::Ne: return c != 0;
        case SelectorOp::Lt: return c < 0;
        case SelectorOp::Le: return c <= 0;
        case SelectorOp::Gt: return c > 0;
        case SelectorOp::Ge: return c >= 0;
        case SelectorOp::Any: return true;
    }
    return false;
}

std::string Selector::str() const {
    switch (op) {
        case SelectorOp::Any: return "";
        case SelectorOp::Eq: return version;
        case SelectorOp::Ne: return "!=" + version;
        case SelectorOp::Lt: return "<" + version;
        case SelectorOp::Le: return "<=" + version;
        case SelectorOp::Gt: return ">" + version;
        case SelectorOp::Ge: return ">=" + version;
    }
    return version;
}

}  // namespace luet::core
