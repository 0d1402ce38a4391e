#include "luet/repo/transport.hpp"

#include <curl/curl.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <thread>

#include "luet/core/error.hpp"
#include "luet/repo/docker_repo.hpp"

namespace fs = std::filesystem;

namespace luet::repo {
namespace {

class DiskTransport : public Transport {
public:
    DiskTransport(std::string repo, std::vector<std::string> urls) : repo_(std::move(repo)), urls_(std::move(urls)) {}

    void download(const std::string& name, const fs::path& dest, const ByteProgress& progress,
                  std::uint64_t max_bytes) const override {
        std::string tried;
        for (const auto& url : urls_) {
            const fs::path src = fs::path(url) / name;
            std::error_code ec;
            if (!fs::is_regular_file(src, ec)) {
                tried += " " + src.string();
                continue;
            }
            if (const auto size = fs::file_size(src, ec); max_bytes > 0 && !ec && size > max_bytes)
                throw SizeLimitError("repository " + repo_ + ": " + src.string() + " is " + std::to_string(size) +
                            " bytes, more than the " + std::to_string(max_bytes) + " bytes allowed for it");
            const fs::path part = dest.string() + ".part";
            fs::copy_file(src, part, fs::copy_options::overwrite_existing, ec);
            if (ec) throw Error("repository " + repo_ + ": cannot copy " + src.string() + ": " + ec.message());
            fs::rename(part, dest);
            if (progress) {
                const auto size = fs::file_size(dest);
                progress(size, size);
            }
            return;
        }
        throw Error("repository " + repo_ + ": " + name + " not found (tried" + tried + ")");
    }

private:
    std::string repo_;
    std::vector<std::string> urls_;
};

// The CA certificates HTTPS downloads are verified against: $LUET_CA_BUNDLE, else
// $SSL_CERT_FILE, else the first bundle found where distributions keep it (the list Go's
// crypto/x509 searches, which upstream luet uses). The static build's libcurl has no
// compiled-in path; for the dynamic build the first entry is Debian's default anyway.
struct CaLocation {
    std::string file;  // CURLOPT_CAINFO, when not empty
    std::string dir;   // CURLOPT_CAPATH (hashed certificates), when no file was found
};

const CaLocation& ca_location() {
    static const CaLocation where = [] {
        for (const char* var : {"LUET_CA_BUNDLE", "SSL_CERT_FILE"})
            if (const char* v = std::getenv(var); v && *v) return CaLocation{v, {}};
        std::error_code ec;
        for (const char* f : {"/etc/ssl/certs/ca-certificates.crt", "/etc/pki/tls/certs/ca-bundle.crt",
                              "/etc/ssl/ca-bundle.pem", "/etc/pki/tls/cacert.pem",
                              "/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem", "/etc/ssl/cert.pem"})
            if (fs::is_regular_file(f, ec)) return CaLocation{f, {}};
        for (const char* d : {"/etc/ssl/certs", "/etc/pki/tls/certs"})
            if (fs::is_directory(d, ec)) return CaLocation{{}, d};
        return CaLocation{};
    }();
    return where;
}

void curl_init_once() {
    static std::once_flag once;
    std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

struct CurlDownload {
    FILE* out = nullptr;
    std::uint64_t resume_from = 0;
    bool checked_status = false;
    CURL* curl = nullptr;
    const ByteProgress* progress = nullptr;
    std::string error;
    std::uint64_t max_bytes = 0;  // 0: no limit
    std::uint64_t written = 0;    // bytes in the part file (resume_from included)
    bool over_limit = false;      // cut off at max_bytes
};

size_t write_body(char* data, size_t size, size_t n, void* userp) {
    auto* d = static_cast<CurlDownload*>(userp);
    if (!d->checked_status) {
        // A server that ignores the Range header answers 200 with the whole file: start over.
        long code = 0;
        curl_easy_getinfo(d->curl, CURLINFO_RESPONSE_CODE, &code);
        if (d->resume_from > 0 && code == 200) {
            if (fflush(d->out) != 0 || ftruncate(fileno(d->out), 0) != 0 || fseek(d->out, 0, SEEK_SET) != 0) {
                d->error = "cannot truncate the partial file";
                return 0;
            }
            d->resume_from = 0;
        }
        d->written = d->resume_from;
        d->checked_status = true;
        // A body announced larger than the cap is refused before its first byte is written.
        curl_off_t length = -1;
        curl_easy_getinfo(d->curl, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &length);
        if (d->max_bytes > 0 && length > 0 && d->resume_from + static_cast<std::uint64_t>(length) > d->max_bytes) {
            d->error = "the server announces " + std::to_string(d->resume_from + static_cast<std::uint64_t>(length)) +
                       " bytes, more than the " + std::to_string(d->max_bytes) + " bytes allowed for it";
            d->over_limit = true;
            return 0;
        }
    }
    d->written += size * n;
    if (d->max_bytes > 0 && d->written > d->max_bytes) {
        d->error = "the body is larger than the " + std::to_string(d->max_bytes) + " bytes allowed for it; cut off";
        d->over_limit = true;
        return 0;
    }
    return fwrite(data, size, n, d->out) * size;
}

int on_progress(void* userp, curl_off_t total, curl_off_t now, curl_off_t, curl_off_t) {
    auto* d = static_cast<CurlDownload*>(userp);
    if (d->progress && *d->progress)
        (*d->progress)(d->resume_from + static_cast<std::uint64_t>(now),
                       total > 0 ? d->resume_from + static_cast<std::uint64_t>(total) : 0);
    return 0;
}

class HttpTransport : public Transport {
public:
    // `authorization`: the Authorization header value sent with every request ("" none).
    HttpTransport(std::string repo, std::vector<std::string> urls, int timeout, std::string authorization)
        : repo_(std::move(repo)), urls_(std::move(urls)), timeout_(timeout), authorization_(std::move(authorization)) {}

    void download(const std::string& name, const fs::path& dest, const ByteProgress& progress,
                  std::uint64_t max_bytes) const override {
        std::string errors;
        // Clock::time_point::max(): no limit.
        const Clock::time_point deadline =
            timeout_ > 0 ? Clock::now() + std::chrono::seconds(timeout_) : Clock::time_point::max();
        bool over_limit = false;  // a url failed on max_bytes: SizeLimitError
        for (const auto& base : urls_) {
            const std::string url = (base.ends_with("/") ? base : base + "/") + name;
            std::string err;
            if (fetch(url, dest, progress, max_bytes, deadline, err, over_limit)) return;
            errors += "\n  " + url + ": " + err;
            if (Clock::now() >= deadline) {
                errors += "\n  (the download took longer than the http timeout of " + std::to_string(timeout_) +
                          " s: general.http_timeout, --http-timeout)";
                break;
            }
        }
        const std::string message = "repository " + repo_ + ": cannot download " + name + ":" + errors;
        if (over_limit) throw SizeLimitError(message);
        throw Error(message);
    }

private:
    static constexpr int kAttempts = 4;
    using Clock = std::chrono::steady_clock;

    // One url, retried on transfer errors (not on HTTP errors such as 404, nor on a body
    // over max_bytes, nor after the deadline). Returns false with `err` set when every
    // attempt failed.
    bool fetch(const std::string& url, const fs::path& dest, const ByteProgress& progress, std::uint64_t max_bytes,
               Clock::time_point deadline, std::string& err, bool& over_limit) const {
        const fs::path part = dest.string() + ".part";
        std::error_code ec;
        fs::remove(part, ec);
        for (int attempt = 1; attempt <= kAttempts; ++attempt) {
            long left_ms = 0;  // 0: no limit (curl's meaning)
            if (deadline != Clock::time_point::max()) {
                left_ms = static_cast<long>(
                    std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count());
                if (left_ms <= 0) {
                    if (err.empty()) err = "timed out";
                    break;
                }
            }
            const std::uint64_t have = fs::exists(part, ec) ? fs::file_size(part, ec) : 0;
            FILE* out = fopen(part.c_str(), have > 0 ? "ab" : "wb");
            if (!out) {
                err = "cannot write " + part.string();
                return false;
            }
            // libcurl (and with it OpenSSL) is set up on the first transfer, not for every
            // repository a command reads from its local copy.
            curl_init_once();
            CURL* curl = curl_easy_init();
            CurlDownload d{out, have, false, curl, &progress, {}, max_bytes, have, false};
            char errbuf[CURL_ERROR_SIZE] = {0};
            curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
            curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 1L);
            curl_easy_setopt(curl, CURLOPT_MAXREDIRS, kMaxRedirects);
            if (left_ms > 0) curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, left_ms);
            curl_easy_setopt(curl, CURLOPT_FAILONERROR, 1L);
            curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, write_body);
            curl_easy_setopt(curl, CURLOPT_WRITEDATA, &d);
            curl_easy_setopt(curl, CURLOPT_XFERINFOFUNCTION, on_progress);
            curl_easy_setopt(curl, CURLOPT_XFERINFODATA, &d);
            curl_easy_setopt(curl, CURLOPT_NOPROGRESS, 0L);
            curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, errbuf);
            curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, 30L);
            // A stalled or trickling connection counts as dropped.
            curl_easy_setopt(curl, CURLOPT_LOW_SPEED_LIMIT, kLowSpeedBytes);
            curl_easy_setopt(curl, CURLOPT_LOW_SPEED_TIME, kLowSpeedSeconds);
            curl_easy_setopt(curl, CURLOPT_USERAGENT, "luet-cpp");
            if (const auto& ca = ca_location(); !ca.file.empty())
                curl_easy_setopt(curl, CURLOPT_CAINFO, ca.file.c_str());
            else if (!ca.dir.empty())
                curl_easy_setopt(curl, CURLOPT_CAPATH, ca.dir.c_str());
            if (have > 0) curl_easy_setopt(curl, CURLOPT_RESUME_FROM_LARGE, static_cast<curl_off_t>(have));
            struct curl_slist* headers = nullptr;
            if (!authorization_.empty()) {
                headers = curl_slist_append(headers, ("Authorization: " + authorization_).c_str());
                curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
            }
            const CURLcode rc = curl_easy_perform(curl);
            curl_slist_free_all(headers);
            long status = 0;
            curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
            curl_easy_cleanup(curl);
            const bool closed = fclose(out) == 0;
            if (rc == CURLE_OK && closed && d.error.empty()) {
                fs::rename(part, dest);
                return true;
            }
            err = !d.error.empty() ? d.error : (errbuf[0] ? std::string(errbuf) : curl_easy_strerror(rc));
            if (rc == CURLE_TOO_MANY_REDIRECTS) err += " (more than " + std::to_string(kMaxRedirects) + " redirects)";
            // Neither a body over its limit nor a redirect loop changes on retry.
            if (d.over_limit) over_limit = true;
            if (!d.error.empty() || rc == CURLE_TOO_MANY_REDIRECTS) break;
            // HTTP errors (404, 403 ...) will not change on retry; a failed range request
            // (416) means the partial file is unusable.
            if (rc == CURLE_HTTP_RETURNED_ERROR && status != 416 && status < 500) break;
            if (status == 416) fs::remove(part, ec);
            if (attempt < kAttempts) std::this_thread::sleep_for(std::chrono::milliseconds(200 * attempt));
        }
        fs::remove(part, ec);
        return false;
    }

    std::string repo_;
    std::vector<std::string> urls_;
    int timeout_;
    std::string authorization_;
};

// auth: of an http repository (mudler/luet pkg/installer/client/http.go): `token` is sent as
// "Authorization: token X", else `basic` as "Authorization: Basic X" (already base64).
std::string http_authorization(const std::map<std::string, std::string>& auth) {
    if (const auto it = auth.find("token"); it != auth.end()) return "token " + it->second;
    if (const auto it = auth.find("basic"); it != auth.end()) return "Basic " + it->second;
    return {};
}

}  // namespace

std::unique_ptr<Transport> make_transport(const config::RepositoryConfig& rc) {
    if (rc.urls.empty()) throw Error("repository " + rc.name + " (" + rc.origin + ") has no urls");
    if (rc.type == "disk") return std::make_unique<DiskTransport>(rc.name, rc.urls);
    if (rc.type == "http")
        return std::make_unique<HttpTransport>(rc.name, rc.urls, rc.http_timeout, http_authorization(rc.auth));
    if (rc.type == "docker") return make_docker_transport(rc);
    throw Error("repository " + rc.name + " (" + rc.origin + "): type " + rc.type +
                " is not supported by this client (use disk, http or docker)");
}

}  // namespace luet::repo
