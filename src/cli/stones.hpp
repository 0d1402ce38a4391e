// geaaru/luet's stones output (StonesPack) shared by `search` and `query belongs`.
#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

#include "luet/install/search.hpp"

namespace luet::cli {

// What a stone shows beyond name, category, version, license, repository, hidden,
// annotations and labels: `files` (each joined to `rootfs_prefix` when not empty) and, with
// `full`, provides/requires/conflicts.
struct StoneView {
    bool files = false, full = false;
    std::string rootfs_prefix;  // joined before each file ("" to leave them as recorded)
};

// `doc` as go-yaml v3's Marshal writes it (geaaru/luet's YAML output): a sequence item's first
// key on its "- " line, strings quoted only where a YAML reader would type them otherwise
// (also `tree render` and `search --artifacts`).
std::string go_yaml(const nlohmann::ordered_json& doc);

// Prints {"stones": [...]} on stdout as Go's json.Marshal would (one line).
void print_stones_json(const std::vector<install::SearchResult>& results, const StoneView& v);
// Prints {"stones": [...]} on stdout as go-yaml v3's Marshal would, then an empty line
// (geaaru prints the document with Println).
void print_stones_yaml(const std::vector<install::SearchResult>& results, const StoneView& v);

}  // namespace luet::cli
