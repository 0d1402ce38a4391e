// libarchive's error text, which is NULL when the library set no message (a truncated or
// garbled archive can fail that way): never appended to a std::string as is.
#pragma once

#include <archive.h>

#include <string>

namespace luet {

inline std::string archive_error_text(archive* a) {
    const char* text = archive_error_string(a);
    return text ? text : "unreadable archive (" + std::to_string(archive_errno(a)) + ")";
}

}  // namespace luet
