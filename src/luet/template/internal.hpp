// Internals of the template engine: syntax tree, parser, executor state and the
// function table. Not part of the public API.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace luet::tmpl::detail {

using json = nlohmann::json;

struct Pos {
    std::shared_ptr<const std::string> name;
    int line = 1;
    int col = 1;
};

std::string where(const Pos& p);
[[noreturn]] void fail_at(const Pos& p, const std::string& msg);

struct Pipeline;

enum class ArgKind { Field, Variable, Dot, Nil, Literal, Ident, Pipe };

struct Arg {
    ArgKind kind = ArgKind::Nil;
    Pos pos;
    std::string name;                 // Ident: function name; Variable: "$x"
    std::vector<std::string> fields;  // field chain after the term (.a.b)
    json literal;                     // Literal
    std::shared_ptr<Pipeline> pipe;   // Pipe (parenthesised)
};

struct Command {
    Pos pos;
    std::vector<Arg> args;
};

struct Pipeline {
    Pos pos;
    std::vector<std::string> decl;
    bool assign = false;  // "=" instead of ":="
    std::vector<Command> cmds;
};

enum class NodeKind { Text, Action, If, Range, With, Template, Break, Continue };

struct Node;
using NodeList = std::vector<std::shared_ptr<Node>>;

struct Node {
    NodeKind kind = NodeKind::Text;
    Pos pos;
    std::string text;                // Text; Template: called name
    std::shared_ptr<Pipeline> pipe;  // may be null for Template
    NodeList list;
    NodeList else_list;
};

using Defines = std::map<std::string, std::shared_ptr<const NodeList>>;

// Parses `text` into its main node list; {{define}}/{{block}} bodies go into `defs`
// (replacing earlier definitions of the same name).
std::shared_ptr<const NodeList> parse(const std::string& name, const std::string& text, Defines& defs);

// Raised by functions; the executor turns it into "POS: error calling NAME: msg".
struct FuncError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

class Exec;
using Fn = std::function<json(Exec&, std::vector<json>&)>;
struct FuncDef {
    int min_args = 0;
    int max_args = -1;  // -1: variadic
    Fn fn;
};
const std::map<std::string, FuncDef>& functions();

// Execution state shared by the executor and functions needing it (include, tpl).
class Exec {
public:
    Exec(Defines defs, std::shared_ptr<const std::string> name)
        : defs_(std::move(defs)), name_(std::move(name)), budget_(std::make_shared<Budget>()) {}
    std::string run(const NodeList& list, const json& data);
    std::string include(const std::string& tname, const json& data);
    std::string tpl(const std::string& text, const json& data);

private:
    struct Var {
        std::string name;
        std::shared_ptr<json> value;
    };
    enum class Flow { Normal, Break, Continue };

    Flow walk(json& dot, const NodeList& list, std::string& out);
    Flow walk_node(json& dot, const Node& n, std::string& out);
    void call_template(const Pos& pos, const std::string& tname, const json& data, std::string& out);
    json eval_pipeline(json& dot, const Pipeline& p, bool declare = true);
    json eval_command(json& dot, const Command& c, const json* final);
    json eval_arg(json& dot, const Arg& a);
    json call_function(json& dot, const Command& c, const Arg& fn, const json* final);
    json field_chain(const Pos& pos, const json& start, const std::vector<std::string>& fields);
    json* lvalue(json& dot_storage, const Arg& a);
    Var* find_var(const std::string& name);
    // Counts one execution step (a node walked or a range iteration) against kMaxSteps and
    // checks `out` against kMaxOutputBytes; raises the template error at `pos` past either.
    void step(const Pos& pos, const std::string& out);
    // Counts what a function call handled (its arguments and its result: a string's bytes, a
    // list's or map's entries) against kMaxFunctionBytes; raises the template error at `pos`
    // past it.
    void charge(const Pos& pos, const std::string& fn, const std::vector<json>& args, const json& result);

    struct Budget {
        std::uint64_t steps = 0;
        std::uint64_t function_bytes = 0;
    };
    Defines defs_;
    std::shared_ptr<const std::string> name_;
    std::vector<Var> vars_;
    int depth_ = 0;
    std::shared_ptr<Budget> budget_;  // shared with the executors of tpl
};

