#include "luet/artifact/archive_error.hpp"
#include "luet/repo/image.hpp"

#include <archive.h>
#include <archive_entry.h>
#include <unistd.h>

#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>

#include "luet/artifact/artifact.hpp"
#include "luet/build/backend.hpp"
#include "luet/core/error.hpp"
#include "luet/core/file.hpp"

namespace fs = std::filesystem;
using json = nlohmann::json;

namespace luet::repo {

UnpackedImage unpack_image(const std::string& image, const fs::path& dest,
                           const std::optional<registry::Credentials>& credentials, const std::string& os,
                           const std::string& arch) {
    const auto ref = registry::Reference::parse(image);
    auto creds = credentials ? credentials
                             : registry::credentials_from_docker_config(registry::default_docker_config(), ref.host);
    registry::Client client(ref.host, ref.plain_http, creds, os, arch);
    const registry::Manifest m = client.manifest(ref.name, ref.reference);
    // Every layer is fetched and verified before the first one touches `dest`.
    const core::TempDir tmp("unpack");
    std::vector<fs::path> layers;
    for (size_t i = 0; i < m.layers.size(); ++i) {
        layers.push_back(tmp.path / ("layer-" + std::to_string(i)));
        client.blob_to_file(ref.name, m.layers[i].digest, layers.back());
    }
    fs::create_directories(dest);
    for (const auto& l : layers) build::apply_layer(l, dest);
    return {ref.str(), m.digest, m.raw.size()};
}

void pack_image(const std::string& image, const fs::path& source, const fs::path& dest, const std::string& os,
                const std::string& arch) {
    const core::TempDir tmp("pack");
    // The layer: `source` decompressed.
    const fs::path layer = tmp.path / "layer.tar";
    {
        std::unique_ptr<struct archive, int (*)(struct archive*)> in(archive_read_new(), archive_read_free);
        archive_read_support_filter_all(in.get());
        archive_read_support_format_raw(in.get());
        if (archive_read_open_filename(in.get(), source.c_str(), 1 << 16) != ARCHIVE_OK)
            throw Error("cannot read " + source.string() + ": " + archive_error_text(in.get()));
        struct archive_entry* e;
        if (archive_read_next_header(in.get(), &e) != ARCHIVE_OK)
            throw Error("cannot read " + source.string() + ": " + archive_error_text(in.get()));
        std::ofstream out(layer, std::ios::binary);
        char buf[1 << 16];
        la_ssize_t n;
        while ((n = archive_read_data(in.get(), buf, sizeof buf)) > 0) out.write(buf, n);
        if (n < 0) throw Error("cannot read " + source.string() + ": " + archive_error_text(in.get()));
        if (!out.flush()) throw Error("cannot write " + layer.string());
    }
    // A flat tar archive is what the layer must be: refuse anything else.
    {
        std::unique_ptr<struct archive, int (*)(struct archive*)> check(archive_read_new(), archive_read_free);
        archive_read_support_format_tar(check.get());
        struct archive_entry* e;
        if (archive_read_open_filename(check.get(), layer.c_str(), 1 << 16) != ARCHIVE_OK ||
            archive_read_next_header(check.get(), &e) != ARCHIVE_OK)
            throw Error(source.string() + " is not a tar archive");
    }
    const std::string diff_id = registry::digest_of_file(layer);
    const json config = {{"architecture", arch},
                         {"os", os},
                         {"config", json::object()},
                         {"rootfs", {{"type", "layers"}, {"diff_ids", {diff_id}}}}};
    const std::string config_doc = config.dump();
    const std::string config_name = registry::digest_of(config_doc).substr(7) + ".json";
    const std::string layer_name = diff_id.substr(7) + ".tar";
    std::string tag = image;
    if (const auto slash = tag.rfind('/'); tag.find(':', slash == std::string::npos ? 0 : slash) == std::string::npos)
        tag += ":latest";
    const json manifest = json::array({{{"Config", config_name}, {"RepoTags", {tag}}, {"Layers", {layer_name}}}});
    auto write = [&](const std::string& name, const std::string& data) {
        std::ofstream f(tmp.path / name, std::ios::binary);
        f << data;
        if (!f.flush()) throw Error("cannot write " + (tmp.path / name).string());
    };
    write("config.json", config_doc);
    write("manifest.json", manifest.dump());
    artifact::pack({{tmp.path / "manifest.json", "manifest.json"},
                    {tmp.path / "config.json", config_name},
                    {layer, layer_name}},
                   dest, artifact::Compression::None);
}

}  // namespace luet::repo
