#include "luet/build/retrieve.hpp"

#include <archive.h>
#include <archive_entry.h>

#include <memory>

#include "luet/core/error.hpp"
#include "luet/core/process.hpp"
#include "luet/repo/transport.hpp"

namespace fs = std::filesystem;

namespace luet::build {
namespace {

bool is_url(const std::string& s) { return s.starts_with("http://") || s.starts_with("https://"); }

// True when libarchive reads `file` as a tar archive (any compression).
bool is_tar_archive(const fs::path& file) {
    std::unique_ptr<struct archive, int (*)(struct archive*)> a(archive_read_new(), archive_read_free);
    archive_read_support_format_tar(a.get());
    archive_read_support_filter_all(a.get());
    if (archive_read_open_filename(a.get(), file.c_str(), 1 << 16) != ARCHIVE_OK) return false;
    struct archive_entry* e;
    return archive_read_next_header(a.get(), &e) == ARCHIVE_OK;
}

void download(const std::string& url, const fs::path& dest) {
    std::string base = url.substr(0, url.find_first_of("?#"));
    const size_t slash = base.find_last_of('/');
    const std::string name = base.substr(slash + 1);
    if (name.empty() || slash < base.find("://") + 3) throw Error("the URL names no file");
    config::RepositoryConfig rc;
    rc.name = url;
    rc.type = "http";
    rc.urls = {base.substr(0, slash)};
    repo::make_transport(rc)->download(url.substr(slash + 1), dest / name);
}

}  // namespace

void stage_context(const spec::PackageSpec& p, const fs::path& dest) {
    fs::copy(p.dir, dest, fs::copy_options::recursive | fs::copy_options::copy_symlinks);
    const fs::path dir = fs::weakly_canonical(p.dir);
    for (const auto& entry : p.build.retrieve) {
        const std::string where = p.build_file.string() + " (" + p.definition.form.str() + "): retrieve " + entry;
        try {
            if (is_url(entry)) {
                download(entry, dest);
                continue;
            }
            const fs::path src = fs::weakly_canonical(dir / entry);
            const auto rel = src.lexically_relative(dir);
            if (rel.empty() || *rel.begin() == "..") throw Error("the path leaves the spec folder");
            if (!fs::exists(src)) throw Error("no such file in the spec folder");
            if (fs::is_directory(src)) {
                fs::copy(src, dest, fs::copy_options::recursive | fs::copy_options::copy_symlinks |
                                        fs::copy_options::overwrite_existing);
            } else if (is_tar_archive(src)) {
                core::capture({"tar", "-xf", src.string(), "-C", dest.string()});
            } else {
                fs::copy_file(src, dest / src.filename(), fs::copy_options::overwrite_existing);
            }
        } catch (const Error& e) {
            throw Error(where + ": " + e.what());
        } catch (const fs::filesystem_error& e) {
            throw Error(where + ": " + e.what());
        }
    }
}

}  // namespace luet::build
