#include "luet/solver/solver.hpp"

// libsolv's Solvable has a field named "requires", a C++20 keyword.
#define requires solv_requires
extern "C" {
#include <solv/pool.h>
#include <solv/poolarch.h>
#include <solv/repo.h>
#include <solv/rules.h>
#include <solv/solver.h>
#include <solv/transaction.h>
}
#undef requires

#include <algorithm>
#include <cstdio>
#include <map>
#include <set>

#include "luet/core/error.hpp"

namespace luet::solver {
namespace {

bool provides_atom(const PackageEntry& e, const core::PackageRef& ref) {
    for (const auto& p : e.provides)
        if (p.atom() == ref.atom() && (p.selector.op == core::SelectorOp::Any || ref.selector.matches(p.selector.version)))
            return true;
    return false;
}

bool satisfies(const PackageEntry& e, const core::PackageRef& ref) { return ref.matches(e.form) || provides_atom(e, ref); }

// The libsolv pool for one request: luet versions become ranks that sort like luet's order.
class Pool {
public:
    Pool(const std::vector<PackageEntry>& available, const std::vector<PackageEntry>& installed,
         const Request& request) {
        pool_ = pool_create();
        pool_setarch(pool_, "noarch");
        rank_versions(available, installed, request);
        Repo* repo = repo_create(pool_, "available");
        for (const auto& e : available) add(repo, e);
        installed_ = repo_create(pool_, "@installed");
        for (const auto& e : installed) add(installed_, e);
        repo_internalize(repo);
        repo_internalize(installed_);
        pool_set_installed(pool_, installed_);
        pool_createwhatprovides(pool_);
    }
    ~Pool() { pool_free(pool_); }
    Pool(const Pool&) = delete;
    Pool& operator=(const Pool&) = delete;

    ::Pool* get() { return pool_; }
    bool is_installed(Id p) const { return pool_->solvables[p].repo == installed_; }
    const PackageEntry& entry(Id p) const { return *entries_.at(p); }

    Id dep(const core::PackageRef& ref) {
        Id name = pool_str2id(pool_, ref.atom().c_str(), 1);
        Id id = name;
        if (!ref.selector.simple()) {
            // Ranges, "~" and "=V*" become the alternatives of the known versions they admit.
            id = 0;
            for (const auto& v : atom_versions_[ref.atom()]) {
                if (!ref.selector.matches(v)) continue;
                Id one = pool_rel2id(pool_, name, evr(v), REL_EQ, 1);
                id = id ? pool_rel2id(pool_, id, one, REL_OR, 1) : one;
            }
            if (!id) id = pool_rel2id(pool_, name, pool_str2id(pool_, "none", 1), REL_EQ, 1);
        } else if (ref.selector.op != core::SelectorOp::Any) {
            int flags = 0;
            switch (ref.selector.op) {
                case core::SelectorOp::Eq: flags = REL_EQ; break;
                case core::SelectorOp::Ne: flags = REL_LT | REL_GT; break;
                case core::SelectorOp::Lt: flags = REL_LT; break;
                case core::SelectorOp::Le: flags = REL_LT | REL_EQ; break;
                case core::SelectorOp::Gt: flags = REL_GT; break;
                case core::SelectorOp::Ge: flags = REL_GT | REL_EQ; break;
                default: break;
            }
            id = pool_rel2id(pool_, name, evr(ref.selector.version), flags, 1);
        }
        dep_text_[id] = ref.str();
        return id;
    }

    std::string dep_text(Id id) const {
        auto it = dep_text_.find(id);
        return it != dep_text_.end() ? it->second : pool_dep2str(pool_, id);
    }

    std::string solvable_text(Id p) const {
        auto it = entries_.find(p);
        return it != entries_.end() ? it->second->form.str() : pool_solvid2str(pool_, p);
    }

private:
    // Every version the pool will see, packages and selectors alike, gets a rank.
    void rank_versions(const std::vector<PackageEntry>& available, const std::vector<PackageEntry>& installed,
                       const Request& request) {
        std::vector<std::string> versions;
        for (const auto* list : {&request.install, &request.remove})
            for (const auto& r : *list)
                if (r.selector.op != core::SelectorOp::Any) versions.push_back(r.selector.version);
        auto collect = [&](const PackageEntry& e) {
            versions.push_back(e.form.version);
            atom_versions_[e.form.atom()].insert(e.form.version);
            for (const auto& r : e.provides)
                if (r.selector.op == core::SelectorOp::Eq) atom_versions_[r.atom()].insert(r.selector.version);
            for (const auto* list : {&e.requires_, &e.conflicts, &e.provides})
                for (const auto& r : *list)
                    if (r.selector.op != core::SelectorOp::Any) versions.push_back(r.selector.version);
        };
        for (const auto& e : available) collect(e);
        for (const auto& e : installed) collect(e);
        std::sort(versions.begin(), versions.end(),
                  [](const auto& a, const auto& b) { return core::compare_versions(a, b) < 0; });
        int rank = 0;
        for (size_t i = 0; i < versions.size(); ++i) {
            if (i > 0 && core::compare_versions(versions[i - 1], versions[i]) != 0) ++rank;
            rank_[versions[i]] = rank;
        }
    }

