#include "liaise/protocol/audit_head.hpp"

#include <sodium.h>

#include <catch2/catch.hpp>
#include <string>

using namespace liaise;

TEST_CASE("an audit head's signed bytes are fixed-size fields in a fixed order", "[audit_head]") {
    REQUIRE(sodium_init() >= 0);
    std::array<unsigned char, 32> pk{};
    std::array<unsigned char, 64> sk{};
    crypto_sign_keypair(pk.data(), sk.data());
    const crypto::SignPublicKey key{std::span<const unsigned char, 32>(pk)};
    protocol::AuditHead head{0x0102, {}, 0x0a0b0c};
    head.last_hash.fill(0xee);
    const auto m = protocol::audit_head_message(key, head);
    REQUIRE(m.size() == 20 + 1 + 32 + 8 + 32 + 8);
    CHECK(std::string(m.begin(), m.begin() + 20) == "liaise-audit-head-v1");
    CHECK(m[20] == 0);
    CHECK(std::equal(pk.begin(), pk.end(), m.begin() + 21));
    CHECK(m[21 + 32 + 6] == 0x01);
    CHECK(m[21 + 32 + 7] == 0x02);
    CHECK(m[21 + 32 + 8] == 0xee);
    CHECK(m[m.size() - 3] == 0x0a);
    CHECK(m.back() == 0x0c);

    std::array<unsigned char, 64> sig{};
    crypto_sign_detached(sig.data(), nullptr, m.data(), m.size(), sk.data());
    const crypto::Signature signature{std::span<const unsigned char, 64>(sig)};
    CHECK(protocol::verify_audit_head(key, head, signature));
    for (auto changed : {protocol::AuditHead{0x0101, head.last_hash, head.at},
                         protocol::AuditHead{head.count, {}, head.at},
                         protocol::AuditHead{head.count, head.last_hash, head.at + 1}})
        CHECK_FALSE(protocol::verify_audit_head(key, changed, signature));
    CHECK_FALSE(protocol::verify_audit_head(crypto::SignPublicKey{}, head, signature));
}
