// Extracting an artifact into a rootfs, safely.
//
// Every entry is resolved inside the rootfs as if the rootfs were "/" (symlinks in parent
// folders are followed, absolute targets are taken relative to the rootfs, ".." stops at
// the rootfs), so nothing is written outside it: a symlink entry "x -> /etc" followed by
// "x/passwd" writes <rootfs>/etc/passwd. Refused, before anything is written: entries with
// absolute names or ".." components; device nodes, FIFOs and sockets; hard links whose
// target is not a file of the same artifact listed before the link.
#pragma once

#include <filesystem>
#include <functional>
#include <string>
#include <vector>

namespace luet::install {

// Resolves `rel` (a path inside the rootfs) to a host path under `rootfs`, following
// symlinks of every component except the last when follow_last is false. The result is
// always `rootfs` or below it. Throws luet::Error after 40 symlinks (a loop).
std::filesystem::path resolve_in_root(const std::filesystem::path& rootfs, const std::filesystem::path& rel,
                                      bool follow_last);

struct Entry {
    std::string name;  // normalized, e.g. "usr/bin/x"
    bool directory = false;
    std::string symlink;  // target of a symbolic link entry, as stored; empty otherwise
};

// Lists the entries of an artifact (folders too), refusing unsafe ones as described above.
// Throws luet::Error naming the artifact and the entry.
std::vector<Entry> list_entries(const std::filesystem::path& artifact);

// The client's decisions on single entries (subsets, config protect); members may be empty.
struct ExtractFilter {
    // Entries for which this is true are neither written nor returned.
    std::function<bool(const std::string& name, bool directory)> skip;
    // Regular files for which this is true do not replace a file on disk with another content:
    // they are written beside it under protected_name() (config_protect.hpp).
    std::function<bool(const std::string& name)> protect;
    // Called for each protected file written aside, with the name it is written under, just
    // before it is written.
    std::function<void(const std::string& name, const std::string& written_as)> on_protected;
};

// Extracts the artifact into rootfs, preserving mode (setuid/setgid included), numeric
// ownership, mtime, xattrs (file capabilities included), symlinks and hard links, and returns
// the entry names installed (a protected file written aside under its own name). The whole
// artifact is checked (list_entries) before the first write. On failure, what this call
// created is removed again and luet::Error (naming the artifact and the entry) is thrown.
std::vector<std::string> extract(const std::filesystem::path& artifact, const std::filesystem::path& rootfs,
                                 const ExtractFilter& filter = {});

}  // namespace luet::install
