// The rest of the function set of Helm's engine (helm.sh/helm/v3 pkg/engine/funcs.go: sprig
// v3 TxtFuncMap plus Helm's own), which upstream luet renders build specs with: dates,
// hashes, uuid and random strings, float math with sprig's decimal semantics, string case
// conversions (huandu/xstrings, Masterminds/goutils), lists, dicts, paths, urls, base32,
// TOML, reflection and the must* variants (same results; errors abort the render).
// Not provided: the certificate and key generators, bcrypt, htpasswd and derivePassword.
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <algorithm>
#include <climits>
#include <cerrno>
#include <charconv>
#include <memory>
#include <cmath>
#include <cstring>

#include "luet/template/internal.hpp"
#include "luet/template/template.hpp"

namespace luet::tmpl::detail {
namespace {

using Args = std::vector<json>;

// Randomness and hashes ----------------------------------------------------------------------

std::string random_bytes(size_t n) {
    std::string b(n, '\0');
    if (n && RAND_bytes(reinterpret_cast<unsigned char*>(b.data()), static_cast<int>(n)) != 1)
        ferr("cannot read random bytes");
    return b;
}

std::uint64_t random_below(std::uint64_t n) {  // uniform in [0, n)
    if (n == 0) return 0;
    const std::uint64_t limit = UINT64_MAX - UINT64_MAX % n;
    for (;;) {
        std::uint64_t v = 0;
        const std::string b = random_bytes(8);
        std::memcpy(&v, b.data(), 8);
        if (v < limit) return v % n;
    }
}

std::string random_from(const std::string& alphabet, std::int64_t count) {
    if (count < 0) ferr("Requested random string length " + std::to_string(count) + " is less than 0.");
    std::string out;
    for (std::int64_t i = 0; i < count; ++i) out += alphabet[random_below(alphabet.size())];
    return out;
}

std::string hex(const unsigned char* d, size_t n) {
    static const char* digits = "0123456789abcdef";
    std::string s;
    for (size_t i = 0; i < n; ++i) {
        s += digits[d[i] >> 4];
        s += digits[d[i] & 15];
    }
    return s;
}

std::string digest(const EVP_MD* md, const std::string& in) {
    unsigned char out[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    if (EVP_Digest(in.data(), in.size(), out, &len, md, nullptr) != 1) ferr("digest failed");
    return hex(out, len);
}

std::uint32_t adler32(const std::string& s) {
    std::uint32_t a = 1, b = 0;
    for (unsigned char c : s) {
        a = (a + c) % 65521;
        b = (b + a) % 65521;
    }
    return (b << 16) | a;
}

std::string uuidv4() {
    std::string b = random_bytes(16);
    b[6] = static_cast<char>((b[6] & 0x0f) | 0x40);
    b[8] = static_cast<char>((b[8] & 0x3f) | 0x80);
    const std::string h = hex(reinterpret_cast<const unsigned char*>(b.data()), 16);
    return h.substr(0, 8) + "-" + h.substr(8, 4) + "-" + h.substr(12, 4) + "-" + h.substr(16, 4) + "-" + h.substr(20);
}

// Encodings ------------------------------------------------------------------------------------

std::string b64(const std::string& in) {
    std::string out(4 * ((in.size() + 2) / 3) + 1, '\0');
    const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                  reinterpret_cast<const unsigned char*>(in.data()), static_cast<int>(in.size()));
    out.resize(static_cast<size_t>(n));
    return out;
}

std::string b64_decode(const std::string& in, bool& ok) {
    ok = false;
    if (in.size() % 4 != 0) return {};
    std::string out(in.size() / 4 * 3 + 1, '\0');
    const int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                  reinterpret_cast<const unsigned char*>(in.data()), static_cast<int>(in.size()));
    if (n < 0) return {};
    size_t len = static_cast<size_t>(n);
    if (!in.empty() && in.back() == '=') --len;
    if (in.size() > 1 && in[in.size() - 2] == '=') --len;
    out.resize(len);
    ok = true;
    return out;
}

const char* kB32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

std::string b32enc(const std::string& in) {
    std::string out;
    for (size_t i = 0; i < in.size(); i += 5) {
        std::uint64_t v = 0;
        const size_t n = std::min<size_t>(5, in.size() - i);
        for (size_t k = 0; k < 5; ++k) v = (v << 8) | (k < n ? static_cast<unsigned char>(in[i + k]) : 0);
        static const int chars[] = {0, 2, 4, 5, 7, 8};
        for (int k = 0; k < 8; ++k) out += k < chars[n] ? kB32[(v >> (35 - 5 * k)) & 31] : '=';
    }
    return out;
}

std::string b32dec(const std::string& in) {
    if (in.size() % 8 != 0) return "illegal base32 data at input byte " + std::to_string(in.size() / 8 * 8);
    std::string out;
    for (size_t i = 0; i < in.size(); i += 8) {
        std::uint64_t v = 0;
        int chars = 0;
        for (size_t k = 0; k < 8; ++k) {
            const char c = in[i + k];
            int d = 0;
            if (c == '=') {
                if (i + 8 != in.size()) return "illegal base32 data at input byte " + std::to_string(i + k);
            } else {
                const char* p = std::strchr(kB32, c);
                if (!p || c == '\0' || chars != static_cast<int>(k))
                    return "illegal base32 data at input byte " + std::to_string(i + k);
                d = static_cast<int>(p - kB32);
                ++chars;
            }
            v = (v << 5) | static_cast<std::uint64_t>(d);
        }
        static const int bytes[] = {0, -1, 1, -1, 2, 3, -1, 4, 5};
        const int n = bytes[chars];
        if (n < 0) return "illegal base32 data at input byte " + std::to_string(i + static_cast<size_t>(chars));
        for (int k = 0; k < n; ++k) out += static_cast<char>((v >> (32 - 8 * k)) & 0xff);
    }
    return out;
}

// AES-256-CBC with the password as key (zero padded), IV first; `in` is whole blocks (the
// caller pads as sprig does).
std::string aes(const std::string& password, const std::string& in, bool encrypt) {
    unsigned char key[32] = {};
    std::memcpy(key, password.data(), std::min<size_t>(32, password.size()));
    std::string iv, data;
    if (encrypt) {
        iv = random_bytes(16);
        data = in;
    } else {
        if (in.size() < 16) ferr("ciphertext too short");
        iv = in.substr(0, 16);
        data = in.substr(16);
        if (data.size() % 16 != 0) ferr("crypto/cipher: input not full blocks");
    }
    std::unique_ptr<EVP_CIPHER_CTX, decltype(&EVP_CIPHER_CTX_free)> ctx(EVP_CIPHER_CTX_new(), EVP_CIPHER_CTX_free);
    std::string out(data.size() + 32, '\0');
    int n1 = 0, n2 = 0;
    const auto* ivp = reinterpret_cast<const unsigned char*>(iv.data());
    bool ok = EVP_CipherInit_ex(ctx.get(), EVP_aes_256_cbc(), nullptr, key, ivp, encrypt ? 1 : 0) == 1 &&
              EVP_CIPHER_CTX_set_padding(ctx.get(), 0) == 1;
    ok = ok && EVP_CipherUpdate(ctx.get(), reinterpret_cast<unsigned char*>(out.data()), &n1,
                                reinterpret_cast<const unsigned char*>(data.data()), static_cast<int>(data.size())) == 1;
    ok = ok && EVP_CipherFinal_ex(ctx.get(), reinterpret_cast<unsigned char*>(out.data()) + n1, &n2) == 1;
    if (!ok) ferr(encrypt ? "encryption failed" : "decryption failed (wrong password or data)");
    out.resize(static_cast<size_t>(n1 + n2));
    return encrypt ? iv + out : out;
}

// Decimal math as sprig's execDecimalOp (shopspring/decimal over each float's shortest text).
__extension__ typedef __int128 i128;  // GCC/Clang: exact products of two 17-digit mantissas
struct Dec {
    i128 m = 0;
    int e = 0;
};

bool to_dec(double d, Dec& out) {
    if (!std::isfinite(d)) return false;
    char buf[64];
    auto r = std::to_chars(buf, buf + sizeof buf, d, std::chars_format::scientific);
    std::string s(buf, r.ptr);
    const size_t ep = s.find('e');
    std::string mant = s.substr(0, ep);
    int exp = std::atoi(s.c_str() + ep + 1);
    bool neg = mant[0] == '-';
    if (neg) mant.erase(0, 1);
    const size_t dot = mant.find('.');
    std::string digits = mant;
    if (dot != std::string::npos) {
        exp -= static_cast<int>(mant.size() - dot - 1);
        digits.erase(dot, 1);
    }
    i128 m = 0;
    for (char c : digits) m = m * 10 + (c - '0');
    out = {neg ? -m : m, exp};
    return true;
}

bool scale(Dec& d, int to_e) {  // lower the exponent to `to_e` without losing digits
    static const i128 kMax = static_cast<i128>(1) << 120;
    while (d.e > to_e) {
        if (d.m > kMax / 10 || d.m < -kMax / 10) return false;
        d.m *= 10;
        --d.e;
    }
    return true;
}

double dec_to_double(const Dec& d) {
    i128 a = d.m < 0 ? -d.m : d.m;
    std::string digits;
    do {
        digits.insert(digits.begin(), static_cast<char>('0' + static_cast<int>(a % 10)));
        a /= 10;
    } while (a > 0);
    const std::string s = (d.m < 0 ? "-" : "") + digits + "e" + std::to_string(d.e);
    return std::strtod(s.c_str(), nullptr);
}

double dec_op(char op, double x, double y) {
    Dec a, b;
    auto fallback = [&] {
        switch (op) {
            case '+': return x + y;
            case '-': return x - y;
            case '*': return x * y;
            default: return x / y;
        }
    };
    if (!to_dec(x, a) || !to_dec(y, b)) return fallback();
    if (op == '+' || op == '-') {
        const int e = std::min(a.e, b.e);
        if (!scale(a, e) || !scale(b, e)) return fallback();
        return dec_to_double({op == '+' ? a.m + b.m : a.m - b.m, e});
    }
    if (op == '*') {
        const i128 lim = static_cast<i128>(1) << 62;
        if ((a.m > lim || a.m < -lim) && (b.m > lim || b.m < -lim)) return fallback();
        return dec_to_double({a.m * b.m, a.e + b.e});
    }
    if (b.m == 0) ferr("decimal division by 0");
    // Quotient rounded half away from zero to 16 decimal places (decimal.DivisionPrecision):
    // q = round(a.m * 10^(a.e - b.e + 16) / b.m).
    Dec num{a.m, 0}, den{b.m, 0};
    const int k = a.e - b.e + 16;
    if (!scale(k >= 0 ? num : den, -(k >= 0 ? k : -k))) return fallback();
    i128 q = num.m / den.m;
    const i128 r = num.m % den.m;
    const i128 r2 = (r < 0 ? -r : r) * 2, d = den.m < 0 ? -den.m : den.m;
    if (r2 >= d) q += ((num.m < 0) != (den.m < 0)) ? -1 : 1;
    return dec_to_double({q, -16});
}

// Strings (goutils / xstrings) -------------------------------------------------------------

std::string abbreviate_full(const std::string& s, std::int64_t offset, std::int64_t width) {
    const auto len = static_cast<std::int64_t>(s.size());
    if (len <= width) return s;
    if (offset > len) offset = len;
    if (len - offset < width - 3) offset = len - (width - 3);
    if (offset <= 4) return s.substr(0, static_cast<size_t>(width - 3)) + "...";
    if (width < 7) return s;
    if (offset + width - 3 < len)
        return "..." + abbreviate_full(s.substr(static_cast<size_t>(offset)), 0, width - 3);
    return "..." + s.substr(static_cast<size_t>(len - (width - 3)));
}

std::string wrap_custom(const std::string& s, std::int64_t width, std::string nl, bool long_words) {
    if (nl.empty()) nl = "\n";
    if (width < 1) width = 1;
    const auto w = static_cast<size_t>(width);
    std::string out;
    size_t off = 0;
    while (s.size() - off > w) {
        if (s[off] == ' ') {
            ++off;
            continue;
        }
        const size_t end = std::min(s.size(), w + off + 1);
        const size_t sp = s.substr(off, end - off).rfind(' ');
        if (sp != std::string::npos) {
            out += s.substr(off, sp) + nl;
            off += sp + 1;
        } else if (long_words) {
            out += s.substr(off, w) + nl;
            off += w;
        } else {
            const size_t next = s.find(' ', w + off);
            if (next == std::string::npos) {
                out += s.substr(off);
                off = s.size();
            } else {
                out += s.substr(off, next - off) + nl;
                off = next + 1;
            }
        }
    }
    return out + s.substr(off);
}

bool is_connector(char c) { return c == '-' || c == '_' || std::isspace(static_cast<unsigned char>(c)); }
bool is_alpha(char c) { return std::isalpha(static_cast<unsigned char>(c)) != 0; }
bool is_upper(char c) { return std::isupper(static_cast<unsigned char>(c)) != 0; }
bool is_digit(char c) { return std::isdigit(static_cast<unsigned char>(c)) != 0; }
bool is_punct(char c) { return std::ispunct(static_cast<unsigned char>(c)) && !is_connector(c); }

enum class Word { Invalid, Number, Upper, Alpha, Connector, Punct, Other };

// xstrings nextWord (ASCII classes; other bytes form "other" words).
Word next_word(const std::string& s, size_t& pos, std::string& word) {
    const size_t start = pos;
    if (pos >= s.size()) {
        word.clear();
        return Word::Invalid;
    }
    const char r = s[pos++];
    Word wt;
    auto run = [&](auto pred) {
        while (pos < s.size() && pred(s[pos])) ++pos;
    };
    if (is_connector(r)) {
        wt = Word::Connector;
        run(is_connector);
    } else if (is_punct(r)) {
        wt = Word::Punct;
        run(is_punct);
    } else if (is_upper(r)) {
        wt = Word::Upper;
        if (pos < s.size()) {
            if (is_upper(s[pos])) {
                run(is_upper);
                if (pos < s.size() && is_alpha(s[pos])) --pos;  // "HTTPStatus" -> "HTTP" + "Status"
            } else if (is_alpha(s[pos])) {
                run([](char c) { return is_alpha(c) && !is_upper(c); });
            }
        }
    } else if (is_alpha(r)) {
        wt = Word::Alpha;
        run([](char c) { return is_alpha(c) && !is_upper(c); });
    } else if (is_digit(r)) {
        wt = Word::Number;
        run(is_digit);
    } else {
        wt = Word::Other;
        run([](char c) { return !(is_connector(c) || is_alpha(c) || is_digit(c) || is_punct(c)); });
    }
    word = s.substr(start, pos - start);
    return wt;
}

void lower_word(std::string& out, Word wt, const std::string& w, char connector) {
    if (wt != Word::Upper && wt != Word::Connector) {
        out += w;
        return;
    }
    for (char c : w) out += is_connector(c) ? connector : static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
}

// xstrings camelCaseToLowerCase (snakecase, kebabcase).
std::string to_lower_case(const std::string& s, char connector) {
    if (s.empty()) return "";
    std::string out, word;
    size_t pos = 0;
    Word wt = next_word(s, pos, word);
    while (pos < s.size()) {
        if (wt != Word::Connector) lower_word(out, wt, word, connector);
        const Word prev = wt;
        const std::string last = word;
        wt = next_word(s, pos, word);
        switch (prev) {
            case Word::Number:
                while (wt == Word::Alpha || wt == Word::Number) {
                    lower_word(out, wt, word, connector);
                    wt = next_word(s, pos, word);
                }
                if (wt != Word::Invalid && wt != Word::Punct && wt != Word::Connector) out += connector;
                break;
            case Word::Connector: lower_word(out, prev, last, connector); break;
            case Word::Punct: break;
            default: {
                if (wt != Word::Number) {
                    if (wt != Word::Connector && wt != Word::Punct) out += connector;
                    break;
                }
                if (pos >= s.size()) break;
                const std::string num = word;
                wt = next_word(s, pos, word);
                if (wt != Word::Alpha) {
                    lower_word(out, Word::Number, num, connector);
                    if (wt != Word::Connector && wt != Word::Punct) out += connector;
                    break;
                }
                out += connector;
                lower_word(out, Word::Number, num, connector);
                while (wt == Word::Alpha || wt == Word::Number) {
                    lower_word(out, wt, word, connector);
                    wt = next_word(s, pos, word);
                }
                if (wt != Word::Invalid && wt != Word::Connector && wt != Word::Punct) out += connector;
            }
        }
    }
    lower_word(out, wt, word, connector);
    return out;
}

// xstrings ToCamelCase.
std::string to_camel_case(const std::string& s) {
    if (s.empty()) return "";
    std::string out;
    size_t i = 0;
    char r0 = 0;
    while (i < s.size()) {  // leading connectors are kept
        r0 = s[i++];
        if (!is_connector(r0)) {
            r0 = static_cast<char>(std::toupper(static_cast<unsigned char>(r0)));
            break;
        }
        out += r0;
    }
    if (i >= s.size()) return out + r0;  // (xstrings writes a lone last connector twice too)
    for (; i < s.size(); ++i) {
        const char r1 = r0;
        r0 = s[i];
        if (is_connector(r0) && is_connector(r1)) {
            out += r1;
            continue;
        }
        if (is_connector(r1)) r0 = static_cast<char>(std::toupper(static_cast<unsigned char>(r0)));
        else out += r1;
    }
    return out + r0;
}

// Paths (Go's path package) ---------------------------------------------------------------

std::string path_clean(const std::string& p) {
    if (p.empty()) return ".";
    const bool rooted = p[0] == '/';
    std::vector<std::string> parts;
    size_t i = 0;
    while (i < p.size()) {
        size_t j = p.find('/', i);
        if (j == std::string::npos) j = p.size();
        const std::string seg = p.substr(i, j - i);
        if (seg.empty() || seg == ".") {
        } else if (seg == "..") {
            if (!parts.empty() && parts.back() != "..") parts.pop_back();
            else if (!rooted) parts.push_back("..");
        } else {
            parts.push_back(seg);
        }
        i = j + 1;
    }
    std::string out = rooted ? "/" : "";
    for (size_t k = 0; k < parts.size(); ++k) out += (k ? "/" : "") + parts[k];
    return out.empty() ? "." : out;
}

std::string path_base(std::string p) {
    if (p.empty()) return ".";
    while (p.size() > 1 && p.back() == '/') p.pop_back();
    if (p == "/") return "/";
    const size_t s = p.rfind('/');
    return s == std::string::npos ? p : p.substr(s + 1);
}

std::string path_dir(const std::string& p) {
    const size_t s = p.rfind('/');
    return path_clean(s == std::string::npos ? "" : p.substr(0, s + 1));
}

std::string path_ext(const std::string& p) {
    for (size_t i = p.size(); i-- > 0 && p[i] != '/';)
        if (p[i] == '.') return p.substr(i);
    return "";
}

// URLs (Go's net/url, the parts sprig's urlParse/urlJoin use) ------------------------------

json url_parse(const std::string& raw) {
    std::string s = raw, fragment, query, scheme, opaque, userinfo, host, path;
    if (auto h = s.find('#'); h != std::string::npos) {
        fragment = s.substr(h + 1);
        s.erase(h);
    }
    const size_t colon = s.find(':');
    if (colon != std::string::npos && colon > 0 && std::isalpha(static_cast<unsigned char>(s[0])) &&
        std::all_of(s.begin(), s.begin() + static_cast<long>(colon),
                    [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '+' || c == '-' || c == '.'; })) {
        scheme = s.substr(0, colon);
        for (auto& c : scheme) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        s.erase(0, colon + 1);
    } else if (colon == 0) {
        ferr("parse " + go_quote(raw) + ": missing protocol scheme");
    }
    if (auto q = s.find('?'); q != std::string::npos) {
        query = s.substr(q + 1);
        s.erase(q);
    }
    if (!scheme.empty() && !s.empty() && s[0] != '/') {
        opaque = s;
    } else {
        if (s.rfind("//", 0) == 0) {
            s.erase(0, 2);
            size_t slash = s.find('/');
            std::string authority = s.substr(0, slash);
            s = slash == std::string::npos ? "" : s.substr(slash);
            if (auto at = authority.rfind('@'); at != std::string::npos) {
                userinfo = authority.substr(0, at);
                authority.erase(0, at + 1);
            }
            host = authority;
        }
        path = s;
    }
    std::string hostname = host;
    if (!hostname.empty() && hostname[0] == '[') {
        hostname = hostname.substr(1, hostname.find(']') - 1);
    } else if (auto c = hostname.rfind(':'); c != std::string::npos) {
        hostname.erase(c);
    }
    return json{{"scheme", scheme}, {"host", host},     {"hostname", hostname}, {"path", path},
                {"query", query},   {"opaque", opaque}, {"fragment", fragment}, {"userinfo", userinfo}};
}

std::string url_join(const json& d) {
    auto get = [&](const char* k) -> std::string {
        auto it = d.find(k);
        return it == d.end() || it->is_null() ? std::string() : strval(*it);
    };
    std::string out;
    const std::string scheme = get("scheme"), opaque = get("opaque"), host = get("host"), user = get("userinfo");
    std::string path = get("path");
    if (!scheme.empty()) out += scheme + ":";
    if (!opaque.empty()) {
        out += opaque;
    } else {
        if (!scheme.empty() || !host.empty() || !user.empty()) {
            if (!host.empty() || !path.empty() || !user.empty()) out += "//";
            if (!user.empty()) out += user + "@";
            out += host;
        }
        if (!path.empty() && path[0] != '/' && !host.empty()) out += "/";
        if (out.empty()) {
            // a first segment with a colon would read as a scheme
            const size_t c = path.find(':'), sl = path.find('/');
            if (c != std::string::npos && (sl == std::string::npos || c < sl)) out += "./";
        }
        static const char* hexd = "0123456789ABCDEF";
        for (char c : path) {  // Go's EscapedPath
            const auto u = static_cast<unsigned char>(c);
            if (std::isalnum(u) || std::strchr("-_.~$&+,/:;=@", c)) {
                out += c;
            } else {
                out += '%';
                out += hexd[u >> 4];
                out += hexd[u & 15];
            }
        }
    }
    if (!get("query").empty()) out += "?" + get("query");
    if (!get("fragment").empty()) out += "#" + get("fragment");
    return out;
}

// TOML (BurntSushi/toml's encoder, for toToml) ----------------------------------------------

std::string toml_key(const std::string& k) {
    const bool bare = !k.empty() && std::all_of(k.begin(), k.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-';
    });
    return bare ? k : go_quote(k);
}

