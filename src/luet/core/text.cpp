#include "luet/core/text.hpp"

#include <algorithm>

#include <fmt/format.h>

namespace luet::core {

std::string printable(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (unsigned char c : text) {
        switch (c) {
            case '\n': out += "\\n"; break;
            case '\t': out += "\\t"; break;
            case '\r': out += "\\r"; break;
            case 0x1b: out += "\\e"; break;
            default:
                if (c < 0x20 || c == 0x7f)
                    out += fmt::format("\\x{:02x}", c);
                else
                    out += static_cast<char>(c);
        }
    }
    return out;
}

std::string quoted(std::string_view text) { return "'" + printable(text) + "'"; }

std::string trim_end(std::string text) {
    while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
    return text;
}

std::size_t invalid_utf8(std::string_view t) {
    auto in = [&](std::size_t i, unsigned lo, unsigned hi) {
        if (i >= t.size()) return false;
        const auto c = static_cast<unsigned char>(t[i]);
        return c >= lo && c <= hi;
    };
    for (std::size_t i = 0; i < t.size();) {
        const auto b = static_cast<unsigned char>(t[i]);
        std::size_t len = 0;
        if (b < 0x80) len = 1;
        else if (b >= 0xC2 && b <= 0xDF) len = in(i + 1, 0x80, 0xBF) ? 2 : 0;
        else if (b == 0xE0) len = in(i + 1, 0xA0, 0xBF) && in(i + 2, 0x80, 0xBF) ? 3 : 0;
        else if (b == 0xED) len = in(i + 1, 0x80, 0x9F) && in(i + 2, 0x80, 0xBF) ? 3 : 0;
        else if (b >= 0xE1 && b <= 0xEF) len = in(i + 1, 0x80, 0xBF) && in(i + 2, 0x80, 0xBF) ? 3 : 0;
        else if (b == 0xF0) len = in(i + 1, 0x90, 0xBF) && in(i + 2, 0x80, 0xBF) && in(i + 3, 0x80, 0xBF) ? 4 : 0;
        else if (b >= 0xF1 && b <= 0xF3) len = in(i + 1, 0x80, 0xBF) && in(i + 2, 0x80, 0xBF) && in(i + 3, 0x80, 0xBF) ? 4 : 0;
        else if (b == 0xF4) len = in(i + 1, 0x80, 0x8F) && in(i + 2, 0x80, 0xBF) && in(i + 3, 0x80, 0xBF) ? 4 : 0;
        if (len == 0) return i;
        i += len;
    }
    return std::string_view::npos;
}

bool has_control(std::string_view text) {
    return std::any_of(text.begin(), text.end(), [](unsigned char c) { return c < 0x20 || c == 0x7f; });
}

}  // namespace luet::core
