// The client's local index (repo/local_index.hpp) and the JSON reader of metadata documents
// (artifact::metadata_from_yaml on JSON text): both must give exactly what the YAML readers
// give, field by field, or the same error.
#include <gtest/gtest.h>
#include <algorithm>
#include <sqlite3.h>

#include <nlohmann/json.hpp>

#include "luet/artifact/artifact.hpp"
#include "luet/artifact/tarball.hpp"
#include "luet/core/error.hpp"
#include "luet/core/file.hpp"
#include "luet/repo/local_index.hpp"
#include "luet/spec/yaml_util.hpp"

namespace fs = std::filesystem;
using namespace luet;

namespace {

void expect_same_selector(const core::Selector& a, const core::Selector& b, const std::string& where) {
    EXPECT_EQ(a.op, b.op) << where;
    EXPECT_EQ(a.version, b.version) << where;
    ASSERT_EQ(a.also.size(), b.also.size()) << where;
    for (size_t i = 0; i < a.also.size(); ++i) expect_same_selector(a.also[i], b.also[i], where + " also");
}

void expect_same_refs(const std::vector<core::PackageRef>& a, const std::vector<core::PackageRef>& b,
                      const std::string& where) {
    ASSERT_EQ(a.size(), b.size()) << where;
    for (size_t i = 0; i < a.size(); ++i) {
        EXPECT_EQ(a[i].category, b[i].category) << where;
        EXPECT_EQ(a[i].name, b[i].name) << where;
        expect_same_selector(a[i].selector, b[i].selector, where + " " + a[i].atom());
    }
}

void expect_same_definition(const spec::Definition& a, const spec::Definition& b) {
    EXPECT_EQ(a.form, b.form);
    expect_same_refs(a.requires_, b.requires_, "requires");
    expect_same_refs(a.conflicts, b.conflicts, "conflicts");
    expect_same_refs(a.provides, b.provides, "provides");
    EXPECT_EQ(a.hidden, b.hidden);
    EXPECT_EQ(a.labels, b.labels);
    EXPECT_EQ(a.annotations, b.annotations);
    EXPECT_EQ(a.description, b.description);
    EXPECT_EQ(a.license, b.license);
    EXPECT_EQ(a.uri, b.uri);
}

// Every field of the metadata, the build spec included.
void expect_same(const artifact::Metadata& a, const artifact::Metadata& b) {
    EXPECT_EQ(a.path, b.path);
    EXPECT_EQ(a.compression, b.compression);
    EXPECT_EQ(a.sha256, b.sha256);
    EXPECT_EQ(a.files, b.files);
    EXPECT_EQ(a.package_cacheimage, b.package_cacheimage);
    expect_same_definition(a.runtime, b.runtime);
    const auto &x = a.compilespec, &y = b.compilespec;
    EXPECT_EQ(x.package, y.package);
    EXPECT_EQ(x.build_timestamp, y.build_timestamp);
    EXPECT_EQ(x.image, y.image);
    EXPECT_EQ(x.seed, y.seed);
    EXPECT_EQ(x.package_dir, y.package_dir);
    EXPECT_EQ(x.steps, y.steps);
    EXPECT_EQ(x.env, y.env);
    EXPECT_EQ(x.prelude, y.prelude);
    EXPECT_EQ(x.retrieve, y.retrieve);
    EXPECT_EQ(x.includes, y.includes);
    EXPECT_EQ(x.excludes, y.excludes);
    EXPECT_EQ(x.unpack, y.unpack);
    EXPECT_EQ(x.requires_final_images, y.requires_final_images);
}

// The YAML reader alone (what metadata_from_yaml did for every document before).
artifact::Metadata read_as_yaml(const std::string& text) {
    return artifact::metadata_from_node(spec::load_yaml(text, "doc"), "doc");
}

std::string error_of(const std::function<void()>& f) {
    try {
        f();
    } catch (const Error& e) {
        return e.what();
    }
    return "";
}

}  // namespace

