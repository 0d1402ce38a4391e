// The docker and podman backends: both commands take the same arguments for what a build
// needs (create, cp, start -a, commit, save, import, image inspect), as upstream luet drives
// `docker`. Podman differences are kept here: its save format is named, and as root it sets
// the containers' open-file and process limits above the caller's by default, which fails
// where luet runs without CAP_SYS_RESOURCE (in a container): the caller's limits are passed.
//
// Docker: the calls made for each package (the container run: create, copy in, start with
// its output, wait, commit, remove; and image inspect) go to the Docker Engine API over its
// unix socket (docker_api.hpp) instead of a `docker` process each, when the socket answers.
// The CLI stays for pull, push, tag, save, import and copies out of images (a few per build),
// and does everything when the engine is elsewhere (DOCKER_HOST tcp:// or ssh://, a docker
// context), the socket cannot be reached (permissions), or for the container run when a
// --backend-args flag is one translate_backend_args does not know. LUET_DOCKER_API=0 always
// uses the CLI, =1 requires the API (an error where it cannot be used; for the tests).
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <condition_variable>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <mutex>
#include <optional>
#include <nlohmann/json.hpp>
#include <set>
#include <string_view>
#include <system_error>
#include <thread>

#include "luet/build/backend.hpp"
#include "luet/build/docker_api.hpp"
#include "luet/core/error.hpp"
#include "luet/core/file.hpp"
#include "luet/core/text.hpp"

namespace fs = std::filesystem;

namespace luet::build {
namespace {

// "--ulimit=nofile=SOFT:HARD" with the limits luet runs with. Podman lowers its own process
// limit to kernel.pid_max before starting containers; the container's may not be higher.
std::vector<std::string> caller_ulimits() {
    std::vector<std::string> out;
    auto add = [&](int resource, const char* name, rlim_t cap) {
        rlimit r{};
        if (getrlimit(resource, &r) != 0) return;
        rlim_t soft = std::min(r.rlim_cur, cap), hard = std::min(r.rlim_max, cap);
        if (hard == RLIM_INFINITY) return;
        out.push_back(std::string("--ulimit=") + name + "=" + std::to_string(soft) + ":" + std::to_string(hard));
    };
    rlim_t pid_max = RLIM_INFINITY;
    std::ifstream f("/proc/sys/kernel/pid_max");
    unsigned long long v = 0;
    if (f >> v && v > 0) pid_max = static_cast<rlim_t>(v);
    add(RLIMIT_NOFILE, "nofile", RLIM_INFINITY);
    add(RLIMIT_NPROC, "nproc", pid_max);
    return out;
}

// The layer folders, bottom first, of an image whose inspect printed `graph_driver` (its
// .GraphDriver as JSON) and `layers` layers, when the driver is overlay (docker: overlay2,
// podman: overlay) and every folder can be read; else empty. Overlay lists the folders in
// Data.LowerDir ("top:...:bottom") and Data.UpperDir (the top layer).
std::vector<fs::path> overlay_layer_folders(const std::string& graph_driver, std::size_t layers) {
    std::vector<fs::path> out;
    nlohmann::json j;
    try {
        j = nlohmann::json::parse(graph_driver);
    } catch (const nlohmann::json::exception&) {
        return {};
    }
    if (!j.is_object() || !j.contains("Name") || !j.contains("Data") || !j["Data"].is_object()) return {};
    const std::string name = j["Name"].is_string() ? j["Name"].get<std::string>() : "";
    if (name != "overlay2" && name != "overlay") return {};
    const auto& data = j["Data"];
    auto text = [&](const char* key) {
        return data.contains(key) && data[key].is_string() ? data[key].get<std::string>() : std::string();
    };
    const std::string upper = text("UpperDir"), lower = text("LowerDir");
    if (upper.empty()) return {};
    std::vector<fs::path> top_first = {upper};
    for (std::size_t from = 0; from < lower.size();) {
        const std::size_t colon = std::min(lower.find(':', from), lower.size());
        if (colon > from) top_first.emplace_back(lower.substr(from, colon - from));
        from = colon + 1;
    }
    if (top_first.size() != layers) return {};
    for (auto it = top_first.rbegin(); it != top_first.rend(); ++it) {
        if (::access(it->c_str(), R_OK | X_OK) != 0) return {};
        out.push_back(*it);
    }
    return out;
}

class DockerBackend : public Backend {
public:
    DockerBackend(std::string program, std::vector<std::string> run_args)
        : program_(std::move(program)), run_args_(std::move(run_args)) {
        // LUET_BUILD_LAYER_FOLDERS: "0" always cuts layers from `save` (the portable path),
        // "1" requires the layer folders (an error where the storage cannot give them); unset:
        // the folders where they can be read, else `save`. The integration tests compare both.
        const char* v = std::getenv("LUET_BUILD_LAYER_FOLDERS");
        const std::string_view mode = v ? v : "";
        layer_folders_ = mode != "0";
        layer_folders_required_ = mode == "1";
        const char* a = std::getenv("LUET_DOCKER_API");
        const std::string_view api_mode = a ? a : "";
        api_allowed_ = program_ == "docker" && api_mode != "0";
        api_required_ = api_mode == "1";
        if (program_ == "docker") create_options_ = docker_api::translate_backend_args(run_args_);
    }

