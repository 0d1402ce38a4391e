// Search narrowing (install/search.hpp): the strings search_name_literals gives must be held by
// every package the prefilter accepts, or be absent.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "luet/install/search.hpp"

using namespace luet;
using Strings = std::vector<std::string>;

namespace {

install::SearchOptions matching(Strings res) {
    install::SearchOptions o;
    o.matches = std::move(res);
    return o;
}

}  // namespace

TEST(SearchLiterals, PlainStringsNarrowToTheirLongestPieceWithoutSlash) {
    EXPECT_EQ(install::search_name_literals(matching({"pkg0"})), Strings{"pkg0"});
    EXPECT_EQ(install::search_name_literals(matching({"pkg0", "other-name"})), (Strings{"pkg0", "other-name"}));
    EXPECT_EQ(install::search_name_literals(matching({"apps/pkg10"})), Strings{"pkg10"}) << "the name's piece is longer";
    EXPECT_EQ(install::search_name_literals(matching({"t0/pk"})), Strings{}) << "pieces under 3 characters";
    EXPECT_EQ(install::search_name_literals(matching({"ab"})), Strings{});
}

TEST(SearchLiterals, RegularExpressionsAndNonAsciiReadEveryName) {
    for (const char* re : {"pkg.", "^pkg", "pkg$", "pk(g)", "pkg|lib", "pkg+", "pk*g", "pkg?", "[p]kg", "pkg{1}",
                           "pkg\\.0", "(?i)pkg", "pkg 0", "pkg\xc3\xa9"})
        EXPECT_EQ(install::search_name_literals(matching({re})), Strings{}) << re;
    EXPECT_EQ(install::search_name_literals(matching({"pkg0", "lib."})), Strings{}) << "one of them is not plain";
}

TEST(SearchLiterals, OnlyWhenEveryPackageFoundMustMatch) {
    auto o = matching({"pkg0"});
    o.names = {"zlib"};
    EXPECT_EQ(install::search_name_literals(o), Strings{"pkg0"}) << "both tests must pass";
    o.any_criterion = true;
    EXPECT_EQ(install::search_name_literals(o), Strings{}) << "--condition-or: the name alone finds zlib";
    o = matching({"pkg0"});
    o.categories = {"apps"};
    o.any_criterion = true;
    EXPECT_EQ(install::search_name_literals(o), Strings{});
    o = matching({"pkg0"});
    o.revdeps = true;
    EXPECT_EQ(install::search_name_literals(o), Strings{}) << "--revdeps finds what requires the matches";
    o = matching({"pkg0"});
    o.labels = {"x"};
    o.any_criterion = true;
    EXPECT_EQ(install::search_name_literals(o), Strings{}) << "no prefilter";
    EXPECT_EQ(install::search_name_literals(install::SearchOptions{}), Strings{});
    // Every package the prefilter accepts holds the string.
    const auto keep = install::search_prefilter(matching({"apps/pkg10"}));
    ASSERT_TRUE(keep);
    EXPECT_TRUE(keep("apps", "pkg10"));
    EXPECT_TRUE(keep("xapps", "pkg10y"));
    EXPECT_FALSE(keep("apps", "pkg1"));
}