TEST(MetadataJson, UpstreamDocumentsReadAsTheYamlReaderReadsThem) {
    // geaaru's own treev2 document: every package's metadata.json.
    const auto files = artifact::read_memory_tar(fs::path(LUET_FIXTURES_DIR) / "upstream/geaaru-treev2/tree.tar",
                                                 32u << 20, 256u << 20);
    int seen = 0;
    for (const auto& [name, text] : files) {
        if (!name.ends_with("/metadata.json")) continue;
        ++seen;
        SCOPED_TRACE(name);
        expect_same(artifact::metadata_from_yaml(text, name), read_as_yaml(text));
    }
    EXPECT_GT(seen, 3);
}

TEST(MetadataJson, EveryFieldAndTheCasesLeftToTheYamlReader) {
    const std::string full = R"({"path": "/build/foo-apps-1.0.package.tar.zst", "compressiontype": "zstd",
      "checksums": {"sha256": "abc"}, "files": ["usr/bin/foo", "etc/foo\nbar", "usr/share/\u00e9"],
      "package_cacheimage": "img", "dependencies": [],
      "compilespec": {"package": {"name": "foo", "category": "apps", "version": "1.0", "buildtimestamp": "t"},
        "image": "busybox", "seed": "", "package_dir": "/p", "steps": ["make"], "env": ["A=1"], "prelude": null,
        "retrieve": [], "includes": ["^/usr"], "excludes": [], "unpack": true, "requires_final_images": false,
        "build_options": null, "copy": []},
      "runtime": {"name": "foo", "category": "apps", "version": "1.0", "hidden": true,
        "requires": [{"name": "bar", "category": "libs", "version": ">=1.0, <2.0"},
                     {"name": "baz", "category": "libs", "version": "~1.2"},
                     {"name": "qux", "category": "libs", "version": "=1.0*"},
                     {"name": "any", "category": "libs", "version": ">=0"},
                     {"name": "none", "category": "libs"}],
        "conflicts": [{"name": "old", "category": "apps", "version": "<1.0"}],
        "provides": [{"name": "foo-compat", "category": "apps", "version": "1.0"}],
        "labels": {"kind": "app"}, "annotations": {"origin": "x"},
        "description": "d", "license": "GPL", "uri": ["https://example.org"]}})";
    expect_same(artifact::metadata_from_yaml(full, "doc"), read_as_yaml(full));

    // Left to the YAML reader: numbers, nested annotations, booleans as text, legacy keys.
    for (const std::string doc : {
             R"({"path": "a.tar", "runtime": {"name": "a", "category": "c", "version": 1.10}})",
             R"({"path": "a.tar", "runtime": {"name": "a", "category": "c", "version": "1",
                 "annotations": {"subsets": {"rules": ["x"]}}}})",
             R"({"path": "a.tar", "runtime": {"name": "a", "category": "c", "version": "1", "hidden": "true"}})",
             R"({"path": "a.tar", "compilationspec": {"package": {"name": "a", "category": "c", "version": "2"}}})",
             R"({"path": "a.tar", "compilespec": null, "compilationspec": {"package": {"name": "a"}}, "runtime": {"name": "b"}})",
             R"({"path": "a.tar", "runtime": {"name": "a", "requires": [{"name": "b", "version": 2}]}})",
         }) {
        SCOPED_TRACE(doc);
        expect_same(artifact::metadata_from_yaml(doc, "doc"), read_as_yaml(doc));
    }

    // Errors are the YAML reader's.
    for (const std::string doc : {
             R"({"path": "a.tar"})",
             R"({"path": "..", "runtime": {"name": "a"}})",
             R"({"path": "a.tar", "compressiontype": "lzma", "runtime": {"name": "a"}})",
             R"({"path": "a.tar", "runtime": {"name": "a\u0001b"}})",
             R"({"path": "a.tar", "runtime": {"name": "a", "requires": [{"name": "b", "version": ">="}]}})",
             R"({"path": "a.tar", "files": "x", "runtime": {"name": "a"}})",
         }) {
        SCOPED_TRACE(doc);
        const std::string expected = error_of([&] { read_as_yaml(doc); });
        EXPECT_FALSE(expected.empty());
        EXPECT_EQ(error_of([&] { artifact::metadata_from_yaml(doc, "doc"); }), expected);
    }
}

