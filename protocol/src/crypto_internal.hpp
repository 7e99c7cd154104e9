// Internal to liaise_protocol (and its tests): sizes shared by the crypto primitives and the
// envelope JSON codec, and the fixed-randomness forms of seal() and seal_keystore() that the
// golden vectors (protocol/testdata/vectors) are reproduced with.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "liaise/protocol/crypto.hpp"

namespace liaise::crypto {

inline constexpr std::size_t kHashBytes = 32;
inline constexpr std::size_t kCommitmentBytes = 32;
inline constexpr std::size_t kMaxIdBytes = 128;
inline constexpr std::size_t kMaxKeys = 10000;
inline constexpr std::size_t kMessageKeyBytes = 32;  // XChaCha20-Poly1305 key
inline constexpr std::size_t kNonceBytes = 24;       // XChaCha20-Poly1305 nonce
inline constexpr std::size_t kBoxNonceBytes = 24;    // crypto_box nonce
inline constexpr std::size_t kWrappedBytes = 72;     // box nonce || key || MAC

namespace detail {

[[nodiscard]] protocol::Error error(std::string code, std::string message);

/// An unambiguous byte encoding: every variable-length item is preceded by its length as an
/// 8-byte big-endian number; numbers are 8-byte big-endian. Used for signatures and AEAD data.
class Encoder {
  public:
    Encoder& number(std::uint64_t n) {
        for (int shift = 56; shift >= 0; shift -= 8)
            buf_.push_back(static_cast<unsigned char>(n >> shift));
        return *this;
    }
    Encoder& bytes(std::span<const unsigned char> b) {
        number(b.size());
        buf_.insert(buf_.end(), b.begin(), b.end());
        return *this;
    }
    Encoder& text(std::string_view s) {
        return bytes({reinterpret_cast<const unsigned char*>(s.data()), s.size()});
    }
    [[nodiscard]] const std::vector<unsigned char>& result() const noexcept { return buf_; }

  private:
    std::vector<unsigned char> buf_;
};

/// Every random choice seal() makes. Not for production use: a fixed choice repeated for two
/// messages breaks their confidentiality.
struct SealChoices {
    std::array<unsigned char, kMessageKeyBytes> message_key{};
    std::array<unsigned char, kNonceBytes> nonce{};
    /// One crypto_box nonce per recipient, in ascending recipient device order.
    std::vector<std::array<unsigned char, kBoxNonceBytes>> wrap_nonces;
};

/// seal() with its random choices given. Throws std::invalid_argument as seal() does, and if
/// wrap_nonces does not hold one nonce per recipient.
[[nodiscard]] Envelope seal_with(const SealChoices& choices, const DeviceKeys& sender,
                                 std::string_view sender_device, std::string_view room,
                                 std::string_view client_msg_id, std::string_view plaintext,
                                 const std::vector<Recipient>& recipients, const History& history);

/// seal_keystore() with its salt (16 bytes) and nonce (24 bytes) given. Same caveat.
[[nodiscard]] std::string seal_keystore_with(const DeviceKeys& keys, std::string_view passphrase,
                                             KeystoreCost cost,
                                             std::span<const unsigned char, 16> salt,
                                             std::span<const unsigned char, 24> nonce);

}  // namespace detail
}  // namespace liaise::crypto
