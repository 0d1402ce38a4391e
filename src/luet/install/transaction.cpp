#include "luet/install/transaction.hpp"
#include "luet/install/masks.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <deque>
#include <optional>
#include <functional>
#include <map>
#include <set>

#include "luet/core/error.hpp"
#include "luet/core/text.hpp"
#include "luet/artifact/artifact.hpp"
#include "luet/db/database.hpp"
#include "luet/install/config_protect.hpp"
#include "luet/install/extract.hpp"
#include "luet/install/file_rules.hpp"
#include "luet/install/journal.hpp"
#include "luet/plugin/bus.hpp"
#include "luet/repo/repository.hpp"
#include "luet/solver/solver.hpp"

namespace fs = std::filesystem;

namespace luet::install {
namespace {

// Holds an exclusive lock on the rootfs' luet state for the life of a transaction.
class Lock {
public:
    explicit Lock(const fs::path& dir) {
        fs::create_directories(dir);
        const fs::path file = dir / "luet.lock";
        fd_ = ::open(file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
        if (fd_ < 0) throw Error("cannot open lock file " + file.string());
        if (flock(fd_, LOCK_EX | LOCK_NB) != 0) {
            ::close(fd_);
            // Upstream's words (geaaru/luet cmd/root.go), with the file named.
            throw Error("Error on lock luet.lock file. Another process is running? (" + file.string() + ")");
        }
    }
    ~Lock() { ::close(fd_); }
    Lock(const Lock&) = delete;
    Lock& operator=(const Lock&) = delete;

private:
    int fd_;
};

void say(const Reporter& r, const std::string& line) {
    if (r.progress) r.progress(line);
}

solver::PackageEntry to_entry(const spec::Definition& d, const std::string& repository) {
    return {d.form, d.requires_, d.conflicts, d.provides, repository};
}

// The packages of every enabled repository; for a package form in several, the first
// repository wins.
struct Universe {
    std::vector<repo::LoadedRepository> repos;
    std::vector<solver::PackageEntry> available;
    std::map<std::string, std::pair<const repo::LoadedRepository*, const repo::RepoPackage*>> by_form;

    // `only`: when not empty, the packages of that repository alone.
    // `reach`: when set, only the packages these atoms reach are read from each repository
    // (local_index.hpp IndexQuery::reach): enough to solve a request about them.
    Universe(const config::Config& cfg, const Reporter& r, const Options& opts, const std::string& only = {},
             std::optional<std::vector<repo::IndexSeed>> reach = std::nullopt)
        : repos(repo::load_enabled(
              cfg, repo::LoadOptions{.strict = opts.sync_repos, .files = false, .keep = {}, .name_literals = {}, .reach = std::move(reach), .with_files = {}},
              r.progress)) {
        if (!only.empty() && std::none_of(repos.begin(), repos.end(), [&](const auto& x) { return x.name == only; }))
            throw Error("repository " + only + " is not configured or not enabled");
        const PackageMasks masks = opts.ignore_masks ? PackageMasks{} : load_masks(cfg);
        for (const auto& repo : repos) {
            if (!only.empty() && repo.name != only) continue;
            for (const auto& p : repo.packages) {
                if (masks.masked(p.meta.runtime.form, repo.name)) continue;
                const std::string key = p.meta.runtime.form.str();
                if (by_form.count(key)) continue;
                by_form[key] = {&repo, &p};
                available.push_back(to_entry(p.meta.runtime, repo.name));
                if (opts.ignore_conflicts) available.back().conflicts.clear();
            }
        }
    }
    Universe(const Universe&) = delete;
    Universe& operator=(const Universe&) = delete;

    // True when a repository has `d`'s exact version with other requires, conflicts or provides.
    bool deps_changed(const spec::Definition& d) const {
        auto it = by_form.find(d.form.str());
        if (it == by_form.end()) return false;
        const auto& r = it->second.second->meta.runtime;
        auto text = [](const std::vector<core::PackageRef>& refs) {
            std::vector<std::string> out;
            for (const auto& x : refs) out.push_back(x.str());
            std::sort(out.begin(), out.end());
            return out;
        };
        return text(d.requires_) != text(r.requires_) || text(d.conflicts) != text(r.conflicts) ||
               text(d.provides) != text(r.provides);
    }

    // References with a bare name get the category of the available packages named so.
    std::vector<core::PackageRef> resolve(const std::vector<core::PackageRef>& refs) const {
        std::vector<const core::PackageForm*> forms;
        for (const auto& a : available) forms.push_back(&a.form);
        std::vector<core::PackageRef> out;
        for (const auto& r : refs) out.push_back(core::resolve_category(r, forms));
        return out;
    }

