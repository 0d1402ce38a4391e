// geaaru/luet's stones (pkg/v2/repository/wagon_stones.go Stone, StonesPack) as `search` and
// `query belongs` print them with -o json|yaml: {"stones": [...]}, each stone's keys in
// Stone's field order (name, category, version, then license, repository, hidden, files,
// annotations, labels, provides, requires, conflicts when not empty), JSON as Go's
// encoding/json writes it, YAML in go-yaml v3's layout.
#include "cli/stones.hpp"

#include <yaml-cpp/yaml.h>

#include <iostream>

#include "luet/spec/yaml_util.hpp"
#include "luet/template/template.hpp"

namespace luet::cli {
namespace {

std::string file_path(const StoneView& v, const std::string& f) {
    if (v.rootfs_prefix.empty()) return f;
    return v.rootfs_prefix + (f.starts_with('/') ? "" : "/") + f;
}

std::string ref_version(const core::PackageRef& r) {
    const std::string v = r.selector.str();
    return v.empty() ? ">=0" : v;
}

// `yaml`: Stone's yaml tags lack omitempty on repository, so nested stones say `repository: ""`.
nlohmann::ordered_json stone_json(const install::SearchResult& r, const StoneView& v, bool yaml = false) {
    const auto& d = r.definition;
    nlohmann::ordered_json j{{"name", d.form.name}, {"category", d.form.category}, {"version", d.form.version}};
    if (!d.license.empty()) j["license"] = d.license;
    if (!r.repository.empty()) j["repository"] = r.repository;
    if (d.hidden) j["hidden"] = true;
    if (v.files && !r.files.empty()) {
        auto& files = j["files"] = nlohmann::ordered_json::array();
        for (const auto& f : r.files) files.push_back(file_path(v, f));
    }
    if (!d.annotations.empty()) {
        // Go's map[string]interface{}: nested annotations (subsets rules) as objects.
        auto& a = j["annotations"] = nlohmann::ordered_json::object();
        for (const auto& [k, text] : d.annotations) {
            const YAML::Node node = spec::map_value(text);
            if (node.IsScalar()) {
                a[k] = text;
                continue;
            }
            YAML::Emitter e;
            e << node;
            a[k] = nlohmann::ordered_json::parse(tmpl::yaml_to_json(e.c_str(), "annotation " + k + " of " + d.form.str()).dump());
        }
    }
    if (!d.labels.empty()) j["labels"] = d.labels;
    if (v.full) {
        auto refs = [&](const char* key, const std::vector<core::PackageRef>& list) {
            if (list.empty()) return;
            auto& arr = j[key] = nlohmann::ordered_json::array();
            for (const auto& p : list) {
                nlohmann::ordered_json n{{"name", p.name}, {"category", p.category}, {"version", ref_version(p)}};
                if (yaml) n["repository"] = "";
                arr.push_back(std::move(n));
            }
        };
        refs("provides", d.provides);
        refs("requires", d.requires_);
        refs("conflicts", d.conflicts);
    }
    return j;
}

// A scalar as go-yaml writes it: plain when a YAML reader reads it back as this string;
// double-quoted when it would read as a number, boolean or null (or holds a newline);
// single-quoted when it is a string that plain style cannot carry (indicators such as ">").
std::string yaml_scalar(const nlohmann::ordered_json& j) {
    if (j.is_boolean()) return j.get<bool>() ? "true" : "false";
    if (j.is_null()) return "null";
    if (j.is_number()) return j.dump();
    const std::string text = j.get<std::string>();
    bool other_type = text.empty() || text.find('\n') != std::string::npos, plain = false;
    if (!other_type) {
        try {
            const YAML::Node probe = YAML::Load(text);
            int i;
            double d;
            bool b;
            other_type = probe.IsNull() || (probe.IsScalar() && probe.Tag() != "!" &&
                                            (YAML::convert<int>::decode(probe, i) ||
                                             YAML::convert<double>::decode(probe, d) ||
                                             YAML::convert<bool>::decode(probe, b)));
            plain = !other_type && probe.IsScalar() && probe.Tag() != "!" && probe.as<std::string>() == text &&
                    text.find_first_of("#\"'") == std::string::npos;
        } catch (const YAML::Exception&) {
        }
    }
    if (plain) return text;
    if (!other_type) {
        std::string q = "'";
        for (char c : text) q += c == '\'' ? std::string("''") : std::string(1, c);
        return q + "'";
    }
    std::string q = "\"";
    for (char c : text) {
        if (c == '"' || c == '\\') q += '\\';
        if (c == '\n') q += "\\n";
        else q += c;
    }
    return q + "\"";
}

// YAML with go-yaml v3's layout (what geaaru/luet prints), 4-space indentation: a mapping's
// keys at column `key_col`, what is nested under a key at `base` (keys of a nested mapping,
// or the "- " of a nested sequence), and `base` + 4 below that. A mapping inside a sequence
// item starts on the "- " line (keys at dash + 2) and nests at dash + 4.
void emit_yaml(std::string& out, const nlohmann::ordered_json& j, size_t key_col, size_t base, bool first_inline) {
    auto pad = [&](size_t n) { return std::string(n, ' '); };
    if (j.is_object()) {
        bool first = true;
        for (const auto& [k, v] : j.items()) {
            out += (first && first_inline) ? "" : pad(key_col);
            first = false;
            out += k + ":";
            if ((v.is_array() || v.is_object()) && v.empty()) out += v.is_array() ? " []\n" : " {}\n";
            else if (v.is_object()) { out += "\n"; emit_yaml(out, v, base, base + 4, false); }
            else if (v.is_array()) { out += "\n"; emit_yaml(out, v, base, base + 4, false); }
            else out += " " + yaml_scalar(v) + "\n";
        }
    } else if (j.is_array()) {
        for (const auto& v : j) {
            out += pad(key_col) + "- ";
            if (v.is_object() && !v.empty()) emit_yaml(out, v, key_col + 2, key_col + 4, true);
            else if (v.is_array() && !v.empty()) { out += "\n"; emit_yaml(out, v, key_col + 4, key_col + 8, false); }
            else out += yaml_scalar(v) + "\n";
        }
    }
}

}  // namespace

std::string go_yaml(const nlohmann::ordered_json& doc) {
    std::string out;
    emit_yaml(out, doc, 0, 4, false);
    return out;
}

void print_stones_json(const std::vector<install::SearchResult>& results, const StoneView& v) {
    auto stones = nlohmann::ordered_json::array();
    for (const auto& r : results) stones.push_back(stone_json(r, v));
    // Go's encoding/json escapes <, > and & (they only occur inside strings here).
    std::string text;
    for (char c : nlohmann::ordered_json{{"stones", stones}}.dump())
        text += c == '<' ? "\\u003c" : c == '>' ? "\\u003e" : c == '&' ? "\\u0026" : std::string(1, c);
    std::cout << text << std::endl;
}

void print_stones_yaml(const std::vector<install::SearchResult>& results, const StoneView& v) {
    nlohmann::ordered_json pack{{"stones", nlohmann::ordered_json::array()}};
    for (const auto& r : results) pack["stones"].push_back(stone_json(r, v, true));
    std::string out;
    emit_yaml(out, pack, 0, 4, false);
    std::cout << out << std::endl;
}


}  // namespace luet::cli
