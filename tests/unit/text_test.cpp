#include <gtest/gtest.h>

#include <string>

#include "luet/core/text.hpp"

using luet::core::invalid_utf8;

TEST(Utf8, WellFormedTextHasNoInvalidByte) {
    EXPECT_EQ(invalid_utf8(""), std::string::npos);
    EXPECT_EQ(invalid_utf8("usr/share/doc"), std::string::npos);
    EXPECT_EQ(invalid_utf8("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x93\xa6"), std::string::npos);  // é € 📦
    EXPECT_EQ(invalid_utf8("\xf4\x8f\xbf\xbf"), std::string::npos);                         // U+10FFFF
}

TEST(Utf8, TheOffsetOfTheFirstBadByte) {
    EXPECT_EQ(invalid_utf8("usr/share/bad\xffname"), 13u);
    EXPECT_EQ(invalid_utf8("ab\xc3"), 2u);               // truncated sequence
    EXPECT_EQ(invalid_utf8("\x80"), 0u);                 // a continuation byte alone
    EXPECT_EQ(invalid_utf8("x\xc0\x80"), 1u);            // overlong NUL
    EXPECT_EQ(invalid_utf8("\xe0\x80\xaf"), 0u);         // overlong '/'
    EXPECT_EQ(invalid_utf8("ok\xed\xa0\x80"), 2u);       // a UTF-16 surrogate
    EXPECT_EQ(invalid_utf8("\xf4\x90\x80\x80"), 0u);     // above U+10FFFF
    EXPECT_EQ(invalid_utf8("\xc3\xa9\xc3("), 2u);        // bad continuation after a good character
}
