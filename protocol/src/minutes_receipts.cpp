// Signed acknowledgements and accuracy comments (PROTOCOL.md, "Signed acknowledgements and
// comments"). The encoding is the minutes digest's: strings length-prefixed with 8 bytes
// big-endian, numbers 8 bytes big-endian. Its first field is its label, so a signature over one
// kind of message never verifies as another.
#include "liaise/protocol/minutes_receipts.hpp"

#include <sodium.h>

#include <string_view>

#include "crypto_internal.hpp"
#include "liaise/protocol/fields.hpp"

namespace liaise::protocol {
namespace {

namespace json = boost::json;
using crypto::detail::Encoder;  // str and num as in "End-to-end encryption" (PROTOCOL.md)

constexpr std::string_view kAckLabel = "liaise-minutes-ack-v1";
constexpr std::string_view kCommentLabel = "liaise-minutes-comment-v1";

bool valid(const crypto::SignPublicKey& key, const std::vector<unsigned char>& message,
           const crypto::Signature& signature) {
    crypto::init();
    return crypto_sign_verify_detached(signature.data(), message.data(), message.size(),
                                       key.data()) == 0;
}

}  // namespace

MinutesDigest circulation_digest(const json::object& minutes) {
    MinutesSigner signer{MinutesAct::circulate, {}, 0};
    bool signed_circulation = false;
    for (const auto& v : list(minutes, "signatures")) {
        if (!v.is_object() || str(v.get_object(), "act") != "circulate")
            continue;
        signer.account = str(v.get_object(), "user");
        signer.signed_at = num(v.get_object(), "signed_at");
        signed_circulation = true;
        break;
    }
    if (!signed_circulation) {
        if (const auto* by = minutes.if_contains("circulated_by"); by != nullptr && by->is_object())
            signer.account = str(by->get_object(), "user");
        signer.signed_at = num(minutes, "circulated_at");
    }
    return minutes_digest(minutes, signer, MinutesDigestVersion::v2);
}

std::vector<unsigned char> acknowledgement_message(const Acknowledgement& a) {
    Encoder e;
    e.text(kAckLabel).number(a.meeting).text(a.room).number(a.version);
    e.bytes({a.circulation.data(), a.circulation.size()}).text(a.account).number(a.signed_at);
    return e.result();
}

std::vector<unsigned char> comment_message(const CommentSignature& c) {
    Encoder e;
    e.text(kCommentLabel).number(c.meeting).number(c.version).text(c.section).text(c.text);
    e.text(c.account).number(c.signed_at);
    return e.result();
}

crypto::Signature sign_acknowledgement(const crypto::DeviceKeys& keys, const Acknowledgement& a) {
    return keys.sign(acknowledgement_message(a));
}

crypto::Signature sign_comment(const crypto::DeviceKeys& keys, const CommentSignature& c) {
    return keys.sign(comment_message(c));
}

bool acknowledgement_valid(const crypto::SignPublicKey& key, const Acknowledgement& a,
                           const crypto::Signature& signature) {
    return valid(key, acknowledgement_message(a), signature);
}

bool comment_valid(const crypto::SignPublicKey& key, const CommentSignature& c,
                   const crypto::Signature& signature) {
    return valid(key, comment_message(c), signature);
}

}  // namespace liaise::protocol
