// The request codec: any bytes decode to a request or a bad_request, never a crash.
#include <cstdlib>
#include <string_view>

#include "fuzz_target.hpp"
#include "liaise/protocol/messages.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view frame(reinterpret_cast<const char*>(data), size);
    const auto decoded = liaise::protocol::decode_request(frame);
    if (!decoded.request && decoded.error.code != "bad_request")
        std::abort();
    (void)liaise::protocol::decode_server_frame(frame);
    return 0;
}