    bool image_exists(const std::string& image) override {
        if (auto* e = api()) return e->inspect_image(image).has_value();
        return core::run({program_, "image", "inspect", image}) == 0;
    }

    std::string image_id(const std::string& image) override {
        if (auto* e = api()) return api_inspect(*e, image).at("Id").get<std::string>();
        std::string id = core::trim_end(capture({"image", "inspect", "-f", "{{.Id}}", image}));
        return id.starts_with("sha256:") ? id : "sha256:" + id;  // podman prints the hex alone
    }

    // Docker: one `image inspect` of all of them; it prints an id per image it has and names
    // each one it lacks ("No such image: NAME"). Anything else: one call per image.
    std::vector<bool> images_exist(const std::vector<std::string>& images) override {
        if (api() || program_ != "docker" || images.size() < 2) return Backend::images_exist(images);
        std::vector<std::string> args = {program_, "image", "inspect", "-f", "id {{.Id}}"};
        args.insert(args.end(), images.begin(), images.end());
        std::size_t found = 0;
        std::set<std::string> missing;
        constexpr std::string_view no_such = "No such image: ";
        core::run(args, [&](std::string_view line) {
            if (line.starts_with("id ")) {
                ++found;
            } else if (const auto at = line.find(no_such); at != std::string_view::npos) {
                missing.insert(core::trim_end(std::string(line.substr(at + no_such.size()))));
            }
        });
        std::vector<bool> out;
        std::size_t named = 0;
        for (const auto& i : images) {
            out.push_back(missing.count(i) == 0);
            named += missing.count(i);
        }
        // Each image answered exactly once, or ask one at a time.
        if (found + named != images.size()) return Backend::images_exist(images);
        return out;
    }

    std::vector<std::string> image_env(const std::string& image) override {
        if (auto* e = api()) {
            const auto j = api_inspect(*e, image);
            const auto config = j.find("Config");
            if (config == j.end() || !config->is_object()) return {};
            const auto env = config->find("Env");
            return env != config->end() && env->is_array() ? env->get<std::vector<std::string>>()
                                                            : std::vector<std::string>{};
        }
        const auto env = nlohmann::json::parse(capture({"image", "inspect", "-f", "{{json .Config.Env}}", image}));
        return env.is_array() ? env.get<std::vector<std::string>>() : std::vector<std::string>{};
    }

    void pull(const std::string& image) override {
        plugin::publish(plugin::kImagePrePull, [&] { return image_event(image); });
        std::string out;
        int code = core::run({program_, "pull", image}, [&](std::string_view l) { out += std::string(l) + "\n"; });
        if (code != 0)
            throw Error("image " + image + " is not available locally and cannot be pulled by " + program_ + ": " +
                        core::trim_end(out));
        plugin::publish(plugin::kImagePostPull, [&] { return image_event(image); });
    }

