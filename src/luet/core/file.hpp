// Whole-file reads for the small documents luet handles (specs, configs, indexes).
#pragma once

#include <filesystem>
#include <string>

namespace luet::core {

// The file's content. Throws luet::Error "cannot read <path>" when it cannot be opened.
std::string read_file(const std::filesystem::path& path);

// Replaces `path` with `content`: written to PATH.part, flushed to disk, then renamed, so
// readers see the old or the new file, never a part. Keeps the old file's permissions.
// Throws luet::Error naming the file.
void write_file_atomic(const std::filesystem::path& path, const std::string& content);

// A fresh folder under /tmp (named /tmp/luet-<purpose>-XXXXXX), removed with its content when
// the object goes. Throws luet::Error when it cannot be created.
struct TempDir {
    std::filesystem::path path;
    explicit TempDir(const std::string& purpose = "tmp");
    ~TempDir();
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
};

// An flock(2) on `path` (created when missing) for the life of the object: shared for readers,
// exclusive for writers; the constructor waits for a conflicting holder to let go. Without
// permission to create or open the file (a user who cannot write that folder, who cannot
// change what it guards either), the lock is not taken: held() says so. Other errors throw
// luet::Error naming the file.
class FileLock {
public:
    enum class Mode { shared, exclusive };
    FileLock(const std::filesystem::path& path, Mode mode);
    ~FileLock();
    FileLock(const FileLock&) = delete;
    FileLock& operator=(const FileLock&) = delete;
    bool held() const { return fd_ >= 0; }

private:
    int fd_ = -1;
};

}  // namespace luet::core
