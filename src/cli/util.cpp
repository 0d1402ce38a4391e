// `luet util image-exist|unpack|pack` (mudler/luet cmd/util.go; geaaru/luet has no util
// command): images without a container engine, over the registry client.
#include <cstdio>
#include <memory>

#include "cli/commands.hpp"
#include "luet/build/backend.hpp"
#include "luet/build/cache.hpp"
#include "luet/repo/image.hpp"

namespace fs = std::filesystem;

namespace luet::cli {
namespace {

// docker/go-units BytesSize: binary units, 4 significant digits ("1.465KiB", "528B").
std::string bytes_size(double size) {
    static const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
    int i = 0;
    while (size >= 1024 && i < 6) {
        size /= 1024;
        ++i;
    }
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.4g%s", size, units[i]);
    return buf;
}

// "os/arch[/variant]" as upstream's types.ParsePlatform.
std::pair<std::string, std::string> parse_platform(const std::string& s) {
    const auto slash = s.find('/');
    if (slash == std::string::npos || slash == 0 || slash + 1 == s.size())
        throw Error("invalid platform '" + s + "': expected os/arch[/variant]");
    std::string arch = s.substr(slash + 1);
    if (const auto v = arch.find('/'); v != std::string::npos) arch.resize(v);
    return {s.substr(0, slash), arch};
}

void add_unpack(CLI::App& util) {
    struct Args {
        std::vector<std::string> args;
        std::string user, pass, auth_type, server, identity, registry_token, platform;
        bool verify = false, local = false;
    };
    auto a = std::make_shared<Args>();
    auto* cmd = util.add_subcommand("unpack", "Unpack a docker image natively");
    cmd->footer(
        "unpack doesn't need the docker daemon to run, and unpacks a docker image in the specified directory:\n\n"
        "\tluet util unpack golang:alpine /alpine");
    cmd->add_option("args", a->args, "image path");
    cmd->add_option("--auth-username", a->user, "Username to authenticate to registry");
    cmd->add_option("--auth-password", a->pass, "Password to authenticate to registry");
    cmd->add_option("--auth-type", a->auth_type, "Auth type (not used: basic or bearer is negotiated)");
    cmd->add_option("--auth-server-address", a->server, "Authentication server address (not used)");
    cmd->add_option("--auth-identity-token", a->identity, "Authentication identity token (not supported)");
    cmd->add_option("--auth-registry-token", a->registry_token, "Authentication registry token (not supported)");
    cmd->add_flag("--verify", a->verify, "Retained for compatibility, no longer performs image verification");
    cmd->add_flag("--local", a->local, "Unpack local image");
    cmd->add_option("--platform", a->platform, "Platform to unpack (e.g., linux/amd64, linux/arm64, linux/amd64/v3) ");
    cmd->callback([a] {
        if (a->args.size() != 2) throw Error("Expects an image and a path");
        const std::string image = a->args[0];
        const fs::path destination = fs::absolute(a->args[1]);
        if (!a->identity.empty() || !a->registry_token.empty())
            throw Error("--auth-identity-token and --auth-registry-token are not supported: give "
                        "--auth-username/--auth-password or a docker config.json");
        std::string os = "linux", arch = "amd64";
        if (!a->platform.empty()) std::tie(os, arch) = parse_platform(a->platform);
        info("Downloading " + image + " to " + destination.string());
        constexpr std::string_view file_prefix = "file://";
        if (a->local || image.starts_with(file_prefix)) {
            // An image of the local engine (upstream reads the daemon's image store).
            std::string name = image.starts_with(file_prefix) ? image.substr(file_prefix.size()) : image;
            auto backend = build::make_backend("docker");
            if (!backend->image_exists(name)) throw Error("image " + name + " is not available locally");
            fs::create_directories(destination);
            backend->export_layers(name, "", destination);
            return;
        }
        std::optional<repo::registry::Credentials> creds;
        if (!a->user.empty()) creds = repo::registry::Credentials{a->user, a->pass, {}};
        const auto got = repo::unpack_image(image, destination, creds, os, arch);
        info("Pulled: " + got.digest + " " + got.name);
        info("Size: " + bytes_size(static_cast<double>(got.size)));
    });
}

void add_pack(CLI::App& util) {
    struct Args {
        std::vector<std::string> args;
        std::string arch = "amd64", os = "linux";
    };
    auto a = std::make_shared<Args>();
    auto* cmd = util.add_subcommand("pack", "Pack a standard tar archive as a container image");
    cmd->footer(
        "Pack creates a tar which can be loaded as an image from a standard flat tar archive, for e.g. with docker "
        "load.\nIt doesn't need the docker daemon to run, and allows to override default os/arch:\n\n"
        "\tluet util pack --os arm64 image:tag src.tar dst.tar");
    cmd->add_option("args", a->args, "image src.tar dst.tar");
    cmd->add_option("--arch", a->arch, "Image architecture");
    cmd->add_option("--os", a->os, "Image OS");
    cmd->callback([a] {
        if (a->args.size() < 3)
            throw Error("requires at least 3 arg(s), only received " + std::to_string(a->args.size()));
        repo::pack_image(a->args[0], a->args[1], a->args[2], a->os, a->arch);
        info("Image packed as " + a->args[0]);
    });
}

void add_image_exist(CLI::App& util) {
    auto args = std::make_shared<std::vector<std::string>>();
    auto* cmd = util.add_subcommand("image-exist", "Check if an image exist");
    cmd->footer("Exits 0 if the image exist, otherwise exits with 1");
    cmd->add_option("image", *args, "image");
    cmd->callback([args] {
        if (args->size() != 1) throw Error("Expects an image");
        bool exists = false;
        try {
            exists = build::remote_image_exists((*args)[0]);
        } catch (const Error&) {
            exists = false;  // as upstream: any failure to find it is "does not exist"
        }
        if (!exists) throw CLI::RuntimeError(1);
    });
}

}  // namespace

void add_util(CLI::App& app, Globals&) {
    auto* util = app.add_subcommand("util", "General luet internal utilities exposed");
    util->require_subcommand(1);
    add_unpack(*util);
    add_pack(*util);
    add_image_exist(*util);
}

}  // namespace luet::cli
