// Inputs the fuzz harnesses (tests/fuzz) found, each refused now with a luet::Error where it
// crashed or threw something else before.
#include <gtest/gtest.h>
#include <unistd.h>

#include <climits>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "luet/artifact/artifact.hpp"
#include "luet/artifact/tarball.hpp"
#include "luet/core/error.hpp"
#include "luet/core/package.hpp"
#include "luet/core/version.hpp"
#include "luet/install/extract.hpp"
#include "luet/repo/repository.hpp"
#include "luet/spec/spec.hpp"
#include "luet/template/internal.hpp"
#include "luet/template/template.hpp"

namespace fs = std::filesystem;

// fuzz_archive: a gzip stream whose tar content fails without an error text from libarchive
// (archive_error_string NULL): list_entries appended NULL to a std::string (SEGV).
TEST(FuzzFindings, ArchiveWithoutErrorTextIsRefused) {
    static const unsigned char bytes[] = {0x1f,0x8b,0x08,0x00,0xf0,0xc1,0x04,0x6b,0x02,0xff,0xed,0xd3,0x31,0x0a,0x80,0x30,0x0c,0x85,0xe1,0x1c,0xc5,0x1b,0xd8,0x40,0xed,0x7d,0x94,0x0a,0xba,0x54,0xd0,0x0a,0x7a,0x7b,0x83,0x93,0xb8,0x2b,0x4a,0xff,0x6f,0x79,0x21,0x4b,0x42,0x20,0x83,0x3c,0xcf,0x99,0xe0,0xfd,0x99,0xe6,0x9e,0xc6,0x5f,0x6a,0xeb,0xab,0xf3,0xaa,0x52,0x69,0x9a,0x52,0xbf,0x8d,0x4b,0xee,0x53,0x7e,0x6c,0xb9,0x75,0xc9,0xed,0x6c,0xe3,0xa5,0x4c,0xdd,0x14,0x77,0x41,0xb1,0x62,0xfd,0x85,0xff,0xbf,0xd7,0x41,0x43,0x23,0x55,0xf3,0xc6,0x01,0xff,0x00,0x00,0x25,0x00,0x00,0x0a,0x12,0x00,0x00,0x60,0x70,0x00,0x00,0x60,0xfc,0xfc,0xdb,0x01,0xb8,0xc2,0x01,0x34,0x00,0x28,0x00,0x00};
    const fs::path file = fs::temp_directory_path() / ("luet-fuzz-finding-" + std::to_string(::getpid()) + ".tar.gz");
    {
        std::ofstream out(file, std::ios::binary);
        out.write(reinterpret_cast<const char*>(bytes), sizeof bytes);
    }
    EXPECT_THROW(luet::install::list_entries(file), luet::Error);
    EXPECT_THROW(luet::artifact::read_memory_tar(file), luet::Error);
    fs::remove(file);
}

// fuzz_repository: metadata naming its artifact with invalid UTF-8 made metadata_to_json throw
// nlohmann's type_error; it is written with U+FFFD as Go does. fuzz_definition: yaml-cpp read
// such bytes and wrote them back as U+FFFD (another document); a YAML document that is not
// UTF-8 is refused, as Go's parser does.
TEST(FuzzFindings, InvalidUtf8) {
    EXPECT_THROW(luet::artifact::metadata_from_yaml(
                     "path: meta-ap\x90\xd2\x9e\x85ps-1.0.package.tar.gz\nruntime: {name: a, category: b, version: \"1.0\"}\n",
                     "x.yaml"),
                 luet::Error);
    auto m = luet::artifact::metadata_from_yaml("path: x\nruntime: {name: a, category: b, version: \"1.0\"}\n", "x.yaml");
    m.path = "meta-ap\x90\xd2ps.tar.gz";
    std::string json;
    ASSERT_NO_THROW(json = luet::artifact::metadata_to_json(m));
    EXPECT_NE(json.find("meta-ap\xef\xbf\xbd"), std::string::npos) << json;
    EXPECT_THROW(luet::spec::parse_definition("name: a\nannotations:\n  \"\xef\xbf(((\x02\": ~\n", "d.yaml"), luet::Error);
    EXPECT_NO_THROW(luet::spec::parse_definition("name: a\nlabels: {k: \"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\"}\n", "d.yaml"));
}

