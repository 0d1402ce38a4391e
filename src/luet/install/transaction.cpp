#include "luet/install/transaction.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <functional>
#include <map>
#include <set>

#include "luet/core/error.hpp"
#include "luet/db/database.hpp"
#include "luet/install/extract.hpp"
#include "luet/install/file_rules.hpp"
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
            throw Error("another luet process is changing " + dir.string() + " (lock " + file.string() + ")");
        }
    }
    ~Lock() { ::close(fd_); }

private:
    int fd_;
};

solver::PackageEntry to_entry(const spec::Definition& d, const std::string& repository) {
    return {d.form, d.requires_, d.conflicts, d.provides, repository};
}

void say(const Reporter& r, const std::string& line) {
    if (r.progress) r.progress(line);
}

// Removes a package's `files` (paths relative to the rootfs), children before their parents:
// folders only when empty, other entries unless `keep` holds for them.
void remove_files(const fs::path& rootfs, std::vector<std::string> files,
                  const std::function<bool(const std::string&)>& keep = {}) {
    std::sort(files.rbegin(), files.rend());
    for (const auto& f : files) {
        const fs::path host = resolve_in_root(rootfs, f, false);
        std::error_code ec;
        if (fs::is_directory(fs::symlink_status(host, ec))) {
            if (fs::is_empty(host, ec)) fs::remove(host, ec);
            continue;
        }
        if (keep && keep(f)) continue;
        fs::remove(host, ec);
    }
}

}  // namespace

Result install(const config::Config& cfg, const std::vector<core::PackageRef>& refs, const Options& opts,
               const Reporter& reporter) {
    const fs::path system_dir = cfg.system_dir();
    Lock lock(system_dir);
    db::Database database(system_dir / "luet.sqlite");

    const std::vector<repo::LoadedRepository> repos = repo::load_enabled(cfg, reporter.progress);
    const FileRules file_rules = load_file_rules(cfg);

    std::vector<solver::PackageEntry> available, installed;
    std::map<std::string, std::pair<const repo::LoadedRepository*, const repo::RepoPackage*>> by_form;
    for (const auto& r : repos) {
        for (const auto& p : r.packages) {
            const std::string key = p.meta.runtime.form.str();
            if (by_form.count(key)) continue;  // the first repository wins
            by_form[key] = {&r, &p};
            available.push_back(to_entry(p.meta.runtime, r.name));
        }
    }
    for (const auto& p : database.packages()) installed.push_back(to_entry(p.definition, p.repository));

    solver::Request request;
    request.install = refs;
    request.nodeps = opts.nodeps;
    const solver::Solution solution = solver::solve(available, installed, request);
    Result result;
    if (solution.install.empty()) return result;
    // Installed packages the solver replaces (a new package provides them, or a newer version).
    std::set<std::string> replacing;
    for (const auto& r : solution.remove) replacing.insert(r.form.str());

    // Fetch and verify everything before touching the rootfs.
    const fs::path cache = cfg.packages_cache_dir();
    fs::create_directories(cache);
    struct Step {
        const repo::LoadedRepository* repo;
        const repo::RepoPackage* pkg;
        fs::path file;
        ExtractFilter filter;  // subsets and config protect
    };
    std::vector<Step> steps;
    std::vector<repo::FetchJob> jobs;
    for (const auto& entry : solution.install) {
        auto [r, p] = by_form.at(entry.form.str());
        steps.push_back({r, p, cache / p->meta.path,
                         extract_filter(file_rules, p->meta.runtime, [&](const std::string& name, const std::string& aside) {
                             say(reporter, "🔒 Found protected file /" + name + ". Creating /" + aside + ".");
                         })});
        jobs.push_back({r, p, steps.back().file});
    }
    say(reporter, "📥 Downloading " + std::to_string(jobs.size()) + " package(s)");
    repo::fetch_artifacts(jobs, opts.concurrency, [&](std::size_t i, std::uint64_t done, std::uint64_t total) {
        if (reporter.download) reporter.download(steps[i].pkg->meta.runtime.form, done, total);
    });

    // File conflicts with installed packages, and between the new ones.
    std::map<std::string, std::string> claimed;
    for (const auto& s : steps) {
        const std::string who = s.pkg->meta.runtime.form.str();
        for (const auto& [name, directory] : list_entries(s.file)) {
            if (directory || s.filter.skip(name, false)) continue;  // folders are shared
            if (auto owner = database.owner(name); owner && !opts.force && !replacing.count(owner->str()))
                throw Error("file conflict: /" + name + " of " + who + " belongs to installed package " +
                            owner->str() + " (use --force to overwrite)");
            if (auto [it, fresh] = claimed.emplace(name, who); !fresh && !opts.force && it->second != who)
                throw Error("file conflict: /" + name + " is in both " + it->second + " and " + who);
        }
    }

    // Files of replaced packages that new ones ship again are moved aside first, so that a
    // failed transaction can put them back.
    const fs::path backup = system_dir / "replace-backup";
    std::vector<std::pair<fs::path, fs::path>> moved;  // rootfs path -> backup path
    fs::remove_all(backup);
    for (const auto& r : solution.remove) {
        for (const auto& f : database.files(r.form)) {
            if (!claimed.count(f)) continue;
            const fs::path host = resolve_in_root(cfg.rootfs, f, false);
            std::error_code ec;
            if (!fs::exists(fs::symlink_status(host, ec)) || fs::is_directory(fs::symlink_status(host, ec))) continue;
            fs::create_directories(backup);
            const fs::path aside = backup / std::to_string(moved.size());
            fs::rename(host, aside);
            moved.emplace_back(host, aside);
        }
    }
    struct DropBackup {
        fs::path dir;
        ~DropBackup() {
            std::error_code ec;
            fs::remove_all(dir, ec);
        }
    } drop_backup{backup};

    // Extract and record, undoing this transaction's packages on failure.
    std::vector<std::pair<core::PackageForm, std::vector<std::string>>> done;
    try {
        for (const auto& s : steps) {
            const auto& form = s.pkg->meta.runtime.form;
            say(reporter, "📦 Installing " + form.str());
            std::vector<std::string> files = extract(s.file, cfg.rootfs, s.filter);
            done.emplace_back(form, files);
            database.add({s.pkg->meta.runtime, s.repo->name, s.pkg->finalize_install}, files);
            result.changed.push_back(form);
        }
        // The replaced packages leave: their files that no new package ships, then their record.
        for (const auto& r : solution.remove) {
            say(reporter, "🔁 Replacing " + r.form.str());
            remove_files(cfg.rootfs, database.files(r.form), [&](const std::string& f) { return claimed.count(f) > 0; });
            database.remove(r.form);
            result.replaced.push_back(r.form);
        }
    } catch (...) {
        // done[i] came from steps[i]; protected files may hold the user's own content.
        for (size_t i = done.size(); i-- > 0;) {
            remove_files(cfg.rootfs, done[i].second, steps[i].filter.protect);
            database.remove(done[i].first);
        }
        for (const auto& [host, aside] : moved) {
            std::error_code ec;
            fs::rename(aside, host, ec);
        }
        throw;
    }

    // Finalizers run in the rootfs; a failure is reported, the install stays.
    for (const auto& s : steps) {
        for (const auto& cmd : s.pkg->finalize_install) {
            std::vector<std::string> argv = {"env"};
            for (const auto& [k, v] : cfg.finalizer_envs) argv.push_back(k + "=" + v);
            if (fs::equivalent(cfg.rootfs, "/")) {
                argv.insert(argv.end(), {"/bin/sh", "-c", cmd});
            } else {
                argv.insert(argv.end(), {"chroot", cfg.rootfs.string(), "/bin/sh", "-c", cmd});
            }
            say(reporter, "⚙ Finalizer of " + s.pkg->meta.runtime.form.str() + ": " + cmd);
            int code = core::run(argv, reporter.finalizer_output);
            if (code != 0)
                result.finalizer_errors.push_back("finalizer of " + s.pkg->meta.runtime.form.str() + " failed (exit " +
                                                  std::to_string(code) + "): " + cmd);
        }
    }
    return result;
}

