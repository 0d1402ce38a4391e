// The build context of a package: its spec folder plus the entries of `retrieve:`.
//
// Upstream writes each entry as `ADD <entry> /luetbuild/` in the Dockerfile of the build
// (geaaru/luet pkg/compiler/types/spec/spec.go genDockerfile), so Dockerfile ADD decides:
// - an http:// or https:// URL is downloaded to /luetbuild/<last path component of the URL>;
// - a path is a glob relative to the spec folder or, when nothing there matches, to the build's
//   destination folder (upstream's CopyRetrieves globs relative to the output path first: a
//   package can retrieve another's artifact, `a-test-1.0.package.*`); it may not leave them
//   (no absolute paths, no ".."); a folder adds its content, a tar archive (plain, gzip, bzip2,
//   xz or zstd) is unpacked, any other file is copied under its own name.
#pragma once

#include <filesystem>

#include "luet/spec/spec.hpp"

namespace luet::build {

// Fills `dest` (an empty folder) with the build context of `p`; `destination` is the build's
// artifact folder. Throws luet::Error naming the build spec and the entry when an entry
// matches nothing, leaves those folders or cannot be downloaded.
void stage_context(const spec::PackageSpec& p, const std::filesystem::path& dest,
                   const std::filesystem::path& destination = {});

// What the retrieve: entries of `p` bring into its context from outside its spec folder, for
// the build hash: one line "<entry> <sha256>" per file a URL downloads (fetched now) or a glob
// matches in `destination` (a folder's files each), in entry order; an entry that matches
// nothing yet (an artifact this build has still to write) gives "<entry> missing". Entries
// found in the spec folder give nothing (the hash covers that folder). Throws luet::Error
// naming the build spec and the entry when a URL cannot be downloaded.
std::string retrieve_digest(const spec::PackageSpec& p, const std::filesystem::path& destination);

}  // namespace luet::build