std::string toml_value(const json& v) {
    if (v.is_string()) return go_quote(v.get<std::string>());
    if (v.is_boolean()) return v.get<bool>() ? "true" : "false";
    if (v.is_number_float()) {
        std::string s = format_float(v.get<double>());
        if (s.find_first_of(".eEn") == std::string::npos) s += ".0";
        return s;
    }
    if (v.is_number()) return print_value(v);
    if (v.is_array()) {
        std::string s = "[";
        for (size_t i = 0; i < v.size(); ++i) s += (i ? ", " : "") + toml_value(v[i]);
        return s + "]";
    }
    if (is_time(v)) return format_time(v, "2006-01-02T15:04:05.999999999Z07:00");
    ferr("toml: cannot encode a value of type " + type_name(v));
}

// BurntSushi's layout: plain keys first, then tables; nested content indented two spaces
// per level; a blank line before each top-level table.
void toml_table(const json& m, const std::vector<std::string>& path, std::string& out) {
    auto is_table_array = [](const json& v) {
        return v.is_array() && !v.empty() && std::all_of(v.begin(), v.end(), [](const json& e) { return e.is_object(); });
    };
    const std::string indent(path.empty() ? 0 : 2 * path.size(), ' ');
    for (auto it = m.begin(); it != m.end(); ++it)
        if (!it->is_null() && !it->is_object() && !is_table_array(*it))
            out += indent + toml_key(it.key()) + " = " + toml_value(*it) + "\n";
    for (auto it = m.begin(); it != m.end(); ++it) {
        if (!it->is_object() && !is_table_array(*it)) continue;
        std::vector<std::string> sub = path;
        sub.push_back(toml_key(it.key()));
        std::string name;
        for (size_t i = 0; i < sub.size(); ++i) name += (i ? "." : "") + sub[i];
        const std::string head_indent(2 * path.size(), ' ');
        auto header = [&](const std::string& open, const std::string& close) {
            if (sub.size() == 1 && !out.empty()) out += "\n";
            out += head_indent + open + name + close + "\n";
        };
        if (it->is_object()) {
            header("[", "]");
            toml_table(*it, sub, out);
        } else {
            for (const auto& e : *it) {
                header("[[", "]]");
                toml_table(e, sub, out);
            }
        }
    }
}

