#include "luet/repo/registry.hpp"

#include <curl/curl.h>
#include <openssl/evp.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <sstream>

#include "luet/core/error.hpp"

namespace fs = std::filesystem;
using json = nlohmann::json;

namespace luet::repo::registry {
namespace {

std::string lower(std::string s) {
    for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

std::string trim(const std::string& s) {
    const auto b = s.find_first_not_of(" \t\r\n");
    if (b == std::string::npos) return {};
    const auto e = s.find_last_not_of(" \t\r\n");
    return s.substr(b, e - b + 1);
}

bool is_loopback(const std::string& host) {
    std::string h = host;
    if (h.starts_with("[")) return h.starts_with("[::1]");
    if (const auto c = h.find(':'); c != std::string::npos) h = h.substr(0, c);
    return h == "localhost" || h.starts_with("127.");
}

class Sha256 {
public:
    Sha256() : ctx_(EVP_MD_CTX_new(), EVP_MD_CTX_free) {
        if (!ctx_ || EVP_DigestInit_ex(ctx_.get(), EVP_sha256(), nullptr) != 1) throw Error("sha256: cannot initialise");
    }
    void update(const void* data, size_t n) { EVP_DigestUpdate(ctx_.get(), data, n); }
    std::string digest() {
        unsigned char md[EVP_MAX_MD_SIZE];
        unsigned int len = 0;
        EVP_DigestFinal_ex(ctx_.get(), md, &len);
        static const char* hex = "0123456789abcdef";
        std::string out = "sha256:";
        for (unsigned i = 0; i < len; ++i) {
            out += hex[md[i] >> 4];
            out += hex[md[i] & 15];
        }
        return out;
    }

private:
    std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx_;
};

void curl_init_once() {
    static std::once_flag once;
    std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

std::string url_escape(const std::string& s) {
    std::string out;
    static const char* hex = "0123456789ABCDEF";
    for (unsigned char c : s) {
        if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
            out += static_cast<char>(c);
        } else {
            out += '%';
            out += hex[c >> 4];
            out += hex[c & 15];
        }
    }
    return out;
}

std::string base64_decode(const std::string& in, bool& ok) {
    std::string s = trim(in);
    ok = false;
    if (s.empty() || s.size() % 4 != 0) return {};
    std::string out(s.size() / 4 * 3, '\0');
    const int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                  reinterpret_cast<const unsigned char*>(s.data()), static_cast<int>(s.size()));
    if (n < 0) return {};
    size_t len = static_cast<size_t>(n);
    if (s.ends_with("==")) len -= 2;
    else if (s.ends_with("=")) len -= 1;
    out.resize(len);
    ok = true;
    return out;
}

}  // namespace

// ---- references, challenges, credentials -------------------------------------------------

Reference Reference::parse(const std::string& image) {
    Reference r;
    std::string s = image;
    if (s.starts_with("http://")) {
        r.plain_http = true;
        s = s.substr(7);
    } else if (s.starts_with("https://")) {
        s = s.substr(8);
    }
    while (s.ends_with("/")) s.pop_back();
    if (s.empty()) throw Error("image reference '" + image + "': empty");
    std::string rest = s;
    const auto slash = s.find('/');
    if (slash != std::string::npos) {
        const std::string first = s.substr(0, slash);
        if (first.find('.') != std::string::npos || first.find(':') != std::string::npos || first == "localhost" ||
            first.starts_with("[")) {
            r.host = first;
            rest = s.substr(slash + 1);
        }
    }
    if (r.host.empty()) {
        r.host = "registry-1.docker.io";
        if (rest.find('/') == std::string::npos) rest = "library/" + rest;
    }
    if (const auto at = rest.find('@'); at != std::string::npos) {
        r.name = rest.substr(0, at);
        r.reference = rest.substr(at + 1);
        if (!r.reference.starts_with("sha256:")) throw Error("image reference '" + image + "': unsupported digest");
    } else {
        const auto colon = rest.rfind(':');
        if (colon != std::string::npos && rest.find('/', colon) == std::string::npos) {
            r.name = rest.substr(0, colon);
            r.reference = rest.substr(colon + 1);
            if (r.reference.empty() || r.reference.size() > 128)
                throw Error("image reference '" + image + "': malformed tag");
            for (char c : r.reference)
                if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '.' && c != '-')
                    throw Error("image reference '" + image + "': malformed tag '" + r.reference + "'");
        } else {
            r.name = rest;
            r.reference = "latest";
        }
    }
    if (r.name.empty()) throw Error("image reference '" + image + "': no repository name");
    if (!r.plain_http) r.plain_http = is_loopback(r.host) && !image.starts_with("https://");
    return r;
}

