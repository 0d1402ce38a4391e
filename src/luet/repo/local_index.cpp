#include "luet/repo/local_index.hpp"

#include <nlohmann/json.hpp>

#include <fstream>

#include "luet/core/error.hpp"
#include "luet/core/file.hpp"

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

// The index goes into the copy being built, which sync() swaps in whole by rename: like
// the other files of the copy it is not flushed one by one (an fsync costs seconds on a
// busy disk).
void write_file(const fs::path& file, const std::string& content) {
    std::ofstream out(file, std::ios::binary | std::ios::trunc);
    out << content;
    if (!out.flush()) throw Error("cannot write " + file.string());
}

}  // namespace

void write_local_index(const fs::path& dir, const std::vector<artifact::Metadata>& metas,
                       const std::vector<bool>& has_finalize) {
    std::string files;
    json packages = json::array();
    for (size_t i = 0; i < metas.size(); ++i) {
        const auto& m = metas[i];
        const auto& d = m.runtime;
        const std::uint64_t at = files.size();
        files += json(m.files).dump() + "\n";
        packages.push_back(json::array({m.path, artifact::compression_name(m.compression), m.sha256,
                                        static_cast<bool>(has_finalize[i]), at, d.form.category, d.form.name,
                                        d.form.version, refs_json(d.requires_), refs_json(d.conflicts),
                                        refs_json(d.provides), d.hidden, json(d.labels), json(d.annotations),
                                        d.description, d.license, json(d.uri)}));
    }
    write_file(dir / kLocalFilesFile, files);
    const json index = {{"format", kLocalIndexFormat}, {"files", kLocalFilesFile}, {"packages", std::move(packages)}};
    write_file(dir / kLocalIndexFile, index.dump() + "\n");
}

bool has_local_index(const fs::path& dir) {
    std::ifstream in(dir / kLocalIndexFile);
    std::string head(64, '\0');
    in.read(head.data(), static_cast<std::streamsize>(head.size()));
    head.resize(static_cast<size_t>(in.gcount()));
    // dump() writes the keys sorted: "files" first, then "format".
    return head.find("\"format\":" + std::to_string(kLocalIndexFormat) + ",") != std::string::npos;
}

std::vector<IndexedPackage> read_local_index(const fs::path& dir, bool with_files) {
    const fs::path file = dir / kLocalIndexFile;
    std::vector<IndexedPackage> out;
    std::string files_text;
    try {
        const json index = json::parse(core::read_file(file));
        if (index.at("format") != kLocalIndexFormat)
            throw Error("format " + index.at("format").dump() + ", not " + std::to_string(kLocalIndexFormat));
        if (with_files) files_text = core::read_file(dir / kLocalFilesFile);
        const json& packages = index.at("packages");
        out.reserve(packages.size());
        for (const auto& p : packages) {
            IndexedPackage ip;
            artifact::Metadata& m = ip.meta;
            m.path = p.at(0).get<std::string>();
            m.compression = artifact::parse_compression(p.at(1).get<std::string>());
            m.sha256 = p.at(2).get<std::string>();
            ip.has_finalize = p.at(3).get<bool>();
            ip.files_at = p.at(4).get<std::uint64_t>();
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
            if (with_files) {
                if (ip.files_at >= files_text.size()) throw Error("files of " + d.form.str() + " beyond the end of " + kLocalFilesFile);
                const size_t end = files_text.find('\n', ip.files_at);
                m.files = json::parse(std::string_view(files_text).substr(ip.files_at, end - ip.files_at))
                              .get<std::vector<std::string>>();
            }
            out.push_back(std::move(ip));
        }
    } catch (const json::exception& e) {
        throw Error(file.string() + ": malformed local index (" + e.what() + "); run luet repo update --force");
    } catch (const Error& e) {
        throw Error(file.string() + ": " + e.what() + "; run luet repo update --force");
    }
    return out;
}

}  // namespace luet::repo
