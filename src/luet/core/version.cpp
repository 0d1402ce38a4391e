#include "luet/core/version.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdint>
#include <limits>
#include <optional>

#include "luet/core/error.hpp"

namespace luet::core {
namespace {

bool is_digit(char c) { return std::isdigit(static_cast<unsigned char>(c)) != 0; }
bool is_lower(char c) { return std::islower(static_cast<unsigned char>(c)) != 0; }

// Numeric compare of digit strings of any length (leading zeros ignored).
int compare_numeric(std::string_view a, std::string_view b) {
    auto strip = [](std::string_view s) {
        size_t i = s.find_first_not_of('0');
        return i == std::string_view::npos ? std::string_view{} : s.substr(i);
    };
    a = strip(a);
    b = strip(b);
    if (a.size() != b.size()) return a.size() < b.size() ? -1 : 1;
    const int c = a.compare(b);
    return c < 0 ? -1 : (c > 0 ? 1 : 0);
}

// Runs of digits compare numerically, other characters by value.
int natural_compare(std::string_view a, std::string_view b) {
    size_t i = 0, j = 0;
    while (i < a.size() && j < b.size()) {
        if (is_digit(a[i]) && is_digit(b[j])) {
            const size_t si = i, sj = j;
            while (i < a.size() && is_digit(a[i])) ++i;
            while (j < b.size() && is_digit(b[j])) ++j;
            if (int c = compare_numeric(a.substr(si, i - si), b.substr(sj, j - sj))) return c;
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

struct Suffix {
    int rank = 0;  // ~word -6, -word -5, _alpha -4, _beta -3, _pre -2, _rc -1, (none) 0, _p 1
    std::string word;
    std::string number;
};

struct Parsed {
    std::string epoch;
    std::vector<std::string> numbers;
    char letter = 0;
    std::vector<Suffix> suffixes;
    std::optional<std::string> build;  // +N
    int revision_kind = 0;             // 0 none, 1 "-N", 2 "-rN"
    std::string revision;
    std::optional<std::string> revision_build;
};

int suffix_rank(std::string_view w) {
    if (w == "alpha") return -4;
    if (w == "beta") return -3;
    if (w == "pre") return -2;
    if (w == "rc") return -1;
    if (w == "p") return 1;
    return -5;
}

// "r12", "12", "r1+3": a revision tail.
bool revision_tail(std::string_view t) {
    if (t.starts_with('r')) t.remove_prefix(1);
    size_t i = 0;
    while (i < t.size() && is_digit(t[i])) ++i;
    return i > 0 && (i == t.size() || t[i] == '+');
}

// The free-form parts (a "~word" suffix, a "+build"): letters, digits and . _ + ~ - only, as
// Debian's upstream versions; a ',' or a space would read back as a selector range.
bool word_chars(std::string_view w) {
    return std::all_of(w.begin(), w.end(), [](char c) {
        return is_digit(c) || is_lower(c) || (c >= 'A' && c <= 'Z') || c == '.' || c == '_' || c == '+' || c == '~' ||
               c == '-';
    });
}

std::optional<Parsed> parse_version(std::string_view input) {
    // "_N" is a debian-style revision written the gentoo way (upstream maps "_" to "-").
    std::string v(input);
    for (size_t k = 0; k + 1 < v.size(); ++k)
        if (v[k] == '_' && is_digit(v[k + 1])) v[k] = '-';
    std::string_view s = v;
    Parsed p;

    if (size_t colon = s.find(':'); colon != std::string_view::npos) {
        const std::string_view e = s.substr(0, colon);
        if (e.empty()) return std::nullopt;
        for (char c : e)
            if (!is_digit(c)) return std::nullopt;
        p.epoch = std::string(e);
        s.remove_prefix(colon + 1);
    }
    if (size_t dash = s.rfind('-'); dash != std::string_view::npos && revision_tail(s.substr(dash + 1))) {
        std::string_view t = s.substr(dash + 1);
        p.revision_kind = t.starts_with('r') ? 2 : 1;
        if (p.revision_kind == 2) t.remove_prefix(1);
        if (size_t plus = t.find('+'); plus != std::string_view::npos) {
            p.revision_build = std::string(t.substr(plus + 1));
            t = t.substr(0, plus);
        }
        p.revision = std::string(t);
        s = s.substr(0, dash);
    }
    if (size_t plus = s.find('+'); plus != std::string_view::npos) {
        p.build = std::string(s.substr(plus + 1));
        s = s.substr(0, plus);
        if (!word_chars(*p.build)) return std::nullopt;
    }
    if (p.revision_build && !word_chars(*p.revision_build)) return std::nullopt;

    size_t i = 0;
    auto digits = [&] {
        const size_t start = i;
        while (i < s.size() && is_digit(s[i])) ++i;
        return std::string(s.substr(start, i - start));
    };
    std::string n = digits();
    if (n.empty()) return std::nullopt;
    p.numbers.push_back(n);
    while (i < s.size() && s[i] == '.') {
        ++i;
        n = digits();
        if (n.empty()) return std::nullopt;
        p.numbers.push_back(n);
    }
    if (i < s.size() && is_lower(s[i]) && (i + 1 == s.size() || s[i + 1] == '_' || s[i + 1] == '-' || s[i + 1] == '~'))
        p.letter = s[i++];
    while (i < s.size()) {
        const char sep = s[i];
        if (sep != '_' && sep != '-' && sep != '~') return std::nullopt;
        ++i;
        Suffix suf;
        if (sep == '~') {
            suf.rank = -6;
            suf.word = std::string(s.substr(i));
            i = s.size();
            if (!word_chars(suf.word)) return std::nullopt;
        } else {
            const size_t start = i;
            while (i < s.size() && is_lower(s[i])) ++i;
            suf.word = std::string(s.substr(start, i - start));
            if (suf.word.empty()) return std::nullopt;
            suf.rank = suffix_rank(suf.word);
            suf.number = digits();
        }
        p.suffixes.push_back(std::move(suf));
    }
    return p;
}

int compare_suffix(const Suffix& a, const Suffix& b) {
    if (a.rank != b.rank) return a.rank < b.rank ? -1 : 1;
    if (a.rank <= -5)
        if (int c = natural_compare(a.word, b.word)) return c;
    return compare_numeric(a.number, b.number);
}

int compare_optional(const std::optional<std::string>& a, const std::optional<std::string>& b) {
    if (a.has_value() != b.has_value()) return a ? 1 : -1;
    return a ? natural_compare(*a, *b) : 0;
}

// Epoch, numbers, letter and suffixes: the version without revision and build.
int compare_base(const Parsed& a, const Parsed& b) {
    if (int c = compare_numeric(a.epoch, b.epoch)) return c;
    const size_t n = std::min(a.numbers.size(), b.numbers.size());
    for (size_t k = 0; k < n; ++k)
        if (int c = compare_numeric(a.numbers[k], b.numbers[k])) return c;
    if (a.numbers.size() != b.numbers.size()) return a.numbers.size() < b.numbers.size() ? -1 : 1;
    if (a.letter != b.letter) return a.letter < b.letter ? -1 : 1;
    const size_t s = std::max(a.suffixes.size(), b.suffixes.size());
    for (size_t k = 0; k < s; ++k) {
        const Suffix x = k < a.suffixes.size() ? a.suffixes[k] : Suffix{};
        const Suffix y = k < b.suffixes.size() ? b.suffixes[k] : Suffix{};
        if (int c = compare_suffix(x, y)) return c;
    }
    return 0;
}

int compare_parsed(const Parsed& a, const Parsed& b) {
    if (int c = compare_base(a, b)) return c;
    if (int c = compare_optional(a.build, b.build)) return c;
    if (a.revision_kind != b.revision_kind) return a.revision_kind < b.revision_kind ? -1 : 1;
    if (int c = compare_numeric(a.revision, b.revision)) return c;
    return compare_optional(a.revision_build, b.revision_build);
}

}  // namespace

bool valid_version(std::string_view v) { return parse_version(v).has_value(); }

std::string bump_build_version(std::string_view version) {
    if (!valid_version(version)) throw Error("version '" + std::string(version) + "' is not a valid luet version");
    // The build part is what follows the last '+'.
    const size_t plus = version.rfind('+');
    const std::string base(version.substr(0, plus));
    if (plus == std::string_view::npos) return base + "+1";
    const std::string build(version.substr(plus + 1));
    auto all_digits = [](std::string_view s) {
        return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return is_digit(c); });
    };
    // Build numbers are unsigned 64-bit, as upstream's; the largest one has no successor.
    auto next = [&](std::string_view digits) {
        std::uint64_t n = 0;
        const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), n);
        if (ec != std::errc{} || end != digits.data() + digits.size() || n == std::numeric_limits<std::uint64_t>::max())
            throw Error("version '" + std::string(version) + "': build number " + std::string(digits) +
                        " is too large to bump (the largest is " +
                        std::to_string(std::numeric_limits<std::uint64_t>::max() - 1) + ")");
        return std::to_string(n + 1);
    };
    if (all_digits(build)) return base + "+" + next(build);
    for (std::string_view prefix : {"rc", "r", "p"})
        if (build.starts_with(prefix) && all_digits(std::string_view(build).substr(prefix.size())))
            return base + "+" + std::string(prefix) + next(std::string_view(build).substr(prefix.size()));
    if (size_t dot = build.rfind('.'); dot != std::string::npos && dot > 0 && all_digits(std::string_view(build).substr(dot + 1)))
        return base + "+" + build.substr(0, dot + 1) + next(std::string_view(build).substr(dot + 1));
    return base + "+" + build + ".1";
}

