#include <gtest/gtest.h>
#include <re2/re2.h>

#include <cstdlib>
#include <string>

#include "luet/core/error.hpp"
#include "luet/template/template.hpp"

using nlohmann::json;
using luet::tmpl::render;

namespace {

std::string R(const std::string& text, const json& values = json::object()) { return render("t.yaml", text, values); }

// Renders expecting a luet::Error and returns its message.
std::string E(const std::string& text, const json& values = json::object()) {
    try {
        std::string out = render("t.yaml", text, values);
        return "no error, output: " + out;
    } catch (const luet::Error& e) {
        return e.what();
    }
}

json V(const std::string& yaml) { return luet::tmpl::yaml_to_json(yaml, "values.yaml"); }

}  // namespace

// --- Text, actions, comments, trim markers -------------------------------------------------

TEST(TemplateText, PlainTextAndActions) {
    EXPECT_EQ(R("hello"), "hello");
    EXPECT_EQ(R(""), "");
    EXPECT_EQ(R("a {{ \"b\" }} c"), "a b c");
    EXPECT_EQ(R("{{.name}}!", {{"name", "x"}}), "x!");
}

TEST(TemplateText, Comments) {
    EXPECT_EQ(R("a{{/* a comment */}}b"), "ab");
    EXPECT_EQ(R("a {{- /* multi\nline */ -}} b"), "ab");
}

TEST(TemplateText, TrimMarkers) {
    EXPECT_EQ(R("a  \n {{- \"x\" -}} \n\n b"), "axb");
    EXPECT_EQ(R("a {{- 1 }} b"), "a1 b");
    EXPECT_EQ(R("a {{ 1 -}} b"), "a 1b");
    EXPECT_EQ(R("{{-3}}"), "-3");
    EXPECT_EQ(R("list:\n{{- range .l }}\n- {{ . }}\n{{- end }}\n", {{"l", {1, 2}}}), "list:\n- 1\n- 2\n");
}

// --- Fields, variables, literals --------------------------------------------------------------

TEST(TemplateFields, ChainsRootAndMissing) {
    json v = {{"Values", {{"a", {{"b", {{"c", "deep"}}}}}, {"n", 3}}}};
    EXPECT_EQ(R("{{ .Values.a.b.c }}", v), "deep");
    EXPECT_EQ(R("{{ with .Values.a }}{{ $.Values.n }}{{ .b.c }}{{ end }}", v), "3deep");
    // Helm: missing values print as nothing, and a field of a missing value is an error
    // (checked against Helm's engine through upstream's `luet-build tree render`).
    EXPECT_EQ(R("{{ .Values.missing }}", v), "");
    EXPECT_EQ(R("[<no value>]", v), "[]");
    EXPECT_NE(E("{{ .Values.missing.deeper }}", v).find("nil pointer evaluating interface {}.deeper"), std::string::npos);
    EXPECT_EQ(R("{{ . }}", json{{"a", 1}, {"b", "x"}}), "map[a:1 b:x]");
    EXPECT_EQ(R("{{ print .missing }}", v), "<nil>");
}

TEST(TemplateFields, FieldOnNonMapFails) {
    EXPECT_EQ(E("{{ .s.x }}", {{"s", "str"}}), "t.yaml:1:1: can't evaluate field x in type string");
}

TEST(TemplateVariables, DeclareAssignAndScope) {
    EXPECT_EQ(R("{{ $x := 1 }}{{ $x }}{{ $x = 2 }}{{ $x }}"), "12");
    EXPECT_EQ(R("{{ $x := \"out\" }}{{ if true }}{{ $x := \"in\" }}{{ $x }}{{ end }} {{ $x }}"), "in out");
    EXPECT_EQ(R("{{ $x := 0 }}{{ range .l }}{{ $x = . }}{{ end }}{{ $x }}", {{"l", {1, 2, 3}}}), "3");
    EXPECT_EQ(R("{{ $m := .m }}{{ $m.k }}", {{"m", {{"k", "v"}}}}), "v");
    EXPECT_EQ(R("{{ $ }}", json("root")), "root");
}

TEST(TemplateLiterals, AllKinds) {
    EXPECT_EQ(R("{{ \"a\\tb\\n\\\"q\\\"\\u00e9\" }}"), "a\tb\n\"q\"\xc3\xa9");
    EXPECT_EQ(R("{{ `raw\\n` }}"), "raw\\n");
    EXPECT_EQ(R("{{ 42 }} {{ -7 }} {{ 0x1F }} {{ 1_000 }}"), "42 -7 31 1000");
    EXPECT_EQ(R("{{ 1.5 }} {{ 2.0 }} {{ 1e3 }} {{ 1e6 }} {{ 0.000001 }}"), "1.5 2 1000 1e+06 1e-06");
    EXPECT_EQ(R("{{ true }} {{ false }}"), "true false");
    EXPECT_EQ(R("{{ print nil }}"), "<nil>");
    EXPECT_EQ(R("{{ 'a' }}"), "97");
    EXPECT_EQ(R("{{ list 1 \"a\" (list 2 3) nil }}"), "[1 a [2 3] <nil>]");
}

TEST(TemplatePipelines, PipesAndParens) {
    EXPECT_EQ(R("{{ \"abc\" | upper }}"), "ABC");
    EXPECT_EQ(R("{{ \"b\" | printf \"%s-%s\" \"a\" }}"), "a-b");
    EXPECT_EQ(R("{{ \" x \" | trim | upper | quote }}"), "\"X\"");
    EXPECT_EQ(R("{{ (printf \"%d\" (add 1 2)) | repeat 2 }}"), "33");
    EXPECT_EQ(R("{{ (dict \"a\" (dict \"b\" 5)).a.b }}"), "5");
    EXPECT_EQ(R("{{ $v := \"x\" | upper }}{{ $v }}"), "X");
}

// --- Control structures -----------------------------------------------------------------------

