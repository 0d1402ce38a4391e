// `completion bash|zsh|fish`, `help [COMMAND...]` and `version`: cobra's built-ins in
// upstream (mudler/luet cmd/version.go prints the bare version; cobra adds help and
// completion). The completion scripts are generated from the command tree itself, so every
// command, alias and flag of this binary is offered.
#include <iostream>
#include <sstream>

#include "cli/commands.hpp"

namespace luet::cli {
namespace {

std::vector<CLI::App*> children(const CLI::App* app) {
    std::vector<CLI::App*> out;
    for (auto* sub : const_cast<CLI::App*>(app)->get_subcommands([](CLI::App* s) { return !s->get_name().empty(); }))
        out.push_back(sub);
    return out;
}

// Long and short names of the options of one command ("--tree -t ...").
std::string option_words(const CLI::App* app) {
    std::string out;
    for (const auto* opt : app->get_options()) {
        for (const auto& l : opt->get_lnames()) out += " --" + l;
        for (const auto& s : opt->get_snames()) out += " -" + s;
    }
    return out;
}

std::string single_quoted(const std::string& s) {
    std::string out = "'";
    for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return out + "'";
}

// Every command below `app` with its path ("luet repo add"), depth first.
void walk(const CLI::App* app, const std::string& path, const std::function<void(const CLI::App*, const std::string&)>& fn) {
    fn(app, path);
    for (auto* sub : children(app)) walk(sub, path + " " + sub->get_name(), fn);
}

std::string bash_script(const CLI::App& root) {
    const std::string name = root.get_name();
    const std::string fn = "_" + std::string(name == "luet-build" ? "luet_build" : "luet") + "_completions";
    std::ostringstream transitions, words;
    const std::string globals = option_words(&root);
    walk(&root, name, [&](const CLI::App* app, const std::string& path) {
        std::string subs;
        for (auto* sub : children(app)) {
            subs += " " + sub->get_name();
            transitions << "      " << single_quoted(path + "/" + sub->get_name());
            for (const auto& alias : sub->get_aliases()) transitions << "|" << single_quoted(path + "/" + alias);
            transitions << ") path=" << single_quoted(path + " " + sub->get_name()) << " ;;\n";
        }
        words << "    " << single_quoted(path) << ") words=" << single_quoted(subs + option_words(app) + globals)
              << " ;;\n";
    });
    std::ostringstream out;
    out << "# bash completion for " << name << "\n"
        << fn << "() {\n"
        << "  local cur=\"${COMP_WORDS[COMP_CWORD]}\" path=" << single_quoted(name) << " words i\n"
        << "  for ((i = 1; i < COMP_CWORD; i++)); do\n"
        << "    case \"$path/${COMP_WORDS[i]}\" in\n"
        << transitions.str() << "    esac\n"
        << "  done\n"
        << "  case \"$path\" in\n"
        << words.str() << "  esac\n"
        << "  COMPREPLY=($(compgen -W \"$words\" -- \"$cur\"))\n"
        << "}\n"
        << "complete -o default -F " << fn << " " << name << "\n";
    return out.str();
}

std::string fish_script(const CLI::App& root) {
    const std::string name = root.get_name();
    std::ostringstream out;
    out << "# fish completion for " << name << "\n";
    auto option_lines = [&](const CLI::App* app, const std::string& condition) {
        for (const auto* opt : app->get_options()) {
            if (opt->get_lnames().empty() && opt->get_snames().empty()) continue;
            out << "complete -c " << name;
            if (!condition.empty()) out << " -n " << single_quoted(condition);
            for (const auto& l : opt->get_lnames()) out << " -l " << l;
            for (const auto& s : opt->get_snames()) out << " -s " << s;
            if (opt->get_expected_min() > 0) out << " -r";
            out << " -d " << single_quoted(opt->get_description()) << "\n";
        }
    };
    option_lines(&root, "");
    walk(&root, name, [&](const CLI::App* app, const std::string& path) {
        // The words after the binary name that lead to this command.
        const std::string words = path.size() > name.size() ? path.substr(name.size() + 1) : "";
        const std::string last = words.substr(words.rfind(' ') == std::string::npos ? 0 : words.rfind(' ') + 1);
        const std::string condition = words.empty() ? "__fish_use_subcommand" : "__fish_seen_subcommand_from " + last;
        for (auto* sub : children(app))
            out << "complete -c " << name << " -f -n " << single_quoted(condition) << " -a " << sub->get_name()
                << " -d " << single_quoted(sub->get_description()) << "\n";
        if (app != &root) option_lines(app, "__fish_seen_subcommand_from " + last);
    });
    return out.str();
}

// PowerShell quotes: '' stands for ' inside '...'.
std::string ps_quoted(const std::string& s) {
    std::string out = "'";
    for (char c : s) out += c == '\'' ? std::string("''") : std::string(1, c);
    return out + "'";
}

// A native argument completer: the words typed so far select a command (through names and
// aliases), whose subcommands and flags are offered; with descriptions, each result's tooltip
// is the command's or flag's help line.
std::string powershell_script(const CLI::App& root, bool descriptions) {
    const std::string name = root.get_name();
    std::ostringstream transitions, words;
    auto entry = [&](const std::string& word, const std::string& help) {
        return "@(" + ps_quoted(word) + ", " + ps_quoted(descriptions && !help.empty() ? help : word) + ")";
    };
    std::vector<std::string> global_entries;
    for (const auto* opt : root.get_options()) {
        if (opt == root.get_help_ptr()) continue;  // each command has its own
        for (const auto& l : opt->get_lnames()) global_entries.push_back(entry("--" + l, opt->get_description()));
        for (const auto& s : opt->get_snames()) global_entries.push_back(entry("-" + s, opt->get_description()));
    }
    walk(&root, name, [&](const CLI::App* app, const std::string& path) {
        std::vector<std::string> list;
        for (auto* sub : children(app)) {
            if (!sub->get_group().empty()) list.push_back(entry(sub->get_name(), sub->get_description()));  // hidden: not offered
            transitions << "        " << ps_quoted(path + "/" + sub->get_name()) << " = " << ps_quoted(path + " " + sub->get_name()) << "\n";
            for (const auto& alias : sub->get_aliases())
                transitions << "        " << ps_quoted(path + "/" + alias) << " = " << ps_quoted(path + " " + sub->get_name()) << "\n";
        }
        if (app != &root)
            for (const auto* opt : app->get_options()) {
                for (const auto& l : opt->get_lnames()) list.push_back(entry("--" + l, opt->get_description()));
                for (const auto& s : opt->get_snames()) list.push_back(entry("-" + s, opt->get_description()));
            }
        list.insert(list.end(), global_entries.begin(), global_entries.end());
        words << "        " << ps_quoted(path) << " = @(";
        for (std::size_t i = 0; i < list.size(); ++i) words << (i ? ", " : "") << list[i];
        words << ")\n";
    });
    std::ostringstream out;
    out << "# powershell completion for " << name << "\n"
        << "Register-ArgumentCompleter -Native -CommandName " << ps_quoted(name) << " -ScriptBlock {\n"
        << "    param($wordToComplete, $commandAst, $cursorPosition)\n"
        << "    $transitions = @{\n" << transitions.str() << "    }\n"
        << "    $words = @{\n" << words.str() << "    }\n"
        << "    $path = " << ps_quoted(name) << "\n"
        << "    foreach ($element in ($commandAst.CommandElements | Select-Object -Skip 1)) {\n"
        << "        if ($element.Extent.EndOffset -ge $cursorPosition) { break }\n"
        << "        $key = $path + '/' + $element.ToString()\n"
        << "        if ($transitions.ContainsKey($key)) { $path = $transitions[$key] }\n"
        << "    }\n"
        << "    foreach ($w in $words[$path]) {\n"
        << "        if ($w[0] -like \"$wordToComplete*\") {\n"
        << "            [System.Management.Automation.CompletionResult]::new($w[0], $w[0], 'ParameterValue', $w[1])\n"
        << "        }\n"
        << "    }\n"
        << "}\n";
    return out.str();
}

}  // namespace

void add_completion(CLI::App& app) {
    auto* cmd = app.add_subcommand("completion", "Generate the autocompletion script for the specified shell");
    cmd->require_subcommand(1);
    auto* bash = cmd->add_subcommand("bash", "Generate the autocompletion script for bash");
    add_accepted_flag(bash, "--no-descriptions", "disable completion descriptions (accepted: the bash script has none)");
    bash->callback([&app] { std::cout << bash_script(app); });
    auto* zsh = cmd->add_subcommand("zsh", "Generate the autocompletion script for zsh");
    add_accepted_flag(zsh, "--no-descriptions", "disable completion descriptions (accepted: the zsh script has none)");
    // zsh runs the bash script through bashcompinit.
    zsh->callback([&app] {
        std::cout << "#compdef " << app.get_name() << "\nautoload -U +X bashcompinit && bashcompinit\n"
                  << bash_script(app);
    });
    auto* fish = cmd->add_subcommand("fish", "Generate the autocompletion script for fish");
    auto no_descriptions = std::make_shared<bool>(false);
    fish->add_flag("--no-descriptions", *no_descriptions, "disable completion descriptions");
    fish->callback([&app, no_descriptions] {
        std::string script = fish_script(app);
        if (*no_descriptions) {
            std::string plain;
            std::istringstream lines(script);
            for (std::string line; std::getline(lines, line);) {
                const auto d = line.find(" -d '");
                plain += (d == std::string::npos ? line : line.substr(0, d)) + "\n";
            }
            script = plain;
        }
        std::cout << script;
    });
    auto* powershell = cmd->add_subcommand("powershell", "Generate the autocompletion script for powershell");
    auto ps_no_descriptions = std::make_shared<bool>(false);
    powershell->add_flag("--no-descriptions", *ps_no_descriptions, "disable completion descriptions");
    powershell->callback([&app, ps_no_descriptions] { std::cout << powershell_script(app, !*ps_no_descriptions); });
}

void add_help(CLI::App& app) {
    auto path = std::make_shared<std::vector<std::string>>();
    auto* cmd = app.add_subcommand("help", "Help about any command");
    cmd->add_option("command", *path, "The command to describe");
    cmd->callback([&app, path] {
        const CLI::App* target = &app;
        for (const auto& word : *path) {
            const CLI::App* next = nullptr;
            for (auto* sub : children(target))
                if (sub->check_name(word)) next = sub;
            if (!next) throw Error("Unknown help topic \"" + word + "\"");
            target = next;
        }
        // help(PREV) prints "Usage: PREV NAME": PREV is the path of the commands above.
        std::string prev;
        for (const CLI::App* up = target->get_parent(); up; up = up->get_parent())
            prev = up->get_name() + (prev.empty() ? "" : " " + prev);
        // The formatter directly: App::help() of the root shows the help of the subcommand
        // parsed ("help" itself), where cobra's `luet help` shows the root's.
        const std::string usage = prev.empty() ? target->get_name() : prev + " " + target->get_name();
        std::cout << target->get_formatter()->make_help(target, usage, CLI::AppFormatMode::Normal);
    });
}

void add_version(CLI::App& app) {
    auto* cmd = app.add_subcommand("version", "Print the version of luet");
    cmd->callback([] { std::cout << version() << std::endl; });
}

}  // namespace luet::cli
