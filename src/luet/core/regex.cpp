#include "luet/core/regex.hpp"

#include <re2/re2.h>

#include <algorithm>

#include "luet/core/error.hpp"

namespace luet::core {

RegexList::RegexList(const std::vector<std::string>& patterns, const std::string& what) {
    for (const auto& p : patterns) {
        auto re = std::make_unique<re2::RE2>(p, re2::RE2::Quiet);
        if (!re->ok()) throw Error("invalid " + what + " regex '" + p + "': " + re->error());
        res_.push_back(std::move(re));
    }
}

RegexList::~RegexList() = default;
RegexList::RegexList(RegexList&&) noexcept = default;

bool RegexList::any(const std::string& s) const {
    return std::any_of(res_.begin(), res_.end(), [&](const auto& re) { return re2::RE2::PartialMatch(s, *re); });
}

}  // namespace luet::core
