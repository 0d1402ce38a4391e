#include "luet/spec/tree_index.hpp"

#include <zstd.h>

#include <algorithm>
#include <memory>
#include <set>
#include <tuple>
#include <nlohmann/json.hpp>

#include "luet/core/error.hpp"
#include "luet/core/file.hpp"
#include "luet/spec/yaml_util.hpp"

namespace fs = std::filesystem;

namespace luet::spec {
namespace {

// Go's filepath.Abs + Clean: lexical, symlinks kept, no trailing separator.
fs::path clean_abs(const fs::path& p) {
    fs::path a = fs::absolute(p).lexically_normal();
    if (a.has_relative_path() && a.filename().empty()) a = a.parent_path();
    return a;
}

std::string rel(const fs::path& target, const fs::path& from) {
    const std::string r = target.lexically_relative(from).string();
    return r.empty() ? "." : r;
}

// "CATEGORY/NAME" as upstream's PackageName(): either part alone when the other is empty.
std::string package_name(const std::string& category, const std::string& name) {
    if (!category.empty() && !name.empty()) return category + "/" + name;
    return category.empty() ? name : category;
}

struct Walked {
    fs::path dir;
    TreeIndex idx;
};

void add(TreeIndex& idx, const std::string& name, TreeIndexEntry e) { idx.packages[name].push_back(std::move(e)); }

void merge(TreeIndex& into, const TreeIndex& from) {
    for (const auto& [name, entries] : from.packages)
        for (const auto& e : entries) add(into, name, e);
}

std::string compress_zstd(const std::string& data, const fs::path& file) {
    std::string out(ZSTD_compressBound(data.size()), '\0');
    const size_t n = ZSTD_compress(out.data(), out.size(), data.data(), data.size(), ZSTD_CLEVEL_DEFAULT);
    if (ZSTD_isError(n)) throw Error("cannot compress " + file.string() + ": " + ZSTD_getErrorName(n));
    out.resize(n);
    return out;
}

std::string decompress_zstd(const std::string& data, const fs::path& file) {
    std::unique_ptr<ZSTD_DStream, decltype(&ZSTD_freeDStream)> ds(ZSTD_createDStream(), ZSTD_freeDStream);
    if (!ds) throw Error("cannot decompress " + file.string() + ": out of memory");
    ZSTD_initDStream(ds.get());
    std::string out;
    std::string buf(ZSTD_DStreamOutSize(), '\0');
    ZSTD_inBuffer in{data.data(), data.size(), 0};
    size_t last = 1;
    for (;;) {
        ZSTD_outBuffer o{buf.data(), buf.size(), 0};
        last = ZSTD_decompressStream(ds.get(), &o, &in);
        if (ZSTD_isError(last)) throw Error("cannot decompress " + file.string() + ": " + ZSTD_getErrorName(last));
        out.append(buf.data(), o.pos);
        if (in.pos == in.size && o.pos < o.size) break;
    }
    if (last != 0) throw Error("cannot decompress " + file.string() + ": truncated zstd data");
    return out;
}

void write_index(const fs::path& dir, const TreeIndex& idx, bool compress) {
    const std::string text = tree_index_json(idx);
    if (compress) {
        const fs::path f = dir / (std::string(kTreeIndexFile) + ".zstd");
        core::write_file_atomic(f, compress_zstd(text, f));
    } else {
        core::write_file_atomic(dir / kTreeIndexFile, text);
    }
}

// upstream generateIdxDir: the index of `dir`, children first in name order.
TreeIndex walk(const fs::path& dir, const fs::path& base, const TreeIndexOptions& opts) {
    std::vector<fs::directory_entry> entries;
    std::error_code ec;
    for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) entries.push_back(*it);
    if (ec) throw Error("Error on readdir " + dir.string() + ": " + ec.message());
    std::sort(entries.begin(), entries.end(),
              [](const auto& a, const auto& b) { return a.path().filename().string() < b.path().filename().string(); });

