// Container backends: the engines that run build steps. Upstream luet drives them as
// external tools (mudler/luet pkg/compiler/backend: docker and buildah, `img` an alias of
// buildah; geaaru/luet: docker, img); so do we, with docker, podman and buildah. This file
// and the backends' own files are the only places that know an engine.
#pragma once

#include <cstddef>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "luet/core/process.hpp"
#include "luet/plugin/bus.hpp"

namespace luet::build {

// One container run: start from `base_image`, copy `context` into `workdir` and each of
// `copies` to its destination, run `commands` with /bin/sh (stopping at the first failure)
// with `env` (NAME=value, literal; build/env.hpp expands a build spec's entries), and commit
// the result as `result_image`, whose configuration keeps `env` as Dockerfile ENV would.
// Which non-folder entries of an image an export needs, by absolute path ("/usr/lib/x"); an
// empty filter: all of them. Folders are always written.
using LayerFilter = std::function<bool(const std::string& path)>;

struct RunRequest {
    std::string base_image;
    std::filesystem::path context;  // copied into workdir when not empty
    std::string workdir = "/luetbuild";
    std::vector<std::string> env;
    // Host file or folder -> absolute destination in the container (folders: their content).
    std::vector<std::pair<std::filesystem::path, std::string>> copies;
    // Empty: nothing to run but the copies' placement; with no copies either, an engine may
    // commit the container without starting it (as `docker build` does for COPY).
    std::vector<std::string> commands;
    std::string result_image;
    std::string label;  // package being built, for error messages
};

// Plugin events of the backends (plugin/bus.hpp; mudler/luet's backend.Options as payload:
// ImageName, and for a build SourcePath/Context).
inline nlohmann::json image_event(const std::string& image) { return {{"ImageName", image}}; }
// image.pre.build and image.post.build around a run that makes an image: the backend calls
// pre() before it starts and post() once the image is committed.
struct ImageBuildEvents {
    const RunRequest& req;
    nlohmann::json payload() const {
        return {{"ImageName", req.result_image}, {"SourcePath", req.context.string()},
                {"Context", req.context.string()}, {"BaseImage", req.base_image}};
    }
    void pre() const {
        if (!req.result_image.empty()) plugin::publish(plugin::kImagePreBuild, [&] { return payload(); });
    }
    void post() const {
        if (!req.result_image.empty()) plugin::publish(plugin::kImagePostBuild, [&] { return payload(); });
    }
};

class Backend {
public:
    virtual ~Backend() = default;

    // True when the image is available locally.
    virtual bool image_exists(const std::string& image) = 0;
    // The local image's ID, "sha256:<hex>": the digest of its configuration, which is also what
    // a registry's manifest names as config.digest. Throws luet::Error when it is not local.
    virtual std::string image_id(const std::string& image) = 0;
    // image_exists of each image, in order (an engine may answer all with one call).
    virtual std::vector<bool> images_exist(const std::vector<std::string>& images) {
        std::vector<bool> out;
        for (const auto& i : images) out.push_back(image_exists(i));
        return out;
    }
    // The environment recorded in the image's configuration ("NAME=value"; empty when none).
    virtual std::vector<std::string> image_env(const std::string& image) = 0;
    // Makes the image available (pulls it). Throws luet::Error when it cannot.
    virtual void pull(const std::string& image) = 0;
    // Throws luet::Error naming req.label and the exit code when a command fails;
    // output lines go to `sink`.
    virtual void run(const RunRequest& req, const core::LineSink& sink) = 0;
    // Applies the layers of `image` above the first N, N being the layer count of `base`, in
    // order into `dest` (an empty or existing folder), honouring whiteouts: the result is the
    // filesystem those layers produce. With `base` empty: the whole image content; with `base`
    // the image a build step started from: the files the step added or changed (its delta).
    // Entries `keep` refuses may be left out (an optimisation: an engine may write them all).
    virtual void export_layers(const std::string& image, const std::string& base, const std::filesystem::path& dest,
                               const LayerFilter& keep = {}) = 0;
    virtual void remove_image(const std::string& image) = 0;
    // Gives the local image `image` the further name `target`. Throws luet::Error naming both.
    virtual void tag(const std::string& image, const std::string& target) = 0;
    // Pushes the local image to the registry its name gives. Throws luet::Error naming it and
    // carrying the engine's message.
    virtual void push(const std::string& image) = 0;
    // Creates `image` whose only layer is the content of the host folder `root`.
    virtual void import_folder(const std::filesystem::path& root, const std::string& image) = 0;
    // Copies `source` (a file or folder, absolute path) out of `image` to the host path
    // `dest` (which must not exist). Throws luet::Error naming both when it cannot.
    virtual void copy_from_image(const std::string& image, const std::string& source,
                                 const std::filesystem::path& dest) = 0;
};

// The backend named `name`: "docker", "podman" or "buildah" (the Debian packages' commands,
// run as they are found in PATH). `backend_args` are added to each container run (upstream's
// --backend-args). Throws luet::Error for an unknown backend.
std::unique_ptr<Backend> make_backend(const std::string& name, const std::vector<std::string>& backend_args = {});

// buildah_backend.cpp
std::unique_ptr<Backend> make_buildah_backend(const std::vector<std::string>& backend_args);

// Shared by the backends.
// Applies one layer tarball (OCI/docker layer format with .wh. whiteouts) onto `dest`.
void apply_layer(const std::filesystem::path& layer_tar, const std::filesystem::path& dest);
// Applies one layer kept unpacked by an overlay storage driver (docker's overlay2, podman's
// overlay: the layer's "diff" folder) onto `dest`, as apply_layer does with the same layer's
// tar: whiteouts are character devices 0:0 (or .wh. files), an opaque folder has the xattr
// trusted.overlay.opaque=y, and of the xattrs only security.capability is kept (the one
// docker's layer tar carries). Entries other than folders that `keep` refuses are left out
// (whiteouts still apply). Needs read access to the engine's storage (root).
void apply_layer_folder(const std::filesystem::path& layer_dir, const std::filesystem::path& dest,
                        const LayerFilter& keep = {});
// Applies the layers [first_layer, end) of a docker-archive (what `docker save` and
// `buildah push IMAGE docker-archive:FILE` write: manifest.json naming the layer tarballs)
// onto `dest`, using `work` for the extracted layers.
void apply_archive_layers(const std::filesystem::path& archive, std::size_t first_layer,
                          const std::filesystem::path& dest, const std::filesystem::path& work);
// The /bin/sh script of a run: `set -e`, the staged copies (under `staging` in the
// container) moved to their destinations, then the commands.
std::string container_script(const RunRequest& req, const std::string& staging);
// 'text' quoted for /bin/sh.
std::string shell_quote(const std::string& text);

}  // namespace luet::build
