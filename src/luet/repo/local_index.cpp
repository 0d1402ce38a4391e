#include "luet/repo/local_index.hpp"

#include <nlohmann/json.hpp>
#include <sqlite3.h>

#include <algorithm>
#include <deque>
#include <iterator>
#include <map>
#include <set>

#include "luet/core/error.hpp"

namespace fs = std::filesystem;
using nlohmann::json;

namespace luet::repo {
namespace {

json selector_json(const core::Selector& s) {
    json also = json::array();
    for (const auto& a : s.also) also.push_back(json::array({static_cast<int>(a.op), a.version}));
    return json::array({static_cast<int>(s.op), s.version, std::move(also)});
}

json refs_json(const std::vector<core::PackageRef>& refs) {
    json out = json::array();
    for (const auto& r : refs) {
        json s = selector_json(r.selector);
        out.push_back(json::array({r.category, r.name, s[0], std::move(s[1]), std::move(s[2])}));
    }
    return out;
}

core::SelectorOp op_of(const json& j) {
    const int op = j.get<int>();
    if (op < static_cast<int>(core::SelectorOp::Any) || op > static_cast<int>(core::SelectorOp::Prefix))
        throw Error("unknown selector operator " + std::to_string(op));
    return static_cast<core::SelectorOp>(op);
}

std::vector<core::PackageRef> refs_of(const json& j) {
    std::vector<core::PackageRef> out;
    out.reserve(j.size());
    for (const auto& r : j) {
        core::PackageRef ref;
        ref.category = r.at(0).get<std::string>();
        ref.name = r.at(1).get<std::string>();
        ref.selector.op = op_of(r.at(2));
        ref.selector.version = r.at(3).get<std::string>();
        for (const auto& a : r.at(4)) {
            core::Selector s;
            s.op = op_of(a.at(0));
            s.version = a.at(1).get<std::string>();
            ref.selector.also.push_back(std::move(s));
        }
        out.push_back(std::move(ref));
    }
    return out;
}

IndexedPackage package_of(std::string_view record) {
    const json p = json::parse(record);
    IndexedPackage ip;
    artifact::Metadata& m = ip.meta;
    m.path = p.at(0).get<std::string>();
    m.compression = artifact::parse_compression(p.at(1).get<std::string>());
    m.sha256 = p.at(2).get<std::string>();
    spec::Definition& d = m.runtime;
    d.form = {p.at(5).get<std::string>(), p.at(6).get<std::string>(), p.at(7).get<std::string>()};
    d.requires_ = refs_of(p.at(8));
    d.conflicts = refs_of(p.at(9));
    d.provides = refs_of(p.at(10));
    d.hidden = p.at(11).get<bool>();
    d.labels = p.at(12).get<std::map<std::string, std::string>>();
    d.annotations = p.at(13).get<std::map<std::string, std::string>>();
    d.description = p.at(14).get<std::string>();
    d.license = p.at(15).get<std::string>();
    d.uri = p.at(16).get<std::vector<std::string>>();
    m.compilespec.package = d.form;
    return ip;
}

class Db {
public:
    Db(const fs::path& file, int flags) : file_(file) {
        if (sqlite3_open_v2(file.c_str(), &db_, flags, nullptr) != SQLITE_OK) {
            const std::string msg = db_ ? sqlite3_errmsg(db_) : "out of memory";
            sqlite3_close(db_);
            db_ = nullptr;
            throw Error("cannot open " + file.string() + ": " + msg);
        }
    }
    ~Db() { sqlite3_close(db_); }
    Db(const Db&) = delete;
    Db& operator=(const Db&) = delete;
    void exec(const char* sql) {
        char* err = nullptr;
        if (sqlite3_exec(db_, sql, nullptr, nullptr, &err) != SQLITE_OK) {
            const std::string msg = err ? err : sqlite3_errmsg(db_);
            sqlite3_free(err);
            throw Error(file_.string() + ": " + msg);
        }
    }
    sqlite3* get() const { return db_; }
    const fs::path& file() const { return file_; }

private:
    fs::path file_;
    sqlite3* db_ = nullptr;
};

class Stmt {
public:
    Stmt(const Db& db, const char* sql) : db_(db) {
        if (sqlite3_prepare_v2(db.get(), sql, -1, &s_, nullptr) != SQLITE_OK)
            throw Error(db.file().string() + ": " + sqlite3_errmsg(db.get()));
    }
    ~Stmt() { sqlite3_finalize(s_); }
    Stmt(const Stmt&) = delete;
    Stmt& operator=(const Stmt&) = delete;
    Stmt& reset() {
        sqlite3_reset(s_);
        sqlite3_clear_bindings(s_);
        return *this;
    }
    Stmt& bind(int i, std::string_view v) {
        sqlite3_bind_text(s_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
        return *this;
    }
    Stmt& bind(int i, std::int64_t v) {
        sqlite3_bind_int64(s_, i, v);
        return *this;
    }
    bool step() {
        const int rc = sqlite3_step(s_);
        if (rc == SQLITE_ROW) return true;
        if (rc != SQLITE_DONE) throw Error(db_.file().string() + ": " + sqlite3_errmsg(db_.get()));
        return false;
    }
    std::int64_t integer(int col) const { return sqlite3_column_int64(s_, col); }
    std::string_view text(int col) const {
        const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(s_, col));
        return p ? std::string_view(p, static_cast<size_t>(sqlite3_column_bytes(s_, col))) : std::string_view();
    }

private:
    const Db& db_;
    sqlite3_stmt* s_ = nullptr;
};

// FNV-1a (32 bits) of an entry name: the owners table's hash.
std::uint32_t name_hash(std::string_view name) {
    std::uint32_t h = 2166136261u;
    for (const char c : name) {
        h ^= static_cast<unsigned char>(c);
        h *= 16777619u;
    }
    return h;
}
constexpr std::int64_t kOwnerIdBits = 31;
constexpr std::int64_t kOwnerIdMask = (std::int64_t{1} << kOwnerIdBits) - 1;  // also the largest id
std::int64_t owner_key(std::uint32_t hash, std::int64_t id) {
    return static_cast<std::int64_t>((static_cast<std::uint64_t>(hash) << kOwnerIdBits) | static_cast<std::uint64_t>(id));
}

// The rows of a new index (both writers: write_local_index and TreeIndexWriter): the format
// mark, then add() once per package.
class IndexRows {
public:
    explicit IndexRows(const Db& db)
        : package_(db, "INSERT INTO packages(id, category, name, version, record) VALUES (?1, ?2, ?3, ?4, ?5)"),
          provides_(db, "INSERT INTO provides(category, name, pkg) VALUES (?1, ?2, ?3)"),
          files_(db, "INSERT INTO files(pkg, list) VALUES (?1, ?2)"),
          finalizers_(db, "INSERT INTO finalizers(pkg, definition, finalize) VALUES (?1, ?2, ?3)"),
          owner_(db, "INSERT OR IGNORE INTO owners(key) VALUES (?1)") {
        Stmt(db, "INSERT INTO info(key, value) VALUES ('format', ?1)").bind(1, std::to_string(kLocalIndexFormat)).step();
    }
    // `finalize` empty: the package has no finalizer row.
    void add(std::int64_t id, std::string_view category, std::string_view name, std::string_view version,
             std::string_view record, const std::vector<core::PackageRef>& provided, std::string_view file_list,
             std::string_view definition, std::string_view finalize) {
        package_.reset().bind(1, id).bind(2, category).bind(3, name).bind(4, version).bind(5, record).step();
        for (const auto& p : provided) provides_.reset().bind(1, p.category).bind(2, p.name).bind(3, id).step();
        if (id > kOwnerIdMask) throw Error("more than 2^31 packages in one repository");
        files_.reset().bind(1, id).bind(2, file_list).step();
        // The list is a JSON array of strings (json(files).dump()).
        const json files = json::parse(file_list);
        for (const auto& f : files)
            if (f.is_string()) owner_.reset().bind(1, owner_key(name_hash(f.get_ref<const std::string&>()), id)).step();
        if (!finalize.empty()) finalizers_.reset().bind(1, id).bind(2, definition).bind(3, finalize).step();
    }

private:
    Stmt package_, provides_, files_, finalizers_, owner_;
};

constexpr int kReadFlags = SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX;

// The packages the seeds reach (IndexQuery::reach), as id -> record.
std::map<std::int64_t, std::string> reached(const Db& db, const std::vector<IndexSeed>& seeds) {
    Stmt by_atom(db, "SELECT id, record FROM packages WHERE category = ?1 AND name = ?2");
    Stmt by_name(db, "SELECT id, record FROM packages WHERE name = ?1");
    Stmt providers_atom(db,
                        "SELECT p.id, p.record FROM provides v JOIN packages p ON p.id = v.pkg "
                        "WHERE v.category = ?1 AND v.name = ?2");
    Stmt providers_name(db, "SELECT p.id, p.record FROM provides v JOIN packages p ON p.id = v.pkg WHERE v.name = ?1");
    std::map<std::int64_t, std::string> out;
    std::set<std::pair<std::string, std::string>> seen;
    std::deque<std::pair<std::string, std::string>> queue;
    auto want = [&](const std::string& category, const std::string& name) {
        if (seen.insert({category, name}).second) queue.emplace_back(category, name);
    };
    for (const auto& s : seeds) want(s.category, s.name);
    while (!queue.empty()) {
        const auto [category, name] = queue.front();
        queue.pop_front();
        auto take = [&](Stmt& st) {
            while (st.step()) {
                const std::int64_t id = st.integer(0);
                if (out.count(id)) continue;
                std::string record(st.text(1));
                const json p = json::parse(record);
                for (int k = 8; k <= 10; ++k)
                    for (const auto& r : p.at(k)) want(r.at(0).get<std::string>(), r.at(1).get<std::string>());
                out.emplace(id, std::move(record));
            }
        };
        if (category.empty()) {
            take(by_name.reset().bind(1, name));
            take(providers_name.reset().bind(1, name));
        } else {
            take(by_atom.reset().bind(1, category).bind(2, name));
            take(providers_atom.reset().bind(1, category).bind(2, name));
        }
    }
    return out;
}

// The record column of a package (its [3] and [4] are unused: 0).
std::string record_of(const artifact::Metadata& m) {
    const auto& d = m.runtime;
    return json::array({m.path, artifact::compression_name(m.compression), m.sha256, 0, 0, d.form.category, d.form.name,
                        d.form.version, refs_json(d.requires_), refs_json(d.conflicts), refs_json(d.provides), d.hidden,
                        json(d.labels), json(d.annotations), d.description, d.license, json(d.uri)})
        .dump();
}

constexpr const char* kSchema =
    "CREATE TABLE info(key TEXT PRIMARY KEY, value TEXT);"
    "CREATE TABLE packages(id INTEGER PRIMARY KEY, category TEXT, name TEXT, version TEXT, record TEXT);"
    "CREATE TABLE provides(category TEXT, name TEXT, pkg INTEGER);"
    "CREATE TABLE files(pkg INTEGER PRIMARY KEY, list TEXT);"
    "CREATE TABLE finalizers(pkg INTEGER PRIMARY KEY, definition TEXT, finalize TEXT);"
    // Who lists a file: one row per (file, package), the key a hash of the file's name in the
    // high bits and the package id in the low 31 (owner_key). `query belongs` reads the keys of
    // its files' hashes, then only those packages' lists, instead of every list.
    "CREATE TABLE owners(key INTEGER PRIMARY KEY);";
constexpr const char* kIndexes =
    "CREATE INDEX packages_atom ON packages(category, name);"
    "CREATE INDEX packages_name ON packages(name);"
    "CREATE INDEX provides_atom ON provides(category, name);"
    "CREATE INDEX provides_name ON provides(name);"
    // Every package's category and name by their trigrams (SQLite FTS5, reading the packages
    // table): a search for a plain string reads only the packages whose names hold it.
    "CREATE VIRTUAL TABLE names USING fts5(category, name, content='packages', content_rowid='id', "
    "tokenize='trigram case_sensitive 1');"
    "INSERT INTO names(names) VALUES('rebuild');";

}  // namespace

void write_local_index(const fs::path& dir, const std::vector<IndexInput>& packages) {
    const fs::path file = dir / kLocalIndexFile;
    std::error_code ec;
    fs::remove(file, ec);
    Db db(file, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX);
    // A copy being built, swapped in whole by rename: no journal, no flush.
    db.exec("PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; PRAGMA locking_mode=EXCLUSIVE; BEGIN;");
    db.exec(kSchema);
    {
        IndexRows rows(db);
        for (size_t i = 0; i < packages.size(); ++i) {
            const auto& m = packages[i].meta;
            const auto& d = m.runtime;
            const auto id = static_cast<std::int64_t>(i);
            rows.add(id, d.form.category, d.form.name, d.form.version, record_of(m), d.provides, json(m.files).dump(),
                     packages[i].definition_yaml, packages[i].finalize_yaml);
        }
    }
    db.exec(kIndexes);
    db.exec("COMMIT;");
}

struct TreeIndexWriter::State {
    Db db;
    bool ready;  // the schema and staging tables exist (before the statements are prepared)
    Stmt definition, finalize, metadata, metadata_yaml;
    explicit State(const fs::path& file)
        : db(file, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX),
          ready(prepare(db)),
          definition(db, "INSERT OR REPLACE INTO temp.defs(folder, text) VALUES (?1, ?2)"),
          finalize(db, "INSERT OR REPLACE INTO temp.fins(folder, text) VALUES (?1, ?2)"),
          metadata(db, "INSERT OR REPLACE INTO temp.meta(folder, category, name, version, record, files) "
                       "VALUES (?1, ?2, ?3, ?4, ?5, ?6)"),
          metadata_yaml(db, "INSERT OR REPLACE INTO temp.meta_yaml(folder, text) VALUES (?1, ?2)") {}
    static bool prepare(Db& db) {
        // A copy being built, swapped in whole by rename: no journal, no flush. The files of
        // the document are staged in temporary tables (a temporary file, not memory).
        db.exec("PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; PRAGMA locking_mode=EXCLUSIVE; "
                "PRAGMA temp_store=FILE; PRAGMA cache_size=-128; PRAGMA temp.cache_size=-128; BEGIN;");
        db.exec(kSchema);
        db.exec("CREATE TEMP TABLE defs(folder TEXT PRIMARY KEY, text TEXT);"
                "CREATE TEMP TABLE fins(folder TEXT PRIMARY KEY, text TEXT);"
                "CREATE TEMP TABLE meta(folder TEXT PRIMARY KEY, category TEXT, name TEXT, version TEXT, record TEXT, "
                "files TEXT);"
                "CREATE TEMP TABLE meta_yaml(folder TEXT PRIMARY KEY, text TEXT);");
        return true;
    }
};

TreeIndexWriter::TreeIndexWriter(const fs::path& dir) {
    const fs::path file = dir / kLocalIndexFile;
    std::error_code ec;
    fs::remove(file, ec);
    state_ = std::make_unique<State>(file);
}

TreeIndexWriter::~TreeIndexWriter() = default;

void TreeIndexWriter::definition(const std::string& folder, std::string_view text) {
    state_->definition.reset().bind(1, folder).bind(2, text).step();
}

void TreeIndexWriter::finalize(const std::string& folder, std::string_view text) {
    state_->finalize.reset().bind(1, folder).bind(2, text).step();
}

void TreeIndexWriter::metadata(const std::string& folder, const artifact::Metadata& m) {
    const auto& f = m.runtime.form;
    state_->metadata.reset().bind(1, folder).bind(2, f.category).bind(3, f.name).bind(4, f.version)
        .bind(5, record_of(m)).bind(6, json(m.files).dump()).step();
}

void TreeIndexWriter::metadata_yaml(const std::string& folder, std::string_view text) {
    state_->metadata_yaml.reset().bind(1, folder).bind(2, text).step();
}

void TreeIndexWriter::finish(const std::string& origin) {
    Db& db = state_->db;
    {
        Stmt rows(db,
                  "SELECT d.folder, d.text, f.text, m.category, m.name, m.version, m.record, m.files, y.text, "
                  "f.folder IS NOT NULL, m.folder IS NOT NULL, y.folder IS NOT NULL "
                  "FROM temp.defs d LEFT JOIN temp.fins f ON f.folder = d.folder "
                  "LEFT JOIN temp.meta m ON m.folder = d.folder LEFT JOIN temp.meta_yaml y ON y.folder = d.folder "
                  "ORDER BY d.folder");
        IndexRows index_rows(db);
        std::int64_t id = 0;
        while (rows.step()) {
            const std::string folder(rows.text(0));
            std::string category, name, version, record, file_list;
            std::vector<core::PackageRef> provided;
            std::string which = "/metadata.json";
            if (rows.integer(10)) {
                category = rows.text(3);
                name = rows.text(4);
                version = rows.text(5);
                record = rows.text(6);
                file_list = rows.text(7);
                provided = refs_of(json::parse(record).at(10));
            } else if (rows.integer(11)) {
                which = "/metadata.yaml";
                const artifact::Metadata m =
                    artifact::metadata_from_yaml(std::string(rows.text(8)), origin + " " + folder + which);
                category = m.runtime.form.category;
                name = m.runtime.form.name;
                version = m.runtime.form.version;
                record = record_of(m);
                file_list = json(m.files).dump();
                provided = m.runtime.provides;
            } else {
                throw Error(origin + " " + folder + ": no metadata.json or metadata.yaml beside definition.yaml");
            }
            if (category + "/" + name + "/" + version != folder)
                throw Error(origin + " " + folder + which + ": describes " + category + "/" + name + "-" + version +
                            ", not the package of its folder");
            index_rows.add(id, category, name, version, record, provided, file_list, rows.text(1),
                           rows.integer(9) ? rows.text(2) : std::string_view());
            ++id;
        }
    }
    db.exec(kIndexes);
    db.exec("COMMIT;");
    state_.reset();
}

bool has_local_index(const fs::path& dir) {
    std::error_code ec;
    if (!fs::is_regular_file(dir / kLocalIndexFile, ec)) return false;
    try {
        Db db(dir / kLocalIndexFile, kReadFlags);
        Stmt st(db, "SELECT value FROM info WHERE key = 'format'");
        return st.step() && st.text(0) == std::to_string(kLocalIndexFormat);
    } catch (const Error&) {
        return false;
    }
}

std::vector<IndexedPackage> read_local_index(const fs::path& dir, const IndexQuery& query) {
    std::string format;
    if (auto out = read_current_local_index(dir, query, &format)) return std::move(*out);
    const fs::path file = dir / kLocalIndexFile;
    throw Error(file.string() + ": " +
                (format.empty() ? std::string("missing")
                                : "format " + format + ", not " + std::to_string(kLocalIndexFormat)) +
                "; run luet repo update --force");
}

std::optional<std::vector<IndexedPackage>> read_current_local_index(const fs::path& dir, const IndexQuery& query,
                                                                    std::string* format) {
    const fs::path file = dir / kLocalIndexFile;
    std::vector<IndexedPackage> out;
    try {
        std::error_code ec;
        if (!fs::is_regular_file(file, ec)) return std::nullopt;
        Db db(file, kReadFlags);
        {
            Stmt st(db, "SELECT value FROM info WHERE key = 'format'");
            if (!st.step()) throw Error("no format");
            if (st.text(0) != std::to_string(kLocalIndexFormat)) {
                if (format) *format = st.text(0);
                return std::nullopt;
            }
        }
        std::vector<std::int64_t> ids;
        std::set<std::int64_t> with_finalizer;
        {
            Stmt st(db, "SELECT pkg FROM finalizers");
            while (st.step()) with_finalizer.insert(st.integer(0));
        }
        std::vector<bool> finalized;
        auto add = [&](std::int64_t id, std::string_view record) {
            const bool fin = with_finalizer.count(id) > 0;
            IndexedPackage ip = package_of(record);
            const auto& form = ip.meta.runtime.form;
            if (query.reach && query.keep && !query.keep(form.category, form.name)) return;
            out.push_back(std::move(ip));
            ids.push_back(id);
            finalized.push_back(fin);
        };
        if (query.reach) {
            for (const auto& [id, record] : reached(db, *query.reach)) add(id, record);
        } else if (query.keep || !query.with_files.empty()) {
            // The names alone first, from the (category, name) index, which is much smaller
            // than the table, and the file lists; then the records of the packages kept.
            std::vector<std::int64_t> kept;
            if (!query.with_files.empty()) {
                // The packages whose key has one of the names' hashes, then each one's list:
                // a listed name appears in its list's JSON text as the name's own JSON string.
                std::set<std::int64_t> candidates;
                Stmt keys(db, "SELECT key FROM owners WHERE key BETWEEN ?1 AND ?2");
                for (const auto& f : query.with_files) {
                    const std::uint32_t h = name_hash(f);
                    keys.reset().bind(1, owner_key(h, 0)).bind(2, owner_key(h, kOwnerIdMask));
                    while (keys.step()) candidates.insert(keys.integer(0) & kOwnerIdMask);
                }
                std::vector<std::string> needles;
                for (const auto& f : query.with_files) needles.push_back(json(f).dump());
                Stmt st(db, "SELECT list FROM files WHERE pkg = ?1");
                for (const auto id : candidates) {
                    if (!st.reset().bind(1, id).step()) continue;
                    const std::string_view list = st.text(0);
                    if (std::any_of(needles.begin(), needles.end(),
                                    [&](const std::string& n) { return list.find(n) != std::string_view::npos; }))
                        kept.push_back(id);
                }
            }
            if (query.keep) {
                std::vector<std::int64_t> named;
                std::string category, name;
                std::set<std::int64_t> asked;  // a package holding several of the strings is asked once
                auto test = [&](Stmt& st) {
                    while (st.step()) {
                        const std::int64_t id = st.integer(0);
                        if (!query.name_literals.empty() && !asked.insert(id).second) continue;
                        category = st.text(1);
                        name = st.text(2);
                        if (query.keep(category, name)) named.push_back(id);
                    }
                };
                if (!query.name_literals.empty()) {
                    // Only the packages whose category or name holds one of the strings: an
                    // FTS5 phrase of a string's trigrams matches where the string appears.
                    Stmt st(db, "SELECT p.id, p.category, p.name FROM names JOIN packages p ON p.id = names.rowid "
                                "WHERE names MATCH ?1");
                    for (const auto& literal : query.name_literals) {
                        std::string phrase = "\"";
                        for (const char c : literal) phrase += c == '"' ? std::string("\"\"") : std::string(1, c);
                        phrase += '"';
                        st.reset().bind(1, phrase);
                        test(st);
                    }
                } else {
                    Stmt st(db, "SELECT id, category, name FROM packages INDEXED BY packages_atom");
                    test(st);
                }
                std::sort(named.begin(), named.end());
                if (query.with_files.empty()) {
                    kept = std::move(named);
                } else {
                    std::vector<std::int64_t> both;
                    std::set_intersection(kept.begin(), kept.end(), named.begin(), named.end(), std::back_inserter(both));
                    kept = std::move(both);
                }
            }
            Stmt st(db, "SELECT record FROM packages WHERE id = ?1");
            for (const auto id : kept)
                if (st.reset().bind(1, id).step()) add(id, st.text(0));
        } else {
            Stmt st(db, "SELECT id, record FROM packages ORDER BY id");
            while (st.step()) add(st.integer(0), st.text(1));
        }
        {
            Stmt st(db, "SELECT definition, finalize FROM finalizers WHERE pkg = ?1");
            for (size_t i = 0; i < out.size(); ++i) {
                if (!finalized[i]) continue;
                if (!st.reset().bind(1, ids[i]).step())
                    throw Error("no finalize.yaml of " + out[i].meta.runtime.form.str());
                out[i].definition_yaml = st.text(0);
                out[i].finalize_yaml = st.text(1);
            }
        }
        if (query.files) {
            Stmt st(db, "SELECT list FROM files WHERE pkg = ?1");
            for (size_t i = 0; i < out.size(); ++i) {
                if (!st.reset().bind(1, ids[i]).step())
                    throw Error("no files of " + out[i].meta.runtime.form.str());
                out[i].meta.files = json::parse(st.text(0)).get<std::vector<std::string>>();
            }
        }
    } catch (const json::exception& e) {
        throw Error(file.string() + ": malformed local index (" + e.what() + "); run luet repo update --force");
    } catch (const Error& e) {
        throw Error(file.string() + ": " + e.what() + "; run luet repo update --force");
    }
    return out;
}

}  // namespace luet::repo
