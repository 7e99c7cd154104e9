// Internal: the signatures on circulated and approved minutes (PROTOCOL.md, "Signed minutes"),
// and on acknowledgements and accuracy comments: what a request carries, checked for shape before
// any write, and checked against the minutes as stored before it is recorded with them.
#pragma once

#include <boost/json/object.hpp>
#include <cstdint>
#include <string>

#include "app/requests.hpp"
#include "liaise/protocol/crypto.hpp"
#include "liaise/protocol/minutes_digest.hpp"
#include "store/store.hpp"

namespace liaise::server::minutes {

/// The signature a circulate or approve request carries, with who sent it.
struct SignedAct {
    protocol::MinutesAct act = protocol::MinutesAct::approve;
    std::string user;
    std::int64_t account = 0, device = 0;
    crypto::SignPublicKey key;  ///< the logged-in device's registered key
    std::int64_t signed_at = 0;
    crypto::Signature signature;
};

/// The request's signed_at and signature, checked for shape (bad_request) before any write:
/// 64 bytes of base64, signed within minutes_rules::kSignatureSkewMs of `now`.
[[nodiscard]] SignedAct signed_act(const protocol::Request& req, const Identity& who,
                                   protocol::MinutesAct act, std::int64_t now);

/// The signed_at and signature that a minutes_acknowledge or minutes_comment request carries
/// (PROTOCOL.md, "Signed acknowledgements and comments"), checked for shape as signed_act()
/// checks them (bad_request) before any write.
struct SignedReceipt {
    std::int64_t signed_at = 0;
    crypto::Signature signature;
};
[[nodiscard]] SignedReceipt signed_receipt(const protocol::Request& req, std::int64_t now);

/// Records `s` on `version` of `meeting` if it is the signature of the caller's device over
/// `minutes` as stored; else bad_signature, and the caller's unit of work records nothing.
void record_signature(store::Meetings& meetings, std::int64_t meeting, std::int64_t version,
                      const boost::json::object& minutes, const SignedAct& s, std::int64_t now);

}  // namespace liaise::server::minutes