std::string Reference::str() const {
    return host + "/" + name + (reference.starts_with("sha256:") ? "@" : ":") + reference;
}

std::optional<Challenge> parse_challenge(const std::string& header) {
    const std::string h = trim(header);
    const auto sp = h.find(' ');
    Challenge ch;
    ch.scheme = h.substr(0, sp);
    if (ch.scheme.empty()) return std::nullopt;
    if (sp == std::string::npos) return ch;
    size_t i = sp + 1;
    while (i < h.size()) {
        while (i < h.size() && (h[i] == ' ' || h[i] == ',')) ++i;
        const auto eq = h.find('=', i);
        if (eq == std::string::npos) break;
        const std::string key = lower(trim(h.substr(i, eq - i)));
        i = eq + 1;
        std::string value;
        if (i < h.size() && h[i] == '"') {
            ++i;
            while (i < h.size() && h[i] != '"') {
                if (h[i] == '\\' && i + 1 < h.size()) ++i;
                value += h[i++];
            }
            ++i;  // closing quote
        } else {
            const auto comma = h.find(',', i);
            value = trim(h.substr(i, comma == std::string::npos ? std::string::npos : comma - i));
            i = comma == std::string::npos ? h.size() : comma;
        }
        ch.params[key] = value;
    }
    return ch;
}

fs::path default_docker_config() {
    if (const char* d = std::getenv("DOCKER_CONFIG"); d && *d) return fs::path(d) / "config.json";
    if (const char* h = std::getenv("HOME"); h && *h) return fs::path(h) / ".docker" / "config.json";
    return {};
}

std::optional<Credentials> credentials_from_docker_config(const fs::path& config_json, const std::string& host) {
    std::error_code ec;
    if (config_json.empty() || !fs::is_regular_file(config_json, ec)) return std::nullopt;
    std::ifstream in(config_json);
    json doc;
    try {
        doc = json::parse(in);
    } catch (const json::exception& e) {
        throw Error(config_json.string() + ": not a docker config.json: " + e.what());
    }
    if (!doc.is_object() || !doc.contains("auths") || !doc["auths"].is_object()) return std::nullopt;
    auto key_host = [](std::string k) {
        if (k.starts_with("http://")) k = k.substr(7);
        else if (k.starts_with("https://")) k = k.substr(8);
        if (const auto s = k.find('/'); s != std::string::npos) k = k.substr(0, s);
        return k;
    };
    const bool hub = host == "registry-1.docker.io" || host == "docker.io" || host == "index.docker.io";
    for (const auto& [key, entry] : doc["auths"].items()) {
        const std::string kh = key_host(key);
        if (!(kh == host || (hub && (kh == "index.docker.io" || kh == "docker.io" || kh == "registry-1.docker.io"))))
            continue;
        if (!entry.is_object()) continue;
        if (entry.contains("auth") && entry["auth"].is_string() && !entry["auth"].get<std::string>().empty()) {
            bool ok = false;
            const std::string plain = base64_decode(entry["auth"].get<std::string>(), ok);
            const auto colon = plain.find(':');
            if (!ok || colon == std::string::npos)
                throw Error(config_json.string() + ": auths." + key + ".auth is not base64 \"user:password\"");
            return Credentials{plain.substr(0, colon), plain.substr(colon + 1), {}};
        }
        if (entry.contains("username") && entry["username"].is_string())
            return Credentials{entry["username"].get<std::string>(), entry.value("password", std::string()), {}};
    }
    return std::nullopt;
}

std::optional<Credentials> credentials_from_auth(const std::map<std::string, std::string>& auth,
                                                 const std::string& what) {
    auto get = [&](const char* key) {
        const auto it = auth.find(key);
        return it == auth.end() ? std::string() : it->second;
    };
    if (const std::string token = get("registrytoken"); !token.empty()) return Credentials{{}, {}, token};
    if (const std::string user = get("username"); !user.empty()) return Credentials{user, get("password"), {}};
    if (const std::string encoded = get("auth"); !encoded.empty()) {
        bool ok = false;
        const std::string plain = base64_decode(encoded, ok);
        const auto colon = plain.find(':');
        if (!ok || colon == std::string::npos) throw Error(what + ": auth.auth is not base64 \"user:password\"");
        return Credentials{plain.substr(0, colon), plain.substr(colon + 1), {}};
    }
    if (!get("identitytoken").empty())
        throw Error(what + ": auth.identitytoken (an OAuth2 refresh token) is not supported: give username and "
                           "password, auth or registrytoken");
    return std::nullopt;
}

