// Go text/template compatible template engine with the sprig/Helm functions used by
// luet package trees (build.yaml / definition.yaml templated with values files).
//
// Values are nlohmann::json documents: objects are std::map so keys iterate sorted, the
// same order Go uses when ranging over a map.
//
// Errors: every function throws luet::Error (see luet/core/error.hpp). Template errors
// read "NAME:LINE:COL: message", where NAME is the name given to render() (or the name of
// the shared source holding the {{define}}), LINE is 1-based and COL is the 1-based column
// of the "{{" opening the action at fault. Parse errors (unclosed action, unexpected
// {{end}}, function "foo" not defined, undefined variable "$x", ...) are raised before
// any output is produced; execution errors (wrong number of args, index out of range,
// required/fail messages, template "x" not defined, ...) abort the render.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace luet::tmpl {

// Renders `text` (named `name` in errors, e.g. a file path) with `.` = `values`.
// `shared` are extra template sources (name, text) whose {{define}} blocks are available
// to {{template}}, include and tpl (luet's templates/ folders). Their plain text is
// ignored. A definition in `text` wins over one of the same name in `shared`; among the
// shared sources the later one wins.
// Supported language: Go text/template actions, trim markers, comments, variables,
// pipelines, if/else if/with/range (incl. else, break, continue)/define/template/block.
// Printing follows Go's %v, and missing values follow Helm's engine (missingkey=zero, then
// every "<no value>" removed from the output): a missing value prints as nothing, and a
// field looked up in a missing/nil value is an error ("nil pointer evaluating ...").
// Functions: Go's builtins and Helm's set (sprig v3 minus expandenv, plus include, tpl,
// required, lookup, toToml, toYaml, fromYaml[Array], toJson, fromJson[Array]); sprig's
// certificate/key generators, bcrypt, htpasswd and derivePassword are not provided. `env`
// is kept (Helm removes it).
std::string render(const std::string& name, const std::string& text, const nlohmann::json& values,
                   const std::vector<std::pair<std::string, std::string>>& shared = {});

// Converts YAML text to json with YAML 1.1-ish typing of plain scalars (true/false/yes/no/
// on/off -> bool, integers -> int64, floats -> double, null/~/empty -> null; quoted
// scalars stay strings). Mapping keys become strings. Throws luet::Error naming `origin`
// on malformed YAML.
nlohmann::json yaml_to_json(const std::string& yaml_text, const std::string& origin);

// Converts json back to YAML block text (used by toYaml): 2-space indented mappings with
// sorted keys, sequences at the parent's indentation ("- x"), strings quoted when they
// would otherwise read back as another type. Always ends with a newline (like Go's
// yaml.Marshal); toYaml strips that final newline.
std::string json_to_yaml(const nlohmann::json& v);

// Deep merge: maps merge recursively, `over` wins for other values (for --values files
// merged in order). A null `over` leaves `base` unchanged.
void merge_values(nlohmann::json& base, const nlohmann::json& over);

}  // namespace luet::tmpl
