#include "luet/artifact/archive_error.hpp"
#include "luet/install/extract.hpp"

#include <archive.h>
#include <archive_entry.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <algorithm>
#include <deque>
#include <map>
#include <memory>
#include <set>
#include <optional>

#include "luet/core/error.hpp"
#include "luet/core/file.hpp"
#include "luet/core/text.hpp"
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
        throw Error("cannot open artifact " + artifact.string() + ": " + archive_error_text(in.get()));
    return in;
}

constexpr std::size_t kPathMax = 4096;  // PATH_MAX, the terminating NUL included
constexpr std::size_t kNameMax = 255;   // NAME_MAX

// Why an entry name could leave the rootfs, or "" when it cannot.
std::string unsafe_reason(const std::string& name) {
    // A newline or an escape sequence in a name would forge lines of luet's output and of
    // the file lists (dpkg refuses them too).
    if (core::has_control(name))
        return "has control characters in its name";
    if (name.starts_with("/")) return "has an absolute path";
    // The kernel's limits (PATH_MAX, NAME_MAX): no file system takes longer names, and they
    // bound the work spent on each entry. One pass over the name.
    if (name.size() >= kPathMax)
        return "has a name of " + std::to_string(name.size()) + " bytes (the limit is " + std::to_string(kPathMax - 1) + ")";
    for (std::size_t start = 0; start <= name.size();) {
        std::size_t end = name.find('/', start);
        if (end == std::string::npos) end = name.size();
        const std::size_t len = end - start;
        if (len > kNameMax)
            return "has a path component of " + std::to_string(len) + " bytes (the limit is " + std::to_string(kNameMax) + ")";
        if (len == 2 && name.compare(start, 2, "..") == 0) return "contains '..'";
        start = end + 1;
    }
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
    if (std::string why = unsafe_reason(name); !why.empty()) {
        // A name over the limits is shown by its start only.
        const std::string shown = name.size() > 200 ? core::quoted(name.substr(0, 200)) + "..." : core::quoted(name);
        throw Error(artifact.string() + ": entry " + shown + " " + why + "; refusing to install it");
    }
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
    throw Error(artifact.string() + ": entry " + core::quoted(name) + " is " + kind + "; refusing to install it");
}

// Creates the missing folders down to `dir` (a host path inside the rootfs), recording each
// one in `created` so that a failed extraction can remove them again.
void make_folders(const fs::path& dir, std::vector<fs::path>& created) {
    std::vector<fs::path> missing;
    std::error_code ec;
    for (fs::path p = dir; !fs::exists(fs::symlink_status(p, ec)); p = p.parent_path()) missing.push_back(p);
    // One folder at a time: libstdc++'s create_directories refuses deep paths (about 2 000
    // components) with "File name too long" although the kernel takes them.
    for (auto it = missing.rbegin(); it != missing.rend(); ++it) {
        fs::create_directory(*it);
        created.push_back(*it);
    }
}

// The filter's decision on one entry, the same for kept_entries() and extract(): skipped when
// the filter says so, or when it is a hard link (`hardlink` not empty) to a skipped name.
// `skipped` collects the names skipped so far.
bool skip_entry(const ExtractFilter& filter, std::set<std::string>& skipped, const std::string& name, bool directory,
                const std::string& hardlink) {
    const bool skip = (!hardlink.empty() && skipped.count(hardlink)) || (filter.skip && filter.skip(name, directory));
    if (skip) skipped.insert(name);
    return skip;
}

}  // namespace