int compare_versions(std::string_view a, std::string_view b) {
    auto pa = parse_version(a), pb = parse_version(b);
    if (pa && pb) return compare_parsed(*pa, *pb);
    if (pa || pb) return pa ? 1 : -1;  // invalid versions order first
    return natural_compare(a, b);
}

namespace {

void trim(std::string_view& t) {
    while (!t.empty() && (t.front() == ' ' || t.front() == ',')) t.remove_prefix(1);
    while (!t.empty() && (t.back() == ' ' || t.back() == ',')) t.remove_suffix(1);
}

// One constraint from the front of `text`, which is advanced past it.
Selector parse_one(std::string_view& text, std::string_view whole) {
    static const std::pair<std::string_view, SelectorOp> ops[] = {
        {">=", SelectorOp::Ge}, {"<=", SelectorOp::Le}, {"!=", SelectorOp::Ne}, {">", SelectorOp::Gt},
        {"<", SelectorOp::Lt},  {"=", SelectorOp::Eq},  {"!", SelectorOp::Ne},  {"~", SelectorOp::Revision},
    };
    Selector s;
    s.op = SelectorOp::Eq;
    for (const auto& [prefix, op] : ops) {
        if (text.starts_with(prefix)) {
            s.op = op;
            text.remove_prefix(prefix.size());
            break;
        }
    }
    while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
    size_t end = text.find_first_of(" ,");
    std::string_view v = text.substr(0, end);
    text.remove_prefix(v.size());
    if (v.empty()) throw Error("version selector '" + std::string(whole) + "' has an operator but no version");
    // "=>1.0" would read as "= >1.0" and print as ">1.0": one operator per constraint.
    if (std::string_view("<>=!~").find(v.front()) != std::string_view::npos)
        throw Error("version selector '" + std::string(whole) + "' is malformed: '" + std::string(v) +
                    "' is not a version (operators are >=, <=, >, <, =, !=, ~)");
    if (v.ends_with('*') && s.op == SelectorOp::Eq) {
        v.remove_suffix(1);
        s.op = SelectorOp::Prefix;
        if (v.empty()) return Selector{};
    }
    s.version = std::string(v);
    return s;
}

}  // namespace

