// The repository documents against upstream's own (tests/fixtures/upstream, see its README):
// our readers on geaaru's treev2 and mudler's legacy layout, and what our create-repo writes
// compared field by field with what geaaru's luet-build and mudler's create-repo write.
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <nlohmann/json.hpp>

#include "luet/artifact/tarball.hpp"
#include "luet/core/error.hpp"
#include "luet/core/file.hpp"
#include "luet/repo/documents.hpp"
#include "luet/repo/repository.hpp"
#include "luet/spec/spec.hpp"
#include "luet/template/template.hpp"

namespace fs = std::filesystem;
using nlohmann::json;
using namespace luet;

namespace {

const fs::path kUpstream = fs::path(LUET_FIXTURES_DIR) / "upstream";
const fs::path kGeaaru = kUpstream / "geaaru-treev2";
const fs::path kMudler = kUpstream / "mudler-legacy";

std::vector<std::string> refs(const std::vector<core::PackageRef>& v) {
    std::vector<std::string> out;
    for (const auto& r : v) out.push_back(r.str());
    return out;
}

// A package reference of an upstream document without the fields Go adds (id, nulls).
json ref(const json& r) { return json{{"name", r["name"]}, {"category", r["category"]}, {"version", r["version"]}}; }

// An upstream runtime package reduced to what the definition says: no id, no null lists,
// references reduced to name/category/version.
json definition_fields(const json& p) {
    json out = json::object();
    for (auto it = p.begin(); it != p.end(); ++it) {
        if (it.key() == "id" || it.key() == "buildtimestamp" || it.key() == "path" || it.value().is_null()) continue;
        if (it.key() == "requires" || it.key() == "conflicts" || it.key() == "provides") {
            json list = json::array();
            for (const auto& r : it.value()) list.push_back(ref(r));
            out[it.key()] = list;
        } else {
            out[it.key()] = it.value();
        }
    }
    return out;
}

std::string basename(const std::string& path) { return fs::path(path).filename().string(); }

json yaml_json(const std::string& text) { return tmpl::yaml_to_json(text, "document"); }

struct Published {
    core::TempDir dir{"repo-documents-test"};
    std::vector<std::string> notes;
    repo::RepositoryIndex index;
};

// Our create-repo over the fixture tree and geaaru's artifacts (geaaru's defaults for the
// tree document: tree.tar, uncompressed).
std::unique_ptr<Published> publish(const spec::Tree& tree, bool from_metadata = false) {
    auto p = std::make_unique<Published>();
    const fs::path packages = p->dir.path / "packages";
    fs::create_directories(packages);
    for (const auto& e : fs::directory_iterator(kGeaaru)) {
        const std::string name = e.path().filename().string();
        if (name.ends_with(".package.tar.gz") || name.ends_with(".metadata.yaml")) fs::copy_file(e.path(), packages / name);
    }
    repo::CreateOptions opts;
    opts.packages = packages;
    opts.output = p->dir.path / "repo";
    opts.name = "upstream";
    opts.description = "geaaru/luet 0.40 treev2";
    opts.urls = {"/somewhere"};
    opts.tree_file = repo::document_file("tree.tar", artifact::Compression::None);
    opts.from_metadata = from_metadata;
    opts.note = [&p](const std::string& line) { p->notes.push_back(line); };
    p->index = repo::create_repository(tree, opts);
    return p;
}

}  // namespace

