// Withdrawing a misdirected message (PROTOCOL.md, "Withdrawing a message"): the statement a
// device signs to say that the message at `seq` of `room`, whose message_hash() is
// `message_hash`, is withdrawn by account `by` from its device `by_device` at `withdrawn_at`.
// The server stores it in the room's history; every reader checks the signature against the
// withdrawer's pinned key before it deletes its copy, so a server cannot make a message vanish
// from a reader's device by claiming that someone withdrew it.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "liaise/protocol/crypto.hpp"
#include "liaise/protocol/expected.hpp"

namespace liaise::crypto {

struct Withdrawal {
    std::string room;
    std::int64_t seq = 0;                          ///< the withdrawn message, 1..2^53
    std::array<unsigned char, 32> message_hash{};  ///< message_hash() of its envelope
    std::string by;                                ///< the withdrawing account, 1..128 bytes
    std::string by_device;                         ///< the withdrawing device, 1..128 bytes
    std::int64_t withdrawn_at = 0;                 ///< the withdrawer's clock, ms since the epoch
    Signature signature;
};

/// The signed bytes: str("liaise-withdrawal-v1") || str(room) || num(seq) || bin(message_hash)
/// || str(by) || str(by_device) || num(withdrawn_at), items encoded as in envelopes.
[[nodiscard]] std::vector<unsigned char> withdrawal_transcript(const Withdrawal& w);
/// Fills in w.signature with `keys`. Throws std::invalid_argument unless the fields are in
/// range (room, by and by_device 1..128 bytes, seq 1..2^53, withdrawn_at >= 0).
void sign_withdrawal(Withdrawal& w, const DeviceKeys& keys);
/// The fields are in range and the signature is `signer`'s over withdrawal_transcript().
[[nodiscard]] bool withdrawal_valid(const Withdrawal& w, const SignPublicKey& signer);

}  // namespace liaise::crypto
