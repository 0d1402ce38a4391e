// Lexer and parser for Go text/template syntax.
#include <algorithm>
#include <cstdlib>
#include <set>

#include "luet/core/error.hpp"
#include "luet/template/internal.hpp"

namespace luet::tmpl::detail {

std::string where(const Pos& p) {
    return (p.name ? *p.name : std::string("template")) + ":" + std::to_string(p.line) + ":" + std::to_string(p.col);
}

void fail_at(const Pos& p, const std::string& msg) { throw luet::Error(where(p) + ": " + msg); }

namespace {

enum class Tok {
    Text, LDelim, RDelim, Ident, Field, Var, Dot, String, Number, Char, Bool, Nil,
    LParen, RParen, Pipe, Declare, Assign, Comma, Keyword, Eof
};

struct Token {
    Tok type = Tok::Eof;
    std::string val;
    Pos pos;             // position of the enclosing action's "{{" (or of the text)
    bool space = false;  // whitespace precedes the token inside the action
};

const std::set<std::string> kKeywords = {"if", "else", "end", "range", "with", "define",
                                         "template", "block", "break", "continue"};

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }
bool is_alnum(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           static_cast<unsigned char>(c) >= 0x80;
}
bool is_digit(char c) { return c >= '0' && c <= '9'; }

void append_utf8(std::string& out, unsigned long cp) {
    if (cp < 0x80) {
        out += static_cast<char>(cp);
    } else if (cp < 0x800) {
        out += static_cast<char>(0xC0 | (cp >> 6));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        out += static_cast<char>(0xE0 | (cp >> 12));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
        out += static_cast<char>(0xF0 | (cp >> 18));
        out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    }
}

class Lexer {
public:
    Lexer(std::shared_ptr<const std::string> name, const std::string& text) : name_(std::move(name)), s_(text) {}

    std::vector<Token> run() {
        bool trim_next = false;
        while (i_ < s_.size()) {
            size_t open = s_.find("{{", i_);
            size_t text_end = open == std::string::npos ? s_.size() : open;
            std::string text = s_.substr(i_, text_end - i_);
            Pos tpos = pos_of(i_);
            if (trim_next) {
                size_t k = 0;
                while (k < text.size() && is_space(text[k])) ++k;
                text.erase(0, k);
                trim_next = false;
            }
            bool trim_left = open != std::string::npos && open + 3 < s_.size() && s_[open + 2] == '-' &&
                             is_space(s_[open + 3]);
            if (trim_left) {
                while (!text.empty() && is_space(text.back())) text.pop_back();
            }
            if (!text.empty()) toks_.push_back({Tok::Text, text, tpos, false});
            if (open == std::string::npos) break;
            i_ = open + 2;
            if (trim_left) i_ += 1;
            trim_next = action(pos_of(open));
        }
        toks_.push_back({Tok::Eof, "", pos_of(s_.size()), false});
        return std::move(toks_);
    }

private:
    // Offsets are requested in increasing order, so lines are counted incrementally.
    Pos pos_of(size_t off) {
        if (off < line_off_) {
            line_off_ = 0;
            line_no_ = 1;
        }
        line_no_ += static_cast<int>(std::count(s_.begin() + static_cast<long>(line_off_), s_.begin() + static_cast<long>(off), '\n'));
        line_off_ = off;
        Pos p;
        p.name = name_;
        p.line = line_no_;
        size_t nl = off == 0 ? std::string::npos : s_.rfind('\n', off - 1);
        p.col = static_cast<int>(nl == std::string::npos ? off + 1 : off - nl);
        return p;
    }

    [[noreturn]] void err(const Pos& p, const std::string& m) const { fail_at(p, m); }

