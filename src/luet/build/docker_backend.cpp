// The docker backend, driving the `docker` command as upstream luet does.
#include <archive.h>
#include <archive_entry.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>

#include "luet/artifact/archive_error.hpp"
#include "luet/build/backend.hpp"
#include "luet/core/error.hpp"
#include "luet/core/file.hpp"

namespace fs = std::filesystem;

namespace luet::build {
namespace {

std::string quote(const std::string& s) {
    std::string out = "'";
    for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return out + "'";
}

// "NAME=value" as Dockerfile ENV would set it: a quoted value is kept as written, a bare
// one is double-quoted so that spaces stay in the value while $NAME still expands.
std::string export_line(const std::string& entry) {
    const size_t eq = entry.find('=');
    const std::string name = entry.substr(0, eq);
    std::string value = eq == std::string::npos ? "" : entry.substr(eq + 1);
    if (value.size() >= 2 && (value.front() == '"' || value.front() == '\'') && value.back() == value.front())
        return "export " + name + "=" + value;
    std::string out = "export " + name + "=\"";
    for (char c : value) {
        if (c == '"' || c == '\\' || c == '`') out += '\\';
        out += c;
    }
    return out + "\"";
}

// The container's script: exports, staged copies moved into place, then the commands.
std::string join_script(const RunRequest& req, const std::string& staging) {
    std::string script = "set -e\n";
    for (const auto& e : req.shell_env) script += export_line(e) + "\n";
    for (size_t i = 0; i < req.copies.size(); ++i) {
        const auto& [host, dest] = req.copies[i];
        const std::string from = staging + "/" + std::to_string(i);
        if (fs::is_directory(host)) {
            script += "mkdir -p " + quote(dest) + " && cp -a " + quote(from) + "/. " + quote(dest) + "/\n";
        } else {
            script += "mkdir -p " + quote(fs::path(dest).parent_path().string()) + " && cp -a " + quote(from) + " " +
                      quote(dest) + "\n";
        }
    }
    if (!req.copies.empty()) script += "rm -rf " + quote(staging) + "\n";
    for (const auto& c : req.commands) script += c + "\n";
    return script;
}

std::string trim(std::string s) {
    while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
    return s;
}

class DockerBackend : public Backend {
public:
    bool image_exists(const std::string& image) override {
        return core::run({"docker", "image", "inspect", image}) == 0;
    }

    void pull(const std::string& image) override {
        std::string out;
        int code = core::run({"docker", "pull", image}, [&](std::string_view l) { out += std::string(l) + "\n"; });
        if (code != 0)
            throw Error("image " + image + " is not available locally and cannot be pulled: " + trim(out));
    }

    void run(const RunRequest& req, const core::LineSink& sink) override {
        std::vector<std::string> create = {"docker", "create", "-w", req.workdir};
        for (const auto& e : req.env) {
            create.push_back("-e");
            create.push_back(e);
        }
        const std::string staging = "/.luet-copy";
        create.insert(create.end(), {req.base_image, "/bin/sh", "-c", join_script(req, staging)});
        const std::string container = trim(core::capture(create));
        struct Cleanup {
            std::string id;
            ~Cleanup() { core::run({"docker", "rm", "-f", id}); }
        } cleanup{container};

        if (!req.context.empty()) {
            // "docker cp DIR/. CTR:/workdir" copies the folder's content, creating workdir.
            core::capture({"docker", "cp", (req.context / ".").string(), container + ":" + req.workdir});
        }
        if (!req.copies.empty()) {
            // Staged under one folder, moved into place by the script (parents created).
            core::TempDir stage("copy");
            for (size_t i = 0; i < req.copies.size(); ++i)
                core::capture({"cp", "-a", req.copies[i].first.string(), (stage.path / std::to_string(i)).string()});
            core::capture({"docker", "cp", (stage.path / ".").string(), container + ":" + staging});
        }
        int code = core::run({"docker", "start", "-a", container}, sink);
        if (code != 0)
            throw Error(req.label + ": a build command failed (exit " + std::to_string(code) + ") in " +
                        req.base_image);
        core::capture({"docker", "commit", container, req.result_image});
    }

    std::size_t layer_count(const std::string& image) override {
        std::string out = core::capture({"docker", "image", "inspect", "-f", "{{len .RootFS.Layers}}", image});
        return std::stoul(trim(out));
    }