    // Exact references to the best available version of every installed package that has a
    // newer one.
    // With `deep`, an installed version that no repository has any more also goes to the best
    // version available when that one is lower (a downgrade).
    std::vector<core::PackageRef> upgrades(const std::vector<db::InstalledPackage>& installed, bool deep = false) const {
        std::map<std::string, const std::string*> best;  // atom -> best version
        for (const auto& a : available) {
            const std::string*& b = best[a.form.atom()];
            if (!b || core::compare_versions(a.form.version, *b) > 0) b = &a.form.version;
        }
        std::vector<core::PackageRef> refs;
        for (const auto& p : installed) {
            const auto& form = p.definition.form;
            auto it = best.find(form.atom());
            if (it != best.end()) {
                const int cmp = core::compare_versions(*it->second, form.version);
                if (cmp > 0 || (cmp < 0 && deep && !by_form.count(form.str())))
                    refs.push_back({form.category, form.name, core::Selector{core::SelectorOp::Eq, *it->second, {}}});
                continue;
            }
            // No repository has it any more, but a package provides it: upgrade to the best
            // provider, which replaces it (geaaru/luet computeUpgrade looks versions up in a
            // database that answers with providers).
            const solver::PackageEntry* provider = nullptr;
            for (const auto& a : available) {
                const bool provides = std::any_of(a.provides.begin(), a.provides.end(),
                                                  [&](const auto& pr) { return pr.atom() == form.atom(); });
                if (provides && (!provider || core::compare_versions(a.form.version, provider->form.version) > 0))
                    provider = &a;
            }
            if (provider)
                refs.push_back({provider->form.category, provider->form.name,
                                core::Selector{core::SelectorOp::Eq, provider->form.version, {}}});
        }
        return refs;
    }
};

std::vector<solver::PackageEntry> entries_of(const std::vector<db::InstalledPackage>& installed,
                                             bool ignore_conflicts) {
    std::vector<solver::PackageEntry> out;
    for (const auto& p : installed) {
        out.push_back(to_entry(p.definition, p.repository));
        if (ignore_conflicts) out.back().conflicts.clear();
    }
    return out;
}

// What a transaction does: packages to add (dependencies first) and installed ones to remove.
struct Plan {
    std::vector<solver::PackageEntry> install;
    std::vector<core::PackageForm> remove;

    void remove_once(const core::PackageForm& f) {
        if (std::find(remove.begin(), remove.end(), f) == remove.end()) remove.push_back(f);
    }
    // An installed package of the same category/name as a new one leaves (the solver says so
    // itself, except when it is bypassed with nodeps).
    void remove_replaced_versions(const std::vector<db::InstalledPackage>& installed) {
        for (const auto& e : install)
            for (const auto& p : installed)
                if (p.definition.form.atom() == e.form.atom()) remove_once(p.definition.form);
    }
};

// Runs finalizer commands of package `form` in the rootfs, each as `shell` + [command]
// (default `sh -c` looked up on PATH, as geaaru/luet: the command sees $0 = "sh"), with
// finalizer_envs; each failure is appended to
// `errors`, the transaction stays.
void run_commands(const config::Config& cfg, const std::string& form, const std::vector<std::string>& shell,
                  const std::vector<std::string>& cmds, const Reporter& reporter, std::vector<std::string>& errors) {
    for (const auto& cmd : cmds) {
        // No env or chroot program: a static luet runs finalizers on a bare system.
        core::RunOptions opts;
        for (const auto& [k, v] : cfg.finalizer_envs) opts.env.push_back(k + "=" + v);
        if (!fs::equivalent(cfg.rootfs, "/")) opts.root = cfg.rootfs;
        std::vector<std::string> argv;
        if (shell.empty()) {
            // "sh" found on PATH: $0 is "sh", as geaaru/luet runs finalizers.
            argv = {"sh", "-c"};
        } else {
            argv = shell;
        }
        argv.push_back(cmd);
        say(reporter, "⚙ Finalizer of " + form + ": " + cmd);
        int code = core::run(argv, reporter.finalizer_output, opts);
        if (code != 0)
            errors.push_back("finalizer of " + form + " failed (exit " + std::to_string(code) + "): " + cmd);
    }
}

// Runs the install finalizers of the installed packages `forms` ("category/name-version").
void run_finalizers(const config::Config& cfg, const db::Database& database, const std::vector<std::string>& forms,
                    const Reporter& reporter, std::vector<std::string>& errors) {
    const auto installed = database.packages();
    for (const auto& form : forms) {
        auto it = std::find_if(installed.begin(), installed.end(),
                               [&](const auto& p) { return p.definition.form.str() == form; });
        if (it == installed.end()) continue;  // removed since by --nodeps or by hand
        run_commands(cfg, form, it->finalize_shell, it->finalize_install, reporter, errors);
    }
}

// The rootfs a transaction changes: locked, its database open, interrupted work undone.
struct Session {
    const config::Config& cfg;
    fs::path system_dir;
    Lock lock;
    db::Database database;
    fs::path backup_dir;

