// User and group names of a system, read from its /etc/passwd and /etc/group directly.
//
// Not through the C library's getpwuid/getgrnam (NSS): a static luet must never load NSS
// modules, because glibc would dlopen the host's libnss_*.so (e.g. libnss_systemd, listed in
// /etc/nsswitch.conf), built for another C library, and crash. Go's os/user does the same
// without cgo, as upstream luet's static builds do.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace luet::core {

class UserDb {
public:
    // Reads ETC/passwd ("name:password:uid:gid:...") and ETC/group ("name:password:gid:...").
    // A missing or unreadable file, and malformed lines, are skipped: the lookups then find
    // nothing. The first line for a name or an id wins, as with nss_files.
    explicit UserDb(const std::filesystem::path& etc = "/etc");

    // The name, or nullptr; valid as long as this UserDb.
    const std::string* user_name(std::uint32_t uid) const;
    const std::string* group_name(std::uint32_t gid) const;
    std::optional<std::uint32_t> user_id(std::string_view name) const;
    std::optional<std::uint32_t> group_id(std::string_view name) const;

private:
    struct Table {
        std::map<std::uint32_t, std::string> names;
        std::map<std::string, std::uint32_t, std::less<>> ids;
    };
    static Table load(const std::filesystem::path& file);
    Table users_;
    Table groups_;
};

}  // namespace luet::core