    TreeIndex idx;
    for (const auto& e : entries) {
        const std::string fname = e.path().filename().string();
        if (e.symlink_status().type() == fs::file_type::directory) {
            merge(idx, walk(e.path(), base, opts));
        } else if (fname == "definition.yaml") {
            const YAML::Node n = load_yaml(core::read_file(e.path()), e.path().string());
            const std::string origin = e.path().string();
            add(idx, package_name(scalar(n, "category", origin), scalar(n, "name", origin)),
                {scalar(n, "version", origin), rel(e.path(), base)});
        } else if (fname == "collection.yaml") {
            const std::string origin = e.path().string();
            const YAML::Node n = load_yaml(core::read_file(e.path()), origin);
            const YAML::Node list = n.IsMap() ? n["packages"] : YAML::Node();
            if (list && !list.IsNull() && !list.IsSequence()) throw Error(origin + ": 'packages' must be a list");
            if (list && list.IsSequence())
                for (const auto& p : list)
                    add(idx, package_name(scalar(p, "category", origin), scalar(p, "name", origin)),
                        {scalar(p, "version", origin), rel(e.path(), base)});
        }
    }
    idx.basedir = rel(base, dir);
    if (!opts.dry_run && (!opts.only_upper_level || idx.basedir == "..")) write_index(dir, idx, opts.compress);
    return idx;
}

// Go encoding/json string escaping (HTML-safe, as json.Marshal does).
std::string go_json_string(const std::string& s) {
    std::string o = "\"";
    static const char* hex = "0123456789abcdef";
    for (size_t i = 0; i < s.size(); ++i) {
        const auto c = static_cast<unsigned char>(s[i]);
        switch (c) {
            case '"': o += "\\\""; break;
            case '\\': o += "\\\\"; break;
            case '\n': o += "\\n"; break;
            case '\r': o += "\\r"; break;
            case '\t': o += "\\t"; break;
            case '<': case '>': case '&':
                o += "\\u00";
                o += hex[c >> 4];
                o += hex[c & 15];
                break;
            default:
                if (c < 0x20) {
                    o += "\\u00";
                    o += hex[c >> 4];
                    o += hex[c & 15];
                } else if (c == 0xE2 && i + 2 < s.size() && static_cast<unsigned char>(s[i + 1]) == 0x80 &&
                           (static_cast<unsigned char>(s[i + 2]) == 0xA8 || static_cast<unsigned char>(s[i + 2]) == 0xA9)) {
                    o += static_cast<unsigned char>(s[i + 2]) == 0xA8 ? "\\u2028" : "\\u2029";
                    i += 2;
                } else {
                    o += static_cast<char>(c);
                }
        }
    }
    return o + "\"";
}

// yaml.v3 writes a string plain unless it would read back as another type or as syntax.
bool yaml_needs_quotes(const std::string& s) {
    if (s.empty()) return true;
    static const std::set<std::string> words = {"true", "True", "TRUE", "false", "False", "FALSE", "yes", "Yes", "YES",
                                                "no", "No", "NO", "on", "On", "ON", "off", "Off", "OFF", "y", "Y",
                                                "n", "N", "null", "Null", "NULL", "~", ".inf", ".Inf", ".INF",
                                                "-.inf", "-.Inf", "-.INF", ".nan", ".NaN", ".NAN"};
    if (words.count(s)) return true;
    // Numbers: decimal ints and floats (with exponent), 0x/0o/0b forms, leading sign or dot.
    {
        size_t i = (s[0] == '+' || s[0] == '-') ? 1 : 0;
        bool digits = false, dot = false, exp = false, ok = i < s.size();
        if (s.compare(i, 2, "0x") == 0 || s.compare(i, 2, "0o") == 0 || s.compare(i, 2, "0b") == 0) {
            ok = s.size() > i + 2 && std::all_of(s.begin() + static_cast<long>(i) + 2, s.end(),
                                                 [](char c) { return std::isxdigit(static_cast<unsigned char>(c)) || c == '_'; });
            if (ok) return true;
            ok = false;
        }
        for (; ok && i < s.size(); ++i) {
            const char c = s[i];
            if (std::isdigit(static_cast<unsigned char>(c)) || c == '_') digits = true;
            else if (c == '.' && !dot && !exp) dot = true;
            else if ((c == 'e' || c == 'E') && digits && !exp) {
                exp = true;
                if (i + 1 < s.size() && (s[i + 1] == '+' || s[i + 1] == '-')) ++i;
            } else ok = false;
        }
        if (ok && digits) return true;
    }
    if (std::string("-?:,[]{}#&*!|>'\"%@`").find(s[0]) != std::string::npos) {
        // "-x", "?x" and ":x" stay plain in yaml.v3 when followed by a non-space.
        if (!((s[0] == '-' || s[0] == '?' || s[0] == ':') && s.size() > 1 && s[1] != ' ')) return true;
    }
    if (s.front() == ' ' || s.back() == ' ' || s.find('\n') != std::string::npos || s.find('\t') != std::string::npos)
        return true;
    return s.find(": ") != std::string::npos || s.find(" #") != std::string::npos || s.back() == ':';
}

std::string yaml_scalar(const std::string& s) {
    if (!yaml_needs_quotes(s)) return s;
    std::string o = "\"";
    for (char c : s) {
        if (c == '"' || c == '\\') o += '\\';
        if (c == '\n') o += "\\n";
        else if (c == '\t') o += "\\t";
        else o += c;
    }
    return o + "\"";
}

fs::path index_file(const fs::path& tree, bool& compressed) {
    const fs::path plain = tree / kTreeIndexFile;
    compressed = false;
    if (fs::exists(plain)) return plain;
    compressed = true;
    return tree / (std::string(kTreeIndexFile) + ".zstd");
}

}  // namespace

