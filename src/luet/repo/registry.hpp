// A client of container registries (OCI distribution API v2), over libcurl: no container
// engine is needed to pull or push images.
//
// Upstream: mudler/luet keeps `type: docker` repositories in a registry through
// go-containerregistry (pkg/helpers/docker); the wire protocol is the OCI distribution spec
// (https://github.com/opencontainers/distribution-spec/blob/main/spec.md):
//   GET/HEAD /v2/<name>/manifests/<tag|digest>      manifest (OCI or Docker v2 schema2) or an
//                                                   index / manifest list
//   GET/HEAD /v2/<name>/blobs/<digest>              a layer or config blob
//   POST /v2/<name>/blobs/uploads/  → 202 Location  then PUT <Location>?digest=<digest> (monolithic)
//   PUT  /v2/<name>/manifests/<tag>                 push a manifest
// Authentication: anonymous, HTTP basic, or bearer tokens (a 401 answer carrying
// `WWW-Authenticate: Bearer realm="…",service="…",scope="…"` → GET realm?service=…&scope=…,
// with basic credentials when known → {"token"|"access_token": …} → the request is retried
// with `Authorization: Bearer …`). Credentials come from a docker config.json
// ({"auths": {"host:port": {"auth": base64("user:pass")}}}).
//
// Plain HTTP is used for registries on loopback (localhost, 127.0.0.0/8, [::1]) as docker
// does, or when the reference starts with http://; HTTPS otherwise.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace luet::repo::registry {

// Media types of the documents a registry serves.
inline constexpr const char* kOciManifest = "application/vnd.oci.image.manifest.v1+json";
inline constexpr const char* kOciIndex = "application/vnd.oci.image.index.v1+json";
inline constexpr const char* kDockerManifest = "application/vnd.docker.distribution.manifest.v2+json";
inline constexpr const char* kDockerList = "application/vnd.docker.distribution.manifest.list.v2+json";
inline constexpr const char* kOciConfig = "application/vnd.oci.image.config.v1+json";
inline constexpr const char* kOciLayerGzip = "application/vnd.oci.image.layer.v1.tar+gzip";

// An image reference split as docker does: "127.0.0.1:5000/luet/repo:tag" →
// {host "127.0.0.1:5000", name "luet/repo", reference "tag"}; "name@sha256:…" keeps the digest
// as reference. A first component without '.', ':' and other than "localhost" is not a host:
// the image is then on Docker Hub (registry-1.docker.io, "library/" added to one-part names).
struct Reference {
    std::string host;       // host[:port] as written
    std::string name;       // repository name inside the registry
    std::string reference;  // tag or digest ("latest" when the image names none)
    bool plain_http = false;

    // Parses `image`, optionally with a leading http:// or https://. Throws luet::Error on an
    // empty name or a malformed tag.
    static Reference parse(const std::string& image);
    // host/name:tag or host/name@digest.
    std::string str() const;
};

// A parsed WWW-Authenticate challenge: scheme ("Basic", "Bearer") and its parameters
// (realm, service, scope ...), keys lower-cased.
struct Challenge {
    std::string scheme;
    std::map<std::string, std::string> params;
};
std::optional<Challenge> parse_challenge(const std::string& header);

struct Credentials {
    std::string username;
    std::string password;
    // A bearer token sent as "Authorization: Bearer <token>" from the first request on (docker's
    // AuthConfig.RegistryToken); username/password are then unused.
    std::string registry_token;
};

// Credentials from a repository's `auth:` block (config::RepositoryConfig::auth, docker's
// AuthConfig keys as mudler/luet reads them): registrytoken, else username + password, else
// auth (base64 "user:pass"). Nothing when the block is empty. Throws luet::Error prefixed with
// `what` on an auth value that is not base64 "user:pass", and for identitytoken alone (an OAuth2
// refresh token, which this client does not exchange).
std::optional<Credentials> credentials_from_auth(const std::map<std::string, std::string>& auth,
                                                 const std::string& what);

// Credentials for `host` from a docker config.json (auths.<host>.auth as base64 "user:pass",
// or auths.<host>.username/password; keys such as "https://host/v1/" match too). Nothing when
// the file, the host or the entry is missing. Throws luet::Error naming the file when it is not
// JSON or an auth field is not base64 "user:pass".
std::optional<Credentials> credentials_from_docker_config(const std::filesystem::path& config_json,
                                                          const std::string& host);
// The docker config.json to read: $DOCKER_CONFIG/config.json, else $HOME/.docker/config.json.
std::filesystem::path default_docker_config();

