#include "luet/box/box.hpp"

#include <fcntl.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "luet/core/error.hpp"

namespace luet::box {
namespace {

struct Mount {
    std::string source;  // on the host
    std::string target;  // absolute, below the rootfs
    bool directory = true;
};

// The child reports a failed step through the error pipe, then exits; the parent throws it.
[[noreturn]] void fail(int errfd, const std::string& what) {
    const std::string msg = what + ": " + std::strerror(errno);
    [[maybe_unused]] auto n = ::write(errfd, msg.data(), msg.size());
    ::_exit(127);
}

bool write_file(const char* path, const std::string& text) {
    const int fd = ::open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0) return false;
    const bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
    ::close(fd);
    return ok;
}

// mkdir -p (0755), ignoring folders that exist; on failure errno tells why.
bool make_dirs(const std::string& path) {
    std::error_code ec;
    std::filesystem::create_directories(path, ec);
    if (std::filesystem::is_directory(path)) return true;
    errno = ec ? ec.value() : ENOTDIR;
    return false;
}

int status_code(int status) {
    if (WIFEXITED(status)) return WEXITSTATUS(status);
    if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
    return 1;
}

// PID 1 of the box: mounts, pivot_root, then the entrypoint. Never returns.
[[noreturn]] void enter(const Options& opts, const std::string& root, const std::vector<Mount>& mounts,
                        std::vector<char*>& argv, std::vector<char*>& envp, int errfd) {
    const std::string proc = root + "/proc";
    if (!make_dirs(proc) || ::mount("proc", proc.c_str(), "proc", 0, nullptr) != 0)
        fail(errfd, "Failed mounting proc on rootfs (" + proc + ")");
    const std::string dev = root + "/dev";
    if (!make_dirs(dev) || ::mount("/dev", dev.c_str(), nullptr, MS_BIND | MS_REC, nullptr) != 0)
        fail(errfd, "Failed mounting dev on rootfs (" + dev + ")");
    for (const auto& m : mounts) {
        bool ready = m.directory ? make_dirs(m.target) : false;
        if (!m.directory) {
            make_dirs(std::filesystem::path(m.target).parent_path().string());
            const int fd = ::open(m.target.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
            ready = fd >= 0;
            if (fd >= 0) ::close(fd);
        }
        if (!ready || ::mount(m.source.c_str(), m.target.c_str(), nullptr, MS_BIND | MS_REC, nullptr) != 0)
            fail(errfd, "Failed mounting " + m.source + " on rootfs (" + m.target + ")");
    }
    // pivot_root needs the new root to be a mount point: bind it onto itself (with the
    // mounts made above below it).
    if (::mount(root.c_str(), root.c_str(), nullptr, MS_BIND | MS_REC, nullptr) != 0)
        fail(errfd, "Failed switching pivot on rootfs (bind " + root + ")");
    const std::string old = root + "/.pivot_root";
    if (!make_dirs(old)) fail(errfd, "Failed switching pivot on rootfs (mkdir " + old + ")");
    if (::syscall(SYS_pivot_root, root.c_str(), old.c_str()) != 0)
        fail(errfd, "Failed switching pivot on rootfs (pivot_root " + root + ")");
    if (::chdir("/") != 0) fail(errfd, "Failed switching pivot on rootfs (chdir /)");
    if (::umount2("/.pivot_root", MNT_DETACH) != 0) fail(errfd, "Failed switching pivot on rootfs (umount the old root)");
    ::rmdir("/.pivot_root");

    const bool attached[3] = {opts.attach_stdin, opts.attach_stdout, opts.attach_stderr};
    for (int fd = 0; fd < 3; ++fd) {
        if (attached[fd]) continue;
        const int null = ::open("/dev/null", fd == 0 ? O_RDONLY : O_WRONLY);
        if (null < 0 || ::dup2(null, fd) < 0) fail(errfd, "Failed opening /dev/null in the box");
        ::close(null);
    }
    // As Go's exec.Command: a name without '/' is looked up in luet's own $PATH (execvpe
    // searches the caller's environment), inside the new root.
    ::execvpe(argv[0], argv.data(), envp.data());
    fail(errfd, "Error running the " + opts.entrypoint + " command in the box");
}

}  // namespace

int run(const Options& opts) {
    std::error_code ec;
    if (!std::filesystem::is_directory(opts.rootfs, ec)) throw Error(opts.rootfs.string() + " does not exist");
    const std::string root = std::filesystem::canonical(opts.rootfs).string();
    std::vector<Mount> mounts;
    for (const auto& entry : opts.mounts) {
        Mount m;
        const auto colon = entry.find(':');
        if (colon == std::string::npos) {
            m.source = m.target = entry;
        } else {
            if (entry.find(':', colon + 1) != std::string::npos)
                throw Error("Invalid arguments for mount " + entry + ", it can be: fullpath, or source:target");
            m.source = entry.substr(0, colon);
            m.target = entry.substr(colon + 1);
        }
        if (!std::filesystem::exists(m.source, ec)) throw Error("Failed mounting " + m.source + " on rootfs: no such file");
        m.directory = std::filesystem::is_directory(m.source, ec);
        m.target = root + "/" + std::filesystem::path(m.target).relative_path().lexically_normal().string();
        mounts.push_back(std::move(m));
    }
    // Everything the children need is prepared here: after fork they only make system calls.
    std::vector<std::string> words = {opts.entrypoint};
    words.insert(words.end(), opts.args.begin(), opts.args.end());
    std::vector<char*> argv, envp;
    for (auto& w : words) argv.push_back(w.data());
    argv.push_back(nullptr);
    std::vector<std::string> env = opts.env;
    for (auto& e : env) envp.push_back(e.data());
    envp.push_back(nullptr);
    const uid_t uid = ::getuid();
    const gid_t gid = ::getgid();
    const std::string uid_map = "0 " + std::to_string(uid) + " 1\n";
    const std::string gid_map = "0 " + std::to_string(gid) + " 1\n";

    int pipefd[2];
    if (::pipe2(pipefd, O_CLOEXEC) != 0) throw Error(std::string("cannot create a pipe: ") + std::strerror(errno));
    const pid_t outer = ::fork();
    if (outer < 0) {
        ::close(pipefd[0]);
        ::close(pipefd[1]);
        throw Error(std::string("cannot fork: ") + std::strerror(errno));
    }
    if (outer == 0) {
        ::close(pipefd[0]);
        const int errfd = pipefd[1];
        int flags = CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWPID | CLONE_NEWNET;
        if (uid != 0) flags |= CLONE_NEWUSER;
        if (::unshare(flags) != 0) fail(errfd, "Failed creating the box namespaces");
        if (uid != 0 && (!write_file("/proc/self/setgroups", "deny") || !write_file("/proc/self/uid_map", uid_map) ||
                         !write_file("/proc/self/gid_map", gid_map)))
            fail(errfd, "Failed mapping uid " + std::to_string(uid) + " to root in the box");
        // Nothing mounted for the box propagates back to the host.
        if (::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0)
            fail(errfd, "Failed making the box mounts private");
        const pid_t inner = ::fork();  // PID 1 of the new PID namespace
        if (inner < 0) fail(errfd, "Failed starting the box");
        if (inner == 0) enter(opts, root, mounts, argv, envp, errfd);
        ::close(errfd);
        int status = 0;
        while (::waitpid(inner, &status, 0) < 0 && errno == EINTR) {}
        ::_exit(status_code(status));
    }
    ::close(pipefd[1]);
    std::string error;
    char buf[512];
    for (ssize_t n; (n = ::read(pipefd[0], buf, sizeof buf)) != 0;) {
        if (n < 0) {
            if (errno == EINTR) continue;
            break;
        }
        error.append(buf, static_cast<std::size_t>(n));
    }
    ::close(pipefd[0]);
    int status = 0;
    while (::waitpid(outer, &status, 0) < 0 && errno == EINTR) {}
    if (!error.empty()) throw Error(error + " (rootfs " + root + ", entrypoint " + opts.entrypoint + ")");
    return status_code(status);
}

}  // namespace luet::box
