// runproc: runs one command and writes its wall time and peak RSS, for the benchmarks.
//   runproc OUT CAP_SECONDS CMD [ARG...]
// OUT gets one line "WALL_NS PEAK_RSS_KIB". Wall time is CLOCK_MONOTONIC from just before
// fork to just after wait4: one fork and one exec, where timing `date; time timeout CMD;
// date` added three execs and about 2.5 ms (quiet machine) to every figure. Peak RSS is
// wait4's ru_maxrss, as GNU time reports it (it includes this small process's pages before
// exec, about 1 MiB, as GNU time's does). After CAP_SECONDS the command gets SIGTERM, and
// SIGKILL 5 s later; runproc then exits 124 as timeout(1) does. Otherwise it exits with the
// command's status (128 + signal when killed). Built by the bench scripts; not part of luet.
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>

namespace {
volatile sig_atomic_t g_child = 0;
volatile sig_atomic_t g_stage = 0;

void on_alarm(int) {
    if (g_child <= 0) return;
    if (g_stage == 0) {
        g_stage = 1;
        kill(g_child, SIGTERM);
        alarm(5);
    } else {
        g_stage = 2;
        kill(g_child, SIGKILL);
    }
}

std::int64_t now_ns() {
    timespec ts{};
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return static_cast<std::int64_t>(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}
}  // namespace

int main(int argc, char** argv) {
    if (argc < 4) {
        std::fprintf(stderr, "usage: runproc OUT CAP_SECONDS CMD [ARG...]\n");
        return 2;
    }
    const char* out = argv[1];
    const unsigned cap = static_cast<unsigned>(std::strtoul(argv[2], nullptr, 10));
    struct sigaction sa{};
    sa.sa_handler = on_alarm;
    sigaction(SIGALRM, &sa, nullptr);

    const std::int64_t t0 = now_ns();
    const pid_t pid = fork();
    if (pid < 0) {
        std::perror("runproc: fork");
        return 2;
    }
    if (pid == 0) {
        execvp(argv[3], argv + 3);
        std::perror("runproc: exec");
        _exit(127);
    }
    g_child = pid;
    if (cap > 0) alarm(cap);
    int status = 0;
    rusage ru{};
    while (wait4(pid, &status, 0, &ru) < 0) {
        if (errno != EINTR) {
            std::perror("runproc: wait4");
            return 2;
        }
    }
    const std::int64_t t1 = now_ns();
    alarm(0);
    if (FILE* f = std::fopen(out, "w")) {
        std::fprintf(f, "%lld %ld\n", static_cast<long long>(t1 - t0), ru.ru_maxrss);
        std::fclose(f);
    }
    if (g_stage > 0) return 124;
    if (WIFEXITED(status)) return WEXITSTATUS(status);
    return 128 + WTERMSIG(status);
}
