// YAML <-> json conversion with YAML 1.1 (go-yaml v2) scalar typing, and values merging.
#include <cmath>
#include <cstdlib>
#include <regex>

#include <yaml-cpp/yaml.h>

#include "luet/core/error.hpp"
#include "luet/template/internal.hpp"
#include "luet/template/template.hpp"

namespace luet::tmpl {

using detail::json;

namespace {

bool one_of(const std::string& s, std::initializer_list<const char*> list) {
    for (const char* x : list)
        if (s == x) return true;
    return false;
}

// Resolves a plain scalar the way go-yaml v2 does (except single-letter y/n, kept as
// strings); `typed` is false when it stays a string.
json resolve_plain(const std::string& s, bool& typed) {
    typed = true;
    if (one_of(s, {"", "~", "null", "Null", "NULL"})) return json();
    if (one_of(s, {"y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON"})) return true;
    if (one_of(s, {"n", "N", "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF"})) return false;
    if (one_of(s, {".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF"})) return HUGE_VAL;
    if (one_of(s, {"-.inf", "-.Inf", "-.INF"})) return -HUGE_VAL;
    if (one_of(s, {".nan", ".NaN", ".NAN"})) return NAN;
    char c = s[0];
    if ((c >= '0' && c <= '9') || c == '-' || c == '+' || c == '.') {
        std::string t;
        for (char ch : s)
            if (ch != '_') t += ch;
        static const std::regex int_re("^[-+]?(0[xX][0-9a-fA-F]+|0[oO]?[0-7]+|0[bB][01]+|[0-9]+)$");
        static const std::regex float_re("^[-+]?(\\.[0-9]+|[0-9]+(\\.[0-9]*)?)([eE][-+]?[0-9]+)?$");
        if (std::regex_match(t, int_re)) {
            bool neg = t[0] == '-';
            std::string b = (t[0] == '-' || t[0] == '+') ? t.substr(1) : t;
            int base = 10;
            if (b.size() > 1 && b[0] == '0') {
                char k = b[1];
                if (k == 'x' || k == 'X') { base = 16; b = b.substr(2); }
                else if (k == 'b' || k == 'B') { base = 2; b = b.substr(2); }
                else if (k == 'o' || k == 'O') { base = 8; b = b.substr(2); }
                else { base = 8; b = b.substr(1); }
            }
            errno = 0;
            unsigned long long v = std::strtoull(b.c_str(), nullptr, base);
            if (errno == 0 && v <= 9223372036854775807ULL) {
                auto iv = static_cast<std::int64_t>(v);
                return json(neg ? -iv : iv);
            }
            return json(std::strtod(t.c_str(), nullptr));
        }
        if (std::regex_match(t, float_re)) return json(std::strtod(t.c_str(), nullptr));
    }
    typed = false;
    return json(s);
}

json convert(const YAML::Node& n) {
    switch (n.Type()) {
        case YAML::NodeType::Null:
        case YAML::NodeType::Undefined: return json();
        case YAML::NodeType::Scalar: {
            if (n.Tag() == "!" || n.Tag() == "tag:yaml.org,2002:str" || n.Tag() == "!!str") return json(n.Scalar());
            bool typed = false;
            return resolve_plain(n.Scalar(), typed);
        }
        case YAML::NodeType::Sequence: {
            json arr = json::array();
            for (const auto& e : n) arr.push_back(convert(e));
            return arr;
        }
        case YAML::NodeType::Map: {
            json obj = json::object();
            for (const auto& kv : n) {
                std::string key = kv.first.IsScalar() ? kv.first.Scalar() : YAML::Dump(kv.first);
                if (key == "<<" && kv.second.IsMap()) {
                    json m = convert(kv.second);
                    for (auto it = m.begin(); it != m.end(); ++it)
                        if (!obj.contains(it.key())) obj[it.key()] = it.value();
                    continue;
                }
                obj[key] = convert(kv.second);
            }
            return obj;
        }
    }
    return json();
}

bool needs_quotes(const std::string& s) {
    if (s.empty()) return true;
    bool typed = false;
    resolve_plain(s, typed);
    if (typed) return true;
    static const std::string lead = "-?:,[]{}#&*!|>'\"%@`";
    if (lead.find(s[0]) != std::string::npos) {
        // "-foo" is plain in YAML when not followed by a space, but keep it simple and safe
        if (!((s[0] == '-' || s[0] == '?' || s[0] == ':') && s.size() > 1 && s[1] != ' ')) return true;
    }
    if (s.front() == ' ' || s.back() == ' ' || s.front() == '\t' || s.back() == '\t') return true;
    if (s.find(": ") != std::string::npos || s.find(" #") != std::string::npos || s.back() == ':') return true;
    for (unsigned char c : s)
        if (c < 0x20 || c == 0x7f) return true;
    return false;
}

std::string scalar_text(const json& v) {
    switch (v.type()) {
        case json::value_t::null: return "null";
        case json::value_t::boolean: return v.get<bool>() ? "true" : "false";
        case json::value_t::number_float: {
            double d = v.get<double>();
            if (std::isnan(d)) return ".nan";
            if (std::isinf(d)) return d > 0 ? "+.inf" : "-.inf";
            return detail::format_float(d);
        }
        case json::value_t::string: {
            const std::string& s = v.get_ref<const std::string&>();
            if (!needs_quotes(s)) return s;
            bool typed = false;
            resolve_plain(s, typed);
            bool ctrl = false;
            for (unsigned char c : s)
                if (c < 0x20 || c == 0x7f) ctrl = true;
            if (typed || ctrl || s.empty()) return detail::go_quote(s);
            std::string r = "'";
            for (char c : s) {
                r += c;
                if (c == '\'') r += '\'';
            }
            return r + "'";
        }
        default: return v.dump();
    }
}

void emit(const json& v, int indent, std::string& out);

bool multiline(const json& v) {
    if (!v.is_string()) return false;
    const std::string& s = v.get_ref<const std::string&>();
    if (s.find('\n') == std::string::npos) return false;
    for (unsigned char c : s)
        if ((c < 0x20 && c != '\n') || c == 0x7f) return false;
    return s.front() != ' ' && s.front() != '\n';
}

// Emits a literal block scalar for a multi-line string at the given indentation.
void emit_literal(const std::string& s, int indent, std::string& out) {
    std::string body = s;
    std::string chomp = "-";
    if (!body.empty() && body.back() == '\n') {
        body.pop_back();
        chomp = (!body.empty() && body.back() == '\n') ? "+" : "";
        if (chomp == "+") body = s.substr(0, s.size() - 1);
    }
    out += "|" + chomp + "\n";
    size_t start = 0;
    std::string pad(static_cast<size_t>(indent), ' ');
    for (;;) {
        size_t nl = body.find('\n', start);
        std::string line = body.substr(start, nl == std::string::npos ? std::string::npos : nl - start);
        out += line.empty() ? "\n" : pad + line + "\n";
        if (nl == std::string::npos) break;
        start = nl + 1;
    }
}

void emit_value_after_key(const json& v, int indent, std::string& out) {
    if (v.is_object() && !v.empty()) {
        out += "\n";
        emit(v, indent + 2, out);
    } else if (v.is_array() && !v.empty()) {
        out += "\n";
        emit(v, indent, out);
    } else if (multiline(v)) {
        out += " ";
        emit_literal(v.get<std::string>(), indent + 2, out);
    } else {
        out += " " + (v.is_object() ? std::string("{}") : v.is_array() ? std::string("[]") : scalar_text(v)) + "\n";
    }
}

void emit(const json& v, int indent, std::string& out) {
    std::string pad(static_cast<size_t>(indent), ' ');
    if (v.is_object() && !v.empty()) {
        for (auto it = v.begin(); it != v.end(); ++it) {
            out += pad + scalar_text(json(it.key())) + ":";
            emit_value_after_key(it.value(), indent, out);
        }
    } else if (v.is_array() && !v.empty()) {
        for (const auto& e : v) {
            out += pad + "-";
            if (e.is_object() && !e.empty()) {
                // first key on the dash line, the rest indented by 2
                std::string sub;
                emit(e, indent + 2, sub);
                out += " " + sub.substr(static_cast<size_t>(indent) + 2);
            } else if (e.is_array() && !e.empty()) {
                std::string sub;
                emit(e, indent + 2, sub);
                out += " " + sub.substr(static_cast<size_t>(indent) + 2);
            } else if (multiline(e)) {
                out += " ";
                emit_literal(e.get<std::string>(), indent + 2, out);
            } else {
                out += " " + (e.is_object() ? std::string("{}") : e.is_array() ? std::string("[]") : scalar_text(e)) + "\n";
            }
        }
    } else if (multiline(v)) {
        emit_literal(v.get<std::string>(), indent + 2, out);
    } else {
        out += pad + (v.is_object() ? std::string("{}") : v.is_array() ? std::string("[]") : scalar_text(v)) + "\n";
    }
}

}  // namespace

nlohmann::json yaml_to_json(const std::string& yaml_text, const std::string& origin) {
    try {
        YAML::Node n = YAML::Load(yaml_text);
        return convert(n);
    } catch (const YAML::Exception& e) {
        throw luet::Error(origin + ": invalid YAML: " + e.what());
    }
}

std::string json_to_yaml(const nlohmann::json& v) {
    std::string out;
    emit(v, 0, out);
    return out;
}

void merge_values(nlohmann::json& base, const nlohmann::json& over) {
    if (over.is_null()) return;
    if (base.is_object() && over.is_object()) {
        for (auto it = over.begin(); it != over.end(); ++it) {
            auto b = base.find(it.key());
            if (b != base.end() && b->is_object() && it.value().is_object()) merge_values(*b, it.value());
            else base[it.key()] = it.value();
        }
        return;
    }
    base = over;
}

}  // namespace luet::tmpl