    // Lexes one action starting after "{{" (and its trim marker); returns whether the
    // action ended with a "-}}" trim marker.
    bool action(const Pos& apos) {
        // Comment?
        size_t k = i_;
        while (k < s_.size() && is_space(s_[k])) ++k;
        if (s_.compare(k, 2, "/*") == 0) {
            size_t end = s_.find("*/", k + 2);
            if (end == std::string::npos) err(apos, "unclosed comment");
            i_ = end + 2;
            bool sp = false;
            while (i_ < s_.size() && is_space(s_[i_])) { ++i_; sp = true; }
            if (sp && s_.compare(i_, 3, "-}}") == 0) { i_ += 3; return true; }
            if (s_.compare(i_, 2, "}}") == 0) { i_ += 2; return false; }
            err(apos, "comment ends before closing delimiter");
        }
        toks_.push_back({Tok::LDelim, "{{", apos, false});
        int parens = 0;
        for (;;) {
            bool sp = false;
            while (i_ < s_.size() && is_space(s_[i_])) { ++i_; sp = true; }
            if (i_ >= s_.size()) err(apos, "unclosed action");
            if (sp && s_.compare(i_, 3, "-}}") == 0) {
                if (parens > 0) err(apos, "unclosed left paren");
                i_ += 3;
                toks_.push_back({Tok::RDelim, "}}", apos, sp});
                return true;
            }
            if (s_.compare(i_, 2, "}}") == 0) {
                if (parens > 0) err(apos, "unclosed left paren");
                i_ += 2;
                toks_.push_back({Tok::RDelim, "}}", apos, sp});
                return false;
            }
            char c = s_[i_];
            auto push = [&](Tok t, std::string v) { toks_.push_back({t, std::move(v), apos, sp}); };
            if (c == '|') { ++i_; push(Tok::Pipe, "|"); }
            else if (c == '(') { ++i_; ++parens; push(Tok::LParen, "("); }
            else if (c == ')') {
                ++i_;
                if (--parens < 0) err(apos, "unexpected right paren");
                push(Tok::RParen, ")");
            }
            else if (c == ',') { ++i_; push(Tok::Comma, ","); }
            else if (c == ':' && s_.compare(i_, 2, ":=") == 0) { i_ += 2; push(Tok::Declare, ":="); }
            else if (c == '=') { ++i_; push(Tok::Assign, "="); }
            else if (c == '"') push(Tok::String, quoted(apos));
            else if (c == '`') {
                size_t end = s_.find('`', i_ + 1);
                if (end == std::string::npos) err(apos, "unterminated raw quoted string");
                push(Tok::String, s_.substr(i_ + 1, end - i_ - 1));
                i_ = end + 1;
            }
            else if (c == '\'') push(Tok::Char, charconst(apos));
            else if (c == '$') {
                size_t j = i_ + 1;
                while (j < s_.size() && is_alnum(s_[j])) ++j;
                push(Tok::Var, s_.substr(i_, j - i_));
                i_ = j;
            }
            else if (c == '.' && i_ + 1 < s_.size() && is_digit(s_[i_ + 1])) push(Tok::Number, number());
            else if (c == '.') {
                size_t j = i_ + 1;
                while (j < s_.size() && is_alnum(s_[j])) ++j;
                if (j == i_ + 1) push(Tok::Dot, ".");
                else push(Tok::Field, s_.substr(i_ + 1, j - i_ - 1));
                i_ = j;
            }
            else if (is_digit(c) || ((c == '-' || c == '+') && i_ + 1 < s_.size() &&
                                     (is_digit(s_[i_ + 1]) || s_[i_ + 1] == '.')))
                push(Tok::Number, number());
            else if (is_alnum(c)) {
                size_t j = i_;
                while (j < s_.size() && is_alnum(s_[j])) ++j;
                std::string w = s_.substr(i_, j - i_);
                i_ = j;
                if (w == "true" || w == "false") push(Tok::Bool, w);
                else if (w == "nil") push(Tok::Nil, w);
                else if (kKeywords.count(w)) push(Tok::Keyword, w);
                else push(Tok::Ident, w);
            }
            else err(apos, std::string("unexpected \"") + c + "\" in command");
        }
    }

    std::string number() {
        size_t j = i_;
        if (s_[j] == '+' || s_[j] == '-') ++j;
        while (j < s_.size()) {
            char c = s_[j];
            if (is_alnum(c) || c == '.') {
                ++j;
                if ((c == 'e' || c == 'E' || c == 'p' || c == 'P') && j < s_.size() && (s_[j] == '+' || s_[j] == '-') &&
                    !(s_.compare(i_, 2, "0x") == 0 && (c == 'e' || c == 'E')))
                    ++j;
            } else {
                break;
            }
        }
        std::string r = s_.substr(i_, j - i_);
        i_ = j;
        return r;
    }

