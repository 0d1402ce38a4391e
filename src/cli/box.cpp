// `luet box exec` and the hidden `luet exec` (mudler/luet and geaaru/luet cmd/box/exec.go,
// cmd/exec.go): run a command inside a rootfs folder (luet/box/box.hpp).
// Upstream's `box exec` re-runs the binary as the hidden `exec` inside new namespaces; ours
// sets the namespaces up directly, and `exec` does the same (upstream's `exec` pivots the
// caller's own mount namespace, which run by hand on a host would change the host's /).
// Both exit 1 with "Error: ..." when the command fails, as upstream (Fatal), naming its exit
// status.
#include <openssl/evp.h>

#include <filesystem>
#include <iostream>
#include <memory>

#include "cli/commands.hpp"
#include "luet/box/box.hpp"

namespace luet::cli {
namespace {

// --decode: each argument is base64 (upstream: to pass complex commands through intact).
std::string decode_base64(const std::string& in, std::size_t index) {
    std::string out(in.size() / 4 * 3 + 3, '\0');
    const int n = in.empty() ? 0
                             : EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                               reinterpret_cast<const unsigned char*>(in.data()), static_cast<int>(in.size()));
    if (n < 0 || in.size() % 4 != 0)
        throw Error("--decode: argument " + std::to_string(index + 1) + " is not base64: " + in);
    std::size_t len = static_cast<std::size_t>(n);
    for (std::size_t i = in.size(); i > 0 && in[i - 1] == '=' && len > 0; --i) --len;  // padding
    out.resize(len);
    return out;
}

std::string bracketed(const std::vector<std::string>& words) {
    std::string s = "[";
    for (std::size_t i = 0; i < words.size(); ++i) s += (i ? " " : "") + words[i];
    return s + "]";
}

// The eight flags of both commands; `attached` is the default of --stdout and --stderr
// (true for box exec, false for exec, as upstream).
void add_exec_command(CLI::App* cmd, bool attached) {
    auto opts = std::make_shared<box::Options>();
    auto decode = std::make_shared<bool>(false);
    opts->attach_stdout = opts->attach_stderr = attached;
    opts->rootfs = std::filesystem::current_path();
    const std::string on = attached ? "true" : "false";
    cmd->add_option("--rootfs", opts->rootfs, "Rootfs path (default: the current folder)");
    cmd->add_flag("--stdin", opts->attach_stdin, "Attach to stdin");
    cmd->add_flag("--stdout", opts->attach_stdout, "Attach to stdout (default " + on + ")")->default_str(on);
    cmd->add_flag("--stderr", opts->attach_stderr, "Attach to stderr (default " + on + ")")->default_str(on);
    cmd->add_flag("--decode", *decode, "Base64 decode the arguments");
    cmd->add_option("--env,-e", opts->env, "Environment settings KEY=VALUE (the command's whole environment)")
        ->allow_extra_args(false);
    cmd->add_option("--mount,-m", opts->mounts, "List of paths to bind-mount from the host (PATH or HOST:TARGET)")
        ->allow_extra_args(false);
    cmd->add_option("--entrypoint", opts->entrypoint, "Entrypoint command (/bin/sh)");
    cmd->add_option("args", opts->args, "Arguments of the entrypoint (after --)");
    cmd->callback([opts, decode] {
        if (*decode)
            for (std::size_t i = 0; i < opts->args.size(); ++i) opts->args[i] = decode_base64(opts->args[i], i);
        info("Executing " + bracketed(opts->args) + " in " + opts->rootfs.string());
        std::cout.flush();
        const int code = box::run(*opts);
        if (code != 0)
            throw Error("Error running the " + opts->entrypoint + " command in the box: exit status " +
                        std::to_string(code));
    });
}

}  // namespace

void add_box(CLI::App& app, Globals& /*g*/) {
    auto* box_cmd = app.add_subcommand("box", "Manage luet boxes");
    box_cmd->require_subcommand(1);
    add_exec_command(box_cmd->add_subcommand("exec", "Execute a binary in a box"), true);
    auto* exec = app.add_subcommand("exec", "Execute a command in the rootfs context");
    exec->group("");  // hidden, as upstream
    add_exec_command(exec, false);
}

}  // namespace luet::cli
