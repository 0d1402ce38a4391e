#include "luet/build/env.hpp"

#include <cctype>
#include <map>

#include "luet/core/error.hpp"

namespace luet::build {
namespace {

using Env = std::map<std::string, std::string>;

bool name_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

class Expander {
public:
    Expander(const std::string& text, const Env& env, const std::string& entry) : s_(text), env_(env), entry_(entry) {}

    // The whole value: quotes removed, escapes and variables applied.
    std::string value() {
        std::string out;
        while (i_ < s_.size()) {
            const char c = s_[i_];
            if (c == '\'') {
                const size_t end = s_.find('\'', i_ + 1);
                if (end == std::string::npos) fail("unterminated single quote");
                out += s_.substr(i_ + 1, end - i_ - 1);
                i_ = end + 1;
            } else if (c == '"') {
                ++i_;
                out += word('"');
                if (i_ >= s_.size()) fail("unterminated double quote");
                ++i_;
            } else {
                out += word('\0');
            }
        }
        return out;
    }

private:
    // Text up to `stop` ('"' inside double quotes, '}' inside ${...:-word}, '\0' for a bare
    // run that ends at a quote).
    std::string word(char stop) {
        std::string out;
        while (i_ < s_.size()) {
            const char c = s_[i_];
            if (stop != '\0' && c == stop) break;
            if (stop == '\0' && (c == '"' || c == '\'')) break;
            if (c == '\\' && i_ + 1 < s_.size()) {
                out += s_[i_ + 1];
                i_ += 2;
            } else if (c == '$') {
                out += variable();
            } else {
                out += c;
                ++i_;
            }
        }
        return out;
    }

    std::string lookup(const std::string& name) const {
        auto it = env_.find(name);
        return it == env_.end() ? std::string() : it->second;
    }

    std::string variable() {
        ++i_;  // '$'
        if (i_ >= s_.size()) return "$";
        if (s_[i_] == '{') {
            ++i_;
            const size_t start = i_;
            while (i_ < s_.size() && name_char(s_[i_])) ++i_;
            const std::string name = s_.substr(start, i_ - start);
            if (name.empty() || i_ >= s_.size()) fail("bad substitution");
            if (s_[i_] == '}') {
                ++i_;
                return lookup(name);
            }
            if (s_[i_] != ':' || i_ + 1 >= s_.size() || (s_[i_ + 1] != '-' && s_[i_ + 1] != '+'))
                fail("unsupported modifier in ${" + name + "...}");
            const char op = s_[i_ + 1];
            i_ += 2;
            const std::string alt = word('}');
            if (i_ >= s_.size()) fail("missing '}'");
            ++i_;
            const std::string v = lookup(name);
            if (op == '-') return v.empty() ? alt : v;
            return v.empty() ? std::string() : alt;
        }
        const size_t start = i_;
        while (i_ < s_.size() && name_char(s_[i_])) ++i_;
        if (i_ == start) return "$";
        return lookup(s_.substr(start, i_ - start));
    }

    [[noreturn]] void fail(const std::string& why) const {
        throw Error("env entry '" + entry_ + "': " + why);
    }

    const std::string& s_;
    const Env& env_;
    const std::string& entry_;
    size_t i_ = 0;
};

}  // namespace

std::vector<std::string> expand_env(const std::vector<std::string>& entries, const std::vector<std::string>& image_env) {
    Env env;
    for (const auto& e : image_env) {
        const size_t eq = e.find('=');
        if (eq != std::string::npos) env[e.substr(0, eq)] = e.substr(eq + 1);
    }
    if (!env.count("PATH")) env["PATH"] = kDefaultPath;
    std::vector<std::string> out;
    for (const auto& entry : entries) {
        const size_t eq = entry.find('=');
        if (eq == std::string::npos || eq == 0) throw Error("env entry '" + entry + "' is not NAME=value");
        const std::string name = entry.substr(0, eq);
        for (char c : name)
            if (!name_char(c)) throw Error("env entry '" + entry + "': '" + name + "' is not a variable name");
        const std::string text = entry.substr(eq + 1);
        std::string value = Expander(text, env, entry).value();
        env[name] = value;
        out.push_back(name + "=" + value);
    }
    return out;
}

}  // namespace luet::build
