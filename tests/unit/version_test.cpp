#include <gtest/gtest.h>

#include "luet/core/error.hpp"
#include "luet/core/version.hpp"

using luet::core::compare_versions;
using luet::core::Selector;
using luet::core::SelectorOp;

namespace {

struct Ordered {
    const char* lower;
    const char* higher;
};

// Orderings luet users rely on: numeric dotted parts, gentoo suffixes and revisions,
// and the "+N" build revision that orders after the plain version.
const Ordered kOrdered[] = {
    {"1.0", "1.1"},          {"1.9", "1.10"},         {"1.0", "1.0.1"},       {"0.9.9", "1.0"},
    {"1.0_alpha", "1.0_beta"}, {"1.0_beta", "1.0_pre"}, {"1.0_pre", "1.0_rc"}, {"1.0_rc1", "1.0_rc2"},
    {"1.0_rc2", "1.0"},      {"1.0", "1.0_p1"},       {"1.0", "1.0-r1"},      {"1.0-r1", "1.0-r2"},
    {"1.0-r9", "1.0-r10"},   {"1.0", "1.0+1"},        {"1.0+1", "1.0+2"},     {"1.0+9", "1.0+10"},
    {"1.0+2", "1.0.1"},      {"1.2a", "1.2b"},        {"2.36", "2.37"},       {"9.2.0", "10.1.0"},
};

TEST(Version, OrdersAsLuet) {
    for (const auto& o : kOrdered) {
        EXPECT_LT(compare_versions(o.lower, o.higher), 0) << o.lower << " < " << o.higher;
        EXPECT_GT(compare_versions(o.higher, o.lower), 0) << o.higher << " > " << o.lower;
    }
}

TEST(Version, EqualForms) {
    EXPECT_EQ(compare_versions("1.0", "1.0"), 0);
    EXPECT_EQ(compare_versions("1.0", "1.0.0"), 0);
    EXPECT_EQ(compare_versions("01.2", "1.2"), 0);
    EXPECT_EQ(compare_versions("1.0+3", "1.0+3"), 0);
}

TEST(Version, UnparseableFallsBackToNaturalOrder) {
    EXPECT_LT(compare_versions("abc2", "abc10"), 0);
    EXPECT_EQ(compare_versions("latest", "latest"), 0);
}

TEST(Selector, ParsesOperators) {
    EXPECT_EQ(Selector::parse("").op, SelectorOp::Any);
    EXPECT_EQ(Selector::parse(">=0").op, SelectorOp::Any);
    EXPECT_EQ(Selector::parse("1.0").op, SelectorOp::Eq);
    EXPECT_EQ(Selector::parse("=1.0").op, SelectorOp::Eq);
    EXPECT_EQ(Selector::parse(">=1.0").op, SelectorOp::Ge);
    EXPECT_EQ(Selector::parse("<=1.0").op, SelectorOp::Le);
    EXPECT_EQ(Selector::parse(">1.0").op, SelectorOp::Gt);
    EXPECT_EQ(Selector::parse("<1.0").op, SelectorOp::Lt);
    EXPECT_EQ(Selector::parse("!=1.0").op, SelectorOp::Ne);
    EXPECT_EQ(Selector::parse(">=1.0").version, "1.0");
    EXPECT_THROW(Selector::parse(">="), luet::Error);
}

TEST(Selector, Matches) {
    EXPECT_TRUE(Selector::parse(">=1.0").matches("1.0"));
    EXPECT_TRUE(Selector::parse(">=1.0").matches("1.0+1"));
    EXPECT_FALSE(Selector::parse(">=1.0").matches("0.9"));
    EXPECT_TRUE(Selector::parse("<2.0").matches("1.9"));
    EXPECT_FALSE(Selector::parse("<2.0").matches("2.0"));
    EXPECT_TRUE(Selector::parse("1.0").matches("1.0.0"));
    EXPECT_FALSE(Selector::parse("!=1.0").matches("1.0"));
    EXPECT_TRUE(Selector::parse("").matches("anything"));
    EXPECT_EQ(Selector::parse(">=1.0").str(), ">=1.0");
}

}  // namespace
