// Container images without a container engine, for `luet util` (mudler/luet cmd/util.go):
// unpacking an image from its registry into a folder, and packing a flat tar archive as an
// image tarball `docker load` reads.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

#include "luet/repo/registry.hpp"

namespace luet::repo {

struct UnpackedImage {
    std::string name;    // the reference as resolved, host/name:tag
    std::string digest;  // digest of the manifest, "sha256:<hex>"
    std::uint64_t size;  // bytes of the manifest document (upstream prints its descriptor's size)
};

// Pulls `image` with the registry client (credentials: `credentials` when given, else docker's
// config.json; the manifest for os/arch) and applies its layers in order onto `dest`
// (created when missing), honouring whiteouts. Every blob is verified against its digest
// before it is applied. Throws luet::Error naming the image.
UnpackedImage unpack_image(const std::string& image, const std::filesystem::path& dest,
                           const std::optional<registry::Credentials>& credentials, const std::string& os = "linux",
                           const std::string& arch = "amd64");

// Writes `dest`: an image tarball as `docker save` lays it out (manifest.json naming the
// config "<hex>.json", the tag `image` and one layer "<hex>.tar"), whose one layer is the
// content of the tar archive `source` (plain, gzip or zstd; decompressed). os/arch go into the
// image config. Written through a temporary file renamed into place. Throws luet::Error naming
// the file that cannot be read or written.
void pack_image(const std::string& image, const std::filesystem::path& source, const std::filesystem::path& dest,
                const std::string& os, const std::string& arch);

}  // namespace luet::repo