    void export_layers(const std::string& image, std::size_t first_layer, const fs::path& dest) override {
        const core::TempDir tmp("save");
        const fs::path& work = tmp.path;

        const fs::path saved = work / "image.tar";
        core::capture({"docker", "save", "-o", saved.string(), image});

        // Pass 1: the manifest names the layers in stack order.
        const auto manifest = nlohmann::json::parse(read_member(saved, "manifest.json"));
        std::vector<std::string> layers = manifest.at(0).at("Layers").get<std::vector<std::string>>();
        if (first_layer >= layers.size()) return;
        layers.erase(layers.begin(), layers.begin() + static_cast<std::ptrdiff_t>(first_layer));

        // Pass 2: copy the needed layer tarballs out, then apply them bottom-up.
        std::vector<fs::path> files = extract_members(saved, layers, work);
        for (const auto& f : files) apply_layer(f, dest);
    }

    void remove_image(const std::string& image) override { core::run({"docker", "rmi", "-f", image}); }

    void import_folder(const fs::path& root, const std::string& image) override {
        core::capture({"sh", "-c", "tar -C " + quote(root.string()) + " -cf - . | docker import - " + quote(image)});
    }

    void copy_from_image(const std::string& image, const std::string& source, const fs::path& dest) override {
        std::string out;
        const int created = core::run({"docker", "create", image, "/luet-copy-placeholder"},
                                      [&](std::string_view l) { out = std::string(l); });
        if (created != 0) throw Error("cannot copy " + source + " from image " + image + ": " + out);
        const std::string container = trim(out);
        struct Cleanup {
            std::string id;
            ~Cleanup() { core::run({"docker", "rm", "-f", id}); }
        } cleanup{container};
        std::string err;
        if (core::run({"docker", "cp", container + ":" + source, dest.string()},
                      [&](std::string_view l) { err += std::string(l) + "\n"; }) != 0)
            throw Error("cannot copy " + source + " from image " + image + ": " + trim(err));
    }

private:
    using ArchivePtr = std::unique_ptr<struct archive, int (*)(struct archive*)>;

    static ArchivePtr open_tar(const fs::path& file) {
        ArchivePtr a(archive_read_new(), archive_read_free);
        archive_read_support_format_tar(a.get());
        if (archive_read_open_filename(a.get(), file.c_str(), 1 << 16) != ARCHIVE_OK)
            throw Error("cannot open " + file.string() + ": " + archive_error_text(a.get()));
        return a;
    }

    static std::string read_member(const fs::path& file, const std::string& name) {
        ArchivePtr a = open_tar(file);
        struct archive_entry* e;
        while (archive_read_next_header(a.get(), &e) == ARCHIVE_OK) {
            if (name != archive_entry_pathname(e)) continue;
            std::string data(static_cast<size_t>(archive_entry_size(e)), '\0');
            if (archive_read_data(a.get(), data.data(), data.size()) != static_cast<ssize_t>(data.size()))
                throw Error("cannot read " + name + " from " + file.string());
            return data;
        }
        throw Error(file.string() + " has no " + name);
    }

    static std::vector<fs::path> extract_members(const fs::path& file, const std::vector<std::string>& names,
                                                 const fs::path& dir) {
        std::vector<fs::path> out(names.size());
        ArchivePtr a = open_tar(file);
        struct archive_entry* e;
        while (archive_read_next_header(a.get(), &e) == ARCHIVE_OK) {
            const std::string member = archive_entry_pathname(e);
            auto first = std::find(names.begin(), names.end(), member);
            if (first == names.end()) continue;
            const fs::path target = dir / ("layer-" + std::to_string(first - names.begin()) + ".tar");
            std::ofstream f(target, std::ios::binary);
            const void* buf;
            size_t size;
            la_int64_t offset;
            while (archive_read_data_block(a.get(), &buf, &size, &offset) == ARCHIVE_OK)
                f.write(static_cast<const char*>(buf), static_cast<std::streamsize>(size));
            if (!f.flush()) throw Error("cannot write " + target.string());
            // An image may stack the same (e.g. empty) layer more than once.
            for (size_t i = 0; i < names.size(); ++i)
                if (names[i] == member) out[i] = target;
        }
        for (size_t i = 0; i < names.size(); ++i)
            if (out[i].empty()) throw Error(file.string() + " has no layer " + names[i]);
        return out;
    }
};

}  // namespace

std::unique_ptr<Backend> make_backend(const std::string& name) {
    if (name == "docker") return std::make_unique<DockerBackend>();
    throw Error("unknown backend '" + name + "' (available: docker)");
}

}  // namespace luet::build
