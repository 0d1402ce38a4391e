// Signed repositories (ours: neither upstream signs its repositories). create-repo
// --sign-key FILE writes, beside repository.yaml, the detached signature repository.yaml.sig;
// a client whose repository configuration has `verify: {keys: [...]}` checks it before it
// uses anything the repository serves. repository.yaml holds the sha256 of every other
// document (tree, meta, compilertree) and the meta document holds every artifact's sha256,
// so the one signature covers the whole repository. Upstream clients never ask for the .sig
// file and read repository.yaml as before.
//
// Keys are Ed25519 (RFC 8032) through OpenSSL libcrypto, stored as PEM: the private key as
// PKCS#8 ("-----BEGIN PRIVATE KEY-----", file mode 0600), the public key as
// SubjectPublicKeyInfo ("-----BEGIN PUBLIC KEY-----"), as `openssl genpkey -algorithm
// ed25519` and `openssl pkey -pubout` write them.
//
// The signature file is text, one signature a line: the base64 (RFC 4648, padded) of the
// 64-byte Ed25519 signature of repository.yaml's exact bytes. Several lines are several keys
// (rotation: sign with the old and the new key while clients move over); blank lines and
// lines starting with '#' are ignored. The file is accepted when one line verifies with one
// of the configured keys.
//
// Expiry: repository.yaml may say `expires: "SECONDS"` (since the epoch, as last_update;
// create-repo --expires DURATION). Being inside the signed document, it bounds how long a
// captured signed repository can be replayed; sync() refuses an expired repository.yaml.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace luet::repo {

// The name of the detached signature of `index_file_name` ("repository.yaml.sig").
std::string signature_file_name(const std::string& index_file_name);

// The most bytes a signature file may have when downloaded (64 KiB: ~700 signatures).
inline constexpr std::uint64_t kMaxSignatureBytes = 64u << 10;

// Writes a new Ed25519 key pair: `private_key` (PEM, mode 0600) and `public_key` (PEM), each
// atomically. Throws luet::Error naming the file when it exists already (a key is never
// overwritten) or cannot be written.
void generate_key_pair(const std::filesystem::path& private_key, const std::filesystem::path& public_key);

// The public key of a private key file as PEM. Throws luet::Error naming the file when it
// cannot be read or is not an Ed25519 private key.
std::string public_key_of(const std::filesystem::path& private_key);

// One signature line (base64, no newline) of `data` with the Ed25519 private key in
// `private_key` (PEM). Throws luet::Error naming the file when it cannot be read or is not
// an Ed25519 private key.
std::string sign(const std::string& data, const std::filesystem::path& private_key);

// A public key as configured: its PEM text. Throws luet::Error naming `origin` when `pem` is
// not an Ed25519 public key.
void check_public_key(const std::string& pem, const std::string& origin);

// True when a line of `signatures` (the signature file's text) is a valid Ed25519 signature
// of `data` by one of `public_keys` (PEM texts). Malformed lines verify nothing. Throws
// luet::Error naming `origin` when a key is not an Ed25519 public key.
bool verify(const std::string& data, const std::string& signatures, const std::vector<std::string>& public_keys,
            const std::string& origin);

}  // namespace luet::repo
