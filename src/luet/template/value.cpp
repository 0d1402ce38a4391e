// Value helpers: Go truthiness, fmt-style printing, printf, JSON encoding, conversions.
#include <cstdint>
#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "luet/template/internal.hpp"

namespace luet::tmpl::detail {

bool is_int(const json& v) { return v.is_number_integer(); }

bool truth(const json& v) {
    if (is_time(v)) return true;  // a struct
    switch (v.type()) {
        case json::value_t::null: return false;
        case json::value_t::boolean: return v.get<bool>();
        case json::value_t::number_integer: return v.get<std::int64_t>() != 0;
        case json::value_t::number_unsigned: return v.get<std::uint64_t>() != 0;
        case json::value_t::number_float: return v.get<double>() != 0.0;
        case json::value_t::string: return !v.get_ref<const std::string&>().empty();
        case json::value_t::array:
        case json::value_t::object: return !v.empty();
        default: return false;
    }
}

std::string type_name(const json& v) {
    if (is_time(v)) return "time.Time";
    switch (v.type()) {
        case json::value_t::null: return "<nil>";
        case json::value_t::boolean: return "bool";
        case json::value_t::number_integer: return "int";
        case json::value_t::number_unsigned: return "uint64";
        case json::value_t::number_float: return "float64";
        case json::value_t::string: return "string";
        case json::value_t::array: return "[]interface {}";
        case json::value_t::object: return "map[string]interface {}";
        default: return "invalid";
    }
}

namespace {

// Shortest round-trip decimal digits of |d| (> 0) and exponent: |d| = 0.DIGITS * 10^dp.
void shortest_digits(double d, std::string& digits, int& dp) {
    char buf[64];
    auto res = std::to_chars(buf, buf + sizeof buf, std::fabs(d), std::chars_format::scientific);
    std::string s(buf, res.ptr);
    size_t e = s.find('e');
    std::string mant = s.substr(0, e);
    int exp = std::atoi(s.c_str() + e + 1);
    digits.clear();
    for (char c : mant)
        if (c != '.') digits += c;
    while (digits.size() > 1 && digits.back() == '0') digits.pop_back();
    dp = exp + 1;
}

std::string exp_form(const std::string& digits, int dp, bool json_style) {
    std::string r(1, digits[0]);
    if (digits.size() > 1) r += "." + digits.substr(1);
    int e = dp - 1;
    r += e < 0 ? "e-" : "e+";
    std::string es = std::to_string(std::abs(e));
    if (es.size() < 2 && !json_style) es = "0" + es;
    return r + es;
}

std::string fixed_form(const std::string& digits, int dp) {
    std::string r;
    if (dp <= 0) {
        r = "0." + std::string(static_cast<size_t>(-dp), '0') + digits;
    } else if (static_cast<size_t>(dp) >= digits.size()) {
        r = digits + std::string(static_cast<size_t>(dp) - digits.size(), '0');
    } else {
        r = digits.substr(0, static_cast<size_t>(dp)) + "." + digits.substr(static_cast<size_t>(dp));
    }
    return r;
}

}  // namespace

std::string format_float(double d) {
    if (std::isnan(d)) return "NaN";
    if (std::isinf(d)) return d > 0 ? "+Inf" : "-Inf";
    if (d == 0) return std::signbit(d) ? "-0" : "0";
    std::string digits;
    int dp = 0;
    shortest_digits(d, digits, dp);
    int exp = dp - 1;
    std::string r = (exp < -4 || exp >= 6) ? exp_form(digits, dp, false) : fixed_form(digits, dp);
    return (d < 0 ? "-" : "") + r;
}

std::string print_value(const json& v) {
    if (is_time(v)) return time_string(v);
    switch (v.type()) {
        case json::value_t::null: return "<nil>";
        case json::value_t::boolean: return v.get<bool>() ? "true" : "false";
        case json::value_t::number_integer: return std::to_string(v.get<std::int64_t>());
        case json::value_t::number_unsigned: return std::to_string(v.get<std::uint64_t>());
        case json::value_t::number_float: return format_float(v.get<double>());
        case json::value_t::string: return v.get<std::string>();
        case json::value_t::array: {
            std::string r = "[";
            bool first = true;
            for (const auto& e : v) {
                if (!first) r += ' ';
                first = false;
                r += print_value(e);
            }
            return r + "]";
        }
        case json::value_t::object: {
            std::string r = "map[";
            bool first = true;
            for (auto it = v.begin(); it != v.end(); ++it) {
                if (!first) r += ' ';
                first = false;
                r += it.key() + ":" + print_value(it.value());
            }
            return r + "]";
        }
        default: return "<invalid>";
    }
}

std::string strval(const json& v) { return print_value(v); }

std::string go_quote(const std::string& s) {
    std::string r = "\"";
    for (unsigned char c : s) {
        switch (c) {
            case '"': r += "\\\""; break;
            case '\\': r += "\\\\"; break;
            case '\n': r += "\\n"; break;
            case '\t': r += "\\t"; break;
            case '\r': r += "\\r"; break;
            case '\a': r += "\\a"; break;
            case '\b': r += "\\b"; break;
            case '\f': r += "\\f"; break;
            case '\v': r += "\\v"; break;
            default:
                if (c < 0x20 || c == 0x7f) {
                    char buf[8];
                    std::snprintf(buf, sizeof buf, "\\x%02x", c);
                    r += buf;
                } else {
                    r += static_cast<char>(c);
                }
        }
    }
    return r + "\"";
}

std::int64_t to_int64(const json& v) {
    switch (v.type()) {
        case json::value_t::boolean: return v.get<bool>() ? 1 : 0;
        case json::value_t::number_integer: return v.get<std::int64_t>();
        case json::value_t::number_unsigned: return static_cast<std::int64_t>(v.get<std::uint64_t>());
        case json::value_t::number_float: {
            // Go's int64(f) truncates; NaN and values out of int64's range give
            // math.MinInt64 on amd64 (CVTTSD2SQ's "integer indefinite"), not undefined behaviour.
            double d = v.get<double>();
            if (!(d >= -9223372036854775808.0 && d < 9223372036854775808.0)) return INT64_MIN;
            return static_cast<std::int64_t>(d);
        }
        case json::value_t::string: {
            std::string s = v.get<std::string>();
            // cast.ToInt64 trims a zero decimal part ("3.0" -> "3")
            size_t dot = s.find('.');
            if (dot != std::string::npos && s.find_first_not_of('0', dot + 1) == std::string::npos) s.erase(dot);
            bool neg = false;
            std::string b = s;
            if (!b.empty() && (b[0] == '-' || b[0] == '+')) {
                neg = b[0] == '-';
                b.erase(0, 1);
            }
            int base = 10;
            if (b.size() > 1 && b[0] == '0' && (b[1] == 'x' || b[1] == 'X')) { base = 16; b = b.substr(2); }
            else if (b.size() > 1 && b[0] == '0' && (b[1] == 'b' || b[1] == 'B')) { base = 2; b = b.substr(2); }
            else if (b.size() > 1 && b[0] == '0' && (b[1] == 'o' || b[1] == 'O')) { base = 8; b = b.substr(2); }
            else if (b.size() > 1 && b[0] == '0') { base = 8; b = b.substr(1); }
            if (b.empty()) return 0;
            std::int64_t out = 0;
            auto res = std::from_chars(b.data(), b.data() + b.size(), out, base);
            if (res.ec != std::errc() || res.ptr != b.data() + b.size()) return 0;
            return neg ? -out : out;
        }
        default: return 0;
    }
}

double to_float64(const json& v) {
    switch (v.type()) {
        case json::value_t::boolean: return v.get<bool>() ? 1 : 0;
        case json::value_t::number_integer: return static_cast<double>(v.get<std::int64_t>());
        case json::value_t::number_unsigned: return static_cast<double>(v.get<std::uint64_t>());
        case json::value_t::number_float: return v.get<double>();
        case json::value_t::string: {
            const std::string& s = v.get_ref<const std::string&>();
            char* end = nullptr;
            double d = std::strtod(s.c_str(), &end);
            if (s.empty() || *end != '\0') return 0;
            return d;
        }
        default: return 0;
    }
}

std::string to_json_text(const json& v) {
    if (is_time(v)) return "\"" + format_time(v, "2006-01-02T15:04:05.999999999Z07:00") + "\"";  // MarshalJSON
    switch (v.type()) {
        case json::value_t::number_float: {
            double d = v.get<double>();
            if (std::isnan(d) || std::isinf(d)) return "null";
            if (d == 0) return "0";
            std::string digits;
            int dp = 0;
            shortest_digits(d, digits, dp);
            double a = std::fabs(d);
            std::string r = (a < 1e-6 || a >= 1e21) ? exp_form(digits, dp, true) : fixed_form(digits, dp);
            return (d < 0 ? "-" : "") + r;
        }
        case json::value_t::string: {
            std::string r = "\"";
            for (unsigned char c : v.get_ref<const std::string&>()) {
                switch (c) {
                    case '"': r += "\\\""; break;
                    case '\\': r += "\\\\"; break;
                    case '\n': r += "\\n"; break;
                    case '\r': r += "\\r"; break;
                    case '\t': r += "\\t"; break;
                    default:
                        if (c < 0x20 || c == '<' || c == '>' || c == '&') {
                            char buf[8];
                            std::snprintf(buf, sizeof buf, "\\u%04x", c);
                            r += buf;
                        } else {
                            r += static_cast<char>(c);
                        }
                }
            }
            return r + "\"";
        }
        case json::value_t::array: {
            std::string r = "[";
            for (size_t i = 0; i < v.size(); ++i) {
                if (i) r += ',';
                r += to_json_text(v[i]);
            }
            return r + "]";
        }
        case json::value_t::object: {
            std::string r = "{";
            bool first = true;
            for (auto it = v.begin(); it != v.end(); ++it) {
                if (!first) r += ',';
                first = false;
                r += to_json_text(json(it.key())) + ":" + to_json_text(it.value());
            }
            return r + "}";
        }
        default: return v.dump();
    }
}

namespace {

std::string pad(std::string s, int width, bool left, bool zero) {
    if (width <= 0 || static_cast<int>(s.size()) >= width) return s;
    size_t n = static_cast<size_t>(width) - s.size();
    if (left) return s + std::string(n, ' ');
    if (zero) {
        size_t sign = (!s.empty() && (s[0] == '-' || s[0] == '+')) ? 1 : 0;
        return s.substr(0, sign) + std::string(n, '0') + s.substr(sign);
    }
    return std::string(n, ' ') + s;
}

std::string bad_verb(char verb, const json& a) {
    if (a.is_null()) return std::string("%!") + verb + "(<nil>)";
    return std::string("%!") + verb + "(" + type_name(a) + "=" + print_value(a) + ")";
}

std::string fixed(double d, int prec, char verb) {
    char fmtbuf[16];
    std::snprintf(fmtbuf, sizeof fmtbuf, "%%.%d%c", prec, verb);
    int n = std::snprintf(nullptr, 0, fmtbuf, d);
    std::string r(static_cast<size_t>(n) + 1, '\0');
    std::snprintf(r.data(), r.size(), fmtbuf, d);
    r.resize(static_cast<size_t>(n));
    return r;
}

}  // namespace

std::string go_sprintf(const std::string& f, const std::vector<json>& args) {
    std::string out;
    size_t ai = 0;
    for (size_t i = 0; i < f.size(); ++i) {
        char c = f[i];
        if (c != '%') {
            out += c;
            continue;
        }
        ++i;
        bool left = false, zero = false, plus = false, space = false, sharp = false;
        for (; i < f.size(); ++i) {
            if (f[i] == '-') left = true;
            else if (f[i] == '0') zero = true;
            else if (f[i] == '+') plus = true;
            else if (f[i] == ' ') space = true;
            else if (f[i] == '#') sharp = true;
            else break;
        }
        // Go's fmt takes a width or precision up to 1e6 and prints %!(BADWIDTH) or %!(BADPREC)
        // for a larger one (which would also overflow an int here).
        constexpr int kMaxWidth = 1000000;
        int width = -1, prec = -1;
        while (i < f.size() && f[i] >= '0' && f[i] <= '9')
            width = std::min((width < 0 ? 0 : width * 10) + (f[i++] - '0'), kMaxWidth + 1);
        if (i < f.size() && f[i] == '.') {
            ++i;
            prec = 0;
            while (i < f.size() && f[i] >= '0' && f[i] <= '9') prec = std::min(prec * 10 + (f[i++] - '0'), kMaxWidth + 1);
        }
        if (width > kMaxWidth) {
            out += "%!(BADWIDTH)";
            width = -1;
        }
        if (prec > kMaxWidth) {
            out += "%!(BADPREC)";
            prec = -1;
        }
        if (i >= f.size()) {
            out += "%!(NOVERB)";
            break;
        }
        char verb = f[i];
        if (verb == '%') {
            out += '%';
            continue;
        }
        if (ai >= args.size()) {
            out += std::string("%!") + verb + "(MISSING)";
            continue;
        }
        const json& a = args[ai++];
        std::string s;
        auto signed_num = [&](std::string num) {
            if (plus && !num.empty() && num[0] != '-') num = "+" + num;
            else if (space && !num.empty() && num[0] != '-') num = " " + num;
            return num;
        };
        switch (verb) {
            case 'v':
                if (a.is_number_float()) s = signed_num(format_float(a.get<double>()));
                else if (a.is_number_integer()) s = signed_num(print_value(a));
                else if (sharp && a.is_string()) s = go_quote(a.get<std::string>());
                else s = print_value(a);
                break;
            case 's':
                if (a.is_string() || a.is_array() || a.is_object()) s = print_value(a);
                else s = bad_verb(verb, a);
                if (prec >= 0 && a.is_string() && static_cast<int>(s.size()) > prec) s.resize(static_cast<size_t>(prec));
                break;
            case 'q':
                if (a.is_string()) s = go_quote(a.get<std::string>());
                else if (is_int(a)) s = "'" + std::string(1, static_cast<char>(to_int64(a))) + "'";
                else s = bad_verb(verb, a);
                break;
            case 'd':
                if (is_int(a) || a.is_number_unsigned()) s = signed_num(print_value(a));
                else s = bad_verb(verb, a);
                break;
            case 'x': case 'X': case 'o': case 'b': {
                if (is_int(a) || a.is_number_unsigned()) {
                    std::int64_t n = to_int64(a);
                    bool neg = n < 0;
                    auto u = static_cast<std::uint64_t>(neg ? -n : n);
                    int base = verb == 'o' ? 8 : verb == 'b' ? 2 : 16;
                    char buf[80];
                    auto res = std::to_chars(buf, buf + sizeof buf, u, base);
                    std::string num(buf, res.ptr);
                    if (verb == 'X')
                        for (auto& ch : num) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
                    if (sharp && base == 16) num = (verb == 'X' ? "0X" : "0x") + num;
                    s = signed_num((neg ? "-" : "") + num);
                } else if (a.is_string() && (verb == 'x' || verb == 'X')) {
                    const char* hex = verb == 'x' ? "0123456789abcdef" : "0123456789ABCDEF";
                    for (unsigned char ch : a.get<std::string>()) {
                        s += hex[ch >> 4];
                        s += hex[ch & 15];
                    }
                } else {
                    s = bad_verb(verb, a);
                }
                break;
            }
            case 'f': case 'F': case 'e': case 'E': case 'g': case 'G':
                if (a.is_number_float()) {
                    double d = a.get<double>();
                    if ((verb == 'g' || verb == 'G') && prec < 0) s = format_float(d);
                    else s = fixed(d, prec < 0 ? 6 : prec, verb == 'F' ? 'f' : verb);
                    s = signed_num(s);
                } else {
                    s = bad_verb(verb, a);
                }
                break;
            case 't':
                if (a.is_boolean()) s = print_value(a);
                else s = bad_verb(verb, a);
                break;
            case 'c':
                if (is_int(a)) s = std::string(1, static_cast<char>(to_int64(a)));
                else s = bad_verb(verb, a);
                break;
            case 'T': s = type_name(a); break;
            default: s = bad_verb(verb, a);
        }
        bool numeric = a.is_number() && verb != 's' && verb != 'q' && verb != 'T';
        out += pad(s, width, left, zero && numeric && !left);
    }
    if (ai < args.size()) {
        out += "%!(EXTRA ";
        for (size_t k = ai; k < args.size(); ++k) {
            if (k > ai) out += ", ";
            out += type_name(args[k]) + "=" + print_value(args[k]);
        }
        out += ")";
    }
    return out;
}

}  // namespace luet::tmpl::detail
