// Running a build plan's packages as a DAG: each package after the packages it needs, up to
// `concurrency` at once (issue 16's scheduler; the builder's per-package work is the `task`).
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <vector>

namespace luet::build {

struct DagNode {
    std::string name;                 // names the node in errors ("apps/hello-1.0")
    std::vector<std::size_t> deps;    // indexes of the nodes it needs, each < its own index
};

struct DagResult {
    std::vector<bool> done;           // per node: its task returned normally
    std::string failed;               // the first node whose task threw, "" when none
    std::string message;              // what it threw (std::exception::what())
};

// Runs task(i) for every node, each once its deps are done, on up to `concurrency` threads
// (at least 1), in index order among the ready nodes. When a task throws, no further task
// starts and the tasks already running finish: the result names the first failed node and
// its message, and done[] says what completed. Throws luet::Error for a dep index not
// smaller than its node's (the nodes must be in a build order).
DagResult run_dag(const std::vector<DagNode>& nodes, std::size_t concurrency,
                  const std::function<void(std::size_t)>& task);

}  // namespace luet::build
