#include "luet/core/users.hpp"

#include <charconv>
#include <fstream>

namespace luet::core {

UserDb::Table UserDb::load(const std::filesystem::path& file) {
    Table t;
    std::ifstream in(file);
    std::string line;
    while (std::getline(in, line)) {
        if (line.empty() || line.front() == '#') continue;
        // name:password:id:...
        const auto c1 = line.find(':');
        const auto c2 = c1 == std::string::npos ? c1 : line.find(':', c1 + 1);
        if (c1 == 0 || c2 == std::string::npos) continue;
        const auto c3 = line.find(':', c2 + 1);
        const std::string_view id_text(line.data() + c2 + 1, (c3 == std::string::npos ? line.size() : c3) - c2 - 1);
        std::uint32_t id = 0;
        const auto [end, ec] = std::from_chars(id_text.data(), id_text.data() + id_text.size(), id);
        if (ec != std::errc{} || end != id_text.data() + id_text.size() || id_text.empty()) continue;
        std::string name = line.substr(0, c1);
        t.names.emplace(id, name);
        t.ids.emplace(std::move(name), id);
    }
    return t;
}

UserDb::UserDb(const std::filesystem::path& etc) : users_(load(etc / "passwd")), groups_(load(etc / "group")) {}

const std::string* UserDb::user_name(std::uint32_t uid) const {
    const auto it = users_.names.find(uid);
    return it == users_.names.end() ? nullptr : &it->second;
}

const std::string* UserDb::group_name(std::uint32_t gid) const {
    const auto it = groups_.names.find(gid);
    return it == groups_.names.end() ? nullptr : &it->second;
}

std::optional<std::uint32_t> UserDb::user_id(std::string_view name) const {
    const auto it = users_.ids.find(name);
    return it == users_.ids.end() ? std::nullopt : std::optional(it->second);
}

std::optional<std::uint32_t> UserDb::group_id(std::string_view name) const {
    const auto it = groups_.ids.find(name);
    return it == groups_.ids.end() ? std::nullopt : std::optional(it->second);
}

}  // namespace luet::core
