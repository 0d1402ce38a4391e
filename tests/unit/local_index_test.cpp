// The client's local index (repo/local_index.hpp) and the JSON reader of metadata documents
// (artifact::metadata_from_yaml on JSON text): both must give exactly what the YAML readers
// give, field by field, or the same error.
#include <gtest/gtest.h>

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
    repo::write_local_index(dir.path, metas, {true, false});
    ASSERT_TRUE(repo::has_local_index(dir.path));

    const auto with_files = repo::read_local_index(dir.path, true);
    ASSERT_EQ(with_files.size(), 2u);
    expect_same(with_files[0].meta, a);
    expect_same(with_files[1].meta, b);
    EXPECT_TRUE(with_files[0].has_finalize);
    EXPECT_FALSE(with_files[1].has_finalize);

    const auto without = repo::read_local_index(dir.path, false);
    ASSERT_EQ(without.size(), 2u);
    EXPECT_TRUE(without[0].meta.files.empty());
    a.files.clear();
    expect_same(without[0].meta, a);
}

TEST(LocalIndex, AnotherFormatOrAMalformedIndexIsNotRead) {
    core::TempDir dir("local-index-test");
    core::write_file_atomic(dir.path / repo::kLocalIndexFile, R"({"files":"luet-files.jsonl","format":0,"packages":[]})");
    EXPECT_FALSE(repo::has_local_index(dir.path));
    EXPECT_THROW(repo::read_local_index(dir.path, false), Error);
    core::write_file_atomic(dir.path / repo::kLocalIndexFile, R"({"files":"luet-files.jsonl","format":1,"packages":[[1]]})");
    EXPECT_TRUE(repo::has_local_index(dir.path));
    try {
        repo::read_local_index(dir.path, false);
        FAIL() << "a malformed index was read";
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find(repo::kLocalIndexFile), std::string::npos) << e.what();
        EXPECT_NE(std::string(e.what()).find("repo update --force"), std::string::npos) << e.what();
    }
}
