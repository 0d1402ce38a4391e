// build::expand_env: build spec env entries as Dockerfile ENV expands them.
#include <gtest/gtest.h>

#include "luet/build/env.hpp"
#include "luet/core/error.hpp"

using luet::build::expand_env;
using V = std::vector<std::string>;

TEST(BuildEnv, LiteralsAndQuotes) {
    EXPECT_EQ(expand_env({"A=hello", "B=\"a b\"", "C='$A x'", "D=Hello from luet: a b"}, {}),
              (V{"A=hello", "B=a b", "C=$A x", "D=Hello from luet: a b"}));
}

TEST(BuildEnv, ExpandsImageEnvAndEarlierEntries) {
    EXPECT_EQ(expand_env({"PATH=$PATH:/opt/x/bin", "DEST=/opt/${NAME}", "BOTH=\"$DEST $NAME\""},
                         {"PATH=/bin:/usr/bin", "NAME=kw"}),
              (V{"PATH=/bin:/usr/bin:/opt/x/bin", "DEST=/opt/kw", "BOTH=/opt/kw kw"}));
}

TEST(BuildEnv, DefaultPathWhenTheImageHasNone) {
    EXPECT_EQ(expand_env({"PATH=$PATH:/x"}, {}), (V{std::string("PATH=") + luet::build::kDefaultPath + ":/x"}));
}

TEST(BuildEnv, ModifiersEscapesAndUnset) {
    EXPECT_EQ(expand_env({"A=${UNSET:-fallback}", "B=${A:+set}", "C=${UNSET:+x}", "D=\\$A", "E=$UNSET.", "F=cost $"},
                         {}),
              (V{"A=fallback", "B=set", "C=", "D=$A", "E=.", "F=cost $"}));
}

TEST(BuildEnv, RefusesMalformedEntries) {
    EXPECT_THROW(expand_env({"NOEQUALS"}, {}), luet::Error);
    EXPECT_THROW(expand_env({"=x"}, {}), luet::Error);
    EXPECT_THROW(expand_env({"A-B=x"}, {}), luet::Error);
    EXPECT_THROW(expand_env({"A='open"}, {}), luet::Error);
    EXPECT_THROW(expand_env({"A=${B"}, {}), luet::Error);
}
