// A repository's documents as a client downloads them (repo/repository.hpp,
// repo/documents.hpp, artifact/artifact.hpp): repository.yaml, the meta document's
// `index:`, one artifact's metadata. The first byte picks the document.
// Property: index_to_yaml(index_from_yaml(x)) is a fixed point.
#include "fuzz_util.hpp"
#include "luet/artifact/artifact.hpp"
#include "luet/core/error.hpp"
#include "luet/repo/documents.hpp"
#include "luet/repo/repository.hpp"

using namespace luet;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    const std::string doc = fuzz::text(data + 1, size - 1);
    try {
        switch (data[0] % 3) {
            case 0: {
                const auto index = repo::index_from_yaml(doc, "repository.yaml");
                const std::string once = repo::index_to_yaml(index);
                const std::string twice = repo::index_to_yaml(repo::index_from_yaml(once, "written.yaml"));
                if (once != twice) fuzz::broken("repository.yaml round trip", once + "\n----\n" + twice);
                break;
            }
            case 1: {
                const auto entries = repo::parse_meta(doc, "repository.meta.yaml");
                repo::parse_meta(repo::meta_yaml(entries, true), "written.yaml");
                break;
            }
            case 2: {
                const auto m = artifact::metadata_from_yaml(doc, "x.metadata.yaml");
                artifact::metadata_from_yaml(artifact::metadata_to_yaml(m), "written.metadata.yaml");
                artifact::metadata_from_yaml(artifact::metadata_to_json(m), "written.metadata.json");
                break;
            }
        }
    } catch (const Error&) {
    }
    return 0;
}