TEST(ArtifactMetadata, RoundTripsThroughYamlAndJsonWithUpstreamTypes) {
    artifact::Metadata m;
    m.path = "foo-apps-1.0.package.tar.zst";
    m.compression = artifact::Compression::Zstd;
    m.sha256 = "abc";
    m.files = {"usr/bin/foo"};
    m.runtime = spec::parse_definition(
        "name: foo\ncategory: apps\nversion: \"1.0\"\nrequires:\n- {name: libfoo, category: libs, version: \"<2.0\"}\n"
        "- {name: bar, category: libs}\nprovides:\n- {name: old, category: apps, version: \">=0\"}\n"
        "labels: {kind: app}\nannotations:\n  origin: x\n  subsets: {rules: {dev: [\"^/usr/include\"]}}\n"
        "description: the foo\nlicense: MIT\nuri: [\"https://example.org\"]\n",
        "test");
    m.compilespec.package = m.runtime.form;
    m.compilespec.image = "busybox";
    m.compilespec.steps = {"make"};
    const std::string yaml = artifact::metadata_to_yaml(m);
    EXPECT_NE(yaml.find("  version: \"1.0\"\n"), std::string::npos) << yaml;  // a string, not the float 1.0
    EXPECT_NE(yaml.find("version: '>=0'"), std::string::npos) << yaml;       // a reference without version
    for (const auto& text : {yaml, artifact::metadata_to_json(m)}) {
        const auto back = artifact::metadata_from_yaml(text, "doc");
        EXPECT_EQ(back.path, m.path);
        EXPECT_EQ(back.compression, m.compression);
        EXPECT_EQ(back.sha256, "abc");
        EXPECT_EQ(back.files, m.files);
        EXPECT_EQ(back.runtime.form, m.runtime.form);
        EXPECT_EQ(refs(back.runtime.requires_), (std::vector<std::string>{"libs/libfoo<2.0", "libs/bar"}));
        EXPECT_EQ(refs(back.runtime.provides), refs(m.runtime.provides));
        EXPECT_EQ(back.runtime.labels, m.runtime.labels);
        EXPECT_EQ(back.runtime.annotations.at("origin"), "x");
        EXPECT_NE(back.runtime.annotations.at("subsets").find("^/usr/include"), std::string::npos);
        EXPECT_EQ(back.runtime.description, "the foo");
        EXPECT_EQ(back.runtime.license, "MIT");
        EXPECT_EQ(back.runtime.uri, m.runtime.uri);
        EXPECT_EQ(back.compilespec.package, m.runtime.form);
        EXPECT_EQ(back.compilespec.image, "busybox");
        EXPECT_EQ(back.compilespec.steps, m.compilespec.steps);
    }
    const json j = json::parse(artifact::metadata_to_json(m));
    EXPECT_TRUE(j["runtime"]["annotations"]["subsets"].is_object());  // nested, as geaaru's interface{}
    EXPECT_EQ(j["compilespec"], j["compilationspec"]);
    EXPECT_EQ(j["dependencies"], json::array());
}

TEST(ArtifactMetadata, DocumentFileNamesFollowTheCompression) {
    using artifact::Compression;
    EXPECT_EQ(repo::document_file("tree.tar", Compression::Gzip).filename, "tree.tar.gz");
    EXPECT_EQ(repo::document_file("tree.tar.gz", Compression::Gzip).filename, "tree.tar.gz");
    EXPECT_EQ(repo::document_file("tree.tar", Compression::Zstd).filename, "tree.tar.zst");
    const auto plain = repo::document_file("tree.tar", Compression::None);
    EXPECT_EQ(plain.filename, "tree.tar");
    EXPECT_EQ(plain.compression, Compression::None);
    EXPECT_EQ(repo::document_file("t.tar.zst", Compression::None).compression, Compression::Zstd);  // geaaru autodetect
}

