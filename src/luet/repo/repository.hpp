// Repositories: creating them from built artifacts, and reading them as a client.
//
// Upstream: mudler/luet pkg/installer/repository.go (+ repository_local.go) and
// geaaru/luet pkg/v2/repository (the "wagon": wagon.go, wagon_identity.go, wagon_stones.go)
// and luet-build/pkg/v2/repository/factory.go. See ../shared/spec 003.
// A repository folder holds:
//   repository.yaml     name, description, urls, type, priority, enable, cached, revision,
//                       last_update, repo_files.KEY.{filename, compressiontype,
//                       checksums.sha256} (index.cpp)
//   the tree document   CATEGORY/NAME/VERSION/{definition.yaml, finalize.yaml, metadata.json}
//                       and provides.yaml (tree_document.cpp): geaaru's `treev2`; legacy
//                       clients read the same file as `tree` (they read definition.yaml
//                       and finalize.yaml only)
//   the meta document   repository.meta.yaml: `index:`, the metadata of every artifact
//                       (meta_document.cpp): the legacy `meta` of mudler/luet and geaaru < 0.40
//   compilertree        the tree folders themselves (only with --with-compilertree)
//   NAME-CATEGORY-VERSION.package.tar.gz and .metadata.yaml for every package
// What each client reads: geaaru/luet >= 0.40 takes `treev2` when present; mudler/luet and
// older geaaru take `tree` + `meta`. We write all three keys (tree and treev2 name the same
// file) and read `treev2` when present, else `tree` + `meta`, as geaaru does.
#pragma once

#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "luet/artifact/artifact.hpp"
#include "luet/config/config.hpp"
#include "luet/repo/local_index.hpp"
#include "luet/repo/transport.hpp"
#include "luet/spec/spec.hpp"

