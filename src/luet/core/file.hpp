// Whole-file reads for the small documents luet handles (specs, configs, indexes).
#pragma once

#include <filesystem>
#include <string>

namespace luet::core {

// The file's content. Throws luet::Error "cannot read <path>" when it cannot be opened.
std::string read_file(const std::filesystem::path& path);

}  // namespace luet::core