TreeIndex generate_tree_index(const fs::path& tree, const TreeIndexOptions& opts) {
    if (tree.empty()) throw Error("Invalid tree directory");
    const fs::path dir = clean_abs(tree);
    const fs::path base = dir.parent_path();
    TreeIndex idx = walk(dir, base, opts);
    idx.basedir = rel(base, dir);
    return idx;
}

bool has_tree_index(const fs::path& tree) {
    return fs::exists(tree / kTreeIndexFile) || fs::exists(tree / (std::string(kTreeIndexFile) + ".zstd"));
}

TreeIndex read_tree_index(const fs::path& tree) {
    bool compressed = false;
    const fs::path file = index_file(tree, compressed);
    if (!fs::exists(file)) throw Error("File " + file.string() + " doesn't exists");
    std::string text = core::read_file(file);
    if (compressed) text = decompress_zstd(text, file);
    const nlohmann::json j = nlohmann::json::parse(text, nullptr, false);
    if (j.is_discarded() || !j.is_object()) throw Error(file.string() + ": not a tree index (invalid JSON)");
    TreeIndex idx;
    try {
        if (j.contains("basedir")) idx.basedir = j.at("basedir").get<std::string>();
        if (j.contains("packages") && !j.at("packages").is_null())
            for (const auto& [name, list] : j.at("packages").items())
                for (const auto& e : list)
                    idx.packages[name].push_back({e.value("version", std::string()), e.value("path", std::string())});
    } catch (const nlohmann::json::exception& e) {
        throw Error(file.string() + ": not a tree index (" + e.what() + ")");
    }
    return idx;
}

std::string tree_index_json(const TreeIndex& idx) {
    std::string o = "{";
    if (!idx.packages.empty()) {
        o += "\"packages\":{";
        bool first_name = true;
        for (const auto& [name, entries] : idx.packages) {
            if (!first_name) o += ',';
            first_name = false;
            o += go_json_string(name) + ":[";
            for (size_t i = 0; i < entries.size(); ++i) {
                if (i) o += ',';
                std::string fields;
                if (!entries[i].version.empty()) fields += "\"version\":" + go_json_string(entries[i].version);
                if (!entries[i].path.empty())
                    fields += (fields.empty() ? "" : ",") + std::string("\"path\":") + go_json_string(entries[i].path);
                o += "{" + fields + "}";
            }
            o += ']';
        }
        o += '}';
    }
    if (!idx.basedir.empty()) o += std::string(o.size() > 1 ? "," : "") + "\"basedir\":" + go_json_string(idx.basedir);
    return o + "}";
}

std::string tree_index_yaml(const TreeIndex& idx) {
    std::string o;
    if (!idx.packages.empty()) {
        o += "packages:\n";
        for (const auto& [name, entries] : idx.packages) {
            o += "    " + yaml_scalar(name) + ":\n";
            for (const auto& e : entries) {
                std::string lead = "        - ";
                if (e.version.empty() && e.path.empty()) o += lead + "{}\n";
                if (!e.version.empty()) {
                    o += lead + "version: " + yaml_scalar(e.version) + "\n";
                    lead = "          ";
                }
                if (!e.path.empty()) o += lead + "path: " + yaml_scalar(e.path) + "\n";
            }
        }
    }
    if (!idx.basedir.empty()) o += "basedir: " + yaml_scalar(idx.basedir) + "\n";
    return o.empty() ? "{}\n" : o;
}

std::vector<std::string> stale_tree_index(const fs::path& tree) {
    if (!has_tree_index(tree)) return {};
    const TreeIndex stored = read_tree_index(tree);
    const fs::path dir = clean_abs(tree);
    const TreeIndex fresh = generate_tree_index(tree, {.compress = false, .only_upper_level = false, .dry_run = true});
    // Compare where each entry points to, as upstream joins TREE/BASEDIR/PATH.
    using Key = std::tuple<std::string, std::string, std::string>;
    auto keys = [](const TreeIndex& idx, const fs::path& from) {
        std::set<Key> out;
        for (const auto& [name, entries] : idx.packages)
            for (const auto& e : entries)
                out.insert({name, e.version, (from / idx.basedir / e.path).lexically_normal().string()});
        return out;
    };
    const auto old_keys = keys(stored, dir), new_keys = keys(fresh, dir);
    std::vector<std::string> out;
    for (const auto& [name, version, path] : old_keys)
        if (!new_keys.count({name, version, path}))
            out.push_back("the index lists " + name + "-" + version + " (" + path + "), which the tree no longer has");
    for (const auto& [name, version, path] : new_keys)
        if (!old_keys.count({name, version, path}))
            out.push_back("the tree has " + name + "-" + version + " (" + path + "), which the index lacks");
    return out;
}

}  // namespace luet::spec