struct Descriptor {
    std::string media_type;
    std::string digest;  // "sha256:<hex>"
    std::uint64_t size = 0;
};

// An image manifest (an index or list has already been resolved to one platform's manifest).
struct Manifest {
    std::string media_type;
    std::string digest;  // sha256 of `raw`, "sha256:<hex>"
    Descriptor config;
    std::vector<Descriptor> layers;
    std::string raw;  // the document as served
};

// Picks the digest for os/arch (e.g. "linux", "amd64") from an image index or manifest list
// document. Throws luet::Error listing the platforms offered when none matches.
std::string pick_platform(const std::string& index_json, const std::string& os, const std::string& arch);
// Parses an image manifest document (OCI or Docker v2 schema2). Throws luet::Error on
// another schema or a malformed document.
Manifest parse_manifest(const std::string& raw, const std::string& media_type);

// "sha256:<hex>" of a byte string / a file.
std::string digest_of(const std::string& data);
std::string digest_of_file(const std::filesystem::path& file);

class Client {
public:
    // A client of the registry at `host` (host[:port]); `credentials` are used for basic auth
    // and to ask token services for bearer tokens. Tokens are kept per scope for the client's life.
    Client(std::string host, bool plain_http, std::optional<Credentials> credentials = {},
           std::string os = "linux", std::string arch = "amd64");

    // The manifest of name:reference, following an index or list to this client's platform.
    // A manifest asked by digest is checked against it. Throws luet::Error naming the image
    // (not found, refused, malformed, digest mismatch).
    Manifest manifest(const std::string& name, const std::string& reference);
    // Whether name:reference has a manifest (HEAD). Throws on errors other than 404.
    bool manifest_exists(const std::string& name, const std::string& reference);
    // Whether the blob exists (HEAD).
    bool blob_exists(const std::string& name, const std::string& digest);
    // Streams the blob to `dest` (through DEST.part) while hashing it; the file is renamed into
    // place only when its sha256 matches `digest`. A transfer that drops is resumed up to
    // kBlobAttempts times with a Range request from the bytes already written (a registry that
    // answers 200 instead of 206 sends the whole blob again, and the part file starts over),
    // as the http repository transport does. On a mismatch or any error nothing is left at
    // `dest` or DEST.part and luet::Error names the image blob and both digests.
    void blob_to_file(const std::string& name, const std::string& digest, const std::filesystem::path& dest);
    // Uploads `file` as a blob, skipped when the registry has it already: up to
    // chunk_threshold bytes in one PUT ?digest= (monolithic); a larger file in PATCH requests
    // of chunk_size bytes each (Content-Range "start-end", the next one sent to the Location the
    // registry answers), then a closing PUT ?digest= (the spec's chunked upload). Returns its
    // descriptor (media type left empty).
    Descriptor push_blob(const std::string& name, const std::filesystem::path& file);
    // Uploads bytes as a blob.
    Descriptor push_blob_data(const std::string& name, const std::string& data);
    // PUTs a manifest under `reference` (a tag). Returns the digest of `body`.
    std::string push_manifest(const std::string& name, const std::string& reference, const std::string& media_type,
                              const std::string& body);

    const std::string& host() const { return host_; }

    // Blob uploads larger than this go in chunks of chunk_size (bytes). The defaults keep
    // small blobs in one request; LUET_REGISTRY_CHUNK_SIZE (bytes) sets both (tests).
    std::uint64_t chunk_threshold = 64u << 20;
    std::uint64_t chunk_size = 16u << 20;
    static constexpr int kBlobAttempts = 4;

private:
    struct Response;
    struct Request;
    Response send(Request& req);
    // Starts a blob upload (POST .../blobs/uploads/) and returns its URL (Location);
    // throws luet::Error prefixed with `what` when the registry refuses.
    std::string start_upload(const std::string& name, const std::string& what);
    std::string base() const;
    bool authorize(const Challenge& ch, const std::string& fallback_scope);
    // "HTTP <status>: <registry errors>", for a 401 saying which credentials were (not) used.
    std::string refusal(const Response& res) const;
    Descriptor push_chunked(const std::string& name, const std::filesystem::path& file, const Descriptor& d,
                            const std::string& what);

    std::string host_;
    bool plain_http_;
    std::optional<Credentials> credentials_;
    std::string os_, arch_;
    std::string authorization_;  // current Authorization header value, empty when anonymous
};

}  // namespace luet::repo::registry
