// Small in-memory tarballs: the documents of a repository (tree, compilertree, meta).
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <string>

#include "luet/artifact/artifact.hpp"

namespace luet::artifact {

// Writes `files` (path inside the tarball → content, mode 0644, folders created
// implicitly) to `dest` atomically. Throws luet::Error on I/O failure.
void write_memory_tar(const std::filesystem::path& dest, Compression c, const std::map<std::string, std::string>& files);

// Reads every regular file of a (possibly compressed) tarball into memory.
// Throws luet::Error naming the file when it is not a readable tarball, and (limits not 0)
// when one file unpacks to more than `max_file_bytes` or all to more than `max_total_bytes`
// (a compression bomb), before reading further. `modes`, when given, receives each file's
// permission bits (mode & 0777).
std::map<std::string, std::string> read_memory_tar(const std::filesystem::path& file, std::uint64_t max_file_bytes = 0,
                                                   std::uint64_t max_total_bytes = 0,
                                                   std::map<std::string, unsigned>* modes = nullptr);

// The same, one file at a time: `each(name, content)` is called for every regular file in
// the tarball's order (a leading "./" taken off the name), and the content is dropped after
// the call, so that memory holds one file at a time. Same errors and limits; an exception
// thrown by `each` stops the reading.
void for_each_tar_file(const std::filesystem::path& file, std::uint64_t max_file_bytes, std::uint64_t max_total_bytes,
                       const std::function<void(const std::string& name, std::string&& content)>& each);

}  // namespace luet::artifact