// ---- documents ---------------------------------------------------------------------------

std::string digest_of(const std::string& data) {
    Sha256 h;
    h.update(data.data(), data.size());
    return h.digest();
}

std::string digest_of_file(const fs::path& file) {
    std::ifstream in(file, std::ios::binary);
    if (!in) throw Error("cannot read " + file.string());
    Sha256 h;
    std::vector<char> buf(1 << 16);
    while (in) {
        in.read(buf.data(), static_cast<std::streamsize>(buf.size()));
        if (in.gcount() > 0) h.update(buf.data(), static_cast<size_t>(in.gcount()));
    }
    if (in.bad()) throw Error("cannot read " + file.string());
    return h.digest();
}

std::string pick_platform(const std::string& index_json, const std::string& os, const std::string& arch) {
    json doc;
    try {
        doc = json::parse(index_json);
    } catch (const json::exception& e) {
        throw Error(std::string("image index: not JSON: ") + e.what());
    }
    if (!doc.contains("manifests") || !doc["manifests"].is_array()) throw Error("image index: no manifests list");
    std::string offered;
    for (const auto& m : doc["manifests"]) {
        const auto p = m.value("platform", json::object());
        const std::string mos = p.value("os", std::string()), march = p.value("architecture", std::string());
        if (mos == os && march == arch && m.contains("digest")) return m["digest"].get<std::string>();
        offered += (offered.empty() ? "" : ", ") + mos + "/" + march;
    }
    throw Error("image index: no manifest for " + os + "/" + arch + " (offered: " +
                (offered.empty() ? "none" : offered) + ")");
}

Manifest parse_manifest(const std::string& raw, const std::string& media_type) {
    json doc;
    try {
        doc = json::parse(raw);
    } catch (const json::exception& e) {
        throw Error(std::string("image manifest: not JSON: ") + e.what());
    }
    Manifest m;
    m.raw = raw;
    m.digest = digest_of(raw);
    m.media_type = doc.value("mediaType", media_type);
    if (m.media_type.empty()) m.media_type = media_type;
    if (doc.value("schemaVersion", 0) != 2) throw Error("image manifest: schemaVersion is not 2");
    auto desc = [](const json& j) {
        if (!j.is_object() || !j.contains("digest") || !j["digest"].is_string())
            throw Error("image manifest: descriptor without digest");
        Descriptor d;
        d.media_type = j.value("mediaType", std::string());
        d.digest = j["digest"].get<std::string>();
        d.size = j.value("size", std::uint64_t{0});
        if (!d.digest.starts_with("sha256:")) throw Error("image manifest: unsupported digest " + d.digest);
        return d;
    };
    if (!doc.contains("config") || !doc.contains("layers") || !doc["layers"].is_array())
        throw Error("image manifest (" + m.media_type + "): no config or layers");
    m.config = desc(doc["config"]);
    for (const auto& l : doc["layers"]) m.layers.push_back(desc(l));
    return m;
}

// ---- HTTP --------------------------------------------------------------------------------

struct Client::Request {
    std::string method = "GET";
    std::string url;  // absolute
    std::vector<std::string> headers;
    const std::string* body = nullptr;  // request body in memory
    FILE* upload = nullptr;             // or from a file
    std::uint64_t upload_size = 0;
    FILE* sink = nullptr;  // 2xx body to this file (hashed into `hash`), else kept in Response::body
    Sha256* hash = nullptr;
    std::uint64_t resume_from = 0;  // > 0: the sink holds these bytes already; ask for the rest (Range)
    std::string scope;  // bearer scope to ask when the challenge names none
};

struct Client::Response {
    long status = 0;
    std::map<std::string, std::string> headers;  // lower-cased names, last response only
    std::string body;
    std::string error;  // transport error
};