    unsigned long escape(const Pos& apos, std::string& out) {
        // s_[i_] is the character after a backslash
        char c = s_[i_++];
        switch (c) {
            case 'n': out += '\n'; return 0;
            case 't': out += '\t'; return 0;
            case 'r': out += '\r'; return 0;
            case 'a': out += '\a'; return 0;
            case 'b': out += '\b'; return 0;
            case 'f': out += '\f'; return 0;
            case 'v': out += '\v'; return 0;
            case '\\': out += '\\'; return 0;
            case '"': out += '"'; return 0;
            case '\'': out += '\''; return 0;
            case 'x': case 'u': case 'U': {
                size_t n = c == 'x' ? 2 : c == 'u' ? 4 : 8;
                if (i_ + n > s_.size()) err(apos, "invalid escape in quoted string");
                unsigned long v = std::strtoul(s_.substr(i_, n).c_str(), nullptr, 16);
                i_ += n;
                if (c == 'x') out += static_cast<char>(v);
                else append_utf8(out, v);
                return 0;
            }
            default:
                if (c >= '0' && c <= '7' && i_ + 2 <= s_.size()) {
                    unsigned long v = std::strtoul(s_.substr(i_ - 1, 3).c_str(), nullptr, 8);
                    i_ += 2;
                    out += static_cast<char>(v);
                    return 0;
                }
                err(apos, "invalid escape in quoted string");
        }
    }

    std::string quoted(const Pos& apos) {
        std::string out;
        ++i_;
        for (;;) {
            if (i_ >= s_.size() || s_[i_] == '\n') err(apos, "unterminated quoted string");
            char c = s_[i_++];
            if (c == '"') break;
            if (c == '\\') {
                if (i_ >= s_.size()) err(apos, "unterminated quoted string");
                escape(apos, out);
            } else {
                out += c;
            }
        }
        return out;
    }

    std::string charconst(const Pos& apos) {
        ++i_;
        std::string out;
        if (i_ < s_.size() && s_[i_] == '\\') {
            ++i_;
            escape(apos, out);
        } else {
            while (i_ < s_.size() && s_[i_] != '\'' && s_[i_] != '\n') out += s_[i_++];
        }
        if (i_ >= s_.size() || s_[i_] != '\'') err(apos, "unterminated character constant");
        ++i_;
        if (out.empty()) err(apos, "empty character constant");
        // decode UTF-8 to a code point; Go takes exactly one character ('ab' and '' are errors)
        unsigned long cp = 0;
        if (!out.empty()) {
            auto b = static_cast<unsigned char>(out[0]);
            const size_t len = b < 0x80 ? 1 : b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : 2;
            if (out.size() != len) err(apos, "malformed character constant: '" + out + "'");
            if (b < 0x80) cp = b;
            else if (b >= 0xF0) cp = b & 0x07;
            else if (b >= 0xE0) cp = b & 0x0F;
            else cp = b & 0x1F;
            for (size_t k = 1; k < out.size(); ++k) cp = (cp << 6) | (static_cast<unsigned char>(out[k]) & 0x3F);
        }
        return std::to_string(cp);
    }

    std::shared_ptr<const std::string> name_;
    const std::string& s_;
    size_t i_ = 0;
    size_t line_off_ = 0;
    int line_no_ = 1;
    std::vector<Token> toks_;
};

json parse_number(const Pos& pos, const std::string& raw) {
    std::string t;
    for (char c : raw)
        if (c != '_') t += c;
    bool neg = false;
    std::string body = t;
    if (!body.empty() && (body[0] == '+' || body[0] == '-')) {
        neg = body[0] == '-';
        body.erase(0, 1);
    }
    auto bad = [&]() -> json { fail_at(pos, "bad number syntax: \"" + raw + "\""); };
    if (body.empty()) return bad();
    int base = 10;
    std::string digits = body;
    if (body.size() > 1 && body[0] == '0' && (body[1] == 'x' || body[1] == 'X')) { base = 16; digits = body.substr(2); }
    else if (body.size() > 1 && body[0] == '0' && (body[1] == 'b' || body[1] == 'B')) { base = 2; digits = body.substr(2); }
    else if (body.size() > 1 && body[0] == '0' && (body[1] == 'o' || body[1] == 'O')) { base = 8; digits = body.substr(2); }
    else if (body.size() > 1 && body[0] == '0' && body.find_first_of(".eE") == std::string::npos) { base = 8; digits = body.substr(1); }
    if (base != 10 || body.find_first_of(".eE") == std::string::npos) {
        if (digits.empty()) return bad();
        char* end = nullptr;
        errno = 0;
        unsigned long long v = std::strtoull(digits.c_str(), &end, base);
        if (*end != '\0' || errno != 0) return bad();
        // strconv.ParseInt's range: down to -9223372036854775808.
        if (v > (neg ? 9223372036854775808ULL : 9223372036854775807ULL)) return bad();
        return json(neg ? static_cast<std::int64_t>(0 - v) : static_cast<std::int64_t>(v));
    }
    char* end = nullptr;
    double d = std::strtod(body.c_str(), &end);
    if (*end != '\0') return bad();
    return json(neg ? -d : d);
}

class Parser {
public:
    Parser(std::vector<Token> toks, Defines& defs) : t_(std::move(toks)), defs_(defs) {}