fs::path resolve_in_root(const fs::path& rootfs, const fs::path& rel, bool follow_last) {
    std::deque<std::string> todo;
    for (const auto& part : rel.relative_path()) todo.push_back(part.string());
    // The components below rootfs, free of symlinks, kept as one string (`cur`) and the
    // length of `cur` before each component, so that each step costs the component's length
    // rather than the whole path's.
    std::string cur = rootfs.string();
    while (cur.size() > 1 && cur.back() == '/') cur.pop_back();
    const std::size_t root_len = cur.size();
    std::vector<std::size_t> done;
    int hops = 0;
    auto current = [&] { return done.empty() ? rootfs : fs::path(cur); };
    while (!todo.empty()) {
        std::string part = todo.front();
        todo.pop_front();
        if (part.empty() || part == ".") continue;
        if (part == "..") {
            if (!done.empty()) {
                cur.resize(done.back());
                done.pop_back();
            }
            continue;
        }
        const std::size_t before = cur.size();
        if (cur.empty() || cur.back() != '/') cur += '/';
        cur += part;
        const fs::path candidate(cur);
        std::error_code ec;
        const bool is_last = todo.empty();
        if ((!is_last || follow_last) && fs::is_symlink(fs::symlink_status(candidate, ec))) {
            if (++hops > 40) throw Error("too many levels of symbolic links resolving " + rel.string());
            fs::path target = fs::read_symlink(candidate, ec);
            cur.resize(before);
            if (target.is_absolute()) {
                done.clear();
                cur.resize(root_len);
            }
            std::deque<std::string> expanded;
            for (const auto& t : target.relative_path()) expanded.push_back(t.string());
            todo.insert(todo.begin(), expanded.begin(), expanded.end());
            continue;
        }
        done.push_back(before);
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
        std::string hardlink;
        if (const char* link = archive_entry_hardlink(e)) {
            const std::string target = link;
            if (!unsafe_reason(target).empty() || !linkable.count(normalize(target)))
                throw Error(artifact.string() + ": entry " + core::quoted(name) + " is a hard link to " + core::quoted(target) +
                            ", which is not a file of this artifact written before it; refusing to install it");
            if (normalize(target) == name)
                throw Error(artifact.string() + ": entry " + core::quoted(name) + " is a hard link to itself; refusing to install it");
            if (archive_entry_size(e) > 0)
                throw Error(artifact.string() + ": entry " + core::quoted(name) + " is a hard link to " + core::quoted(target) +
                            " that carries data (" + std::to_string(archive_entry_size(e)) +
                            " bytes), which would be written into the linked file; refusing to install it");
            hardlink = normalize(target);
        }
        if (name.empty()) continue;
        const bool directory = archive_entry_filetype(e) == AE_IFDIR && !archive_entry_hardlink(e);
        if (!directory) linkable.insert(name);
        const char* target = archive_entry_filetype(e) == AE_IFLNK ? archive_entry_symlink(e) : nullptr;
        const bool regular = archive_entry_filetype(e) == AE_IFREG && !archive_entry_hardlink(e);
        const auto size = regular && archive_entry_size(e) > 0 ? static_cast<std::uint64_t>(archive_entry_size(e)) : 0;
        names.push_back({name, directory, target ? target : "", hardlink, size});
    }
    if (rc != ARCHIVE_EOF) throw Error("cannot read artifact " + artifact.string() + ": " + archive_error_text(in.get()));
    return names;
}

std::vector<Entry> kept_entries(const fs::path& artifact, const ExtractFilter& filter) {
    std::vector<Entry> kept;
    std::set<std::string> skipped;
    for (auto& e : list_entries(artifact))
        if (!skip_entry(filter, skipped, e.name, e.directory, e.hardlink)) kept.push_back(std::move(e));
    return kept;
}

