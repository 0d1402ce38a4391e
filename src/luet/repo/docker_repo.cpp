#include "luet/artifact/archive_error.hpp"
#include "luet/repo/docker_repo.hpp"

#include <archive.h>
#include <archive_entry.h>
#include <openssl/evp.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <nlohmann/json.hpp>

#include "luet/artifact/tarball.hpp"
#include "luet/core/error.hpp"
#include "luet/repo/registry.hpp"

namespace fs = std::filesystem;
using json = nlohmann::json;

namespace luet::repo {
namespace {

constexpr const char* kPackageMarker = ".package.tar";

// "sha256:…" of the uncompressed content of a (possibly gzip/zstd compressed) file: the
// diff_id an image config lists for a layer.
std::string uncompressed_digest(const fs::path& file) {
    std::unique_ptr<struct archive, int (*)(struct archive*)> in(archive_read_new(), archive_read_free);
    archive_read_support_format_raw(in.get());
    archive_read_support_filter_all(in.get());
    if (archive_read_open_filename(in.get(), file.c_str(), 1 << 16) != ARCHIVE_OK)
        throw Error("cannot open " + file.string() + ": " + archive_error_text(in.get()));
    struct archive_entry* e;
    if (archive_read_next_header(in.get(), &e) != ARCHIVE_OK)
        throw Error("cannot read " + file.string() + ": " + archive_error_text(in.get()));
    std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
    if (!ctx || EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr) != 1) throw Error("sha256: cannot initialise");
    std::vector<char> buf(1 << 16);
    la_ssize_t n;
    while ((n = archive_read_data(in.get(), buf.data(), buf.size())) > 0)
        EVP_DigestUpdate(ctx.get(), buf.data(), static_cast<size_t>(n));
    if (n < 0) throw Error("cannot decompress " + file.string() + ": " + archive_error_text(in.get()));
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    EVP_DigestFinal_ex(ctx.get(), md, &len);
    static const char* hex = "0123456789abcdef";
    std::string d = "sha256:";
    for (unsigned i = 0; i < len; ++i) {
        d += hex[md[i] >> 4];
        d += hex[md[i] & 15];
    }
    return d;
}

std::string layer_media_type(const std::string& name) {
    if (name.ends_with(".gz")) return registry::kOciLayerGzip;
    if (name.ends_with(".zst")) return "application/vnd.oci.image.layer.v1.tar+zstd";
    return "application/vnd.oci.image.layer.v1.tar";
}

// The repository's auth: block wins over docker's config.json.
registry::Client client_for(const registry::Reference& ref, const std::optional<registry::Credentials>& auth = {}) {
    return registry::Client(ref.host, ref.plain_http,
                            auth ? auth
                                 : registry::credentials_from_docker_config(registry::default_docker_config(), ref.host));
}

class DockerTransport : public Transport {
public:
    DockerTransport(std::string repo, std::vector<std::string> urls, std::optional<registry::Credentials> auth)
        : repo_(std::move(repo)), urls_(std::move(urls)), auth_(std::move(auth)) {}

