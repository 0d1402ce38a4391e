#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <unistd.h>

#include <array>
#include <string_view>
#include <tuple>
#include <memory>

#include "luet/artifact/archive_error.hpp"
#include "luet/artifact/artifact.hpp"
#include "luet/core/error.hpp"

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

// What varies between two builds of the same content is left out of the entry: times after
// the epoch become the epoch, sub-second times, atime, ctime and birth time are dropped, and
// so is the SELinux label of the build host's filesystem.
void make_reproducible(struct archive_entry* e, std::int64_t source_date_epoch) {
    std::int64_t mtime = archive_entry_mtime(e);
    if (mtime > source_date_epoch) mtime = source_date_epoch;
    archive_entry_set_mtime(e, static_cast<time_t>(mtime), 0);
    archive_entry_unset_atime(e);
    archive_entry_unset_ctime(e);
    archive_entry_unset_birthtime(e);
    std::vector<std::tuple<std::string, std::string>> kept;
    const char* name;
    const void* value;
    size_t size;
    bool dropped = false;
    archive_entry_xattr_reset(e);
    while (archive_entry_xattr_next(e, &name, &value, &size) == ARCHIVE_OK) {
        if (std::string_view(name) == "security.selinux") {
            dropped = true;
            continue;
        }
        kept.emplace_back(name, std::string(static_cast<const char*>(value), size));
    }
    if (!dropped) return;
    archive_entry_xattr_clear(e);
    for (const auto& [n, v] : kept) archive_entry_xattr_add_entry(e, n.c_str(), v.data(), v.size());
}

void add_filter(struct archive* out, Compression c) {
    // gzip: no time and no file name in the header ("!timestamp"; libarchive writes no name
    // unless asked); zstd frames carry neither.
    if (c == Compression::Gzip) {
        archive_write_add_filter_gzip(out);
        archive_write_set_filter_option(out, "gzip", "timestamp", nullptr);
    }
    if (c == Compression::Zstd) archive_write_add_filter_zstd(out);
}

}  // namespace

void pack(const fs::path& root, const std::vector<std::string>& entries, const fs::path& dest, Compression c,
          std::int64_t source_date_epoch) {
    std::vector<PackEntry> all;
    all.reserve(entries.size());
    for (const auto& rel : entries) all.push_back({root / rel, rel});
    pack(all, dest, c, source_date_epoch);
}

void pack(const std::vector<PackEntry>& entries, const fs::path& dest, Compression c, std::int64_t source_date_epoch) {
    const fs::path tmp = dest.string() + ".part";
    ArchivePtr out(archive_write_new(), archive_write_free);
    // No owner names (upstream writes numeric ids only), no file flags and no sparse maps
    // (both depend on the filesystem the content was staged on, not on the content).
    ArchivePtr disk(archive_read_disk_new(), archive_read_free);
    archive_read_disk_set_behavior(disk.get(), ARCHIVE_READDISK_NO_TRAVERSE_MOUNTS | ARCHIVE_READDISK_NO_FFLAGS |
                                                   ARCHIVE_READDISK_NO_SPARSE);
    archive_write_set_format_pax_restricted(out.get());
    add_filter(out.get(), c);
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
            make_reproducible(entry.get(), source_date_epoch);
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
