// Extracting an artifact into a rootfs, safely.
//
// Every entry is resolved inside the rootfs as if the rootfs were "/" (symlinks in parent
// folders are followed, absolute targets are taken relative to the rootfs, ".." stops at
// the rootfs), so nothing is written outside it. Entries with absolute names or ".."
// components, and device nodes and FIFOs, are refused.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace luet::install {

// Resolves `rel` (a path inside the rootfs) to a host path under `rootfs`, following
// symlinks of every component except the last when follow_last is false.
std::filesystem::path resolve_in_root(const std::filesystem::path& rootfs, const std::filesystem::path& rel,
                                      bool follow_last);

struct Entry {
    std::string name;  // normalized, e.g. "usr/bin/x"
    bool directory = false;
};

// Lists the entries of an artifact, refusing unsafe ones.
// Throws luet::Error naming the artifact and the entry.
std::vector<Entry> list_entries(const std::filesystem::path& artifact);

// Extracts the artifact into rootfs, preserving mode, ownership, mtime and xattrs, and
// returns the entry names written. On failure, what this call wrote is removed again and
// luet::Error (naming the artifact and the entry) is thrown.
std::vector<std::string> extract(const std::filesystem::path& artifact, const std::filesystem::path& rootfs);

}  // namespace luet::install