TEST(UpstreamFixtures, ReadsGeaaruArtifactMetadata) {
    const auto m = artifact::read_metadata(kGeaaru / "foo-apps-1.0.metadata.yaml");
    EXPECT_EQ(m.path, "foo-apps-1.0.package.tar.gz");  // geaaru writes the absolute build path
    EXPECT_EQ(m.compression, artifact::Compression::Gzip);
    EXPECT_EQ(m.sha256, artifact::sha256_file(kGeaaru / "foo-apps-1.0.package.tar.gz"));
    EXPECT_EQ(m.runtime.form, (core::PackageForm{"apps", "foo", "1.0"}));
    EXPECT_EQ(refs(m.runtime.requires_), std::vector<std::string>{"libs/libfoo<2.0"});
    EXPECT_EQ(m.runtime.description, "foo application");
    EXPECT_EQ(m.runtime.labels.at("kind"), "app");
    EXPECT_EQ(m.compilespec.package, m.runtime.form);
    EXPECT_FALSE(m.compilespec.build_timestamp.empty());
}

TEST(UpstreamFixtures, ReadsMudlerArtifactMetadata) {
    const auto m = artifact::read_metadata(kMudler / "new-tool-apps-2.0.metadata.yaml");
    EXPECT_EQ(m.path, "new-tool-apps-2.0.package.tar.gz");
    EXPECT_EQ(m.runtime.form, (core::PackageForm{"apps", "new-tool", "2.0"}));
    EXPECT_EQ(refs(m.runtime.provides), std::vector<std::string>{"apps/old-tool"});  // ">=0": any version
    EXPECT_EQ(m.compilespec.package, m.runtime.form);  // from compilationspec
}

TEST(UpstreamFixtures, ReadsGeaaruTreev2) {
    const auto idx = repo::index_from_yaml(core::read_file(kGeaaru / "repository.yaml"), "repository.yaml");
    ASSERT_TRUE(idx.repo_files.count("treev2"));
    EXPECT_FALSE(idx.repo_files.count("meta"));
    EXPECT_EQ(idx.priority, 9999);
    EXPECT_TRUE(idx.enable);
    EXPECT_TRUE(idx.cached);
    const auto& doc = idx.repo_files.at("treev2");
    EXPECT_EQ(artifact::sha256_file(kGeaaru / doc.filename), doc.sha256);
    const auto packages = repo::read_tree(artifact::read_memory_tar(kGeaaru / doc.filename), nullptr, "tree.tar");
    ASSERT_EQ(packages.size(), 6u);
    const auto foo = std::find_if(packages.begin(), packages.end(),
                                  [](const auto& p) { return p.meta.runtime.form.name == "foo"; });
    ASSERT_NE(foo, packages.end());
    EXPECT_EQ(refs(foo->meta.runtime.requires_), std::vector<std::string>{"libs/libfoo<2.0"});
    EXPECT_NE(foo->finalize_yaml.find("{{ .Values.version }}"), std::string::npos);
    EXPECT_EQ(foo->meta.sha256, artifact::sha256_file(kGeaaru / "foo-apps-1.0.package.tar.gz"));
}

TEST(UpstreamFixtures, ReadsMudlerLegacyTreeAndMeta) {
    const auto idx = repo::index_from_yaml(core::read_file(kMudler / "repository.yaml"), "repository.yaml");
    ASSERT_TRUE(idx.repo_files.count("tree") && idx.repo_files.count("meta"));
    EXPECT_FALSE(idx.cached);
    const auto meta_files = artifact::read_memory_tar(kMudler / idx.repo_files.at("meta").filename);
    const auto index = repo::parse_meta(meta_files.at("repository.meta.yaml"), "meta");
    ASSERT_EQ(index.size(), 6u);
    const auto packages =
        repo::read_tree(artifact::read_memory_tar(kMudler / idx.repo_files.at("tree").filename), &index, "tree");
    ASSERT_EQ(packages.size(), 6u);
    for (const auto& p : packages) {
        EXPECT_EQ(p.meta.sha256, artifact::sha256_file(kMudler / p.meta.path)) << p.meta.path;
        if (p.meta.runtime.form.name == "meta-app") {
            EXPECT_EQ(refs(p.meta.runtime.requires_), (std::vector<std::string>{"apps/old-tool", "apps/foo"}));
        }
    }
}

