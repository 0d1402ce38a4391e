// build::reverse_build_dependencies (`luet build --revdeps`): the packages whose build needs
// the targets, through build requires and copy-from packages, transitively, in tree order.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "luet/build/builder.hpp"

namespace fs = std::filesystem;

namespace {

void write(const fs::path& file, const std::string& text) {
    fs::create_directories(file.parent_path());
    std::ofstream(file) << text;
}

// a (image); b needs a; c needs b; d copies from a; e alone.
fs::path make_tree() {
    const fs::path root = fs::temp_directory_path() / ("luet-revdeps-" + std::to_string(::getpid()));
    fs::remove_all(root);
    auto pkg = [&](const std::string& name, const std::string& build) {
        write(root / name / "definition.yaml", "name: " + name + "\ncategory: t\nversion: \"1.0\"\n");
        write(root / name / "build.yaml", build);
    };
    pkg("a", "image: busybox\nsteps:\n- true\n");
    pkg("b", "requires:\n- {name: a, category: t}\nsteps:\n- true\n");
    pkg("c", "requires:\n- {name: b, category: t}\nsteps:\n- true\n");
    pkg("d", "image: busybox\ncopy:\n- package: {name: a, category: t}\n  source: /x\n  destination: /y\nsteps:\n- true\n");
    pkg("e", "image: busybox\nsteps:\n- true\n");
    return root;
}

std::vector<std::string> names(const std::vector<const luet::spec::PackageSpec*>& specs) {
    std::vector<std::string> out;
    for (const auto* p : specs) out.push_back(p->definition.form.name);
    return out;
}

}  // namespace

TEST(BuildPlan, ReverseBuildDependenciesAreTransitiveAndFollowCopies) {
    const fs::path root = make_tree();
    const auto tree = luet::spec::load_tree({root});
    auto find = [&](const std::string& name) {
        return tree.find(luet::core::PackageForm{"t", name, "1.0"});
    };
    ASSERT_NE(find("a"), nullptr);
    EXPECT_EQ(names(luet::build::reverse_build_dependencies(tree, {find("a")})),
              (std::vector<std::string>{"b", "c", "d"}));
    EXPECT_EQ(names(luet::build::reverse_build_dependencies(tree, {find("b")})), (std::vector<std::string>{"c"}));
    EXPECT_TRUE(luet::build::reverse_build_dependencies(tree, {find("c"), find("e")}).empty());
    // A target is never its own reverse dependency, even when another target needs it.
    EXPECT_EQ(names(luet::build::reverse_build_dependencies(tree, {find("a"), find("b")})),
              (std::vector<std::string>{"c", "d"}));
    fs::remove_all(root);
}
