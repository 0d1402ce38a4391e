// Running external programs (container engines, finalizer shells) without a shell in between.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace luet::core {

// Receives the child's output one line at a time (stdout and stderr merged), without
// the trailing newline.
using LineSink = std::function<void(std::string_view line)>;

// Runs argv[0] (looked up in PATH) with the given arguments and waits for it.
// Output lines go to `sink` when set, otherwise they are discarded.
// Returns the exit code (128 + signal number when killed by a signal).
// Throws luet::Error when the program cannot be started.
int run(const std::vector<std::string>& argv, const LineSink& sink = {});

// Runs argv and returns its stdout. Throws luet::Error quoting the command and its
// stderr when the exit code is not 0.
std::string capture(const std::vector<std::string>& argv);

// Human-readable command line for error messages.
std::string quote_command(const std::vector<std::string>& argv);

}  // namespace luet::core