TEST(LocalIndex, RoundTripsEveryFieldAndReadsFilesOnlyWhenAsked) {
    core::TempDir dir("local-index-test");
    std::vector<artifact::Metadata> metas;
    auto runtime = [](const std::string& yaml) { return spec::parse_definition(yaml, "def"); };
    artifact::Metadata a;
    a.path = "foo-apps-1.0.package.tar.zst";
    a.compression = artifact::Compression::Zstd;
    a.sha256 = "0123";
    a.files = {"usr/bin/foo", "etc/with\nnewline", "tab\there", "usr/share/\xc3\xa9"};
    a.runtime = runtime(R"(name: foo
category: apps
version: "1.0+2"
hidden: true
requires:
- {name: bar, category: libs, version: ">=1.0, <2.0"}
- {name: baz, category: libs, version: "~1.2"}
- {name: qux, category: libs, version: "=1.0*"}
- {name: any, category: libs}
conflicts:
- {name: old, category: apps, version: "!=1.0"}
provides:
- {name: compat, category: apps, version: "1.0"}
labels: {kind: app}
annotations:
  origin: interop
  subsets: {rules: ["^/usr/share/doc"]}
description: "a \"quoted\" description"
license: GPL-3.0
uri: [https://example.org/a, https://example.org/b]
)");
    a.compilespec.package = a.runtime.form;
    artifact::Metadata b;
    b.path = "bar-libs-1.0.package.tar.gz";
    b.runtime = runtime("name: bar\ncategory: libs\nversion: \"1.0\"\n");
    b.compilespec.package = b.runtime.form;
    metas = {a, b};

    EXPECT_FALSE(repo::has_local_index(dir.path));
    repo::write_local_index(dir.path, {{a, "name: foo\n", "install: [\"echo {{.Values.name}}\"]\n"}, {b, "name: bar\n", ""}});
    ASSERT_TRUE(repo::has_local_index(dir.path));

    const auto with_files = repo::read_local_index(dir.path, true);
    ASSERT_EQ(with_files.size(), 2u);
    expect_same(with_files[0].meta, a);
    expect_same(with_files[1].meta, b);
    EXPECT_EQ(with_files[0].finalize_yaml, "install: [\"echo {{.Values.name}}\"]\n");
    EXPECT_EQ(with_files[0].definition_yaml, "name: foo\n");
    EXPECT_EQ(with_files[1].finalize_yaml, "");
    EXPECT_EQ(with_files[1].definition_yaml, "") << "kept only with a finalizer";

    const auto without = repo::read_local_index(dir.path, false);
    ASSERT_EQ(without.size(), 2u);
    EXPECT_TRUE(without[0].meta.files.empty());
    a.files.clear();
    expect_same(without[0].meta, a);
}

TEST(LocalIndex, AnotherFormatOrAMalformedIndexIsNotRead) {
    core::TempDir dir("local-index-test");
    const fs::path file = dir.path / repo::kLocalIndexFile;
    core::write_file_atomic(file, R"({"files":"luet-files.jsonl","format":1,"packages":[]})");
    EXPECT_FALSE(repo::has_local_index(dir.path)) << "not an SQLite file";
    EXPECT_THROW(repo::read_local_index(dir.path, false), Error);

    artifact::Metadata a;
    a.path = "a-apps-1.0.package.tar.gz";
    a.runtime = spec::parse_definition("name: a\ncategory: apps\nversion: \"1.0\"\n", "def");
    repo::write_local_index(dir.path, {{a, "", ""}});
    ASSERT_TRUE(repo::has_local_index(dir.path));
    auto sql = [&](const char* statement) {
        sqlite3* db = nullptr;
        ASSERT_EQ(sqlite3_open(file.c_str(), &db), SQLITE_OK);
        EXPECT_EQ(sqlite3_exec(db, statement, nullptr, nullptr, nullptr), SQLITE_OK) << sqlite3_errmsg(db);
        sqlite3_close(db);
    };
    sql("UPDATE info SET value = '1' WHERE key = 'format'");
    EXPECT_FALSE(repo::has_local_index(dir.path)) << "another format";
    sql(("UPDATE info SET value = '" + std::to_string(repo::kLocalIndexFormat) +
         "' WHERE key = 'format'; UPDATE packages SET record = '[1]'")
            .c_str());
    EXPECT_TRUE(repo::has_local_index(dir.path));
    try {
        repo::read_local_index(dir.path, false);
        FAIL() << "a malformed index was read";
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find(repo::kLocalIndexFile), std::string::npos) << e.what();
        EXPECT_NE(std::string(e.what()).find("repo update --force"), std::string::npos) << e.what();
    }
}

