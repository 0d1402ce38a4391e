#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <unistd.h>

#include <array>
#include <memory>

#include "luet/artifact/archive_error.hpp"
#include "luet/artifact/artifact.hpp"
#include "luet/core/error.hpp"
#include "luet/core/users.hpp"

namespace fs = std::filesystem;

namespace luet::artifact {

Compression parse_compression(std::string_view name) {
    if (name == "gzip" || name.empty()) return Compression::Gzip;
    if (name == "zstd" || name == "zst") return Compression::Zstd;
    if (name == "none") return Compression::None;
    throw Error("unknown compression '" + std::string(name) + "' (expected gzip, zstd or none)");
}

std::string compression_name(Compression c) {
    switch (c) {
        case Compression::None: return "none";
        case Compression::Gzip: return "gzip";
        case Compression::Zstd: return "zstd";
    }
    return "none";
}

std::string tar_suffix(Compression c) {
    switch (c) {
        case Compression::None: return ".tar";
        case Compression::Gzip: return ".tar.gz";
        case Compression::Zstd: return ".tar.zst";
    }
    return ".tar";
}

std::string package_suffix(Compression c) { return ".package" + tar_suffix(c); }

namespace {

using ArchivePtr = std::unique_ptr<struct archive, int (*)(struct archive*)>;
using EntryPtr = std::unique_ptr<struct archive_entry, void (*)(struct archive_entry*)>;

void check(struct archive* a, int rc, const std::string& what) {
    if (rc < ARCHIVE_WARN) throw Error(what + ": " + (archive_error_string(a) ? archive_error_string(a) : "archive error"));
}

void write_data(struct archive* out, const fs::path& src, const fs::path& dest) {
    int fd = ::open(src.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) throw Error("cannot read " + src.string() + " while packing " + dest.string());
    std::array<char, 1 << 16> buf;
    ssize_t n;
    while ((n = ::read(fd, buf.data(), buf.size())) > 0) {
        if (archive_write_data(out, buf.data(), static_cast<size_t>(n)) < 0) {
            ::close(fd);
            throw Error("writing " + dest.string() + ": " + archive_error_text(out));
        }
    }
    ::close(fd);
    if (n < 0) throw Error("error reading " + src.string());
}

}  // namespace

void pack(const fs::path& root, const std::vector<std::string>& entries, const fs::path& dest, Compression c) {
    std::vector<PackEntry> all;
    all.reserve(entries.size());
    for (const auto& rel : entries) all.push_back({root / rel, rel});
    pack(all, dest, c);
}

void pack(const std::vector<PackEntry>& entries, const fs::path& dest, Compression c) {
    const fs::path tmp = dest.string() + ".part";
    ArchivePtr out(archive_write_new(), archive_write_free);
    // Owner names from /etc/passwd and /etc/group, without NSS (see core/users.hpp).
    core::UserDb users;
    ArchivePtr disk(archive_read_disk_new(), archive_read_free);
    archive_read_disk_set_uname_lookup(
        disk.get(), &users,
        [](void* db, la_int64_t uid) -> const char* {
            const auto* name = static_cast<const core::UserDb*>(db)->user_name(static_cast<std::uint32_t>(uid));
            return name ? name->c_str() : nullptr;
        },
        nullptr);
    archive_read_disk_set_gname_lookup(
        disk.get(), &users,
        [](void* db, la_int64_t gid) -> const char* {
            const auto* name = static_cast<const core::UserDb*>(db)->group_name(static_cast<std::uint32_t>(gid));
            return name ? name->c_str() : nullptr;
        },
        nullptr);
    archive_read_disk_set_behavior(disk.get(), ARCHIVE_READDISK_NO_TRAVERSE_MOUNTS);
    archive_write_set_format_pax_restricted(out.get());
    if (c == Compression::Gzip) archive_write_add_filter_gzip(out.get());
    if (c == Compression::Zstd) archive_write_add_filter_zstd(out.get());
    try {
        check(out.get(), archive_write_open_filename(out.get(), tmp.c_str()), "creating " + tmp.string());
        std::unique_ptr<struct archive_entry_linkresolver, void (*)(struct archive_entry_linkresolver*)> links(
            archive_entry_linkresolver_new(), archive_entry_linkresolver_free);
        archive_entry_linkresolver_set_strategy(links.get(), ARCHIVE_FORMAT_TAR_PAX_RESTRICTED);
        for (const auto& [src, rel] : entries) {
            EntryPtr entry(archive_entry_new(), archive_entry_free);
            archive_entry_copy_sourcepath(entry.get(), src.c_str());
            check(disk.get(), archive_read_disk_entry_from_file(disk.get(), entry.get(), -1, nullptr),
                  "reading " + src.string());
            archive_entry_copy_pathname(entry.get(), rel.c_str());
            struct archive_entry* sparse = nullptr;
            struct archive_entry* e = entry.release();
            archive_entry_linkify(links.get(), &e, &sparse);
            EntryPtr owned(e, archive_entry_free);
            if (!e) continue;  // deferred by the link resolver
            check(out.get(), archive_write_header(out.get(), e), "writing " + dest.string());
            if (archive_entry_size(e) > 0) write_data(out.get(), archive_entry_sourcepath(e), dest);
        }
        // Hard links whose last link was deferred.
        for (;;) {
            struct archive_entry* e = nullptr;
            struct archive_entry* sparse = nullptr;
            archive_entry_linkify(links.get(), &e, &sparse);
            if (!e) break;
            EntryPtr owned(e, archive_entry_free);
            check(out.get(), archive_write_header(out.get(), e), "writing " + dest.string());
            if (archive_entry_size(e) > 0) write_data(out.get(), archive_entry_sourcepath(e), dest);
        }
        check(out.get(), archive_write_close(out.get()), "closing " + tmp.string());
        fs::rename(tmp, dest);
    } catch (...) {
        std::error_code ec;
        fs::remove(tmp, ec);
        throw;
    }
}

}  // namespace luet::artifact