    void run(const RunRequest& req, const core::LineSink& sink) override {
        const ImageBuildEvents events{req};
        events.pre();
        if (auto* e = api()) {
            if (create_options_) {
                run_api(*e, req, sink);
                events.post();
                return;
            }
            if (api_required_)
                throw Error(req.label + ": LUET_DOCKER_API=1 but the --backend-args (" +
                            core::quote_command(run_args_) +
                            ") have a flag the Docker Engine API path does not translate");
        }
        // Labelled with the package being built, so builds can be told apart in `docker events`.
        std::vector<std::string> create = {program_, "create", "--label", "io.luet.build=" + req.label, "-w", req.workdir};
        create.insert(create.end(), run_args_.begin(), run_args_.end());
        for (const auto& e : req.env) {
            create.push_back("-e");
            create.push_back(e);
        }
        const std::string staging = "/.luet-copy";
        create.insert(create.end(), {req.base_image, "/bin/sh", "-c", container_script(req, staging)});
        const std::string container = core::trim_end(core::capture(create));
        struct Cleanup {
            DockerBackend& backend;
            std::string id;
            ~Cleanup() { backend.remove_later(id); }
        } cleanup{*this, container};

        if (!req.context.empty()) {
            // "cp DIR/. CTR:/workdir" copies the folder's content, creating workdir.
            capture({"cp", (req.context / ".").string(), container + ":" + req.workdir});
        }
        if (!req.copies.empty()) {
            // Staged under one folder, moved into place by the script (parents created).
            core::TempDir stage("copy");
            for (size_t i = 0; i < req.copies.size(); ++i)
                core::capture({"cp", "-a", req.copies[i].first.string(), (stage.path / std::to_string(i)).string()});
            capture({"cp", (stage.path / ".").string(), container + ":" + staging});
        }
        int code = core::run({program_, "start", "-a", container}, sink);
        if (code != 0)
            throw Error(req.label + ": a build command failed (exit " + std::to_string(code) + ") in " +
                        req.base_image);
        // The container's -e entries become the image's ENV (docker and podman commit keep them).
        capture({"commit", container, req.result_image});
        events.post();
    }

    void export_layers(const std::string& image, const std::string& base, const fs::path& dest,
                       const LayerFilter& keep) override {
        // One inspect for both images: the layer count of `base`, the storage of `image`.
        std::string out;
        if (auto* e = api()) {
            // The same two lines the CLI's template prints.
            auto line = [&](const std::string& name) {
                const auto j = api_inspect(*e, name);
                return std::to_string(j.at("RootFS").at("Layers").size()) + " " +
                       (j.contains("GraphDriver") ? j["GraphDriver"].dump() : "null") + "\n";
            };
            out = line(image);
            if (!base.empty()) out += line(base);
        } else {
            std::vector<std::string> args = {"image", "inspect", "-f",
                                             "{{len .RootFS.Layers}} {{json .GraphDriver}}", image};
            if (!base.empty()) args.push_back(base);
            out = capture(args);
        }
        const std::size_t eol = out.find('\n');
        const std::string first_line = out.substr(0, eol);
        std::size_t first_layer = 0;
        if (!base.empty()) {
            if (eol == std::string::npos) throw Error("image inspect of " + base + " printed nothing");
            first_layer = std::stoul(out.substr(eol + 1));
        }
        const std::size_t space = first_line.find(' ');
        const std::size_t layers = std::stoul(first_line.substr(0, space));
        if (first_layer >= layers) return;
        // The layers as the storage driver keeps them unpacked, when it is an overlay driver
        // whose folders this process can read: no `save` of the whole image per package.
        if (layer_folders_ && space != std::string::npos) {
            const auto folders = overlay_layer_folders(first_line.substr(space + 1), layers);
            if (!folders.empty()) {
                for (std::size_t i = first_layer; i < folders.size(); ++i) apply_layer_folder(folders[i], dest, keep);
                return;
            }
        }
        if (layer_folders_required_) {
            const std::string storage = space == std::string::npos ? "" : first_line.substr(space + 1);
            throw Error("LUET_BUILD_LAYER_FOLDERS=1: the layers of " + image + " are not overlay folders " + program_ +
                        " lets this process read (storage: " + storage + ")");
        }
        const core::TempDir tmp("save");
        const fs::path saved = tmp.path / "image.tar";
        std::vector<std::string> save = {"save", "-o", saved.string()};
        if (program_ == "podman") save.insert(save.begin() + 1, "--format=docker-archive");
        save.push_back(image);
        capture(save);
        apply_archive_layers(saved, first_layer, dest, tmp.path);
    }

    void remove_image(const std::string& image) override {
        if (auto* e = api()) return e->remove_image(image);
        core::run({program_, "rmi", "-f", image});
    }

    void tag(const std::string& image, const std::string& target) override {
        std::string out;
        if (core::run({program_, "tag", image, target}, [&](std::string_view l) { out += std::string(l) + "\n"; }) != 0)
            throw Error("cannot tag image " + image + " as " + target + ": " + core::trim_end(out));
    }

