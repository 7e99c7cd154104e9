// The server's own signing key, pinned at enrolment, and the last signed audit head this
// device saw, in $LIAISE_HOME/server.json (PROTOCOL.md, "Signed audit heads"). An admin's
// client checks both at every login: a server whose key changed, or whose audit log is shorter
// than (or does not extend) the log this device saw before, is refused.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "liaise/client/connection.hpp"
#include "liaise/client/home.hpp"
#include "liaise/protocol/crypto.hpp"
#include "liaise/protocol/expected.hpp"

namespace liaise::client {

/// A signed audit head as this device saw it.
struct SeenHead {
    std::int64_t count = 0;
    std::string last_hash;  ///< base64
    std::int64_t signed_at = 0;
    std::string signature;     ///< base64
    std::int64_t seen_at = 0;  ///< this device's clock, ms since the epoch
};

/// server.json, read when constructed; each change is saved at once (atomically, mode 0600).
/// Not thread-safe: one object per command.
class ServerPin {
  public:
    explicit ServerPin(const Home& home);

    [[nodiscard]] const std::optional<crypto::SignPublicKey>& key() const noexcept { return key_; }
    [[nodiscard]] const std::optional<SeenHead>& head() const noexcept { return head_; }

    /// Pins `key` if none is pinned yet (returns true), or checks it against the pin (false).
    /// A different key, or none (`key` empty) once one is pinned: server_key_changed.
    [[nodiscard]] protocol::Expected<bool> check_key(
        const std::optional<crypto::SignPublicKey>& key);
    [[nodiscard]] protocol::Expected<bool> save_head(const SeenHead& head);

  private:
    [[nodiscard]] protocol::Expected<bool> save() const;
    const Home& home_;
    std::optional<crypto::SignPublicKey> key_;
    std::int64_t pinned_at_ = 0;
    std::optional<SeenHead> head_;
};

/// What check_audit_head() found: the head now, and the count this device saw before (0 when
/// it saw none).
struct AuditHeadCheck {
    std::int64_t count = 0;
    std::int64_t previous_count = 0;
};

/// Asks the server (an admin's connection) for its signed audit head and the hash of the record
/// at the count this device saw last; checks the signature with the pinned key; refuses a log
/// that is shorter than the one seen before (audit_log_shorter) or whose record at that count
/// has another hash (audit_log_rewritten); then saves the new head. Errors: those, bad_signature,
/// server_key_changed (nothing pinned is not an error: the key in the reply is pinned), and
/// the server's.
[[nodiscard]] protocol::Expected<AuditHeadCheck> check_audit_head(const Home& home,
                                                                  Connection& conn);

}  // namespace liaise::client
