// Applying image layers onto a folder: the docker/OCI layer format, where a file named
// ".wh.NAME" deletes NAME from the layers below and ".wh..wh..opq" empties its folder.
#include <archive.h>
#include <archive_entry.h>

#include <memory>

#include "luet/artifact/archive_error.hpp"
#include "luet/build/backend.hpp"
#include "luet/core/error.hpp"
#include "luet/core/users.hpp"

namespace fs = std::filesystem;

namespace luet::build {

void apply_layer(const fs::path& layer_tar, const fs::path& dest) {
    using ArchivePtr = std::unique_ptr<struct archive, int (*)(struct archive*)>;
    ArchivePtr in(archive_read_new(), archive_read_free);
    archive_read_support_format_tar(in.get());
    archive_read_support_filter_all(in.get());
    if (archive_read_open_filename(in.get(), layer_tar.c_str(), 1 << 16) != ARCHIVE_OK)
        throw Error("cannot open layer " + layer_tar.string() + ": " + archive_error_text(in.get()));
    // Owner names mapped through /etc/passwd and /etc/group, without NSS (see core/users.hpp);
    // an unknown name keeps the entry's numeric id.
    core::UserDb users;
    ArchivePtr out(archive_write_disk_new(), archive_write_free);
    archive_write_disk_set_options(out.get(), ARCHIVE_EXTRACT_PERM | ARCHIVE_EXTRACT_OWNER | ARCHIVE_EXTRACT_TIME |
                                                  ARCHIVE_EXTRACT_XATTR | ARCHIVE_EXTRACT_UNLINK |
                                                  ARCHIVE_EXTRACT_SECURE_NODOTDOT | ARCHIVE_EXTRACT_SECURE_SYMLINKS);
    archive_write_disk_set_user_lookup(
        out.get(), &users,
        [](void* db, const char* name, la_int64_t uid) -> la_int64_t {
            const auto id = name ? static_cast<const core::UserDb*>(db)->user_id(name) : std::nullopt;
            return id ? static_cast<la_int64_t>(*id) : uid;
        },
        nullptr);
    archive_write_disk_set_group_lookup(
        out.get(), &users,
        [](void* db, const char* name, la_int64_t gid) -> la_int64_t {
            const auto id = name ? static_cast<const core::UserDb*>(db)->group_id(name) : std::nullopt;
            return id ? static_cast<la_int64_t>(*id) : gid;
        },
        nullptr);
    fs::create_directories(dest);

    struct archive_entry* e;
    int rc;
    while ((rc = archive_read_next_header(in.get(), &e)) == ARCHIVE_OK || rc == ARCHIVE_WARN) {
        fs::path rel = fs::path(archive_entry_pathname(e)).relative_path().lexically_normal();
        if (rel.empty() || rel == ".") continue;
        const std::string base = rel.filename().string();
        if (base == ".wh..wh..opq") {
            std::error_code ec;
            for (const auto& child : fs::directory_iterator(dest / rel.parent_path(), ec)) fs::remove_all(child.path());
            continue;
        }
        if (base.starts_with(".wh.")) {
            std::error_code ec;
            fs::remove_all(dest / rel.parent_path() / base.substr(4), ec);
            continue;
        }
        archive_entry_copy_pathname(e, (dest / rel).c_str());
        if (const char* link = archive_entry_hardlink(e))
            archive_entry_copy_hardlink(e, (dest / fs::path(link).relative_path()).c_str());
        if (archive_write_header(out.get(), e) < ARCHIVE_WARN)
            throw Error("cannot write " + rel.string() + " from layer " + layer_tar.string() + ": " +
                        archive_error_text(out.get()));
        const void* buf;
        size_t size;
        la_int64_t offset;
        while (archive_read_data_block(in.get(), &buf, &size, &offset) == ARCHIVE_OK)
            archive_write_data_block(out.get(), buf, size, offset);
        archive_write_finish_entry(out.get());
    }
    if (rc != ARCHIVE_EOF)
        throw Error("cannot read layer " + layer_tar.string() + ": " + archive_error_text(in.get()));
}

}  // namespace luet::build
