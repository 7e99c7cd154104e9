// The server's signed audit-log head (PROTOCOL.md, "Signed audit heads"): what a server signs
// with its own Ed25519 key and an admin's client checks against the key it pinned at enrolment.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>
#include <vector>

#include "liaise/protocol/crypto.hpp"

namespace liaise::protocol {

inline constexpr std::string_view kAuditHeadDomain = "liaise-audit-head-v1";

/// The state of an audit log: how many records it holds, the chain hash of the newest one (32
/// zero bytes for an empty log) and when the server signed it (ms since the epoch).
struct AuditHead {
    std::int64_t count = 0;
    std::array<unsigned char, 32> last_hash{};
    std::int64_t at = 0;
};

/// The exact bytes signed: kAuditHeadDomain || 0x00 || server key (32) || count (8 bytes,
/// big-endian) || last_hash (32) || at (8 bytes, big-endian). Every field has a fixed size, so
/// no two heads encode alike.
[[nodiscard]] std::vector<unsigned char> audit_head_message(const crypto::SignPublicKey& server_key,
                                                            const AuditHead& head);

/// True if `signature` is `server_key`'s Ed25519 signature over audit_head_message().
[[nodiscard]] bool verify_audit_head(const crypto::SignPublicKey& server_key, const AuditHead& head,
                                     const crypto::Signature& signature);

}  // namespace liaise::protocol
