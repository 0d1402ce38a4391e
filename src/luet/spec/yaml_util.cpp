#include "luet/spec/yaml_util.hpp"

#include <algorithm>

#include "luet/core/error.hpp"
#include "luet/core/text.hpp"

namespace luet::spec {
namespace {

Error schema_error(const std::string& origin, const std::string& key, const std::string& what) {
    return Error(origin + ": '" + key + "' " + what);
}

// Nested annotation values are stored as flow YAML prefixed with this marker so that
// emit_map can tell them from plain strings.
constexpr std::string_view kYamlMarker = "\x01yaml:";

}  // namespace

void check_yaml_bounds(const YAML::Node& root, std::size_t text_size, const std::string& origin) {
    // yaml-cpp keeps an alias as one more reference to the anchored node: a few hundred bytes
    // of nested aliases ("billion laughs") stand for billions of nodes, which every later
    // walk or copy expands. Counting the nodes a walk would visit, with a budget a plain
    // document of this size cannot reach, stops that before anything walks it.
    const std::size_t budget = kYamlNodesPerByte * text_size + kYamlMinNodes;
    std::vector<std::pair<YAML::Node, std::size_t>> stack{{root, 1}};
    std::size_t visited = 0;
    while (!stack.empty()) {
        auto [n, depth] = std::move(stack.back());
        stack.pop_back();
        if (++visited > budget)
            throw Error(origin + ": the YAML document expands to more than " + std::to_string(budget) +
                        " nodes (aliases of aliases?); refusing to read it");
        if (depth > kYamlMaxDepth)
            throw Error(origin + ": the YAML document nests deeper than " + std::to_string(kYamlMaxDepth) +
                        " levels; refusing to read it");
        if (n.IsSequence()) {
            for (const auto& child : n) stack.emplace_back(child, depth + 1);
        } else if (n.IsMap()) {
            for (const auto& kv : n) {
                stack.emplace_back(kv.first, depth + 1);
                stack.emplace_back(kv.second, depth + 1);
            }
        }
    }
}


YAML::Node load_yaml(const std::string& text, const std::string& origin) {
    // Go's YAML parser (both upstreams) refuses a document that is not UTF-8; yaml-cpp would
    // read the bytes and write them back as U+FFFD, another document.
    if (const std::size_t bad = core::invalid_utf8(text); bad != std::string::npos)
        throw Error(origin + ": invalid YAML: not UTF-8 (byte " + std::to_string(bad) + ")");
    try {
        YAML::Node n = YAML::Load(text);
        check_yaml_bounds(n, text.size(), origin);
        if (n.IsNull()) return YAML::Node(YAML::NodeType::Map);
        if (!n.IsMap()) throw Error(origin + ": expected a YAML mapping at the top level");
        return n;
    } catch (const YAML::Exception& e) {
        throw Error(origin + ":" + std::to_string(e.mark.line + 1) + ":" + std::to_string(e.mark.column + 1) +
                    ": invalid YAML: " + e.msg);
    }
}

// n[key], refused when n is a scalar or a list (yaml-cpp throws its BadSubscript there): a
// hostile document may put "filename: x" where a map of such keys belongs.
YAML::Node member(const YAML::Node& n, const std::string& key, const std::string& origin) {
    if (n && !n.IsNull() && !n.IsMap()) throw schema_error(origin, key, "is looked up in a value that is not a map");
    if (!n || n.IsNull()) return YAML::Node();
    return n[key];
}

std::string scalar(const YAML::Node& n, const std::string& key, const std::string& origin) {
    YAML::Node v = member(n, key, origin);
    if (!v || v.IsNull()) return "";
    if (!v.IsScalar()) throw schema_error(origin, key, "must be a single value");
    return v.Scalar();
}

bool boolean(const YAML::Node& n, const std::string& key, const std::string& origin) {
    std::string s = scalar(n, key, origin);
    if (s.empty() || s == "false" || s == "False" || s == "no") return false;
    if (s == "true" || s == "True" || s == "yes") return true;
    throw schema_error(origin, key, "must be true or false, not '" + s + "'");
}

std::vector<std::string> strings(const YAML::Node& n, const std::string& key, const std::string& origin) {
    std::vector<std::string> out;
    YAML::Node v = member(n, key, origin);
    if (!v || v.IsNull()) return out;
    if (!v.IsSequence()) throw schema_error(origin, key, "must be a list");
    for (const auto& item : v) {
        if (!item.IsScalar()) throw schema_error(origin, key, "must be a list of strings");
        out.push_back(item.Scalar());
    }
    return out;
}

std::vector<core::PackageRef> package_refs(const YAML::Node& n, const std::string& key,
                                           const std::string& origin) {
    std::vector<core::PackageRef> out;
    YAML::Node v = member(n, key, origin);
    if (!v || v.IsNull()) return out;
    if (!v.IsSequence()) throw schema_error(origin, key, "must be a list of packages");
    for (const auto& item : v) {
        if (!item.IsMap()) throw schema_error(origin, key, "entries must be maps with name, category, version");
        core::PackageRef ref;
        ref.name = scalar(item, "name", origin);
        ref.category = scalar(item, "category", origin);
        if (ref.name.empty()) throw schema_error(origin, key, "has an entry without a name");
        try {
            ref.selector = core::Selector::parse(scalar(item, "version", origin));
        } catch (const Error& e) {
            throw Error(origin + ": '" + key + "' entry " + ref.atom() + ": " + e.what());
        }
        out.push_back(std::move(ref));
    }
    return out;
}

namespace {
void emit_node(YAML::Emitter& out, const YAML::Node& n);  // below
}  // namespace

std::map<std::string, std::string> string_map(const YAML::Node& n, const std::string& key,
                                              const std::string& origin) {
    std::map<std::string, std::string> out;
    YAML::Node v = member(n, key, origin);
    if (!v || v.IsNull()) return out;
    if (!v.IsMap()) throw schema_error(origin, key, "must be a map");
    for (const auto& kv : v) {
        if (kv.second.IsScalar()) {
            // A nested value is kept as kYamlMarker + its YAML text: a written value that
            // starts the same way would be read back as YAML (a fuzz finding: "\x01yaml:`x"
            // threw from the YAML parser when the definition was written out).
            if (kv.second.Scalar().starts_with(kYamlMarker))
                throw schema_error(origin, key, "entry '" + kv.first.Scalar() +
                                                    "' has a value starting with the control character U+0001");
            out[kv.first.Scalar()] = kv.second.Scalar();
        } else {
            YAML::Emitter e;
            e << YAML::Flow;
            emit_node(e, kv.second);
            out[kv.first.Scalar()] = std::string(kYamlMarker) + e.c_str();
        }
    }
    return out;
}

// yaml-cpp writes a string holding a carriage return or another control character as a
// plain scalar, which reads back as something else ("\r" as null): such strings are
// written double-quoted, with escapes.
void emit_text(YAML::Emitter& out, const std::string& t) {
    if (core::has_control(t))
        out << YAML::DoubleQuoted << t;
    else
        out << t;
}

void emit_refs(YAML::Emitter& out, const std::string& key, const std::vector<core::PackageRef>& refs) {
    if (refs.empty()) return;
    out << YAML::Key << key << YAML::Value << YAML::BeginSeq;
    for (const auto& r : refs) {
        out << YAML::BeginMap;
        out << YAML::Key << "name" << YAML::Value;
        emit_text(out, r.name);
        out << YAML::Key << "category" << YAML::Value;
        emit_text(out, r.category);
        if (r.selector.op != core::SelectorOp::Any)
            out << YAML::Key << "version" << YAML::Value << YAML::DoubleQuoted << r.selector.str();
        out << YAML::EndMap;
    }
    out << YAML::EndSeq;
}

YAML::Node map_value(const std::string& value) {
    if (value.starts_with(kYamlMarker)) return YAML::Load(value.substr(kYamlMarker.size()));
    return YAML::Node(value);
}

namespace {

// A nested value (a map value that was YAML) written node by node, its strings through
// emit_text so that control characters survive (yaml-cpp would write "/etc\r" plain).
void emit_node(YAML::Emitter& out, const YAML::Node& n) {
    if (n.IsMap()) {
        out << YAML::BeginMap;
        for (const auto& kv : n) {
            out << YAML::Key;
            emit_node(out, kv.first);
            out << YAML::Value;
            emit_node(out, kv.second);
        }
        out << YAML::EndMap;
    } else if (n.IsSequence()) {
        out << YAML::BeginSeq;
        for (const auto& item : n) emit_node(out, item);
        out << YAML::EndSeq;
    } else if (n.IsScalar()) {
        emit_text(out, n.Scalar());
    } else {
        out << n;  // null
    }
}

}  // namespace

void emit_map(YAML::Emitter& out, const std::string& key, const std::map<std::string, std::string>& m) {
    if (m.empty()) return;
    out << YAML::Key << key << YAML::Value << YAML::BeginMap;
    auto text = [&](const std::string& t) { emit_text(out, t); };
    for (const auto& [k, v] : m) {
        out << YAML::Key;
        text(k);
        out << YAML::Value;
        if (v.starts_with(kYamlMarker))
            emit_node(out, YAML::Load(v.substr(kYamlMarker.size())));
        else
            text(v);
    }
    out << YAML::EndMap;
}

}  // namespace luet::spec
