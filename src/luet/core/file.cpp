#include "luet/core/file.hpp"

#include <stdlib.h>

#include <fstream>
#include <sstream>

#include "luet/core/error.hpp"

namespace luet::core {

std::string read_file(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw Error("cannot read " + path.string());
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

TempDir::TempDir(const std::string& purpose) {
    std::string tmpl = "/tmp/luet-" + purpose + "-XXXXXX";
    if (!mkdtemp(tmpl.data())) throw Error("cannot create a temporary folder " + tmpl);
    path = tmpl;
}

TempDir::~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
}

}  // namespace luet::core
