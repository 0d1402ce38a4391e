#include "luet/build/retrieve.hpp"

#include <archive.h>
#include <archive_entry.h>

#include <glob.h>

#include <algorithm>
#include <memory>
#include <vector>

#include "luet/artifact/artifact.hpp"
#include "luet/core/error.hpp"
#include "luet/core/file.hpp"
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

// The files a path entry names: matches of the glob `entry` in `dir` (sorted, as glob(3)
// returns them), only those inside `dir`.
std::vector<fs::path> glob_in(const fs::path& dir, const std::string& entry) {
    std::vector<fs::path> out;
    if (dir.empty() || !fs::is_directory(dir)) return out;
    const fs::path base = fs::weakly_canonical(dir);
    glob_t g{};
    if (::glob((base / entry).c_str(), 0, nullptr, &g) == 0) {
        for (size_t i = 0; i < g.gl_pathc; ++i) {
            const fs::path m = fs::weakly_canonical(g.gl_pathv[i]);
            const auto rel = m.lexically_relative(base);
            if (!rel.empty() && *rel.begin() != "..") out.push_back(m);
        }
    }
    globfree(&g);
    return out;
}

void add_to_context(const fs::path& src, const fs::path& dest) {
    if (fs::is_directory(src)) {
        fs::copy(src, dest, fs::copy_options::recursive | fs::copy_options::copy_symlinks |
                                fs::copy_options::overwrite_existing);
    } else if (is_tar_archive(src)) {
        core::capture({"tar", "-xf", src.string(), "-C", dest.string()});
    } else {
        fs::copy_file(src, dest / src.filename(), fs::copy_options::overwrite_existing);
    }
}

}  // namespace

void stage_context(const spec::PackageSpec& p, const fs::path& dest, const fs::path& destination) {
    fs::copy(p.dir, dest, fs::copy_options::recursive | fs::copy_options::copy_symlinks);
    for (const auto& entry : p.build.retrieve) {
        const std::string where = p.build_file.string() + " (" + p.definition.form.str() + "): retrieve " + entry;
        try {
            if (is_url(entry)) {
                download(entry, dest);
                continue;
            }
            const fs::path rel(entry);
            if (rel.is_absolute() || std::any_of(rel.begin(), rel.end(), [](const fs::path& c) { return c == ".."; }))
                throw Error("the path leaves the spec folder");
            // The spec folder first; then, as upstream's CopyRetrieves globs relative to the
            // build's output path, the destination folder (e.g. another package's artifact).
            auto matches = glob_in(p.dir, entry);
            if (matches.empty()) matches = glob_in(destination, entry);
            if (matches.empty()) throw Error("no such file in the spec folder or in the destination folder");
            for (const auto& m : matches) add_to_context(m, dest);
        } catch (const Error& e) {
            throw Error(where + ": " + e.what());
        } catch (const fs::filesystem_error& e) {
            throw Error(where + ": " + e.what());
        }
    }
}

std::string retrieve_digest(const spec::PackageSpec& p, const fs::path& destination) {
    std::string out;
    auto add_file = [&](const std::string& entry, const fs::path& f) {
        out += entry + " " + artifact::sha256_file(f) + "\n";
    };
    for (const auto& entry : p.build.retrieve) {
        try {
            if (is_url(entry)) {
                core::TempDir tmp("retrieve");
                download(entry, tmp.path);
                for (const auto& e : fs::directory_iterator(tmp.path)) add_file(entry, e.path());
                continue;
            }
            if (!glob_in(p.dir, entry).empty()) continue;
            const auto matches = glob_in(destination, entry);
            if (matches.empty()) out += entry + " missing\n";
            for (const auto& m : matches) {
                if (!fs::is_directory(m)) {
                    add_file(entry, m);
                    continue;
                }
                std::vector<fs::path> files;
                for (auto it = fs::recursive_directory_iterator(m); it != fs::recursive_directory_iterator(); ++it)
                    if (it->is_regular_file()) files.push_back(it->path());
                std::sort(files.begin(), files.end());
                for (const auto& f : files) add_file(entry + "/" + f.lexically_relative(m).string(), f);
            }
        } catch (const Error& e) {
            throw Error(p.build_file.string() + " (" + p.definition.form.str() + "): retrieve " + entry + ": " + e.what());
        }
    }
    return out;
}

}  // namespace luet::build