// Reflection --------------------------------------------------------------------------------

bool deep_equal(const json& a, const json& b) {
    if (a.type() != b.type()) return false;
    if (a.is_array()) {
        if (a.size() != b.size()) return false;
        for (size_t i = 0; i < a.size(); ++i)
            if (!deep_equal(a[i], b[i])) return false;
        return true;
    }
    if (a.is_object()) {
        if (a.size() != b.size()) return false;
        for (auto it = a.begin(); it != a.end(); ++it) {
            auto o = b.find(it.key());
            if (o == b.end() || !deep_equal(*it, *o)) return false;
        }
        return true;
    }
    return a == b;
}

const json& time_arg(const json& v) {
    if (!is_time(v)) {
        if (v.is_null()) ferr("invalid value; expected time.Time");
        ferr("wrong type for value; expected time.Time; got " + type_name(v));
    }
    return v;
}

// sprig's dateInZone/dateAgo: a time, or unix seconds as an int; anything else is now.
json time_of(const json& v) {
    if (is_time(v)) return v;
    if (v.is_number_integer() || v.is_number_unsigned()) return make_time(to_int64(v), 0, "Local");
    return time_now();
}

std::string date_in_zone(const std::string& layout, const json& date, const std::string& zone) {
    return format_time(time_in(time_of(date), valid_location(zone) ? zone : "UTC"), layout);
}