TEST(CreateRepo, WritesWhatGeaaruWrites) {
    const auto tree = spec::load_tree({kUpstream / "tree"});
    const auto ours = publish(tree);
    const fs::path out = ours->dir.path / "repo";
    EXPECT_TRUE(ours->notes.empty());

    // repository.yaml: geaaru's keys and values.
    const YAML::Node theirs_idx = YAML::LoadFile((kGeaaru / "repository.yaml").string());
    const YAML::Node our_idx = YAML::LoadFile((out / "repository.yaml").string());
    for (const char* key : {"name", "description", "type", "priority", "enable", "cached", "revision"})
        EXPECT_EQ(our_idx[key].Scalar(), theirs_idx[key].Scalar()) << key;
    for (const char* key : {"filename", "compressiontype"})
        EXPECT_EQ(our_idx["repo_files"]["treev2"][key].Scalar(), theirs_idx["repo_files"]["treev2"][key].Scalar()) << key;
    EXPECT_EQ(our_idx["repo_files"]["tree"]["filename"].Scalar(), "tree.tar");  // the same document for legacy clients
    EXPECT_EQ(our_idx["repo_files"]["meta"]["filename"].Scalar(), "repository.meta.yaml.tar");

    // The tree document: the same files.
    const auto their_tree = artifact::read_memory_tar(kGeaaru / "tree.tar");
    const auto our_tree = artifact::read_memory_tar(out / "tree.tar");
    std::vector<std::string> their_names, our_names;
    for (const auto& [n, c] : their_tree) their_names.push_back(n);
    for (const auto& [n, c] : our_tree) our_names.push_back(n);
    EXPECT_EQ(our_names, their_names);

    for (const auto& [name, text] : their_tree) {
        if (!our_tree.count(name)) continue;
        const std::string& mine = our_tree.at(name);
        if (name.ends_with("metadata.json")) {
            const json t = json::parse(text), o = json::parse(mine);
            EXPECT_EQ(o["path"], basename(t["path"])) << name;
            for (const char* key : {"checksums", "compressiontype", "files"}) EXPECT_EQ(o[key], t[key]) << name << " " << key;
            EXPECT_EQ(definition_fields(o["runtime"]), definition_fields(t["runtime"])) << name;
            for (auto it = t["compilespec"].begin(); it != t["compilespec"].end(); ++it)
                EXPECT_TRUE(o["compilespec"].contains(it.key())) << name << " compilespec." << it.key();
            for (const char* key : {"name", "category", "version"})
                EXPECT_EQ(o["compilespec"]["package"][key], t["compilespec"]["package"][key]) << name;
            for (auto it = t.begin(); it != t.end(); ++it) EXPECT_TRUE(o.contains(it.key())) << name << " " << it.key();
        } else if (name.ends_with("definition.yaml")) {
            const auto t = spec::parse_definition(text, name), o = spec::parse_definition(mine, name);
            EXPECT_EQ(o.form, t.form);
            EXPECT_EQ(refs(o.requires_), refs(t.requires_)) << name;
            EXPECT_EQ(refs(o.conflicts), refs(t.conflicts)) << name;
            EXPECT_EQ(refs(o.provides), refs(t.provides)) << name;
            EXPECT_EQ(o.labels, t.labels) << name;
            EXPECT_EQ(o.annotations, t.annotations) << name;
            EXPECT_EQ(o.description, t.description) << name;
        } else if (name == "provides.yaml") {
            const json t = yaml_json(text), o = yaml_json(mine);
            ASSERT_EQ(o["provides"].size(), t["provides"].size());
            for (auto it = t["provides"].begin(); it != t["provides"].end(); ++it) {
                ASSERT_EQ(o["provides"][it.key()].size(), it.value().size()) << it.key();
                for (size_t i = 0; i < it.value().size(); ++i)
                    EXPECT_EQ(definition_fields(o["provides"][it.key()][i]), definition_fields(it.value()[i])) << it.key();
            }
        } else {
            EXPECT_EQ(mine, text) << name;  // finalize.yaml: copied as it is
        }
    }
}

