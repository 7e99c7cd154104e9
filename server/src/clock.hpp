// Internal: the server's clock, for every layer (app, store, bus) without a database type.
#pragma once

#include <chrono>
#include <cstdint>

namespace liaise::server {

/// Milliseconds since the epoch: how every timestamp is stored.
[[nodiscard]] inline std::int64_t now_ms() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

}  // namespace liaise::server
