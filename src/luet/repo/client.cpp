#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <ctime>
#include <exception>
#include <fstream>
#include <future>
#include <mutex>
#include <optional>
#include <set>

#include "luet/artifact/tarball.hpp"
#include "luet/core/error.hpp"
#include "luet/core/parallel.hpp"
#include "luet/core/file.hpp"
#include "luet/repo/documents.hpp"
#include "luet/repo/local_index.hpp"
#include "luet/repo/repository.hpp"
#include "luet/repo/signature.hpp"
#include "luet/spec/yaml_util.hpp"

namespace fs = std::filesystem;

namespace luet::repo {
namespace {

constexpr const char* kIndexFile = "repository.yaml";
constexpr const char* kMetaFile = "repository.meta.yaml";

// repos/.NAME.SUFFIX: the state luet keeps beside the local copy repos/NAME.
fs::path beside(const fs::path& repo_dir, const char* suffix) {
    return repo_dir.parent_path() / ("." + repo_dir.filename().string() + "." + suffix);
}

void write_text(const fs::path& file, const std::string& text) {
    fs::create_directories(file.parent_path());
    std::ofstream out(file, std::ios::binary | std::ios::trunc);
    out << text;
    if (!out.flush()) throw Error("cannot write " + file.string());
}

// A path from a downloaded document, refused when it could leave the folder it is unpacked in.
fs::path inside(const fs::path& dir, const std::string& name, const std::string& what) {
    const fs::path rel = fs::path(name).lexically_normal();
    if (rel.is_absolute() || rel.empty() || *rel.begin() == "..")
        throw Error(what + ": entry '" + name + "' would leave the repository folder");
    return dir / rel;
}

// The documents a client reads: treev2 when repository.yaml has it (geaaru/luet >= 0.40),
// else the legacy tree + meta (mudler/luet, older geaaru).
std::vector<std::string> document_keys(const RepositoryIndex& index, const std::string& what) {
    if (index.repo_files.count("treev2")) return {"treev2"};
    if (index.repo_files.count("tree") && index.repo_files.count("meta")) return {"tree", "meta"};
    throw Error(what + ": " + kIndexFile + " has neither repo_files.treev2 nor repo_files.tree and repo_files.meta");
}

bool same_wagon(const RepositoryIndex& a, const RepositoryIndex& b, const std::vector<std::string>& keys) {
    if (a.revision != b.revision || a.last_update != b.last_update) return false;
    for (const auto& key : keys)
        if (!a.repo_files.count(key) || a.repo_files.at(key).sha256 != b.repo_files.at(key).sha256) return false;
    return true;
}

// Reads the verified documents (key -> downloaded file) and writes the local copy's index
// (local_index.hpp) into `dir`. The treev2 document is read one file at a time.
void explode(const fs::path& dir, const RepositoryIndex& index, const std::map<std::string, fs::path>& docs,
             const std::string& what) {
    std::vector<TreePackage> packages;
    if (docs.count("treev2")) {
        const std::string origin = what + " " + index.repo_files.at("treev2").filename;
        TreeIndexWriter writer(dir);
        stream_tree(docs.at("treev2"), kMaxUnpackedFileBytes, kMaxUnpackedBytes, origin, writer);
        writer.finish(origin);
        return;
    } else {
        const std::string meta_name = index.repo_files.at("meta").filename;
        const auto meta = artifact::read_memory_tar(docs.at("meta"), kMaxUnpackedFileBytes, kMaxUnpackedBytes);
        auto doc = meta.find(kMetaFile);
        if (doc == meta.end()) throw Error(what + ": " + meta_name + " has no " + std::string(kMetaFile));
        const auto entries = parse_meta(doc->second, what + " " + meta_name + " " + kMetaFile);
        packages = read_tree(artifact::read_memory_tar(docs.at("tree"), kMaxUnpackedFileBytes, kMaxUnpackedBytes), &entries,
                             what + " " + index.repo_files.at("tree").filename);
    }
    std::vector<IndexInput> input;
    input.reserve(packages.size());
    for (const auto& p : packages) input.push_back({p.meta, p.definition_yaml, p.finalize_yaml});
    write_local_index(dir, input);
}

// The downloaded documents stay in the local copy under the names repository.yaml gives
// them (from docs/ of the staging folder), unless a name is one of the copy's own files.
void keep_documents(const fs::path& staging, const RepositoryIndex& index, const std::vector<std::string>& keys) {
    std::set<std::string> kept;
    for (const auto& key : keys) {
        const std::string& name = index.repo_files.at(key).filename;
        const fs::path rel = fs::path(name).lexically_normal();
        if (!kept.insert(rel.string()).second || rel == kIndexFile || rel == kLocalIndexFile ||
            rel.string().starts_with("docs"))
            continue;
        const fs::path to = staging / rel;
        fs::create_directories(to.parent_path());
        fs::rename(staging / "docs" / rel, to);
    }
    fs::remove_all(staging / "docs");
}

// A sync interrupted between its two renames leaves only the old copy, under its aside name.
void recover_swap(const fs::path& repo_dir) {
    const fs::path old = beside(repo_dir, "old");
    std::error_code ec;
    if (!fs::exists(repo_dir / kIndexFile, ec) && fs::exists(old / kIndexFile, ec)) {
        fs::remove_all(repo_dir, ec);
        fs::rename(old, repo_dir);
    }
}

}  // namespace

fs::path local_dir(const config::Config& cfg, const std::string& name) { return cfg.system_dir() / "repos" / name; }

namespace {

// One lock per local copy (repos/.NAME.lock): a sync holds it exclusively from its first
// write in the staging folder to the swap, readers hold it shared while they read, so that
// concurrent commands never share the staging folder nor read a copy being swapped.
// Replaces a state file beside the local copy by rename (readers see the old or the new text).
void replace_state(const fs::path& file, const std::string& text) {
    const fs::path tmp = file.string() + ".tmp";
    write_text(tmp, text);
    fs::rename(tmp, file);
}

fs::path copy_lock_file(const fs::path& repo_dir) { return beside(repo_dir, "lock"); }

// The revision synced last (repos/.NAME.revision), kept beside the local copy so that it
// outlives `cleanup --purge-repos` and a removed copy; the local copy's repository.yaml
// counts too (copies synced before this file existed). nullopt: never synced.
fs::path revision_file(const fs::path& repo_dir) { return beside(repo_dir, "revision"); }

std::optional<int> remembered_revision(const fs::path& repo_dir) {
    std::optional<int> best;
    std::error_code ec;
    const fs::path file = revision_file(repo_dir);
    if (fs::is_regular_file(file, ec)) {
        try {
            best = std::stoi(core::read_file(file));
        } catch (const std::logic_error&) {
            throw Error("repository state " + file.string() + " is not a revision number; remove it to forget it");
        }
    }
    const fs::path local_index = repo_dir / kIndexFile;
    if (fs::is_regular_file(local_index, ec)) {
        try {
            const int local = index_from_yaml(core::read_file(local_index), local_index.string()).revision;
            if (!best || local > *best) best = local;
        } catch (const Error&) {
            // An unreadable local copy is replaced by the sync; the file above still counts.
        }
    }
    return best;
}

void remember_revision(const fs::path& repo_dir, int revision) {
    replace_state(revision_file(repo_dir), std::to_string(revision) + "\n");
}

// Where the local copy was synced from (repos/.NAME.source): the repository's type, reference,
// urls and verify keys as configured then. A copy whose source no longer matches the
// configuration (another url, keys added) is synced again before it is used.
fs::path source_file(const fs::path& repo_dir) { return beside(repo_dir, "source"); }

std::string source_of(const config::RepositoryConfig& rc) {
    std::string s = "type " + rc.type + "\nreference " + rc.reference + "\n";
    for (const auto& u : rc.urls) s += "url " + u + "\n";
    for (const auto& k : rc.verify_keys) s += "key " + k + "\n";
    return s;
}

void remember_source(const config::RepositoryConfig& rc, const fs::path& repo_dir) {
    replace_state(source_file(repo_dir), source_of(rc));
}

// Signed repositories (signature.hpp): the downloaded repository.yaml must carry a valid
// signature by one of the configured keys before anything of it is read.
void verify_index(const Transport& transport, const config::RepositoryConfig& rc, const std::string& index_text,
                  const fs::path& staging, const std::string& index_name) {
    const std::string what = "repository " + rc.name;
    const std::string sig_name = signature_file_name(index_name);
    const std::string keys_origin = rc.origin + " (repository " + rc.name + " verify.keys)";
    std::string signatures;
    try {
        transport.download(sig_name, staging / sig_name, {}, kMaxSignatureBytes);
        signatures = core::read_file(staging / sig_name);
    } catch (const Error& e) {
        throw Error(what + ": " + kIndexFile + " is not signed, and " + keys_origin +
                    " asks for a signature: cannot download " + sig_name + ": " + e.what() +
                    "; refused, the local copy is kept");
    }
    if (!verify(index_text, signatures, rc.verify_keys, keys_origin))
        throw Error(what + ": " + sig_name + " holds no valid signature of " + kIndexFile + " by a key of " +
                    keys_origin + " (tampered, or signed with another key); refused, the local copy is kept");
}

// `expires:` (signature.hpp): a repository.yaml past it is refused, signed or not.
void check_expiry(const RepositoryIndex& index, const std::string& what) {
    if (index.expires.empty()) return;
    long long expires = 0;
    try {
        std::size_t used = 0;
        expires = std::stoll(index.expires, &used);
        if (used != index.expires.size()) throw std::invalid_argument("trailing text");
    } catch (const std::logic_error&) {
        throw Error(what + ": " + kIndexFile + " 'expires' is not a number of seconds: '" + index.expires + "'");
    }
    if (static_cast<long long>(std::time(nullptr)) > expires)
        throw Error(what + ": " + kIndexFile + " (revision " + std::to_string(index.revision) + ") expired on " +
                    format_last_update(index.expires) +
                    "; refused as stale (the repository must be published again), the local copy is kept");
}

}  // namespace

SyncResult sync(const config::RepositoryConfig& rc, const fs::path& repo_dir, bool force) {
    const std::string what = "repository " + rc.name;
    const auto transport = make_transport(rc);
    fs::create_directories(repo_dir.parent_path());
    const core::FileLock lock(copy_lock_file(repo_dir), core::FileLock::Mode::exclusive);
    recover_swap(repo_dir);
    const fs::path staging = beside(repo_dir, "sync");
    const fs::path old = beside(repo_dir, "old");
    struct Cleanup {
        fs::path dir;
        ~Cleanup() {
            std::error_code ec;
            fs::remove_all(dir, ec);
        }
    } cleanup{staging};
    fs::remove_all(staging);
    fs::create_directories(staging / "docs");

    // The repository's index, or the snapshot index its `reference:` names (kept locally as
    // repository.yaml either way).
    const std::string index_name = rc.reference.empty() ? std::string(kIndexFile) : rc.reference;
    transport->download(index_name, staging / kIndexFile, {}, kMaxIndexBytes);
    const std::string index_text = core::read_file(staging / kIndexFile);
    if (!rc.verify_keys.empty()) verify_index(*transport, rc, index_text, staging, index_name);
    SyncResult result;
    result.index = index_from_yaml(index_text, what + " " + kIndexFile);
    check_expiry(result.index, what);
    const auto keys = document_keys(result.index, what);

    // Freshness: a repository never goes back to an older revision unless asked to
    // (`repo update --force`): a served rollback would make clients install older packages.
    if (const auto last = remembered_revision(repo_dir); last && result.index.revision < *last && !force)
        throw Error(what + ": " + kIndexFile + " has revision " + std::to_string(result.index.revision) +
                    ", older than revision " + std::to_string(*last) +
                    " synced last; refused as a rollback (luet repo update --force " + rc.name +
                    " accepts it); the local copy is kept");

    const fs::path local_index = repo_dir / kIndexFile;
    // A copy without our index (synced by an older luet) is synced again, which writes it.
    if (!force && fs::exists(local_index) && has_local_index(repo_dir)) {
        const RepositoryIndex local = index_from_yaml(core::read_file(local_index), local_index.string());
        if (same_wagon(local, result.index, keys)) {
            remember_revision(repo_dir, result.index.revision);
            remember_source(rc, repo_dir);
            return result;
        }
    }

    std::map<std::string, fs::path> docs;
    for (const auto& key : keys) {
        const RepoFile& f = result.index.repo_files.at(key);
        const fs::path dest = inside(staging / "docs", f.filename, what + " " + kIndexFile);
        transport->download(f.filename, dest, {}, kMaxDocumentBytes);
        const std::string actual = artifact::sha256_file(dest);
        if (actual != f.sha256)
            throw Error(what + ": checksum mismatch for " + f.filename + " (sha256 " + actual + ", " + kIndexFile +
                        " says " + f.sha256 + "); the local copy is kept");
        docs[key] = dest;
    }
    explode(staging, result.index, docs, what);
    keep_documents(staging, result.index, keys);

    fs::remove_all(old);
    if (fs::exists(repo_dir)) fs::rename(repo_dir, old);
    fs::rename(staging, repo_dir);
    remember_revision(repo_dir, result.index.revision);
    remember_source(rc, repo_dir);
    std::error_code ec;
    fs::remove_all(old, ec);
    result.updated = true;
    return result;
}

LoadedRepository load_local(const config::RepositoryConfig& rc, const fs::path& repo_dir, bool files) {
    return load_local(rc, repo_dir, IndexQuery{.files = files, .keep = {}, .name_literals = {}, .reach = std::nullopt, .with_files = {}});
}

LoadedRepository load_local(const config::RepositoryConfig& rc, const fs::path& repo_dir, const IndexQuery& query) {
    const bool files = query.files;
    const std::string what = "repository " + rc.name;
    std::error_code ec;
    const bool exclusive = !fs::exists(repo_dir / kIndexFile, ec);  // an interrupted swap to repair
    std::optional<core::FileLock> lock;
    if (fs::exists(repo_dir.parent_path(), ec))
        lock.emplace(copy_lock_file(repo_dir), exclusive ? core::FileLock::Mode::exclusive : core::FileLock::Mode::shared);
    recover_swap(repo_dir);
    const fs::path index_file = repo_dir / kIndexFile;
    if (!fs::exists(index_file))
        throw Error(what + " is not synced yet (no " + index_file.string() + "); run luet repo update " + rc.name);
    LoadedRepository repo;
    repo.name = rc.name;
    repo.priority = rc.priority;
    repo.transport = make_transport(rc);
    repo.max_artifact_bytes = rc.max_artifact_bytes;
    repo.index = index_from_yaml(core::read_file(index_file), index_file.string());
    const fs::path meta_file = repo_dir / "metafs" / kMetaFile;
    const fs::path treefs = repo_dir / "treefs";
    // Our index when the copy has one; a copy synced by an older luet has only the documents.
    std::vector<IndexedPackage> indexed;
    if (auto current = read_current_local_index(repo_dir, query)) {
        indexed = std::move(*current);
    } else {
        // A copy synced by luet before its index: metafs/ and treefs/ as geaaru/luet writes them.
        std::error_code missing;
        if (!fs::exists(meta_file, missing))
            throw Error(what + ": the local copy in " + repo_dir.string() +
                        " has no index of this luet's format (synced by another version); run luet repo update " +
                        rc.name);
        for (auto& meta : parse_meta(core::read_file(meta_file), meta_file.string())) {
            if (query.keep && !query.keep(meta.runtime.form.category, meta.runtime.form.name)) continue;
            const fs::path dir = treefs / package_dir(meta.runtime.form);
            IndexedPackage ip{std::move(meta), {}, {}};
            if (fs::exists(dir / "finalize.yaml")) {
                ip.finalize_yaml = core::read_file(dir / "finalize.yaml");
                if (fs::exists(dir / "definition.yaml")) ip.definition_yaml = core::read_file(dir / "definition.yaml");
            }
            indexed.push_back(std::move(ip));
        }
    }
    repo.packages.reserve(indexed.size());
    for (auto& ip : indexed) {
        RepoPackage pkg;
        pkg.meta = std::move(ip.meta);
        if (!files) pkg.meta.files.clear();
        if (!ip.finalize_yaml.empty()) {
            // Finalizers are templates rendered with the package definition, as upstream clients do.
            const std::string definition =
                ip.definition_yaml.empty() ? spec::definition_to_yaml(pkg.meta.runtime) : ip.definition_yaml;
            auto fin = spec::render_finalizer(ip.finalize_yaml, definition,
                                              what + " " + package_dir(pkg.meta.runtime.form) + "/finalize.yaml");
            pkg.finalize_install = std::move(fin.install);
            pkg.finalize_uninstall = std::move(fin.uninstall);
            pkg.finalize_shell = std::move(fin.shell);
        }
        repo.packages.push_back(std::move(pkg));
    }
    return repo;
}

namespace {

// True when the local copy of `rc` in `dir` can be read without a sync: it exists (with our
// index), was synced from what the configuration names now, and its repository.yaml has not
// expired.
bool usable_local_copy(const config::RepositoryConfig& rc, const fs::path& dir) {
    std::error_code ec;
    if (!fs::exists(dir / kIndexFile, ec) || !has_local_index(dir)) return false;
    const fs::path source = source_file(dir);
    if (!fs::is_regular_file(source, ec) || core::read_file(source) != source_of(rc)) return false;
    try {
        check_expiry(index_from_yaml(core::read_file(dir / kIndexFile), (dir / kIndexFile).string()), rc.name);
    } catch (const Error&) {
        return false;
    }
    return true;
}

}  // namespace

std::vector<LoadedRepository> load_enabled(const config::Config& cfg, const LoadOptions& opts,
                                           const std::function<void(const std::string&)>& progress) {
    std::vector<const config::RepositoryConfig*> enabled;
    for (const auto& rc : cfg.repositories)
        if (rc.enable) enabled.push_back(&rc);
    std::stable_sort(enabled.begin(), enabled.end(),
                     [](const auto* a, const auto* b) { return a->priority < b->priority; });

    auto say = [&](const std::string& line) {
        if (progress) progress(line);
    };
    // A repository with a local copy is read from it, as geaaru/luet does (mudler/luet asks
    // the server on every command): `luet repo update`, or --sync-repos (opts.strict), syncs.
    // One without a usable copy yet (none, synced from another url, expired) is synced first
    // (geaaru refuses to use a repository never synced: "must be synced").
    // Repositories sync at once (each is mostly waiting on the network); results are
    // reported and loaded in priority order.
    std::vector<std::optional<std::future<SyncResult>>> syncs;
    for (const auto* rc : enabled) {
        if (!opts.strict && usable_local_copy(*rc, local_dir(cfg, rc->name))) {
            syncs.emplace_back();
            continue;
        }
        syncs.emplace_back(
            std::async(std::launch::async, [&cfg, rc] { return sync(*rc, local_dir(cfg, rc->name), false); }));
    }
    std::vector<LoadedRepository> repos;
    for (size_t i = 0; i < enabled.size(); ++i) {
        const auto* rc = enabled[i];
        const fs::path dir = local_dir(cfg, rc->name);
        try {
            if (syncs[i]) {
                const SyncResult r = syncs[i]->get();
                if (r.updated) say(sync_line(rc->name, r.index));
            }
        } catch (const Error& e) {
            if (opts.strict || !fs::exists(dir / kIndexFile)) throw;
            say(std::string("⚠ ") + e.what() + " — using the local copy");
        }
        repos.push_back(load_local(*rc, dir, IndexQuery{.files = opts.files, .keep = opts.keep, .name_literals = opts.name_literals, .reach = opts.reach, .with_files = opts.with_files}));
    }
    return repos;
}

std::vector<LoadedRepository> load_enabled(const config::Config& cfg,
                                           const std::function<void(const std::string&)>& progress) {
    return load_enabled(cfg, LoadOptions{}, progress);
}

std::string format_last_update(const std::string& last_update) {
    std::time_t t = 0;
    try {
        t = last_update.empty() ? 0 : static_cast<std::time_t>(std::stoll(last_update));
    } catch (const std::logic_error&) {
        return last_update;
    }
    std::tm tm{};
    gmtime_r(&t, &tm);
    char when[64] = "";
    std::strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S +0000 UTC", &tm);
    return when;
}

std::string sync_line(const std::string& name, const RepositoryIndex& index) {
    return "🏠 Repository: " + name + " Revision: " + std::to_string(index.revision) + " - " +
           format_last_update(index.last_update);
}

void fetch_artifact(const LoadedRepository& repo, const RepoPackage& pkg, const fs::path& dest,
                    const ByteProgress& progress) {
    const std::string what = "repository " + repo.name + ", package " + pkg.meta.runtime.form.str();
    // The packages cache keeps verified artifacts: a second install needs no download.
    if (fs::exists(dest) && artifact::sha256_file(dest) == pkg.meta.sha256) return;
    fs::create_directories(dest.parent_path());
    const fs::path tmp = dest.string() + ".download";
    try {
        repo.transport->download(pkg.meta.path, tmp, progress, repo.max_artifact_bytes);
    } catch (const SizeLimitError& e) {
        throw SizeLimitError(what + ": the artifact is larger than general.max_artifact_bytes (" +
                             std::to_string(repo.max_artifact_bytes) + " bytes; luet.yaml or " +
                             "LUET_GENERAL__MAX_ARTIFACT_BYTES, 0: no cap); refused: " + e.what());
    }
    const std::string actual = artifact::sha256_file(tmp);
    if (actual != pkg.meta.sha256 && !repo.transport->verifies_content()) {
        std::error_code ec;
        fs::remove(tmp, ec);
        throw Error(what + ": checksum mismatch for " + pkg.meta.path + " (sha256 " + actual + ", expected " +
                    pkg.meta.sha256 + ")");
    }
    fs::rename(tmp, dest);
}

void fetch_artifacts(const std::vector<FetchJob>& jobs, int concurrency,
                     const std::function<void(std::size_t, std::uint64_t, std::uint64_t)>& progress) {
    std::mutex mu;
    std::exception_ptr first_error;
    // Every download is tried, whatever failed before; the first error is raised after.
    core::for_each_index(jobs.size(), static_cast<std::size_t>(std::max(concurrency, 1)), [&](std::size_t i) {
        try {
            fetch_artifact(*jobs[i].repo, *jobs[i].pkg, jobs[i].dest, [&, i](std::uint64_t done, std::uint64_t total) {
                if (!progress) return;
                std::lock_guard lock(mu);
                progress(i, done, total);
            });
            if (progress) {
                std::lock_guard lock(mu);
                const auto size = fs::file_size(jobs[i].dest);
                progress(i, size, size);
            }
        } catch (...) {
            std::lock_guard lock(mu);
            if (!first_error) first_error = std::current_exception();
        }
        return true;
    });
    if (first_error) std::rethrow_exception(first_error);
}

}  // namespace luet::repo