namespace {

struct Transfer {
    CURL* curl = nullptr;
    FILE* sink = nullptr;
    Sha256* hash = nullptr;
    std::string* body = nullptr;
    std::map<std::string, std::string>* headers = nullptr;
    const std::string* upload_data = nullptr;
    size_t upload_pos = 0;
    bool write_failed = false;
    std::uint64_t resume_from = 0;  // bytes the sink held before this transfer
    bool checked = false;           // the status of the first body byte was looked at
};

size_t on_header(char* data, size_t size, size_t n, void* userp) {
    auto* t = static_cast<Transfer*>(userp);
    const std::string line(data, size * n);
    if (line.starts_with("HTTP/")) {
        t->headers->clear();
    } else if (const auto c = line.find(':'); c != std::string::npos) {
        (*t->headers)[lower(trim(line.substr(0, c)))] = trim(line.substr(c + 1));
    }
    return size * n;
}

size_t on_body(char* data, size_t size, size_t n, void* userp) {
    auto* t = static_cast<Transfer*>(userp);
    long code = 0;
    curl_easy_getinfo(t->curl, CURLINFO_RESPONSE_CODE, &code);
    if (t->sink && code >= 200 && code < 300) {
        if (!t->checked) {
            t->checked = true;
            // A range asked for but the whole blob sent (200, not 206): start the file over.
            if (t->resume_from > 0 && code == 200) {
                if (fflush(t->sink) != 0 || ftruncate(fileno(t->sink), 0) != 0 || fseek(t->sink, 0, SEEK_SET) != 0) {
                    t->write_failed = true;
                    return 0;
                }
                if (t->hash) *t->hash = Sha256();
                t->resume_from = 0;
            }
        }
        if (t->hash) t->hash->update(data, size * n);
        if (fwrite(data, size, n, t->sink) != n) {
            t->write_failed = true;
            return 0;
        }
        return size * n;
    }
    if (t->body->size() < (64u << 20)) t->body->append(data, size * n);
    return size * n;
}

size_t on_read(char* buf, size_t size, size_t n, void* userp) {
    auto* t = static_cast<Transfer*>(userp);
    const size_t want = size * n;
    const size_t left = t->upload_data->size() - t->upload_pos;
    const size_t k = std::min(want, left);
    std::copy_n(t->upload_data->data() + t->upload_pos, k, buf);
    t->upload_pos += k;
    return k;
}

// The error a registry returned: its errors[].message when the body is the spec's JSON.
std::string registry_error(long status, const std::string& body) {
    std::string msg = "HTTP " + std::to_string(status);
    try {
        const auto doc = json::parse(body);
        if (doc.contains("errors") && doc["errors"].is_array())
            for (const auto& e : doc["errors"])
                msg += ": " + e.value("code", std::string()) + " " + e.value("message", std::string());
    } catch (const json::exception&) {
    }
    return msg;
}

}  // namespace

Client::Client(std::string host, bool plain_http, std::optional<Credentials> credentials, std::string os,
               std::string arch)
    : host_(std::move(host)), plain_http_(plain_http), credentials_(std::move(credentials)), os_(std::move(os)),
      arch_(std::move(arch)) {
    curl_init_once();
    if (credentials_ && !credentials_->registry_token.empty()) authorization_ = "Bearer " + credentials_->registry_token;
    if (const char* c = std::getenv("LUET_REGISTRY_CHUNK_SIZE"); c && *c) {
        try {
            chunk_threshold = chunk_size = std::max<std::uint64_t>(1, std::stoull(c));
        } catch (const std::exception&) {
            throw Error(std::string("LUET_REGISTRY_CHUNK_SIZE: not a number of bytes: ") + c);
        }
    }
}

std::string Client::refusal(const Response& res) const {
    if (res.status != 401) return registry_error(res.status, res.body);
    if (!credentials_)
        return registry_error(res.status, res.body) + " — the registry " + host_ +
               " asks for credentials and none are configured: add auth: {username: U, password: P} to the "
               "repository's configuration, or log in to " + host_ + " in docker's config.json (" +
               default_docker_config().string() + ")";
    return registry_error(res.status, res.body) + " — the registry " + host_ + " refused the credentials" +
           (credentials_->registry_token.empty() ? " of user " + credentials_->username : std::string(" (registrytoken)"));
}

std::string Client::base() const {
    return std::string(plain_http_ ? "http://" : "https://") + (host_ == "docker.io" ? "registry-1.docker.io" : host_);
}

