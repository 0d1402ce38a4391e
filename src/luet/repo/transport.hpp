// How a client reaches a repository's files: a folder (type disk), HTTP(S) (type http) or a
// container registry (type docker, docker_repo.hpp).
//
// Upstream: geaaru/luet pkg/v2/repository/client/{local,http}.go — a repository has a list
// of urls; a file is fetched from the first url that serves it. Files are written beside
// their destination as DEST.part and renamed into place when complete, so a failed or
// interrupted download never leaves a truncated file under the final name. HTTPS servers are
// verified against $LUET_CA_BUNDLE, else $SSL_CERT_FILE, else the first CA bundle found at the
// usual paths (/etc/ssl/certs/ca-certificates.crt, /etc/pki/tls/certs/ca-bundle.crt, ...).
// An http repository's auth: block (config.hpp) adds an Authorization header to every request.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "luet/config/config.hpp"

namespace luet::repo {

// Called while a file downloads: bytes received so far and the expected total (0 when the
// server does not say). May be called from a worker thread.
using ByteProgress = std::function<void(std::uint64_t done, std::uint64_t total)>;

inline constexpr long kMaxRedirects = 10;
inline constexpr long kLowSpeedBytes = 1024;
inline constexpr long kLowSpeedSeconds = 30;

class Transport {
public:
    virtual ~Transport() = default;
    // Fetches `name` (a path relative to the repository url, e.g. "repository.yaml") into
    // `dest`. HTTP downloads are retried (up to 4 attempts, resuming when the server
    // supports ranges) before the next url is tried. Throws luet::Error naming the
    // repository and every url tried. `max_bytes` (0: none) cuts off a body larger than
    // that before it is written whole (the part file is removed). HTTP limits: at most
    // kMaxRedirects redirects; the whole download (every attempt and url) within the
    // repository's http_timeout (general.http_timeout, --http-timeout, LUET_GENERAL__HTTP_TIMEOUT);
    // a transfer slower than kLowSpeedBytes per second for kLowSpeedSeconds counts as dropped.
    virtual void download(const std::string& name, const std::filesystem::path& dest,
                          const ByteProgress& progress = {}, std::uint64_t max_bytes = 0) const = 0;
    // True when every byte download() writes was verified against digests of the transport's
    // own (a registry's blob digests): an artifact may then differ from the repository's
    // sha256, as upstream's artifact images hold the package files recompressed (mudler/luet
    // client/docker.go discards the checksums too). The repository.yaml naming them comes from
    // the same registry, so this trusts nothing more than the repository does.
    virtual bool verifies_content() const { return false; }
};

// The transport for a configured repository (disk, http, or docker: docker_repo.hpp).
// Throws luet::Error for another type and for a repository without urls.
std::unique_ptr<Transport> make_transport(const config::RepositoryConfig& rc);

}  // namespace luet::repo
