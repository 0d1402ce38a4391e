// Spreading independent pieces of work over a few threads: the artifact downloads of an
// install, the folders of a tree load, the categories of a tree index check.
#pragma once

#include <atomic>
#include <cstddef>
#include <functional>
#include <thread>
#include <vector>

namespace luet::core {

// Calls work(i) for each i in [0, count) on up to `threads` threads, the calling thread being
// one of them; indices are handed out in increasing order, one at a time. Once a call returns
// false no further index is handed out (calls under way finish), so every index below the
// first one that returned false has been handed out. Returns when all calls have returned.
// `work` must not throw (catch in it and return false to stop).
inline void for_each_index(std::size_t count, std::size_t threads, const std::function<bool(std::size_t)>& work) {
    std::atomic<std::size_t> next{0};
    std::atomic<bool> go_on{true};
    auto worker = [&] {
        for (std::size_t i; go_on.load() && (i = next.fetch_add(1)) < count;)
            if (!work(i)) go_on = false;
    };
    std::vector<std::jthread> pool;
    for (std::size_t t = 1; t < threads && t < count; ++t) pool.emplace_back(worker);
    worker();
}

}  // namespace luet::core
