// Internal: what the network layer sees of the application: a connection's identity and the
// one call that handles a request. Nothing here (or below it) names the store, so net/ compiles
// without SQLite (server/CMakeLists.txt enforces it).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "bus/sink.hpp"
#include "liaise/protocol/crypto.hpp"
#include "liaise/protocol/messages.hpp"

namespace liaise::server {

/// The state of one connection, owned by its session and touched only on its strand.
struct Identity {
    /// The client's address ("192.0.2.7"; forwarded by a trusted proxy, or the peer's): for logs
    /// and the sessions each login records.
    std::string address;
    bool hello = false;
    std::vector<unsigned char> challenge;
    std::int64_t account = 0;  ///< 0 until login
    std::int64_t device = 0;
    std::string user;
    protocol::Role role = protocol::Role::member;
    /// The logged-in device's registered key: every envelope it sends must verify with it.
    crypto::SignPublicKey sign_key;
    [[nodiscard]] bool authenticated() const noexcept { return account != 0; }
};

/// Handles the requests of every connection. Implemented by app::Service; thread-safe.
class Requests {
  public:
    virtual ~Requests() = default;

    using Reply = std::function<void(std::string frame)>;

    /// Handles one frame from `who`'s connection. Calls `reply` exactly once, either before
    /// returning or later from the storage writer thread. `self` receives events once logged in.
    virtual void handle(Identity& who, std::string_view frame, const Reply& reply,
                        const std::shared_ptr<Sink>& self) = 0;

    /// Forgets a closed connection.
    virtual void disconnected(const Identity& who, const Sink* self) = 0;
};

}  // namespace liaise::server
