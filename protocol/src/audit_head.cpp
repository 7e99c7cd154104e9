#include "liaise/protocol/audit_head.hpp"

#include <sodium.h>

namespace liaise::protocol {

std::vector<unsigned char> audit_head_message(const crypto::SignPublicKey& server_key,
                                              const AuditHead& head) {
    std::vector<unsigned char> out(kAuditHeadDomain.begin(), kAuditHeadDomain.end());
    out.push_back(0);
    const auto key = server_key.bytes();
    out.insert(out.end(), key.begin(), key.end());
    const auto num = [&out](std::int64_t n) {
        const auto u = static_cast<std::uint64_t>(n);
        for (int shift = 56; shift >= 0; shift -= 8)
            out.push_back(static_cast<unsigned char>((u >> shift) & 0xff));
    };
    num(head.count);
    out.insert(out.end(), head.last_hash.begin(), head.last_hash.end());
    num(head.at);
    return out;
}

bool verify_audit_head(const crypto::SignPublicKey& server_key, const AuditHead& head,
                       const crypto::Signature& signature) {
    if (sodium_init() < 0)
        return false;
    const auto message = audit_head_message(server_key, head);
    return crypto_sign_verify_detached(signature.bytes().data(), message.data(), message.size(),
                                       server_key.bytes().data()) == 0;
}

}  // namespace liaise::protocol
