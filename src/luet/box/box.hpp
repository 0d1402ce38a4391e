// A box: one command run inside a rootfs folder, in new namespaces, as upstream's
// `luet box exec` (mudler/luet and geaaru/luet pkg/box: exec_linux.go, rootfs_linux.go).
//
// What the command sees, as upstream sets it up:
// - ROOTFS is its / (pivot_root), with /proc (a new proc of its own PID namespace) and the
//   host's /dev bind-mounted, plus every `mounts` entry;
// - new mount, UTS, IPC, PID and network namespaces: no network but loopback, PID 1 is the
//   command, and no mount made for the box is seen by the host;
// - its environment is `env` only (upstream passes nothing else);
// - a stream that is not attached reads from / writes to /dev/null.
// Upstream always adds a user namespace mapping the caller's uid and gid to 0. Ours does that
// only when the caller is not root: run as root, the command keeps the real root (files of
// every owner stay writable, and it works where user namespaces are disabled).
// The box leaves the folders proc/ and dev/ (mount points) in ROOTFS, as upstream.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace luet::box {

struct Options {
    std::filesystem::path rootfs;
    std::string entrypoint = "/bin/sh";  // a path in ROOTFS, or a name looked up in $PATH there
    std::vector<std::string> args;       // given to the entrypoint
    // "PATH" (the host's PATH at the same place in the box) or "HOST:TARGET".
    std::vector<std::string> mounts;
    std::vector<std::string> env;  // "KEY=VALUE": the command's whole environment
    bool attach_stdin = false;
    bool attach_stdout = true;
    bool attach_stderr = true;
};

// Runs the entrypoint in the box and waits for it; returns its exit status (0-255, or
// 128+N when killed by signal N). Throws luet::Error when ROOTFS is not a folder, a mount
// entry has more than one ':', or the box cannot be set up (namespaces, a mount, the
// pivot_root, or the entrypoint cannot be executed): the message names the step and the path.
int run(const Options& opts);

}  // namespace luet::box
