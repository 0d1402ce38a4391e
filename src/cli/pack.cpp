// `luet pack CAT/NAME@VERSION --source DIR --destination DIR [--compression]` (mudler/luet cmd/pack.go,
// geaaru/luet luet-build/cmd/pack.go). As upstream, the runtime definition of the metadata is
// ./definition.yaml of the current folder (or the matching entry of ./collection.yaml)
// when there is one; without either, the package is only its name, category and version.
#include <yaml-cpp/yaml.h>

#include "luet/build/builder.hpp"
#include "luet/core/file.hpp"
#include "luet/spec/yaml_util.hpp"

#include "cli/commands.hpp"

namespace luet::cli {
namespace {

spec::Definition runtime_definition(const core::PackageForm& form) {
    namespace fs = std::filesystem;
    spec::Definition def;
    def.form = form;
    if (fs::exists("definition.yaml")) {
        const std::string origin = (fs::current_path() / "definition.yaml").string();
        def = spec::parse_definition(core::read_file("definition.yaml"), origin);
        if (def.form != form)
            throw Error("pack: " + origin + " defines " + def.form.str() + ", not " + form.str());
    } else if (fs::exists("collection.yaml")) {
        const std::string origin = (fs::current_path() / "collection.yaml").string();
        const YAML::Node doc = spec::load_yaml(core::read_file("collection.yaml"), origin);
        bool found = false;
        if (doc["packages"] && doc["packages"].IsSequence()) {
            for (const auto& entry : doc["packages"]) {
                spec::Definition d = spec::definition_from_node(entry, origin);
                if (d.form == form) {
                    def = std::move(d);
                    found = true;
                    break;
                }
            }
        }
        if (!found) throw Error("pack: " + origin + " has no package " + form.str());
    }
    return def;
}

}  // namespace

void add_pack(CLI::App& app, Globals&) {
    struct Args {
        std::string package;
        std::string source = ".";
        std::string destination = ".";
        std::string compression = "gzip";
    };
    auto a = std::make_shared<Args>();
    auto* cmd = app.add_subcommand("pack", "pack a custom package");
    cmd->add_option("package", a->package, "CAT/NAME@VERSION")->required();
    cmd->add_option("--source", a->source, "Source folder");
    cmd->add_option("--destination", a->destination, "Destination folder");
    cmd->add_option("--compression", a->compression, "Compression alg: none, gzip, zstd");
    cmd->callback([a] {
        const core::PackageRef ref = core::parse_package_arg(a->package);
        if (ref.selector.op != core::SelectorOp::Eq || !ref.selector.also.empty())
            throw Error("pack: '" + a->package + "' needs an exact version, e.g. " + ref.atom() + "@1.0");
        const spec::Definition def = runtime_definition({ref.category, ref.name, ref.selector.version});
        const auto meta = build::pack_folder(a->source, def, a->destination, artifact::parse_compression(a->compression),
                                             source_date_epoch());
        info("📦 Packed " + def.form.str() + ": " + (std::filesystem::path(a->destination) / meta.path).string() + " (" +
             std::to_string(meta.files.size()) + " files)");
    });
}

}  // namespace luet::cli
