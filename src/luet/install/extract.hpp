// Extracting an artifact into a rootfs, safely.
//
// Every entry is resolved inside the rootfs as if the rootfs were "/" (symlinks in parent
// folders are followed, absolute targets are taken relative to the rootfs, ".." stops at
// the rootfs), so nothing is written outside it: a symlink entry "x -> /etc" followed by
// "x/passwd" writes <rootfs>/etc/passwd. Refused, before anything is written: entries with
// absolute names or ".." components; device nodes, FIFOs and sockets; hard links whose
// target is not a file of the same artifact listed before the link; hard links that carry
// data (a pax body): libarchive writes such a body through the new name into the linked
// file, GNU tar ignores it, and no packer (luet pack, upstream's Go archive/tar, GNU tar,
// bsdtar) writes one, so it can only be a way to change a file the link does not own.
//
// While extracting, a hard link is made only to the file this extraction wrote under the
// target name (same inode, checked on disk): a link to an entry the filter skipped is
// skipped too (a subset leaves a file out under all its names); a link to a file config
// protect wrote aside is refused.
#pragma once

#include <cstdint>
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
    std::string symlink;   // target of a symbolic link entry, as stored; empty otherwise
    std::string hardlink;  // normalized target name of a hard link entry; empty otherwise
    std::uint64_t size = 0;  // bytes of a regular file entry's body; 0 otherwise
};

// Lists the entries of an artifact (folders too), refusing unsafe ones as described above.
// Throws luet::Error naming the artifact and the entry.
std::vector<Entry> list_entries(const std::filesystem::path& artifact);

// The client's decisions on single entries (subsets, config protect); members may be empty.
struct ExtractFilter {
    // Entries for which this is true are neither written nor returned (nor hard links to them).
    std::function<bool(const std::string& name, bool directory)> skip;
    // Files (and hard links) for which this is true, for their name or the path they really
    // reach, do not replace a file on disk with another content: they are written beside it
    // under protected_name() (config_protect.hpp).
    std::function<bool(const std::string& name)> protect;
    // Called for each protected file written aside, with the name it is written under, just
    // before it is written.
    std::function<void(const std::string& name, const std::string& written_as)> on_protected;
    // Called before each entry is written with its name and the path it really reaches at
    // that moment (rootfs-relative, symlinks in its folders followed, and for folders the
    // last component too): the caller checks the write it planned against the write about
    // to happen and throws luet::Error to refuse it.
    std::function<void(const std::string& name, const std::string& real, bool directory)> check;
    // The most bytes of file bodies the artifact may unpack (0: no cap); extract() refuses a
    // larger artifact, and one larger than the space free on the rootfs' file system, before
    // the first write.
    std::uint64_t max_bytes = 0;
};

// The entries of an artifact that extract() writes with `filter` (list_entries without the
// skipped entries and the hard links to them). Throws as list_entries().
std::vector<Entry> kept_entries(const std::filesystem::path& artifact, const ExtractFilter& filter);

// Extracts the artifact into rootfs, preserving mode (setuid/setgid included), numeric
// ownership, mtime, xattrs (file capabilities included), symlinks and hard links, and returns
// the entry names installed, each once, in archive order (a protected file written aside
// under its own name). The whole
// artifact is checked (list_entries) before the first write. On failure, what this call
// created is removed again and luet::Error (naming the artifact and the entry) is thrown.
std::vector<std::string> extract(const std::filesystem::path& artifact, const std::filesystem::path& rootfs,
                                 const ExtractFilter& filter = {});

}  // namespace luet::install