Result uninstall(const config::Config& cfg, const std::vector<core::PackageRef>& refs, const Options& opts,
                 const Reporter& reporter) {
    const fs::path system_dir = cfg.system_dir();
    Lock lock(system_dir);
    db::Database database(system_dir / "luet.sqlite");
    const auto installed = database.packages();

    std::vector<const db::InstalledPackage*> targets;
    for (const auto& ref : refs) {
        auto it = std::find_if(installed.begin(), installed.end(),
                               [&](const auto& p) { return ref.matches(p.definition.form); });
        if (it == installed.end()) throw Error("package " + ref.str() + " is not installed");
        targets.push_back(&*it);
    }
    std::set<std::string> leaving;
    for (const auto* t : targets) leaving.insert(t->definition.form.str());

    if (!opts.nodeps) {
        for (const auto* t : targets) {
            for (const auto& other : installed) {
                if (leaving.count(other.definition.form.str())) continue;
                for (const auto& req : other.definition.requires_) {
                    if (!req.matches(t->definition.form)) continue;
                    // Still satisfied by another installed package (another version or a provider)?
                    bool satisfied = std::any_of(installed.begin(), installed.end(), [&](const auto& p) {
                        if (leaving.count(p.definition.form.str())) return false;
                        if (req.matches(p.definition.form)) return true;
                        return std::any_of(p.definition.provides.begin(), p.definition.provides.end(),
                                           [&](const auto& prov) { return prov.atom() == req.atom(); });
                    });
                    if (!satisfied)
                        throw Error("cannot uninstall " + t->definition.form.str() + ": installed package " +
                                    other.definition.form.str() + " requires " + req.str() +
                                    " (use --nodeps to remove it anyway)");
                }
            }
        }
    }

    const ConfigProtect config_protect = load_config_protect(cfg);
    Result result;
    for (const auto* t : targets) {
        const auto& form = t->definition.form;
        say(reporter, "🗑 Removing " + form.str());
        // Files another package owns too stay, and so do protected configuration files.
        const ProtectedDirs protected_dirs(config_protect, t->definition);
        remove_files(cfg.rootfs, database.files(form), [&](const std::string& f) {
            auto owner = database.owner(f);
            return (owner && !(*owner == form)) || protected_dirs.protects(f);
        });
        database.remove(form);
        result.changed.push_back(form);
    }
    return result;
}

}  // namespace luet::install
