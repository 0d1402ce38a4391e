// Download progress of install-like commands: a bar redrawn in place on a terminal, one
// line per finished artifact otherwise (logs, CI).
#include <unistd.h>

#include <cstdio>
#include <iostream>
#include <map>

#include "cli/commands.hpp"

namespace luet::cli {
namespace {

std::string human_bytes(std::uint64_t n) {
    char buf[32];
    if (n >= (1u << 20)) {
        std::snprintf(buf, sizeof buf, "%.1f MiB", static_cast<double>(n) / (1 << 20));
    } else if (n >= 1024) {
        std::snprintf(buf, sizeof buf, "%.1f KiB", static_cast<double>(n) / 1024);
    } else {
        std::snprintf(buf, sizeof buf, "%llu B", static_cast<unsigned long long>(n));
    }
    return buf;
}

}  // namespace

DownloadProgress download_progress() {
    struct State {
        bool tty = isatty(STDOUT_FILENO) == 1 && !no_spinner() && !quiet_output();
        std::map<std::string, bool> finished;
    };
    auto state = std::make_shared<State>();
    return [state](const core::PackageForm& form, std::uint64_t done, std::uint64_t total) {
        const std::string name = form.str();
        const bool complete = total > 0 && done >= total;
        if (state->finished[name]) return;
        if (state->tty) {
            const int width = 30;
            const int filled = total > 0 ? static_cast<int>(width * done / total) : 0;
            std::cout << "\r📥 " << name << " [" << std::string(filled, '#') << std::string(width - filled, ' ') << "] "
                      << human_bytes(done) << (total > 0 ? " / " + human_bytes(total) : std::string()) << "\x1b[K";
            if (complete) std::cout << "\n";
            std::cout << std::flush;
        } else if (complete) {
            info("📥 Downloaded " + name + " (" + human_bytes(total) + ")");
        }
        if (complete) state->finished[name] = true;
    };
}

}  // namespace luet::cli
