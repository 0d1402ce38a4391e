// The `env` of a build spec, as Dockerfile ENV sets it (upstream luet writes each entry as an
// `ENV` line of the Dockerfile it builds: mudler/luet pkg/api/core/types/compilation_spec.go,
// geaaru/luet pkg/compiler/types/spec/spec.go genDockerfile). The values are expanded once,
// against the environment of the image the build starts from, and recorded in the images the
// build commits, so a package built from another sees its parent's environment.
#pragma once

#include <string>
#include <vector>

namespace luet::build {

// Docker's default PATH, which the image's environment is taken to have when it sets none
// (BuildKit does the same), so that PATH=$PATH:/x extends a usable PATH.
inline constexpr const char* kDefaultPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

// Expands `entries` ("NAME=value", in order; later entries see earlier ones) against `image_env`
// (the image's "NAME=value" list) and returns them as literal "NAME=value". Expansion as the
// Dockerfile word processor does: $NAME, ${NAME}, ${NAME:-word}, ${NAME:+word}; an unset name
// is empty; 'single quotes' are literal, "double quotes" expand, quotes are removed and a
// backslash escapes the next character. Unlike Dockerfile, an unquoted value may hold spaces
// (kept as written). An entry without '=' or with an empty name throws luet::Error naming it.
std::vector<std::string> expand_env(const std::vector<std::string>& entries, const std::vector<std::string>& image_env);

}  // namespace luet::build