// Helpers shared by the executor and the function library.
bool truth(const json& v);
std::string print_value(const json& v);   // Go fmt %v of a value, nil -> "<nil>"
std::string format_float(double d);       // Go %v of float64
std::string go_quote(const std::string& s);
std::string go_sprintf(const std::string& fmt, const std::vector<json>& args);
std::string type_name(const json& v);
std::string to_json_text(const json& v);  // Go encoding/json Marshal
bool is_int(const json& v);
std::int64_t to_int64(const json& v);  // cast.ToInt64 (floats as Go's int64(f) on amd64)
// int64 arithmetic as Go does it: two's complement wrap-around on overflow, MinInt64 / -1 is
// MinInt64 and MinInt64 % -1 is 0 (sprig's add, sub, mul, div, mod, randInt).
inline std::int64_t go_add(std::int64_t a, std::int64_t b) {
    return static_cast<std::int64_t>(static_cast<std::uint64_t>(a) + static_cast<std::uint64_t>(b));
}
inline std::int64_t go_sub(std::int64_t a, std::int64_t b) {
    return static_cast<std::int64_t>(static_cast<std::uint64_t>(a) - static_cast<std::uint64_t>(b));
}
inline std::int64_t go_mul(std::int64_t a, std::int64_t b) {
    return static_cast<std::int64_t>(static_cast<std::uint64_t>(a) * static_cast<std::uint64_t>(b));
}
inline std::int64_t go_div(std::int64_t a, std::int64_t b) { return b == -1 ? go_sub(0, a) : a / b; }
inline std::int64_t go_mod(std::int64_t a, std::int64_t b) { return b == -1 ? 0 : a % b; }
double to_float64(const json& v);
std::string strval(const json& v);

// Argument checks of the function library (raise FuncError with Go's wording).
[[noreturn]] void ferr(const std::string& m);

// Bounds of the functions that build large values from small templates (a finalize.yaml
// comes from a repository): seq/until/untilStep numbers and repeat's result. Go's sprig has
// none; a template needing more is refused with an error naming the function.
inline constexpr std::size_t kMaxSequence = 1'000'000;
inline constexpr std::uint64_t kMaxRepeatBytes = 64u << 20;  // 64 MiB
// Bounds of one render (all of its include/template/tpl calls together): the nodes walked
// plus range iterations, and the bytes of output. Trees render a build.yaml in thousands of
// steps (2 000 000 take about 0.25 s here); a finalize.yaml from a repository nesting ranges
// would otherwise run for hours.
inline constexpr std::uint64_t kMaxSteps = 2'000'000;
inline constexpr std::size_t kMaxOutputBytes = 64u << 20;  // 64 MiB
// What the function calls of one render handle together, arguments and results (a loop
// hashing or repeating a large string a million times stays within kMaxSteps): 256 MiB.
inline constexpr std::uint64_t kMaxFunctionBytes = 256u << 20;
const std::string& s_arg(const json& v);
std::int64_t i_arg(const json& v);
const json& m_arg(const json& v);
const json& l_arg(const json& v, const std::string& what);
using FuncTable = std::map<std::string, FuncDef>;
// The sprig/Helm groups beyond the core set (funcs_sprig.cpp): dates, crypto, uuid and
// random, float math, more strings/lists/dicts, paths, urls, encodings, reflection.
void add_sprig_functions(FuncTable& f);

// Go time.Time values (time.cpp). A time is held as {"\x01time": [unix seconds, nanoseconds,
// location]}, location a zone name ("UTC", "Local", "Europe/Rome") or a fixed zone.
struct TimeParts {
    std::int64_t sec = 0;
    std::int64_t nsec = 0;
    std::string loc;
};
bool is_time(const json& v);
json make_time(std::int64_t sec, std::int64_t nsec, const std::string& loc);
json time_now();
TimeParts time_parts(const json& t);
json time_in(const json& t, const std::string& loc);
bool valid_location(const std::string& name);                       // time.LoadLocation succeeds
size_t cached_zones();  // zones read from files and kept (at most 256; for the tests)
std::string format_time(const json& t, const std::string& layout);  // Time.Format
std::string time_string(const json& t);                             // Time.String
// time.ParseInLocation; on failure returns null and sets `err` to Go's message.
json parse_time(const std::string& layout, const std::string& value, const std::string& loc, std::string& err);
std::string duration_string(std::int64_t nanoseconds);        // Duration.String
bool parse_duration(const std::string& s, std::int64_t& out);  // time.ParseDuration

}  // namespace luet::tmpl::detail