TEST(TemplateIf, ElseIfElseAndTruthiness) {
    const std::string t = "{{ if .a }}A{{ else if .b }}B{{ else }}C{{ end }}";
    EXPECT_EQ(R(t, {{"a", true}}), "A");
    EXPECT_EQ(R(t, {{"a", false}, {"b", "x"}}), "B");
    EXPECT_EQ(R(t, {{"a", 0}, {"b", ""}}), "C");
    EXPECT_EQ(R(t, {{"a", json::array()}, {"b", json::object()}}), "C");
    EXPECT_EQ(R(t, {{"a", 0.0}, {"b", nullptr}}), "C");
    EXPECT_EQ(R(t, {{"a", json::array({0})}}), "A");
    EXPECT_EQ(R("{{ if $x := .v }}{{ $x }}{{ end }}", {{"v", "set"}}), "set");
}

TEST(TemplateRange, ListsMapsElseBreakContinue) {
    json v = {{"l", {"a", "b", "c"}}, {"m", {{"z", 1}, {"a", 2}}}, {"e", json::array()}};
    EXPECT_EQ(R("{{ range .l }}{{ . }}{{ end }}", v), "abc");
    EXPECT_EQ(R("{{ range $i, $v := .l }}{{ $i }}={{ $v }};{{ end }}", v), "0=a;1=b;2=c;");
    EXPECT_EQ(R("{{ range $v := .l }}{{ $v }}{{ end }}", v), "abc");
    EXPECT_EQ(R("{{ range $k, $v := .m }}{{ $k }}:{{ $v }} {{ end }}", v), "a:2 z:1 ");
    EXPECT_EQ(R("{{ range .e }}x{{ else }}empty{{ end }}", v), "empty");
    EXPECT_EQ(R("{{ range .missing }}x{{ else }}none{{ end }}", v), "none");
    EXPECT_EQ(R("{{ range .l }}{{ if eq . \"b\" }}{{ break }}{{ end }}{{ . }}{{ end }}", v), "a");
    EXPECT_EQ(R("{{ range .l }}{{ if eq . \"b\" }}{{ continue }}{{ end }}{{ . }}{{ end }}", v), "ac");
    EXPECT_EQ(R("{{ range 3 }}{{ . }}{{ end }}"), "012");
    EXPECT_EQ(R("{{ range $i, $v := .l }}{{ $.l | len }}{{ end }}", v), "333");
}

TEST(TemplateWith, DotAndElse) {
    json v = {{"a", {{"b", "inner"}}}, {"e", ""}};
    EXPECT_EQ(R("{{ with .a }}{{ .b }}{{ end }}", v), "inner");
    EXPECT_EQ(R("{{ with .e }}x{{ else }}empty{{ end }}", v), "empty");
    EXPECT_EQ(R("{{ with .e }}x{{ else with .a.b }}{{ . }}{{ end }}", v), "inner");
    EXPECT_EQ(R("{{ with $x := .a.b }}{{ $x }}{{ . }}{{ end }}", v), "innerinner");
}

TEST(TemplateDefine, TemplateBlockAndShared) {
    EXPECT_EQ(R("{{ define \"t\" }}[{{ . }}]{{ end }}{{ template \"t\" \"x\" }}{{ template \"t\" }}"), "[x][]");
    EXPECT_EQ(R("{{ block \"b\" .v }}<{{ . }}>{{ end }}", {{"v", 1}}), "<1>");
    std::vector<std::pair<std::string, std::string>> shared = {
        {"templates/_helpers.tpl", "ignored text{{ define \"helper\" }}name={{ .name }}{{ end }}"}};
    EXPECT_EQ(render("build.yaml", "{{ template \"helper\" . }}", {{"name", "pkg"}}, shared), "name=pkg");
    // a definition in the main text overrides the shared one
    EXPECT_EQ(render("build.yaml", "{{ define \"helper\" }}mine{{ end }}{{ template \"helper\" }}", json::object(), shared),
              "mine");
    // the callee gets its own $
    EXPECT_EQ(R("{{ define \"r\" }}{{ $ }}{{ end }}{{ $x := 1 }}{{ template \"r\" 7 }}"), "7");
}

TEST(TemplateDefine, RecursiveTemplate) {
    const std::string t =
        "{{ define \"down\" }}{{ . }}{{ if gt . 0 }},{{ template \"down\" (sub . 1) }}{{ end }}{{ end }}"
        "{{ template \"down\" 3 }}";
    EXPECT_EQ(R(t), "3,2,1,0");
}

// --- Builtin functions ------------------------------------------------------------------------

TEST(TemplateBuiltins, LogicAndComparison) {
    EXPECT_EQ(R("{{ and 1 \"x\" }} {{ and 1 0 2 }} {{ or 0 \"\" \"y\" }} {{ or 0 false }} {{ not 0 }}"), "x 0 y false true");
    EXPECT_EQ(R("{{ eq 1 2 3 1 }} {{ eq \"a\" \"b\" }} {{ ne 1 2 }} {{ eq .missing nil }}"), "true false true true");
    EXPECT_EQ(R("{{ lt 1 2 }} {{ le 2 2 }} {{ gt \"b\" \"a\" }} {{ ge 1.5 2 }} {{ eq 2 2.0 }}"), "true true true false true");
    // and/or short-circuit: the failing call is never made
    EXPECT_EQ(R("{{ or true (fail \"boom\") }}"), "true");
}

TEST(TemplateBuiltins, LenIndexSlice) {
    json v = {{"l", {10, 20, {{"k", "deep"}}}}, {"m", {{"a", {1, 2}}}}};
    EXPECT_EQ(R("{{ len .l }} {{ len \"abcd\" }} {{ len .m }}", v), "3 4 1");
    EXPECT_EQ(R("{{ index .l 1 }} {{ index .l 2 \"k\" }} {{ index .m \"a\" 0 }} {{ index .m \"zz\" }}", v),
              "20 deep 1 ");
    EXPECT_EQ(R("{{ slice .l 1 2 }} {{ slice \"hello\" 1 3 }} {{ slice \"hello\" 2 }}", v), "[20] el llo");
}