    void push(const std::string& image) override {
        std::string out;
        std::vector<std::string> args = {program_, "push"};
        // Docker speaks plain HTTP to registries on 127.0.0.0/8 by itself; podman must be told.
        if (program_ == "podman" && (image.starts_with("127.") || image.starts_with("localhost")))
            args.push_back("--tls-verify=false");
        args.push_back(image);
        plugin::publish(plugin::kImagePrePush, [&] { return image_event(image); });
        if (core::run(args, [&](std::string_view l) { out += std::string(l) + "\n"; }) != 0)
            throw Error("cannot push image " + image + ": " + core::trim_end(out));
        plugin::publish(plugin::kImagePostPush, [&] { return image_event(image); });
    }

    void import_folder(const fs::path& root, const std::string& image) override {
        core::capture({"sh", "-c",
                       "tar -C " + shell_quote(root.string()) + " -cf - . | " + program_ + " import - " +
                           shell_quote(image)});
    }

    void copy_from_image(const std::string& image, const std::string& source, const fs::path& dest) override {
        std::string out;
        const int created = core::run({program_, "create", image, "/luet-copy-placeholder"},
                                      [&](std::string_view l) { out = std::string(l); });
        if (created != 0) throw Error("cannot copy " + source + " from image " + image + ": " + out);
        const std::string container = core::trim_end(out);
        struct Cleanup {
            const std::string& program;
            std::string id;
            ~Cleanup() { core::run({program, "rm", "-f", id}); }
        } cleanup{program_, container};
        std::string err;
        if (core::run({program_, "cp", container + ":" + source, dest.string()},
                      [&](std::string_view l) { err += std::string(l) + "\n"; }) != 0)
            throw Error("cannot copy " + source + " from image " + image + ": " + core::trim_end(err));
    }

    ~DockerBackend() override {
        if (remover_.joinable()) {
            {
                std::lock_guard lock(finished_mutex_);
                closing_ = true;
            }
            finished_cv_.notify_all();
            remover_.join();
        }
        std::vector<std::string> rest;
        rest.swap(finished_);
        remove_containers(rest);
    }

private:
    // The containers of finished runs are removed a batch at a time: one `rm -f` for several
    // costs the engine less than one per container (two per package), the same in the end.
    static constexpr std::size_t kRemoveBatch = 16;
    // Through the API a removal costs no process: one thread removes each container as its run
    // ends, off the path of the builds (the engine's work is the same).
    void remove_later(const std::string& id) noexcept {
        std::vector<std::string> batch;
        {
            std::lock_guard lock(finished_mutex_);
            finished_.push_back(id);
            if (api_) {
                if (!remover_.joinable()) {
                    try {
                        remover_ = std::thread([this] { remove_in_background(); });
                    } catch (const std::system_error&) {
                        // No thread: removed in a batch below, or at the end.
                    }
                }
                if (remover_.joinable()) {
                    finished_cv_.notify_one();
                    return;
                }
            }
            if (finished_.size() >= kRemoveBatch) batch.swap(finished_);
        }
        remove_containers(batch);
    }
    void remove_in_background() noexcept {
        std::unique_lock lock(finished_mutex_);
        for (;;) {
            finished_cv_.wait(lock, [&] { return closing_ || !finished_.empty(); });
            if (finished_.empty()) return;  // closing, nothing left
            std::vector<std::string> batch;
            batch.swap(finished_);
            lock.unlock();
            remove_containers(batch);
            lock.lock();
        }
    }
    void remove_containers(const std::vector<std::string>& ids) noexcept {
        if (ids.empty()) return;
        if (api_) {  // set once the API is in use (a container the CLI made is the same engine's)
            for (const auto& id : ids) api_->remove_container(id);
            return;
        }
        std::vector<std::string> args = {program_, "rm", "-f"};
        args.insert(args.end(), ids.begin(), ids.end());
        try {
            core::run(args);
        } catch (const Error&) {
            // The engine cannot be started any more: nothing else to do with the containers.
        }
    }

    // The engine's API when this backend uses it (see the top of this file), else null. Throws
    // luet::Error with LUET_DOCKER_API=1 when it cannot be used.
    docker_api::Engine* api() {
        if (!api_allowed_) return nullptr;
        std::call_once(api_once_, [&] {
            std::string why;
            api_ = docker_api::Engine::connect(docker_api::socket_path_from_environment(), why);
            if (!api_) api_error_ = why;
        });
        if (!api_ && api_required_) throw Error("LUET_DOCKER_API=1 but the Docker Engine API cannot be used: " + api_error_);
        return api_.get();
    }

    static nlohmann::json api_inspect(docker_api::Engine& e, const std::string& image) {
        auto j = e.inspect_image(image);
        if (!j) throw Error("image " + image + " is not available locally (docker: No such image: " + image + ")");
        return *j;
    }

