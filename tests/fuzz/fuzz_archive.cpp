// Archive entry handling (install/extract.hpp, artifact/tarball.hpp): an artifact or a
// tree/meta document tarball as a hostile repository serves it. list_entries refuses unsafe
// names, links and types; read_memory_tar unpacks a document within its caps. The input is
// written to a file (both read files, as the client does).
// Property: every listed entry is relative, without "..", and at most PATH_MAX long.
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "fuzz_util.hpp"
#include "luet/artifact/tarball.hpp"
#include "luet/core/error.hpp"
#include "luet/install/extract.hpp"

namespace fs = std::filesystem;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static const fs::path file = fs::temp_directory_path() / ("luet-fuzz-archive-" + std::to_string(::getpid()) + ".tar");
    {
        std::ofstream out(file, std::ios::binary | std::ios::trunc);
        out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
    }
    try {
        for (const auto& e : luet::install::list_entries(file)) {
            const fs::path name(e.name);
            if (name.is_absolute() || e.name.size() > 4095) fuzz::broken("entry inside the rootfs", e.name);
            for (const auto& part : name)
                if (part == "..") fuzz::broken("no .. in entries", e.name);
            if (!e.hardlink.empty() && (e.hardlink.front() == '/' || e.hardlink.starts_with("../")))
                fuzz::broken("hard link inside the rootfs", e.hardlink);
        }
    } catch (const luet::Error&) {
    }
    try {
        luet::artifact::read_memory_tar(file, 1 << 20, 8 << 20);
    } catch (const luet::Error&) {
    }
    return 0;
}