// time.Since(t) in ns: Go's Time.Sub gives the largest (or smallest) Duration when the
// difference does not fit (fuzz_template: `ago 23333333332` overflowed int64).
std::int64_t since_ns(const json& t) {
    const TimeParts now = time_parts(time_now()), p = time_parts(t);
    // nsec is in [0, 1e9): the sign of a seconds overflow is the sign of now.sec - p.sec.
    const std::int64_t far = now.sec >= p.sec ? INT64_MAX : INT64_MIN;
    std::int64_t sec = 0, ns = 0, d = 0;
    if (__builtin_sub_overflow(now.sec, p.sec, &sec) || __builtin_mul_overflow(sec, 1000000000, &ns) ||
        __builtin_add_overflow(ns, now.nsec - p.nsec, &d))
        return far;
    return d;
}

json dig(const json& dict, const json& def, const Args& keys, size_t at) {
    const json& d = m_arg(dict);
    auto it = d.find(s_arg(keys[at]));
    if (it == d.end()) return def;
    if (at + 1 == keys.size()) return *it;
    return dig(*it, def, keys, at + 1);
}

}  // namespace

void add_sprig_functions(FuncTable& f) {
    auto def = [&](const std::string& name, int min, int max, Fn fn) { f[name] = FuncDef{min, max, std::move(fn)}; };
    auto alias = [&](const std::string& name, const std::string& of) { f[name] = f.at(of); };

    // Dates
    def("now", 0, 0, [](Exec&, Args&) { return time_now(); });
    def("date", 2, 2, [](Exec&, Args& a) { return json(date_in_zone(s_arg(a[0]), a[1], "Local")); });
    def("dateInZone", 3, 3, [](Exec&, Args& a) { return json(date_in_zone(s_arg(a[0]), a[1], s_arg(a[2]))); });
    def("htmlDate", 1, 1, [](Exec&, Args& a) { return json(date_in_zone("2006-01-02", a[0], "Local")); });
    def("htmlDateInZone", 2, 2, [](Exec&, Args& a) { return json(date_in_zone("2006-01-02", a[0], s_arg(a[1]))); });
    def("dateModify", 2, 2, [](Exec&, Args& a) {
        const json& t = time_arg(a[1]);
        std::int64_t d = 0;
        if (!parse_duration(s_arg(a[0]), d)) return t;
        const TimeParts p = time_parts(t);
        return make_time(p.sec, p.nsec + d, p.loc);
    });
    def("mustDateModify", 2, 2, [](Exec&, Args& a) {
        const json& t = time_arg(a[1]);
        std::int64_t d = 0;
        if (!parse_duration(s_arg(a[0]), d)) ferr("time: invalid duration " + go_quote(s_arg(a[0])));
        const TimeParts p = time_parts(t);
        return make_time(p.sec, p.nsec + d, p.loc);
    });
    def("toDate", 2, 2, [](Exec&, Args& a) {
        std::string err;
        json t = parse_time(s_arg(a[0]), s_arg(a[1]), "Local", err);
        return t.is_null() ? make_time(-62135596800, 0, "UTC") : t;  // Go's zero time
    });
    def("mustToDate", 2, 2, [](Exec&, Args& a) {
        std::string err;
        json t = parse_time(s_arg(a[0]), s_arg(a[1]), "Local", err);
        if (t.is_null()) ferr(err);
        return t;
    });
    def("unixEpoch", 1, 1, [](Exec&, Args& a) { return json(std::to_string(time_parts(time_arg(a[0])).sec)); });
    def("ago", 1, 1, [](Exec&, Args& a) {
        std::int64_t d = since_ns(time_of(a[0]));
        // Round(time.Second): halves away from zero; past the range, the largest (smallest)
        // Duration, as Go's Duration.Round.
        const std::int64_t r = d % 1000000000;
        d -= r;
        if (r >= 500000000 && __builtin_add_overflow(d, 1000000000, &d)) d = INT64_MAX;
        if (r <= -500000000 && __builtin_sub_overflow(d, 1000000000, &d)) d = INT64_MIN;
        return json(duration_string(d));
    });
    def("duration", 1, 1, [](Exec&, Args& a) {
        // sprig takes a string or an int64 only; a template int (Go int) counts as 0.
        std::int64_t n = 0;
        if (a[0].is_string()) {
            const std::string& s = a[0].get_ref<const std::string&>();
            char* end = nullptr;
            errno = 0;
            const long long v = std::strtoll(s.c_str(), &end, 10);
            n = (!s.empty() && *end == '\0' && errno == 0) ? v : 0;
        }
        return json(duration_string(go_mul(n, 1000000000)));  // Duration(n) * Second wraps in Go
    });
    def("durationRound", 1, 1, [](Exec&, Args& a) {
        std::int64_t d = 0;
        if (a[0].is_string()) parse_duration(a[0].get<std::string>(), d);
        else if (is_time(a[0])) d = since_ns(a[0]);
        std::uint64_t u = d < 0 ? static_cast<std::uint64_t>(-(d + 1)) + 1 : static_cast<std::uint64_t>(d);
        const std::uint64_t hour = 3600000000000ULL;
        const std::pair<std::uint64_t, const char*> steps[] = {{hour * 24 * 365, "y"}, {hour * 24 * 30, "mo"},
                                                               {hour * 24, "d"},        {hour, "h"},
                                                               {60000000000ULL, "m"},   {1000000000ULL, "s"}};
        for (const auto& [size, unit] : steps)
            if (u > size) return json(std::to_string(u / size) + unit);
        return json("0s");
    });

    // Crypto, uuid, random
    def("sha1sum", 1, 1, [](Exec&, Args& a) { return json(digest(EVP_sha1(), s_arg(a[0]))); });
    def("sha256sum", 1, 1, [](Exec&, Args& a) { return json(digest(EVP_sha256(), s_arg(a[0]))); });
    def("adler32sum", 1, 1, [](Exec&, Args& a) { return json(std::to_string(adler32(s_arg(a[0])))); });
    def("uuidv4", 0, 0, [](Exec&, Args&) { return json(uuidv4()); });
    def("randBytes", 1, 1, [](Exec&, Args& a) {
        const std::int64_t n = i_arg(a[0]);
        if (n < 0) ferr("negative count");
        return json(b64(random_bytes(static_cast<size_t>(n))));
    });
    const std::string lower = "abcdefghijklmnopqrstuvwxyz", upper = "ABCDEFGHIJKLMNOPQRSTUVWXYZ", digits = "0123456789";
    std::string ascii;
    for (char c = 32; c < 127; ++c) ascii += c;
    def("randAlphaNum", 1, 1, [=](Exec&, Args& a) { return json(random_from(lower + upper + digits, i_arg(a[0]))); });
    def("randAlpha", 1, 1, [=](Exec&, Args& a) { return json(random_from(lower + upper, i_arg(a[0]))); });
    def("randNumeric", 1, 1, [=](Exec&, Args& a) { return json(random_from(digits, i_arg(a[0]))); });
    def("randAscii", 1, 1, [=](Exec&, Args& a) { return json(random_from(ascii, i_arg(a[0]))); });
    def("randInt", 2, 2, [](Exec&, Args& a) {
        const std::int64_t lo = i_arg(a[0]), hi = i_arg(a[1]);
        const std::int64_t span = go_sub(hi, lo);
        if (span <= 0) ferr("invalid argument to Intn");
        return json(go_add(lo, static_cast<std::int64_t>(random_below(static_cast<std::uint64_t>(span)))));
    });
    def("shuffle", 1, 1, [](Exec&, Args& a) {
        std::string s = s_arg(a[0]);
        for (size_t i = s.size(); i > 1; --i) std::swap(s[i - 1], s[random_below(i)]);
        return json(s);
    });
    def("encryptAES", 2, 2, [](Exec&, Args& a) {
        if (s_arg(a[1]).empty()) return json("");
        std::string plain = s_arg(a[1]);
        const size_t pad = 16 - plain.size() % 16;
        plain += std::string(pad, static_cast<char>(pad));  // sprig pads by hand, then CBC
        return json(b64(aes(s_arg(a[0]), plain, true)));
    });
    def("decryptAES", 2, 2, [](Exec&, Args& a) {
        if (s_arg(a[1]).empty()) return json("");
        bool ok = false;
        const std::string raw = b64_decode(s_arg(a[1]), ok);
        if (!ok) ferr("illegal base64 data");
        // sprig strips as many bytes as the last byte says, unchecked.
        std::string plain = aes(s_arg(a[0]), raw, false);
        const size_t pad = plain.empty() ? 0 : static_cast<unsigned char>(plain.back());
        if (pad > plain.size()) ferr("invalid padding");
        return json(plain.substr(0, plain.size() - pad));
    });

    // Float math (sprig's decimal semantics)
    auto fold = [](char op) {
        return [op](Exec&, Args& a) {
            double r = to_float64(a[0]);
            for (size_t i = 1; i < a.size(); ++i) r = dec_op(op, r, to_float64(a[i]));
            return json(r);
        };
    };
    def("addf", 0, -1, [](Exec&, Args& a) {
        double r = 0;
        for (const auto& v : a) r = dec_op('+', r, to_float64(v));
        return json(r);
    });
    def("add1f", 1, 1, [](Exec&, Args& a) { return json(dec_op('+', to_float64(a[0]), 1)); });
    def("subf", 1, -1, fold('-'));
    def("mulf", 1, -1, fold('*'));
    def("divf", 1, -1, fold('/'));
    def("maxf", 1, -1, [](Exec&, Args& a) {
        double r = to_float64(a[0]);
        for (const auto& v : a) r = std::fmax(r, to_float64(v));
        return json(r);
    });
    def("minf", 1, -1, [](Exec&, Args& a) {
        double r = to_float64(a[0]);
        for (const auto& v : a) r = std::fmin(r, to_float64(v));
        return json(r);
    });
    def("floor", 1, 1, [](Exec&, Args& a) { return json(std::floor(to_float64(a[0]))); });
    def("ceil", 1, 1, [](Exec&, Args& a) { return json(std::ceil(to_float64(a[0]))); });
    def("round", 2, 3, [](Exec&, Args& a) {
        const double on = a.size() > 2 ? to_float64(a[2]) : 0.5;
        const double pow = std::pow(10.0, static_cast<double>(i_arg(a[1])));
        const double digit = pow * to_float64(a[0]);
        double ip = 0;
        const double frac = std::modf(digit, &ip);
        return json((frac >= on ? std::ceil(digit) : std::floor(digit)) / pow);
    });
    alias("biggest", "max");
    def("toDecimal", 1, 1, [](Exec&, Args& a) {
        const std::string s = print_value(a[0]);
        std::int64_t v = 0;
        const char* b = s.data() + (!s.empty() && s[0] == '+' ? 1 : 0);
        auto r = std::from_chars(b, s.data() + s.size(), v, 8);
        return json(r.ec == std::errc() && r.ptr == s.data() + s.size() && !s.empty() ? v : 0);
    });
    def("seq", 0, 3, [](Exec&, Args& a) {
        std::vector<std::int64_t> p;
        for (auto& v : a) p.push_back(i_arg(v));
        auto until_step = [](std::int64_t start, std::int64_t stop, std::int64_t step) {
            std::string out;
            std::size_t count = 0;
            auto add = [&](std::int64_t i) {
                if (++count > kMaxSequence) ferr("seq: more than " + std::to_string(kMaxSequence) + " numbers");
                out += (out.empty() ? "" : " ") + std::to_string(i);
            };
            if (stop < start) {
                if (step >= 0) return out;
                for (auto i = start; i > stop;) {
                    add(i);
                    if (__builtin_add_overflow(i, step, &i)) break;
                }
                return out;
            }
            if (step <= 0) return out;
            for (auto i = start; i < stop;) {
                add(i);
                if (__builtin_add_overflow(i, step, &i)) break;
            }
            return out;
        };
        if (p.empty()) return json("");
        if (p.size() == 1) {
            const std::int64_t inc = p[0] < 1 ? -1 : 1;
            return json(until_step(1, p[0] + inc, inc));
        }
        if (p.size() == 2) {
            const std::int64_t step = p[1] < p[0] ? -1 : 1;
            return json(until_step(p[0], p[1] + step, step));
        }
        std::int64_t inc = 1;
        if (p[2] < p[0]) {
            inc = -1;
            if (p[1] > 0) return json("");
        }
        return json(until_step(p[0], p[2] + inc, p[1]));
    });

    // Strings
    def("hello", 0, 0, [](Exec&, Args&) { return json("Hello!"); });
    alias("trimall", "trimAll");
    def("abbrev", 2, 2, [](Exec&, Args& a) {
        const std::int64_t w = i_arg(a[0]);
        const std::string& s = s_arg(a[1]);
        return json(w < 4 ? s : abbreviate_full(s, 0, w));
    });
    def("abbrevboth", 3, 3, [](Exec&, Args& a) {
        const std::int64_t l = i_arg(a[0]), r = i_arg(a[1]);
        const std::string& s = s_arg(a[2]);
        if (r < 4 || (l > 0 && r < 7)) return json(s);
        return json(abbreviate_full(s, l, r));
    });
    def("initials", 1, 1, [](Exec&, Args& a) {
        std::string out;
        bool at_start = true;
        for (char c : s_arg(a[0])) {
            const bool ws = std::isspace(static_cast<unsigned char>(c)) != 0;
            if (at_start && !ws) out += c;
            at_start = ws;
        }
        return json(out);
    });
    def("untitle", 1, 1, [](Exec&, Args& a) {  // goutils Uncapitalize: each word's first letter
        std::string s = s_arg(a[0]);
        bool at_start = true;
        for (auto& c : s) {
            const bool ws = std::isspace(static_cast<unsigned char>(c)) != 0;
            if (at_start && !ws) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
            at_start = ws;
        }
        return json(s);
    });
    def("swapcase", 1, 1, [](Exec&, Args& a) {
        std::string s = s_arg(a[0]);
        for (auto& c : s) {
            const auto u = static_cast<unsigned char>(c);
            c = static_cast<char>(std::isupper(u) ? std::tolower(u) : std::islower(u) ? std::toupper(u) : u);
        }
        return json(s);
    });
    def("snakecase", 1, 1, [](Exec&, Args& a) { return json(to_lower_case(s_arg(a[0]), '_')); });
    def("kebabcase", 1, 1, [](Exec&, Args& a) { return json(to_lower_case(s_arg(a[0]), '-')); });
    def("camelcase", 1, 1, [](Exec&, Args& a) { return json(to_camel_case(s_arg(a[0]))); });
    def("wrap", 2, 2, [](Exec&, Args& a) { return json(wrap_custom(s_arg(a[1]), i_arg(a[0]), "", false)); });
    def("wrapWith", 3, 3, [](Exec&, Args& a) { return json(wrap_custom(s_arg(a[2]), i_arg(a[0]), s_arg(a[1]), true)); });
    def("plural", 3, 3, [](Exec&, Args& a) { return i_arg(a[2]) == 1 ? json(s_arg(a[0])) : json(s_arg(a[1])); });
    def("splitn", 3, 3, [](Exec&, Args& a) {
        const std::string &sep = s_arg(a[0]), &s = s_arg(a[2]);
        const std::int64_t n = i_arg(a[1]);
        json m = json::object();
        if (n == 0) return m;
        std::vector<std::string> parts;
        size_t pos = 0;
        while (n < 0 || static_cast<std::int64_t>(parts.size()) < n - 1) {
            size_t f = sep.empty() ? (pos + 1 < s.size() ? pos + 1 : std::string::npos) : s.find(sep, pos);
            if (f == std::string::npos) break;
            parts.push_back(s.substr(pos, f - pos));
            pos = f + sep.size();
        }
        parts.push_back(s.substr(pos));
        for (size_t i = 0; i < parts.size(); ++i) m["_" + std::to_string(i)] = parts[i];
        return m;
    });
    def("b32enc", 1, 1, [](Exec&, Args& a) { return json(b32enc(s_arg(a[0]))); });
    def("b32dec", 1, 1, [](Exec&, Args& a) { return json(b32dec(s_arg(a[0]))); });
    def("regexQuoteMeta", 1, 1, [](Exec&, Args& a) {
        std::string out;
        for (char c : s_arg(a[0])) {
            if (std::strchr("\\.+*?()|[]{}^$", c) && c != '\0') out += '\\';
            out += c;
        }
        return json(out);
    });
    for (const char* n : {"regexMatch", "regexFindAll", "regexFind", "regexReplaceAll", "regexReplaceAllLiteral", "regexSplit"}) {
        std::string must = std::string("must") + static_cast<char>(std::toupper(n[0])) + (n + 1);
        alias(must, n);
    }
    // mustRegexMatch reports a bad pattern where regexMatch answers false.
    f["mustRegexMatch"].fn = [orig = f.at("regexFind").fn](Exec& ex, Args& a) {
        Args find{a[0], a[1]};
        (void)orig(ex, find);  // compiles the pattern: raises its error
        return functions().at("regexMatch").fn(ex, a);
    };

    // Defaults, lists, dicts
    def("all", 0, -1, [](Exec&, Args& a) {
        for (const auto& v : a)
            if (!truth(v)) return json(false);
        return json(true);
    });
    def("any", 0, -1, [](Exec&, Args& a) {
        for (const auto& v : a)
            if (truth(v)) return json(true);
        return json(false);
    });
    alias("tuple", "list");
    for (const char* n : {"compact", "append", "prepend", "first", "rest", "last", "initial", "reverse", "uniq", "without",
                          "has", "merge", "mergeOverwrite", "deepCopy", "slice", "toJson", "toPrettyJson", "fromJson"}) {
        std::string must = std::string("must") + static_cast<char>(std::toupper(n[0])) + (n + 1);
        alias(must, n);
    }
    f["mustFromJson"].fn = [](Exec&, Args& a) {
        json v = json::parse(s_arg(a[0]), nullptr, false);
        if (v.is_discarded()) ferr("invalid character in JSON input");
        return v;
    };
    def("toRawJson", 1, 1, [](Exec&, Args& a) {
        std::string s = to_json_text(a[0]);
        for (const auto& [esc, ch] : {std::pair<const char*, const char*>{"\\u003c", "<"}, {"\\u003e", ">"}, {"\\u0026", "&"}}) {
            for (size_t p = 0; (p = s.find(esc, p)) != std::string::npos;) s.replace(p, 6, ch);
        }
        return json(s);
    });
    alias("mustToRawJson", "toRawJson");
    def("fromJsonArray", 1, 1, [](Exec&, Args& a) {
        json v = json::parse(s_arg(a[0]), nullptr, false);
        if (v.is_discarded() || !v.is_array()) return json::array({std::string("json: cannot unmarshal into array")});
        return v;
    });
    def("toToml", 1, 1, [](Exec&, Args& a) {
        if (!a[0].is_object()) return json("toml: top-level values must be Go maps or structs");
        std::string out;
        try {
            toml_table(a[0], {}, out);
        } catch (const FuncError& e) {
            return json(std::string(e.what()));
        }
        return json(out);
    });
    def("dig", 3, -1, [](Exec&, Args& a) {
        Args keys(a.begin(), a.end() - 2);
        return dig(a.back(), a[a.size() - 2], keys, 0);
    });
    def("pick", 1, -1, [](Exec&, Args& a) {
        const json& d = m_arg(a[0]);
        json out = json::object();
        for (size_t i = 1; i < a.size(); ++i)
            if (auto it = d.find(s_arg(a[i])); it != d.end()) out[it.key()] = *it;
        return out;
    });
    def("omit", 1, -1, [](Exec&, Args& a) {
        json out = m_arg(a[0]);
        for (size_t i = 1; i < a.size(); ++i) out.erase(s_arg(a[i]));
        return out;
    });
    def("chunk", 2, 2, [](Exec&, Args& a) {
        const std::int64_t size = i_arg(a[0]);
        const json& l = l_arg(a[1], "chunk");
        json out = json::array();
        if (size <= 0) return out;
        for (size_t i = 0; i < l.size(); i += static_cast<size_t>(size))
            out.push_back(json(json::array_t(l.begin() + static_cast<long>(i),
                                             l.begin() + static_cast<long>(std::min(l.size(), i + static_cast<size_t>(size))))));
        return out;
    });
    alias("mustChunk", "chunk");
    alias("mustMerge", "merge");
    alias("mustMergeOverwrite", "mergeOverwrite");
    def("typeIs", 2, 2, [](Exec&, Args& a) { return json(s_arg(a[0]) == type_name(a[1])); });
    def("typeIsLike", 2, 2, [](Exec&, Args& a) {
        const std::string t = type_name(a[1]);
        return json(s_arg(a[0]) == t || "*" + s_arg(a[0]) == t);
    });
    def("deepEqual", 2, 2, [](Exec&, Args& a) { return json(deep_equal(a[0], a[1])); });

    // Paths
    def("base", 1, 1, [](Exec&, Args& a) { return json(path_base(s_arg(a[0]))); });
    def("dir", 1, 1, [](Exec&, Args& a) { return json(path_dir(s_arg(a[0]))); });
    def("clean", 1, 1, [](Exec&, Args& a) { return json(path_clean(s_arg(a[0]))); });
    def("ext", 1, 1, [](Exec&, Args& a) { return json(path_ext(s_arg(a[0]))); });
    def("isAbs", 1, 1, [](Exec&, Args& a) { return json(!s_arg(a[0]).empty() && s_arg(a[0])[0] == '/'); });
    for (const char* n : {"base", "dir", "clean", "ext", "isAbs"}) {
        std::string os = std::string("os") + static_cast<char>(std::toupper(n[0])) + (n + 1);
        alias(os, n);
    }

    // URLs, network, Helm's cluster lookup (no cluster: always empty, as `helm template`)
    def("urlParse", 1, 1, [](Exec&, Args& a) { return url_parse(s_arg(a[0])); });
    def("urlJoin", 1, 1, [](Exec&, Args& a) { return json(url_join(m_arg(a[0]))); });
    def("getHostByName", 1, 1, [](Exec&, Args&) { return json(""); });
    def("lookup", 4, 4, [](Exec&, Args&) { return json::object(); });
}

}  // namespace luet::tmpl::detail
