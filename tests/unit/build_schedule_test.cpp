// build::run_dag: packages of a build plan run after what they need, up to N at once, and a
// failure stops new work.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <stdexcept>
#include <thread>

#include "luet/build/schedule.hpp"
#include "luet/core/error.hpp"

using luet::build::DagNode;
using luet::build::run_dag;

namespace {

// a; b, c need a; d needs b and c; e is independent.
std::vector<DagNode> diamond() {
    return {{"a", {}}, {"b", {0}}, {"c", {0}}, {"d", {1, 2}}, {"e", {}}};
}

}  // namespace

TEST(BuildSchedule, EachNodeAfterItsDepsOnOneThread) {
    std::vector<std::size_t> order;
    const auto r = run_dag(diamond(), 1, [&](std::size_t i) { order.push_back(i); });
    EXPECT_EQ(order, (std::vector<std::size_t>{0, 1, 2, 3, 4}));
    EXPECT_EQ(r.failed, "");
    EXPECT_EQ(r.done, std::vector<bool>(5, true));
}

TEST(BuildSchedule, IndependentNodesRunAtOnceAndDepsAreRespected) {
    std::mutex m;
    std::vector<bool> finished(5, false);
    std::atomic<int> now{0}, peak{0};
    bool order_ok = true;
    const auto nodes = diamond();
    run_dag(nodes, 3, [&](std::size_t i) {
        {
            std::lock_guard g(m);
            for (auto d : nodes[i].deps) order_ok = order_ok && finished[d];
        }
        const int running = ++now;
        int p = peak.load();
        while (running > p && !peak.compare_exchange_weak(p, running)) {
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(30));
        --now;
        std::lock_guard g(m);
        finished[i] = true;
    });
    EXPECT_TRUE(order_ok);
    EXPECT_GE(peak.load(), 2);  // a and e, then b and c, run together
    EXPECT_LE(peak.load(), 3);
}

TEST(BuildSchedule, AFailureStopsNewWorkAndNamesTheNode) {
    std::atomic<int> ran{0};
    // b fails; d (needs b) must never start; on one thread nothing after b starts either.
    const auto r = run_dag(diamond(), 1, [&](std::size_t i) {
        ++ran;
        if (i == 1) throw luet::Error("exit 3 in the steps");
    });
    EXPECT_EQ(r.failed, "b");
    EXPECT_EQ(r.message, "exit 3 in the steps");
    EXPECT_EQ(ran.load(), 2);
    EXPECT_EQ(r.done, (std::vector<bool>{true, false, false, false, false}));
}

TEST(BuildSchedule, RunningTasksFinishAfterAFailure) {
    std::atomic<bool> slow_done{false};
    const auto r = run_dag({{"slow", {}}, {"bad", {}}, {"after", {0, 1}}}, 2, [&](std::size_t i) {
        if (i == 0) {
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
            slow_done = true;
        }
        if (i == 1) throw std::runtime_error("boom");
    });
    EXPECT_TRUE(slow_done.load());
    EXPECT_EQ(r.failed, "bad");
    EXPECT_EQ(r.done, (std::vector<bool>{true, false, false}));
}

TEST(BuildSchedule, RefusesNodesOutOfBuildOrder) {
    EXPECT_THROW(run_dag({{"a", {1}}, {"b", {}}}, 2, [](std::size_t) {}), luet::Error);
}