// fuzz_template: a character constant of several characters overflowed into std::stoll's
// out_of_range; Go's parser refuses it (and the empty one).
TEST(FuzzFindings, CharacterConstantIsOneCharacter) {
    const nlohmann::json values = nlohmann::json::object();
    EXPECT_EQ(luet::tmpl::render("t", "{{ 'a' }}{{ '\xc3\xa9' }}{{ '\\n' }}", values), "9723310");
    for (const std::string text : {"{{ 'ab' }}", "{{ '' }}", "{{'.Values.name }}-{{ .Values.version | default \"x\" }}'}}"}) {
        try {
            luet::tmpl::render("t", text, values);
            ADD_FAILURE() << text << " rendered";
        } catch (const luet::Error& e) {
            EXPECT_NE(std::string(e.what()).find("character constant"), std::string::npos) << e.what();
        }
    }
}

// fuzz_version: "=cat/na@me-1.0" parsed to the name "na@me", which CAT/NAME@SELECTOR cannot
// write back.
TEST(FuzzFindings, AtSignInPackageNameIsRefused) {
    EXPECT_THROW(luet::core::parse_package_arg("=a/b@<=1-1"), luet::Error);
    EXPECT_THROW(luet::core::parse_package_arg("=c@t/b-1"), luet::Error);
    const auto r = luet::core::parse_package_arg("a/b@>=1");
    EXPECT_EQ(r.atom(), "a/b");
    EXPECT_EQ(r.selector.str(), ">=1");
}

// fuzz_version: "~word" and "+build" took any character, so "=e-1.1~1,(1.0.0" was the exact
// version "1.1~1,(1.0.0", which reads back as a range; they take letters, digits and . _ + ~ -.
TEST(FuzzFindings, VersionWordsAreVersionCharacters) {
    EXPECT_FALSE(luet::core::valid_version("1.1~1,(1.0.0"));
    EXPECT_FALSE(luet::core::valid_version("1.0+a b"));
    EXPECT_FALSE(luet::core::valid_version("1.0-r1+x,y"));
    EXPECT_TRUE(luet::core::valid_version("1.0~beta1"));
    EXPECT_TRUE(luet::core::valid_version("1.0+a.b.2"));
    EXPECT_TRUE(luet::core::valid_version("1.0~rc1+git.abc-1"));
    EXPECT_THROW(luet::core::parse_package_arg("=e-1.1~1,(1.0.0"), luet::Error);
}

// fuzz_template: {{ seq 3 777777322 }} built a string of gigabytes (a finalize.yaml comes from
// a repository); seq/until/untilStep stop at a million numbers, repeat at 64 MiB; untilStep
// near the int64 limits no longer overflows.
TEST(FuzzFindings, TemplateSequencesAreBounded) {
    const nlohmann::json values = nlohmann::json::object();
    for (const std::string text : {"{{ seq 3 777777322 }}", "{{ until 2000000 }}", "{{ untilStep 0 2000000 1 }}",
                                   "{{ repeat 100000000 \"xxxxxxxxxx\" }}"}) {
        try {
            luet::tmpl::render("t", text, values);
            ADD_FAILURE() << text << " rendered";
        } catch (const luet::Error& e) {
            EXPECT_NE(std::string(e.what()).find("more than"), std::string::npos) << e.what();
        }
    }
    EXPECT_EQ(luet::tmpl::render("t", "{{ seq 1 3 }} {{ until 3 }} {{ repeat 3 \"ab\" }}", values), "1 2 3 [0 1 2] ababab");
    EXPECT_EQ(luet::tmpl::render("t", "{{ untilStep 9223372036854775800 9223372036854775807 5 }}", values),
              "[9223372036854775800 9223372036854775805]");
}

// fuzz_repository: repository.yaml with repo_files.KEY a scalar made yaml-cpp throw its
// BadSubscript out of the parser.
TEST(FuzzFindings, RepositoryDocumentWithScalarWhereAMapBelongsIsRefused) {
    EXPECT_THROW(luet::repo::index_from_yaml("name: r\nrepo_files:\n  tree: just-a-name\n", "repository.yaml"),
                 luet::Error);
    EXPECT_THROW(luet::repo::index_from_yaml("name: r\nrepo_files:\n  tree: [a, b]\n", "repository.yaml"), luet::Error);
}

// fuzz_version: "* >=0" parsed to ">=0", whose text parses to Any: ">=0" is Any in a range too.
TEST(FuzzFindings, GreaterOrEqualZeroIsAnyInARange) {
    EXPECT_EQ(luet::core::Selector::parse("*  >=0 ").str(), "");
    EXPECT_EQ(luet::core::Selector::parse(">=0, <2").str(), "<2");
    EXPECT_EQ(luet::core::Selector::parse(">=1, <2").str(), ">=1, <2");
}

