// The build context of a package: its spec folder plus the entries of `retrieve:`.
//
// Upstream writes each entry as `ADD <entry> /luetbuild/` in the Dockerfile of the build
// (geaaru/luet pkg/compiler/types/spec/spec.go genDockerfile), so Dockerfile ADD decides:
// - an http:// or https:// URL is downloaded to /luetbuild/<last path component of the URL>;
// - a path is relative to the spec folder and may not leave it; a folder adds its content,
//   a tar archive (plain, gzip, bzip2, xz or zstd) is unpacked, any other file is copied
//   under its own name.
#pragma once

#include <filesystem>

#include "luet/spec/spec.hpp"

namespace luet::build {

// Fills `dest` (an empty folder) with the build context of `p`. Throws luet::Error naming
// the build spec and the entry when an entry is missing, leaves the spec folder or cannot
// be downloaded.
void stage_context(const spec::PackageSpec& p, const std::filesystem::path& dest);

}  // namespace luet::build
