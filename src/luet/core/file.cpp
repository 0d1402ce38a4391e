#include "luet/core/file.hpp"

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

}  // namespace luet::core