// fuzz_template: printf "%10999...9f" overflowed the width (signed int, UBSan); Go prints
// %!(BADWIDTH) over 1e6.
TEST(FuzzFindings, PrintfWidthOverAMillionIsBadWidth) {
    const nlohmann::json values = nlohmann::json::object();
    EXPECT_EQ(luet::tmpl::render("t", "{{ printf \"%10999999999999999999999.2f|%5.1f\" 1.0 2.0 }}", values),
              "%!(BADWIDTH)1.00|  2.0");
    EXPECT_EQ(luet::tmpl::render("t", "{{ printf \"%.99999999999d\" 7 }}", values), "%!(BADPREC)7");
}

// fuzz_definition: a label "\r" was written as a plain scalar that reads back as null; labels and
// annotations with control characters are written double-quoted.
TEST(FuzzFindings, LabelsWithControlCharactersRoundTrip) {
    const std::string text = "name: app\ncategory: apps\nversion: \"1.0\"\nlabels:\n  team: \"\\r\"\n  tab: \"a\\tb\\n\"\n";
    const auto def = luet::spec::parse_definition(text, "definition.yaml");
    const std::string once = luet::spec::definition_to_yaml(def);
    EXPECT_EQ(luet::spec::definition_to_yaml(luet::spec::parse_definition(once, "written.yaml")), once) << once;
    EXPECT_EQ(luet::spec::parse_definition(once, "written.yaml").labels.at("team"), "\r");
}

// fuzz_definition (found by the fresh-check's 10 s run): a requires entry whose category is
// "\r" was written as a plain scalar and read back empty; names and categories of requires,
// conflicts and provides are written double-quoted when they hold control characters.
TEST(FuzzFindings, RefsWithControlCharactersRoundTrip) {
    const std::string text =
        "name: app\ncategory: apps\nversion: \"1.0\"\nrequires:\n- name: lib\n  category: \"\\r\"\n"
        "conflicts:\n- name: \"old\\tapp\"\n  category: a\n";
    const auto def = luet::spec::parse_definition(text, "definition.yaml");
    const std::string once = luet::spec::definition_to_yaml(def);
    const auto again = luet::spec::parse_definition(once, "written.yaml");
    EXPECT_EQ(luet::spec::definition_to_yaml(again), once) << once;
    EXPECT_EQ(again.requires_.at(0).category, "\r");
    EXPECT_EQ(again.conflicts.at(0).name, "old\tapp");
}

// fuzz_definition: a values map {"\x01time": f} (the engine's own marker of a time value)
// printed as a time and threw nlohmann's type_error; only the engine's whole time shape counts.
TEST(FuzzFindings, ValuesLookingLikeTheTimeMarkerPrintAsMaps) {
    const auto values = nlohmann::json{{"Values", luet::tmpl::yaml_to_json("requires:\n- {\x01time: f}\n", "d.yaml")}};
    EXPECT_NO_THROW(luet::tmpl::render("t", "{{ . }}{{ .Values.requires }}", values));
    EXPECT_NO_THROW(luet::spec::render_finalizer("install:\n- echo {{ . }}\n", "name: a\nrequires:\n- {\x01time: f}\n",
                                                 "finalize.yaml"));
}

// fuzz_definition (2026-11-24, CPU-hour run): a plain scalar ending in "\r" (a YAML line
// break) did not survive write + read.
TEST(FuzzFindings, ScalarEndingInCarriageReturnRoundTrips) {
    const std::string text = "name: foo\ncategory: apps\nversion: \"0.0\"\ndescription: foo applicatin\r";
    const auto def = luet::spec::parse_definition(text, "definition.yaml");
    const std::string once = luet::spec::definition_to_yaml(def);
    const auto again = luet::spec::parse_definition(once, "written.yaml");
    EXPECT_EQ(luet::spec::definition_to_yaml(again), once) << once;
    EXPECT_EQ(again.description, def.description);
}