Client::Response Client::send(Request& req) {
    for (int attempt = 0; attempt < 2; ++attempt) {
        Response res;
        CURL* curl = curl_easy_init();
        if (!curl) throw Error("registry " + host_ + ": cannot start a transfer");
        Transfer t{curl, req.sink, req.hash, &res.body, &res.headers, req.body, 0, false, req.resume_from, false};
        char errbuf[CURL_ERROR_SIZE] = {0};
        struct curl_slist* hl = nullptr;
        for (const auto& h : req.headers) hl = curl_slist_append(hl, h.c_str());
        if (req.resume_from > 0) hl = curl_slist_append(hl, ("Range: bytes=" + std::to_string(req.resume_from) + "-").c_str());
        if (!authorization_.empty()) hl = curl_slist_append(hl, ("Authorization: " + authorization_).c_str());
        curl_easy_setopt(curl, CURLOPT_URL, req.url.c_str());
        curl_easy_setopt(curl, CURLOPT_HTTPHEADER, hl);
        curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 1L);
        curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, on_header);
        curl_easy_setopt(curl, CURLOPT_HEADERDATA, &t);
        curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_body);
        curl_easy_setopt(curl, CURLOPT_WRITEDATA, &t);
        curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, errbuf);
        curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, 30L);
        curl_easy_setopt(curl, CURLOPT_LOW_SPEED_LIMIT, 1L);
        curl_easy_setopt(curl, CURLOPT_LOW_SPEED_TIME, 60L);
        curl_easy_setopt(curl, CURLOPT_USERAGENT, "luet-cpp");
        if (req.method == "HEAD") {
            curl_easy_setopt(curl, CURLOPT_NOBODY, 1L);
        } else if (req.method == "POST" || req.method == "PATCH") {
            curl_easy_setopt(curl, CURLOPT_POST, 1L);
            if (req.method == "PATCH") curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, "PATCH");
            curl_easy_setopt(curl, CURLOPT_POSTFIELDS, req.body ? req.body->c_str() : "");
            curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE,
                             static_cast<curl_off_t>(req.body ? req.body->size() : 0));
        } else if (req.method == "PUT") {
            curl_easy_setopt(curl, CURLOPT_UPLOAD, 1L);
            if (req.upload) {
                rewind(req.upload);
                curl_easy_setopt(curl, CURLOPT_READDATA, req.upload);
                curl_easy_setopt(curl, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(req.upload_size));
            } else {
                curl_easy_setopt(curl, CURLOPT_READFUNCTION, on_read);
                curl_easy_setopt(curl, CURLOPT_READDATA, &t);
                curl_easy_setopt(curl, CURLOPT_INFILESIZE_LARGE,
                                 static_cast<curl_off_t>(req.body ? req.body->size() : 0));
            }
        } else if (req.method != "GET") {
            curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, req.method.c_str());
        }
        static const std::string kEmpty;
        if (!req.body) t.upload_data = &kEmpty;
        const CURLcode rc = curl_easy_perform(curl);
        curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &res.status);
        curl_slist_free_all(hl);
        curl_easy_cleanup(curl);
        if (t.write_failed) res.error = "cannot write the downloaded data";
        else if (rc != CURLE_OK) res.error = errbuf[0] ? std::string(errbuf) : curl_easy_strerror(rc);
        if (res.status == 401 && attempt == 0 && res.error.empty()) {
            const auto it = res.headers.find("www-authenticate");
            if (it != res.headers.end()) {
                if (const auto ch = parse_challenge(it->second); ch && authorize(*ch, req.scope)) {
                    if (req.sink && req.resume_from == 0) {
                        // Nothing was written for the 401 answer; start the sink over anyway.
                        if (fflush(req.sink) != 0 || ftruncate(fileno(req.sink), 0) != 0) {
                            res.error = "cannot truncate the download";
                            return res;
                        }
                        rewind(req.sink);
                        if (req.hash) *req.hash = Sha256();
                    }
                    continue;
                }
            }
        }
        return res;
    }
    return {};
}

