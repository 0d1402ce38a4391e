// Showing text that came from outside (package names, entry names, configuration values) on a
// terminal: control characters are escaped so that a name cannot move the cursor, clear the
// screen or forge an extra output line.
#pragma once

#include <string>
#include <string_view>

namespace luet::core {

// `text` with each control character (below 0x20, and 0x7f) written as a C escape: \n, \t,
// \r, \e, or \xNN; a backslash stays as it is. Other bytes (UTF-8 included) are kept.
std::string printable(std::string_view text);

// True when `text` holds a control character (below 0x20, or 0x7f): what printable() escapes,
// and what names, versions and paths from outside are refused for.
bool has_control(std::string_view text);

// printable(text) between single quotes, for error messages.
std::string quoted(std::string_view text);

// `text` without its trailing newlines and spaces (a command's output line: an image id, an
// engine's error message).
std::string trim_end(std::string text);

// The offset of the first byte of `text` that does not start a well-formed UTF-8 sequence
// (RFC 3629: no overlong forms, no surrogates, nothing above U+10FFFF — what Go's YAML reader
// and nlohmann::json's serializer accept), or npos when all of it is UTF-8.
std::size_t invalid_utf8(std::string_view text);

}  // namespace luet::core