// fuzz_version (2026-11-24, CPU-hour run): "!<cat/name-0" gave the selector ">=0" kept as is,
// while "cat/name@>=0" reads as any version: the argument's canonical text changed meaning.
TEST(FuzzFindings, GentooFormNotLessThanZeroIsAnyVersion) {
    for (const char* arg : {"!<at/name-0", ">=at/name-0"}) {
        const auto r = luet::core::parse_package_arg(arg);
        EXPECT_EQ(r.selector.op, luet::core::SelectorOp::Any) << arg;
        const auto again = luet::core::parse_package_arg(r.atom() + "@" + r.selector.str());
        EXPECT_EQ(again.selector.str(), r.selector.str()) << arg;
    }
    EXPECT_EQ(luet::core::parse_package_arg(">=at/name-1.0").selector.str(), ">=1.0");
}

// fuzz_definition (2026-11-24, second run): a string ending in "\r" inside a nested label or
// annotation value was written plain by yaml-cpp and read back without it.
TEST(FuzzFindings, NestedValuesWithControlCharactersRoundTrip) {
    const std::string text =
        "name: ap\ncategory: a\nversion: \"1\"\nannotations:\n  subsets:\n    rules: {docs: \"/etc\\r\", list: [\"a\\tb\", ~, 3]}\n";
    const auto def = luet::spec::parse_definition(text, "definition.yaml");
    const std::string once = luet::spec::definition_to_yaml(def);
    const auto again = luet::spec::parse_definition(once, "written.yaml");
    EXPECT_EQ(luet::spec::definition_to_yaml(again), once) << once;
    EXPECT_NE(once.find("\\r"), std::string::npos) << once;
}

// fuzz_definition (2026-11-24, third run): a label value that starts like the marker of a nested
// value ("\x01yaml:") was taken for one when the definition was written out, and the YAML
// parser threw on its text (an uncaught exception: abort). Such a value is refused, named.
TEST(FuzzFindings, ValueStartingLikeTheNestedValueMarkerIsRefused) {
    const std::string text = "name: ap\nlabels:\n  ana,tiations:\n  \x01yaml:`els\n:  teannotaese\n";
    EXPECT_THROW(
        {
            try {
                luet::spec::definition_to_yaml(luet::spec::parse_definition(text, "definition.yaml"));
            } catch (const luet::Error& e) {
                EXPECT_NE(std::string(e.what()).find("U+0001"), std::string::npos) << e.what();
                EXPECT_NE(std::string(e.what()).find("labels"), std::string::npos) << e.what();
                throw;
            }
        },
        luet::Error);
    // A plain value with the same bytes later on is fine.
    const auto def = luet::spec::parse_definition("name: ap\nlabels:\n  a: \"x\\x01yaml:y\"\n", "definition.yaml");
    EXPECT_EQ(def.labels.at("a"), std::string("x\x01yaml:y"));
}

// Found reading the template engine for caches after fuzz_template stopped out of memory
// (that stop was the harness process's RSS, grown by ASan keeping freed memory; the input it
// stopped on uses 205 MB alone). Every name given to dateInZone was kept in a cache of zones
// for the life of the process, names of no zone included, and a zone file has endless names
// ("Europe/./Rome"). Only zones read from a file are kept now, at most 256.
TEST(FuzzFindings, ZoneNamesDoNotGrowTheMemory) {
    const nlohmann::json values = nlohmann::json::object();
    for (int i = 0; i < 2000; ++i) {
        EXPECT_EQ(luet::tmpl::render("t", "{{ dateInZone \"15:04 MST\" 1700000000 \"Nowhere/Zone" + std::to_string(i) + "\" }}",
                                     values),
                  "22:13 UTC");
        if (std::filesystem::exists("/usr/share/zoneinfo/Europe/Rome")) {
            std::string alias = "Europe/";
            for (int k = 0; k <= i % 400; ++k) alias += "./";
            EXPECT_EQ(luet::tmpl::render("t", "{{ dateInZone \"15:04 MST\" 1700000000 \"" + alias + "Rome\" }}", values),
                      "23:13 CET");
        }
    }
    EXPECT_LE(luet::tmpl::detail::cached_zones(), 256u);
}

