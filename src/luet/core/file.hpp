// Whole-file reads for the small documents luet handles (specs, configs, indexes).
#pragma once

#include <filesystem>
#include <string>

namespace luet::core {

// The file's content. Throws luet::Error "cannot read <path>" when it cannot be opened.
std::string read_file(const std::filesystem::path& path);

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