bool Client::authorize(const Challenge& ch, const std::string& fallback_scope) {
    const std::string scheme = lower(ch.scheme);
    if (scheme == "basic") {
        if (!credentials_ || !credentials_->registry_token.empty()) return false;
        const std::string plain = credentials_->username + ":" + credentials_->password;
        std::string enc(4 * ((plain.size() + 2) / 3) + 1, '\0');
        const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(enc.data()),
                                      reinterpret_cast<const unsigned char*>(plain.data()),
                                      static_cast<int>(plain.size()));
        enc.resize(static_cast<size_t>(n));
        const std::string value = "Basic " + enc;
        if (value == authorization_) return false;  // already refused with these credentials
        authorization_ = value;
        return true;
    }
    if (scheme != "bearer") return false;
    const auto realm = ch.params.find("realm");
    if (realm == ch.params.end() || realm->second.empty())
        throw Error("registry " + host_ + ": bearer challenge without realm");
    std::string url = realm->second;
    std::string q;
    if (const auto s = ch.params.find("service"); s != ch.params.end()) q += "service=" + url_escape(s->second);
    std::string scope = fallback_scope;
    if (const auto s = ch.params.find("scope"); s != ch.params.end() && !s->second.empty()) scope = s->second;
    if (!scope.empty()) q += std::string(q.empty() ? "" : "&") + "scope=" + url_escape(scope);
    if (!q.empty()) url += (url.find('?') == std::string::npos ? "?" : "&") + q;

    CURL* curl = curl_easy_init();
    std::string body;
    std::map<std::string, std::string> headers;
    Transfer t{curl, nullptr, nullptr, &body, &headers, nullptr, 0, false};
    char errbuf[CURL_ERROR_SIZE] = {0};
    curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
    curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 1L);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &t);
    curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(curl, CURLOPT_HEADERDATA, &t);
    curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, errbuf);
    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, 30L);
    curl_easy_setopt(curl, CURLOPT_USERAGENT, "luet-cpp");
    const bool basic = credentials_ && credentials_->registry_token.empty();
    const std::string userpwd = basic ? credentials_->username + ":" + credentials_->password : "";
    if (basic) {
        curl_easy_setopt(curl, CURLOPT_HTTPAUTH, CURLAUTH_BASIC);
        curl_easy_setopt(curl, CURLOPT_USERPWD, userpwd.c_str());
    }
    const CURLcode rc = curl_easy_perform(curl);
    long status = 0;
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
    curl_easy_cleanup(curl);
    if (rc != CURLE_OK)
        throw Error("registry " + host_ + ": token service " + realm->second + ": " +
                    (errbuf[0] ? std::string(errbuf) : curl_easy_strerror(rc)));
    if (status != 200)
        throw Error("registry " + host_ + ": token service " + realm->second + " refused (HTTP " +
                    std::to_string(status) + ")" + (credentials_ ? "" : " without credentials"));
    std::string token;
    try {
        const auto doc = json::parse(body);
        token = doc.value("token", std::string());
        if (token.empty()) token = doc.value("access_token", std::string());
    } catch (const json::exception&) {
    }
    if (token.empty()) throw Error("registry " + host_ + ": token service " + realm->second + " sent no token");
    const std::string value = "Bearer " + token;
    if (value == authorization_) return false;
    authorization_ = value;
    return true;
}

// ---- API ---------------------------------------------------------------------------------

Manifest Client::manifest(const std::string& name, const std::string& reference) {
    const std::string image = host_ + "/" + name + (reference.starts_with("sha256:") ? "@" : ":") + reference;
    std::string ref = reference;
    for (int depth = 0; depth < 2; ++depth) {
        Request req;
        req.url = base() + "/v2/" + name + "/manifests/" + ref;
        req.scope = "repository:" + name + ":pull";
        req.headers.push_back(std::string("Accept: ") + kOciManifest + ", " + kDockerManifest + ", " + kOciIndex +
                              ", " + kDockerList);
        const Response res = send(req);
        if (!res.error.empty()) throw Error("image " + image + ": " + res.error);
        if (res.status == 404) throw Error("image " + image + ": not found in the registry");
        if (res.status != 200) throw Error("image " + image + ": manifest refused: " + refusal(res));
        if (ref.starts_with("sha256:") && digest_of(res.body) != ref)
            throw Error("image " + image + ": manifest digest mismatch (want " + ref + ", got " + digest_of(res.body) +
                        ")");
        std::string type;
        if (const auto it = res.headers.find("content-type"); it != res.headers.end()) type = it->second;
        try {
            const auto doc = json::parse(res.body);
            type = doc.value("mediaType", type);
            if (type.empty() && doc.contains("manifests")) type = kOciIndex;
        } catch (const json::exception& e) {
            throw Error("image " + image + ": manifest is not JSON: " + e.what());
        }
        if (type.starts_with(kOciIndex) || type.starts_with(kDockerList)) {
            try {
                ref = pick_platform(res.body, os_, arch_);
            } catch (const Error& e) {
                throw Error("image " + image + ": " + e.what());
            }
            continue;
        }
        try {
            return parse_manifest(res.body, type);
        } catch (const Error& e) {
            throw Error("image " + image + ": " + e.what());
        }
    }
    throw Error("image " + image + ": an index points to another index");
}