    NodeList top() {
        NodeList out;
        vars_ = {"$"};
        for (;;) {
            const Token& tk = peek();
            if (tk.type == Tok::Eof) break;
            if (tk.type == Tok::Text) {
                out.push_back(text_node(next()));
                continue;
            }
            next();  // {{
            if (peek().type == Tok::Keyword && peek().val == "define") {
                next();
                define(tk.pos);
                continue;
            }
            std::string term;
            auto n = action(term);
            if (!term.empty()) fail_at(tk.pos, "unexpected {{" + term + "}}");
            if (n) out.push_back(n);
        }
        return out;
    }

private:
    const Token& peek(size_t k = 0) const { return t_[std::min(i_ + k, t_.size() - 1)]; }
    const Token& next() { return t_[std::min(i_++, t_.size() - 1)]; }

    static std::string describe(const Token& t) {
        switch (t.type) {
            case Tok::RDelim: return "\"}}\"";
            case Tok::Eof: return "EOF";
            case Tok::RParen: return "\")\"";
            case Tok::String: return "quoted string";
            case Tok::Keyword: return "<" + t.val + ">";
            default: return "\"" + t.val + "\"";
        }
    }

    void expect(Tok type, const std::string& context) {
        const Token& t = next();
        if (t.type != type) fail_at(t.pos, "unexpected " + describe(t) + " in " + context);
    }

    std::shared_ptr<Node> text_node(const Token& t) {
        auto n = std::make_shared<Node>();
        n->kind = NodeKind::Text;
        n->pos = t.pos;
        n->text = t.val;
        return n;
    }

    // Parses nodes until {{end}} or {{else}}; `term` receives "end" or "else". For
    // "end" the closing delimiter is consumed, for "else" it is not.
    NodeList item_list(std::string& term, const Pos& opened, const std::string& what) {
        NodeList out;
        for (;;) {
            const Token& tk = peek();
            if (tk.type == Tok::Eof) fail_at(opened, "unexpected EOF: {{" + what + "}} has no matching {{end}}");
            if (tk.type == Tok::Text) {
                out.push_back(text_node(next()));
                continue;
            }
            next();
            if (peek().type == Tok::Keyword && peek().val == "define")
                fail_at(tk.pos, "{{define}} is only allowed at the top level");
            term.clear();
            auto n = action(term);
            if (!term.empty()) return out;
            if (n) out.push_back(n);
        }
    }

