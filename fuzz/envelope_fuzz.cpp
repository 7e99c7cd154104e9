// The envelope parser: any JSON value parses to an envelope or a bad_request; a parsed envelope
// re-encodes to JSON that parses to the same envelope.
#include <boost/json.hpp>
#include <cstdlib>

#include "fuzz_target.hpp"
#include "liaise/protocol/crypto.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    boost::system::error_code ec;
    boost::json::parse_options options;
    options.max_depth = 16;
    const auto value = boost::json::parse(
        std::string_view(reinterpret_cast<const char*>(data), size), ec, {}, options);
    if (ec)
        return 0;
    const auto env = liaise::crypto::envelope_from_json(value);
    if (!env) {
        if (env.error().code != "bad_request")
            std::abort();
        return 0;
    }
    const auto again = liaise::crypto::envelope_from_json(liaise::crypto::to_json(env.value()));
    if (!again || boost::json::serialize(liaise::crypto::to_json(again.value())) !=
                      boost::json::serialize(liaise::crypto::to_json(env.value())))
        std::abort();
    return 0;
}
