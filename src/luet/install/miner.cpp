#include "luet/install/miner.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <set>

#include "luet/core/error.hpp"
#include "luet/core/process.hpp"
#include "luet/db/database.hpp"
#include "luet/install/extract.hpp"
#include "luet/install/file_rules.hpp"
#include "luet/repo/repository.hpp"

namespace fs = std::filesystem;

namespace luet::install {
namespace {

// The same lock file install and uninstall take (<system_dir>/luet.lock), held for the call.
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
    Lock(const Lock&) = delete;
    Lock& operator=(const Lock&) = delete;

private:
    int fd_;
};

void say(const Reporter& r, const std::string& line) {
    if (r.progress) r.progress(line);
}

// One package to extract: where it comes from, its verified artifact and its filter.
struct Job {
    const repo::LoadedRepository* repo;
    const repo::RepoPackage* pkg;
    fs::path file;
    ExtractFilter filter;
};

Job prepare(const config::Config& cfg, const FileRules& rules, const repo::LoadedRepository& r,
            const repo::RepoPackage& p, const Reporter& reporter) {
    Job job{&r, &p, cfg.packages_cache_dir() / p.meta.path,
            extract_filter(rules, p.meta.runtime, [&reporter](const std::string& name, const std::string& aside) {
                say(reporter, "🔒 Found protected file /" + name + ". Creating /" + aside + ".");
            })};
    fs::create_directories(job.file.parent_path());
    say(reporter, "📥 Fetching " + p.meta.runtime.form.str());
    repo::fetch_artifact(r, p, job.file);
    return job;
}

// Extracts the job's package and records it with the files it installed; then removes the
// entries of `previous` (the package's former file list) it no longer installs.
void apply(const config::Config& cfg, db::Database& database, const Job& job,
           const std::vector<std::string>& previous, const ProtectedDirs& protected_dirs) {
    const auto& runtime = job.pkg->meta.runtime;
    const std::vector<std::string> files = extract(job.file, cfg.rootfs, job.filter);
    database.add({runtime, job.repo->name, job.pkg->finalize_install}, files);
    const std::set<std::string> now(files.begin(), files.end());
    std::vector<std::string> dropped;
    for (const auto& f : previous)
        if (!now.count(f)) dropped.push_back(f);
    // Children before their parents.
    std::sort(dropped.rbegin(), dropped.rend());
    for (const auto& f : dropped) {
        const fs::path host = resolve_in_root(cfg.rootfs, f, false);
        std::error_code ec;
        if (fs::is_directory(fs::symlink_status(host, ec))) {
            if (fs::is_empty(host, ec)) fs::remove(host, ec);
            continue;
        }
        if (database.owner(f) || protected_dirs.protects(f)) continue;
        fs::remove(host, ec);
    }
}

// Runs the package's finalizers in the rootfs, as install does; a failure is recorded in
// `result`, the package stays installed.
void run_finalizers(const config::Config& cfg, const repo::RepoPackage& pkg, const Reporter& reporter,
                    Result& result) {
    for (const auto& cmd : pkg.finalize_install) {
        std::vector<std::string> argv = {"env"};
        for (const auto& [k, v] : cfg.finalizer_envs) argv.push_back(k + "=" + v);
        if (fs::equivalent(cfg.rootfs, "/"))
            argv.insert(argv.end(), {"/bin/sh", "-c", cmd});
        else
            argv.insert(argv.end(), {"chroot", cfg.rootfs.string(), "/bin/sh", "-c", cmd});
        say(reporter, "⚙ Finalizer of " + pkg.meta.runtime.form.str() + ": " + cmd);
        const int code = core::run(argv, reporter.finalizer_output);
        if (code != 0)
            result.finalizer_errors.push_back("finalizer of " + pkg.meta.runtime.form.str() + " failed (exit " +
                                              std::to_string(code) + "): " + cmd);
    }
}

}  // namespace

Result reinstall_packages(const config::Config& cfg, const std::vector<core::PackageRef>& refs,
                          bool skip_finalizers, const Reporter& reporter) {
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

    const auto repos = repo::load_enabled(cfg, reporter.progress);
    const FileRules rules = load_file_rules(cfg);
    std::vector<Job> jobs;
    for (const auto* t : targets) {
        const auto& form = t->definition.form;
        const repo::LoadedRepository* found_repo = nullptr;
        const repo::RepoPackage* found = nullptr;
        for (const auto& r : repos) {
            for (const auto& p : r.packages)
                if (p.meta.runtime.form == form) {
                    found_repo = &r;
                    found = &p;
                    break;
                }
            if (found) break;
        }
        if (!found)
            throw Error("cannot reinstall " + form.str() + ": this version is in no enabled repository");
        jobs.push_back(prepare(cfg, rules, *found_repo, *found, reporter));
    }

    Result result;
    for (size_t i = 0; i < jobs.size(); ++i) {
        const auto& form = targets[i]->definition.form;
        say(reporter, "📦 Reinstalling " + form.str());
        apply(cfg, database, jobs[i], database.files(form), ProtectedDirs(rules.protect, targets[i]->definition));
        result.changed.push_back(form);
    }
    if (!skip_finalizers)
        for (const auto& job : jobs) run_finalizers(cfg, *job.pkg, reporter, result);
    return result;
}

Result install_packages(const config::Config& cfg, const std::string& repository,
                        const std::vector<core::PackageRef>& refs, bool force, bool skip_finalizers,
                        const Reporter& reporter) {
    const fs::path system_dir = cfg.system_dir();
    Lock lock(system_dir);
    db::Database database(system_dir / "luet.sqlite");

    const auto repos = repo::load_enabled(cfg, reporter.progress);
    auto r = std::find_if(repos.begin(), repos.end(), [&](const auto& x) { return x.name == repository; });
    if (r == repos.end()) throw Error("repository " + repository + " is not configured or not enabled");

    std::vector<const repo::RepoPackage*> chosen;
    for (const auto& ref : refs) {
        const repo::RepoPackage* best = nullptr;
        for (const auto& p : r->packages)
            if (ref.matches(p.meta.runtime.form) &&
                (!best || core::compare_versions(p.meta.runtime.form.version, best->meta.runtime.form.version) > 0))
                best = &p;
        if (!best) throw Error("package " + ref.str() + " is not in repository " + repository);
        chosen.push_back(best);
    }

    const FileRules rules = load_file_rules(cfg);
    std::vector<Job> jobs;
    for (const auto* p : chosen) jobs.push_back(prepare(cfg, rules, *r, *p, reporter));

    if (!force) {
        for (const auto& job : jobs) {
            const auto& form = job.pkg->meta.runtime.form;
            for (const auto& [name, directory] : list_entries(job.file)) {
                if (directory || job.filter.skip(name, false)) continue;
                if (auto owner = database.owner(name); owner && !(*owner == form))
                    throw Error("file conflict: /" + name + " of " + form.str() + " belongs to installed package " +
                                owner->str() + " (use --force to overwrite)");
            }
        }
    }

    Result result;
    for (const auto& job : jobs) {
        const auto& def = job.pkg->meta.runtime;
        say(reporter, "📦 Installing " + def.form.str());
        apply(cfg, database, job, database.files(def.form), ProtectedDirs(rules.protect, def));
        result.changed.push_back(def.form);
    }
    if (!skip_finalizers)
        for (const auto& job : jobs) run_finalizers(cfg, *job.pkg, reporter, result);
    return result;
}

}  // namespace luet::install