    std::shared_ptr<Node> action(std::string& term) {
        const Token& first = peek();
        Pos pos = first.pos;
        if (first.type == Tok::Keyword) {
            const std::string kw = first.val;
            if (kw == "end") {
                next();
                expect(Tok::RDelim, "end");
                term = "end";
                return nullptr;
            }
            if (kw == "else") {
                next();
                term = "else";
                return nullptr;
            }
            next();
            if (kw == "if") return control(NodeKind::If, pos, "if");
            if (kw == "with") return control(NodeKind::With, pos, "with");
            if (kw == "range") return control(NodeKind::Range, pos, "range");
            if (kw == "break" || kw == "continue") {
                expect(Tok::RDelim, kw);
                if (range_depth_ == 0) fail_at(pos, "{{" + kw + "}} outside {{range}}");
                auto n = std::make_shared<Node>();
                n->kind = kw == "break" ? NodeKind::Break : NodeKind::Continue;
                n->pos = pos;
                return n;
            }
            if (kw == "template" || kw == "block") {
                const Token& nm = next();
                if (nm.type != Tok::String) fail_at(pos, "unexpected " + describe(nm) + " in " + kw + " clause");
                auto n = std::make_shared<Node>();
                n->kind = NodeKind::Template;
                n->pos = pos;
                n->text = nm.val;
                if (peek().type != Tok::RDelim) n->pipe = pipeline(kw, false, Tok::RDelim);
                expect(Tok::RDelim, kw + " clause");
                if (kw == "block") {
                    auto saved = vars_;
                    int saved_depth = range_depth_;
                    vars_ = {"$"};
                    range_depth_ = 0;
                    std::string t;
                    auto body = item_list(t, pos, "block");
                    if (t != "end") fail_at(pos, "unexpected {{else}} in block");
                    vars_ = saved;
                    range_depth_ = saved_depth;
                    defs_[n->text] = std::make_shared<const NodeList>(std::move(body));
                }
                return n;
            }
            fail_at(pos, "unexpected <" + kw + "> in command");
        }
        auto n = std::make_shared<Node>();
        n->kind = NodeKind::Action;
        n->pos = pos;
        n->pipe = pipeline("command", false, Tok::RDelim);
        expect(Tok::RDelim, "command");
        return n;
    }

    void define(const Pos& pos) {
        const Token& nm = next();
        if (nm.type != Tok::String) fail_at(pos, "unexpected " + describe(nm) + " in define clause");
        expect(Tok::RDelim, "define clause");
        auto saved = vars_;
        vars_ = {"$"};
        range_depth_ = 0;
        std::string term;
        auto body = item_list(term, pos, "define");
        if (term != "end") fail_at(pos, "unexpected {{else}} in define");
        vars_ = saved;
        defs_[nm.val] = std::make_shared<const NodeList>(std::move(body));
    }

    std::shared_ptr<Node> control(NodeKind kind, const Pos& pos, const std::string& what) {
        size_t mark = vars_.size();
        auto n = std::make_shared<Node>();
        n->kind = kind;
        n->pos = pos;
        n->pipe = pipeline(what, kind == NodeKind::Range, Tok::RDelim);
        expect(Tok::RDelim, what);
        if (kind == NodeKind::Range) ++range_depth_;
        std::string term;
        n->list = item_list(term, pos, what);
        if (kind == NodeKind::Range) --range_depth_;
        if (term == "else") {
            const Token& after = peek();
            bool chained = after.type == Tok::Keyword &&
                           ((kind == NodeKind::If && after.val == "if") || (kind == NodeKind::With && after.val == "with"));
            if (chained) {
                Pos epos = after.pos;
                next();
                n->else_list.push_back(control(kind, epos, what));
            } else {
                expect(Tok::RDelim, "else");
                std::string t2;
                n->else_list = item_list(t2, pos, what);
                if (t2 != "end") fail_at(pos, "expected end; found {{else}}");
            }
        }
        vars_.resize(mark);
        return n;
    }