// Only what a request reaches is read: the packages named, their providers, and
// transitively what their requires, conflicts and provides name.
TEST(LocalIndex, ReachReadsOnlyWhatTheSeedsReach) {
    core::TempDir dir("local-index-test");
    auto meta = [](const std::string& yaml) {
        artifact::Metadata m;
        m.runtime = spec::parse_definition(yaml, "def");
        m.path = m.runtime.form.name + ".package.tar.gz";
        m.files = {"usr/share/" + m.runtime.form.name};
        return m;
    };
    const std::vector<artifact::Metadata> metas = {
        meta("name: app\ncategory: apps\nversion: \"1.0\"\nrequires: [{name: lib, category: libs, version: \">=1\"}]\n"),
        meta("name: lib\ncategory: libs\nversion: \"1.0\"\nrequires: [{name: virt, category: virtual}]\n"),
        meta("name: lib\ncategory: libs\nversion: \"2.0\"\n"),
        meta("name: impl\ncategory: libs\nversion: \"1.0\"\nprovides: [{name: virt, category: virtual}]\n"
             "conflicts: [{name: old, category: libs}]\n"),
        meta("name: old\ncategory: libs\nversion: \"0.1\"\n"),
        meta("name: other\ncategory: apps\nversion: \"1.0\"\nrequires: [{name: app, category: apps}]\n"),
        meta("name: app\ncategory: games\nversion: \"3.0\"\n"),
    };
    std::vector<repo::IndexInput> input;
    for (const auto& m : metas) input.push_back({m, "", ""});
    repo::write_local_index(dir.path, input);
    auto forms = [](const std::vector<repo::IndexedPackage>& v) {
        std::vector<std::string> out;
        for (const auto& p : v) out.push_back(p.meta.runtime.form.str());
        return out;
    };
    repo::IndexQuery q;
    q.reach = std::vector<repo::IndexSeed>{{"apps", "app"}};
    EXPECT_EQ(forms(repo::read_local_index(dir.path, q)),
              (std::vector<std::string>{"apps/app-1.0", "libs/lib-1.0", "libs/lib-2.0", "libs/impl-1.0", "libs/old-0.1"}))
        << "in index order; not apps/other (a reverse dependency) nor games/app";
    q.reach = std::vector<repo::IndexSeed>{{"", "app"}};
    EXPECT_EQ(forms(repo::read_local_index(dir.path, q)).size(), 6u) << "a bare name: every category";
    q.reach = std::vector<repo::IndexSeed>{{"virtual", "virt"}};
    q.files = true;
    const auto virt = repo::read_local_index(dir.path, q);
    ASSERT_EQ(forms(virt), (std::vector<std::string>{"libs/impl-1.0", "libs/old-0.1"}));
    EXPECT_EQ(virt[0].meta.files, (std::vector<std::string>{"usr/share/impl"}));
    q = {};
    q.keep = [](const std::string& category, const std::string&) { return category == "apps"; };
    EXPECT_EQ(forms(repo::read_local_index(dir.path, q)), (std::vector<std::string>{"apps/app-1.0", "apps/other-1.0"}));
    q.reach = std::vector<repo::IndexSeed>{{"apps", "other"}};
    EXPECT_EQ(forms(repo::read_local_index(dir.path, q)), (std::vector<std::string>{"apps/app-1.0", "apps/other-1.0"}))
        << "keep applies to what reach reads";
}

