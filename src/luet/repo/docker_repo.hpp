// `type: docker` repositories: a luet repository kept as images in a container registry, laid
// out as mudler/luet does (pkg/installer/repository_docker.go, pkg/installer/client/docker.go):
//
//   <url>:repository.yaml            repository.yaml (image whose one layer holds /repository.yaml)
//   <url>:<sanitized document name>  each document repository.yaml names (tree, compilertree,
//                                    meta tarballs) and each <artifact>.metadata.yaml, likewise
//                                    one layer holding /<name>
//   <url>:<name>-<category>-<version> each package's artifact (upstream's ImageID(): the
//                                    fingerprint with '+' replaced by '-')
// where <url> is a repository url such as "127.0.0.1:5000/luet/repo" and a sanitized name has
// every '+' replaced by '-' (helpers.SanitizeImageString).
//
// Upstream's artifact images hold the package files as their layer; ours push the artifact
// tarball itself as the layer blob (a gzip or zstd tar is a valid OCI layer), so the layer's
// digest is the artifact's sha256 from the repository and the client downloads the artifact
// byte for byte with the repository's checksum verified as for http repositories. Images made
// by upstream (the package files recompressed) are accepted too, verified by their blob
// digests only (Transport::verifies_content), as mudler's client does.
#pragma once

#include <filesystem>
#include <functional>
#include <memory>
#include <string>

#include "luet/config/config.hpp"
#include "luet/repo/transport.hpp"

namespace luet::repo {

// '+' → '-' (upstream helpers.SanitizeImageString).
std::string sanitize_image_tag(const std::string& s);
// The image tag holding the repository file `name`: artifacts ("*.package.tar[.gz|.zst]")
// by their fingerprint, every other file by its sanitized name.
std::string docker_tag_for_file(const std::string& name);

// The transport of a `type: docker` repository: download(name) pulls the image of `name` from
// the first url that has it (credentials from the repository's auth: block, else docker's
// config.json; registry.hpp credentials_from_auth), verifying every blob
// against its digest, and writes the file `name` the image holds (or the artifact layer) to
// `dest` through DEST.part. Throws luet::Error naming the repository, the images tried and why.
std::unique_ptr<Transport> make_docker_transport(const config::RepositoryConfig& rc);

// Pushes `file` to the registry as the image `image` (a reference "host/name:tag"): one
// layer, holding the file at /<its file name> (documents) or the file itself as layer
// (as_layer = true: an artifact tarball, media type by its suffix). Skipped when the image
// exists and `force` is false. Returns true when pushed. Throws luet::Error naming the image.
bool push_file_image(const std::string& image, const std::filesystem::path& file, bool as_layer, bool force);

}  // namespace luet::repo

namespace luet::repo {

// Copies the repository.yaml published at `image_prefix` (e.g. "127.0.0.1:5000/luet/repo") into
// `folder`, so that a new revision of the repository is one more than the published one
// (upstream's dockerRepositoryGenerator.Generate). Returns false when nothing is published yet.
bool fetch_published_index(const std::string& image_prefix, const std::filesystem::path& folder);

// Pushes a repository folder written by create_repository to `image_prefix` as upstream lays it
// out: every artifact as <prefix>:<fingerprint> and its metadata as <prefix>:<name>.metadata.yaml
// (both skipped when present unless `force`), every document as <prefix>:<sanitized name>, and
// repository.yaml last, so a client never sees a repository.yaml naming documents not yet
// pushed. `note` receives one line per image pushed or skipped. Throws luet::Error naming the image.
void push_repository(const std::filesystem::path& folder, const std::string& image_prefix, bool force,
                     const std::function<void(const std::string&)>& note);

}  // namespace luet::repo
