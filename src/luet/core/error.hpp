// Errors raised by libluet. The library never prints or exits: it throws luet::Error
// (or a subclass) whose message names the file, the package and the constraint involved;
// the CLI catches it, prints it and turns it into a non-zero exit code.
#pragma once

#include <stdexcept>
#include <string>

namespace luet {

struct Error : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// A request that cannot be satisfied (unknown package, unsatisfiable constraints).
struct ResolveError : Error {
    using Error::Error;
};

}  // namespace luet