    Id evr(const std::string& version) {
        char buf[32];
        std::snprintf(buf, sizeof buf, "%010d", rank_.at(version));
        return pool_str2id(pool_, buf, 1);
    }

    void add(Repo* repo, const PackageEntry& e) {
        Id p = repo_add_solvable(repo);
        Solvable* s = pool_id2solvable(pool_, p);
        s->name = pool_str2id(pool_, e.form.atom().c_str(), 1);
        s->evr = evr(e.form.version);
        s->arch = ARCH_NOARCH;
        s->provides = repo_addid_dep(repo, s->provides, pool_rel2id(pool_, s->name, s->evr, REL_EQ, 1), 0);
        for (const auto& r : e.provides) {
            s->provides = repo_addid_dep(repo, s->provides, dep(r), 0);
            s->obsoletes = repo_addid_dep(repo, s->obsoletes, pool_str2id(pool_, r.atom().c_str(), 1), 0);
        }
        for (const auto& r : e.requires_) s->solv_requires = repo_addid_dep(repo, s->solv_requires, dep(r), 0);
        for (const auto& r : e.conflicts) s->conflicts = repo_addid_dep(repo, s->conflicts, dep(r), 0);
        entries_[p] = &e;
    }

    ::Pool* pool_;
    Repo* installed_;
    std::map<std::string, int> rank_;
    std::map<std::string, std::set<std::string>> atom_versions_;
    std::map<Id, const PackageEntry*> entries_;
    std::map<Id, std::string> dep_text_;
};

std::string versions_of(const std::vector<PackageEntry>& available, const std::string& atom) {
    std::string out;
    for (const auto& e : available)
        if (e.form.atom() == atom) out += (out.empty() ? "" : ", ") + e.form.str();
    return out;
}

std::string nothing_provides(const std::vector<PackageEntry>& available, const std::string& atom) {
    const std::string have = versions_of(available, atom);
    return have.empty() ? "no package provides " + atom : "the repositories have only " + have;
}

std::string explain(Pool& pool, Solver* solv, int problems, const std::vector<PackageEntry>& available) {
    std::string msg = "cannot satisfy the request:";
    for (Id problem = 1; problem <= problems; ++problem) {
        Queue rules;
        queue_init(&rules);
        solver_findallproblemrules(solv, problem, &rules);
        std::set<std::string> lines;
        for (int i = 0; i < rules.count; ++i) {
            Id source = 0, target = 0, dep = 0;
            SolverRuleinfo type = solver_ruleinfo(solv, rules.elements[i], &source, &target, &dep);
            std::string atom = dep ? pool_id2str(pool.get(), ISRELDEP(dep) ? GETRELDEP(pool.get(), dep)->name : dep) : "";
            switch (type) {
                case SOLVER_RULE_PKG_NOTHING_PROVIDES_DEP:
                    lines.insert(pool.solvable_text(source) + " requires " + pool.dep_text(dep) + ", but " +
                                 nothing_provides(available, atom));
                    break;
                case SOLVER_RULE_JOB_NOTHING_PROVIDES_DEP:
                    lines.insert("nothing matches " + pool.dep_text(dep) + ": " +
                                 nothing_provides(available, atom));
                    break;
                case SOLVER_RULE_PKG_REQUIRES:
                    lines.insert(pool.solvable_text(source) + " requires " + pool.dep_text(dep));
                    break;
                case SOLVER_RULE_PKG_CONFLICTS:
                    lines.insert(pool.solvable_text(source) + " conflicts with " + pool.solvable_text(target) +
                                 " (" + pool.dep_text(dep) + ")");
                    break;
                case SOLVER_RULE_PKG_SAME_NAME:
                    lines.insert("only one of " + pool.solvable_text(source) + " and " + pool.solvable_text(target) +
                                 " can be installed");
                    break;
                case SOLVER_RULE_PKG_OBSOLETES:
                case SOLVER_RULE_PKG_IMPLICIT_OBSOLETES:
                case SOLVER_RULE_PKG_INSTALLED_OBSOLETES:
                    lines.insert(pool.solvable_text(source) + " replaces " + pool.solvable_text(target));
                    break;
                case SOLVER_RULE_JOB:
                case SOLVER_RULE_PKG:
                    break;
                default:
                    lines.insert(solver_problemruleinfo2str(solv, type, source, target, dep));
            }
        }
        queue_free(&rules);
        for (const auto& l : lines) msg += "\n  - " + l;
    }
    return msg;
}

}  // namespace

Solution solve(const std::vector<PackageEntry>& available, const std::vector<PackageEntry>& installed,
               const Request& request) {
    // Unknown names get a direct answer before any solving.
    for (const auto& ref : request.install) {
        auto known = [&](const PackageEntry& e) {
            return e.form.atom() == ref.atom() || std::any_of(e.provides.begin(), e.provides.end(),
                                                               [&](const auto& p) { return p.atom() == ref.atom(); });
        };
        if (std::none_of(available.begin(), available.end(), known) &&
            std::none_of(installed.begin(), installed.end(), known))
            throw NotFoundError("package '" + ref.str() + "' not found in any repository", ref.str());
        if (std::none_of(available.begin(), available.end(), [&](const auto& e) { return satisfies(e, ref); }) &&
            std::none_of(installed.begin(), installed.end(), [&](const auto& e) { return satisfies(e, ref); }))
            throw NotFoundError("no version of " + ref.atom() + " matches " + ref.str() + ": the repositories have " +
                                    versions_of(available, ref.atom()),
                                ref.str());
    }

    Solution solution;
    if (request.nodeps) {
        for (const auto& ref : request.install) {
            if (std::any_of(installed.begin(), installed.end(), [&](const auto& e) { return satisfies(e, ref); }))
                continue;
            const PackageEntry* best = nullptr;
            for (const auto& e : available)
                if (satisfies(e, ref) && (!best || core::compare_versions(e.form.version, best->form.version) > 0))
                    best = &e;
            solution.install.push_back(*best);
        }
        return solution;
    }

    Pool pool(available, installed, request);
    Queue jobs;
    queue_init(&jobs);
    for (const auto& ref : request.install) queue_push2(&jobs, SOLVER_INSTALL | SOLVER_SOLVABLE_PROVIDES, pool.dep(ref));
    for (const auto& ref : request.remove) queue_push2(&jobs, SOLVER_ERASE | SOLVER_SOLVABLE_PROVIDES, pool.dep(ref));
    if (request.update_all) queue_push2(&jobs, SOLVER_UPDATE | SOLVER_SOLVABLE_ALL, 0);
    Solver* solv = solver_create(pool.get());
    const int problems = solver_solve(solv, &jobs);
    queue_free(&jobs);
    if (problems > 0) {
        std::string msg = explain(pool, solv, problems, available);
        solver_free(solv);
        throw ResolveError(msg);
    }
    Transaction* trans = solver_create_transaction(solv);
    transaction_order(trans, 0);
    for (int i = 0; i < trans->steps.count; ++i) {
        Id p = trans->steps.elements[i];
        (pool.is_installed(p) ? solution.remove : solution.install).push_back(pool.entry(p));
    }
    transaction_free(trans);
    solver_free(solv);
    return solution;
}

std::vector<PackageEntry> topological_order(const std::vector<PackageEntry>& closure) {
    const size_t n = closure.size();
    std::vector<std::vector<size_t>> dependents(n);
    std::vector<size_t> missing(n, 0);  // unsatisfied requirements inside the set
    for (size_t i = 0; i < n; ++i) {
        for (const auto& req : closure[i].requires_) {
            for (size_t j = 0; j < n; ++j) {
                if (j != i && satisfies(closure[j], req)) {
                    dependents[j].push_back(i);
                    ++missing[i];
                    break;
                }
            }
        }
    }
    std::vector<PackageEntry> order;
    std::vector<bool> placed(n, false);
    for (bool progress = true; progress;) {
        progress = false;
        for (size_t i = 0; i < n; ++i) {
            if (placed[i] || missing[i] != 0) continue;
            placed[i] = true;
            progress = true;
            order.push_back(closure[i]);
            for (size_t d : dependents[i]) --missing[d];
            break;  // restart from the first entry: keeps input order stable
        }
    }
    if (order.size() != n) {
        std::string cycle;
        for (size_t i = 0; i < n; ++i)
            if (!placed[i]) cycle += (cycle.empty() ? "" : ", ") + closure[i].form.str();
        throw Error("dependency cycle between " + cycle);
    }
    return order;
}

}  // namespace luet::solver