std::vector<std::string> extract(const fs::path& artifact, const fs::path& rootfs, const ExtractFilter& filter) {
    // Validate the whole archive before the first write, its unpacked size included (a few
    // KiB of compressed zeros can stand for GiBs).
    std::uint64_t total = 0;
    {
        std::set<std::string> skipped_names;
        const std::size_t prefix = rootfs.string().size() + 1;
        for (const auto& entry : list_entries(artifact)) {
            // The kernel's limit holds for the path on the host, the rootfs included.
            if (prefix + entry.name.size() >= kPathMax)
                throw Error(artifact.string() + ": entry " + core::quoted(entry.name.substr(0, 200)) + "... would be written at a path of " +
                            std::to_string(prefix + entry.name.size()) + " bytes under " + rootfs.string() +
                            " (the limit is " + std::to_string(kPathMax - 1) + "); refusing to install it");
            if (!skip_entry(filter, skipped_names, entry.name, entry.directory, entry.hardlink)) total += entry.size;
        }
    }
    if (filter.max_bytes > 0 && total > filter.max_bytes)
        throw Error(artifact.string() + ": unpacks to " + std::to_string(total) + " bytes, more than the " +
                    std::to_string(filter.max_bytes) + " allowed (general.max_unpacked_bytes); refusing to install it");
    if (struct statvfs vfs {}; ::statvfs(rootfs.c_str(), &vfs) == 0) {
        const auto free_bytes = static_cast<std::uint64_t>(vfs.f_bavail) * vfs.f_frsize;
        if (total > free_bytes)
            throw Error(artifact.string() + ": unpacks to " + std::to_string(total) + " bytes, more than the " +
                        std::to_string(free_bytes) + " bytes free on the file system of " + rootfs.string() +
                        "; refusing to install it");
    }

    ArchivePtr in = open_artifact(artifact);
    ArchivePtr out(archive_write_disk_new(), archive_write_free);
    archive_write_disk_set_options(out.get(), ARCHIVE_EXTRACT_PERM | ARCHIVE_EXTRACT_OWNER | ARCHIVE_EXTRACT_TIME |
                                                  ARCHIVE_EXTRACT_XATTR | ARCHIVE_EXTRACT_FFLAGS |
                                                  ARCHIVE_EXTRACT_UNLINK | ARCHIVE_EXTRACT_SECURE_NODOTDOT);
    // No user/group name lookup: the numeric ids are those of the system the package was built
    // for, which the host's /etc/passwd does not describe.

    std::vector<std::string> written;
    std::set<std::string> recorded;  // the names in `written`
    std::vector<fs::path> created;   // host paths that did not exist before, for rollback
    std::set<std::string> skipped;   // names the filter left out
    std::map<std::string, std::string> aside_of;  // name -> the name config protect wrote it under
    // Host path -> inode of the regular files this extraction wrote there: the only files a
    // hard link entry may name.
    std::map<fs::path, std::pair<dev_t, ino_t>> ours;
    auto refuse = [&](const std::string& name, const std::string& why) {
        return Error(artifact.string() + ": entry " + core::quoted(name) + " " + why + "; refusing to install it");
    };
    try {
        struct archive_entry* e;
        int rc;
        while ((rc = archive_read_next_header(in.get(), &e)) == ARCHIVE_OK) {
            const std::string name = safe_name(artifact, archive_entry_pathname(e));
            if (name.empty()) continue;
            const char* link = archive_entry_hardlink(e);
            const std::string link_name = link ? safe_name(artifact, link) : "";
            const bool is_dir = archive_entry_filetype(e) == AE_IFDIR && !link;
            if (skip_entry(filter, skipped, name, is_dir, link_name)) continue;
            fs::path parent = resolve_in_root(rootfs, fs::path(name).parent_path(), true);
            fs::path target = is_dir ? resolve_in_root(rootfs, name, true) : parent / fs::path(name).filename();
            if (target == rootfs) continue;  // a folder reached through a symlink to "/": the rootfs stays as it is
            const std::string real = target.lexically_relative(rootfs).string();
            if (filter.check) filter.check(name, real, is_dir);
            fs::path link_host;  // the file a hard link entry names, on disk
            if (link) {
                if (auto it = aside_of.find(link_name); it != aside_of.end())
                    throw refuse(name, "is a hard link to " + core::quoted(link_name) + ", which config protect wrote aside as " +
                                           core::quoted(it->second));
                link_host = resolve_in_root(rootfs, link_name, false);
                struct stat st {};
                auto it = ours.find(link_host);
                if (it == ours.end() || ::lstat(link_host.c_str(), &st) != 0 || !S_ISREG(st.st_mode) ||
                    it->second != std::pair{st.st_dev, st.st_ino})
                    throw refuse(name, "is a hard link to " + core::quoted(link_name) + ", which is not a file this artifact wrote at /" +
                                           link_host.lexically_relative(rootfs).string());
            }
            make_folders(is_dir ? target.parent_path() : parent, created);
            std::error_code ec;
            // A protected file is read whole (configuration files are small) to compare it
            // with the one on disk before anything is written.
            std::optional<std::string> content;
            std::string aside;  // name written under when the file on disk is kept
            // A hard link names a regular file (libarchive reports no file type for it).
            const bool regular = link || archive_entry_filetype(e) == AE_IFREG;
            if (filter.protect && regular &&
                fs::is_regular_file(fs::symlink_status(target, ec)) && (filter.protect(name) || filter.protect(real))) {
                if (link) {
                    content = core::read_file(link_host);
                } else {
                    content.emplace();
                    char chunk[1 << 16];
                    la_ssize_t n;
                    while ((n = archive_read_data(in.get(), chunk, sizeof chunk)) > 0) content->append(chunk, n);
                    if (n < 0)
                        throw Error(artifact.string() + ": cannot read " + core::quoted(name) + ": " + archive_error_text(in.get()));
                }
                if (core::read_file(target) != *content) {
                    aside = protected_name(rootfs, name);
                    target = parent / fs::path(aside).filename();
                    // Before the write, so that a caller's journal knows the file first.
                    if (filter.on_protected) filter.on_protected(name, aside);
                }
            }
            if (!fs::exists(fs::symlink_status(target, ec))) created.push_back(target);
            archive_entry_copy_pathname(e, target.c_str());
            if (link) archive_entry_copy_hardlink(e, link_host.c_str());
            if (archive_write_header(out.get(), e) < ARCHIVE_WARN)
                throw Error(artifact.string() + ": cannot write " + core::quoted(name) + ": " + archive_error_text(out.get()));
            if (content && !link) {
                if (archive_write_data(out.get(), content->data(), content->size()) < 0)
                    throw Error(artifact.string() + ": cannot write " + core::quoted(name) + ": " + archive_error_text(out.get()));
            } else {
                const void* buf;
                size_t size;
                la_int64_t offset;
                int drc;
                while ((drc = archive_read_data_block(in.get(), &buf, &size, &offset)) == ARCHIVE_OK) {
                    if (archive_write_data_block(out.get(), buf, size, offset) < ARCHIVE_OK)
                        throw Error(artifact.string() + ": cannot write " + core::quoted(name) + ": " + archive_error_text(out.get()));
                }
                if (drc != ARCHIVE_EOF)
                    throw Error(artifact.string() + ": cannot read " + core::quoted(name) + ": " + archive_error_text(in.get()));
            }
            if (archive_write_finish_entry(out.get()) < ARCHIVE_WARN)
                throw Error(artifact.string() + ": cannot finish " + core::quoted(name) + ": " + archive_error_text(out.get()));
            if (!aside.empty()) {
                aside_of[name] = aside;
            } else {
                aside_of.erase(name);
                struct stat st {};
                if (regular && ::lstat(target.c_str(), &st) == 0 && S_ISREG(st.st_mode))
                    ours[target] = {st.st_dev, st.st_ino};
                else
                    ours.erase(target);
            }
            if (recorded.insert(name).second) written.push_back(name);
            crash_point("entry");
        }
        if (rc != ARCHIVE_EOF)
            throw Error("cannot read artifact " + artifact.string() + ": " + archive_error_text(in.get()));
        if (archive_write_close(out.get()) != ARCHIVE_OK)
            throw Error(artifact.string() + ": " + archive_error_text(out.get()));
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
