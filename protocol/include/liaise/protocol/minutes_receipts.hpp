// Signed acknowledgements and accuracy comments (PROTOCOL.md, "Signed acknowledgements and
// comments"): what a recipient's device signs when it acknowledges a circulated version of
// minutes or sends an accuracy comment on it. The server checks each signature against the
// caller's registered device key before it stores anything; the chair's device checks it again
// against the key it pinned, so an acknowledgement or comment the server invented, rewrote or
// moved to another version does not verify.
//
// Thread-safety: free functions without shared state; callable from any thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <boost/json/object.hpp>

#include "liaise/protocol/crypto.hpp"
#include "liaise/protocol/minutes_digest.hpp"

namespace liaise::protocol {

/// What an acknowledgement binds: the recipient received exactly the version whose circulation
/// digest is `circulation`, of `meeting` in `room`.
struct Acknowledgement {
    std::int64_t meeting = 0;
    std::string room;
    std::int64_t version = 0;
    MinutesDigest circulation{};  ///< circulation_digest() of the version acknowledged
    std::string account;          ///< the recipient's account name
    std::int64_t signed_at = 0;   ///< the signer's clock, milliseconds since the epoch
};

/// What an accuracy comment binds: its words and the part of the record they are about.
struct CommentSignature {
    std::int64_t meeting = 0;
    std::int64_t version = 0;
    std::string section;  ///< a section id, general, attendance, agenda, decisions or actions
    std::string text;     ///< the comment as sent
    std::string account;  ///< the author's account name
    std::int64_t signed_at = 0;
};

/// The minutes digest (v2) that the circulation of `minutes` (a fixed version as meeting_show
/// returns it) signs: the signer is its "circulate" signature's account and time, or, for a
/// version circulated before signatures, circulated_by's user and circulated_at. It covers the
/// version's text, so an acknowledgement binding it binds the exact text received.
[[nodiscard]] MinutesDigest circulation_digest(const boost::json::object& minutes);

/// The exact bytes signed: "liaise-minutes-ack-v1", meeting, room, version, the circulation
/// digest (as a string of 32 bytes), account, signed_at, encoded as the minutes digest encodes.
[[nodiscard]] std::vector<unsigned char> acknowledgement_message(const Acknowledgement& a);
/// "liaise-minutes-comment-v1", meeting, version, section, text, account, signed_at.
[[nodiscard]] std::vector<unsigned char> comment_message(const CommentSignature& c);

/// The Ed25519 signature of `keys` over acknowledgement_message(a) / comment_message(c).
[[nodiscard]] crypto::Signature sign_acknowledgement(const crypto::DeviceKeys& keys,
                                                     const Acknowledgement& a);
[[nodiscard]] crypto::Signature sign_comment(const crypto::DeviceKeys& keys,
                                             const CommentSignature& c);

/// True only if `signature` is `key`'s over exactly these fields.
[[nodiscard]] bool acknowledgement_valid(const crypto::SignPublicKey& key, const Acknowledgement& a,
                                         const crypto::Signature& signature);
[[nodiscard]] bool comment_valid(const crypto::SignPublicKey& key, const CommentSignature& c,
                                 const crypto::Signature& signature);

}  // namespace liaise::protocol
