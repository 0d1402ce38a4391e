// The buildah backend (mudler/luet pkg/compiler/backend/simplebuildah.go drives `buildah`;
// no daemon). A run is a working container: `buildah from`, `copy`, `run`, `config`, `commit`.
// Images are read through `buildah push IMAGE docker-archive:FILE`, as upstream does;
// folders become images through a mounted `from scratch` container (as root).
#include <memory>
#include <nlohmann/json.hpp>

#include "luet/build/backend.hpp"
#include "luet/core/error.hpp"
#include "luet/core/file.hpp"
#include "luet/core/text.hpp"

namespace fs = std::filesystem;

namespace luet::build {
namespace {

std::string buildah(std::vector<std::string> args) {
    args.insert(args.begin(), "buildah");
    return core::capture(args);
}

// `buildah config --env` expands $NAME against the container's environment (Go's os.Expand,
// where "$$" gives "$"): the values given are literal, so each '$' is doubled.
std::string literal_env(const std::string& entry) {
    std::string out;
    for (char c : entry) out += c == '$' ? std::string("$$") : std::string(1, c);
    return out;
}

// A working container, removed when done.
struct Container {
    std::string id;
    explicit Container(const std::string& image) : id(core::trim_end(buildah({"from", "-q", "--pull=never", image}))) {}
    Container(const Container&) = delete;
    Container& operator=(const Container&) = delete;
    ~Container() { core::run({"buildah", "rm", id}); }
};

// The container's root folder on the host, unmounted when done.
struct Mount {
    const Container& c;
    fs::path path;
    explicit Mount(const Container& container) : c(container), path(core::trim_end(buildah({"mount", container.id}))) {}
    Mount(const Mount&) = delete;
    Mount& operator=(const Mount&) = delete;
    ~Mount() { core::run({"buildah", "umount", c.id}); }
};

nlohmann::json inspect(const std::string& image) {
    return nlohmann::json::parse(buildah({"inspect", "--type", "image", image}));
}

class BuildahBackend : public Backend {
public:
    explicit BuildahBackend(std::vector<std::string> run_args) : run_args_(std::move(run_args)) {}

    bool image_exists(const std::string& image) override {
        return core::run({"buildah", "inspect", "--type", "image", image}) == 0;
    }

    std::string image_id(const std::string& image) override {
        const std::string id = inspect(image).value("FromImageID", std::string());
        if (id.empty()) throw Error("buildah: image " + image + " has no ID");
        return id.starts_with("sha256:") ? id : "sha256:" + id;
    }

    std::vector<std::string> image_env(const std::string& image) override {
        const auto j = inspect(image);
        const auto& env = j.at("OCIv1").at("config").value("Env", nlohmann::json::array());
        return env.is_array() ? env.get<std::vector<std::string>>() : std::vector<std::string>{};
    }

    void pull(const std::string& image) override {
        plugin::publish(plugin::kImagePrePull, [&] { return image_event(image); });
        std::string out;
        int code = core::run({"buildah", "pull", "-q", image}, [&](std::string_view l) { out += std::string(l) + "\n"; });
        if (code != 0)
            throw Error("image " + image + " is not available locally and cannot be pulled by buildah: " + core::trim_end(out));
        plugin::publish(plugin::kImagePostPull, [&] { return image_event(image); });
    }

    void run(const RunRequest& req, const core::LineSink& sink) override {
        const ImageBuildEvents events{req};
        events.pre();
        Container ctr(req.base_image);
        if (!req.context.empty()) buildah({"copy", "-q", ctr.id, (req.context / ".").string(), req.workdir});
        const std::string staging = "/.luet-copy";
        if (!req.copies.empty()) {
            core::TempDir stage("copy");
            for (size_t i = 0; i < req.copies.size(); ++i)
                core::capture({"cp", "-a", req.copies[i].first.string(), (stage.path / std::to_string(i)).string()});
            buildah({"copy", "-q", ctr.id, (stage.path / ".").string(), staging});
        }
        std::vector<std::string> run = {"buildah", "run", "--workingdir", req.workdir};
        for (const auto& e : req.env) {
            run.push_back("--env");
            run.push_back(e);
        }
        run.insert(run.end(), run_args_.begin(), run_args_.end());
        run.insert(run.end(), {ctr.id, "--", "/bin/sh", "-c", container_script(req, staging)});
        const int code = core::run(run, sink);
        if (code != 0)
            throw Error(req.label + ": a build command failed (exit " + std::to_string(code) + ") in " +
                        req.base_image);
        std::vector<std::string> config = {"config", "--workingdir", req.workdir};
        for (const auto& e : req.env) {
            config.push_back("--env");
            config.push_back(literal_env(e));
        }
        config.push_back(ctr.id);
        buildah(config);
        buildah({"commit", "-q", ctr.id, req.result_image});
        events.post();
    }

    void export_layers(const std::string& image, const std::string& base, const fs::path& dest,
                       const LayerFilter& /*keep: every entry is written*/) override {
        const std::size_t first_layer =
            base.empty() ? 0 : inspect(base).at("OCIv1").at("rootfs").at("diff_ids").size();
        const core::TempDir tmp("save");
        const fs::path saved = tmp.path / "image.tar";
        buildah({"push", "-q", image, "docker-archive:" + saved.string()});
        apply_archive_layers(saved, first_layer, dest, tmp.path);
    }

    void remove_image(const std::string& image) override { core::run({"buildah", "rmi", "-f", image}); }

    void tag(const std::string& image, const std::string& target) override { buildah({"tag", image, target}); }

    // To the image's registry (build cache --push). A registry on the loopback address is
    // spoken to over plain HTTP, as Docker's engine does for 127.0.0.0/8.
    void push(const std::string& image) override {
        std::vector<std::string> args = {"push", "-q"};
        if (image.starts_with("127.") || image.starts_with("localhost")) args.push_back("--tls-verify=false");
        args.insert(args.end(), {image, "docker://" + image});
        plugin::publish(plugin::kImagePrePush, [&] { return image_event(image); });
        buildah(args);
        plugin::publish(plugin::kImagePostPush, [&] { return image_event(image); });
    }

    void import_folder(const fs::path& root, const std::string& image) override {
        Container ctr("scratch");
        {
            Mount mnt(ctr);
            core::capture({"sh", "-c",
                           "tar -C " + shell_quote(root.string()) + " -cf - . | tar -C " + shell_quote(mnt.path.string()) +
                               " --numeric-owner -xpf -"});
        }
        buildah({"commit", "-q", ctr.id, image});
    }

    void copy_from_image(const std::string& image, const std::string& source, const fs::path& dest) override {
        try {
            Container ctr(image);
            Mount mnt(ctr);
            const fs::path from = mnt.path / fs::path(source).relative_path();
            std::string err;
            if (core::run({"cp", "-a", from.string(), dest.string()},
                          [&](std::string_view l) { err += std::string(l) + "\n"; }) != 0)
                throw Error(core::trim_end(err));
        } catch (const Error& e) {
            throw Error("cannot copy " + source + " from image " + image + ": " + e.what());
        }
    }

private:
    std::vector<std::string> run_args_;
};

}  // namespace

std::unique_ptr<Backend> make_buildah_backend(const std::vector<std::string>& backend_args) {
    return std::make_unique<BuildahBackend>(backend_args);
}

}  // namespace luet::build