namespace luet::repo {

struct RepoFile {
    std::string filename;
    artifact::Compression compression = artifact::Compression::Gzip;
    std::string sha256;
};

// repository.yaml
struct RepositoryIndex {
    std::string name;
    std::string description;
    std::string type;  // disk | http | docker
    std::vector<std::string> urls;
    int priority = 0;
    bool enable = true;
    bool cached = true;
    int revision = 0;
    std::string last_update;                   // seconds since the epoch, as text
    // Ours (signature.hpp): seconds since the epoch, as text, after which clients refuse this
    // repository.yaml; "" (not written): never. Upstream clients ignore the key.
    std::string expires;
    std::map<std::string, RepoFile> repo_files;  // "treev2", "tree", "meta", "compilertree"
};

std::string index_to_yaml(const RepositoryIndex& index);
RepositoryIndex index_from_yaml(const std::string& text, const std::string& origin);

// A document's file name and compression from the create-repo flags: a compressed document
// gets the compression's suffix unless its name has it already (mudler: tree.tar + gzip ->
// tree.tar.gz); with compression none, a name ending in .gz or .zst gives that compression
// (geaaru's "self-autodetect").
RepoFile document_file(const std::string& filename, artifact::Compression c);

struct CreateOptions {
    std::filesystem::path output;    // repository folder to write
    std::filesystem::path packages;  // folder with the built artifacts
    std::vector<std::filesystem::path> tree_roots;  // the tree folders (for the compilertree)
    std::string name;
    std::string description;
    std::string type = "disk";
    std::vector<std::string> urls;
    int priority = 9999;  // geaaru's create-repo writes 9999; clients use their own config's
    RepoFile tree_file = document_file("tree.tar", artifact::Compression::Gzip);
    RepoFile meta_file = document_file("repository.meta.yaml.tar", artifact::Compression::None);
    bool with_compilertree = false;      // compilertree.tar.zst of the tree folders
    bool reset_revision = false;         // write revision 1
    bool from_metadata = false;          // keep packages that left the tree (their metadata's runtime)
    bool check_package_tarball = false;  // skip (not fail on) metadata whose artifact is missing
    std::string snapshot_id;             // also write ID-repository.yaml naming ID-<document> copies
    // Ed25519 private keys (PEM, signature.hpp): each signs repository.yaml (and the snapshot's
    // ID-repository.yaml) into a line of repository.yaml.sig. None: no .sig is written (and a
    // stale one in opts.output is removed).
    std::vector<std::filesystem::path> sign_keys;
    long long expires_in = 0;  // seconds; > 0: repository.yaml says `expires:` now + this
    std::function<void(const std::string&)> note;  // packages left out, one line each
};

// Writes a repository for every artifact metadata file in opts.packages whose package is
// in `tree` (the others are left out with upstream's note "[CAT/NAME-VERSION] No more in the
// tree. Ignoring the package.", unless opts.from_metadata). The runtime of each artifact is
// the tree's definition of this revision. Artifacts are checked against their sha256 and
// copied to opts.output when it is another folder. The revision is one more than the one
// already in opts.output. repository.yaml is written last (after its signature), so a
// failure leaves the previous repository valid. Throws luet::Error naming the artifact on a checksum mismatch or a
// missing artifact (unless opts.check_package_tarball).
RepositoryIndex create_repository(const spec::Tree& tree, const CreateOptions& opts);

// A package as a client sees it in a repository.
struct RepoPackage {
    artifact::Metadata meta;
    std::vector<std::string> finalize_install;
    std::vector<std::string> finalize_uninstall;  // finalize.yaml uninstall:
    std::vector<std::string> finalize_shell;      // finalize.yaml shell: (empty: sh -c)
};

// A repository loaded by the client: its index (the cached repository.yaml) and its packages.
struct LoadedRepository {
    RepositoryIndex index;
    std::string name;                          // configured name
    int priority = 0;                          // configured priority (lower is preferred)
    std::shared_ptr<const Transport> transport;  // where its artifacts come from
    std::uint64_t max_artifact_bytes = 0;        // the configured cap of one artifact download (0: none)
    std::vector<RepoPackage> packages;
};

// Wagon sync (geaaru/luet pkg/v2/repository/wagon.go). The local copy of repository NAME
// lives in `repo_dir` (<system_dir>/repos/NAME):
//   repository.yaml                               the wagon identity last synced
//   the documents it names (treev2, or tree + meta) under their file names, as downloaded
//   luet-index.sqlite                             our index of them (local_index.hpp), what
//                                                 load_local reads
// geaaru/luet unpacks the documents into treefs/CATEGORY/NAME/VERSION/ and metafs/ instead:
// ours writes no file per package (load_local still reads a copy laid out so, synced by
// luet before the index, and the next sync replaces it).
// repository.yaml is downloaded first; the documents (treev2, or tree + meta) only when the
// revision, last_update or a document checksum differ from the local copy, when the local
// copy is missing, or with `force`. From treev2 each package's metadata is its
// metadata.json (metadata.yaml when absent); from tree + meta it is the meta's entry with
// its runtime replaced by the tree's definition.yaml, and entries without a folder in the
// tree are left out (geaaru's ExplodeMetadata). Every document is checked against repository.yaml's sha256
// before anything replaces the local copy; the new copy is built beside the old one and
// swapped in with renames, so a failed sync leaves the previous copy usable.
// Signatures (signature.hpp): with rc.verify_keys, repository.yaml.sig is downloaded with
// repository.yaml and must hold a valid signature by one of them before anything else is
// read; a repository.yaml past its `expires:` is refused, signed or not.
// Freshness: the revision synced last is remembered in <system_dir>/repos/.NAME.revision
// (kept by `cleanup --purge-repos`); a repository.yaml with an older revision is refused,
// naming both revisions, unless `force` (`luet repo update --force`) accepts it on purpose.
// Size limits of the documents a sync downloads; a larger body is cut off and refused before
// it is parsed. repository.yaml is a few hundred bytes in practice; the tree and meta
// documents are compressed tarballs (a few MiB for thousands of packages).
inline constexpr std::uint64_t kMaxIndexBytes = 1u << 20;       // 1 MiB
inline constexpr std::uint64_t kMaxDocumentBytes = 512u << 20;  // 512 MiB
// Unpacked, one file of a tree or meta document and all of them (a compression bomb of a
// few KiB would otherwise fill the memory).
inline constexpr std::uint64_t kMaxUnpackedFileBytes = 32u << 20;  // 32 MiB
inline constexpr std::uint64_t kMaxUnpackedBytes = 256u << 20;     // 256 MiB
struct SyncResult {
    RepositoryIndex index;
    bool updated = false;  // false: the local copy was already at this revision
};
// Throws luet::Error naming the repository, the document and (for checksums) both sums.
SyncResult sync(const config::RepositoryConfig& rc, const std::filesystem::path& repo_dir, bool force);

// The line upstream prints after a sync: "🏠 Repository: NAME Revision: N - DATE".
std::string sync_line(const std::string& name, const RepositoryIndex& index);
// last_update (seconds since the epoch, as text) as Go prints a UTC time:
// "2023-04-21 16:15:48 +0000 UTC"; the text itself when it is not a number.
std::string format_last_update(const std::string& last_update);

// Loads the local copy written by sync(), from its index (local_index.hpp) when it has one,
// else from metafs/repository.meta.yaml. `files`: also each package's files (meta.files is
// left empty otherwise). Throws luet::Error when there is none or it is unreadable.
LoadedRepository load_local(const config::RepositoryConfig& rc, const std::filesystem::path& repo_dir,
                            bool files = true);
// The same, with only the packages `query` selects (local_index.hpp; a copy without an index
// applies query.keep and loads every package `reach` would select and more).
LoadedRepository load_local(const config::RepositoryConfig& rc, const std::filesystem::path& repo_dir,
                            const IndexQuery& query);

// <system_dir>/repos/NAME
std::filesystem::path local_dir(const config::Config& cfg, const std::string& name);

struct LoadOptions {
    // Sync every repository first, and a failed sync is an error even when a local copy exists
    // (install/upgrade --sync-repos). Otherwise only repositories without a local copy sync.
    bool strict = false;
    bool files = true;    // load each package's files (RepoPackage::meta.files), which most commands need not
    // Only the packages these select (IndexQuery, local_index.hpp): a command that needs a
    // few packages reads only those from each repository's index.
    std::function<bool(const std::string& category, const std::string& name)> keep;
    std::vector<std::string> name_literals;  // IndexQuery::name_literals
    std::optional<std::vector<IndexSeed>> reach;
    std::vector<std::string> with_files;
};

// Loads every enabled repository of `cfg` from its local copy, ordered by priority (lower
// first, ties in configuration order), syncing first (concurrently; see sync()) those that
// have none, or all with opts.strict (geaaru/luet's behaviour: commands read the local copies,
// `repo update` and --sync-repos refresh them). When a sync fails but a local copy exists,
// that copy is used and `progress` gets a warning line (unless opts.strict).
// `progress` (may be empty) receives one line per repository updated.
// Throws luet::Error naming the repository and its config file when it cannot be loaded.
std::vector<LoadedRepository> load_enabled(const config::Config& cfg, const LoadOptions& opts,
                                           const std::function<void(const std::string&)>& progress);
std::vector<LoadedRepository> load_enabled(const config::Config& cfg,
                                           const std::function<void(const std::string&)>& progress);

// Downloads the package's artifact to `dest` and verifies its sha256 against the repository.
// A body over repo.max_artifact_bytes (general.max_artifact_bytes) is cut off while it
// downloads. Throws luet::Error naming the package on a mismatch or a body over the cap
// (naming the setting); nothing is left at `dest` then.
void fetch_artifact(const LoadedRepository& repo, const RepoPackage& pkg, const std::filesystem::path& dest,
                    const ByteProgress& progress = {});

// One artifact to download: into `dest` from `repo`.
struct FetchJob {
    const LoadedRepository* repo;
    const RepoPackage* pkg;
    std::filesystem::path dest;
};
// Runs fetch_artifact for every job, `concurrency` at a time (at least 1). `progress` gets
// (job index, bytes done, bytes total) from worker threads, serialised by a mutex.
// When a job fails the others finish, then the first error is thrown.
void fetch_artifacts(const std::vector<FetchJob>& jobs, int concurrency,
                     const std::function<void(std::size_t, std::uint64_t, std::uint64_t)>& progress);

}  // namespace luet::repo
