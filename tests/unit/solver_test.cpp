#include <gtest/gtest.h>

#include "luet/core/error.hpp"
#include "luet/solver/solver.hpp"

using luet::core::PackageRef;
using luet::core::Selector;
using luet::solver::PackageEntry;
using luet::solver::Request;
using luet::solver::solve;

namespace {

PackageRef ref(const std::string& atom, const std::string& sel = "") {
    auto slash = atom.find('/');
    return {atom.substr(0, slash), atom.substr(slash + 1), Selector::parse(sel)};
}

PackageEntry pkg(const std::string& atom, const std::string& version, std::vector<PackageRef> requires_ = {},
                 std::vector<PackageRef> conflicts = {}, std::vector<PackageRef> provides = {}) {
    auto slash = atom.find('/');
    return {{atom.substr(0, slash), atom.substr(slash + 1), version}, requires_, conflicts, provides, "repo"};
}

Request want(const PackageRef& r) {
    Request req;
    req.install = {r};
    return req;
}

std::vector<std::string> installs(const luet::solver::Solution& s) {
    std::vector<std::string> out;
    for (const auto& e : s.install) out.push_back(e.form.str());
    return out;
}

std::string failure(const std::vector<PackageEntry>& available, const Request& r) {
    try {
        solve(available, {}, r);
    } catch (const luet::ResolveError& e) {
        return e.what();
    }
    return "";
}

TEST(Solver, ChainInstallsDependenciesFirst) {
    std::vector<PackageEntry> av = {pkg("apps/a", "1.0", {ref("libs/b")}), pkg("libs/b", "1.0", {ref("libs/c")}),
                                    pkg("libs/c", "1.0")};
    auto s = solve(av, {}, want(ref("apps/a")));
    EXPECT_EQ(installs(s), (std::vector<std::string>{"libs/c-1.0", "libs/b-1.0", "apps/a-1.0"}));
}

TEST(Solver, DiamondInstallsSharedDependencyOnce) {
    std::vector<PackageEntry> av = {pkg("apps/a", "1", {ref("libs/b"), ref("libs/c")}), pkg("libs/b", "1", {ref("libs/d")}),
                                    pkg("libs/c", "1", {ref("libs/d")}), pkg("libs/d", "1")};
    auto s = solve(av, {}, want(ref("apps/a")));
    ASSERT_EQ(s.install.size(), 4u);
    EXPECT_EQ(s.install.front().form.str(), "libs/d-1");
    EXPECT_EQ(s.install.back().form.str(), "apps/a-1");
}

TEST(Solver, PrefersHighestVersionInLuetOrder) {
    std::vector<PackageEntry> av = {pkg("libs/b", "1.9"), pkg("libs/b", "1.10"), pkg("libs/b", "1.10+1")};
    EXPECT_EQ(installs(solve(av, {}, want(ref("libs/b")))), std::vector<std::string>{"libs/b-1.10+1"});
}

TEST(Solver, SelectorPicksOlderVersion) {
    std::vector<PackageEntry> av = {pkg("apps/a", "1", {ref("libs/b", "<2.0")}), pkg("libs/b", "1.5"), pkg("libs/b", "2.0")};
    EXPECT_EQ(installs(solve(av, {}, want(ref("apps/a")))), (std::vector<std::string>{"libs/b-1.5", "apps/a-1"}));
}

TEST(Solver, ConflictForcesOlderVersion) {
    std::vector<PackageEntry> av = {pkg("apps/a", "1", {ref("libs/b"), ref("libs/c")}),
                                    pkg("libs/b", "2", {}, {ref("libs/c")}), pkg("libs/b", "1"), pkg("libs/c", "1")};
    auto got = installs(solve(av, {}, want(ref("apps/a"))));
    EXPECT_NE(std::find(got.begin(), got.end(), "libs/b-1"), got.end());
    EXPECT_EQ(std::find(got.begin(), got.end(), "libs/b-2"), got.end());
}

TEST(Solver, ProvidesSatisfiesVirtualRequirement) {
    std::vector<PackageEntry> av = {pkg("apps/a", "1", {ref("virtual/shell")}),
                                    pkg("shells/busybox", "1.35", {}, {}, {ref("virtual/shell")})};
    EXPECT_EQ(installs(solve(av, {}, want(ref("apps/a")))), (std::vector<std::string>{"shells/busybox-1.35", "apps/a-1"}));
}

TEST(Solver, AlreadyInstalledNeedsNothing) {
    std::vector<PackageEntry> av = {pkg("apps/a", "1")};
    EXPECT_TRUE(solve(av, av, want(ref("apps/a"))).install.empty());
}

TEST(Solver, UnknownPackageIsNamed) {
    std::vector<PackageEntry> av = {pkg("apps/a", "1")};
    EXPECT_NE(failure(av, want(ref("apps/nope"))).find("apps/nope"), std::string::npos);
}

TEST(Solver, UnsatisfiableChainIsExplained) {
    std::vector<PackageEntry> av = {pkg("apps/foo", "1.0", {ref("libs/bar", ">=2.0")}), pkg("libs/bar", "1.5")};
    const std::string msg = failure(av, want(ref("apps/foo")));
    EXPECT_NE(msg.find("apps/foo-1.0 requires libs/bar>=2.0"), std::string::npos) << msg;
    EXPECT_NE(msg.find("libs/bar-1.5"), std::string::npos) << msg;
}

TEST(Solver, NoVersionMatchesRequest) {
    std::vector<PackageEntry> av = {pkg("apps/a", "1.0")};
    const std::string msg = failure(av, want(ref("apps/a", ">=2.0")));
    EXPECT_NE(msg.find("apps/a>=2.0"), std::string::npos) << msg;
    EXPECT_NE(msg.find("apps/a-1.0"), std::string::npos) << msg;
}

TEST(Solver, NodepsInstallsOnlyTheRequest) {
    std::vector<PackageEntry> av = {pkg("apps/a", "1", {ref("libs/b")}), pkg("libs/b", "1")};
    Request r = want(ref("apps/a"));
    r.nodeps = true;
    EXPECT_EQ(installs(solve(av, {}, r)), std::vector<std::string>{"apps/a-1"});
}

TEST(TopologicalOrder, OrdersAndDetectsCycles) {
    std::vector<PackageEntry> set = {pkg("apps/a", "1", {ref("libs/b")}), pkg("libs/b", "1", {ref("seed/s")}),
                                     pkg("seed/s", "1")};
    auto order = luet::solver::topological_order(set);
    ASSERT_EQ(order.size(), 3u);
    EXPECT_EQ(order[0].form.name, "s");
    EXPECT_EQ(order[2].form.name, "a");
    std::vector<PackageEntry> cycle = {pkg("x/a", "1", {ref("x/b")}), pkg("x/b", "1", {ref("x/a")})};
    try {
        luet::solver::topological_order(cycle);
        FAIL() << "no error";
    } catch (const luet::Error& e) {
        EXPECT_NE(std::string(e.what()).find("x/a-1"), std::string::npos);
        EXPECT_NE(std::string(e.what()).find("x/b-1"), std::string::npos);
    }
}

}  // namespace

