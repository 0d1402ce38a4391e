// `luet pack CAT/NAME@VERSION --source DIR --destination DIR [--compression]` (mudler/luet cmd/pack.go).
#include "luet/build/builder.hpp"

#include "cli/commands.hpp"

namespace luet::cli {

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
        spec::Definition def;
        def.form = {ref.category, ref.name, ref.selector.version};
        const auto meta = build::pack_folder(a->source, def, a->destination, artifact::parse_compression(a->compression));
        info("📦 Packed " + def.form.str() + ": " + (std::filesystem::path(a->destination) / meta.path).string() + " (" +
             std::to_string(meta.files.size()) + " files)");
    });
}

}  // namespace luet::cli
