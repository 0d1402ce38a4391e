// Semantic versions and constraints as sprig's semver/semverCompare (Masterminds semver v3).
#include <algorithm>
#include <charconv>
#include <regex>

#include "luet/template/internal.hpp"

namespace luet::tmpl::detail {

namespace {

struct SemVer {
    std::int64_t major = 0, minor = 0, patch = 0;
    int level = 3;  // number of components given (a wildcard stops the count)
    std::string pre, meta, original;
};

bool parse_version(const std::string& text, SemVer& v, bool allow_wild) {
    static const std::regex re(
        R"(^v?([0-9]+|[xX*])(\.([0-9]+|[xX*]))?(\.([0-9]+|[xX*]))?(-([0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*))?(\+([0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*))?$)");
    std::smatch m;
    if (!std::regex_match(text, m, re)) return false;
    v = SemVer{};
    v.original = text;
    v.level = 0;
    const int idx[3] = {1, 3, 5};
    std::int64_t* parts[3] = {&v.major, &v.minor, &v.patch};
    bool wild = false;
    for (int i = 0; i < 3; ++i) {
        std::string s = m[idx[i]].str();
        if (s.empty()) break;
        if (s == "x" || s == "X" || s == "*") {
            if (!allow_wild) return false;
            wild = true;
        }
        if (wild) break;
        // Beyond 64 bits is not a version (Masterminds semver refuses it too).
        if (std::from_chars(s.data(), s.data() + s.size(), *parts[i]).ec != std::errc{}) return false;
        v.level = i + 1;
    }
    v.pre = m[7].str();
    v.meta = m[10].str();
    return true;
}

bool is_num(const std::string& s) {
    return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

int cmp_pre(const std::string& a, const std::string& b) {
    if (a == b) return 0;
    if (a.empty()) return 1;
    if (b.empty()) return -1;
    auto split = [](const std::string& s) {
        std::vector<std::string> out;
        size_t pos = 0;
        for (;;) {
            size_t d = s.find('.', pos);
            out.push_back(s.substr(pos, d == std::string::npos ? std::string::npos : d - pos));
            if (d == std::string::npos) break;
            pos = d + 1;
        }
        return out;
    };
    auto pa = split(a), pb = split(b);
    for (size_t i = 0; i < std::min(pa.size(), pb.size()); ++i) {
        bool na = is_num(pa[i]), nb = is_num(pb[i]);
        if (na && nb) {
            // Numeric identifiers of any length: longer (without leading zeros) is larger.
            const auto strip = [](const std::string& n) { return n.substr(std::min(n.find_first_not_of('0'), n.size())); };
            const std::string x = strip(pa[i]), y = strip(pb[i]);
            if (x.size() != y.size()) return x.size() < y.size() ? -1 : 1;
            if (x != y) return x < y ? -1 : 1;
        } else if (na != nb) {
            return na ? -1 : 1;
        } else if (pa[i] != pb[i]) {
            return pa[i] < pb[i] ? -1 : 1;
        }
    }
    if (pa.size() == pb.size()) return 0;
    return pa.size() < pb.size() ? -1 : 1;
}

int cmp(const SemVer& a, const SemVer& b) {
    if (a.major != b.major) return a.major < b.major ? -1 : 1;
    if (a.minor != b.minor) return a.minor < b.minor ? -1 : 1;
    if (a.patch != b.patch) return a.patch < b.patch ? -1 : 1;
    return cmp_pre(a.pre, b.pre);
}

SemVer make(std::int64_t a, std::int64_t b, std::int64_t c) {
    SemVer v;
    v.major = a;
    v.minor = b;
    v.patch = c;
    return v;
}

SemVer lower(const SemVer& c) {
    SemVer v = make(c.level >= 1 ? c.major : 0, c.level >= 2 ? c.minor : 0, c.level >= 3 ? c.patch : 0);
    v.pre = c.pre;
    return v;
}

// Exclusive upper bound of a partial version ("1.2" -> 1.3.0); level 0 has none.
SemVer upper(const SemVer& c) {
    if (c.level == 1) return make(c.major + 1, 0, 0);
    if (c.level == 2) return make(c.major, c.minor + 1, 0);
    return make(c.major, c.minor, c.patch + 1);
}

bool check_one(const std::string& op, const SemVer& c, const SemVer& v) {
    if (!v.pre.empty() && c.pre.empty()) return false;
    auto in_range = [&](const SemVer& lo, const SemVer* hi) { return cmp(v, lo) >= 0 && (!hi || cmp(v, *hi) < 0); };
    if (op.empty() || op == "=") {
        if (c.level == 3) return cmp(v, c) == 0;
        if (c.level == 0) return true;
        SemVer hi = upper(c);
        return in_range(lower(c), &hi);
    }
    if (op == "!=") return !check_one("=", c, v);
    if (op == ">") {
        if (c.level == 3) return cmp(v, c) > 0;
        if (c.level == 0) return false;
        return cmp(v, upper(c)) >= 0;
    }
    if (op == "<") return c.level != 0 && cmp(v, lower(c)) < 0;
    if (op == ">=" || op == "=>") return cmp(v, lower(c)) >= 0;
    if (op == "<=" || op == "=<") {
        if (c.level == 3) return cmp(v, c) <= 0;
        if (c.level == 0) return true;
        return cmp(v, upper(c)) < 0;
    }
    if (op == "~" || op == "~>") {
        if (c.level == 0) return true;
        SemVer hi = c.level == 1 ? make(c.major + 1, 0, 0) : make(c.major, c.minor + 1, 0);
        return in_range(lower(c), &hi);
    }
    if (op == "^") {
        if (c.level == 0) return true;
        SemVer hi;
        if (c.major > 0 || c.level == 1) hi = make(c.major + 1, 0, 0);
        else if (c.minor > 0 || c.level == 2) hi = make(0, c.minor + 1, 0);
        else hi = make(0, 0, c.patch + 1);
        return in_range(lower(c), &hi);
    }
    throw FuncError("improper constraint: " + op);
}

std::vector<std::string> words(const std::string& s) {
    std::vector<std::string> out;
    std::string cur;
    for (char ch : s) {
        if (ch == ' ' || ch == '\t' || ch == ',') {
            if (!cur.empty()) out.push_back(cur);
            cur.clear();
        } else {
            cur += ch;
        }
    }
    if (!cur.empty()) out.push_back(cur);
    return out;
}

bool check_group(const std::string& group, const std::string& whole, const SemVer& v) {
    auto w = words(group);
    if (w.empty()) throw FuncError("improper constraint: " + whole);
    for (size_t i = 0; i < w.size(); ++i) {
        std::string tok = w[i];
        size_t k = 0;
        while (k < tok.size() && std::string("=!<>~^").find(tok[k]) != std::string::npos) ++k;
        std::string op = tok.substr(0, k), ver = tok.substr(k);
        if (ver.empty()) {
            if (i + 1 >= w.size()) throw FuncError("improper constraint: " + whole);
            ver = w[++i];
        }
        SemVer c;
        if (!parse_version(ver, c, true)) throw FuncError("improper constraint: " + whole);
        if (op.empty() && i + 2 < w.size() && w[i + 1] == "-") {
            SemVer hi;
            if (!parse_version(w[i + 2], hi, true)) throw FuncError("improper constraint: " + whole);
            i += 2;
            if (!check_one(">=", c, v) || !check_one("<=", hi, v)) return false;
            continue;
        }
        if (!check_one(op, c, v)) return false;
    }
    return true;
}

}  // namespace

bool semver_check(const std::string& constraint, const std::string& version) {
    SemVer v;
    if (!parse_version(version, v, false)) throw FuncError("Invalid Semantic Version");
    if (v.level < 3) v = [&] { SemVer f = v; f.level = 3; return f; }();
    size_t pos = 0;
    bool any = false;
    for (;;) {
        size_t bar = constraint.find("||", pos);
        std::string group = constraint.substr(pos, bar == std::string::npos ? std::string::npos : bar - pos);
        if (check_group(group, constraint, v)) any = true;
        if (bar == std::string::npos) break;
        pos = bar + 2;
    }
    return any;
}

json semver_map(const std::string& version) {
    SemVer v;
    if (!parse_version(version, v, false)) throw FuncError("Invalid Semantic Version");
    return json{{"Major", v.major}, {"Minor", v.minor},      {"Patch", v.patch},
                {"Prerelease", v.pre}, {"Metadata", v.meta}, {"Original", v.original}};
}

}  // namespace luet::tmpl::detail