namespace {

TEST(Solver, RangeSelectorPicksHighestInsideTheRange) {
    std::vector<PackageEntry> av = {pkg("apps/a", "1", {ref("libs/b", ">=1.0, <2.0")}), pkg("libs/b", "0.9"),
                                    pkg("libs/b", "1.5"), pkg("libs/b", "1.7"), pkg("libs/b", "2.0")};
    EXPECT_EQ(installs(solve(av, {}, want(ref("apps/a")))), (std::vector<std::string>{"libs/b-1.7", "apps/a-1"}));
}

TEST(Solver, TildeSelectorAcceptsAnyRevisionOnly) {
    std::vector<PackageEntry> av = {pkg("apps/a", "1", {ref("libs/b", "~1.0")}), pkg("libs/b", "1.0"),
                                    pkg("libs/b", "1.0-r2"), pkg("libs/b", "1.1")};
    EXPECT_EQ(installs(solve(av, {}, want(ref("apps/a")))), (std::vector<std::string>{"libs/b-1.0-r2", "apps/a-1"}));
    std::vector<PackageEntry> none = {pkg("apps/a", "1", {ref("libs/b", "~1.0")}), pkg("libs/b", "1.1")};
    const std::string msg = failure(none, want(ref("apps/a")));
    EXPECT_NE(msg.find("apps/a-1 requires libs/b~1.0"), std::string::npos) << msg;
    EXPECT_NE(msg.find("libs/b-1.1"), std::string::npos) << msg;
}

TEST(Solver, ProvidesReplacesTheInstalledPackage) {
    std::vector<PackageEntry> installed = {pkg("shells/bash", "5.0")};
    std::vector<PackageEntry> av = {pkg("shells/bash", "5.0"),
                                    pkg("shells/busybox", "1.35", {}, {}, {ref("shells/bash")})};
    auto s = solve(av, installed, want(ref("shells/busybox")));
    EXPECT_EQ(installs(s), std::vector<std::string>{"shells/busybox-1.35"});
    ASSERT_EQ(s.remove.size(), 1u);
    EXPECT_EQ(s.remove[0].form.str(), "shells/bash-5.0");
}

TEST(Solver, UnsatisfiableLongChainNamesEveryLink) {
    std::vector<PackageEntry> av = {pkg("apps/foo", "1.0", {ref("libs/mid")}), pkg("libs/mid", "2.0", {ref("libs/qux", ">=2.0")}),
                                    pkg("libs/qux", "1.5")};
    const std::string msg = failure(av, want(ref("apps/foo")));
    EXPECT_NE(msg.find("libs/mid-2.0 requires libs/qux>=2.0"), std::string::npos) << msg;
    EXPECT_NE(msg.find("libs/qux-1.5"), std::string::npos) << msg;
    EXPECT_NE(msg.find("apps/foo-1.0"), std::string::npos) << msg;
}

}  // namespace
