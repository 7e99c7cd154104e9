// Signed acknowledgements and accuracy comments (PROTOCOL.md, "Signed acknowledgements and
// comments"). The encoding is the minutes digest's: strings length-prefixed with 8 bytes
// big-endian, numbers 8 bytes big-endian. Its first field is its label, so a signature over one
// kind of message never verifies as another.
#include "liaise/protocol/minutes_receipts.hpp"

#include <sodium.h>

#include <string_view>

#include "liaise/protocol/fields.hpp"

namespace liaise::protocol {
namespace {

namespace json = boost::json;

constexpr std::string_view kAckLabel = "liaise-minutes-ack-v1";
constexpr std::string_view kCommentLabel = "liaise-minutes-comment-v1";

class Encoder {
  public:
    Encoder& number(std::int64_t n) {
        const auto u = static_cast<std::uint64_t>(n);
        for (int shift = 56; shift >= 0; shift -= 8)
            buf_.push_back(static_cast<unsigned char>(u >> shift));
        return *this;
    }
    Encoder& bytes(const unsigned char* p, std::size_t n) {
        number(static_cast<std::int64_t>(n));
        buf_.insert(buf_.end(), p, p + n);
        return *this;
    }
    Encoder& text(std::string_view s) {
        return bytes(reinterpret_cast<const unsigned char*>(s.data()), s.size());
    }
    [[nodiscard]] std::vector<unsigned char> take() { return std::move(buf_); }

  private:
    std::vector<unsigned char> buf_;
};

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
    e.bytes(a.circulation.data(), a.circulation.size()).text(a.account).number(a.signed_at);
    return e.take();
}

std::vector<unsigned char> comment_message(const CommentSignature& c) {
    Encoder e;
    e.text(kCommentLabel).number(c.meeting).number(c.version).text(c.section).text(c.text);
    e.text(c.account).number(c.signed_at);
    return e.take();
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
