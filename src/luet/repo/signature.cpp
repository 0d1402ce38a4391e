#include "luet/repo/signature.hpp"

#include <fcntl.h>
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>
#include <sstream>

#include "luet/core/error.hpp"
#include "luet/core/file.hpp"

namespace fs = std::filesystem;

namespace luet::repo {
namespace {

struct KeyFree {
    void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
struct BioFree {
    void operator()(BIO* b) const { BIO_free(b); }
};
struct CtxFree {
    void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
};
struct PkeyCtxFree {
    void operator()(EVP_PKEY_CTX* c) const { EVP_PKEY_CTX_free(c); }
};
using Key = std::unique_ptr<EVP_PKEY, KeyFree>;
using Bio = std::unique_ptr<BIO, BioFree>;

constexpr std::size_t kSignatureBytes = 64;

std::string bio_text(BIO* b) {
    char* data = nullptr;
    const long n = BIO_get_mem_data(b, &data);
    return std::string(data, n > 0 ? static_cast<std::size_t>(n) : 0);
}

Key read_private_key(const fs::path& file) {
    const std::string pem = core::read_file(file);
    Bio b(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
    Key k(b ? PEM_read_bio_PrivateKey(b.get(), nullptr, nullptr, nullptr) : nullptr);
    if (!k || EVP_PKEY_get_base_id(k.get()) != EVP_PKEY_ED25519)
        throw Error(file.string() + ": not an Ed25519 private key (PEM \"BEGIN PRIVATE KEY\", as luet repo keygen writes)");
    return k;
}

Key read_public_key(const std::string& pem, const std::string& origin) {
    Bio b(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
    Key k(b ? PEM_read_bio_PUBKEY(b.get(), nullptr, nullptr, nullptr) : nullptr);
    if (!k || EVP_PKEY_get_base_id(k.get()) != EVP_PKEY_ED25519)
        throw Error(origin + ": not an Ed25519 public key (PEM \"BEGIN PUBLIC KEY\", as luet repo keygen writes)");
    return k;
}

std::string public_pem(EVP_PKEY* k) {
    Bio b(BIO_new(BIO_s_mem()));
    if (!b || PEM_write_bio_PUBKEY(b.get(), k) != 1) throw Error("cannot encode an Ed25519 public key");
    return bio_text(b.get());
}

// Writes `content` to `dest` with `mode`, never replacing an existing file: a temporary file
// is hard-linked to the final name (link fails when it exists).
void write_new_file(const fs::path& dest, const std::string& content, mode_t mode) {
    const fs::path tmp = dest.string() + ".tmp" + std::to_string(::getpid());
    const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
    if (fd < 0) throw Error("cannot write " + tmp.string() + ": " + std::strerror(errno));
    const bool ok = ::write(fd, content.data(), content.size()) == static_cast<ssize_t>(content.size()) &&
                    ::fsync(fd) == 0;
    ::close(fd);
    const int linked = ok ? ::link(tmp.c_str(), dest.c_str()) : -1;
    const int err = errno;
    ::unlink(tmp.c_str());
    if (!ok) throw Error("cannot write " + dest.string());
    if (linked != 0)
        throw Error(dest.string() + (err == EEXIST ? ": exists already; a key is never overwritten"
                                                   : ": cannot write: " + std::string(std::strerror(err))));
}

std::string base64(const unsigned char* data, std::size_t n) {
    std::string out(4 * ((n + 2) / 3) + 1, '\0');
    const int len = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), data, static_cast<int>(n));
    out.resize(static_cast<std::size_t>(len));
    return out;
}

// The 64 signature bytes of one line, or empty when the line is not the base64 of 64 bytes.
std::string signature_bytes(const std::string& line) {
    if (line.size() != 88 || !line.ends_with("==")) return {};
    std::string out(66, '\0');
    const int len = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                    reinterpret_cast<const unsigned char*>(line.data()), static_cast<int>(line.size()));
    if (len != 66) return {};  // 88 characters decode to 66 bytes, the last two the padding
    out.resize(kSignatureBytes);
    return out;
}

bool verify_one(EVP_PKEY* key, const std::string& data, const std::string& sig) {
    std::unique_ptr<EVP_MD_CTX, CtxFree> ctx(EVP_MD_CTX_new());
    if (!ctx || EVP_DigestVerifyInit(ctx.get(), nullptr, nullptr, nullptr, key) != 1) return false;
    return EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(sig.data()), sig.size(),
                            reinterpret_cast<const unsigned char*>(data.data()), data.size()) == 1;
}

}  // namespace

std::string signature_file_name(const std::string& index_file_name) { return index_file_name + ".sig"; }

void generate_key_pair(const fs::path& private_key, const fs::path& public_key) {
    for (const auto& f : {private_key, public_key}) {
        std::error_code ec;
        if (fs::exists(fs::symlink_status(f, ec)))
            throw Error(f.string() + ": exists already; a key is never overwritten");
    }
    std::unique_ptr<EVP_PKEY_CTX, PkeyCtxFree> ctx(EVP_PKEY_CTX_new_id(EVP_PKEY_ED25519, nullptr));
    EVP_PKEY* raw = nullptr;
    if (!ctx || EVP_PKEY_keygen_init(ctx.get()) != 1 || EVP_PKEY_keygen(ctx.get(), &raw) != 1)
        throw Error("cannot generate an Ed25519 key (OpenSSL)");
    const Key k(raw);
    Bio b(BIO_new(BIO_s_mem()));
    if (!b || PEM_write_bio_PrivateKey(b.get(), k.get(), nullptr, nullptr, 0, nullptr, nullptr) != 1)
        throw Error("cannot encode an Ed25519 private key");
    write_new_file(private_key, bio_text(b.get()), 0600);
    write_new_file(public_key, public_pem(k.get()), 0644);
}

std::string public_key_of(const fs::path& private_key) { return public_pem(read_private_key(private_key).get()); }

std::string sign(const std::string& data, const fs::path& private_key) {
    const Key k = read_private_key(private_key);
    std::unique_ptr<EVP_MD_CTX, CtxFree> ctx(EVP_MD_CTX_new());
    unsigned char sig[kSignatureBytes];
    std::size_t len = sizeof sig;
    if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, nullptr, nullptr, k.get()) != 1 ||
        EVP_DigestSign(ctx.get(), sig, &len, reinterpret_cast<const unsigned char*>(data.data()), data.size()) != 1 ||
        len != kSignatureBytes)
        throw Error(private_key.string() + ": cannot sign with this key (OpenSSL)");
    return base64(sig, len);
}

void check_public_key(const std::string& pem, const std::string& origin) { read_public_key(pem, origin); }

bool verify(const std::string& data, const std::string& signatures, const std::vector<std::string>& public_keys,
            const std::string& origin) {
    std::vector<Key> keys;
    for (const auto& pem : public_keys) keys.push_back(read_public_key(pem, origin));
    std::istringstream in(signatures);
    for (std::string line; std::getline(in, line);) {
        if (!line.empty() && line.back() == '\r') line.pop_back();
        if (line.empty() || line[0] == '#') continue;
        const std::string sig = signature_bytes(line);
        if (sig.empty()) continue;
        for (const auto& k : keys)
            if (verify_one(k.get(), data, sig)) return true;
    }
    return false;
}

}  // namespace luet::repo
