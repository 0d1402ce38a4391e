// Small typed accessors over yaml-cpp nodes that turn schema mistakes into luet::Error
// messages naming the file (origin) and the key.
#pragma once

#include <yaml-cpp/yaml.h>

#include <map>
#include <string>
#include <vector>

#include "luet/core/package.hpp"

namespace luet::spec {

// Parses YAML text; a syntax error becomes luet::Error "<origin>:<line>:<col>: <reason>".
// The document is then checked with check_yaml_bounds.
YAML::Node load_yaml(const std::string& text, const std::string& origin);

// Bounds of a parsed document, aliases expanded as a walk sees them: at most
// kYamlNodesPerByte * text_size + kYamlMinNodes nodes and kYamlMaxDepth levels of nesting.
// A document without aliases stays far below both; an alias bomb does not. Throws
// luet::Error naming the origin and the bound.
inline constexpr std::size_t kYamlNodesPerByte = 4;
inline constexpr std::size_t kYamlMinNodes = 100000;
inline constexpr std::size_t kYamlMaxDepth = 256;
void check_yaml_bounds(const YAML::Node& root, std::size_t text_size, const std::string& origin);

// Optional scalar field ("" when absent or null).
std::string scalar(const YAML::Node& n, const std::string& key, const std::string& origin);
// Optional boolean field; accepts YAML booleans and the strings "true"/"false".
bool boolean(const YAML::Node& n, const std::string& key, const std::string& origin);
// Optional list of scalars.
std::vector<std::string> strings(const YAML::Node& n, const std::string& key, const std::string& origin);
// Optional list of package forms {name, category, version} where version may be a selector.
std::vector<core::PackageRef> package_refs(const YAML::Node& n, const std::string& key,
                                           const std::string& origin);
// Optional map; scalar values keep their text, nested values become YAML flow text.
std::map<std::string, std::string> string_map(const YAML::Node& n, const std::string& key,
                                              const std::string& origin);

struct Definition;
// A definition.yaml already parsed (see parse_definition in spec.hpp).
Definition definition_from_node(const YAML::Node& n, const std::string& origin);
// A value of a string_map as YAML again: nested values parsed back, scalars as scalars.
YAML::Node map_value(const std::string& value);

// A string value: double-quoted when it holds control characters (a plain or single-quoted
// scalar would read back without its "\r", tab or newline), as yaml-cpp decides otherwise.
void emit_text(YAML::Emitter& out, const std::string& text);
void emit_refs(YAML::Emitter& out, const std::string& key, const std::vector<core::PackageRef>& refs);
// Emits a map written by string_map; values that were nested YAML are emitted as YAML again.
void emit_map(YAML::Emitter& out, const std::string& key, const std::map<std::string, std::string>& m);

}  // namespace luet::spec