    Session(const config::Config& c, const Reporter& r)
        : cfg(c),
          system_dir(c.system_dir()),
          lock(system_dir),
          database(system_dir / "luet.sqlite"),
          backup_dir(system_dir / "transaction-backup") {
        std::vector<std::string> errors;
        auto finalize = [&](const std::vector<std::string>& forms) {
            run_finalizers(cfg, database, forms, r, errors);
        };
        switch (recover(cfg.rootfs, backup_dir, database, finalize)) {
            case Recovery::rolled_back: say(r, "⚠ Rolled back an interrupted transaction"); break;
            case Recovery::finished: say(r, "⚠ Finished an interrupted transaction"); break;
            case Recovery::none: break;
        }
        for (const auto& e : errors) say(r, "⚠ " + e);
    }
};

// Keeps `host`'s content at `aside` while leaving `host` in place: a hard link (extraction
// unlinks a path before writing it, so the link keeps the old content), or a copy when the
// backup folder is on another filesystem.
void keep_aside(const fs::path& host, const fs::path& aside) {
    if (::link(host.c_str(), aside.c_str()) == 0) return;
    fs::copy(host, aside, fs::copy_options::copy_symlinks);
}

// Moves `host` to `aside` (copy and remove across filesystems).
void move_aside(const fs::path& host, const fs::path& aside) {
    std::error_code ec;
    fs::rename(host, aside, ec);
    if (!ec) return;
    fs::copy(host, aside, fs::copy_options::copy_symlinks);
    fs::remove(host);
}

// The path (relative to the rootfs) that writing `name` really reaches: the symlinks met in
// its folders (and with follow_last, a folder entry's own name) are followed, those on disk
// and those of `links` (symlink entries of the artifacts being installed, which extraction
// will have created by then), as if the rootfs were "/"; ".." stops at the rootfs; "" is the
// rootfs itself. Throws luet::Error on a symlink loop.
constexpr std::size_t kHostPathMax = 4096;  // PATH_MAX, the terminating NUL included

std::string effective_name(const fs::path& rootfs, const std::string& name,
                           const std::map<std::string, std::string>& links, bool follow_last = false) {
    std::deque<std::string> todo;
    for (const auto& part : follow_last ? fs::path(name) : fs::path(name).parent_path()) todo.push_back(part.string());
    // The components resolved so far, as "a/b/" (each ending in '/'), and the length of
    // `done` before each: every step costs its component, not the whole path (an entry
    // thousands of folders deep would otherwise cost cubic time).
    std::string done;
    std::vector<std::size_t> starts;
    const std::string root = rootfs.string() + (rootfs.string().ends_with("/") ? "" : "/");
    for (int hops = 0; !todo.empty();) {
        const std::string part = todo.front();
        todo.pop_front();
        if (part.empty() || part == ".") continue;
        if (part == "..") {
            if (!starts.empty()) {
                done.resize(starts.back());
                starts.pop_back();
            }
            continue;
        }
        const std::string here = done + part;
        std::optional<fs::path> target;
        if (auto it = links.find(here); it != links.end()) {
            target = it->second;
        } else {
            std::error_code ec;
            const fs::path host(root + here);
            if (fs::is_symlink(fs::symlink_status(host, ec))) target = fs::read_symlink(host, ec);
        }
        if (!target) {
            starts.push_back(done.size());
            done += part + "/";
            continue;
        }
        if (++hops > 40) throw Error("too many levels of symbolic links resolving /" + name);
        if (target->is_absolute()) {
            done.clear();
            starts.clear();
        }
        std::vector<std::string> parts;
        for (const auto& t : target->relative_path()) parts.push_back(t.string());
        todo.insert(todo.begin(), parts.begin(), parts.end());
    }
    if (!follow_last) return done + fs::path(name).filename().string();
    if (!done.empty()) done.pop_back();
    return done;
}

// Runs `plan` on the session's rootfs following the journal protocol of journal.hpp; `u` holds
// the packages of plan.install (null when there are none).
Result execute(Session& s, const Universe* u, const Plan& plan, const Options& opts, const Reporter& reporter) {
    Result result;
    const fs::path& rootfs = s.cfg.rootfs;
    if (reporter.confirm) {
        std::vector<core::PackageForm> forms;
        for (const auto& e : plan.install) forms.push_back(e.form);
        if (!reporter.confirm(forms, plan.remove)) {
            result.stopped = true;
            return result;
        }
    }

    // Fetch and verify everything before touching the rootfs.
    const fs::path cache = s.cfg.packages_cache_dir();
    fs::create_directories(cache);
    struct Step {
        const repo::LoadedRepository* repo;
        const repo::RepoPackage* pkg;
        fs::path file;
        ExtractFilter filter;  // subsets and config protect
    };
    const FileRules file_rules = load_file_rules(s.cfg);
    Journal journal;
    // A protected file is written aside under a name chosen while extracting: the stored
    // journal learns it before the file is written.
    auto on_protected = [&](const std::string& name, const std::string& aside) {
        say(reporter, "🔒 Found protected file /" + name + ". Creating /" + aside + ".");
        journal.written.push_back(aside);
        s.database.set_journal(journal.to_json());
    };
    std::vector<Step> steps;
    std::vector<repo::FetchJob> jobs;
    for (const auto& entry : plan.install) {
        auto [r, p] = u->by_form.at(entry.form.str());
        steps.push_back({r, p, cache / p->meta.path, extract_filter(file_rules, p->meta.runtime, on_protected)});
        steps.back().filter.max_bytes = s.cfg.max_unpacked_bytes;
        jobs.push_back({r, p, steps.back().file});
        result.downloaded.push_back(entry.form);
    }
    if (!jobs.empty()) {
        say(reporter, "📥 Downloading " + std::to_string(jobs.size()) + " package(s)");
        repo::fetch_artifacts(jobs, opts.concurrency, [&](std::size_t i, std::uint64_t done, std::uint64_t total) {
            if (reporter.download) reporter.download(steps[i].pkg->meta.runtime.form, done, total);
        });
    }
    if (opts.download_only) return result;

    std::set<std::string> leaving;
    for (const auto& f : plan.remove) leaving.insert(f.str());
    auto stays = [&](const core::PackageForm& f) { return !leaving.count(f.str()); };
    // Where the leaving packages' files really are (their recorded names resolved on disk): a
    // new package may replace those.
    const std::map<std::string, std::string> no_links;
    std::set<std::string> leaving_real;
    for (const auto& form : plan.remove)
        for (const auto& name : s.database.files(form)) leaving_real.insert(effective_name(rootfs, name, no_links));

    // File conflicts with the installed packages that stay, with files on disk that no package
    // owns, and between the new ones. No package may write into luet's own state (database,
    // journal, caches).
    const std::string state_dir = s.cfg.database_path.relative_path().lexically_normal().string();
    auto in_state_dir = [state_dir](const std::string& path) {
        return path == state_dir || path.starts_with(state_dir + "/");
    };
    std::vector<std::vector<Entry>> entries;  // per step, the entries it installs
    std::map<std::string, std::string> links;  // symlink entries of the new packages -> target
    for (const auto& step : steps) {
        const auto& kept = entries.emplace_back(kept_entries(step.file, step.filter));
        for (const auto& e : kept)
            if (!e.symlink.empty()) links[e.name] = e.symlink;
    }
    // Entries are compared by the path they really write (through symlinks): a package cannot
    // take another one's file, or luet's state, by writing through a symlinked folder. Folders
    // too: a folder entry reaching a file replaces it, and its mode and owner apply to the
    // folder it reaches.
    std::map<std::string, std::string> claimed;  // path written (non-folder) -> new package
    std::set<std::string> dirs;                  // folders the new packages need
    for (size_t i = 0; i < steps.size(); ++i) {
        auto& step = steps[i];
        const std::string who = step.pkg->meta.runtime.form.str();
        // Entry name -> the path checked here; extraction refuses an entry reaching another one.
        auto planned = std::make_shared<std::map<std::string, std::string>>();
        // With config_protect_skip, configuration files are replaced on purpose (upstream's
        // 17_config_protect_skip installs over one left on disk).
        std::optional<ProtectedDirs> replaced_configs;
        if (file_rules.protect.skip) {
            ConfigProtect unskipped = file_rules.protect;
            unskipped.skip = false;
            replaced_configs.emplace(unskipped, step.pkg->meta.runtime);
        }
        for (const auto& [name, directory, symlink, hardlink, size] : entries[i]) {
            // File lists and the journal are JSON (as upstream's documents): names must be UTF-8.
            if (const std::size_t bad = core::invalid_utf8(name); bad != std::string::npos) {
                char byte[8];
                std::snprintf(byte, sizeof byte, "0x%02x", static_cast<unsigned char>(name[bad]));
                throw Error(step.file.string() + " (" + who + "): entry " + core::quoted(name.substr(0, bad)) +
                            "... has a byte that is not UTF-8 (" + byte + " at offset " + std::to_string(bad) +
                            "); refusing to install it");
            }
            // The kernel's PATH_MAX holds for the path on the host, the rootfs included.
            if (rootfs.string().size() + 1 + name.size() >= kHostPathMax)
                throw Error(step.file.string() + " (" + step.pkg->meta.runtime.form.str() + "): entry " +
                            core::quoted(name.substr(0, 200)) + "... would be written at a path of " +
                            std::to_string(rootfs.string().size() + 1 + name.size()) + " bytes under " + rootfs.string() +
                            " (the limit is " + std::to_string(kHostPathMax - 1) + "); refusing to install it");
            const std::string real = effective_name(rootfs, name, links, directory);
            const std::string shown = real == name ? "/" + name : "/" + name + " (written to /" + real + ")";
            for (const auto& path : {name, real})
                if (in_state_dir(path))
                    throw Error(step.file.string() + " (" + who + "): entry " + core::quoted(name) + " is inside luet's database folder /" +
                                state_dir + "; refusing to install it");
            planned->emplace(name, real);
            for (fs::path p = fs::path(name).parent_path(); !p.empty(); p = p.parent_path()) dirs.insert(p.string());
            std::error_code ec;
            const fs::path host = rootfs / real;
            const auto st = fs::symlink_status(host, ec);
            if (directory) {
                dirs.insert(name);
                if (!fs::exists(st) || fs::is_directory(st)) continue;
            }
            for (const auto& path : std::set<std::string>{name, real})
                for (const auto& owner : s.database.owners(path))
                    if (stays(owner) && !opts.force)
                        throw Error("file conflict: " + shown + " of " + who + " belongs to installed package " +
                                    owner.str() + " (use --force to overwrite)");
            if (fs::exists(st) && !fs::is_directory(st) && !opts.force && !leaving_real.count(real)) {
                // On disk, where no leaving package has a file: owned by no package (a staying
                // owner was a conflict above). A leaving package's record of `name` does not
                // count when `name` now reaches another path.
                const bool owned = !s.database.owners(real).empty();
                const bool same_symlink = !symlink.empty() && fs::is_symlink(st) && fs::read_symlink(host, ec) == symlink;
                const bool config_file = symlink.empty() && !directory && fs::is_regular_file(st);
                const bool kept_aside =
                    config_file && step.filter.protect && (step.filter.protect(name) || step.filter.protect(real));
                const bool replaced = config_file && replaced_configs &&
                                      (replaced_configs->protects(name) || replaced_configs->protects(real));
                if (!owned && !same_symlink && !kept_aside && !replaced)
                    throw Error("file conflict: " + shown + " of " + who +
                                " is already on disk and belongs to no installed package (use --force to overwrite)");
            }
            if (directory) continue;
            if (auto [it, fresh] = claimed.emplace(real, who); !fresh && !opts.force && it->second != who)
                // geaaru/luet's wording (scripts look for it), the path as in the artifact.
                throw Error("file " + name + (real == name ? "" : " (written to /" + real + ")") +
                            " conflict between package " + it->second + " and " + who);
        }
        step.filter.check = [planned, in_state_dir, state_dir, file = step.file.string(), who](
                                const std::string& name, const std::string& real, bool) {
            if (in_state_dir(real))
                throw Error(file + " (" + who + "): entry " + core::quoted(name) + " is inside luet's database folder /" + state_dir +
                            "; refusing to install it");
            auto it = planned->find(name);
            if (it == planned->end() || it->second != real)
                throw Error(file + " (" + who + "): entry " + core::quoted(name) + " reaches /" + real + " when written, not " +
                            (it == planned->end() ? std::string("a path checked before") : "/" + it->second) +
                            " as checked before the install (an earlier entry changed the way); refusing to install it");
        };
    }

    // The journal: every path the transaction will write, create or move out, planned up front.
    std::error_code ec;
    {
        // `dirs` is sorted, so a folder comes after its parent: below a missing folder every
        // folder is missing too, without resolving it (thousands of nested folders would
        // otherwise cost a resolution each, in time quadratic in the depth).
        std::set<std::string> missing;
        for (const auto& d : dirs) {
            const auto slash = d.rfind('/');
            if ((slash != std::string::npos && missing.count(d.substr(0, slash))) ||
                !fs::exists(fs::symlink_status(resolve_in_root(rootfs, d, false), ec))) {
                missing.insert(d);
                journal.created_dirs.push_back(d);
            }
        }
    }
    auto plan_backup = [&](const std::string& name) {
        journal.backups.emplace_back(name, std::to_string(journal.backups.size()));
    };
    for (const auto& [name, who] : claimed) {
        journal.written.push_back(name);
        const auto st = fs::symlink_status(resolve_in_root(rootfs, name, false), ec);
        if (fs::exists(st) && !fs::is_directory(st)) plan_backup(name);
    }
    const size_t overwritten = journal.backups.size();
    // Children first: a symlinked folder must still be there to reach its files.
    // Protected configuration files of leaving packages stay on disk, as upstream keeps them.
    std::set<std::string, std::greater<>> leaving_files;
    const auto installed = s.database.packages();
    for (const auto& form : plan.remove) {
        // Plans only remove installed packages.
        auto it = std::find_if(installed.begin(), installed.end(),
                               [&](const auto& p) { return p.definition.form == form; });
        if (it == installed.end()) throw Error("package " + form.str() + " is not installed");
        const ProtectedDirs protected_dirs(file_rules.protect, it->definition);
        for (const auto& name : s.database.files(form))
            if (!protected_dirs.protects(name)) leaving_files.insert(name);
    }
    for (const auto& name : leaving_files) {
        if (claimed.count(name) || claimed.count(effective_name(rootfs, name, links))) continue;
        const auto st = fs::symlink_status(resolve_in_root(rootfs, name, false), ec);
        if (!fs::exists(st)) continue;
        if (fs::is_directory(st)) {
            journal.leaving_dirs.push_back(name);
            continue;
        }
        const auto owners = s.database.owners(name);
        if (std::any_of(owners.begin(), owners.end(), stays)) continue;  // another package keeps it
        plan_backup(name);
    }

    s.database.set_journal(journal.to_json());
    crash_point("journal");
    std::vector<std::pair<db::InstalledPackage, std::vector<std::string>>> added;
    try {
        fs::create_directories(s.backup_dir);
        for (size_t i = 0; i < overwritten; ++i) {
            const auto& [name, aside] = journal.backups[i];
            keep_aside(resolve_in_root(rootfs, name, false), s.backup_dir / aside);
            crash_point("backup");
        }
        for (const auto& step : steps) {
            const auto& def = step.pkg->meta.runtime;
            say(reporter, "📦 Installing " + def.form.str());
            added.push_back({{def, step.repo->name, step.pkg->finalize_install, step.pkg->finalize_uninstall,
                              step.pkg->finalize_shell},
                             extract(step.file, rootfs, step.filter)});
            crash_point("extract");
        }
        for (const auto& form : plan.remove) say(reporter, "🗑 Removing " + form.str());
        for (size_t i = overwritten; i < journal.backups.size(); ++i) {
            const auto& [name, aside] = journal.backups[i];
            move_aside(resolve_in_root(rootfs, name, false), s.backup_dir / aside);
            crash_point("remove");
        }
        // Plugin events once every file is in place, before the commit (mudler/luet fires them
        // as each package is recorded): a plugin's error rolls the whole transaction back.
        for (const auto& form : plan.remove)
            plugin::publish(plugin::kPackageUninstall, [&] {
                auto it = std::find_if(installed.begin(), installed.end(),
                                       [&](const auto& p) { return p.definition.form == form; });
                return it != installed.end() ? artifact::runtime_json(it->definition) : nlohmann::json{{"name", form.name}};
            });
        for (const auto& step : steps)
            plugin::publish(plugin::kPackageInstall, [&] {
                return nlohmann::json{{"Package", artifact::runtime_json(step.pkg->meta.runtime)},
                                      {"Artifact", artifact::metadata_json(step.pkg->meta)},
                                      {"Repository", {{"name", step.repo->name}}}};
            });
        journal.committed = true;
        if (!opts.skip_finalizers)
            for (const auto& [pkg, files] : added)
                if (!pkg.finalize_install.empty()) journal.finalize.push_back(pkg.definition.form.str());
        s.database.commit(plan.remove, added, journal.to_json());
    } catch (...) {
        roll_back(rootfs, s.backup_dir, journal);
        s.database.clear_journal();
        throw;
    }
    crash_point("commit");
    for (const auto& [pkg, files] : added) result.changed.push_back(pkg.definition.form);
    result.replaced = plan.remove;
    // The uninstall finalizers of the packages that left, after their files went (geaaru/luet
    // RemovePackage), before the new packages' install finalizers. They are not journaled:
    // a kill right after the commit skips them.
    if (!opts.skip_finalizers)
        for (const auto& form : plan.remove) {
            auto it = std::find_if(installed.begin(), installed.end(),
                                   [&](const auto& p) { return p.definition.form == form; });
            if (it != installed.end())
                run_commands(s.cfg, form.str(), it->finalize_shell, it->finalize_uninstall, reporter,
                             result.finalizer_errors);
        }
    finish(rootfs, s.backup_dir, journal, s.database, [&](const std::vector<std::string>& forms) {
        run_finalizers(s.cfg, s.database, forms, reporter, result.finalizer_errors);
    });
    return result;
}

// Resolves install requests against the universe and the installed packages.
Plan solve_install(const Universe& u, const std::vector<solver::PackageEntry>& installed,
                   const std::vector<core::PackageRef>& refs, bool nodeps, bool update_all = false) {
    solver::Request request;
    request.install = refs;
    request.nodeps = nodeps;
    request.update_all = update_all;
    const solver::Solution solution = solver::solve(u.available, installed, request);
    Plan plan;
    plan.install = solution.install;
    for (const auto& r : solution.remove) plan.remove_once(r.form);
    return plan;
}

// Drops the requested packages themselves from a plan (--onlydeps).
void keep_only_deps(Plan& plan, const std::vector<core::PackageRef>& refs) {
    std::erase_if(plan.install, [&](const solver::PackageEntry& e) {
        return std::any_of(refs.begin(), refs.end(), [&](const auto& r) { return r.matches(e.form); });
    });
}

const db::InstalledPackage& find_installed(const std::vector<db::InstalledPackage>& installed,
                                           const core::PackageRef& bare) {
    std::vector<const core::PackageForm*> forms;
    if (bare.category.empty())
        for (const auto& p : installed) forms.push_back(&p.definition.form);
    const core::PackageRef ref = core::resolve_category(bare, forms);
    auto it = std::find_if(installed.begin(), installed.end(),
                           [&](const auto& p) { return ref.matches(p.definition.form); });
    if (it == installed.end()) throw Error("package " + ref.str() + " is not installed");
    return *it;
}

// True when an installed package outside `leaving` satisfies `req`.
bool satisfied_by_rest(const std::vector<db::InstalledPackage>& installed, const std::set<std::string>& leaving,
                       const core::PackageRef& req) {
    return std::any_of(installed.begin(), installed.end(), [&](const auto& p) {
        if (leaving.count(p.definition.form.str())) return false;
        if (req.matches(p.definition.form)) return true;
        return std::any_of(p.definition.provides.begin(), p.definition.provides.end(),
                           [&](const auto& prov) { return prov.atom() == req.atom(); });
    });
}

bool satisfies(const db::InstalledPackage& p, const core::PackageRef& req) {
    if (req.matches(p.definition.form)) return true;
    return std::any_of(p.definition.provides.begin(), p.definition.provides.end(),
                       [&](const auto& prov) { return prov.atom() == req.atom(); });
}

}  // namespace

Result install(const config::Config& cfg, const std::vector<core::PackageRef>& refs, const Options& opts,
               const Reporter& reporter) {
    Session s(cfg, reporter);
    const auto installed = s.database.packages();
    // The solver needs the requested packages, the installed ones (their upgrades and
    // conflicts) and everything those reach; not the rest of the repositories.
    std::vector<repo::IndexSeed> seeds;
    for (const auto& r : refs) seeds.push_back({r.category, r.name});
    for (const auto& p : installed) {
        const auto& d = p.definition;
        seeds.push_back({d.form.category, d.form.name});
        for (const auto* list : {&d.requires_, &d.conflicts, &d.provides})
            for (const auto& x : *list) seeds.push_back({x.category, x.name});
    }
    Universe u(cfg, reporter, opts, {}, std::move(seeds));
    const std::vector<core::PackageRef> resolved = u.resolve(refs);
    std::vector<core::PackageRef> request = resolved;
    if (!opts.relax && !installed.empty()) {
        say(reporter, "🤔 Checking for available upgrades");
        for (const auto& r : u.upgrades(installed)) request.push_back(r);
    }
    const auto system = entries_of(installed, opts.ignore_conflicts);
    Plan plan;
    try {
        plan = solve_install(u, system, request, opts.nodeps);
    } catch (const ResolveError& e) {
        if (!opts.force) throw;
        // --force (geaaru/luet resolves each requested package on its own and skips the ones
        // that fail): keep, in request order, every package solvable together with the ones
        // kept before it; each one left out is reported.
        std::vector<core::PackageRef> kept;
        for (const auto& ref : request) {
            kept.push_back(ref);
            try {
                solve_install(u, system, kept, opts.nodeps);
            } catch (const ResolveError& skip) {
                kept.pop_back();
                say(reporter, "⚠ Skipped " + ref.str() + " (--force): " + skip.what());
            }
        }
        plan = solve_install(u, system, kept, opts.nodeps);
    }
    if (opts.onlydeps) keep_only_deps(plan, resolved);
    plan.remove_replaced_versions(installed);
    if (plan.install.empty()) return {};
    return execute(s, &u, plan, opts, reporter);
}

Result uninstall(const config::Config& cfg, const std::vector<core::PackageRef>& refs, const Options& opts,
                 const Reporter& reporter) {
    Session s(cfg, reporter);
    const auto installed = s.database.packages();

    std::vector<const db::InstalledPackage*> targets;
    for (const auto& ref : refs) targets.push_back(&find_installed(installed, ref));
    std::set<std::string> leaving;
    for (const auto* t : targets) leaving.insert(t->definition.form.str());

    if (!opts.nodeps) {
        // geaaru/luet (ResolveRuntime): an installed package requiring one that leaves, with
        // nothing staying to satisfy it, leaves too, recursively; the plan shown before the
        // question lists them. (mudler/luet refuses instead.)
        for (bool grew = true; grew;) {
            grew = false;
            for (const auto& other : installed) {
                if (leaving.count(other.definition.form.str())) continue;
                for (const auto& req : other.definition.requires_) {
                    const auto by = std::find_if(targets.begin(), targets.end(),
                                                 [&](const auto* t) { return req.matches(t->definition.form); });
                    if (by == targets.end() || satisfied_by_rest(installed, leaving, req)) continue;
                    say(reporter, "🔗 " + other.definition.form.str() + " requires " + req.str() + " (" +
                                      (*by)->definition.form.str() + " leaves): it is removed too");
                    leaving.insert(other.definition.form.str());
                    targets.push_back(&other);
                    grew = true;
                    break;
                }
            }
        }
    }
    if (opts.full) {
        // Dependencies of leaving packages that no staying package requires leave too, until
        // nothing changes (upstream: uninstall --full).
        for (bool grew = true; grew;) {
            grew = false;
            for (const auto& p : installed) {
                if (leaving.count(p.definition.form.str())) continue;
                auto required_by = [&](bool by_leaving) {
                    return std::any_of(installed.begin(), installed.end(), [&](const auto& q) {
                        if (&q == &p || leaving.count(q.definition.form.str()) != (by_leaving ? 1u : 0u)) return false;
                        return std::any_of(q.definition.requires_.begin(), q.definition.requires_.end(),
                                           [&](const auto& req) { return satisfies(p, req); });
                    });
                };
                if (required_by(true) && !required_by(false)) {
                    leaving.insert(p.definition.form.str());
                    targets.push_back(&p);
                    grew = true;
                }
            }
        }
    }

    Plan plan;
    for (const auto* t : targets) plan.remove_once(t->definition.form);
    Result result = execute(s, nullptr, plan, opts, reporter);
    result.changed = result.replaced;
    result.replaced.clear();
    return result;
}

Result upgrade(const config::Config& cfg, const Options& opts, const Reporter& reporter) {
    Session s(cfg, reporter);
    const auto installed = s.database.packages();
    Universe u(cfg, reporter, opts);
    say(reporter, "🤔 Computing upgrade");
    // Installed packages whose version is still the repository's but whose requires, conflicts
    // or provides changed there (geaaru/luet compares GetComparitionHash) are upgraded too: the
    // solver sees them as not installed and asked for.
    std::vector<db::InstalledPackage> kept;
    std::vector<core::PackageRef> requested = opts.universe ? std::vector<core::PackageRef>{} : u.upgrades(installed, opts.deep);
    // A downgrade (--deep) is not an update for the solver: the installed version leaves first.
    auto downgraded = [&](const core::PackageForm& f) {
        return std::any_of(requested.begin(), requested.end(), [&](const core::PackageRef& r) {
            return r.atom() == f.atom() && core::compare_versions(r.selector.version, f.version) < 0;
        });
    };
    for (const auto& p : installed) {
        if (downgraded(p.definition.form)) continue;
        if (u.deps_changed(p.definition)) {
            const auto& f = p.definition.form;
            requested.push_back({f.category, f.name, core::Selector{core::SelectorOp::Eq, f.version, {}}});
        } else {
            kept.push_back(p);
        }
    }
    Plan plan = solve_install(u, entries_of(kept, opts.ignore_conflicts), requested, opts.nodeps, opts.universe);
    plan.remove_replaced_versions(installed);
    if (plan.install.empty() && plan.remove.empty()) return {};
    // mudler/luet's upgrade events: {Uninstall, Install} before, {Error, Uninstall, Install} after.
    auto payload = [&] {
        auto forms = [](auto first, auto last, auto form_of) {
            nlohmann::json out = nlohmann::json::array();
            for (; first != last; ++first) {
                const core::PackageForm& f = form_of(*first);
                out.push_back({{"name", f.name}, {"category", f.category}, {"version", f.version}});
            }
            return out;
        };
        return nlohmann::json{
            {"Uninstall", forms(plan.remove.begin(), plan.remove.end(), [](const auto& f) -> const core::PackageForm& { return f; })},
            {"Install", forms(plan.install.begin(), plan.install.end(), [](const auto& e) -> const core::PackageForm& { return e.form; })}};
    };
    plugin::publish(plugin::kPreUpgrade, payload);
    Result result;
    try {
        result = execute(s, &u, plan, opts, reporter);
    } catch (const std::exception& e) {
        plugin::publish(plugin::kPostUpgrade, [&] { auto j = payload(); j["Error"] = e.what(); return j; });
        throw;
    }
    plugin::publish(plugin::kPostUpgrade, [&] { auto j = payload(); j["Error"] = nullptr; return j; });
    return result;
}

Result reinstall(const config::Config& cfg, const std::vector<core::PackageRef>& refs, const Options& opts,
                 const Reporter& reporter) {
    Session s(cfg, reporter);
    const auto installed = s.database.packages();
    Universe u(cfg, reporter, opts);
    Plan plan;
    for (const auto& ref : refs) {
        const auto& form = find_installed(installed, ref).definition.form;
        auto it = std::find_if(u.available.begin(), u.available.end(), [&](const auto& e) { return e.form == form; });
        if (it == u.available.end())
            throw Error("cannot reinstall " + form.str() + ": no enabled repository has this version");
        plan.install.push_back(*it);
        plan.remove_once(form);
    }
    return execute(s, &u, plan, opts, reporter);
}

Result replace(const config::Config& cfg, const std::vector<core::PackageRef>& olds,
               const std::vector<core::PackageRef>& news, const Options& opts, const Reporter& reporter) {
    Session s(cfg, reporter);
    const auto installed = s.database.packages();
    std::set<std::string> leaving;
    for (const auto& ref : olds) leaving.insert(find_installed(installed, ref).definition.form.str());
    std::vector<db::InstalledPackage> rest;
    for (const auto& p : installed)
        if (!leaving.count(p.definition.form.str())) rest.push_back(p);

    Universe u(cfg, reporter, opts);
    const std::vector<core::PackageRef> resolved = u.resolve(news);
    Plan plan = solve_install(u, entries_of(rest, opts.ignore_conflicts), resolved, opts.nodeps);
    if (opts.onlydeps) keep_only_deps(plan, resolved);
    for (const auto& p : installed)
        if (leaving.count(p.definition.form.str())) plan.remove_once(p.definition.form);
    plan.remove_replaced_versions(rest);
    return execute(s, &u, plan, opts, reporter);
}

void with_rootfs(const config::Config& cfg, const Reporter& reporter, const std::function<void(db::Database&)>& fn) {
    Session s(cfg, reporter);
    fn(s.database);
}

Result install_from(const config::Config& cfg, const std::string& repository, const std::vector<core::PackageRef>& refs,
                    const Options& opts, const Reporter& reporter) {
    Session s(cfg, reporter);
    const auto installed = s.database.packages();
    Universe u(cfg, reporter, opts, repository);
    Plan plan;
    for (const auto& ref : u.resolve(refs)) {
        const solver::PackageEntry* best = nullptr;
        for (const auto& e : u.available)
            if (ref.matches(e.form) && (!best || core::compare_versions(e.form.version, best->form.version) > 0))
                best = &e;
        if (!best) throw Error("package " + ref.str() + " is not in repository " + repository);
        plan.install.push_back(*best);
    }
    plan.remove_replaced_versions(installed);
    return execute(s, &u, plan, opts, reporter);
}

}  // namespace luet::install