// name_literals: `keep` is asked only about the packages whose category or name holds one of
// the strings (through the trigram table), and finds the same as when it reads every name.
TEST(LocalIndex, NameLiteralsAskKeepOnlyAboutThePackagesHoldingThem) {
    core::TempDir dir("local-index-test");
    std::vector<artifact::Metadata> metas;
    for (const auto& [cat, name] : std::vector<std::pair<std::string, std::string>>{
             {"apps", "pkg0"}, {"apps", "pkg10"}, {"libs", "xpkg0y"}, {"pkg0cat", "other"}, {"apps", "PKG0"},
             {"libs", "pk"}, {"dev", "a\"b\"c"}}) {
        artifact::Metadata m;
        m.runtime = spec::parse_definition("name: '" + name + "'\ncategory: " + cat + "\nversion: \"1.0\"\n", "def");
        m.path = name + ".package.tar.gz";
        metas.push_back(m);
    }
    std::vector<repo::IndexInput> input;
    for (const auto& m : metas) input.push_back({m, "", ""});
    repo::write_local_index(dir.path, input);
    std::vector<std::string> asked;
    repo::IndexQuery q;
    q.keep = [&](const std::string& category, const std::string& name) {
        asked.push_back(category + "/" + name);
        return (category + "/" + name).find("pkg0") != std::string::npos;
    };
    auto forms = [](const std::vector<repo::IndexedPackage>& v) {
        std::vector<std::string> out;
        for (const auto& p : v) out.push_back(p.meta.runtime.form.str());
        return out;
    };
    const auto every = forms(repo::read_local_index(dir.path, q));
    EXPECT_EQ(asked.size(), metas.size()) << "without literals every name is read";
    EXPECT_EQ(every, (std::vector<std::string>{"apps/pkg0-1.0", "libs/xpkg0y-1.0", "pkg0cat/other-1.0"}));
    asked.clear();
    q.name_literals = {"pkg0"};
    EXPECT_EQ(forms(repo::read_local_index(dir.path, q)), every) << "the same packages, in index order";
    std::sort(asked.begin(), asked.end());
    EXPECT_EQ(asked, (std::vector<std::string>{"apps/pkg0", "libs/xpkg0y", "pkg0cat/other"}))
        << "case matters (PKG0), pkg10 does not hold pkg0";
    asked.clear();
    q.name_literals = {"pkg0", "other", "nothing-like-it"};
    forms(repo::read_local_index(dir.path, q));
    std::sort(asked.begin(), asked.end());
    EXPECT_EQ(asked, (std::vector<std::string>{"apps/pkg0", "libs/xpkg0y", "pkg0cat/other"}))
        << "each package asked once, whichever strings it holds";
    asked.clear();
    q.keep = [&](const std::string& category, const std::string& name) {
        asked.push_back(category + "/" + name);
        return true;
    };
    q.name_literals = {"a\"b\"c"};
    EXPECT_EQ(forms(repo::read_local_index(dir.path, q)), (std::vector<std::string>{"dev/a\"b\"c-1.0"}))
        << "a double quote in the string is not FTS5 syntax";
}