TEST(TemplateBuiltins, PrintFamily) {
    EXPECT_EQ(R("{{ print \"a\" 1 2 \"b\" }}"), "a1 2b");
    EXPECT_EQ(R("{{ println \"a\" 1 }}"), "a 1\n");
    EXPECT_EQ(R("{{ printf \"%s|%d|%v|%q|%t|%%\" \"s\" 42 (list 1 2) \"q\" true }}"), "s|42|[1 2]|\"q\"|true|%");
    EXPECT_EQ(R("{{ printf \"%f|%.2f|%x|%X|%5d|%-4s|%05d\" 1.5 3.14159 255 255 42 \"ab\" 7 }}"),
              "1.500000|3.14|ff|FF|   42|ab  |00007");
    EXPECT_EQ(R("{{ printf \"%d\" \"x\" }}"), "%!d(string=x)");
    EXPECT_EQ(R("{{ printf \"%s %s\" \"a\" }}"), "a %!s(MISSING)");
}

// --- Sprig ------------------------------------------------------------------------------------

TEST(TemplateSprig, DefaultsAndFlow) {
    json v = {{"set", "v"}, {"zero", 0}, {"f", false}};
    EXPECT_EQ(R("{{ .missing | default \"d\" }} {{ .set | default \"d\" }} {{ .zero | default 5 }}", v), "d v 5");
    EXPECT_EQ(R("{{ empty .zero }} {{ empty .set }} {{ empty (list) }}", v), "true false true");
    EXPECT_EQ(R("{{ coalesce .missing .zero \"c\" .set }}", v), "c");
    EXPECT_EQ(R("{{ ternary \"yes\" \"no\" true }} {{ .f | ternary \"yes\" \"no\" }}", v), "yes no");
    EXPECT_EQ(R("{{ required \"need set\" .set }}", v), "v");
}

TEST(TemplateSprig, IncludeAndTpl) {
    const std::string t =
        "{{- define \"labels\" }}a: {{ .a }}\nb: {{ .b }}{{ end -}}\n"
        "metadata:\n  labels:{{ include \"labels\" .l | nindent 4 }}\n"
        "x: {{ include \"labels\" .l | upper | quote }}";
    EXPECT_EQ(R(t, {{"l", {{"a", 1}, {"b", 2}}}}), "metadata:\n  labels:\n    a: 1\n    b: 2\nx: \"A: 1\\nB: 2\"");
    EXPECT_EQ(R("{{ tpl \"hi {{ .name }}\" . }}", {{"name", "bob"}}), "hi bob");
    EXPECT_EQ(R("{{ define \"d\" }}D{{ end }}{{ tpl \"{{ include \\\"d\\\" . }}!\" . }}"), "D!");
}

TEST(TemplateSprig, Serialisation) {
    json v = {{"m", {{"b", {1, 2}}, {"a", "x"}, {"n", {{"k", true}}}, {"s", "true"}, {"e", ""}}}};
    EXPECT_EQ(R("{{ toYaml .m }}", v), "a: x\nb:\n- 1\n- 2\ne: \"\"\n\"n\":\n  k: true\ns: \"true\"");
    EXPECT_EQ(R("{{ toJson .m }}", v), "{\"a\":\"x\",\"b\":[1,2],\"e\":\"\",\"n\":{\"k\":true},\"s\":\"true\"}");
    EXPECT_EQ(R("{{ (fromYaml \"a: 1\\nb: [x, y]\").b }}"), "[x true]");  // Helm: YAML 1.1, y is true
    EXPECT_EQ(R("{{ (fromJson \"{\\\"a\\\": {\\\"b\\\": 2.5}}\").a.b }}"), "2.5");
    EXPECT_EQ(R("{{ toString 12 }} {{ toString 1.5 }} {{ toJson 1.0 }} {{ toJson \"<&>\" }}"), "12 1.5 1 \"\\u003c\\u0026\\u003e\"");
}

TEST(TemplateSprig, Strings) {
    EXPECT_EQ(R("{{ trim \"  a b \\n\" }}|{{ trimAll \"$\" \"$$x$\" }}|{{ trimPrefix \"v\" \"v1.0\" }}|{{ trimSuffix \".tar\" \"a.tar\" }}"),
              "a b|x|1.0|a");
    EXPECT_EQ(R("{{ upper \"abc\" }} {{ lower \"ABC\" }} {{ title \"hello big-world\" }}"), "ABC abc Hello Big-World");
    EXPECT_EQ(R("{{ \"a-b-c\" | replace \"-\" \"_\" }} {{ contains \"ell\" \"hello\" }} {{ hasPrefix \"he\" \"hello\" }} {{ hasSuffix \"lo\" \"hello\" }}"),
              "a_b_c true true true");
    EXPECT_EQ(R("{{ repeat 3 \"ab\" }} {{ substr 1 3 \"hello\" }} {{ substr 2 99 \"hello\" }} {{ nospace \" a b\\tc \" }}"),
              "ababab el llo abc");
    EXPECT_EQ(R("{{ trunc 3 \"hello\" }} {{ trunc -2 \"hello\" }} {{ trunc 10 \"hi\" }}"), "hel lo hi");
    EXPECT_EQ(R("{{ quote \"a\" 1 nil }} {{ squote \"a\" }} {{ cat \"a\" 1 nil \"b\" }}"), "\"a\" \"1\" 'a' a 1 b");
    EXPECT_EQ(R("{{ \"a\\nb\" | indent 2 }}|{{ \"a\\nb\" | nindent 2 }}"), "  a\n  b|\n  a\n  b");
    EXPECT_EQ(R("{{ $p := split \".\" \"1.2.3\" }}{{ $p._0 }}{{ $p._2 }} {{ splitList \",\" \"a,b\" }} {{ join \"-\" (list 1 \"x\" nil 2) }}"),
              "13 [a b] 1-x-2");
    EXPECT_EQ(R("{{ b64enc \"hello!?\" }} {{ b64dec \"aGVsbG8hPw==\" }}"), "aGVsbG8hPw== hello!?");
    EXPECT_EQ(R("{{ toStrings (list 1 \"a\" true) }}"), "[1 a true]");
}

