// Function library: Go text/template builtins plus the sprig/Helm functions used by
// luet trees.
#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdlib>
#include <cstring>
#include <re2/re2.h>

#include "luet/template/internal.hpp"
#include "luet/template/template.hpp"

namespace luet::tmpl::detail {

// semver.cpp
bool semver_check(const std::string& constraint, const std::string& version);
json semver_map(const std::string& version);

void ferr(const std::string& m) { throw FuncError(m); }

const std::string& s_arg(const json& v) {
    if (v.is_null()) ferr("invalid value; expected string");
    if (!v.is_string()) ferr("wrong type for value; expected string; got " + type_name(v));
    return v.get_ref<const std::string&>();
}

std::int64_t i_arg(const json& v) {
    if (v.is_null()) ferr("invalid value; expected int");
    if (!v.is_number_integer() && !v.is_number_unsigned()) ferr("wrong type for value; expected int; got " + type_name(v));
    return to_int64(v);
}

const json& m_arg(const json& v) {
    if (!v.is_object()) {
        if (v.is_null()) ferr("invalid value; expected map[string]interface {}");
        ferr("wrong type for value; expected map[string]interface {}; got " + type_name(v));
    }
    return v;
}

const json& l_arg(const json& v, const std::string& what) {
    if (!v.is_array()) ferr("Cannot " + what + " on type " + type_name(v));
    return v;
}

namespace {

using Args = std::vector<json>;

bool empty(const json& v) { return !truth(v); }

// Go comparisons -----------------------------------------------------------------------

enum class Kind { Nil, Bool, Int, Float, String, Other };
Kind kind(const json& v) {
    if (v.is_null()) return Kind::Nil;
    if (v.is_boolean()) return Kind::Bool;
    if (v.is_number_integer() || v.is_number_unsigned()) return Kind::Int;
    if (v.is_number_float()) return Kind::Float;
    if (v.is_string()) return Kind::String;
    return Kind::Other;
}

bool go_eq(const json& a, const json& b) {
    Kind ka = kind(a), kb = kind(b);
    if (ka == Kind::Nil || kb == Kind::Nil) return ka == kb;
    if (ka == Kind::Other || kb == Kind::Other) ferr("non-comparable type " + type_name(ka == Kind::Other ? a : b));
    bool num_a = ka == Kind::Int || ka == Kind::Float, num_b = kb == Kind::Int || kb == Kind::Float;
    if (num_a && num_b) {
        if (ka == Kind::Int && kb == Kind::Int) return to_int64(a) == to_int64(b);
        return to_float64(a) == to_float64(b);
    }
    if (ka != kb) ferr("incompatible types for comparison");
    return a == b;
}

int go_cmp(const json& a, const json& b) {
    Kind ka = kind(a), kb = kind(b);
    bool num_a = ka == Kind::Int || ka == Kind::Float, num_b = kb == Kind::Int || kb == Kind::Float;
    if (num_a && num_b) {
        if (ka == Kind::Int && kb == Kind::Int) {
            auto x = to_int64(a), y = to_int64(b);
            return x < y ? -1 : x > y ? 1 : 0;
        }
        double x = to_float64(a), y = to_float64(b);
        return x < y ? -1 : x > y ? 1 : 0;
    }
    if (ka == Kind::String && kb == Kind::String) {
        int c = a.get_ref<const std::string&>().compare(b.get_ref<const std::string&>());
        return c < 0 ? -1 : c > 0 ? 1 : 0;
    }
    if (ka == kb && ka != Kind::Other && ka != Kind::Nil) ferr("invalid type for comparison");
    if (ka == Kind::Nil || kb == Kind::Nil || ka == Kind::Other || kb == Kind::Other) ferr("invalid type for comparison");
    ferr("incompatible types for comparison");
}

// Strings -------------------------------------------------------------------------------

bool is_ws(unsigned char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'; }

std::string trim_set(const std::string& s, const std::string& cut, bool left, bool right) {
    size_t b = 0, e = s.size();
    if (left)
        while (b < e && cut.find(s[b]) != std::string::npos) ++b;
    if (right)
        while (e > b && cut.find(s[e - 1]) != std::string::npos) --e;
    return s.substr(b, e - b);
}

const std::string kSpace = " \t\n\r\v\f";

std::string replace_all(const std::string& s, const std::string& from, const std::string& to) {
    if (from.empty()) {
        // Go: inserts `to` before every rune and at the end
        std::string r;
        for (size_t i = 0; i < s.size(); ++i) {
            if ((static_cast<unsigned char>(s[i]) & 0xC0) != 0x80) r += to;
            r += s[i];
        }
        return r + to;
    }
    std::string r;
    size_t pos = 0;
    for (;;) {
        size_t f = s.find(from, pos);
        if (f == std::string::npos) break;
        r += s.substr(pos, f - pos) + to;
        pos = f + from.size();
    }
    return r + s.substr(pos);
}

std::vector<std::string> split(const std::string& s, const std::string& sep) {
    std::vector<std::string> out;
    if (sep.empty()) {
        for (size_t i = 0; i < s.size();) {
            size_t j = i + 1;
            while (j < s.size() && (static_cast<unsigned char>(s[j]) & 0xC0) == 0x80) ++j;
            out.push_back(s.substr(i, j - i));
            i = j;
        }
        return out;
    }
    size_t pos = 0;
    for (;;) {
        size_t f = s.find(sep, pos);
        if (f == std::string::npos) break;
        out.push_back(s.substr(pos, f - pos));
        pos = f + sep.size();
    }
    out.push_back(s.substr(pos));
    return out;
}

std::string title(const std::string& s) {
    std::string r = s;
    bool prev_sep = true;
    for (auto& ch : r) {
        auto c = static_cast<unsigned char>(ch);
        bool sep;
        if (c >= 0x80) sep = false;
        else sep = !(std::isalnum(c) || c == '_');
        if (prev_sep && c < 0x80) ch = static_cast<char>(std::toupper(c));
        prev_sep = sep;
    }
    return r;
}

std::string indent(std::int64_t n, const std::string& s) {
    std::string pad(static_cast<size_t>(std::max<std::int64_t>(n, 0)), ' ');
    return pad + replace_all(s, "\n", "\n" + pad);
}

std::vector<std::string> strslice(const json& v) {
    std::vector<std::string> out;
    if (v.is_array()) {
        for (const auto& e : v)
            if (!e.is_null()) out.push_back(strval(e));
    } else if (!v.is_null()) {
        out.push_back(strval(v));
    }
    return out;
}

json to_list(const std::vector<std::string>& v) {
    json a = json::array();
    for (const auto& s : v) a.push_back(s);
    return a;
}

// base64 ----------------------------------------------------------------------------------

const char* kB64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

std::string b64enc(const std::string& in) {
    std::string out;
    size_t i = 0;
    for (; i + 2 < in.size(); i += 3) {
        unsigned v = (static_cast<unsigned char>(in[i]) << 16) | (static_cast<unsigned char>(in[i + 1]) << 8) |
                     static_cast<unsigned char>(in[i + 2]);
        out += kB64[(v >> 18) & 63];
        out += kB64[(v >> 12) & 63];
        out += kB64[(v >> 6) & 63];
        out += kB64[v & 63];
    }
    if (i < in.size()) {
        unsigned v = static_cast<unsigned char>(in[i]) << 16;
        if (i + 1 < in.size()) v |= static_cast<unsigned char>(in[i + 1]) << 8;
        out += kB64[(v >> 18) & 63];
        out += kB64[(v >> 12) & 63];
        out += i + 1 < in.size() ? kB64[(v >> 6) & 63] : '=';
        out += '=';
    }
    return out;
}

std::string b64dec(const std::string& in) {
    std::string out;
    unsigned v = 0;
    int bits = 0;
    size_t i = 0;
    for (; i < in.size(); ++i) {
        char c = in[i];
        if (c == '=') break;
        const char* p = std::strchr(kB64, c);
        if (!p || c == '\0') return "illegal base64 data at input byte " + std::to_string(i);
        v = (v << 6) | static_cast<unsigned>(p - kB64);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out += static_cast<char>((v >> bits) & 0xFF);
        }
    }
    if ((in.size() % 4) != 0) return "illegal base64 data at input byte " + std::to_string(in.size() - in.size() % 4);
    return out;
}

// Regex -------------------------------------------------------------------------------------

std::unique_ptr<RE2> compile(const std::string& re) {
    RE2::Options o;
    o.set_log_errors(false);
    auto r = std::make_unique<RE2>(re, o);
    if (!r->ok()) ferr("error parsing regexp: " + r->error() + ": `" + re + "`");
    return r;
}

// Go regexp Expand: $1, ${1}, $name, ${name}, $$.
std::string expand(const RE2& re, const std::string& repl, const std::vector<re2::StringPiece>& groups) {
    std::string out;
    const auto& names = re.NamedCapturingGroups();
    auto group = [&](const std::string& name) -> std::string {
        bool numeric = !name.empty() && std::all_of(name.begin(), name.end(), [](char c) { return c >= '0' && c <= '9'; });
        size_t idx = 0;
        if (numeric) idx = std::strtoul(name.c_str(), nullptr, 10);
        else {
            auto it = names.find(name);
            if (it == names.end()) return "";
            idx = static_cast<size_t>(it->second);
        }
        if (idx >= groups.size() || groups[idx].data() == nullptr) return "";
        return std::string(groups[idx]);
    };
    for (size_t i = 0; i < repl.size(); ++i) {
        if (repl[i] != '$' || i + 1 >= repl.size()) {
            out += repl[i];
            continue;
        }
        if (repl[i + 1] == '$') {
            out += '$';
            ++i;
            continue;
        }
        if (repl[i + 1] == '{') {
            size_t close = repl.find('}', i + 2);
            if (close == std::string::npos) {
                out += repl[i];
                continue;
            }
            out += group(repl.substr(i + 2, close - i - 2));
            i = close;
            continue;
        }
        size_t j = i + 1;
        while (j < repl.size() && (std::isalnum(static_cast<unsigned char>(repl[j])) || repl[j] == '_')) ++j;
        if (j == i + 1) {
            out += repl[i];
            continue;
        }
        out += group(repl.substr(i + 1, j - i - 1));
        i = j - 1;
    }
    return out;
}

// Calls `on_match(start, end, groups)` for successive non-overlapping matches (Go "All" rules).
template <typename F>
void each_match(const RE2& re, const std::string& s, std::int64_t limit, F on_match) {
    int ng = re.NumberOfCapturingGroups() + 1;
    std::vector<re2::StringPiece> groups(static_cast<size_t>(ng));
    size_t pos = 0;
    size_t prev_end = std::string::npos;
    std::int64_t count = 0;
    while (pos <= s.size() && (limit < 0 || count < limit)) {
        if (!re.Match(s, pos, s.size(), RE2::UNANCHORED, groups.data(), ng)) break;
        size_t start = static_cast<size_t>(groups[0].data() - s.data());
        size_t end = start + groups[0].size();
        if (start == end && start == prev_end) {
            // empty match right after the previous one: skip one byte
            pos = start + 1;
            continue;
        }
        on_match(start, end, groups);
        ++count;
        prev_end = end;
        pos = end == start ? end + 1 : end;
    }
}

std::string regex_replace(const std::string& re_s, const std::string& s, const std::string& repl, bool literal) {
    auto re = compile(re_s);
    std::string out;
    size_t last = 0;
    each_match(*re, s, -1, [&](size_t start, size_t end, const std::vector<re2::StringPiece>& g) {
        out += s.substr(last, start - last);
        out += literal ? repl : expand(*re, repl, g);
        last = end;
    });
    return out + s.substr(std::min(last, s.size()));
}

// Lists -------------------------------------------------------------------------------------

bool in_list(const json& list, const json& needle) {
    for (const auto& e : list)
        if (e == needle) return true;
    return false;
}

json num_result(std::int64_t v) { return json(v); }

void mergo(json& dst, const json& src, bool overwrite) {
    for (auto it = src.begin(); it != src.end(); ++it) {
        auto d = dst.find(it.key());
        if (d == dst.end()) {
            dst[it.key()] = it.value();
        } else if (d->is_object() && it.value().is_object()) {
            mergo(*d, it.value(), overwrite);
        } else if (overwrite || empty(*d)) {
            *d = it.value();
        }
    }
}

std::map<std::string, FuncDef> build() {
    std::map<std::string, FuncDef> f;
    auto def = [&](const std::string& name, int min, int max, Fn fn) { f[name] = FuncDef{min, max, std::move(fn)}; };

    // Go builtins (and/or are evaluated lazily by the executor but registered for lookup)
    def("and", 1, -1, [](Exec&, Args& a) { return a.back(); });
    def("or", 1, -1, [](Exec&, Args& a) { return a.back(); });
    def("not", 1, 1, [](Exec&, Args& a) { return json(!truth(a[0])); });
    def("eq", 2, -1, [](Exec&, Args& a) {
        for (size_t i = 1; i < a.size(); ++i)
            if (go_eq(a[0], a[i])) return json(true);
        return json(false);
    });
    def("ne", 2, 2, [](Exec&, Args& a) { return json(!go_eq(a[0], a[1])); });
    def("lt", 2, 2, [](Exec&, Args& a) { return json(go_cmp(a[0], a[1]) < 0); });
    def("le", 2, 2, [](Exec&, Args& a) { return json(go_cmp(a[0], a[1]) <= 0); });
    def("gt", 2, 2, [](Exec&, Args& a) { return json(go_cmp(a[0], a[1]) > 0); });
    def("ge", 2, 2, [](Exec&, Args& a) { return json(go_cmp(a[0], a[1]) >= 0); });
    def("len", 1, 1, [](Exec&, Args& a) {
        const json& v = a[0];
        if (v.is_string()) return json(static_cast<std::int64_t>(v.get_ref<const std::string&>().size()));
        if (v.is_array() || v.is_object()) return json(static_cast<std::int64_t>(v.size()));
        if (v.is_null()) ferr("len of nil pointer");
        ferr("len of type " + type_name(v));
    });
    def("index", 1, -1, [](Exec&, Args& a) {
        json cur = a[0];
        for (size_t i = 1; i < a.size(); ++i) {
            const json& k = a[i];
            if (cur.is_array() || cur.is_string()) {
                if (!is_int(k)) ferr("cannot index slice/array with type " + type_name(k));
                std::int64_t n = to_int64(k);
                std::int64_t size = cur.is_array() ? static_cast<std::int64_t>(cur.size())
                                                   : static_cast<std::int64_t>(cur.get_ref<const std::string&>().size());
                if (n < 0 || n >= size) ferr("index out of range: " + std::to_string(n));
                if (cur.is_array()) {
                    json next = cur[static_cast<size_t>(n)];
                    cur = std::move(next);
                } else {
                    cur = json(static_cast<std::int64_t>(static_cast<unsigned char>(cur.get<std::string>()[static_cast<size_t>(n)])));
                }
            } else if (cur.is_object()) {
                if (!k.is_string()) ferr("value has type " + type_name(k) + "; should be string");
                auto it = cur.find(k.get<std::string>());
                if (it == cur.end()) return json();
                json next = *it;
                cur = std::move(next);
            } else if (cur.is_null()) {
                ferr("index of untyped nil");
            } else {
                ferr("can't index item of type " + type_name(cur));
            }
        }
        return cur;
    });
    def("slice", 1, 3, [](Exec&, Args& a) {
        const json& v = a[0];
        std::int64_t size;
        if (v.is_string()) size = static_cast<std::int64_t>(v.get_ref<const std::string&>().size());
        else if (v.is_array()) size = static_cast<std::int64_t>(v.size());
        else ferr("can't slice item of type " + type_name(v));
        std::int64_t lo = a.size() > 1 ? i_arg(a[1]) : 0, hi = a.size() > 2 ? i_arg(a[2]) : size;
        if (lo < 0 || hi < lo || hi > size) ferr("index out of range: " + std::to_string(lo < 0 || lo > size ? lo : hi));
        if (v.is_string())
            return json(v.get<std::string>().substr(static_cast<size_t>(lo), static_cast<size_t>(hi - lo)));
        json r = json::array();
        for (auto i = lo; i < hi; ++i) r.push_back(v[static_cast<size_t>(i)]);
        return r;
    });
    def("print", 0, -1, [](Exec&, Args& a) {
        std::string r;
        for (size_t i = 0; i < a.size(); ++i) {
            if (i > 0 && !a[i].is_string() && !a[i - 1].is_string()) r += ' ';
            r += print_value(a[i]);
        }
        return json(r);
    });
    def("println", 0, -1, [](Exec&, Args& a) {
        std::string r;
        for (size_t i = 0; i < a.size(); ++i) r += (i ? " " : "") + print_value(a[i]);
        return json(r + "\n");
    });
    def("printf", 1, -1, [](Exec&, Args& a) {
        std::vector<json> rest(a.begin() + 1, a.end());
        return json(go_sprintf(s_arg(a[0]), rest));
    });

    // Defaults and flow (sprig / Helm)
    def("default", 1, -1, [](Exec&, Args& a) {
        if (a.size() < 2 || empty(a[1])) return a[0];
        return a[1];
    });
    def("empty", 1, 1, [](Exec&, Args& a) { return json(empty(a[0])); });
    def("coalesce", 0, -1, [](Exec&, Args& a) {
        for (auto& v : a)
            if (!empty(v)) return v;
        return json();
    });
    def("ternary", 3, 3, [](Exec&, Args& a) {
        if (!a[2].is_boolean()) ferr("wrong type for value; expected bool; got " + type_name(a[2]));
        return a[2].get<bool>() ? a[0] : a[1];
    });
    def("include", 2, 2, [](Exec& ex, Args& a) { return json(ex.include(s_arg(a[0]), a[1])); });
    def("tpl", 2, 2, [](Exec& ex, Args& a) { return json(ex.tpl(s_arg(a[0]), a[1])); });
    def("required", 2, 2, [](Exec&, Args& a) {
        if (a[1].is_null() || (a[1].is_string() && a[1].get_ref<const std::string&>().empty())) ferr(s_arg(a[0]));
        return a[1];
    });
    def("fail", 1, 1, [](Exec&, Args& a) -> json { ferr(s_arg(a[0])); });

    // Serialisation
    def("toYaml", 1, 1, [](Exec&, Args& a) {
        std::string y = json_to_yaml(a[0]);
        if (!y.empty() && y.back() == '\n') y.pop_back();
        return json(y);
    });
    def("fromYaml", 1, 1, [](Exec&, Args& a) {
        try {
            json v = yaml_to_json(s_arg(a[0]), "fromYaml");
            if (v.is_null()) return json::object();
            if (!v.is_object()) return json{{"Error", "cannot unmarshal " + type_name(v) + " into map"}};
            return v;
        } catch (const std::exception& e) {
            return json{{"Error", e.what()}};
        }
    });
    def("fromYamlArray", 1, 1, [](Exec&, Args& a) {
        try {
            json v = yaml_to_json(s_arg(a[0]), "fromYamlArray");
            if (v.is_null()) return json::array();
            if (!v.is_array()) return json::array({std::string("cannot unmarshal into array")});
            return v;
        } catch (const std::exception& e) {
            return json::array({std::string(e.what())});
        }
    });
    def("toJson", 1, 1, [](Exec&, Args& a) { return json(to_json_text(a[0])); });
    def("toPrettyJson", 1, 1, [](Exec&, Args& a) { return json(a[0].dump(2)); });
    def("fromJson", 1, 1, [](Exec&, Args& a) {
        json v = json::parse(s_arg(a[0]), nullptr, false);
        if (v.is_discarded()) return json{{"Error", "invalid JSON"}};
        return v;
    });
    def("toString", 1, 1, [](Exec&, Args& a) { return json(strval(a[0])); });

    // Strings
    def("trim", 1, 1, [](Exec&, Args& a) { return json(trim_set(s_arg(a[0]), kSpace, true, true)); });
    def("trimAll", 2, 2, [](Exec&, Args& a) { return json(trim_set(s_arg(a[1]), s_arg(a[0]), true, true)); });
    def("trimPrefix", 2, 2, [](Exec&, Args& a) {
        const std::string &p = s_arg(a[0]), &s = s_arg(a[1]);
        return json(s.rfind(p, 0) == 0 ? s.substr(p.size()) : s);
    });
    def("trimSuffix", 2, 2, [](Exec&, Args& a) {
        const std::string &p = s_arg(a[0]), &s = s_arg(a[1]);
        bool has = s.size() >= p.size() && s.compare(s.size() - p.size(), p.size(), p) == 0;
        return json(has ? s.substr(0, s.size() - p.size()) : s);
    });
    def("upper", 1, 1, [](Exec&, Args& a) {
        std::string s = s_arg(a[0]);
        for (auto& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
        return json(s);
    });
    def("lower", 1, 1, [](Exec&, Args& a) {
        std::string s = s_arg(a[0]);
        for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        return json(s);
    });
    def("title", 1, 1, [](Exec&, Args& a) { return json(title(s_arg(a[0]))); });
    def("replace", 3, 3, [](Exec&, Args& a) { return json(replace_all(s_arg(a[2]), s_arg(a[0]), s_arg(a[1]))); });
    def("contains", 2, 2, [](Exec&, Args& a) { return json(s_arg(a[1]).find(s_arg(a[0])) != std::string::npos); });
    def("hasPrefix", 2, 2, [](Exec&, Args& a) { return json(s_arg(a[1]).rfind(s_arg(a[0]), 0) == 0); });
    def("hasSuffix", 2, 2, [](Exec&, Args& a) {
        const std::string &p = s_arg(a[0]), &s = s_arg(a[1]);
        return json(s.size() >= p.size() && s.compare(s.size() - p.size(), p.size(), p) == 0);
    });
    def("repeat", 2, 2, [](Exec&, Args& a) {
        std::int64_t n = i_arg(a[0]);
        if (n < 0) ferr("strings: negative Repeat count");
        const std::string unit = s_arg(a[1]);
        if (!unit.empty() && static_cast<std::uint64_t>(n) > kMaxRepeatBytes / unit.size())
            ferr("repeat: the result would be more than " + std::to_string(kMaxRepeatBytes) + " bytes");
        std::string r;
        for (std::int64_t i = 0; i < n; ++i) r += unit;
        return json(r);
    });
    def("substr", 3, 3, [](Exec&, Args& a) {
        std::int64_t start = i_arg(a[0]), end = i_arg(a[1]);
        const std::string& s = s_arg(a[2]);
        auto len = static_cast<std::int64_t>(s.size());
        if (start < 0) return json(s.substr(0, static_cast<size_t>(std::clamp<std::int64_t>(end, 0, len))));
        start = std::min(start, len);
        if (end < 0 || end > len) return json(s.substr(static_cast<size_t>(start)));
        if (end < start) ferr("slice bounds out of range");
        return json(s.substr(static_cast<size_t>(start), static_cast<size_t>(end - start)));
    });
    def("nospace", 1, 1, [](Exec&, Args& a) {
        std::string r;
        for (char c : s_arg(a[0]))
            if (!is_ws(static_cast<unsigned char>(c))) r += c;
        return json(r);
    });
    def("trunc", 2, 2, [](Exec&, Args& a) {
        std::int64_t c = i_arg(a[0]);
        const std::string& s = s_arg(a[1]);
        auto len = static_cast<std::int64_t>(s.size());
        if (c < 0 && len + c > 0) return json(s.substr(static_cast<size_t>(len + c)));
        if (c >= 0 && len > c) return json(s.substr(0, static_cast<size_t>(c)));
        return json(s);
    });
    def("quote", 0, -1, [](Exec&, Args& a) {
        std::string r;
        for (const auto& v : a) {
            if (v.is_null()) continue;
            if (!r.empty()) r += ' ';
            r += go_quote(strval(v));
        }
        return json(r);
    });
    def("squote", 0, -1, [](Exec&, Args& a) {
        std::string r;
        for (const auto& v : a) {
            if (v.is_null()) continue;
            if (!r.empty()) r += ' ';
            r += "'" + strval(v) + "'";
        }
        return json(r);
    });
    def("cat", 0, -1, [](Exec&, Args& a) {
        std::string r;
        for (const auto& v : a) {
            if (v.is_null()) continue;
            if (!r.empty()) r += ' ';
            r += strval(v);
        }
        return json(r);
    });
    def("indent", 2, 2, [](Exec&, Args& a) { return json(indent(i_arg(a[0]), s_arg(a[1]))); });
    def("nindent", 2, 2, [](Exec&, Args& a) { return json("\n" + indent(i_arg(a[0]), s_arg(a[1]))); });
    def("split", 2, 2, [](Exec&, Args& a) {
        json m = json::object();
        auto parts = split(s_arg(a[1]), s_arg(a[0]));
        for (size_t i = 0; i < parts.size(); ++i) m["_" + std::to_string(i)] = parts[i];
        return m;
    });
    def("splitList", 2, 2, [](Exec&, Args& a) { return to_list(split(s_arg(a[1]), s_arg(a[0]))); });
    def("join", 2, 2, [](Exec&, Args& a) {
        auto parts = strslice(a[1]);
        std::string r;
        for (size_t i = 0; i < parts.size(); ++i) r += (i ? s_arg(a[0]) : "") + parts[i];
        return json(r);
    });
    def("toStrings", 1, 1, [](Exec&, Args& a) { return to_list(strslice(a[0])); });
    def("b64enc", 1, 1, [](Exec&, Args& a) { return json(b64enc(s_arg(a[0]))); });
    def("b64dec", 1, 1, [](Exec&, Args& a) { return json(b64dec(s_arg(a[0]))); });
    def("env", 1, 1, [](Exec&, Args& a) {
        const char* v = std::getenv(s_arg(a[0]).c_str());
        return json(v ? std::string(v) : std::string());
    });

    // Regex
    def("regexMatch", 2, 2, [](Exec&, Args& a) {
        RE2::Options o;
        o.set_log_errors(false);
        RE2 re(s_arg(a[0]), o);
        return json(re.ok() && RE2::PartialMatch(s_arg(a[1]), re));
    });
    def("regexFind", 2, 2, [](Exec&, Args& a) {
        auto re = compile(s_arg(a[0]));
        re2::StringPiece m;
        const std::string& s = s_arg(a[1]);
        if (re->Match(s, 0, s.size(), RE2::UNANCHORED, &m, 1)) return json(std::string(m));
        return json("");
    });
    def("regexFindAll", 3, 3, [](Exec&, Args& a) {
        auto re = compile(s_arg(a[0]));
        const std::string& s = s_arg(a[1]);
        json r = json::array();
        each_match(*re, s, i_arg(a[2]), [&](size_t st, size_t en, const std::vector<re2::StringPiece>&) {
            r.push_back(s.substr(st, en - st));
        });
        return r;
    });
    def("regexReplaceAll", 3, 3, [](Exec&, Args& a) { return json(regex_replace(s_arg(a[0]), s_arg(a[1]), s_arg(a[2]), false)); });
    def("regexReplaceAllLiteral", 3, 3,
        [](Exec&, Args& a) { return json(regex_replace(s_arg(a[0]), s_arg(a[1]), s_arg(a[2]), true)); });
    def("regexSplit", 3, 3, [](Exec&, Args& a) {
        auto re = compile(s_arg(a[0]));
        const std::string& s = s_arg(a[1]);
        std::int64_t n = i_arg(a[2]);
        json r = json::array();
        if (n == 0) return r;
        size_t last = 0;
        each_match(*re, s, n < 0 ? -1 : n - 1, [&](size_t st, size_t en, const std::vector<re2::StringPiece>&) {
            if (en == 0) return;
            r.push_back(s.substr(last, st - last));
            last = en;
        });
        r.push_back(s.substr(std::min(last, s.size())));
        return r;
    });

    // Semantic versions
    def("semverCompare", 2, 2, [](Exec&, Args& a) { return json(semver_check(s_arg(a[0]), s_arg(a[1]))); });
    def("semver", 1, 1, [](Exec&, Args& a) { return semver_map(s_arg(a[0])); });

    // Lists
    def("list", 0, -1, [](Exec&, Args& a) { return json(json::array_t(a.begin(), a.end())); });
    auto push = [](Exec&, Args& a) {
        json r = l_arg(a[0], "append");
        r.push_back(a[1]);
        return r;
    };
    def("append", 2, 2, push);
    def("push", 2, 2, push);
    def("prepend", 2, 2, [](Exec&, Args& a) {
        json r = json::array({a[1]});
        for (const auto& e : l_arg(a[0], "prepend")) r.push_back(e);
        return r;
    });
    def("first", 1, 1, [](Exec&, Args& a) {
        if (a[0].is_null()) return json();
        const json& l = l_arg(a[0], "find first");
        return l.empty() ? json() : l.front();
    });
    def("last", 1, 1, [](Exec&, Args& a) {
        if (a[0].is_null()) return json();
        const json& l = l_arg(a[0], "find last");
        return l.empty() ? json() : l.back();
    });
    def("rest", 1, 1, [](Exec&, Args& a) {
        if (a[0].is_null()) return json();
        const json& l = l_arg(a[0], "find rest");
        if (l.empty()) return json();
        return json(json::array_t(l.begin() + 1, l.end()));
    });
    def("initial", 1, 1, [](Exec&, Args& a) {
        if (a[0].is_null()) return json();
        const json& l = l_arg(a[0], "find initial");
        if (l.empty()) return json();
        return json(json::array_t(l.begin(), l.end() - 1));
    });
    def("uniq", 1, 1, [](Exec&, Args& a) {
        json r = json::array();
        for (const auto& e : l_arg(a[0], "uniq"))
            if (!in_list(r, e)) r.push_back(e);
        return r;
    });
    def("compact", 1, 1, [](Exec&, Args& a) {
        json r = json::array();
        for (const auto& e : l_arg(a[0], "compact"))
            if (!empty(e)) r.push_back(e);
        return r;
    });
    def("reverse", 1, 1, [](Exec&, Args& a) {
        json r = l_arg(a[0], "reverse");
        std::reverse(r.begin(), r.end());
        return r;
    });
    def("sortAlpha", 1, 1, [](Exec&, Args& a) {
        auto v = strslice(a[0]);
        std::sort(v.begin(), v.end());
        return to_list(v);
    });
    def("has", 2, 2, [](Exec&, Args& a) {
        if (a[1].is_null()) return json(false);
        return json(in_list(l_arg(a[1], "has"), a[0]));
    });
    def("without", 1, -1, [](Exec&, Args& a) {
        json r = json::array();
        Args omit(a.begin() + 1, a.end());
        for (const auto& e : l_arg(a[0], "without"))
            if (std::find(omit.begin(), omit.end(), e) == omit.end()) r.push_back(e);
        return r;
    });
    def("concat", 0, -1, [](Exec&, Args& a) {
        json r = json::array();
        for (const auto& l : a)
            for (const auto& e : l_arg(l, "concat")) r.push_back(e);
        return r;
    });
    def("until", 1, 1, [](Exec&, Args& a) {
        std::int64_t n = i_arg(a[0]), step = n < 0 ? -1 : 1;
        if (n > static_cast<std::int64_t>(kMaxSequence) || n < -static_cast<std::int64_t>(kMaxSequence))
            ferr("until: more than " + std::to_string(kMaxSequence) + " numbers");
        json r = json::array();
        for (std::int64_t i = 0; step > 0 ? i < n : i > n; i += step) r.push_back(i);
        return r;
    });
    def("untilStep", 3, 3, [](Exec&, Args& a) {
        std::int64_t start = i_arg(a[0]), stop = i_arg(a[1]), step = i_arg(a[2]);
        json r = json::array();
        if (step == 0 || (step > 0 && start >= stop) || (step < 0 && start <= stop)) return r;
        for (std::int64_t i = start; step > 0 ? i < stop : i > stop;) {
            if (r.size() >= kMaxSequence) ferr("untilStep: more than " + std::to_string(kMaxSequence) + " numbers");
            r.push_back(i);
            if (__builtin_add_overflow(i, step, &i)) break;
        }
        return r;
    });

    // Dictionaries
    def("dict", 0, -1, [](Exec&, Args& a) {
        json d = json::object();
        for (size_t i = 0; i < a.size(); i += 2) d[strval(a[i])] = i + 1 < a.size() ? a[i + 1] : json("");
        return d;
    });
    def("get", 2, 2, [](Exec&, Args& a) {
        const json& d = m_arg(a[0]);
        auto it = d.find(s_arg(a[1]));
        return it == d.end() ? json("") : *it;
    });
    def("set", 3, 3, [](Exec&, Args& a) {
        json d = m_arg(a[0]);
        d[s_arg(a[1])] = a[2];
        return d;
    });
    def("unset", 2, 2, [](Exec&, Args& a) {
        json d = m_arg(a[0]);
        d.erase(s_arg(a[1]));
        return d;
    });
    def("hasKey", 2, 2, [](Exec&, Args& a) { return json(m_arg(a[0]).contains(s_arg(a[1]))); });
    def("keys", 1, -1, [](Exec&, Args& a) {
        json r = json::array();
        for (const auto& d : a)
            for (auto it = m_arg(d).begin(); it != d.end(); ++it) r.push_back(it.key());
        return r;
    });
    def("values", 1, 1, [](Exec&, Args& a) {
        json r = json::array();
        for (const auto& v : m_arg(a[0])) r.push_back(v);
        return r;
    });
    def("pluck", 1, -1, [](Exec&, Args& a) {
        json r = json::array();
        const std::string& k = s_arg(a[0]);
        for (size_t i = 1; i < a.size(); ++i) {
            auto it = m_arg(a[i]).find(k);
            if (it != a[i].end()) r.push_back(*it);
        }
        return r;
    });
    def("merge", 1, -1, [](Exec&, Args& a) {
        json d = m_arg(a[0]);
        for (size_t i = 1; i < a.size(); ++i) mergo(d, m_arg(a[i]), false);
        return d;
    });
    def("mergeOverwrite", 1, -1, [](Exec&, Args& a) {
        json d = m_arg(a[0]);
        for (size_t i = 1; i < a.size(); ++i) mergo(d, m_arg(a[i]), true);
        return d;
    });
    def("deepCopy", 1, 1, [](Exec&, Args& a) { return a[0]; });

    // Math (sprig converts with cast.ToInt64)
    def("add", 0, -1, [](Exec&, Args& a) {
        std::int64_t r = 0;
        for (const auto& v : a) r = go_add(r, to_int64(v));
        return num_result(r);
    });
    def("add1", 1, 1, [](Exec&, Args& a) { return num_result(go_add(to_int64(a[0]), 1)); });
    def("sub", 2, 2, [](Exec&, Args& a) { return num_result(go_sub(to_int64(a[0]), to_int64(a[1]))); });
    def("mul", 1, -1, [](Exec&, Args& a) {
        std::int64_t r = 1;
        for (const auto& v : a) r = go_mul(r, to_int64(v));
        return num_result(r);
    });
    def("div", 2, 2, [](Exec&, Args& a) {
        if (to_int64(a[1]) == 0) ferr("integer divide by zero");
        return num_result(go_div(to_int64(a[0]), to_int64(a[1])));
    });
    def("mod", 2, 2, [](Exec&, Args& a) {
        if (to_int64(a[1]) == 0) ferr("integer divide by zero");
        return num_result(go_mod(to_int64(a[0]), to_int64(a[1])));
    });
    def("max", 1, -1, [](Exec&, Args& a) {
        std::int64_t r = to_int64(a[0]);
        for (const auto& v : a) r = std::max(r, to_int64(v));
        return num_result(r);
    });
    def("min", 1, -1, [](Exec&, Args& a) {
        std::int64_t r = to_int64(a[0]);
        for (const auto& v : a) r = std::min(r, to_int64(v));
        return num_result(r);
    });
    def("int", 1, 1, [](Exec&, Args& a) { return num_result(to_int64(a[0])); });
    def("int64", 1, 1, [](Exec&, Args& a) { return num_result(to_int64(a[0])); });
    def("float64", 1, 1, [](Exec&, Args& a) { return json(to_float64(a[0])); });
    def("atoi", 1, 1, [](Exec&, Args& a) {
        const std::string& s = s_arg(a[0]);
        std::int64_t v = 0;
        const char* b = s.data() + (s.size() > 1 && s[0] == '+' ? 1 : 0);
        auto res = std::from_chars(b, s.data() + s.size(), v);
        if (res.ec != std::errc() || res.ptr != s.data() + s.size()) v = 0;
        return num_result(v);
    });

    // Types
    def("kindOf", 1, 1, [](Exec&, Args& a) {
        const json& v = a[0];
        if (is_time(v)) return json("struct");
        if (v.is_string()) return json("string");
        if (v.is_boolean()) return json("bool");
        if (v.is_number_float()) return json("float64");
        if (v.is_number()) return json("int");
        if (v.is_array()) return json("slice");
        if (v.is_object()) return json("map");
        return json("invalid");
    });
    def("typeOf", 1, 1, [](Exec&, Args& a) { return json(type_name(a[0])); });
    def("kindIs", 2, 2, [](Exec& ex, Args& a) {
        Args one{a[1]};
        return json(functions().at("kindOf").fn(ex, one) == a[0]);
    });
    add_sprig_functions(f);
    return f;
}

}  // namespace

const std::map<std::string, FuncDef>& functions() {
    static const std::map<std::string, FuncDef> table = build();
    return table;
}

}  // namespace luet::tmpl::detail