    void download(const std::string& name, const fs::path& dest, const ByteProgress& progress,
                  std::uint64_t max_bytes) const override {
        const std::string tag = docker_tag_for_file(name);
        std::string errors;
        bool over_limit = false;  // a url failed on max_bytes: SizeLimitError
        for (const auto& url : urls_) {
            std::string image = url + ":" + tag;
            try {
                const auto ref = registry::Reference::parse(image);
                image = ref.str();
                auto client = client_for(ref, auth_);
                const registry::Manifest m = client.manifest(ref.name, ref.reference);
                if (m.layers.empty()) throw Error("image " + image + " has no layers");
                // A layer the manifest states larger than the caller's cap is refused before its
                // blob is fetched. (A blob body longer than its stated size is not cut off yet: the
                // digest check refuses it, after it was written.)
                for (const auto& l : m.layers)
                    if (max_bytes != 0 && l.size > max_bytes)
                        throw SizeLimitError("image " + image + ": layer " + l.digest + " is " + std::to_string(l.size) +
                                    " bytes, over the limit of " + std::to_string(max_bytes) + " bytes for " + name);
                if (name.find(kPackageMarker) != std::string::npos) {
                    // The artifact: the image's one layer is the artifact tarball (ours, the
                    // caller checks it against the repository's sha256) or the package files
                    // recompressed (upstream's; verified by the blob digest).
                    if (m.layers.size() != 1)
                        throw Error("image " + image + " has " + std::to_string(m.layers.size()) +
                                    " layers (an artifact image has one)");
                    client.blob_to_file(ref.name, m.layers.front().digest, dest);
                } else {
                    // A document: the file /<name> inside the image's layers (last one wins).
                    std::string content;
                    bool found = false;
                    for (const auto& l : m.layers) {
                        const fs::path blob = dest.string() + ".layer";
                        client.blob_to_file(ref.name, l.digest, blob);
                        std::map<std::string, std::string> files;
                        try {
                            files = artifact::read_memory_tar(blob);
                        } catch (...) {
                            fs::remove(blob);
                            throw;
                        }
                        fs::remove(blob);
                        for (auto& [path, data] : files) {
                            std::string p = path;
                            while (p.starts_with("/")) p.erase(0, 1);
                            if (p == name) {
                                content = std::move(data);
                                found = true;
                            }
                        }
                    }
                    if (!found) throw Error("image " + image + " holds no file " + name);
                    const fs::path part = dest.string() + ".part";
                    {
                        std::ofstream out(part, std::ios::binary | std::ios::trunc);
                        out.write(content.data(), static_cast<std::streamsize>(content.size()));
                        if (!out) {
                            std::error_code ec;
                            fs::remove(part, ec);
                            throw Error("cannot write " + part.string());
                        }
                    }
                    fs::rename(part, dest);
                }
                if (progress) {
                    const auto size = fs::file_size(dest);
                    progress(size, size);
                }
                return;
            } catch (const SizeLimitError& e) {
                over_limit = true;
                errors += "\n  " + image + ": " + e.what();
            } catch (const Error& e) {
                errors += "\n  " + image + ": " + e.what();
            }
        }
        const std::string message = "repository " + repo_ + ": cannot download " + name + ":" + errors;
        if (over_limit) throw SizeLimitError(message);
        throw Error(message);
    }

    bool verifies_content() const override { return true; }

private:
    std::string repo_;
    std::vector<std::string> urls_;
    std::optional<registry::Credentials> auth_;
};

}  // namespace

std::string sanitize_image_tag(const std::string& s) {
    std::string out = s;
    for (auto& c : out)
        if (c == '+') c = '-';
    return out;
}

std::string docker_tag_for_file(const std::string& name) {
    const std::string base = fs::path(name).filename().string();
    if (const auto p = base.find(kPackageMarker); p != std::string::npos && !base.ends_with(".metadata.yaml"))
        return sanitize_image_tag(base.substr(0, p));
    return sanitize_image_tag(base);
}

std::unique_ptr<Transport> make_docker_transport(const config::RepositoryConfig& rc) {
    return std::make_unique<DockerTransport>(
        rc.name, rc.urls, registry::credentials_from_auth(rc.auth, "repository " + rc.name + " (" + rc.origin + ")"));
}

