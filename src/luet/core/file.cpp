#include "luet/core/file.hpp"

#include <fcntl.h>
#include <stdlib.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <fstream>
#include <sstream>

#include "luet/core/error.hpp"

namespace luet::core {

std::string read_file(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw Error("cannot read " + path.string());
    // One read of the whole size (repository indexes are megabytes); a file that grows
    // meanwhile is read to its end.
    std::string out;
    in.seekg(0, std::ios::end);
    if (const auto size = in.tellg(); size > 0) out.resize(static_cast<size_t>(size));
    in.seekg(0, std::ios::beg);
    in.read(out.data(), static_cast<std::streamsize>(out.size()));
    out.resize(static_cast<size_t>(in.gcount()));
    if (in.bad()) throw Error("cannot read " + path.string());
    in.clear();
    std::stringstream rest;
    rest << in.rdbuf();
    return out + rest.str();
}

void write_file_atomic(const std::filesystem::path& path, const std::string& content) {
    namespace fs = std::filesystem;
    const fs::path part = path.string() + ".part";
    std::error_code ec;
    const auto perms = fs::status(path, ec).permissions();
    const int fd = ::open(part.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) throw Error("cannot write " + part.string());
    size_t off = 0;
    while (off < content.size()) {
        const ssize_t n = ::write(fd, content.data() + off, content.size() - off);
        if (n <= 0) {
            ::close(fd);
            fs::remove(part, ec);
            throw Error("cannot write " + part.string());
        }
        off += static_cast<size_t>(n);
    }
    const bool synced = ::fsync(fd) == 0;
    ::close(fd);
    if (!synced) {
        fs::remove(part, ec);
        throw Error("cannot write " + part.string());
    }
    if (fs::exists(path, ec)) fs::permissions(part, perms, ec);
    fs::rename(part, path, ec);
    if (ec) throw Error("cannot replace " + path.string() + ": " + ec.message());
}

TempDir::TempDir(const std::string& purpose) {
    std::string tmpl = "/tmp/luet-" + purpose + "-XXXXXX";
    if (!mkdtemp(tmpl.data())) throw Error("cannot create a temporary folder " + tmpl);
    path = tmpl;
}

TempDir::~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
}

FileLock::FileLock(const std::filesystem::path& path, Mode mode) {
    fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd_ < 0 && (errno == EACCES || errno == EROFS || errno == EPERM)) return;
    if (fd_ < 0) throw Error("cannot open lock file " + path.string() + ": " + std::strerror(errno));
    int rc;
    while ((rc = ::flock(fd_, mode == Mode::shared ? LOCK_SH : LOCK_EX)) != 0 && errno == EINTR) {
    }
    if (rc != 0) {
        const int err = errno;
        ::close(fd_);
        fd_ = -1;
        throw Error("cannot lock " + path.string() + ": " + std::strerror(err));
    }
}

FileLock::~FileLock() {
    if (fd_ >= 0) ::close(fd_);
}

}  // namespace luet::core
