// `luet database create|get|remove|reindex` (mudler/luet cmd/database/*.go, geaaru/luet
// cmd/database/*.go): direct edits of the installed-package database that touch no file of
// the rootfs.
#include <yaml-cpp/yaml.h>

#include <iostream>
#include <memory>

#include "cli/commands.hpp"
#include "luet/artifact/artifact.hpp"
#include "luet/core/file.hpp"
#include "luet/spec/yaml_util.hpp"
#include "luet/db/database.hpp"
#include "luet/install/transaction.hpp"

namespace luet::cli {
namespace {

db::Database open_database(const Globals& g) {
    return db::Database::for_reading(load_config(g).system_dir() / "luet.sqlite");
}

// Changes go through the rootfs lock and the recovery of an interrupted transaction, as
// install and uninstall do.
void change_database(const Globals& g, const std::function<void(db::Database&)>& fn) {
    install::with_rootfs(load_config(g), install_reporter(), fn);
}

// The recorded packages matching each argument ("cat/name", "cat/name@1.0", "=cat/name-1.0"...).
std::vector<std::vector<spec::Definition>> find_each(const db::Database& database,
                                                     const std::vector<std::string>& args) {
    const auto installed = database.packages();
    std::vector<std::vector<spec::Definition>> out;
    for (const auto& a : args) {
        const core::PackageRef ref = core::parse_package_arg(a);
        auto& found = out.emplace_back();
        for (const auto& p : installed)
            if (ref.matches(p.definition.form)) found.push_back(p.definition);
    }
    return out;
}

void add_create(CLI::App& parent, Globals& g) {
    auto files = std::make_shared<std::vector<std::string>>();
    auto* cmd = parent.add_subcommand("create", "Insert a package in the system DB");
    cmd->add_option("metadata", *files, "Artifact metadata files (NAME-CATEGORY-VERSION.metadata.yaml)")->required();
    cmd->callback([files, &g] { change_database(g, [&](db::Database& database) {
        // Every file is read and checked before the first record is written.
        std::vector<artifact::Metadata> metas;
        for (const auto& f : *files) {
            metas.push_back(artifact::read_metadata(f));
            const auto& form = metas.back().runtime.form;
            if (database.contains(form)) throw Error(f + ": package " + form.str() + " already present.");
            for (size_t i = 0; i + 1 < metas.size(); ++i)
                if (metas[i].runtime.form == form) throw Error(f + ": package " + form.str() + " given twice.");
        }
        for (const auto& m : metas) {
            database.add({m.runtime, "", {}, {}, {}}, m.files);
            info(m.runtime.form.str() + " created");
        }
    }); });
}

void add_get(CLI::App& parent, Globals& g) {
    struct Args {
        std::vector<std::string> packages;
        bool files = false;
    };
    auto a = std::make_shared<Args>();
    auto* cmd = parent.add_subcommand("get", "Get a package in the system DB as yaml");
    cmd->add_option("package", a->packages, "Packages: CAT/NAME[@VERSION]")->required();
    cmd->add_flag("--files", a->files, "Show package files.");
    cmd->callback([a, &g] {
        const auto database = open_database(g);
        const auto found = find_each(database, a->packages);
        for (size_t i = 0; i < found.size(); ++i) {
            // Upstream prints nothing for an unknown package and succeeds.
            if (found[i].empty()) warn("package " + a->packages[i] + " is not in the system database");
            for (const auto& def : found[i]) {
                std::cout << spec::definition_to_yaml(def) << "\n";
                if (!a->files) continue;
                YAML::Emitter out;
                out << database.files(def.form);
                std::cout << "files:\n" << out.c_str() << "\n\n";
            }
        }
    });
}

void add_remove(CLI::App& parent, Globals& g) {
    struct Args {
        std::vector<std::string> packages;
        bool force = false;
    };
    auto a = std::make_shared<Args>();
    auto* cmd = parent.add_subcommand(
        "remove", "Remove a package from the system DB (forcefully - you normally don't want to do that)");
    cmd->add_option("package", a->packages, "Packages: CAT/NAME[@VERSION]")->required();
    cmd->add_flag("--force", a->force, "Force uninstall");
    cmd->callback([a, &g] { change_database(g, [&](db::Database& database) {
        const auto found = find_each(database, a->packages);
        // Unknown packages stop the command before any record goes, unless --force.
        for (size_t i = 0; i < found.size(); ++i) {
            if (!found[i].empty()) continue;
            const std::string msg = "Failed removing " + a->packages[i] + ": not in the system database";
            if (!a->force) throw Error(msg);
            warn(msg);
        }
        for (const auto& defs : found)
            for (const auto& def : defs) database.remove(def.form);
    }); });
}

// mudler/luet cmd/database/show_all.go: every recorded package as one YAML list.
void add_get_all_installed(CLI::App& parent, Globals& g) {
    auto output = std::make_shared<std::string>();
    auto* cmd = parent.add_subcommand("get-all-installed", "Show all installed packages in the system DB as yaml");
    cmd->add_option("--output", *output, "Save output to given file.");
    cmd->callback([output, &g] {
        const auto database = open_database(g);
        YAML::Emitter out;
        out << YAML::BeginSeq;
        for (const auto& p : database.packages())
            out << spec::load_yaml(spec::definition_to_yaml(p.definition), p.definition.form.str());
        out << YAML::EndSeq;
        const std::string text = std::string(out.c_str()) + "\n";
        std::cout << text;
        if (!output->empty()) core::write_file_atomic(*output, text);
    });
}

}  // namespace

void add_database(CLI::App& app, Globals& g) {
    auto* cmd = app.add_subcommand("database", "Manage system database (dangerous commands ahead!)");
    cmd->require_subcommand(1);
    add_create(*cmd, g);
    add_get(*cmd, g);
    add_remove(*cmd, g);
    add_get_all_installed(*cmd, g);
    auto* reindex = cmd->add_subcommand("reindex", "Reindex local database");
    reindex->callback([&g] { change_database(g, [](db::Database& database) { database.reindex(); }); });
}

}  // namespace luet::cli
