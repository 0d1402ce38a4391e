#include "luet/core/process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>

#include "luet/core/error.hpp"

extern char** environ;

namespace luet::core {
namespace {

struct Spawned {
    pid_t pid;
    int out_fd;  // read end of the stdout pipe
    int err_fd;  // read end of the stderr pipe, or -1 when merged into out_fd
};

// The environment of a child: ours, with `extra` (KEY=VALUE) added or replacing.
std::vector<std::string> child_environment(const std::vector<std::string>& extra) {
    std::vector<std::string> env;
    auto key = [](std::string_view e) { return e.substr(0, e.find('=')); };
    for (char** e = environ; e && *e; ++e) {
        const std::string_view entry(*e);
        bool replaced = false;
        for (const auto& x : extra) replaced = replaced || key(x) == key(entry);
        if (!replaced) env.emplace_back(entry);
    }
    env.insert(env.end(), extra.begin(), extra.end());
    return env;
}

std::vector<char*> c_strings(const std::vector<std::string>& v) {
    std::vector<char*> out;
    for (const auto& s : v) out.push_back(const_cast<char*>(s.c_str()));
    out.push_back(nullptr);
    return out;
}

Spawned spawn(const std::vector<std::string>& argv, bool merge_stderr, const RunOptions& opts = {}) {
    if (argv.empty()) throw Error("cannot run an empty command");
    int out[2];
    int err[2] = {-1, -1};
    if (pipe2(out, O_CLOEXEC) != 0) throw Error(std::string("pipe: ") + std::strerror(errno));
    if (!merge_stderr && pipe2(err, O_CLOEXEC) != 0) {
        close(out[0]);
        close(out[1]);
        throw Error(std::string("pipe: ") + std::strerror(errno));
    }
    // Standard input is /dev/null, or closed on a system without one.
    const int null_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
    const int err_w = merge_stderr ? out[1] : err[1];
    const auto args = c_strings(argv);
    const auto env_strings = opts.env.empty() ? std::vector<std::string>{} : child_environment(opts.env);
    const auto envp = c_strings(env_strings);
    char* const* child_env = opts.env.empty() ? environ : envp.data();

    pid_t pid = 0;
    int rc = 0;
    if (opts.root.empty()) {
        posix_spawn_file_actions_t actions;
        posix_spawn_file_actions_init(&actions);
        if (null_fd >= 0)
            posix_spawn_file_actions_adddup2(&actions, null_fd, 0);
        else
            posix_spawn_file_actions_addclose(&actions, 0);
        posix_spawn_file_actions_adddup2(&actions, out[1], 1);
        posix_spawn_file_actions_adddup2(&actions, err_w, 2);
        rc = posix_spawnp(&pid, args[0], &actions, nullptr, args.data(), child_env);
        posix_spawn_file_actions_destroy(&actions);
    } else {
        // posix_spawn cannot chroot: fork, and only async-signal-safe calls in the child.
        const std::string root = opts.root.string();
        static constexpr char kFailed[] = "cannot run the command in the chroot folder\n";
        pid = fork();
        if (pid == 0) {
            if (null_fd >= 0) dup2(null_fd, 0); else close(0);
            dup2(out[1], 1);
            dup2(err_w, 2);
            if (chroot(root.c_str()) == 0 && chdir("/") == 0) execvpe(args[0], args.data(), child_env);
            [[maybe_unused]] auto n = write(2, kFailed, sizeof kFailed - 1);
            _exit(127);
        }
        if (pid < 0) rc = errno;
    }
    if (null_fd >= 0) close(null_fd);
    close(out[1]);
    if (err[1] >= 0) close(err[1]);
    if (rc != 0) {
        close(out[0]);
        if (err[0] >= 0) close(err[0]);
        throw Error("cannot run " + argv[0] + ": " + std::strerror(rc));
    }
    return {pid, out[0], err[0]};
}

int wait_exit(pid_t pid) {
    int status = 0;
    while (waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR) return 255;
    }
    if (WIFEXITED(status)) return WEXITSTATUS(status);
    if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
    return 255;
}

// Reads both pipes to their end together, so a child filling one pipe while we wait on the
// other cannot block (e.g. >64 KiB of stderr before any stdout).
void read_both(int out_fd, int err_fd, std::string& out, std::string& err) {
    std::array<pollfd, 2> fds = {pollfd{out_fd, POLLIN, 0}, pollfd{err_fd, POLLIN, 0}};
    std::array<std::string*, 2> sinks = {&out, &err};
    std::array<char, 65536> buf;
    int open_fds = 2;
    while (open_fds > 0) {
        if (poll(fds.data(), fds.size(), -1) < 0) {
            if (errno == EINTR) continue;
            break;
        }
        for (size_t i = 0; i < fds.size(); ++i) {
            if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
            ssize_t n = read(fds[i].fd, buf.data(), buf.size());
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0) {
                close(fds[i].fd);
                fds[i].fd = -1;
                --open_fds;
                continue;
            }
            sinks[i]->append(buf.data(), static_cast<size_t>(n));
        }
    }
    for (auto& f : fds)
        if (f.fd >= 0) close(f.fd);
}

}  // namespace

void LineSplitter::feed(std::string_view bytes) {
    for (std::size_t nl; (nl = bytes.find('\n')) != std::string_view::npos;) {
        if (pending_.empty()) {
            if (sink_) sink_(bytes.substr(0, nl));
        } else {
            pending_.append(bytes.substr(0, nl));
            if (sink_) sink_(pending_);
            pending_.clear();
        }
        bytes.remove_prefix(nl + 1);
    }
    pending_.append(bytes);
}

void LineSplitter::finish() {
    if (!pending_.empty() && sink_) sink_(pending_);
    pending_.clear();
}

int run(const std::vector<std::string>& argv, const LineSink& sink) { return run(argv, sink, RunOptions{}); }

int run(const std::vector<std::string>& argv, const LineSink& sink, const RunOptions& opts) {
    Spawned child = spawn(argv, true, opts);
    LineSplitter lines(sink);
    std::array<char, 8192> buf;
    for (;;) {
        ssize_t n = read(child.out_fd, buf.data(), buf.size());
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        if (sink) lines.feed(std::string_view(buf.data(), static_cast<size_t>(n)));
    }
    close(child.out_fd);
    lines.finish();
    return wait_exit(child.pid);
}

std::string capture(const std::vector<std::string>& argv) {
    Spawned child = spawn(argv, false);
    std::string out, err;
    read_both(child.out_fd, child.err_fd, out, err);
    int code = wait_exit(child.pid);
    if (code != 0) {
        while (!err.empty() && (err.back() == '\n' || err.back() == ' ')) err.pop_back();
        throw Error(quote_command(argv) + " failed (exit " + std::to_string(code) + ")" +
                    (err.empty() ? "" : ": " + err));
    }
    return out;
}

std::string quote_command(const std::vector<std::string>& argv) {
    std::string s;
    for (const auto& a : argv) {
        if (!s.empty()) s += ' ';
        bool plain = !a.empty() && a.find_first_of(" \t\n'\"\\$") == std::string::npos;
        s += plain ? a : "'" + a + "'";
    }
    return s;
}

}  // namespace luet::core