TEST(TemplateSprig, Env) {
    ::setenv("LUET_TMPL_TEST_VAR", "from-env", 1);
    EXPECT_EQ(R("{{ env \"LUET_TMPL_TEST_VAR\" }}|{{ env \"LUET_TMPL_SURELY_UNSET\" }}"), "from-env|");
}

TEST(TemplateSprig, Lists) {
    json v = {{"l", {1, 2, 3, 2}}};
    EXPECT_EQ(R("{{ list 1 2 }} {{ append .l 4 }} {{ prepend .l 0 }}", v), "[1 2] [1 2 3 2 4] [0 1 2 3 2]");
    EXPECT_EQ(R("{{ first .l }} {{ last .l }} {{ rest .l }} {{ initial .l }} {{ uniq .l }}", v), "1 2 [2 3 2] [1 2 3] [1 2 3]");
    EXPECT_EQ(R("{{ has 3 .l }} {{ .l | has 9 }} {{ without .l 2 }} {{ concat .l (list 9) (list) }}", v),
              "true false [1 3] [1 2 3 2 9]");
    EXPECT_EQ(R("{{ until 3 }} {{ untilStep 2 10 3 }} {{ first (list) }}"), "[0 1 2] [2 5 8] ");
    EXPECT_EQ(R("{{ sortAlpha (list \"b\" \"a\") }} {{ reverse (list 1 2) }} {{ compact (list 1 \"\" 0 2) }}"), "[a b] [2 1] [1 2]");
}

TEST(TemplateSprig, Dicts) {
    json v = {{"m", {{"b", 2}, {"a", 1}}}};
    EXPECT_EQ(R("{{ dict \"x\" 1 \"y\" \"z\" }} {{ dict \"odd\" }}"), "map[x:1 y:z] map[odd:]");
    EXPECT_EQ(R("{{ get .m \"a\" }}|{{ get .m \"nope\" }}|{{ hasKey .m \"b\" }}|{{ keys .m }}|{{ values .m }}", v),
              "1||true|[a b]|[1 2]");
    EXPECT_EQ(R("{{ $d := dict \"a\" 1 }}{{ $_ := set $d \"b\" 2 }}{{ $d }}{{ $_ := unset $d \"a\" }} {{ $d }}"),
              "map[a:1 b:2] map[b:2]");
    EXPECT_EQ(R("{{ $_ := set .m \"c\" 3 }}{{ .m.c }} {{ $.m.c }}", v), "3 3");
    EXPECT_EQ(R("{{ pluck \"a\" (dict \"a\" 1) (dict \"b\" 2) (dict \"a\" 3) }}"), "[1 3]");
    EXPECT_EQ(R("{{ merge (dict \"a\" 1 \"n\" (dict \"x\" 1)) (dict \"a\" 2 \"b\" 3 \"n\" (dict \"y\" 2)) }}"),
              "map[a:1 b:3 n:map[x:1 y:2]]");
    EXPECT_EQ(R("{{ mergeOverwrite (dict \"a\" 1 \"k\" true) (dict \"a\" 2 \"k\" false) }}"), "map[a:2 k:false]");
    EXPECT_EQ(R("{{ $d := dict }}{{ $_ := merge $d (dict \"z\" 1) }}{{ $d.z }}"), "1");
}

TEST(TemplateSprig, Math) {
    EXPECT_EQ(R("{{ add 1 2 3 }} {{ add1 4 }} {{ sub 5 7 }} {{ mul 2 3 4 }} {{ div 7 2 }} {{ mod 7 3 }}"), "6 5 -2 24 3 1");
    EXPECT_EQ(R("{{ max 1 9 3 }} {{ min 4 2 8 }} {{ add \"3\" 1.9 }}"), "9 2 4");
    EXPECT_EQ(R("{{ int \"42\" }} {{ int64 3.9 }} {{ float64 \"1.25\" }} {{ atoi \"12\" }} {{ atoi \"x\" }}"), "42 3 1.25 12 0");
}

TEST(TemplateSprig, Regex) {
    EXPECT_EQ(R("{{ regexMatch \"^[a-z]+[0-9]$\" \"abc1\" }} {{ regexMatch \"^x\" \"abc\" }}"), "true false");
    EXPECT_EQ(R("{{ regexReplaceAll \"a(x*)b\" \"-ab-axxb-\" \"${1}W\" }}"), "-W-xxW-");
    EXPECT_EQ(R("{{ regexReplaceAll \"([0-9]+)\\\\.([0-9]+)\" \"v1.2\" \"$2.$1\" }}"), "v2.1");
    EXPECT_EQ(R("{{ regexFind \"[0-9]+\" \"abc123def456\" }}|{{ regexFind \"z\" \"abc\" }}"), "123|");
    EXPECT_EQ(R("{{ regexFindAll \"[0-9]\" \"a1b2c3\" -1 }} {{ regexSplit \",\" \"a,b,c\" -1 }}"), "[1 2 3] [a b c]");
}

TEST(TemplateSprig, Semver) {
    EXPECT_EQ(R("{{ semverCompare \">=1.2.0\" \"1.2.3\" }} {{ semverCompare \">=1.2.0\" \"1.1.9\" }}"), "true false");
    EXPECT_EQ(R("{{ semverCompare \">= 1.0, < 2.0\" \"1.9.9\" }} {{ semverCompare \">= 1.0, < 2.0\" \"2.0.0\" }}"), "true false");
    EXPECT_EQ(R("{{ semverCompare \"~1.2\" \"1.2.9\" }} {{ semverCompare \"~1.2\" \"1.3.0\" }} {{ semverCompare \"^1.2\" \"1.9.0\" }}"),
              "true false true");
    EXPECT_EQ(R("{{ semverCompare \"1.2.x\" \"1.2.7\" }} {{ semverCompare \"<1.0 || >=3\" \"3.1.0\" }} {{ semverCompare \"1.0 - 2.0\" \"1.5.0\" }}"),
              "true true true");
    EXPECT_EQ(R("{{ semverCompare \">=1.0.0\" \"1.2.0-beta.1\" }} {{ semverCompare \"v1.2.3\" \"1.2.3\" }}"), "false true");
    EXPECT_EQ(R("{{ $v := semver \"v1.22.3-rc.1+build5\" }}{{ $v.Major }}.{{ $v.Minor }}.{{ $v.Patch }} {{ $v.Prerelease }} {{ (semver \"2.0\").Minor }}"),
              "1.22.3 rc.1 0");
    // Numbers beyond 64 bits are no version (sprig's error, not a raw std::stoll throw);
    // long numeric prerelease parts still compare.
    try {
        R("{{ semver \"99999999999999999999.0.0\" }}");
        ADD_FAILURE() << "a 20-digit major version was accepted";
    } catch (const luet::Error& e) {
        EXPECT_NE(std::string(e.what()).find("error calling semver: Invalid Semantic Version"), std::string::npos) << e.what();
    }
    EXPECT_EQ(R("{{ semverCompare \">1.0.0-99999999999999999998\" \"1.0.0-99999999999999999999\" }}"), "true");
}

