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

}  // namespace luet::core
