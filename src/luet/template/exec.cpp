// Executor: walks the parsed tree with Go text/template semantics.
#include <set>

#include "luet/core/error.hpp"
#include "luet/template/internal.hpp"
#include "luet/template/template.hpp"

namespace luet::tmpl::detail {

namespace {
constexpr int kMaxDepth = 1000;

std::string print_top(const json& v) { return v.is_null() ? std::string("<no value>") : print_value(v); }

const std::set<std::string> kMutating = {"set", "unset", "merge", "mergeOverwrite"};
}  // namespace

std::string Exec::run(const NodeList& list, const json& data) {
    std::string out;
    auto root = std::make_shared<json>(data);
    auto saved = std::move(vars_);
    vars_.clear();
    vars_.push_back({"$", root});
    try {
        walk(*root, list, out);
    } catch (...) {
        vars_ = std::move(saved);
        throw;
    }
    vars_ = std::move(saved);
    return out;
}

void Exec::call_template(const Pos& pos, const std::string& tname, const json& data, std::string& out) {
    auto it = defs_.find(tname);
    if (it == defs_.end()) fail_at(pos, "template \"" + tname + "\" not defined");
    if (depth_ >= kMaxDepth) fail_at(pos, "exceeded maximum template depth (" + std::to_string(kMaxDepth) + ")");
    auto body = it->second;  // keep alive even if redefined meanwhile
    ++depth_;
    try {
        out += run(*body, data);
    } catch (...) {
        --depth_;
        throw;
    }
    --depth_;
}

std::string Exec::include(const std::string& tname, const json& data) {
    if (!defs_.count(tname)) throw FuncError("template \"" + tname + "\" not defined");
    if (depth_ >= kMaxDepth) throw FuncError("exceeded maximum template depth (" + std::to_string(kMaxDepth) + ")");
    std::string out;
    call_template(Pos{name_, 0, 0}, tname, data, out);
    return out;
}

std::string Exec::tpl(const std::string& text, const json& data) {
    if (depth_ >= kMaxDepth) throw FuncError("exceeded maximum template depth");
    Defines defs = defs_;
    auto list = parse(*name_, text, defs);
    Exec sub(std::move(defs), name_);
    sub.depth_ = depth_ + 1;
    sub.budget_ = budget_;
    return sub.run(*list, data);
}

Exec::Flow Exec::walk(json& dot, const NodeList& list, std::string& out) {
    for (const auto& n : list) {
        Flow f = walk_node(dot, *n, out);
        if (f != Flow::Normal) return f;
    }
    return Flow::Normal;
}

void Exec::step(const Pos& pos, const std::string& out) {
    if (++budget_->steps > kMaxSteps)
        fail_at(pos, "the template took more than " + std::to_string(kMaxSteps) + " steps (nested loops?)");
    if (out.size() > kMaxOutputBytes)
        fail_at(pos, "the template wrote more than " + std::to_string(kMaxOutputBytes) + " bytes");
}

void Exec::charge(const Pos& pos, const std::string& fn, const std::vector<json>& args, const json& result) {
    auto bytes = [](const json& v) -> std::uint64_t { return v.is_string() ? v.get_ref<const std::string&>().size() : v.size(); };
    std::uint64_t n = bytes(result);
    for (const auto& a : args) n += bytes(a);
    budget_->function_bytes += n;
    if (budget_->function_bytes > kMaxFunctionBytes)
        fail_at(pos, "the template's functions handled more than " + std::to_string(kMaxFunctionBytes) +
                         " bytes (the last: " + fn + ")");
}

Exec::Flow Exec::walk_node(json& dot, const Node& n, std::string& out) {
    step(n.pos, out);
    switch (n.kind) {
        case NodeKind::Text:
            out += n.text;
            return Flow::Normal;
        case NodeKind::Action: {
            json v = eval_pipeline(dot, *n.pipe);
            if (n.pipe->decl.empty()) out += print_top(v);
            return Flow::Normal;
        }
        case NodeKind::Break: return Flow::Break;
        case NodeKind::Continue: return Flow::Continue;
        case NodeKind::Template: {
            json data = n.pipe ? eval_pipeline(dot, *n.pipe) : json();
            call_template(n.pos, n.text, data, out);
            return Flow::Normal;
        }
        case NodeKind::If:
        case NodeKind::With: {
            size_t mark = vars_.size();
            json v = eval_pipeline(dot, *n.pipe);
            Flow f;
            if (truth(v)) {
                if (n.kind == NodeKind::With) f = walk(v, n.list, out);
                else f = walk(dot, n.list, out);
            } else {
                f = walk(dot, n.else_list, out);
            }
            vars_.resize(mark);
            return f;
        }
        case NodeKind::Range: {
            size_t mark = vars_.size();
            json v = eval_pipeline(dot, *n.pipe, false);
            const auto& decl = n.pipe->decl;
            bool any = false;
            Flow result = Flow::Normal;
            auto one = [&](const json& key, const json& elem) -> bool {
                step(n.pos, out);
                any = true;
                json d = elem;
                size_t m2 = vars_.size();
                if (n.pipe->assign) {
                    if (decl.size() == 1) *find_var(decl[0])->value = elem;
                    if (decl.size() == 2) {
                        *find_var(decl[0])->value = key;
                        *find_var(decl[1])->value = elem;
                    }
                } else {
                    if (decl.size() == 1) vars_.push_back({decl[0], std::make_shared<json>(elem)});
                    if (decl.size() == 2) {
                        vars_.push_back({decl[0], std::make_shared<json>(key)});
                        vars_.push_back({decl[1], std::make_shared<json>(elem)});
                    }
                }
                Flow f = walk(d, n.list, out);
                vars_.resize(m2);
                return f != Flow::Break;
            };
            if (v.is_array()) {
                for (size_t i = 0; i < v.size(); ++i)
                    if (!one(json(static_cast<std::int64_t>(i)), v[i])) break;
            } else if (v.is_object()) {
                for (auto it = v.begin(); it != v.end(); ++it)
                    if (!one(json(it.key()), it.value())) break;
            } else if (is_int(v)) {
                if (decl.size() == 2) fail_at(n.pos, "can't use two variables when ranging over an integer");
                for (std::int64_t i = 0; i < to_int64(v); ++i)
                    if (!one(json(i), json(i))) break;
            } else if (!v.is_null()) {
                fail_at(n.pos, "range can't iterate over " + print_value(v));
            }
            if (!any) result = walk(dot, n.else_list, out);
            vars_.resize(mark);
            return result;
        }
    }
    return Flow::Normal;
}

Exec::Var* Exec::find_var(const std::string& name) {
    for (auto it = vars_.rbegin(); it != vars_.rend(); ++it)
        if (it->name == name) return &*it;
    return nullptr;
}

json Exec::eval_pipeline(json& dot, const Pipeline& p, bool declare) {
    json v;
    bool have = false;
    for (const auto& c : p.cmds) {
        v = eval_command(dot, c, have ? &v : nullptr);
        have = true;
    }
    if (declare && !p.decl.empty()) {
        if (p.decl.size() > 1) fail_at(p.pos, "too many declarations");
        if (p.assign) {
            Var* var = find_var(p.decl[0]);
            if (!var) fail_at(p.pos, "undefined variable \"" + p.decl[0] + "\"");
            *var->value = v;
        } else {
            vars_.push_back({p.decl[0], std::make_shared<json>(v)});
        }
    }
    return v;
}

json Exec::field_chain(const Pos& pos, const json& start, const std::vector<std::string>& fields) {
    const json* cur = &start;
    for (size_t i = 0; i < fields.size(); ++i) {
        const std::string& f = fields[i];
        // A nil that came out of a map (Helm renders with missingkey=zero) cannot be looked
        // into; a nil dot (a template called without data) reads as no value.
        if (cur->is_null()) {
            if (i == 0) return json();
            fail_at(pos, "nil pointer evaluating interface {}." + f);
        }
        if (!cur->is_object()) fail_at(pos, "can't evaluate field " + f + " in type " + type_name(*cur));
        static const json kMissing;
        auto it = cur->find(f);
        cur = it == cur->end() ? &kMissing : &*it;
    }
    return *cur;
}

json Exec::eval_command(json& dot, const Command& c, const json* final) {
    const Arg& first = c.args[0];
    bool extra = c.args.size() > 1 || final != nullptr;
    switch (first.kind) {
        case ArgKind::Ident: return call_function(dot, c, first, final);
        case ArgKind::Field:
            if (extra) fail_at(first.pos, first.fields.back() + " is not a method but has arguments");
            return field_chain(first.pos, dot, first.fields);
        case ArgKind::Nil:
            fail_at(first.pos, "nil is not a command");
        default:
            if (extra) {
                std::string what = first.kind == ArgKind::Variable ? first.name
                                   : first.kind == ArgKind::Dot    ? std::string(".")
                                   : first.kind == ArgKind::Pipe   ? std::string("(pipeline)")
                                                                   : print_value(first.literal);
                fail_at(first.pos, "can't give argument to non-function " + what);
            }
            return eval_arg(dot, first);
    }
}

json Exec::eval_arg(json& dot, const Arg& a) {
    switch (a.kind) {
        case ArgKind::Field: return field_chain(a.pos, dot, a.fields);
        case ArgKind::Dot: return dot;
        case ArgKind::Nil: return json();
        case ArgKind::Literal: return a.literal;
        case ArgKind::Variable: {
            Var* v = find_var(a.name);
            if (!v) fail_at(a.pos, "undefined variable \"" + a.name + "\"");
            return field_chain(a.pos, *v->value, a.fields);
        }
        case ArgKind::Pipe: {
            json v = eval_pipeline(dot, *a.pipe);
            return a.fields.empty() ? v : field_chain(a.pos, v, a.fields);
        }
        case ArgKind::Ident: {
            Command c;
            c.pos = a.pos;
            c.args.push_back(a);
            return call_function(dot, c, a, nullptr);
        }
    }
    return json();
}

json* Exec::lvalue(json& dot, const Arg& a) {
    json* base = nullptr;
    if (a.kind == ArgKind::Dot || a.kind == ArgKind::Field) base = &dot;
    if (a.kind == ArgKind::Variable) {
        Var* v = find_var(a.name);
        if (v) base = v->value.get();
    }
    if (!base) return nullptr;
    for (const auto& f : a.fields) {
        if (!base->is_object()) return nullptr;
        auto it = base->find(f);
        if (it == base->end()) return nullptr;
        base = &*it;
    }
    return base;
}

json Exec::call_function(json& dot, const Command& c, const Arg& fn, const json* final) {
    const std::string& name = fn.name;
    size_t nargs = c.args.size() - 1 + (final ? 1 : 0);
    if (name == "and" || name == "or") {
        if (nargs < 1) fail_at(fn.pos, "wrong number of args for " + name + ": want at least 1 got 0");
        json v;
        for (size_t i = 1; i < c.args.size(); ++i) {
            v = eval_arg(dot, c.args[i]);
            if (truth(v) == (name == "or")) return v;
        }
        if (final) v = *final;
        return v;
    }
    const FuncDef& def = functions().at(name);
    std::vector<json> args;
    args.reserve(nargs);
    for (size_t i = 1; i < c.args.size(); ++i) args.push_back(eval_arg(dot, c.args[i]));
    if (final) args.push_back(*final);
    int n = static_cast<int>(args.size());
    if (def.max_args < 0 && n < def.min_args)
        fail_at(fn.pos, "wrong number of args for " + name + ": want at least " + std::to_string(def.min_args) +
                            " got " + std::to_string(n));
    if (def.max_args >= 0 && (n < def.min_args || n > def.max_args))
        fail_at(fn.pos, "wrong number of args for " + name + ": want " + std::to_string(def.min_args) + " got " +
                            std::to_string(n));
    json result;
    try {
        result = def.fn(*this, args);
    } catch (const luet::Error&) {
        throw;
    } catch (const FuncError& e) {
        fail_at(fn.pos, "error calling " + name + ": " + e.what());
    } catch (const std::exception& e) {
        fail_at(fn.pos, "error calling " + name + ": " + e.what());
    }
    charge(fn.pos, name, args, result);
    if (kMutating.count(name) && c.args.size() > 1) {
        if (json* lv = lvalue(dot, c.args[1])) *lv = result;
    }
    return result;
}

}  // namespace luet::tmpl::detail

namespace luet::tmpl {

std::string render(const std::string& name, const std::string& text, const nlohmann::json& values,
                   const std::vector<std::pair<std::string, std::string>>& shared) {
    detail::Defines defs;
    for (const auto& [sname, stext] : shared) detail::parse(sname, stext, defs);
    auto main = detail::parse(name, text, defs);
    detail::Exec ex(std::move(defs), std::make_shared<const std::string>(name));
    // Helm's engine.Render removes every "<no value>" from the output (missing values print
    // as nothing), also one written literally in the template.
    std::string out = ex.run(*main, values);
    for (size_t p = 0; (p = out.find("<no value>", p)) != std::string::npos;) out.erase(p, 10);
    return out;
}

}  // namespace luet::tmpl
