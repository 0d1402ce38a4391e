#include "luet/build/cache.hpp"

#include <openssl/evp.h>

#include <algorithm>
#include <cstdio>
#include <memory>
#include <set>

#include "luet/core/error.hpp"
#include "luet/repo/registry.hpp"

namespace fs = std::filesystem;

namespace luet::build {
namespace {

std::string md5_hex(const std::string& data) {
    std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned len = 0;
    if (!ctx || EVP_DigestInit_ex(ctx.get(), EVP_md5(), nullptr) != 1 ||
        EVP_DigestUpdate(ctx.get(), data.data(), data.size()) != 1 || EVP_DigestFinal_ex(ctx.get(), md, &len) != 1)
        throw Error("md5: cannot hash");
    std::string out;
    char hex[3];
    for (unsigned i = 0; i < len; ++i) {
        std::snprintf(hex, sizeof hex, "%02x", md[i]);
        out += hex;
    }
    return out;
}

// The packages whose images `p`'s build starts from or copies from (not the ones whose
// artifacts it unpacks).
std::vector<const spec::PackageSpec*> image_deps(const spec::Tree& tree, const spec::PackageSpec& p) {
    std::vector<const spec::PackageSpec*> out;
    const auto& b = p.build;
    if (b.image.empty() && !b.requires_final_images && !b.requires_.empty())
        if (const auto* d = tree.best_match(b.requires_.front())) out.push_back(d);
    for (const auto& c : b.copy)
        if (c.package)
            if (const auto* d = tree.best_match(*c.package)) out.push_back(d);
    return out;
}

// A package with no image to start from (a virtual package) has no cache images.
bool has_images(const spec::PackageSpec& p) { return !p.build.image.empty() || !p.build.requires_.empty(); }

}  // namespace

std::string package_image_name(const std::string& repository, const std::string& hash) {
    return repository + ":" + hash;
}

std::string builder_image_name(const std::string& repository, const core::PackageForm& form, const std::string& hash) {
    return repository + ":builder-" + md5_hex(form.fingerprint() + "-" + hash);
}

void push_missing_images(Backend& backend, const CacheDecision& cd, const Say& say) {
    for (const auto& image : {cd.builder_image, cd.package_image}) {
        if (remote_image_exists(image)) continue;
        if (!backend.image_exists(image)) {
            if (say) say("  ⚠ " + image + " is neither in its registry nor local: not pushed (--rebuild makes it)");
            continue;
        }
        if (say) say("  ⬆ pushing " + image);
        backend.push(image);
    }
}

void use_cached_images(Backend& backend, const core::PackageForm& form, const CacheDecision& cd,
                       const CacheOptions& opts, const Say& say) {
    if (cd.pull_from.empty()) {
        if (say) say("  ↺ images of build hash " + cd.hash + " found locally (" + cd.package_image + "): no step runs");
        if (opts.push) push_missing_images(backend, cd, say);
        return;
    }
    const std::string pkg = package_image_name(cd.pull_from, cd.hash);
    const std::string bld = builder_image_name(cd.pull_from, form, cd.hash);
    if (say) say("  ⬇ pulling " + pkg + " and " + bld + ": no step runs");
    backend.pull(bld);
    backend.pull(pkg);
    if (bld != cd.builder_image) backend.tag(bld, cd.builder_image);
    if (pkg != cd.package_image) backend.tag(pkg, cd.package_image);
}

void store_cache_images(Backend& backend, const CacheDecision& cd, const std::string& builder,
                        const std::string& package_image, const CacheOptions& opts, const Say& say) {
    if (builder != cd.builder_image) backend.tag(builder, cd.builder_image);
    if (package_image != cd.package_image) backend.tag(package_image, cd.package_image);
    if (!opts.push) return;
    for (const auto& image : {cd.builder_image, cd.package_image}) {
        if (say) say("  ⬆ pushing " + image);
        backend.push(image);
    }
}

std::string seed_identity(Backend& backend, const std::string& image, bool may_pull) {
    if (backend.image_exists(image)) return backend.image_id(image);
    std::string why;
    try {
        const auto ref = repo::registry::Reference::parse(image);
        repo::registry::Client client(ref.host, ref.plain_http,
                                      repo::registry::credentials_from_docker_config(
                                          repo::registry::default_docker_config(), ref.host));
        return client.manifest(ref.name, ref.reference).config.digest;
    } catch (const Error& e) {
        why = e.what();
    }
    // The engine may reach it where our client cannot (registry mirrors, credential helpers).
    if (may_pull) {
        try {
            backend.pull(image);
            return backend.image_id(image);
        } catch (const Error& e) {
            why += "; " + std::string(e.what());
        }
    }
    throw Error("seed image " + image + " is not local and neither its registry nor the engine can tell its content: " +
                why);
}

HashInputs hash_inputs(const BuildOptions& opts, Backend& backend, bool may_pull) {
    HashInputs in;
    in.source_date_epoch = opts.source_date_epoch;
    in.destination = opts.destination;
    in.luet_version = opts.luet_version;
    auto ids = std::make_shared<std::map<std::string, std::string>>();
    in.seed_id = [ids, &backend, may_pull](const std::string& image) {
        auto it = ids->find(image);
        if (it == ids->end()) it = ids->emplace(image, seed_identity(backend, image, may_pull)).first;
        return it->second;
    };
    return in;
}

bool remote_image_exists(const std::string& image) {
    const auto ref = repo::registry::Reference::parse(image);
    repo::registry::Client client(ref.host, ref.plain_http,
                                  repo::registry::credentials_from_docker_config(
                                      repo::registry::default_docker_config(), ref.host));
    return client.manifest_exists(ref.name, ref.reference);
}

std::vector<artifact::Metadata> current_artifacts(const spec::PackageSpec& p, const std::string& hash,
                                                  const BuildOptions& opts) {
    std::vector<const spec::Definition*> defs{&p.definition};
    for (const auto& s : p.build.subpackages) defs.push_back(&s.definition);
    std::vector<artifact::Metadata> out;
    for (const auto* d : defs) {
        const fs::path meta_file = opts.destination / (d->form.fingerprint() + ".metadata.yaml");
        if (!fs::is_regular_file(meta_file)) return {};
        artifact::Metadata m;
        try {
            m = artifact::read_metadata(meta_file);
        } catch (const Error&) {
            return {};  // unreadable: rebuilt and rewritten
        }
        const std::string expected = d->form.fingerprint() + artifact::package_suffix(opts.compression);
        if (m.package_cacheimage != hash || m.path != expected) return {};
        const fs::path file = opts.destination / m.path;
        if (!fs::is_regular_file(file) || artifact::sha256_file(file) != m.sha256) return {};
        out.push_back(std::move(m));
    }
    return out;
}

std::map<const spec::PackageSpec*, CacheDecision> plan_cache(const spec::Tree& tree,
                                                            const std::vector<const spec::PackageSpec*>& order,
                                                            const BuildOptions& opts, Backend& backend,
                                                            const std::function<void(const std::string&)>& warn) {
    const CacheOptions& c = opts.cache;
    std::map<const spec::PackageSpec*, CacheDecision> out;
    HashCache hashes;
    const HashInputs inputs = hash_inputs(opts, backend);
    for (const auto* p : order) {
        CacheDecision& d = out[p];
        d.hash = build_hash(tree, *p, hashes, inputs);
        d.package_image = package_image_name(c.image_repository, d.hash);
        d.builder_image = builder_image_name(c.image_repository, p->definition.form, d.hash);
        if (!c.rebuild) {
            d.artifacts = current_artifacts(*p, d.hash, opts);
            d.artifact_current = !d.artifacts.empty();
        }
    }
    if (c.rebuild) return out;

    // Which hash-tagged images are local: asked of the engine at once for the packages whose
    // artifacts are not current; a package with a current artifact is asked about only when
    // a package to build needs its image (so an unchanged tree asks nothing).
    std::map<std::string, bool> local;
    std::vector<std::string> names;
    for (const auto* p : order)
        if (has_images(*p) && !out.at(p).artifact_current)
            names.insert(names.end(), {out.at(p).package_image, out.at(p).builder_image});
    if (!names.empty()) {
        const std::vector<bool> exist = backend.images_exist(names);
        for (std::size_t i = 0; i < names.size(); ++i) local[names[i]] = exist[i];
    }
    auto is_local = [&](const std::string& image) {
        auto it = local.find(image);
        if (it == local.end()) it = local.emplace(image, backend.image_exists(image)).first;
        return it->second;
    };

    // Images wanted by packages that will run steps; dependants come later in the plan, so
    // going backwards each package knows whether a build needs its image.
    std::set<const spec::PackageSpec*> image_wanted;
    for (auto it = order.rbegin(); it != order.rend(); ++it) {
        const auto* p = *it;
        CacheDecision& d = out.at(p);
        const bool wanted = image_wanted.count(p) > 0;
        if (d.artifact_current && !wanted) {
            d.action = CacheAction::Skip;
            continue;
        }
        if (!has_images(*p)) {
            d.action = d.artifact_current ? CacheAction::Skip : CacheAction::Build;
        } else if (is_local(d.package_image) && is_local(d.builder_image)) {
            d.action = CacheAction::FromImages;
        } else if (c.pull) {
            std::vector<std::string> repos{c.image_repository};
            repos.insert(repos.end(), c.pull_repositories.begin(), c.pull_repositories.end());
            if (auto it = c.package_image_repositories.find(p->definition.form.str());
                it != c.package_image_repositories.end() && std::find(repos.begin(), repos.end(), it->second) == repos.end())
                repos.push_back(it->second);
            for (const auto& r : repos) {
                try {
                    if (remote_image_exists(package_image_name(r, d.hash)) &&
                        remote_image_exists(builder_image_name(r, p->definition.form, d.hash))) {
                        d.action = CacheAction::FromImages;
                        d.pull_from = r;
                        break;
                    }
                } catch (const Error& e) {
                    if (warn) warn("cannot look up " + package_image_name(r, d.hash) + ": " + e.what());
                }
            }
        }
        if (d.action == CacheAction::Build)
            for (const auto* dep : image_deps(tree, *p)) image_wanted.insert(dep);
    }
    return out;
}

}  // namespace luet::build
