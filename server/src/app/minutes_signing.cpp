#include "app/minutes_signing.hpp"

#include "app/error.hpp"
#include "app/minutes_rules.hpp"

namespace liaise::server::minutes {

namespace errc = protocol::errc;

SignedReceipt signed_receipt(const protocol::Request& req, std::int64_t now) {
    SignedReceipt s;
    s.signed_at = req.integer("signed_at", 0);
    const auto sig = crypto::Signature::from_base64(req.string("signature"));
    if (!sig)
        throw ServiceError(errc::bad_request, "signature: must be 64 bytes in base64");
    s.signature = *sig;
    minutes_rules::require_signed_near(s.signed_at, now);
    return s;
}

SignedAct signed_act(const protocol::Request& req, const Identity& who, protocol::MinutesAct act,
                     std::int64_t now) {
    const auto receipt = signed_receipt(req, now);
    SignedAct s;
    s.act = act;
    s.user = who.user;
    s.account = who.account;
    s.device = who.device;
    s.key = who.sign_key;
    s.signed_at = receipt.signed_at;
    s.signature = receipt.signature;
    return s;
}

void record_signature(store::Meetings& meetings, std::int64_t meeting, std::int64_t version,
                      const boost::json::object& minutes, const SignedAct& s, std::int64_t now) {
    const auto digest = protocol::minutes_digest(minutes, {s.act, s.user, s.signed_at});
    if (!protocol::minutes_signature_valid(s.key, digest, s.signature))
        throw ServiceError(errc::bad_signature,
                           "the signature does not match version " + std::to_string(version) +
                               " of these minutes as they are stored, signed with your device's "
                               "key; show the minutes again, check them, and sign what you see");
    store::MinutesSignature row;
    row.act = std::string(protocol::act_name(s.act));
    row.account = s.account;
    row.device = s.device;
    row.signed_at = s.signed_at;
    row.signature = s.signature.to_base64();
    meetings.add_signature(meeting, version, row, now);
}

}  // namespace liaise::server::minutes