// fuzz_template: inputs running 44-113 s under the harness (regexReplaceAll in three nested
// ranges) led to the cost of one step: within kMaxSteps, a loop repeating or hashing a large
// string ran for hours. What function calls handle is bounded per render now.
TEST(FuzzFindings, WhatFunctionsHandleIsBounded) {
    const nlohmann::json values = nlohmann::json::object();
    for (const std::string text :
         {"{{ range until 1000000 }}{{ $x := repeat 60000000 \"a\" }}{{ end }}",
          "{{ $x := repeat 60000000 \"a\" }}{{ range until 1000000 }}{{ $y := sha256sum $x }}{{ end }}",
          "{{ define \"t\" }}{{ repeat 60000000 \"a\" | len }}{{ end }}{{ range until 100 }}{{ include \"t\" . }}{{ end }}"}) {
        try {
            luet::tmpl::render("t", text, values);
            ADD_FAILURE() << text << " rendered";
        } catch (const luet::Error& e) {
            EXPECT_NE(std::string(e.what()).find("functions handled more than 268435456 bytes"), std::string::npos)
                << e.what();
        }
    }
    EXPECT_EQ(luet::tmpl::render("t", "{{ range until 1000 }}{{ $x := repeat 1000 \"a\" | sha256sum }}{{ end }}ok", values),
              "ok")
        << "a million bytes handled";
}

// fuzz_template: a number literal beyond int64's range given to an integer function (add, int64,
// ...) was converted with undefined behaviour (UBSan: "outside the range of representable
// values"). Go's int64(f) on amd64 gives math.MinInt64 for such values and NaN.
TEST(FuzzFindings, FloatOutOfInt64RangeConvertsAsGoDoes) {
    using luet::tmpl::detail::to_int64;
    EXPECT_EQ(to_int64(nlohmann::json(4.44444e108)), INT64_MIN);
    EXPECT_EQ(to_int64(nlohmann::json(-4.44444e108)), INT64_MIN);
    EXPECT_EQ(to_int64(nlohmann::json(9223372036854775808.0)), INT64_MIN);
    EXPECT_EQ(to_int64(nlohmann::json(std::nan(""))), INT64_MIN);
    EXPECT_EQ(to_int64(nlohmann::json(-9223372036854775808.0)), INT64_MIN);
    EXPECT_EQ(to_int64(nlohmann::json(-3.9)), -3);
    EXPECT_EQ(to_int64(nlohmann::json(9.2e18)), 9200000000000000000);
    const nlohmann::json values = nlohmann::json::object();
    EXPECT_EQ(luet::tmpl::render("t", "{{ int64 4444444444444444444444444.5 }} {{ add 1e300 1 }}", values),
              "-9223372036854775808 -9223372036854775807");
    // ... and the integer functions then overflowed (UBSan: signed integer overflow): they wrap
    // as Go's int64 does.
    EXPECT_EQ(luet::tmpl::render("t",
                                 "{{ add 9223372036854775807 1 }} {{ sub -9223372036854775807 2 }} "
                                 "{{ mul 4611686018427387904 4 }} {{ add1 9223372036854775807 }} "
                                 "{{ div (int64 1e300) -1 }} {{ mod (int64 1e300) -1 }} "
                                 "{{ add 1e300 1e300 }}",
                                 values),
              "-9223372036854775808 9223372036854775807 0 -9223372036854775808 -9223372036854775808 0 0");
    EXPECT_EQ(luet::tmpl::render("t", "{{ randInt 9223372036854775806 9223372036854775807 }}", values),
              "9223372036854775806");
}

// fuzz_template: `ago 23333333332` (a time centuries ahead) overflowed the nanoseconds since
// then (UBSan: signed integer overflow). Go's Time.Sub and Duration.Round give the largest or
// smallest Duration there; Duration(n) * Second wraps. Times at the int64 ends then overflowed
// in zone offsets and calendar arithmetic; they wrap as Go's int64 does.
TEST(FuzzFindings, TimeArithmeticAtTheInt64EndsIsDefined) {
    const nlohmann::json values = nlohmann::json::object();
    EXPECT_EQ(luet::tmpl::render("t", "{{ ago 23333333332 }}", values), "-2562047h47m16.854775808s");
    EXPECT_EQ(luet::tmpl::render("t", "{{ ago -9223372036854775808 }}", values), "2562047h47m16.854775807s");
    EXPECT_EQ(luet::tmpl::render("t", "{{ duration \"9223372036854775807\" }}", values), "-1s");
    for (const char* zone : {"UTC", "Europe/Rome", "Australia/Sydney"})
        for (const char* t : {"9223372036854775807", "-9223372036854775808", "-9223372036854771234"})
            EXPECT_NO_THROW(luet::tmpl::render(
                "t", std::string("{{ dateInZone \"2006-01-02 15:04:05 MST\" ") + t + " \"" + zone + "\" }}", values))
                << zone << " " << t;
}
