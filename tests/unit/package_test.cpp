#include <gtest/gtest.h>

#include "luet/core/error.hpp"
#include "luet/core/package.hpp"

using namespace luet::core;

TEST(PackageForm, Strings) {
    PackageForm f{"apps", "hello", "1.0"};
    EXPECT_EQ(f.atom(), "apps/hello");
    EXPECT_EQ(f.str(), "apps/hello-1.0");
    EXPECT_EQ(f.fingerprint(), "hello-apps-1.0");
}

TEST(PackageArg, CategoryAndName) {
    auto r = parse_package_arg("apps/hello");
    EXPECT_EQ(r.category, "apps");
    EXPECT_EQ(r.name, "hello");
    EXPECT_EQ(r.selector.op, SelectorOp::Any);
}

TEST(PackageArg, AtVersionAndSelector) {
    auto r = parse_package_arg("apps/hello@1.1");
    EXPECT_EQ(r.selector.op, SelectorOp::Eq);
    EXPECT_EQ(r.selector.version, "1.1");
    r = parse_package_arg("apps/hello@>=1.1");
    EXPECT_EQ(r.selector.op, SelectorOp::Ge);
    EXPECT_TRUE(r.matches({"apps", "hello", "1.2"}));
    EXPECT_FALSE(r.matches({"apps", "hello", "1.0"}));
    EXPECT_FALSE(r.matches({"apps", "other", "1.2"}));
}

TEST(PackageArg, GentooForm) {
    auto r = parse_package_arg("=sys-devel/gcc-9.2.0");
    EXPECT_EQ(r.category, "sys-devel");
    EXPECT_EQ(r.name, "gcc");
    EXPECT_EQ(r.selector.version, "9.2.0");
    r = parse_package_arg("=sys-devel/gcc-9.2.0-r1");
    EXPECT_EQ(r.name, "gcc");
    EXPECT_EQ(r.selector.version, "9.2.0-r1");
    r = parse_package_arg("=dev-libs/foo-bar-1.0");
    EXPECT_EQ(r.name, "foo-bar");
    EXPECT_EQ(r.selector.version, "1.0");
}

TEST(PackageArg, GentooFormWithoutEqualsAndOperators) {
    // geaaru/luet: "luet miner i main seed/alpine-1.0" names version 1.0 exactly.
    auto r = parse_package_arg("seed/alpine-1.0");
    EXPECT_EQ(r.category, "seed");
    EXPECT_EQ(r.name, "alpine");
    EXPECT_EQ(r.selector.op, SelectorOp::Eq);
    EXPECT_EQ(r.selector.version, "1.0");
    EXPECT_FALSE(r.matches({"seed", "alpine", "1.1"}));
    r = parse_package_arg("seed/alpine");
    EXPECT_EQ(r.name, "alpine");
    EXPECT_EQ(r.selector.op, SelectorOp::Any);
    r = parse_package_arg("seed/alpine-edge");  // "-edge" is no version: part of the name
    EXPECT_EQ(r.name, "alpine-edge");
    r = parse_package_arg(">=seed/alpine-1.0");
    EXPECT_EQ(r.selector.op, SelectorOp::Ge);
    EXPECT_TRUE(r.matches({"seed", "alpine", "1.2"}));
    EXPECT_FALSE(r.matches({"seed", "alpine", "0.9"}));
    EXPECT_EQ(parse_package_arg("<seed/alpine-1.0").selector.op, SelectorOp::Lt);
    EXPECT_EQ(parse_package_arg("<=seed/alpine-1.0").selector.op, SelectorOp::Le);
    EXPECT_EQ(parse_package_arg(">seed/alpine-1.0").selector.op, SelectorOp::Gt);
    EXPECT_EQ(parse_package_arg("!seed/alpine-1.0").selector.op, SelectorOp::Ne);
    EXPECT_EQ(parse_package_arg("!<seed/alpine-1.0").selector.op, SelectorOp::Ge);
    EXPECT_EQ(parse_package_arg("~seed/alpine-1.0").selector.op, SelectorOp::Revision);
    EXPECT_EQ(parse_package_arg("=seed/alpine-1.0*").selector.op, SelectorOp::Prefix);
    EXPECT_THROW(parse_package_arg(">=seed/alpine"), luet::Error);
    // '@' wins: the part before it is the name, never split.
    r = parse_package_arg("seed/alpine-1.0@2.0");
    EXPECT_EQ(r.name, "alpine-1.0");
    EXPECT_EQ(r.selector.version, "2.0");
}

TEST(PackageArg, BareNameAndErrors) {
    auto r = parse_package_arg("hello");
    EXPECT_EQ(r.category, "");
    EXPECT_EQ(r.name, "hello");
    EXPECT_THROW(parse_package_arg(""), luet::Error);
    EXPECT_THROW(parse_package_arg("apps/"), luet::Error);
    EXPECT_THROW(parse_package_arg("/hello"), luet::Error);
    EXPECT_THROW(parse_package_arg("=apps/hello"), luet::Error);
}

TEST(PackageRef, Str) {
    EXPECT_EQ(parse_package_arg("apps/hello@>=1.0").str(), "apps/hello>=1.0");
    EXPECT_EQ(parse_package_arg("apps/hello").str(), "apps/hello");
}

#include "luet/core/process.hpp"

// A child writing far more than a pipe buffer to stderr before any stdout must not block.
TEST(Process, CaptureReadsBothPipesTogether) {
    const std::string out = capture({"sh", "-c", "head -c 300000 /dev/zero >&2; echo done"});
    EXPECT_EQ(out, "done\n");
    try {
        capture({"sh", "-c", "echo oops >&2; exit 4"});
        FAIL() << "a failing command must throw";
    } catch (const luet::Error& e) {
        EXPECT_NE(std::string(e.what()).find("exit 4"), std::string::npos) << e.what();
        EXPECT_NE(std::string(e.what()).find("oops"), std::string::npos) << e.what();
    }
}
