// Applying image layers onto a folder: the docker/OCI layer format, where a file named
// ".wh.NAME" deletes NAME from the layers below and ".wh..wh..opq" empties its folder; the
// same layers stored unpacked by an overlay storage driver (whiteouts as character devices
// 0:0, opaque folders marked by the xattr trusted.overlay.opaque=y); and the other pieces the
// backends share.
#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <map>
#include <memory>
#include <optional>
#include <nlohmann/json.hpp>

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

namespace {

// The value of the xattr `name` of `path` (not following a symlink); nullopt when it has none.
std::optional<std::string> get_xattr(const fs::path& path, const char* name) {
    std::array<char, 256> buf;
    const ssize_t n = ::lgetxattr(path.c_str(), name, buf.data(), buf.size());
    if (n >= 0) return std::string(buf.data(), static_cast<size_t>(n));
    if (errno != ERANGE) return std::nullopt;
    const ssize_t size = ::lgetxattr(path.c_str(), name, nullptr, 0);
    if (size < 0) return std::nullopt;
    std::string value(static_cast<size_t>(size), '\0');
    const ssize_t got = ::lgetxattr(path.c_str(), name, value.data(), value.size());
    if (got < 0) return std::nullopt;
    value.resize(static_cast<size_t>(got));
    return value;
}

void clear_folder(const fs::path& dir) {
    std::error_code ec;
    for (const auto& child : fs::directory_iterator(dir, ec)) fs::remove_all(child.path(), ec);
}

}  // namespace

void apply_layer_folder(const fs::path& layer_dir, const fs::path& dest, const LayerFilter& keep) {
    struct stat top{};
    if (::lstat(layer_dir.c_str(), &top) != 0 || !S_ISDIR(top.st_mode))
        throw Error("cannot read layer folder " + layer_dir.string() + ": " + std::strerror(errno));
    using ArchivePtr = std::unique_ptr<struct archive, int (*)(struct archive*)>;
    using EntryPtr = std::unique_ptr<struct archive_entry, void (*)(struct archive_entry*)>;
    // The same options as apply_layer: the folder holds what the layer's tar would carry.
    ArchivePtr out(archive_write_disk_new(), archive_write_free);
    archive_write_disk_set_options(out.get(), ARCHIVE_EXTRACT_PERM | ARCHIVE_EXTRACT_OWNER | ARCHIVE_EXTRACT_TIME |
                                                  ARCHIVE_EXTRACT_XATTR | ARCHIVE_EXTRACT_UNLINK |
                                                  ARCHIVE_EXTRACT_SECURE_NODOTDOT | ARCHIVE_EXTRACT_SECURE_SYMLINKS);
    fs::create_directories(dest);
    // Hard links inside the layer: (device, inode) -> the first destination written.
    std::map<std::pair<dev_t, ino_t>, fs::path> links;
    std::vector<char> buf(1 << 16);

    std::error_code ec;
    fs::recursive_directory_iterator it(layer_dir, fs::directory_options::none, ec), end;
    if (ec) throw Error("cannot read layer folder " + layer_dir.string() + ": " + ec.message());
    for (; it != end; it.increment(ec)) {
        if (ec) throw Error("cannot read layer folder " + layer_dir.string() + ": " + ec.message());
        const fs::path src = it->path();
        const fs::path rel = src.lexically_relative(layer_dir);
        const fs::path target = dest / rel;
        struct stat st{};
        if (::lstat(src.c_str(), &st) != 0)
            throw Error("cannot read " + src.string() + " in layer folder " + layer_dir.string() + ": " +
                        std::strerror(errno));
        const std::string base = rel.filename().string();
        // The tar form of whiteouts too (storage that keeps them as files, as apply_layer reads them).
        if (base == ".wh..wh..opq") {
            clear_folder(target.parent_path());
            continue;
        }
        if ((S_ISCHR(st.st_mode) && st.st_rdev == makedev(0, 0)) || base.starts_with(".wh.")) {
            // A whiteout: deleted in this layer.
            fs::remove_all(S_ISCHR(st.st_mode) ? target : target.parent_path() / base.substr(4), ec);
            ec.clear();
            continue;
        }
        if (S_ISDIR(st.st_mode) && get_xattr(src, "trusted.overlay.opaque") == std::string("y")) clear_folder(target);
        // A hard link whose first name was left out is written as a file (`links` holds written names).
        if (keep && !S_ISDIR(st.st_mode) && !keep("/" + rel.string())) continue;

        EntryPtr e(archive_entry_new(), archive_entry_free);
        archive_entry_copy_pathname(e.get(), target.c_str());
        archive_entry_copy_stat(e.get(), &st);
        if (!S_ISREG(st.st_mode)) archive_entry_set_size(e.get(), 0);
        if (S_ISLNK(st.st_mode)) {
            std::string link(static_cast<size_t>(st.st_size > 0 ? st.st_size : 4096), '\0');
            const ssize_t n = ::readlink(src.c_str(), link.data(), link.size());
            if (n < 0) throw Error("cannot read link " + src.string() + ": " + std::strerror(errno));
            link.resize(static_cast<size_t>(n));
            archive_entry_copy_symlink(e.get(), link.c_str());
        }
        bool data = S_ISREG(st.st_mode) && st.st_size > 0;
        if (S_ISREG(st.st_mode) && st.st_nlink > 1) {
            auto [at, first] = links.try_emplace({st.st_dev, st.st_ino}, target);
            if (!first) {
                archive_entry_set_size(e.get(), 0);
                archive_entry_copy_hardlink(e.get(), at->second.c_str());
                data = false;
            }
        }
        // Docker's layer tar carries this one xattr (moby pkg/archive ReadSecurityXattrToTarHeader).
        if (auto cap = get_xattr(src, "security.capability"))
            archive_entry_xattr_add_entry(e.get(), "security.capability", cap->data(), cap->size());
        if (archive_write_header(out.get(), e.get()) < ARCHIVE_WARN)
            throw Error("cannot write " + rel.string() + " from layer folder " + layer_dir.string() + ": " +
                        archive_error_text(out.get()));
        if (data) {
            const int fd = ::open(src.c_str(), O_RDONLY | O_CLOEXEC);
            if (fd < 0) throw Error("cannot read " + src.string() + ": " + std::strerror(errno));
            ssize_t n;
            la_int64_t offset = 0;
            while ((n = ::read(fd, buf.data(), buf.size())) > 0) {
                if (archive_write_data_block(out.get(), buf.data(), static_cast<size_t>(n), offset) < ARCHIVE_WARN) {
                    ::close(fd);
                    throw Error("cannot write " + target.string() + ": " + archive_error_text(out.get()));
                }
                offset += n;
            }
            ::close(fd);
            if (n < 0) throw Error("cannot read " + src.string() + ": " + std::strerror(errno));
        }
        archive_write_finish_entry(out.get());
    }
    // Folder times and modes are set when the writer closes (after their content).
    if (archive_write_close(out.get()) != ARCHIVE_OK)
        throw Error("cannot finish " + dest.string() + " from layer folder " + layer_dir.string() + ": " +
                    archive_error_text(out.get()));
}

}  // namespace luet::build

