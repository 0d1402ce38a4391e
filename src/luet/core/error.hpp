// Errors raised by libluet. The library never prints or exits: it throws luet::Error
// (or a subclass) whose message names the file, the package and the constraint involved;
// the CLI catches it, prints it and turns it into a non-zero exit code.
#pragma once

#include <stdexcept>
#include <string>
#include <utility>

namespace luet {

struct Error : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// A request that cannot be satisfied (unknown package, unsatisfiable constraints).
struct ResolveError : Error {
    using Error::Error;
};

// A requested package that no repository has (no package of that name, or no version
// matching the selector). The CLI of install reports it as geaaru/luet does (exit 0).
struct NotFoundError : ResolveError {
    NotFoundError(const std::string& message, std::string request_)
        : ResolveError(message), request(std::move(request_)) {}
    std::string request;  // the request as written by PackageRef::str()
};

// A download cut off because it is larger than the size allowed for it (the caller names the
// setting that bounds it).
struct SizeLimitError : Error {
    using Error::Error;
};

}  // namespace luet