// --- YAML helpers -----------------------------------------------------------------------------

TEST(TemplateYaml, TypingOfScalars) {
    json v = V("s: hello\nq: \"true\"\nb: true\ny: yes\ni: 42\nneg: -3\nhex: 0x10\nf: 1.5\nn: null\nt: ~\ne:\nver: \"1.2.3\"\nv2: 1.2.3\nl: [1, a]\n");
    EXPECT_EQ(v["s"], json("hello"));
    EXPECT_EQ(v["q"], json("true"));
    EXPECT_EQ(v["b"], json(true));
    EXPECT_EQ(v["y"], json(true));
    EXPECT_TRUE(v["i"].is_number_integer());
    EXPECT_EQ(v["i"].get<std::int64_t>(), 42);
    EXPECT_EQ(v["neg"].get<std::int64_t>(), -3);
    EXPECT_EQ(v["hex"].get<std::int64_t>(), 16);
    EXPECT_TRUE(v["f"].is_number_float());
    EXPECT_DOUBLE_EQ(v["f"].get<double>(), 1.5);
    EXPECT_TRUE(v["n"].is_null());
    EXPECT_TRUE(v["t"].is_null());
    EXPECT_TRUE(v["e"].is_null());
    EXPECT_EQ(v["ver"], json("1.2.3"));
    EXPECT_EQ(v["v2"], json("1.2.3"));
    EXPECT_EQ(v["l"], json::array({1, "a"}));
}

TEST(TemplateYaml, InvalidYamlNamesOrigin) {
    try {
        luet::tmpl::yaml_to_json("a: [1, 2\n", "values.yaml");
        FAIL() << "expected an error";
    } catch (const luet::Error& e) {
        EXPECT_EQ(std::string(e.what()).rfind("values.yaml: invalid YAML", 0), 0u) << e.what();
    }
}

TEST(TemplateYaml, JsonToYaml) {
    json v = {{"name", "x"}, {"list", {{{"a", 1}, {"b", "two"}}, "plain"}}, {"empty", json::object()}, {"none", nullptr},
              {"multi", "l1\nl2\n"}, {"colon", "a: b"}, {"num", "12"}, {"f", 2.5}};
    EXPECT_EQ(luet::tmpl::json_to_yaml(v),
              "colon: 'a: b'\nempty: {}\nf: 2.5\nlist:\n- a: 1\n  b: two\n- plain\nmulti: |\n  l1\n  l2\nname: x\nnone: null\nnum: \"12\"\n");
    EXPECT_EQ(luet::tmpl::yaml_to_json(luet::tmpl::json_to_yaml(v), "roundtrip"), v);
}

TEST(TemplateYaml, MergeValues) {
    json base = V("a: 1\nm:\n  x: 1\n  y: 2\nl: [1, 2]\n");
    luet::tmpl::merge_values(base, V("m:\n  y: 3\n  z: 4\nl: [9]\nb: new\n"));
    EXPECT_EQ(base, V("a: 1\nb: new\nm:\n  x: 1\n  y: 3\n  z: 4\nl: [9]\n"));
}

// --- Realistic luet build.yaml -----------------------------------------------------------------

TEST(TemplateLuet, BuildYaml) {
    json values = V("name: \"hello\"\nversion: \"1.2.3\"\nlabels:\n  a: x\nlist: [1,2]\n");
    const std::string tmpl =
        "image: {{ .Values.image | default \"busybox\" }}\nsteps:\n{{- range $i, $v := .Values.list }}\n- echo {{ $i }}={{ $v }}\n{{- end }}\n";
    EXPECT_EQ(render("build.yaml", tmpl, {{"Values", values}}), "image: busybox\nsteps:\n- echo 0=1\n- echo 1=2\n");
}

TEST(TemplateLuet, DefinitionWithHelpers) {
    json values = V("name: \"hello\"\nversion: \"1.2.3\"\nlabels:\n  a: x\n  b: y\nlist: [1,2]\n");
    std::vector<std::pair<std::string, std::string>> shared = {
        {"templates/helpers.yaml", "{{ define \"pkg.fullname\" }}{{ .Values.name }}-{{ .Values.version }}{{ end }}"}};
    const std::string tmpl =
        "name: {{ .Values.name | quote }}\n"
        "fullname: {{ include \"pkg.fullname\" . }}\n"
        "{{- if semverCompare \">=1.0.0\" .Values.version }}\n"
        "stable: true\n"
        "{{- end }}\n"
        "labels:\n{{ toYaml .Values.labels | indent 2 }}\n"
        "{{- with .Values.missing }}\nnever: {{ . }}\n{{- end }}\n";
    EXPECT_EQ(render("definition.yaml", tmpl, {{"Values", values}}, shared),
              "name: \"hello\"\nfullname: hello-1.2.3\nstable: true\nlabels:\n  a: x\n  b: true\n");  // y: YAML 1.1 bool
}

// --- Errors ------------------------------------------------------------------------------------

