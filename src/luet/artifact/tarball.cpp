#include "luet/artifact/archive_error.hpp"
#include "luet/artifact/tarball.hpp"

#include <archive.h>
#include <archive_entry.h>

#include <ctime>
#include <memory>
#include <set>

#include "luet/core/error.hpp"

namespace fs = std::filesystem;

namespace luet::artifact {

void write_memory_tar(const fs::path& dest, Compression c, const std::map<std::string, std::string>& files) {
    const fs::path tmp = dest.string() + ".part";
    std::unique_ptr<struct archive, int (*)(struct archive*)> out(archive_write_new(), archive_write_free);
    archive_write_set_format_pax_restricted(out.get());
    if (c == Compression::Gzip) archive_write_add_filter_gzip(out.get());
    if (c == Compression::Zstd) archive_write_add_filter_zstd(out.get());
    if (archive_write_open_filename(out.get(), tmp.c_str()) != ARCHIVE_OK)
        throw Error("cannot create " + tmp.string() + ": " + archive_error_text(out.get()));
    const time_t now = time(nullptr);
    // Folder entries (0755) before their files: without them extractors make the folders
    // with their own default modes (geaaru/luet gave 0744).
    std::set<std::string> folders;
    for (const auto& [name, content] : files)
        for (fs::path p = fs::path(name).parent_path(); !p.empty(); p = p.parent_path()) folders.insert(p.string());
    for (const auto& folder : folders) {
        std::unique_ptr<struct archive_entry, void (*)(struct archive_entry*)> e(archive_entry_new(),
                                                                                  archive_entry_free);
        archive_entry_set_pathname(e.get(), folder.c_str());
        archive_entry_set_filetype(e.get(), AE_IFDIR);
        archive_entry_set_perm(e.get(), 0755);
        archive_entry_set_mtime(e.get(), now, 0);
        if (archive_write_header(out.get(), e.get()) != ARCHIVE_OK) {
            fs::remove(tmp);
            throw Error("cannot write " + tmp.string() + ": " + archive_error_text(out.get()));
        }
    }
    for (const auto& [name, content] : files) {
        std::unique_ptr<struct archive_entry, void (*)(struct archive_entry*)> e(archive_entry_new(),
                                                                                  archive_entry_free);
        archive_entry_set_pathname(e.get(), name.c_str());
        archive_entry_set_filetype(e.get(), AE_IFREG);
        archive_entry_set_perm(e.get(), 0644);
        archive_entry_set_size(e.get(), static_cast<la_int64_t>(content.size()));
        archive_entry_set_mtime(e.get(), now, 0);
        if (archive_write_header(out.get(), e.get()) != ARCHIVE_OK ||
            archive_write_data(out.get(), content.data(), content.size()) < 0) {
            fs::remove(tmp);
            throw Error("cannot write " + tmp.string() + ": " + archive_error_text(out.get()));
        }
    }
    if (archive_write_close(out.get()) != ARCHIVE_OK) {
        fs::remove(tmp);
        throw Error("cannot write " + tmp.string() + ": " + archive_error_text(out.get()));
    }
    fs::rename(tmp, dest);
}

namespace {

// Each regular file of the tarball with its permission bits, one at a time.
void read_tar(const fs::path& file, std::uint64_t max_file_bytes, std::uint64_t max_total_bytes,
              const std::function<void(const std::string& name, std::string&& content, unsigned mode)>& each) {
    std::unique_ptr<struct archive, int (*)(struct archive*)> in(archive_read_new(), archive_read_free);
    archive_read_support_format_tar(in.get());
    archive_read_support_filter_all(in.get());
    if (archive_read_open_filename(in.get(), file.c_str(), 1 << 16) != ARCHIVE_OK)
        throw Error("cannot open " + file.string() + ": " + archive_error_text(in.get()));
    std::uint64_t total = 0;
    struct archive_entry* e;
    int rc;
    std::string data;
    while ((rc = archive_read_next_header(in.get(), &e)) == ARCHIVE_OK) {
        if (archive_entry_filetype(e) != AE_IFREG) continue;
        std::string name = archive_entry_pathname(e);
        if (name.starts_with("./")) name = name.substr(2);
        data.clear();
        const void* buf;
        size_t size;
        la_int64_t offset;
        while (archive_read_data_block(in.get(), &buf, &size, &offset) == ARCHIVE_OK) {
            total += size;
            if (max_file_bytes > 0 && data.size() + size > max_file_bytes)
                throw Error(file.string() + ": " + name + " unpacks to more than " + std::to_string(max_file_bytes) +
                            " bytes; refusing to read it");
            if (max_total_bytes > 0 && total > max_total_bytes)
                throw Error(file.string() + " unpacks to more than " + std::to_string(max_total_bytes) +
                            " bytes; refusing to read it");
            data.append(static_cast<const char*>(buf), size);
        }
        each(name, std::move(data), static_cast<unsigned>(archive_entry_perm(e)) & 0777u);
        data = std::string();
    }
    if (rc != ARCHIVE_EOF) throw Error("cannot read " + file.string() + ": " + archive_error_text(in.get()));
}

}  // namespace

void for_each_tar_file(const fs::path& file, std::uint64_t max_file_bytes, std::uint64_t max_total_bytes,
                       const std::function<void(const std::string& name, std::string&& content)>& each) {
    read_tar(file, max_file_bytes, max_total_bytes,
             [&](const std::string& name, std::string&& content, unsigned) { each(name, std::move(content)); });
}

std::map<std::string, std::string> read_memory_tar(const fs::path& file, std::uint64_t max_file_bytes,
                                                   std::uint64_t max_total_bytes,
                                                   std::map<std::string, unsigned>* modes) {
    std::map<std::string, std::string> files;
    read_tar(file, max_file_bytes, max_total_bytes, [&](const std::string& name, std::string&& content, unsigned mode) {
        if (modes) (*modes)[name] = mode;
        files[name] = std::move(content);
    });
    return files;
}

}  // namespace luet::artifact