    std::shared_ptr<Pipeline> pipeline(const std::string& context, bool is_range, Tok end) {
        auto p = std::make_shared<Pipeline>();
        p->pos = peek().pos;
        // declarations
        if (peek().type == Tok::Var) {
            Tok after = peek(1).type;
            bool two = is_range && after == Tok::Comma && peek(2).type == Tok::Var &&
                       (peek(3).type == Tok::Declare || peek(3).type == Tok::Assign);
            if (after == Tok::Declare || after == Tok::Assign || two) {
                p->decl.push_back(next().val);
                if (two) {
                    next();
                    p->decl.push_back(next().val);
                }
                p->assign = next().type == Tok::Assign;
                for (const auto& v : p->decl) {
                    if (p->assign) {
                        if (std::find(vars_.begin(), vars_.end(), v) == vars_.end())
                            fail_at(p->pos, "undefined variable \"" + v + "\"");
                    } else {
                        vars_.push_back(v);
                    }
                }
            } else if (after == Tok::Comma) {
                fail_at(p->pos, "too many declarations in " + context);
            }
        }
        for (;;) {
            Command c;
            c.pos = peek().pos;
            while (peek().type != Tok::Pipe && peek().type != end && peek().type != Tok::Eof) {
                if (!c.args.empty() && !peek().space) fail_at(peek().pos, "unexpected " + describe(peek()) + " in operand");
                c.args.push_back(operand());
            }
            if (c.args.empty()) {
                if (peek().type == Tok::Pipe || !p->cmds.empty()) fail_at(c.pos, "missing command in pipeline");
                fail_at(c.pos, "missing value for " + context);
            }
            p->cmds.push_back(std::move(c));
            if (peek().type == Tok::Pipe) {
                next();
                continue;
            }
            break;
        }
        if (peek().type != end) fail_at(peek().pos, "unexpected " + describe(peek()) + " in " + context);
        for (size_t k = 1; k < p->cmds.size(); ++k) {
            ArgKind ak = p->cmds[k].args[0].kind;
            if (ak == ArgKind::Dot || ak == ArgKind::Nil || ak == ArgKind::Literal)
                fail_at(p->cmds[k].pos, "non executable command in pipeline stage " + std::to_string(k + 1));
        }
        return p;
    }

    Arg operand() {
        Arg a = term();
        while (peek().type == Tok::Field && !peek().space) {
            if (a.kind == ArgKind::Dot || a.kind == ArgKind::Nil || a.kind == ArgKind::Literal)
                fail_at(peek().pos, "unexpected . after term");
            if (a.kind == ArgKind::Ident) {
                // f.x: call f, then chain
                Arg wrapped;
                wrapped.kind = ArgKind::Pipe;
                wrapped.pos = a.pos;
                wrapped.pipe = std::make_shared<Pipeline>();
                wrapped.pipe->pos = a.pos;
                Command c;
                c.pos = a.pos;
                c.args.push_back(a);
                wrapped.pipe->cmds.push_back(std::move(c));
                a = std::move(wrapped);
            }
            a.fields.push_back(next().val);
        }
        return a;
    }

    Arg term() {
        const Token& t = next();
        Arg a;
        a.pos = t.pos;
        switch (t.type) {
            case Tok::Ident:
                if (!functions().count(t.val) && t.val != "and" && t.val != "or")
                    fail_at(t.pos, "function \"" + t.val + "\" not defined");
                a.kind = ArgKind::Ident;
                a.name = t.val;
                return a;
            case Tok::Dot: a.kind = ArgKind::Dot; return a;
            case Tok::Nil: a.kind = ArgKind::Nil; return a;
            case Tok::Var:
                if (std::find(vars_.begin(), vars_.end(), t.val) == vars_.end())
                    fail_at(t.pos, "undefined variable \"" + t.val + "\"");
                a.kind = ArgKind::Variable;
                a.name = t.val;
                return a;
            case Tok::Field:
                a.kind = ArgKind::Field;
                a.fields.push_back(t.val);
                return a;
            case Tok::Bool: a.kind = ArgKind::Literal; a.literal = t.val == "true"; return a;
            case Tok::Number: a.kind = ArgKind::Literal; a.literal = parse_number(t.pos, t.val); return a;
            case Tok::Char: a.kind = ArgKind::Literal; a.literal = std::stoll(t.val); return a;
            case Tok::String: a.kind = ArgKind::Literal; a.literal = t.val; return a;
            case Tok::LParen:
                a.kind = ArgKind::Pipe;
                a.pipe = pipeline("parenthesized pipeline", false, Tok::RParen);
                expect(Tok::RParen, "parenthesized pipeline");
                return a;
            default:
                fail_at(t.pos, "unexpected " + describe(t) + " in operand");
        }
    }

    std::vector<Token> t_;
    size_t i_ = 0;
    Defines& defs_;
    std::vector<std::string> vars_;
    int range_depth_ = 0;
};

}  // namespace

std::shared_ptr<const NodeList> parse(const std::string& name, const std::string& text, Defines& defs) {
    auto nm = std::make_shared<const std::string>(name);
    Lexer lx(nm, text);
    Parser p(lx.run(), defs);
    return std::make_shared<const NodeList>(p.top());
}

}  // namespace luet::tmpl::detail