    // The container run through the API: the same container `docker create` makes (labels,
    // workdir, env: the --backend-args' first, then the run's; the script as its command), the
    // context and the copies sent as tars, its output streamed to `sink`, then committed.
    void run_api(docker_api::Engine& e, const RunRequest& req, const core::LineSink& sink) {
        const std::string staging = "/.luet-copy";
        nlohmann::json env = nlohmann::json::array();
        for (const auto& v : create_options_->env) env.push_back(v);
        for (const auto& v : req.env) env.push_back(v);
        nlohmann::json body = {
            {"Image", req.base_image},
            {"Cmd", {"/bin/sh", "-c", container_script(req, staging)}},
            {"WorkingDir", req.workdir},
            {"Env", env},
            {"Labels", {{"io.luet.build", req.label}}},
            {"AttachStdout", true},
            {"AttachStderr", true},
            {"HostConfig", create_options_->host_config},
        };
        if (!create_options_->user.empty()) body["User"] = create_options_->user;
        std::string container;
        try {
            container = e.create_container(body);
        } catch (const Error& x) {  // NoSuchImage included
            throw Error(req.label + ": cannot create a container from image " + req.base_image + ": " + x.what());
        }
        struct Cleanup {
            DockerBackend& backend;
            std::string id;
            ~Cleanup() { backend.remove_later(id); }
        } cleanup{*this, container};
        try {
            // The context's content into workdir (the engine made it when creating the
            // container); the copies under the staging folder, moved into place by the script.
            const core::TempDir tars("copy");
            if (!req.context.empty()) {
                docker_api::write_copy_tar({{req.context, ""}}, tars.path / "context.tar");
                e.put_archive(container, req.workdir, tars.path / "context.tar");
            }
            if (!req.copies.empty()) {
                std::vector<std::pair<fs::path, std::string>> sources;
                for (size_t i = 0; i < req.copies.size(); ++i)
                    sources.emplace_back(req.copies[i].first, staging.substr(1) + "/" + std::to_string(i));
                docker_api::write_copy_tar(sources, tars.path / "copies.tar");
                e.put_archive(container, "/", tars.path / "copies.tar");
            }
        } catch (const Error& x) {
            throw Error(req.label + ": cannot copy the build context into the container from " + req.base_image +
                        ": " + x.what());
        }
        // Nothing to run (a builder image that is the context alone): the container's layer
        // already holds it; starting it would only cost a runtime start and stop.
        int code = 0;
        try {
            if (!req.commands.empty() || !req.copies.empty()) code = e.start_attached(container, sink);
        } catch (const Error& x) {  // the engine could not start it (no /bin/sh in the image, ...)
            throw Error(req.label + ": cannot run the build container from image " + req.base_image + ": " + x.what());
        }
        if (code != 0)
            throw Error(req.label + ": a build command failed (exit " + std::to_string(code) + ") in " +
                        req.base_image);
        try {
            e.commit(container, req.result_image);
        } catch (const Error& x) {
            throw Error(req.label + ": cannot commit the build container as image " + req.result_image + ": " +
                        x.what());
        }
    }

    std::string capture(std::vector<std::string> args) const {
        args.insert(args.begin(), program_);
        return core::capture(args);
    }

    std::string program_;
    std::vector<std::string> run_args_;
    bool layer_folders_ = true;
    bool layer_folders_required_ = false;
    bool api_allowed_ = false, api_required_ = false;
    std::optional<docker_api::CreateOptions> create_options_;  // nullopt: a --backend-args flag the API path lacks
    std::once_flag api_once_;
    std::unique_ptr<docker_api::Engine> api_;
    std::string api_error_;
    std::mutex finished_mutex_;
    std::condition_variable finished_cv_;
    bool closing_ = false;
    std::thread remover_;                // removes finished_ when the API is in use
    std::vector<std::string> finished_;  // containers of finished runs, not removed yet
};

}  // namespace

std::unique_ptr<Backend> make_backend(const std::string& name, const std::vector<std::string>& backend_args) {
    if (name == "docker") return std::make_unique<DockerBackend>("docker", backend_args);
    if (name == "podman") {
        std::vector<std::string> args = caller_ulimits();
        // The user's --backend-args come after ours.
        args.insert(args.end(), backend_args.begin(), backend_args.end());
        return std::make_unique<DockerBackend>("podman", args);
    }
    if (name == "buildah" || name == "img") return make_buildah_backend(backend_args);
    throw Error("unknown backend '" + name + "' (available: docker, podman, buildah)");
}

}  // namespace luet::build
