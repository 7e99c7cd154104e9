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

/// One connection as the application sees it: where its events go (Sink), and the way back to
/// its Identity for a request that completes after Requests::handle() returned. Implemented by
/// the network layer's WebSocket session.
class Session : public Sink {
  public:
    /// Runs `fn` with the session's Identity on the session's strand, after everything
    /// delivered or posted to it before (and before what is delivered after). For a held
    /// request (Requests::Handling::held), the only way to change the Identity once handle()
    /// has returned. Thread-safe; must not block; `fn` must not block either.
    virtual void with_identity(std::function<void(Identity&)> fn) = 0;
    /// Ends a hold: the session reads its next frame, after everything delivered or posted to
    /// it before. Call exactly once per held request, from any thread.
    virtual void resume() = 0;
};

/// Handles the requests of every connection. Implemented by app::Service; thread-safe.
class Requests {
  public:
    virtual ~Requests() = default;

    using Reply = std::function<void(std::string frame)>;

    /// What handle() left behind. `held`: the request goes on after handle() returned and the
    /// session must not hand over its next frame until the Service calls Session::resume()
    /// (login and enrol: each reads the store before it can decide, and requests keep their
    /// order per session). `done`: the next frame may be handled at once.
    enum class Handling { done, held };

    /// Handles one frame from `who`'s connection. Calls `reply` exactly once, either before
    /// returning or later from a store or worker thread. `self` receives events once logged
    /// in; may be null (a request from `init`), and then no request is held. `who` may be
    /// touched only until handle() returns; afterwards only through self->with_identity().
    [[nodiscard]] virtual Handling handle(Identity& who, std::string_view frame, const Reply& reply,
                                          const std::shared_ptr<Session>& self) = 0;

    /// Forgets a closed connection.
    virtual void disconnected(const Identity& who, const Sink* self) = 0;
};

}  // namespace liaise::server
