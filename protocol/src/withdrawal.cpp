#include "liaise/protocol/withdrawal.hpp"

#include <sodium.h>

#include <stdexcept>

#include "crypto_internal.hpp"

namespace liaise::crypto {
namespace {

constexpr std::string_view kWithdrawalLabel = "liaise-withdrawal-v1";
constexpr std::int64_t kMaxSeq = std::int64_t{1} << 53;

bool in_range(const Withdrawal& w) {
    const auto id_ok = [](const std::string& s) { return !s.empty() && s.size() <= kMaxIdBytes; };
    return id_ok(w.room) && id_ok(w.by) && id_ok(w.by_device) && w.seq >= 1 && w.seq <= kMaxSeq &&
           w.withdrawn_at >= 0;
}

}  // namespace

std::vector<unsigned char> withdrawal_transcript(const Withdrawal& w) {
    detail::Encoder e;
    e.text(kWithdrawalLabel)
        .text(w.room)
        .number(static_cast<std::uint64_t>(w.seq))
        .bytes(w.message_hash)
        .text(w.by)
        .text(w.by_device)
        .number(static_cast<std::uint64_t>(w.withdrawn_at));
    return e.result();
}

void sign_withdrawal(Withdrawal& w, const DeviceKeys& keys) {
    if (!in_range(w))
        throw std::invalid_argument("sign_withdrawal: a field is out of range");
    w.signature = keys.sign(withdrawal_transcript(w));
}

bool withdrawal_valid(const Withdrawal& w, const SignPublicKey& signer) {
    if (!in_range(w))
        return false;
    init();
    const auto transcript = withdrawal_transcript(w);
    return crypto_sign_verify_detached(w.signature.data(), transcript.data(), transcript.size(),
                                       signer.data()) == 0;
}

}  // namespace liaise::crypto
