// Shared by the libFuzzer harnesses (tests/fuzz/README.md): splitting one input into parts and
// stopping on a broken property. A harness catches luet::Error (the library's refusal of bad
// input); any other exception, a sanitizer report or a failed property is a finding.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

namespace fuzz {

inline std::string text(const std::uint8_t* data, std::size_t size) {
    return std::string(reinterpret_cast<const char*>(data), size);
}

// The input cut at every NUL byte into at most `n` parts (fewer when it has fewer NULs).
inline std::vector<std::string> parts(const std::uint8_t* data, std::size_t size, std::size_t n) {
    std::vector<std::string> out(1);
    for (std::size_t i = 0; i < size; ++i) {
        if (data[i] == 0 && out.size() < n) out.emplace_back();
        else out.back() += static_cast<char>(data[i]);
    }
    return out;
}

[[noreturn]] inline void broken(const char* property, std::string_view detail) {
    std::fprintf(stderr, "property broken: %s\n  %.*s\n", property, static_cast<int>(detail.size()), detail.data());
    std::abort();
}

}  // namespace fuzz
