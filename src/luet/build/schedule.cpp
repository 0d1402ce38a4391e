#include "luet/build/schedule.hpp"

#include <condition_variable>
#include <algorithm>
#include <exception>
#include <mutex>
#include <thread>

#include "luet/core/error.hpp"

namespace luet::build {

DagResult run_dag(const std::vector<DagNode>& nodes, std::size_t concurrency,
                  const std::function<void(std::size_t)>& task) {
    const std::size_t n = nodes.size();
    std::vector<std::size_t> waiting(n);
    std::vector<std::vector<std::size_t>> dependents(n);
    for (std::size_t i = 0; i < n; ++i) {
        for (std::size_t d : nodes[i].deps) {
            if (d >= i) throw Error("build order: " + nodes[i].name + " needs a node that does not come before it");
            dependents[d].push_back(i);
        }
        waiting[i] = nodes[i].deps.size();
    }

    DagResult result;
    result.done.assign(n, false);
    std::mutex m;
    std::condition_variable cv;
    std::vector<bool> started(n, false);
    std::size_t running = 0, finished = 0;
    std::exception_ptr error;

    // The lowest ready node not started yet, or n.
    auto next_ready = [&] {
        for (std::size_t i = 0; i < n; ++i)
            if (!started[i] && waiting[i] == 0) return i;
        return n;
    };
    auto worker = [&] {
        std::unique_lock lock(m);
        for (;;) {
            std::size_t i = n;
            // Wake for: a failure (stop), a ready node, or nothing left to start.
            cv.wait(lock, [&] {
                if (error) return true;
                i = next_ready();
                return i < n || finished + running == n || running == 0;
            });
            if (error || i == n) return;
            started[i] = true;
            ++running;
            lock.unlock();
            std::exception_ptr failure;
            try {
                task(i);
            } catch (...) {
                failure = std::current_exception();
            }
            lock.lock();
            --running;
            if (failure) {
                if (!error) {
                    error = failure;
                    result.failed = nodes[i].name;
                }
            } else {
                result.done[i] = true;
                ++finished;
                for (std::size_t d : dependents[i]) --waiting[d];
            }
            cv.notify_all();
        }
    };

    const std::size_t threads = std::max<std::size_t>(1, std::min(concurrency, n));
    std::vector<std::thread> pool;
    for (std::size_t t = 0; t < threads; ++t) pool.emplace_back(worker);
    for (auto& t : pool) t.join();

    if (error) {
        try {
            std::rethrow_exception(error);
        } catch (const std::exception& e) {
            result.message = e.what();
        } catch (...) {
            result.message = "unknown error";
        }
    }
    return result;
}

}  // namespace luet::build