// The treev2 document streamed into the index: packages are the folders with a
// definition.yaml, in folder order, whatever order the files come in.
TEST(LocalIndex, TreeIndexWriterOrdersByFolderAndFallsBackToMetadataYaml) {
    core::TempDir dir("local-index-test");
    auto meta = [](const std::string& cat, const std::string& name, const std::string& version) {
        artifact::Metadata m;
        m.runtime = spec::parse_definition("name: " + name + "\ncategory: " + cat + "\nversion: \"" + version + "\"\n", "def");
        m.compilespec.package = m.runtime.form;
        m.path = name + "-" + cat + "-" + version + ".package.tar.gz";
        m.files = {"usr/share/" + name};
        return m;
    };
    {
        repo::TreeIndexWriter w(dir.path);
        w.metadata("b/two/1.0", meta("b", "two", "1.0"));
        w.definition("b/two/1.0", "name: two\n");
        w.finalize("b/two/1.0", "install: [\"true\"]\n");
        w.metadata_yaml("a/one/1.0", artifact::metadata_to_yaml(meta("a", "one", "1.0")));
        w.definition("a/one/1.0", "name: one\n");
        w.metadata("c/orphan/1.0", meta("c", "orphan", "1.0"));  // no definition.yaml: not a package
        w.finish("test");
    }
    const auto got = repo::read_local_index(dir.path, true);
    ASSERT_EQ(got.size(), 2u);
    EXPECT_EQ(got[0].meta.runtime.form.str(), "a/one-1.0");
    EXPECT_EQ(got[0].meta.files, (std::vector<std::string>{"usr/share/one"}));
    EXPECT_EQ(got[0].finalize_yaml, "");
    EXPECT_EQ(got[1].meta.runtime.form.str(), "b/two-1.0");
    EXPECT_EQ(got[1].finalize_yaml, "install: [\"true\"]\n");
    EXPECT_EQ(got[1].definition_yaml, "name: two\n");

    core::TempDir bad("local-index-test");
    repo::TreeIndexWriter w(bad.path);
    w.definition("a/one/1.0", "name: one\n");
    w.metadata("a/one/1.0", meta("a", "other", "1.0"));
    try {
        w.finish("repository r tree.tar.gz");
        FAIL() << "metadata of another package was indexed";
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("repository r tree.tar.gz a/one/1.0/metadata.json: describes a/other-1.0"),
                  std::string::npos)
            << e.what();
    }
    repo::TreeIndexWriter none(bad.path);
    none.definition("a/one/1.0", "name: one\n");
    EXPECT_THROW(none.finish("r"), Error) << "a definition without metadata";
}

// with_files (query belongs): the packages listing one of the files, found through the owners
// table (a hash of each listed name and the package id) and checked against their lists.
TEST(LocalIndex, WithFilesFindsTheOwnersThroughTheHashTable) {
    core::TempDir dir("local-index-test");
    std::vector<artifact::Metadata> metas;
    const std::vector<std::vector<std::string>> lists = {
        {"usr/bin/a", "usr/share/doc/a"}, {"usr/bin/b"}, {"usr/bin/a", "etc/x\"y"}, {}, {"usr/bin/a", "usr/bin/a"}};
    for (size_t i = 0; i < lists.size(); ++i) {
        artifact::Metadata m;
        m.runtime = spec::parse_definition("name: p" + std::to_string(i) + "\ncategory: c\nversion: \"1.0\"\n", "def");
        m.path = "p" + std::to_string(i) + ".package.tar.gz";
        m.files = lists[i];
        metas.push_back(m);
    }
    std::vector<repo::IndexInput> input;
    for (const auto& m : metas) input.push_back({m, "", ""});
    repo::write_local_index(dir.path, input);
    auto owners = [&](std::vector<std::string> files) {
        repo::IndexQuery q;
        q.with_files = std::move(files);
        std::vector<std::string> out;
        for (const auto& p : repo::read_local_index(dir.path, q)) out.push_back(p.meta.runtime.form.name);
        return out;
    };
    EXPECT_EQ(owners({"usr/bin/a"}), (std::vector<std::string>{"p0", "p2", "p4"}));
    EXPECT_EQ(owners({"usr/bin/b", "etc/x\"y"}), (std::vector<std::string>{"p1", "p2"}));
    EXPECT_TRUE(owners({"usr/bin"}).empty()) << "a folder of listed files is not listed";
    EXPECT_TRUE(owners({"usr/bin/c"}).empty());
    // One row per distinct (file, package): 2 + 1 + 2 + 0 + 1.
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open_v2((dir.path / repo::kLocalIndexFile).c_str(), &db, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
    sqlite3_stmt* st = nullptr;
    ASSERT_EQ(sqlite3_prepare_v2(db, "SELECT count(*) FROM owners", -1, &st, nullptr), SQLITE_OK);
    ASSERT_EQ(sqlite3_step(st), SQLITE_ROW);
    EXPECT_EQ(sqlite3_column_int64(st, 0), 6);
    sqlite3_finalize(st);
    sqlite3_close(db);
}