bool push_file_image(const std::string& image, const fs::path& file, bool as_layer, bool force) {
    const auto ref = registry::Reference::parse(image);
    auto client = client_for(ref);
    const std::string what = "image " + ref.str();
    if (!force && client.manifest_exists(ref.name, ref.reference)) return false;

    fs::path layer_file = file;
    fs::path tmp;
    std::string media_type;
    if (as_layer) {
        media_type = layer_media_type(file.filename().string());
    } else {
        // One uncompressed tar holding the file at its base name, as upstream's document images.
        std::ifstream in(file, std::ios::binary);
        if (!in) throw Error(what + ": cannot read " + file.string());
        std::string data{std::istreambuf_iterator<char>(in), {}};
        tmp = fs::temp_directory_path() / ("luet-layer-" + std::to_string(getpid()) + "-" + file.filename().string() + ".tar");
        artifact::write_memory_tar(tmp, artifact::Compression::None, {{file.filename().string(), data}});
        layer_file = tmp;
        media_type = "application/vnd.oci.image.layer.v1.tar";
    }
    try {
        const std::string diff_id = as_layer ? uncompressed_digest(layer_file) : registry::digest_of_file(layer_file);
        registry::Descriptor layer = client.push_blob(ref.name, layer_file);
        layer.media_type = media_type;
        json config = {{"architecture", "amd64"},
                       {"os", "linux"},
                       {"config", json::object()},
                       {"rootfs", {{"type", "layers"}, {"diff_ids", {diff_id}}}},
                       {"history", {{{"created_by", "luet"}, {"comment", "Custom image"}}}}};
        const std::string config_doc = config.dump();
        const registry::Descriptor cfg = client.push_blob_data(ref.name, config_doc);
        json manifest = {
            {"schemaVersion", 2},
            {"mediaType", registry::kOciManifest},
            {"config", {{"mediaType", registry::kOciConfig}, {"digest", cfg.digest}, {"size", cfg.size}}},
            {"layers", {{{"mediaType", layer.media_type}, {"digest", layer.digest}, {"size", layer.size}}}}};
        client.push_manifest(ref.name, ref.reference, registry::kOciManifest, manifest.dump());
    } catch (...) {
        if (!tmp.empty()) fs::remove(tmp);
        throw;
    }
    if (!tmp.empty()) fs::remove(tmp);
    return true;
}

}  // namespace luet::repo

namespace luet::repo {

bool fetch_published_index(const std::string& image_prefix, const fs::path& folder) {
    const auto ref = registry::Reference::parse(image_prefix + ":repository.yaml");
    auto client = client_for(ref);
    if (!client.manifest_exists(ref.name, ref.reference)) return false;
    config::RepositoryConfig rc;
    rc.name = image_prefix;
    rc.type = "docker";
    rc.urls = {image_prefix};
    make_docker_transport(rc)->download("repository.yaml", folder / "repository.yaml");
    return true;
}

void push_repository(const fs::path& folder, const std::string& image_prefix, bool force,
                     const std::function<void(const std::string&)>& note) {
    std::vector<fs::path> artifacts, metadata, documents;
    for (const auto& e : fs::directory_iterator(folder)) {
        if (!e.is_regular_file()) continue;
        const std::string n = e.path().filename().string();
        if (n == "repository.yaml" || n.ends_with(".part")) continue;
        if (n.ends_with(".metadata.yaml")) metadata.push_back(e.path());
        else if (n.find(kPackageMarker) != std::string::npos) artifacts.push_back(e.path());
        else documents.push_back(e.path());
    }
    std::sort(artifacts.begin(), artifacts.end());
    std::sort(metadata.begin(), metadata.end());
    std::sort(documents.begin(), documents.end());
    auto push = [&](const fs::path& file, bool as_layer, bool force_this) {
        const std::string image = image_prefix + ":" + docker_tag_for_file(file.filename().string());
        const bool pushed = push_file_image(image, file, as_layer, force_this);
        if (note)
            note(pushed ? "Pushed image " + image
                        : "Image " + image + " already present, skipping. use --force-push to override");
    };
    for (const auto& a : artifacts) push(a, true, force);
    for (const auto& m : metadata) push(m, false, force);
    for (const auto& d : documents) push(d, false, true);
    if (!fs::exists(folder / "repository.yaml")) throw Error(folder.string() + ": no repository.yaml to push");
    push(folder / "repository.yaml", false, true);
}

}  // namespace luet::repo
