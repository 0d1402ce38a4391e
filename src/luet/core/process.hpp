// Running external programs (container engines, finalizer shells) without a shell in between.
#pragma once

#include <filesystem>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace luet::core {

// Receives the child's output one line at a time (stdout and stderr merged), without
// the trailing newline.
using LineSink = std::function<void(std::string_view line)>;

// Cuts a byte stream into lines ('\n', not kept) for a LineSink (a null sink drops them):
// run() with a child's output, the docker backend with a container's; finish() gives the
// last line when it has no newline.
class LineSplitter {
public:
    explicit LineSplitter(const LineSink& sink) : sink_(sink) {}
    void feed(std::string_view bytes);
    void finish();

private:
    const LineSink& sink_;
    std::string pending_;
};

// Runs argv[0] (looked up in PATH) with the given arguments and waits for it. Its standard
// input is /dev/null (closed where there is no /dev/null).
// Output lines go to `sink` when set, otherwise they are discarded.
// Returns the exit code (128 + signal number when killed by a signal).
// Throws luet::Error when the program cannot be started.
int run(const std::vector<std::string>& argv, const LineSink& sink = {});

// How `run` starts a program, without calling on other programs (env, chroot), so that
// finalizers run on a system that has nothing but a static luet.
struct RunOptions {
    std::vector<std::string> env;  // KEY=VALUE entries added to (or replacing) the inherited ones
    std::filesystem::path root;    // chroot into this folder before argv[0] is looked up; empty: none
};

// As run above, with `opts`. A program that cannot be started in `root` exits 127 with a line
// on its output saying so (the chroot happens in the child).
int run(const std::vector<std::string>& argv, const LineSink& sink, const RunOptions& opts);

// Runs argv and returns its stdout. Throws luet::Error quoting the command and its
// stderr when the exit code is not 0.
std::string capture(const std::vector<std::string>& argv);

// Human-readable command line for error messages.
std::string quote_command(const std::vector<std::string>& argv);

}  // namespace luet::core