namespace luet::build {
namespace {

using ArchivePtr = std::unique_ptr<struct archive, int (*)(struct archive*)>;

ArchivePtr open_tar(const fs::path& file) {
    ArchivePtr a(archive_read_new(), archive_read_free);
    archive_read_support_format_tar(a.get());
    if (archive_read_open_filename(a.get(), file.c_str(), 1 << 16) != ARCHIVE_OK)
        throw Error("cannot open " + file.string() + ": " + archive_error_text(a.get()));
    return a;
}

std::string read_member(const fs::path& file, const std::string& name) {
    ArchivePtr a = open_tar(file);
    struct archive_entry* e;
    while (archive_read_next_header(a.get(), &e) == ARCHIVE_OK) {
        if (name != archive_entry_pathname(e)) continue;
        std::string data(static_cast<size_t>(archive_entry_size(e)), '\0');
        if (archive_read_data(a.get(), data.data(), data.size()) != static_cast<ssize_t>(data.size()))
            throw Error("cannot read " + name + " from " + file.string());
        return data;
    }
    throw Error(file.string() + " has no " + name);
}

std::vector<fs::path> extract_members(const fs::path& file, const std::vector<std::string>& names, const fs::path& dir) {
    std::vector<fs::path> out(names.size());
    ArchivePtr a = open_tar(file);
    struct archive_entry* e;
    while (archive_read_next_header(a.get(), &e) == ARCHIVE_OK) {
        const std::string member = archive_entry_pathname(e);
        auto first = std::find(names.begin(), names.end(), member);
        if (first == names.end()) continue;
        const fs::path target = dir / ("layer-" + std::to_string(first - names.begin()) + ".tar");
        std::ofstream f(target, std::ios::binary);
        const void* buf;
        size_t size;
        la_int64_t offset;
        while (archive_read_data_block(a.get(), &buf, &size, &offset) == ARCHIVE_OK)
            f.write(static_cast<const char*>(buf), static_cast<std::streamsize>(size));
        if (!f.flush()) throw Error("cannot write " + target.string());
        // An image may stack the same (e.g. empty) layer more than once.
        for (size_t i = 0; i < names.size(); ++i)
            if (names[i] == member) out[i] = target;
    }
    for (size_t i = 0; i < names.size(); ++i)
        if (out[i].empty()) throw Error(file.string() + " has no layer " + names[i]);
    return out;
}

}  // namespace

void apply_archive_layers(const fs::path& archive, std::size_t first_layer, const fs::path& dest, const fs::path& work) {
    // Pass 1: the manifest names the layers in stack order.
    const auto manifest = nlohmann::json::parse(read_member(archive, "manifest.json"));
    std::vector<std::string> layers = manifest.at(0).at("Layers").get<std::vector<std::string>>();
    if (first_layer >= layers.size()) return;
    layers.erase(layers.begin(), layers.begin() + static_cast<std::ptrdiff_t>(first_layer));
    // Pass 2: copy the needed layer tarballs out, then apply them bottom-up.
    for (const auto& f : extract_members(archive, layers, work)) apply_layer(f, dest);
}

std::string shell_quote(const std::string& s) {
    std::string out = "'";
    for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return out + "'";
}

std::string container_script(const RunRequest& req, const std::string& staging) {
    std::string script = "set -e\n";
    for (size_t i = 0; i < req.copies.size(); ++i) {
        const auto& [host, dest] = req.copies[i];
        const std::string from = staging + "/" + std::to_string(i);
        if (fs::is_directory(host)) {
            script += "mkdir -p " + shell_quote(dest) + " && cp -a " + shell_quote(from) + "/. " + shell_quote(dest) + "/\n";
        } else {
            script += "mkdir -p " + shell_quote(fs::path(dest).parent_path().string()) + " && cp -a " +
                      shell_quote(from) + " " + shell_quote(dest) + "\n";
        }
    }
    if (!req.copies.empty()) script += "rm -rf " + shell_quote(staging) + "\n";
    for (const auto& c : req.commands) script += c + "\n";
    return script;
}

}  // namespace luet::build
