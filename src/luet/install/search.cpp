#include "luet/install/search.hpp"

#include <algorithm>
#include <memory>
#include <set>

#include "luet/core/regex.hpp"

namespace luet::install {
namespace {

// The compiled regular expressions of the options.
struct Compiled {
    core::RegexList matches, categories, label_regexes;
    explicit Compiled(const SearchOptions& o)
        : matches(o.matches, "search"), categories(o.categories, "category"), label_regexes(o.label_regexes, "label") {}
};

template <class Range, class Pred>
bool any_of(const Range& r, Pred p) {
    return std::any_of(r.begin(), r.end(), p);
}

bool matches(const SearchResult& c, const SearchOptions& opts, const Compiled& re) {
    const auto& d = c.definition;
    std::vector<bool> tests;
    if (!opts.matches.empty()) tests.push_back(re.matches.any(d.form.atom()));
    if (!opts.names.empty()) tests.push_back(any_of(opts.names, [&](const auto& n) { return n == d.form.name; }));
    if (!opts.packages.empty())
        tests.push_back(any_of(opts.packages, [&](const core::PackageRef& r) {
            return r.matches(d.form) || any_of(d.provides, [&](const auto& p) { return p.atom() == r.atom(); });
        }));
    if (!opts.categories.empty()) tests.push_back(re.categories.any(d.form.category));
    if (!opts.labels.empty()) tests.push_back(any_of(opts.labels, [&](const auto& l) { return d.labels.count(l) > 0; }));
    if (!opts.label_regexes.empty())
        tests.push_back(any_of(d.labels, [&](const auto& kv) { return re.label_regexes.any(kv.first + "=" + kv.second); }));
    if (!opts.annotations.empty())
        tests.push_back(any_of(opts.annotations, [&](const auto& a) { return d.annotations.count(a) > 0; }));
    if (tests.empty()) return true;
    return opts.any_criterion ? any_of(tests, [](bool b) { return b; }) : !any_of(tests, [](bool b) { return !b; });
}

// The packages of `all` that require one of `targets`, directly or through other such packages.
std::vector<const SearchResult*> revdeps_of(const std::vector<SearchResult>& all,
                                            std::vector<const SearchResult*> targets) {
    std::set<const SearchResult*> seen(targets.begin(), targets.end());
    std::vector<const SearchResult*> out;
    while (!targets.empty()) {
        const SearchResult* t = targets.back();
        targets.pop_back();
        for (const auto& p : all) {
            if (seen.count(&p)) continue;
            const auto& reqs = p.definition.requires_;
            if (std::any_of(reqs.begin(), reqs.end(), [&](const auto& r) { return r.matches(t->definition.form); })) {
                seen.insert(&p);
                out.push_back(&p);
                targets.push_back(&p);
            }
        }
    }
    return out;
}

void sort_by_form(std::vector<SearchResult>& v) {
    std::sort(v.begin(), v.end(), [](const SearchResult& a, const SearchResult& b) {
        const auto &x = a.definition.form, &y = b.definition.form;
        if (x.category != y.category) return x.category < y.category;
        if (x.name != y.name) return x.name < y.name;
        return core::compare_versions(x.version, y.version) < 0;
    });
}

// Upstream's filter over one package set (a repository or the installed packages).
std::vector<SearchResult> search_set(std::vector<SearchResult> all, const SearchOptions& opts) {
    sort_by_form(all);
    const Compiled re(opts);
    std::vector<const SearchResult*> found;
    for (const auto& c : all)
        if (matches(c, opts, re)) found.push_back(&c);
    if (opts.revdeps) {
        found = revdeps_of(all, found);
        std::sort(found.begin(), found.end());  // back to the sorted order of `all`
    }
    if (!opts.hidden) std::erase_if(found, [](const SearchResult* c) { return c->definition.hidden; });
    std::vector<SearchResult> out;
    for (const auto* c : found) out.push_back(*c);
    return out;
}

}  // namespace

std::function<bool(const std::string&, const std::string&)> search_prefilter(const SearchOptions& opts) {
    // Criteria that look further than the category and name need the whole package: no prefilter.
    const bool deeper = !opts.packages.empty() || !opts.labels.empty() || !opts.label_regexes.empty() ||
                        !opts.annotations.empty();
    const bool some = !opts.matches.empty() || !opts.names.empty() || !opts.categories.empty();
    if (opts.revdeps || !some || (deeper && opts.any_criterion)) return {};
    auto re = std::make_shared<const Compiled>(opts);
    return [re, opts_names = opts.names, any = opts.any_criterion](const std::string& category,
                                                                   const std::string& name) {
        std::vector<bool> tests;
        if (!re->matches.empty()) tests.push_back(re->matches.any(category.empty() ? name : category + "/" + name));
        if (!opts_names.empty()) tests.push_back(any_of(opts_names, [&](const auto& n) { return n == name; }));
        if (!re->categories.empty()) tests.push_back(re->categories.any(category));
        return any ? any_of(tests, [](bool b) { return b; }) : !any_of(tests, [](bool b) { return !b; });
    };
}

std::vector<std::string> search_name_literals(const SearchOptions& opts) {
    // Without the prefilter, or when a package may pass it by its name or category alone
    // (--condition-or with -n or --category), a match is not required of every package.
    if (opts.matches.empty() || !search_prefilter(opts)) return {};
    if (opts.any_criterion && (!opts.names.empty() || !opts.categories.empty())) return {};
    std::vector<std::string> out;
    for (const auto& re : opts.matches) {
        if (re.find_first_of("\\^$.|?*+()[]{}") != std::string::npos) return {};
        // A piece of the atom "category/name" without '/' lies inside the category or the name.
        std::string longest, piece;
        for (const char c : re + "/") {
            if (c != '/') {
                piece += c;
                continue;
            }
            if (piece.size() > longest.size()) longest = piece;
            piece.clear();
        }
        if (longest.size() < 3 || !std::all_of(longest.begin(), longest.end(), [](char c) {
                return c > 0x20 && c < 0x7f;
            }))
            return {};
        out.push_back(longest);
    }
    return out;
}

std::vector<SearchResult> search_repositories(const std::vector<repo::LoadedRepository>& repos,
                                              const db::Database& installed, const SearchOptions& opts) {
    std::set<std::string> installed_forms;
    for (const auto& f : installed.forms()) installed_forms.insert(f.str());
    std::vector<SearchResult> out;
    for (const auto& r : repos) {
        std::vector<SearchResult> all;
        for (const auto& p : r.packages)
            if (!opts.masks || !opts.masks->masked(p.meta.runtime.form, r.name))
                all.push_back({p.meta.runtime, r.name, p.meta.files, installed_forms.count(p.meta.runtime.form.str()) > 0});
        for (auto& res : search_set(std::move(all), opts)) out.push_back(std::move(res));
    }
    return out;
}

std::vector<SearchResult> search_installed(const db::Database& installed, const SearchOptions& opts) {
    std::vector<SearchResult> all;
    for (const auto& p : installed.packages())
        all.push_back({p.definition, "system", installed.files(p.definition.form), true});
    return search_set(std::move(all), opts);
}

}  // namespace luet::install
