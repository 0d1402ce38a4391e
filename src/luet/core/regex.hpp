// A list of Go-syntax regular expressions (RE2), as luet uses for includes/excludes and for
// the --matches/--exclude filters of the tree commands.
#pragma once

#include <memory>
#include <string>
#include <vector>

namespace re2 {
class RE2;
}

namespace luet::core {

class RegexList {
public:
    // Compiles every pattern. Throws luet::Error "invalid <what> regex '<p>': <reason>".
    RegexList(const std::vector<std::string>& patterns, const std::string& what);
    ~RegexList();
    RegexList(RegexList&&) noexcept;

    bool empty() const { return res_.empty(); }
    // True when one of the expressions matches somewhere in `s` (Go's MatchString).
    bool any(const std::string& s) const;

private:
    std::vector<std::unique_ptr<re2::RE2>> res_;
};

}  // namespace luet::core