TEST(TemplateErrors, ParseErrors) {
    EXPECT_EQ(E("line1\n  {{ .x "), "t.yaml:2:3: unclosed action");
    EXPECT_EQ(E("a\nb {{ end }}"), "t.yaml:2:3: unexpected {{end}}");
    EXPECT_EQ(E("{{ else }}"), "t.yaml:1:1: unexpected {{else}}");
    EXPECT_EQ(E("x\n\n   {{ foo 1 }}"), "t.yaml:3:4: function \"foo\" not defined");
    EXPECT_EQ(E("{{ $x }}"), "t.yaml:1:1: undefined variable \"$x\"");
    EXPECT_EQ(E("{{ if true }}{{ $y := 1 }}{{ end }}\n{{ $y }}"), "t.yaml:2:1: undefined variable \"$y\"");
    EXPECT_EQ(E("{{ $z = 1 }}"), "t.yaml:1:1: undefined variable \"$z\"");
    EXPECT_EQ(E("{{ if true }}x"), "t.yaml:1:1: unexpected EOF: {{if}} has no matching {{end}}");
    EXPECT_EQ(E("{{ break }}"), "t.yaml:1:1: {{break}} outside {{range}}");
    EXPECT_EQ(E("{{ \"unterminated }}"), "t.yaml:1:1: unterminated quoted string");
    EXPECT_EQ(E("{{ }}"), "t.yaml:1:1: missing value for command");
    EXPECT_EQ(E("{{ 1 | 2 }}"), "t.yaml:1:1: non executable command in pipeline stage 2");
    EXPECT_EQ(E("{{/* never closed "), "t.yaml:1:1: unclosed comment");
}

TEST(TemplateErrors, ExecutionErrors) {
    EXPECT_EQ(E("ok\n {{ upper \"a\" \"b\" }}"), "t.yaml:2:2: wrong number of args for upper: want 1 got 2");
    EXPECT_EQ(E("{{ index .l 5 }}", {{"l", {1}}}), "t.yaml:1:1: error calling index: index out of range: 5");
    EXPECT_EQ(E("{{ .x 1 }}", {{"x", 1}}), "t.yaml:1:1: x is not a method but has arguments");
    EXPECT_EQ(E("{{ $v := 1 }}{{ $v 2 }}"), "t.yaml:1:14: can't give argument to non-function $v");
    EXPECT_EQ(E("a\n{{ required \"image is required\" .Values.image }}", {{"Values", json::object()}}),
              "t.yaml:2:1: error calling required: image is required");
    EXPECT_EQ(E("{{ fail \"stop here\" }}"), "t.yaml:1:1: error calling fail: stop here");
    EXPECT_EQ(E("\n{{ template \"nope\" }}"), "t.yaml:2:1: template \"nope\" not defined");
    EXPECT_EQ(E("{{ include \"nope\" . }}"), "t.yaml:1:1: error calling include: template \"nope\" not defined");
    EXPECT_EQ(E("{{ upper 5 }}"), "t.yaml:1:1: error calling upper: wrong type for value; expected string; got int");
    EXPECT_EQ(E("{{ eq \"a\" 1 }}"), "t.yaml:1:1: error calling eq: incompatible types for comparison");
    EXPECT_EQ(E("{{ range \"str\" }}{{ end }}"), "t.yaml:1:1: range can't iterate over str");
    EXPECT_EQ(E("{{ div 1 0 }}"), "t.yaml:1:1: error calling div: integer divide by zero");
    EXPECT_EQ(E("{{ semverCompare \">=1\" \"not-a-version\" }}"), "t.yaml:1:1: error calling semverCompare: Invalid Semantic Version");
}

TEST(TemplateErrors, ErrorsInsideDefinesNameTheirSource) {
    std::vector<std::pair<std::string, std::string>> shared = {
        {"templates/_h.tpl", "\n{{ define \"bad\" }}\n  {{ fail \"from helper\" }}{{ end }}"}};
    try {
        render("main.yaml", "{{ include \"bad\" . }}", json::object(), shared);
        FAIL() << "expected an error";
    } catch (const luet::Error& e) {
        EXPECT_EQ(std::string(e.what()), "templates/_h.tpl:3:3: error calling fail: from helper");
    }
}

TEST(TemplateErrors, RecursionAndScopes) {
    EXPECT_EQ(E("{{ define \"a\" }}{{ template \"a\" }}{{ end }}{{ template \"a\" }}"),
              "t.yaml:1:17: exceeded maximum template depth (1000)");
    // a define does not see the caller's variables
    EXPECT_EQ(E("{{ $x := 1 }}\n{{ define \"d\" }}{{ $x }}{{ end }}"), "t.yaml:2:17: undefined variable \"$x\"");
    EXPECT_EQ(E("{{ range .l }}{{ else }}{{ break }}{{ end }}"), "t.yaml:1:25: {{break}} outside {{range}}");
}

TEST(TemplateText, MultiLineActionsAndWhitespace) {
    EXPECT_EQ(R("{{ dict\n  \"a\" 1\n  \"b\" 2 }}"), "map[a:1 b:2]");
    EXPECT_EQ(R("a\r\n{{- \"b\" }}\r\n"), "ab\r\n");
    EXPECT_EQ(R("{{ \"}}\" }}{{ `{{` }}"), "}}{{");
}

TEST(TemplateErrors, RecursiveInclude) {
    EXPECT_EQ(E("{{ define \"a\" }}{{ include \"a\" . }}{{ end }}{{ include \"a\" . }}"),
              "t.yaml:1:17: error calling include: exceeded maximum template depth (1000)");
}