TEST(CreateRepo, WritesTheMetaDocumentMudlerReads) {
    const auto ours = publish(spec::load_tree({kUpstream / "tree"}));
    const auto their_meta = artifact::read_memory_tar(kMudler / "repository.meta.yaml.tar");
    const auto our_meta = artifact::read_memory_tar(ours->dir.path / "repo" / "repository.meta.yaml.tar");
    const json t = yaml_json(their_meta.at("repository.meta.yaml"));
    const json o = yaml_json(our_meta.at("repository.meta.yaml"));
    ASSERT_EQ(o["index"].size(), t["index"].size());
    for (const auto& te : t["index"]) {
        const auto oe = std::find_if(o["index"].begin(), o["index"].end(), [&](const json& e) { return e["path"] == te["path"]; });
        ASSERT_NE(oe, o["index"].end()) << te["path"];
        for (auto it = te.begin(); it != te.end(); ++it) EXPECT_TRUE(oe->contains(it.key())) << te["path"] << " " << it.key();
        for (const char* key : {"checksums", "compressiontype", "files"}) EXPECT_EQ((*oe)[key], te[key]) << te["path"];
        // mudler's client finds an artifact by compilationspec.package.
        for (const char* key : {"name", "category", "version"})
            EXPECT_EQ((*oe)["compilationspec"]["package"][key], te["compilationspec"]["package"][key]) << te["path"];
        EXPECT_EQ(definition_fields((*oe)["runtime"]), definition_fields(te["runtime"])) << te["path"];
    }
}

TEST(CreateRepo, DropsPackagesThatLeftTheTree) {
    auto tree = spec::load_tree({kUpstream / "tree"});
    std::erase_if(tree.packages, [](const auto& p) { return p.definition.form.version == "2.0" && p.definition.form.name == "libfoo"; });
    const auto dropped = publish(tree);
    EXPECT_EQ(dropped->notes, std::vector<std::string>{"[libs/libfoo-2.0] No more in the tree. Ignoring the package."});
    const auto files = artifact::read_memory_tar(dropped->dir.path / "repo" / "tree.tar");
    EXPECT_FALSE(files.count("libs/libfoo/2.0/definition.yaml"));
    EXPECT_TRUE(files.count("libs/libfoo/1.0/definition.yaml"));

    const auto kept = publish(tree, true);  // --from-metadata
    EXPECT_TRUE(kept->notes.empty());
    const auto kept_files = artifact::read_memory_tar(kept->dir.path / "repo" / "tree.tar");
    EXPECT_TRUE(kept_files.count("libs/libfoo/2.0/metadata.json"));
}

TEST(UpstreamFixtures, ReadsOlderGeaaruMetaWithCompilespecAndNoRuntime) {
    // geaaru/luet < 0.40 wrote the legacy meta with geaaru's `compilespec` key; an artifact
    // without runtime is its compilespec.package (both clients' fallback).
    const auto index = repo::parse_meta(
        "index:\n- path: /build/foo-apps-1.0.package.tar.zst\n  compressiontype: zstd\n"
        "  checksums: {sha256: abc}\n  files: [usr/bin/foo]\n"
        "  compilespec:\n    package: {name: foo, category: apps, version: \"1.0\"}\n    steps: [make]\n",
        "meta");
    ASSERT_EQ(index.size(), 1u);
    EXPECT_EQ(index[0].path, "foo-apps-1.0.package.tar.zst");
    EXPECT_EQ(index[0].runtime.form, (core::PackageForm{"apps", "foo", "1.0"}));
    EXPECT_EQ(index[0].compilespec.steps, std::vector<std::string>{"make"});
    EXPECT_THROW(repo::parse_meta("index:\n- path: x.tar\n", "meta"), Error);  // names no package
}
