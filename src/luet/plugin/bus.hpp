// Plugins: executables run on luet's events, as mudler/luet's (pkg/api/core/bus/events.go,
// with github.com/mudler/go-pluggable as vendored by it, 2021-12).
//
// A plugin is named with `--plugin NAME` (or `plugin:` in the config); every folder of $PATH
// holding an entry NAME gives one plugin. On each event, each plugin runs as
//     EXECUTABLE EVENT_NAME EVENT_JSON
// where EVENT_JSON is {"name": EVENT_NAME, "data": PAYLOAD_JSON_TEXT, "file": ""}; a payload
// over 8 192 bytes is written to a temporary file instead ("data": "", "file": PATH).
// The plugin answers on stdout with {"state": "...", "data": "...", "error": "..."}: an
// "error", a non-zero exit or an answer that is not JSON fails the command ("Plugin NAME at
// PATH had an error: ..."; upstream exits at once, ours raises luet::Error so the running
// transaction rolls back); a "state" is reported.
// Emitted today: package.install/uninstall (before the transaction's commit),
// package.pre/post.upgrade, package.pre/post.build, package.pre/post.build_artifact,
// repository.pre/post.build (local repositories), image.pre/post.pull, image.pre/post.push and
// image.pre/post.build (the build backends; a build image is one container run committed).
// image.pre/post.unpack are defined but not emitted.
#pragma once

#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace luet::plugin {

// Event names (mudler/luet's).
inline constexpr const char* kPackageInstall = "package.install";
inline constexpr const char* kPackageUninstall = "package.uninstall";
inline constexpr const char* kPreUpgrade = "package.pre.upgrade";
inline constexpr const char* kPostUpgrade = "package.post.upgrade";
inline constexpr const char* kPackagePreBuild = "package.pre.build";
inline constexpr const char* kPackagePreBuildArtifact = "package.pre.build_artifact";
inline constexpr const char* kPackagePostBuildArtifact = "package.post.build_artifact";
inline constexpr const char* kPackagePostBuild = "package.post.build";
inline constexpr const char* kImagePreBuild = "image.pre.build";
inline constexpr const char* kImagePostBuild = "image.post.build";
inline constexpr const char* kImagePrePull = "image.pre.pull";
inline constexpr const char* kImagePostPull = "image.post.pull";
inline constexpr const char* kImagePrePush = "image.pre.push";
inline constexpr const char* kImagePostPush = "image.post.push";
inline constexpr const char* kRepositoryPreBuild = "repository.pre.build";
inline constexpr const char* kRepositoryPostBuild = "repository.post.build";
inline constexpr const char* kImagePreUnpack = "image.pre.unpack";
inline constexpr const char* kImagePostUnpack = "image.post.unpack";

struct Plugin {
    std::string name;
    std::filesystem::path executable;
};

// The plugins named `names`, looked up in each folder of `path` (a $PATH value) in order;
// a name found in two folders gives two plugins, as upstream. Names not found are left out.
std::vector<Plugin> find(const std::vector<std::string>& names, const std::string& path);

// Sets the plugins of this process and where reported states go (may be empty). Called once
// by the CLI before a command runs; without it, publish() does nothing.
void set_plugins(std::vector<Plugin> plugins, std::function<void(const std::string& line)> on_state);

// Runs every plugin on `event` with the payload `make_payload()` builds (called only when
// plugins are set). Thread-safe: one plugin run at a time. Throws luet::Error as described
// above.
void publish(const std::string& event, const std::function<nlohmann::json()>& make_payload);

}  // namespace luet::plugin
