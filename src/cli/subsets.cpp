// `luet subsets list|enable|disable` (geaaru/luet cmd/subsets.go, cmd/subsets/*.go).
#include <algorithm>
#include <filesystem>
#include <iostream>

#include "cli/commands.hpp"
#include "luet/core/file.hpp"
#include "luet/install/subsets.hpp"

namespace luet::cli {
namespace {

// The names to write and those really changed, for enable (add) and disable (remove).
struct Edit {
    std::vector<std::string> names;
    std::vector<std::string> changed;
};

std::string joined(const std::vector<std::string>& v) {
    std::string out;
    for (const auto& s : v) out += (out.empty() ? "" : " ") + s;
    return out;
}

void add_list(CLI::App& parent, Globals& g) {
    auto quiet = std::make_shared<bool>(false);
    auto* cmd = parent.add_subcommand("list", "List of subsets enabled.");
    cmd->add_flag("--quiet,-q", *quiet, "Show only name of the repositories.");
    cmd->callback([quiet, &g] {
        const auto subsets = install::load_subsets(load_config(g));
        if (*quiet) {
            for (const auto& s : subsets.enabled) std::cout << s << "\n";
            return;
        }
        if (subsets.enabled.empty()) {
            std::cout << "No subsets enabled.\n";
            return;
        }
        std::cout << "🍨 Subsets enabled:\n";
        for (const auto& s : subsets.enabled) {
            std::cout << " * " << s << "\n";
            if (auto it = subsets.descriptions.find(s); it != subsets.descriptions.end())
                std::cout << "   " << it->second.description << "\n    Num. Rules: " << it->second.rules.size() << "\n";
            else if (s == "portage")
                std::cout << "   Portage metadata and files.\n\n";
            else if (s == "devel")
                std::cout << "   Includes and devel files. Needed for compilation.\n\n";
        }
    });
}

void add_edit(CLI::App& parent, Globals& g, bool enable) {
    struct Args {
        std::string file;
        std::vector<std::string> names;
    };
    auto args = std::make_shared<Args>();
    const std::string verb = enable ? "enable" : "disable";
    auto* cmd = parent.add_subcommand(verb, enable ? "Enable one or more subsets." : "Disable one or more subsets.");
    cmd->add_option("subsets", args->names, "<subset1> ... <subsetN>")->required();
    cmd->add_option("--file,-f", args->file, "Define the filename without extension where enable the subsets.");
    cmd->footer("The filename is used to write/update the file under the first directory defined on\n"
                "subsets_confdir option (for example /etc/luet/subsets.conf.d/my.yml else main.yml is used).");
    cmd->callback([args, enable, &g] {
        const auto cfg = load_config(g);
        const std::filesystem::path file = install::subsets_conf_file(cfg, args->file);
        const bool exists = std::filesystem::exists(file);
        if (!enable && !exists)
            throw Error("The subsets config file " + file.filename().string() + " doesn't exist.\n" +
                        "Maybe the subsets is enabled in another file or on luet.yaml?");
        Edit edit;
        if (exists) edit.names = install::parse_enabled(core::read_file(file), file.string());
        for (const auto& s : args->names) {
            auto it = std::find(edit.names.begin(), edit.names.end(), s);
            if (enable && it != edit.names.end()) {
                warn("subset " + s + " already present. Skipped.");
            } else if (!enable && it == edit.names.end()) {
                warn("subset " + s + " not enabled. Skipped.");
            } else {
                if (enable)
                    edit.names.push_back(s);
                else
                    edit.names.erase(it);
                edit.changed.push_back(s);
            }
        }
        install::write_enabled(file, edit.names);
        if (!edit.changed.empty())
            info("Subsets " + joined(edit.changed) + (enable ? " enabled" : " disabled") + " ✔ .");
        else
            info(enable ? "No subsets enabled." : "No subsets to disable.");
    });
}

}  // namespace

void add_subsets(CLI::App& app, Globals& g) {
    auto* cmd = app.add_subcommand("subsets", "Manage subsets.");
    cmd->require_subcommand(1);
    add_list(*cmd, g);
    add_edit(*cmd, g, true);
    add_edit(*cmd, g, false);
}

}  // namespace luet::cli