// --- Helm's function set beyond the core (funcs_sprig.cpp, time.cpp) ---------------------------
// Expected values come from the shell (sha1sum, sha256sum, python's zlib/base64, GNU date with
// TZ=...) and from Helm's engine through upstream's `luet-build tree render`, never from ours.
namespace {

TEST(TemplateHelm, Hashes) {
    EXPECT_EQ(R("{{ sha1sum \"hello\" }}"), "aaf4c61ddcc5e8a2dabede0f3b482cd9aea9434d");
    EXPECT_EQ(R("{{ sha256sum \"\" }}"), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    EXPECT_EQ(R("{{ \"abc\" | sha256sum }}"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    EXPECT_EQ(R("{{ adler32sum \"Wikipedia\" }}"), "300286872");
}

TEST(TemplateHelm, Encodings) {
    EXPECT_EQ(R("{{ b32enc \"hello\" }} {{ b32enc \"a\" }} {{ b32dec \"NBSWY3DP\" }}"), "NBSWY3DP ME====== hello");
    EXPECT_EQ(R("{{ toRawJson (dict \"a\" \"<b>&\") }} {{ toJson (dict \"a\" \"<b>&\") }}"),
              "{\"a\":\"<b>&\"} {\"a\":\"\\u003cb\\u003e\\u0026\"}");
    EXPECT_EQ(R("{{ fromJsonArray \"[1,2]\" }}"), "[1 2]");
    EXPECT_EQ(R("{{ toToml (dict \"a\" 1 \"b\" \"x\" \"t\" (dict \"c\" true) \"f\" 1.5 \"l\" (list 1 2)) }}"),
              "a = 1\nb = \"x\"\nf = 1.5\nl = [1, 2]\n\n[t]\n  c = true\n");
    EXPECT_EQ(R("{{ encryptAES \"secretkey\" \"plaintext\" | decryptAES \"secretkey\" }}"), "plaintext");
}

TEST(TemplateHelm, Dates) {
    // TZ=Europe/Rome date -d @1700000000; TZ=America/New_York ...; date -u -d 2023-05-04 +%s
    EXPECT_EQ(R("{{ dateInZone \"2006-01-02 15:04 MST -0700\" 1700000000 \"Europe/Rome\" }}"), "2023-11-14 23:13 CET +0100");
    EXPECT_EQ(R("{{ dateInZone \"2006-01-02 15:04 MST\" 1700000000 \"America/New_York\" }}"), "2023-11-14 17:13 EST");
    EXPECT_EQ(R("{{ dateInZone \"2006-01-02 15:04 MST\" 1700000000 \"Nowhere/Bogus\" }}"), "2023-11-14 22:13 UTC");
    EXPECT_EQ(R("{{ toDate \"2006-01-02\" \"2023-05-04\" | unixEpoch }}"), "1683158400");
    EXPECT_EQ(R("{{ htmlDateInZone 86400 \"Asia/Tokyo\" }}"), "1970-01-02");
    // Past the zone file's transitions: the POSIX rule of its footer.
    EXPECT_EQ(R("{{ dateInZone \"2006-01-02 15:04:05 MST\" (toDate \"2006-01-02 15:04\" \"2050-07-01 12:00\") \"Europe/Rome\" }}"),
              "2050-07-01 14:00:00 CEST");
    EXPECT_EQ(R("{{ dateInZone \"2006-01-02 15:04 MST\" 2500000000 \"Australia/Sydney\" }}"), "2049-03-22 15:26 AEDT");
    // Layout elements (Helm's output).
    EXPECT_EQ(R("{{ dateInZone \"Mon Monday Jan January _2 002 3PM pm .000 .999 Z07:00\" "
                "(toDate \"2006-01-02 15:04:05.000\" \"2023-11-05 17:09:03.120\") \"UTC\" }}"),
              "Sun Sunday Nov November  5 309 5PM pm .120 .12 Z");
    EXPECT_EQ(R("{{ toDate \"2006-01-02 15:04 -0700\" \"2023-05-04 10:00 +0200\" }}"), "2023-05-04 10:00:00 +0200 +0200");
    EXPECT_EQ(R("{{ toDate \"2006-01-02\" \"bogus\" }}"), "0001-01-01 00:00:00 +0000 UTC");
    EXPECT_NE(E("{{ mustToDate \"2006-01-02\" \"bogus\" }}").find("cannot parse"), std::string::npos);
    EXPECT_EQ(R("{{ toDate \"2006-01-02\" \"2023-05-04\" | dateModify \"-1.5h\" | date \"2006-01-02 15:04\" }}"), "2023-05-03 22:30");
    EXPECT_EQ(R("{{ duration \"90\" }} {{ duration \"3661\" }} {{ duration 5 }} {{ duration \"-5\" }}"), "1m30s 1h1m1s 0s -5s");
    EXPECT_EQ(R("{{ durationRound \"2h10m5s\" }} {{ durationRound \"400h\" }} {{ durationRound \"1000000h\" }}"), "2h 16d 114y");
    EXPECT_EQ(R("{{ typeOf now }} {{ kindOf now }} {{ now | date \"2006\" | len }}"), "time.Time struct 4");
    EXPECT_EQ(R("{{ toJson (toDate \"2006-01-02\" \"2023-05-04\") }}"), "\"2023-05-04T00:00:00Z\"");
}

TEST(TemplateHelm, FloatMath) {
    // sprig computes with decimals: 0.1 + 0.2 is 0.3 (python's float sum says 0.30000000000000004)
    EXPECT_EQ(R("{{ addf 0.1 0.2 }} {{ subf 1.5 0.25 0.25 }} {{ mulf 0.1 3 }} {{ divf 10 3 }} {{ divf 1 8 }} {{ add1f 1.25 }}"),
              "0.3 1 0.3 3.3333333333333335 0.125 2.25");
    EXPECT_EQ(R("{{ maxf 1 2.5 -3 }} {{ minf 1 2.5 -3 }} {{ floor -1.5 }} {{ ceil -1.5 }} {{ round 3.14159 3 }} {{ round 2.5 0 }}"),
              "2.5 -3 -2 -1 3.142 3");
    EXPECT_EQ(R("{{ biggest 1 5 3 }} {{ toDecimal \"777\" }} {{ seq 5 }} {{ seq 10 -3 1 }}"), "5 511 1 2 3 4 5 10 7 4 1");
}

TEST(TemplateHelm, RandomAndUuid) {
    const std::string u = R("{{ uuidv4 }}");
    EXPECT_TRUE(RE2::FullMatch(u, "[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")) << u;
    EXPECT_NE(u, R("{{ uuidv4 }}"));
    EXPECT_TRUE(RE2::FullMatch(R("{{ randAlphaNum 12 }}"), "[A-Za-z0-9]{12}"));
    EXPECT_TRUE(RE2::FullMatch(R("{{ randNumeric 6 }}"), "[0-9]{6}"));
    EXPECT_TRUE(RE2::FullMatch(R("{{ randAlpha 6 }}"), "[A-Za-z]{6}"));
    EXPECT_EQ(R("{{ randBytes 12 | b64dec | len }} {{ randInt 3 4 }} {{ shuffle \"abc\" | len }}"), "12 3 3");
}

TEST(TemplateHelm, Strings) {
    EXPECT_EQ(R("{{ abbrev 5 \"hello world\" }} {{ abbrevboth 5 10 \"1234 5678 9123\" }} {{ initials \"First Try\" }}"),
              "he... ...5678... FT");
    EXPECT_EQ(R("{{ untitle \"Hello World\" }} {{ swapcase \"This Is A.Test\" }}"), "hello world tHIS iS a.tEST");
    EXPECT_EQ(R("{{ snakecase \"HTTPServer\" }} {{ snakecase \"HTTP20xOK\" }} {{ snakecase \"Bld4Floor3rd\" }} "
                "{{ kebabcase \"hello_world-foo Bar\" }} {{ camelcase \"_my_field_name\" }}"),
              "http_server http_20x_ok bld4_floor_3rd hello-world-foo-bar _MyFieldName");
    EXPECT_EQ(R("{{ wrap 5 \"Hello World, this is wrap\" }}|{{ wrapWith 3 \"|\" \"abcdefgh ij\" }}"),
              "Hello\nWorld,\nthis\nis\nwrap|abc|def|gh|ij");
    EXPECT_EQ(R("{{ plural \"one\" \"many\" 2 }} {{ splitn \"$\" 2 \"foo$bar$baz\" }} {{ regexQuoteMeta \"1.2[a]\" }}"),
              "many map[_0:foo _1:bar$baz] 1\\.2\\[a\\]");
    EXPECT_EQ(R("{{ hello }} {{ trimall \"$\" \"$5.00$\" }}"), "Hello! 5.00");
}

TEST(TemplateHelm, ListsDictsAndDig) {
    EXPECT_EQ(R("{{ list 1 2 3 4 5 | chunk 2 }} {{ all 1 \"a\" }} {{ all 1 \"\" }} {{ any 0 \"x\" }} {{ any }}"),
              "[[1 2] [3 4] [5]] true false true false");
    json v = {{"Values", {{"a", {{"b", {{"c", "deep"}}}}}}}};
    EXPECT_EQ(R("{{ dig \"a\" \"b\" \"c\" \"def\" .Values }} {{ dig \"a\" \"x\" \"def\" .Values }} {{ dig \"z\" 0 .Values }}", v),
              "deep def 0");
    EXPECT_EQ(R("{{ pick (dict \"a\" 1 \"b\" 2 \"c\" 3) \"a\" \"c\" \"zz\" }} {{ omit (dict \"a\" 1 \"b\" 2) \"a\" }}"),
              "map[a:1 c:3] map[b:2]");
    EXPECT_EQ(R("{{ typeIs \"int\" 1 }} {{ typeIsLike \"string\" \"x\" }} {{ deepEqual (list 1 2) (list 1 2) }} {{ deepEqual 1 1.0 }}"),
              "true true true false");
    EXPECT_EQ(R("{{ mustFirst (list 1 2) }} {{ mustUniq (list 1 1) }} {{ mustCompact (list 1 \"\" 2) }}"), "1 [1] [1 2]");
}

TEST(TemplateHelm, PathsAndUrls) {
    EXPECT_EQ(R("{{ base \"/a/b/c.txt\" }} {{ dir \"/a/b/c.txt\" }} {{ clean \"/a//b/../c/./d/\" }} {{ ext \"x/y.tar.gz\" }} "
                "{{ isAbs \"x\" }} {{ osBase \"/a/\" }}"),
              "c.txt /a/b /a/c/d .gz false a");
    EXPECT_EQ(R("{{ urlParse \"https://user:pw@example.com:8080/path/x?q=1&b=2#frag\" }}"),
              "map[fragment:frag host:example.com:8080 hostname:example.com opaque: path:/path/x query:q=1&b=2 "
              "scheme:https userinfo:user:pw]");
    EXPECT_EQ(R("{{ urlJoin (dict \"path\" \"/a b\" \"scheme\" \"https\" \"host\" \"x.y\" \"query\" \"a=b\") }}"),
              "https://x.y/a%20b?a=b");
    EXPECT_EQ(R("{{ getHostByName \"localhost\" }}|{{ lookup \"v1\" \"Pod\" \"ns\" \"name\" }}"), "|map[]");
}

}  // namespace

// A render has a step and output budget (issue 17: a finalize.yaml comes from a repository).
TEST(TemplateLimits, NestedRangesStopAtTheStepBudget) {
    std::string m = E("a\n{{range until 100000}}{{range until 100000}}{{end}}{{end}}");
    EXPECT_NE(m.find("t.yaml:2:"), std::string::npos) << m;
    EXPECT_NE(m.find("more than 2000000 steps"), std::string::npos) << m;
    // The budget is shared with tpl: each tpl call cannot restart it.
    m = E("{{range until 1000}}{{tpl \"{{range until 100000}}{{end}}\" $}}{{end}}");
    EXPECT_NE(m.find("steps"), std::string::npos) << m;
}

TEST(TemplateLimits, OutputStopsAtTheByteBudget) {
    std::string m = E("{{range until 1000000}}{{repeat 100000 \"x\"}}{{end}}");
    EXPECT_NE(m.find("more than 67108864 bytes"), std::string::npos) << m;
}

TEST(TemplateLimits, OrdinaryLoopsStayWithinTheBudget) {
    // 500 x 1 000 iterations with output: inside both budgets.
    std::string out = R("{{range until 500}}{{range until 1000}}x{{end}}{{end}}");
    EXPECT_EQ(out.size(), 500000u);
}
