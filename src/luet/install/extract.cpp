#include "luet/install/extract.hpp"

#include <archive.h>
#include <archive_entry.h>
#include <unistd.h>

#include <algorithm>
#include <deque>
#include <memory>
#include <set>
#include <optional>

#include "luet/core/error.hpp"
#include "luet/core/file.hpp"
#include "luet/install/config_protect.hpp"
#include "luet/install/journal.hpp"

namespace fs = std::filesystem;

namespace luet::install {
namespace {

using ArchivePtr = std::unique_ptr<struct archive, int (*)(struct archive*)>;

ArchivePtr open_artifact(const fs::path& artifact) {
    ArchivePtr in(archive_read_new(), archive_read_free);
    archive_read_support_format_tar(in.get());
    archive_read_support_filter_all(in.get());
    if (archive_read_open_filename(in.get(), artifact.c_str(), 1 << 16) != ARCHIVE_OK)
        throw Error("cannot open artifact " + artifact.string() + ": " + archive_error_string(in.get()));
    return in;
}

// Why an entry name could leave the rootfs, or "" when it cannot.
std::string unsafe_reason(const std::string& name) {
    if (name.starts_with("/")) return "has an absolute path";
    for (const auto& part : fs::path(name))
        if (part == "..") return "contains '..'";
    return "";
}

// "./a//b/" -> "a/b"; "." and "./" -> "".
std::string normalize(std::string name) {
    while (name.starts_with("./")) name = name.substr(2);
    std::string norm = fs::path(name).lexically_normal().string();
    while (!norm.empty() && norm.back() == '/') norm.pop_back();
    return norm == "." ? "" : norm;
}

// The normalized entry name, or an error for names that could leave the rootfs.
std::string safe_name(const fs::path& artifact, const char* raw) {
    std::string name = raw ? raw : "";
    while (name.starts_with("./")) name = name.substr(2);
    if (std::string why = unsafe_reason(name); !why.empty())
        throw Error(artifact.string() + ": entry '" + name + "' " + why + "; refusing to install it");
    return normalize(name);
}

// Only files, folders, symlinks and hard links are installed: a device node or FIFO from an
// artifact would give access to hardware or block readers in the target system.
void refuse_special(const fs::path& artifact, struct archive_entry* e, const std::string& name) {
    if (archive_entry_hardlink(e)) return;
    const char* kind = nullptr;
    switch (archive_entry_filetype(e)) {
        case AE_IFREG:
        case AE_IFDIR:
        case AE_IFLNK: return;
        case AE_IFCHR: kind = "a character device node"; break;
        case AE_IFBLK: kind = "a block device node"; break;
        case AE_IFIFO: kind = "a FIFO"; break;
        case AE_IFSOCK: kind = "a socket"; break;
        default: kind = "of an unknown file type"; break;
    }
    throw Error(artifact.string() + ": entry '" + name + "' is " + kind + "; refusing to install it");
}

// Creates the missing folders down to `dir` (a host path inside the rootfs), recording each
// one in `created` so that a failed extraction can remove them again.
void make_folders(const fs::path& dir, std::vector<fs::path>& created) {
    std::vector<fs::path> missing;
    std::error_code ec;
    for (fs::path p = dir; !fs::exists(fs::symlink_status(p, ec)); p = p.parent_path()) missing.push_back(p);
    fs::create_directories(dir);
    created.insert(created.end(), missing.rbegin(), missing.rend());
}

}  // namespace

fs::path resolve_in_root(const fs::path& rootfs, const fs::path& rel, bool follow_last) {
    std::deque<std::string> todo;
    for (const auto& part : rel.relative_path()) todo.push_back(part.string());
    std::vector<std::string> done;  // components below rootfs, free of symlinks
    int hops = 0;
    auto current = [&] {
        fs::path p = rootfs;
        for (const auto& d : done) p /= d;
        return p;
    };
    while (!todo.empty()) {
        std::string part = todo.front();
        todo.pop_front();
        if (part.empty() || part == ".") continue;
        if (part == "..") {
            if (!done.empty()) done.pop_back();
            continue;
        }
        fs::path candidate = current() / part;
        std::error_code ec;
        const bool is_last = todo.empty();
        if ((!is_last || follow_last) && fs::is_symlink(fs::symlink_status(candidate, ec))) {
            if (++hops > 40) throw Error("too many levels of symbolic links resolving " + rel.string());
            fs::path target = fs::read_symlink(candidate, ec);
            if (target.is_absolute()) done.clear();
            std::deque<std::string> expanded;
            for (const auto& t : target.relative_path()) expanded.push_back(t.string());
            todo.insert(todo.begin(), expanded.begin(), expanded.end());
            continue;
        }
        done.push_back(part);
    }
    return current();
}

std::vector<Entry> list_entries(const fs::path& artifact) {
    ArchivePtr in = open_artifact(artifact);
    std::vector<Entry> names;
    // A hard link may only point to a file this artifact wrote before it: anything else would
    // give the package a second name for a file it does not own (e.g. etc/shadow).
    std::set<std::string> linkable;
    struct archive_entry* e;
    int rc;
    while ((rc = archive_read_next_header(in.get(), &e)) == ARCHIVE_OK) {
        std::string name = safe_name(artifact, archive_entry_pathname(e));
        refuse_special(artifact, e, name);
        if (const char* link = archive_entry_hardlink(e)) {
            const std::string target = link;
            if (!unsafe_reason(target).empty() || !linkable.count(normalize(target)))
                throw Error(artifact.string() + ": entry '" + name + "' is a hard link to '" + target +
                            "', which is not a file of this artifact written before it; refusing to install it");
        }
        if (name.empty()) continue;
        const bool directory = archive_entry_filetype(e) == AE_IFDIR && !archive_entry_hardlink(e);
        if (!directory) linkable.insert(name);
        const char* target = archive_entry_filetype(e) == AE_IFLNK ? archive_entry_symlink(e) : nullptr;
        names.push_back({name, directory, target ? target : ""});
    }
    if (rc != ARCHIVE_EOF) throw Error("cannot read artifact " + artifact.string() + ": " + archive_error_string(in.get()));
    return names;
}

std::vector<std::string> extract(const fs::path& artifact, const fs::path& rootfs, const ExtractFilter& filter) {
    // Validate the whole archive before the first write.
    list_entries(artifact);

    ArchivePtr in = open_artifact(artifact);
    ArchivePtr out(archive_write_disk_new(), archive_write_free);
    archive_write_disk_set_options(out.get(), ARCHIVE_EXTRACT_PERM | ARCHIVE_EXTRACT_OWNER | ARCHIVE_EXTRACT_TIME |
                                                  ARCHIVE_EXTRACT_XATTR | ARCHIVE_EXTRACT_FFLAGS |
                                                  ARCHIVE_EXTRACT_UNLINK | ARCHIVE_EXTRACT_SECURE_NODOTDOT);
    // No user/group name lookup: the numeric ids are those of the system the package was built
    // for, which the host's /etc/passwd does not describe.

    std::vector<std::string> written;
    std::vector<fs::path> created;  // host paths that did not exist before, for rollback
    try {
        struct archive_entry* e;
        int rc;
        while ((rc = archive_read_next_header(in.get(), &e)) == ARCHIVE_OK) {
            const std::string name = safe_name(artifact, archive_entry_pathname(e));
            if (name.empty()) continue;
            const bool is_dir = archive_entry_filetype(e) == AE_IFDIR;
            if (filter.skip && filter.skip(name, is_dir)) continue;
            fs::path parent = resolve_in_root(rootfs, fs::path(name).parent_path(), true);
            fs::path target = is_dir ? resolve_in_root(rootfs, name, true) : parent / fs::path(name).filename();
            if (target == rootfs) continue;  // a folder reached through a symlink to "/": the rootfs stays as it is
            make_folders(is_dir ? target.parent_path() : parent, created);
            std::error_code ec;
            // A protected file is read whole (configuration files are small) to compare it
            // with the one on disk before anything is written.
            std::optional<std::string> content;
            std::string aside;  // name written under when the file on disk is kept
            if (filter.protect && archive_entry_filetype(e) == AE_IFREG && !archive_entry_hardlink(e) &&
                fs::is_regular_file(fs::symlink_status(target, ec)) && filter.protect(name)) {
                content.emplace();
                char chunk[1 << 16];
                la_ssize_t n;
                while ((n = archive_read_data(in.get(), chunk, sizeof chunk)) > 0) content->append(chunk, n);
                if (n < 0)
                    throw Error(artifact.string() + ": cannot read '" + name + "': " + archive_error_string(in.get()));
                if (core::read_file(target) != *content) {
                    aside = protected_name(rootfs, name);
                    target = parent / fs::path(aside).filename();
                    // Before the write, so that a caller's journal knows the file first.
                    if (filter.on_protected) filter.on_protected(name, aside);
                }
            }
            if (!fs::exists(fs::symlink_status(target, ec))) created.push_back(target);
            archive_entry_copy_pathname(e, target.c_str());
            if (const char* link = archive_entry_hardlink(e)) {
                const std::string link_name = safe_name(artifact, link);
                archive_entry_copy_hardlink(e, resolve_in_root(rootfs, link_name, false).c_str());
            }
            if (archive_write_header(out.get(), e) < ARCHIVE_WARN)
                throw Error(artifact.string() + ": cannot write '" + name + "': " + archive_error_string(out.get()));
            if (content) {
                if (archive_write_data(out.get(), content->data(), content->size()) < 0)
                    throw Error(artifact.string() + ": cannot write '" + name + "': " + archive_error_string(out.get()));
                if (archive_write_finish_entry(out.get()) < ARCHIVE_WARN)
                    throw Error(artifact.string() + ": cannot finish '" + name + "': " + archive_error_string(out.get()));
                written.push_back(name);
                crash_point("entry");
                continue;
            }
            const void* buf;
            size_t size;
            la_int64_t offset;
            int drc;
            while ((drc = archive_read_data_block(in.get(), &buf, &size, &offset)) == ARCHIVE_OK) {
                if (archive_write_data_block(out.get(), buf, size, offset) < ARCHIVE_OK)
                    throw Error(artifact.string() + ": cannot write '" + name + "': " + archive_error_string(out.get()));
            }
            if (drc != ARCHIVE_EOF)
                throw Error(artifact.string() + ": cannot read '" + name + "': " + archive_error_string(in.get()));
            if (archive_write_finish_entry(out.get()) < ARCHIVE_WARN)
                throw Error(artifact.string() + ": cannot finish '" + name + "': " + archive_error_string(out.get()));
            written.push_back(name);
            crash_point("entry");
        }
        if (rc != ARCHIVE_EOF)
            throw Error("cannot read artifact " + artifact.string() + ": " + archive_error_string(in.get()));
        if (archive_write_close(out.get()) != ARCHIVE_OK)
            throw Error(artifact.string() + ": " + archive_error_string(out.get()));
    } catch (...) {
        // Children were created after their parents: remove in reverse order.
        for (auto it = created.rbegin(); it != created.rend(); ++it) {
            std::error_code ec;
            fs::remove(*it, ec);  // folders only go when empty
        }
        throw;
    }
    return written;
}

}  // namespace luet::install
