// Linked instead of the generated table when liaise-server is built without the web client
// (-DLIAISE_WEB=OFF, or web/node_modules not installed): no files, no bundle hash.
#include "web_assets.hpp"

namespace liaise::server::web {

std::span<const Asset> assets() {
    return {};
}

std::string_view bundle_sha256() {
    return {};
}

}  // namespace liaise::server::web