Selector Selector::parse(std::string_view text) {
    const std::string_view whole = text;
    trim(text);
    if (text.empty() || text == "*" || text == ">=0") return Selector{};
    // ">=0" matches everything, alone or in a range (so that a range's canonical text, which
    // leaves Any out, reads back the same).
    auto any_if_ge0 = [](Selector s) { return s.op == SelectorOp::Ge && s.version == "0" ? Selector{} : s; };
    Selector first = any_if_ge0(parse_one(text, whole));
    trim(text);
    while (!text.empty()) {
        Selector next = any_if_ge0(parse_one(text, whole));
        if (next.op != SelectorOp::Any) first.also.push_back(next);
        trim(text);
    }
    if (first.op == SelectorOp::Any && !first.also.empty()) {
        Selector rest = first.also.front();
        rest.also.assign(first.also.begin() + 1, first.also.end());
        return rest;
    }
    return first;
}

bool Selector::matches(std::string_view candidate) const {
    for (const auto& s : also)
        if (!s.matches(candidate)) return false;
    if (op == SelectorOp::Any) return true;
    // Upstream admits a package without a version for every selector (PackageAdmit).
    if (candidate.empty()) return true;
    if (op == SelectorOp::Revision || op == SelectorOp::Prefix) {
        auto pc = parse_version(candidate), ps = parse_version(version);
        if (!pc || !ps) return candidate == version;
        if (op == SelectorOp::Revision) return compare_base(*pc, *ps) == 0;
        if (pc->epoch != ps->epoch || pc->numbers.size() < ps->numbers.size()) return false;
        for (size_t k = 0; k < ps->numbers.size(); ++k)
            if (compare_numeric(pc->numbers[k], ps->numbers[k]) != 0) return false;
        return ps->letter == 0 || (pc->numbers.size() == ps->numbers.size() && pc->letter == ps->letter);
    }
    const int c = compare_versions(candidate, version);
    switch (op) {
        case SelectorOp::Eq: return c == 0;
        case SelectorOp::Ne: return c != 0;
        case SelectorOp::Lt: return c < 0;
        case SelectorOp::Le: return c <= 0;
        case SelectorOp::Gt: return c > 0;
        case SelectorOp::Ge: return c >= 0;
        default: return true;
    }
}

std::string Selector::str() const {
    std::string s;
    switch (op) {
        case SelectorOp::Any: s = ""; break;
        case SelectorOp::Eq: s = version; break;
        case SelectorOp::Ne: s = "!=" + version; break;
        case SelectorOp::Lt: s = "<" + version; break;
        case SelectorOp::Le: s = "<=" + version; break;
        case SelectorOp::Gt: s = ">" + version; break;
        case SelectorOp::Ge: s = ">=" + version; break;
        case SelectorOp::Revision: s = "~" + version; break;
        case SelectorOp::Prefix: s = "=" + version + "*"; break;
    }
    for (const auto& a : also) s += ", " + a.str();
    return s;
}

}  // namespace luet::core