bool Client::manifest_exists(const std::string& name, const std::string& reference) {
    Request req;
    req.method = "HEAD";
    req.url = base() + "/v2/" + name + "/manifests/" + reference;
    req.scope = "repository:" + name + ":pull";
    req.headers.push_back(std::string("Accept: ") + kOciManifest + ", " + kDockerManifest + ", " + kOciIndex + ", " +
                          kDockerList);
    const Response res = send(req);
    if (!res.error.empty()) throw Error("image " + host_ + "/" + name + ":" + reference + ": " + res.error);
    if (res.status == 200) return true;
    if (res.status == 404) return false;
    throw Error("image " + host_ + "/" + name + ":" + reference + ": " + refusal(res));
}

bool Client::blob_exists(const std::string& name, const std::string& digest) {
    Request req;
    req.method = "HEAD";
    req.url = base() + "/v2/" + name + "/blobs/" + digest;
    req.scope = "repository:" + name + ":pull";
    const Response res = send(req);
    if (!res.error.empty()) throw Error("blob " + host_ + "/" + name + "@" + digest + ": " + res.error);
    if (res.status == 200) return true;
    if (res.status == 404) return false;
    throw Error("blob " + host_ + "/" + name + "@" + digest + ": " + refusal(res));
}

void Client::blob_to_file(const std::string& name, const std::string& digest, const fs::path& dest) {
    const std::string what = "blob " + host_ + "/" + name + "@" + digest;
    if (!digest.starts_with("sha256:")) throw Error(what + ": unsupported digest algorithm");
    const fs::path part = dest.string() + ".part";
    std::error_code ec;
    auto fail = [&](const std::string& msg) {
        fs::remove(part, ec);
        throw Error(what + ": " + msg);
    };
    Sha256 hash;  // of the bytes in the part file, carried over a resumed transfer
    std::uint64_t have = 0;
    std::string dropped;  // why the previous attempts ended
    for (int attempt = 1;; ++attempt) {
        FILE* out = fopen(part.c_str(), have > 0 ? "ab" : "wb");
        if (!out) throw Error(what + ": cannot write " + part.string());
        Request req;
        req.url = base() + "/v2/" + name + "/blobs/" + digest;
        req.scope = "repository:" + name + ":pull";
        req.sink = out;
        req.hash = &hash;
        req.resume_from = have;
        Response res;
        try {
            res = send(req);
        } catch (...) {
            fclose(out);
            fs::remove(part, ec);
            throw;
        }
        const bool closed = fclose(out) == 0;
        if (!closed) fail("cannot write " + part.string());
        if (res.status == 404) fail("not found in the registry");
        if (res.status != 0 && res.status != 200 && res.status != 206) fail(refusal(res));
        if (res.error.empty()) break;
        // A dropped transfer: what arrived is kept and the rest asked for with a Range request.
        if (res.error == "cannot write the downloaded data" || res.error == "cannot truncate the download") fail(res.error);
        dropped += (dropped.empty() ? "" : "; ") + res.error;
        if (attempt >= kBlobAttempts)
            fail("the transfer failed " + std::to_string(attempt) + " times (" + dropped + ")");
        have = fs::file_size(part, ec);
        if (ec) fail("cannot read the size of " + part.string());
    }
    const std::string got = hash.digest();
    if (got != digest) fail("digest mismatch: the registry sent " + got + " (nothing kept)");
    fs::rename(part, dest, ec);
    if (ec) fail("cannot rename " + part.string() + ": " + ec.message());
}

namespace {
// Location headers may be relative to the registry.
std::string absolute_location(const std::string& base, const std::string& loc) {
    if (loc.starts_with("http://") || loc.starts_with("https://")) return loc;
    return base + (loc.starts_with("/") ? "" : "/") + loc;
}
}  // namespace

std::string Client::start_upload(const std::string& name, const std::string& what) {
    Request post;
    post.method = "POST";
    post.url = base() + "/v2/" + name + "/blobs/uploads/";
    post.scope = "repository:" + name + ":pull,push";
    const Response started = send(post);
    if (!started.error.empty()) throw Error(what + ": " + started.error);
    const auto loc = started.headers.find("location");
    if (started.status != 202 || loc == started.headers.end())
        throw Error(what + ": upload refused: " + refusal(started));
    return absolute_location(base(), loc->second);
}

namespace {
std::string with_digest(std::string url, const std::string& digest) {
    return url + (url.find('?') == std::string::npos ? "?" : "&") + "digest=" + url_escape(digest);
}
}  // namespace

