#include "luet/install/search.hpp"

#include <algorithm>
#include <set>

#include "luet/core/regex.hpp"

namespace luet::install {
namespace {

bool matches(const SearchResult& c, const SearchOptions& opts, const core::RegexList& re) {
    const auto& d = c.definition;
    if (!opts.annotations.empty() &&
        std::none_of(opts.annotations.begin(), opts.annotations.end(), [&](const auto& a) { return d.annotations.count(a) > 0; }))
        return false;
    switch (opts.mode) {
        case SearchMode::Regex: return re.any(d.form.str());
        case SearchMode::Label: return d.labels.count(opts.term) > 0;
        case SearchMode::LabelRegex:
            return std::any_of(d.labels.begin(), d.labels.end(),
                               [&](const auto& kv) { return re.any(kv.first + "=" + kv.second); });
        case SearchMode::Files:
            return std::any_of(c.files.begin(), c.files.end(), [&](const auto& f) { return re.any(f); });
    }
    return false;
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
    const core::RegexList re(opts.mode == SearchMode::Label ? std::vector<std::string>{} : std::vector{opts.term},
                             "search");
    std::vector<const SearchResult*> found;
    for (const auto& c : all)
        if (matches(c, opts, re)) found.push_back(&c);
    // File searches list every owner, hidden or not, and have no reverse dependencies upstream.
    if (opts.mode != SearchMode::Files) {
        if (opts.revdeps) {
            found = revdeps_of(all, found);
            std::sort(found.begin(), found.end());  // back to the sorted order of `all`
        }
        if (!opts.hidden)
            std::erase_if(found, [](const SearchResult* c) { return c->definition.hidden; });
    }
    std::vector<SearchResult> out;
    for (const auto* c : found) out.push_back(*c);
    return out;
}

}  // namespace

std::vector<SearchResult> search_repositories(const std::vector<repo::LoadedRepository>& repos,
                                              const db::Database& installed, const SearchOptions& opts) {
    std::set<std::string> installed_forms;
    for (const auto& p : installed.packages()) installed_forms.insert(p.definition.form.str());
    std::vector<SearchResult> out;
    for (const auto& r : repos) {
        std::vector<SearchResult> all;
        for (const auto& p : r.packages)
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