Descriptor Client::push_blob(const std::string& name, const fs::path& file) {
    Descriptor d;
    d.digest = digest_of_file(file);
    d.size = fs::file_size(file);
    if (blob_exists(name, d.digest)) return d;
    const std::string what = "push " + host_ + "/" + name + " blob " + d.digest + " (" + file.string() + ")";
    if (d.size > chunk_threshold) return push_chunked(name, file, d, what);
    const std::string url = with_digest(start_upload(name, what), d.digest);
    FILE* in = fopen(file.c_str(), "rb");
    if (!in) throw Error(what + ": cannot read the file");
    Request put;
    put.method = "PUT";
    put.url = url;
    put.scope = "repository:" + name + ":pull,push";
    put.upload = in;
    put.upload_size = d.size;
    put.headers.push_back("Content-Type: application/octet-stream");
    Response done;
    try {
        done = send(put);
    } catch (...) {
        fclose(in);
        throw;
    }
    fclose(in);
    if (!done.error.empty()) throw Error(what + ": " + done.error);
    if (done.status != 201) throw Error(what + ": " + refusal(done));
    return d;
}

Descriptor Client::push_blob_data(const std::string& name, const std::string& data) {
    Descriptor d;
    d.digest = digest_of(data);
    d.size = data.size();
    if (blob_exists(name, d.digest)) return d;
    const std::string what = "push " + host_ + "/" + name + " blob " + d.digest;
    const std::string url = with_digest(start_upload(name, what), d.digest);
    Request put;
    put.method = "PUT";
    put.url = url;
    put.scope = "repository:" + name + ":pull,push";
    put.body = &data;
    put.headers.push_back("Content-Type: application/octet-stream");
    const Response done = send(put);
    if (!done.error.empty()) throw Error(what + ": " + done.error);
    if (done.status != 201) throw Error(what + ": " + refusal(done));
    return d;
}

Descriptor Client::push_chunked(const std::string& name, const fs::path& file, const Descriptor& d,
                                const std::string& what) {
    std::string url = start_upload(name, what);
    std::ifstream in(file, std::ios::binary);
    if (!in) throw Error(what + ": cannot read the file");
    std::string chunk;
    for (std::uint64_t offset = 0; offset < d.size;) {
        const std::uint64_t n = std::min<std::uint64_t>(chunk_size, d.size - offset);
        chunk.resize(static_cast<size_t>(n));
        if (!in.read(chunk.data(), static_cast<std::streamsize>(n))) throw Error(what + ": cannot read the file");
        Request patch;
        patch.method = "PATCH";
        patch.url = url;
        patch.scope = "repository:" + name + ":pull,push";
        patch.body = &chunk;
        patch.headers = {"Content-Type: application/octet-stream",
                         "Content-Range: " + std::to_string(offset) + "-" + std::to_string(offset + n - 1), "Expect:"};
        const Response res = send(patch);
        if (!res.error.empty()) throw Error(what + ": chunk at byte " + std::to_string(offset) + ": " + res.error);
        const auto loc = res.headers.find("location");
        if (res.status != 202 || loc == res.headers.end())
            throw Error(what + ": chunk at byte " + std::to_string(offset) + " refused: " + refusal(res));
        url = absolute_location(base(), loc->second);
        offset += n;
    }
    static const std::string kEmpty;
    Request put;
    put.method = "PUT";
    put.url = with_digest(url, d.digest);
    put.scope = "repository:" + name + ":pull,push";
    put.body = &kEmpty;
    put.headers.push_back("Content-Type: application/octet-stream");
    const Response done = send(put);
    if (!done.error.empty()) throw Error(what + ": " + done.error);
    if (done.status != 201) throw Error(what + ": closing the chunked upload: " + refusal(done));
    return d;
}

std::string Client::push_manifest(const std::string& name, const std::string& reference, const std::string& media_type,
                                  const std::string& body) {
    const std::string what = "push " + host_ + "/" + name + ":" + reference;
    Request put;
    put.method = "PUT";
    put.url = base() + "/v2/" + name + "/manifests/" + reference;
    put.scope = "repository:" + name + ":pull,push";
    put.body = &body;
    put.headers.push_back("Content-Type: " + media_type);
    const Response res = send(put);
    if (!res.error.empty()) throw Error(what + ": " + res.error);
    if (res.status != 201) throw Error(what + ": manifest refused: " + refusal(res));
    return digest_of(body);
}

}  // namespace luet::repo::registry
