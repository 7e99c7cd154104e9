// End-to-end crypto for chat: device identities, the passphrase-protected keystore, login
// signatures and message envelopes. The server relays envelopes and can never read them.
// libsodium does all of the cryptography; no algorithm is chosen by callers.
//
// Thread-safety: every function may be called concurrently from any thread on distinct
// objects, and concurrently on the same object through const member functions.
// Failures that a peer or a file can cause are returned as protocol::Error with these codes:
// bad_request, bad_signature, not_a_recipient, bad_wrapped_key, bad_ciphertext,
// bad_passphrase, bad_keystore. Programming errors and resource exhaustion throw.
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "liaise/protocol/expected.hpp"

namespace liaise::crypto {

/// Initialises libsodium once per process (safe to call from any thread, any number of times).
/// Every other function calls it. Throws std::runtime_error if libsodium cannot initialise.
void init();

/// URL-safe base64 without padding, the encoding of every binary field on the wire.
[[nodiscard]] std::string to_base64(std::span<const unsigned char> bytes);
/// Strict decoding: no padding, no whitespace, no non-canonical trailing bits.
[[nodiscard]] std::optional<std::vector<unsigned char>> from_base64(std::string_view text);

/// `n` bytes from the operating system's CSPRNG.
[[nodiscard]] std::vector<unsigned char> random_bytes(std::size_t n);

namespace detail {
/// Constant-time equality (sodium_memcmp).
[[nodiscard]] bool bytes_equal(const unsigned char* a, const unsigned char* b,
                               std::size_t n) noexcept;
struct DeviceKeysAccess;  // crypto.cpp's door to DeviceKeys' secrets
}  // namespace detail

/// A public, fixed-size value: a key or a signature. Tag keeps the kinds apart at compile time.
/// Default-constructed values are all zero (and never verify).
template <std::size_t N, class Tag>
class FixedBytes {
  public:
    FixedBytes() = default;
    explicit FixedBytes(std::span<const unsigned char, N> bytes) {
        std::copy(bytes.begin(), bytes.end(), bytes_.begin());
    }

    [[nodiscard]] const unsigned char* data() const noexcept { return bytes_.data(); }
    [[nodiscard]] static constexpr std::size_t size() noexcept { return N; }
    [[nodiscard]] std::span<const unsigned char, N> bytes() const noexcept { return bytes_; }

    [[nodiscard]] std::string to_base64() const { return crypto::to_base64(bytes()); }
    /// Empty unless `text` is valid base64 of exactly N bytes.
    [[nodiscard]] static std::optional<FixedBytes> from_base64(std::string_view text) {
        auto decoded = crypto::from_base64(text);
        if (!decoded || decoded->size() != N)
            return std::nullopt;
        return FixedBytes(std::span<const unsigned char, N>(decoded->data(), N));
    }

    friend bool operator==(const FixedBytes& a, const FixedBytes& b) noexcept {
        return detail::bytes_equal(a.data(), b.data(), N);
    }

  private:
    std::array<unsigned char, N> bytes_{};
};

using SignPublicKey = FixedBytes<32, struct SignPublicKeyTag>;  // Ed25519
using BoxPublicKey = FixedBytes<32, struct BoxPublicKeyTag>;    // X25519
using Signature = FixedBytes<64, struct SignatureTag>;          // Ed25519, detached

/// What a device publishes: its identity key, its encryption key, and the identity key's
/// signature over the encryption key.
struct PublicIdentity {
    SignPublicKey sign_key;
    BoxPublicKey box_key;
    Signature box_key_signature;  // over "liaise-box-key-v1" || box_key

    /// True if box_key_signature is sign_key's signature over box_key and box_key is not a
    /// low-order point. Pin and seal to an identity only if this holds.
    [[nodiscard]] bool verify() const;
    /// One device key's number (12 groups of 5 digits separated by spaces): what a key-change
    /// notice shows as "old" and "new". People compare safety_number(), not this.
    /// Rule: h = BLAKE2b-256("liaise-fingerprint-v1" || sign_key); read the first 30 bytes of h
    /// as twelve big-endian 20-bit numbers; print each mod 100000, zero-padded to 5 digits.
    [[nodiscard]] std::string fingerprint() const;
};

/// One side of a conversation, for safety_number(): an account name and the signing keys of
/// its devices (any order; duplicates count once).
struct Party {
    std::string account;
    std::vector<SignPublicKey> sign_keys;
};

/// The pairwise safety number two people compare (in person, by phone, or by QR code): 60
/// digits in 12 groups of 5 separated by spaces, the same whichever side computes it.
/// Rule (PROTOCOL.md "Safety numbers"): for each party, h = BLAKE2b-256 of the encoding
/// "liaise-safety-number-v1" || account || count || its sign keys in ascending byte order
/// (every item length-prefixed as in envelopes); its 30 digits are the first 30 bytes of h read
/// as six 5-byte big-endian numbers, each mod 100000, zero-padded to 5 digits. The number is
/// the two parties' 30 digits, the smaller string first. Throws std::invalid_argument if a
/// party has no key or an account name is empty.
[[nodiscard]] std::string safety_number(const Party& a, const Party& b);

/// A device's secret keys. Owns them; the secret bytes live on the heap and are zeroed when
/// the object is destroyed. Move-only; a moved-from object may only be destroyed or assigned
/// to (sign() on it throws std::logic_error).
class DeviceKeys {
  public:
    /// Fresh Ed25519 and X25519 key pairs, the X25519 public key signed by the Ed25519 key.
    [[nodiscard]] static DeviceKeys generate();

    DeviceKeys(DeviceKeys&&) noexcept;
    DeviceKeys& operator=(DeviceKeys&&) noexcept;
    DeviceKeys(const DeviceKeys&) = delete;
    DeviceKeys& operator=(const DeviceKeys&) = delete;
    ~DeviceKeys();

    [[nodiscard]] const PublicIdentity& identity() const noexcept { return identity_; }
    /// Signs `message` as is. Callers must put their own domain label first, distinct from
    /// "liaise-box-key-v1", "liaise-login-v1" and the envelope encoding.
    [[nodiscard]] Signature sign(std::span<const unsigned char> message) const;

  private:
    friend struct detail::DeviceKeysAccess;
    struct Secrets;
    DeviceKeys(std::unique_ptr<Secrets> secrets, PublicIdentity identity) noexcept;

    std::unique_ptr<Secrets> secrets_;
    PublicIdentity identity_;
};

/// How hard the keystore's key derivation is. `moderate` (libsodium's MODERATE limits: 3
/// passes over 256 MiB, about a second a guess) is what every new keystore uses;
/// `interactive` (2 passes over 64 MiB), what keystores written before it used, is only for
/// tests that enrol many devices and must not be offered to people.
enum class KeystoreCost { moderate, interactive };

/// Encrypts the keys under `passphrase` (Argon2id with the limits of `cost`, recorded in the
/// file so that they can be raised later) and returns the keystore as JSON text:
/// {"v":1,"kdf":"argon2id13","opslimit":..,"memlimit":..,"salt":..,"nonce":..,"box":..}.
/// Throws std::runtime_error if the key derivation runs out of memory.
[[nodiscard]] std::string seal_keystore(const DeviceKeys& keys, std::string_view passphrase,
                                        KeystoreCost cost = KeystoreCost::moderate);
/// bad_keystore if `json` is not a keystore this version writes (or its contents are
/// inconsistent); bad_passphrase if it does not decrypt (wrong passphrase or a damaged box).
/// Opens keystores of any cost from interactive to sensitive.
[[nodiscard]] protocol::Expected<DeviceKeys> open_keystore(std::string_view json,
                                                           std::string_view passphrase);
/// True when `json` is a keystore whose limits are below those of `cost` (a keystore written
/// before MODERATE became the default): seal it again once it is opened. False for anything
/// that is not a keystore.
[[nodiscard]] bool keystore_weaker_than(std::string_view json, KeystoreCost cost);

/// The secret and public keys as raw bytes (sign_sk || box_sk || sign_pk || box_pk || box key
/// signature, 224 bytes, the keystore's plaintext), for handing them to the unlock agent over a
/// private channel. The caller must wipe `out` (sodium_memzero) when done; it is written in
/// place so that it can live in locked memory.
inline constexpr std::size_t kDeviceKeysBytes = 224;
void export_device_keys(const DeviceKeys& keys, std::span<unsigned char, kDeviceKeysBytes> out);
/// The keys from export_device_keys' bytes; bad_keystore if they are inconsistent (the public
/// keys do not belong to the secret ones, or the box key is not signed).
[[nodiscard]] protocol::Expected<DeviceKeys> import_device_keys(
    std::span<const unsigned char, kDeviceKeysBytes> bytes);

/// Login: the server sends a random challenge; the device signs
/// "liaise-login-v1" || challenge.
[[nodiscard]] Signature sign_login(const DeviceKeys& keys,
                                   std::span<const unsigned char> challenge);
[[nodiscard]] bool verify_login(const SignPublicKey& key, std::span<const unsigned char> challenge,
                                const Signature& signature);

/// The message key wrapped for one device: box nonce (24) || crypto_box of the key (32 + 16).
struct WrappedKey {
    std::string device;
    std::vector<unsigned char> wrapped;
};

/// What a version 3 envelope binds besides its content: who sent it, in which order and when,
/// and after which message. Readers check these (a gap or repeat in `counter`, a `sender` that
/// is not the key's owner, a clock far from the server's, a `previous` message they were never
/// shown); the server cannot change any of them without breaking the signature.
struct History {
    std::string sender;             ///< the sender's account name, 1..128 bytes
    std::uint64_t counter = 0;      ///< per (sender device, room): 1 for the first, then +1
    std::int64_t sent_at = 0;       ///< the sender's clock, milliseconds since the epoch, >= 0
    std::int64_t previous_seq = 0;  ///< seq of the last message the sender had seen; 0: none
    /// message_hash() of that message: 32 bytes, or empty when previous_seq is 0.
    std::vector<unsigned char> previous_hash;
};

/// An encrypted, signed chat message.
///
/// Version 3 (what seal() makes): version 2 plus `history`, inside the signature. Below,
/// "version 2" stands for versions 2 and 3 alike.
///
/// Version 2 (what seal() makes): the signature covers every field but the wrapped keys, and
/// includes `key_commitment`, a hash keyed by the message key, and the sorted `recipients`.
/// Each device therefore needs only its own wrapped key to check everything: the wrapped key
/// is a crypto_box from the sender's box key, and the key inside must match the signed
/// commitment, so no one (server or recipient) can hand a device a key for other content, and
/// every recipient reads the same plaintext. The server sends each device only its own key.
///
/// Version 1 (still read): the signature covers every field, keys sorted by device, so every
/// recipient needs the whole envelope.
struct Envelope {
    int version = 3;
    std::string room;
    std::string sender_device;
    std::string client_msg_id;
    std::vector<unsigned char> nonce;           // 24 bytes
    std::vector<unsigned char> ciphertext;      // XChaCha20-Poly1305, plaintext + 16
    std::vector<unsigned char> key_commitment;  // versions 2, 3: 32 bytes; 1: empty
    std::vector<std::string> recipients;        // versions 2, 3: ascending, distinct
    std::vector<WrappedKey> keys;               // versions 2, 3: at most one each
    History history;                            // version 3 only
    Signature signature;
};

/// A message's identity for History::previous_hash: BLAKE2b-256 keyed by nothing over
/// "liaise-message-hash-v3" || the signed transcript || the signature. Every reader can compute
/// it from its own copy (the wrapped keys are not part of it), readable by it or not.
[[nodiscard]] std::array<unsigned char, 32> message_hash(const Envelope& envelope);

/// True if `envelope` is signed by `sign_key` (the whole transcript of its version). The server
/// checks this against the sending device's registered key before storing a message; readers
/// get the same check from open().
[[nodiscard]] bool signature_valid(const Envelope& envelope, const SignPublicKey& sign_key);

struct Recipient {
    std::string device;
    BoxPublicKey box_key;
};

/// Encrypts `plaintext` once and wraps the key for every recipient (include the sender's own
/// devices to read the message back); makes a version 3 envelope carrying `history`.
/// Preconditions, else std::invalid_argument: room, sender_device, client_msg_id and
/// history.sender are 1..128 bytes; history.counter >= 1; history.sent_at and previous_seq >=
/// 0, previous_hash 32 bytes when previous_seq > 0 and empty otherwise; 1..10000 recipients with
/// distinct, 1..128-byte device ids; no recipient box key is a low-order point.
[[nodiscard]] Envelope seal(const DeviceKeys& sender, std::string_view sender_device,
                            std::string_view room, std::string_view client_msg_id,
                            std::string_view plaintext, const std::vector<Recipient>& recipients,
                            const History& history);

/// The signature seal() puts on `envelope` once its fields are final. For a caller that reuses
/// one sealed envelope under new ids (the load generator): the ciphertext then no longer opens,
/// as its associated data holds the id, but the envelope is signed as the server requires.
[[nodiscard]] Signature sign_envelope(const DeviceKeys& sender, const Envelope& envelope);

/// Checks, in order: the version (bad_request unless 1, 2 or 3), the sender identity's verify()
/// and the envelope signature (bad_signature), that `my_device` has a key and, in version 2, is
/// among the signed recipients (not_a_recipient),
/// the key unwraps and, in version 2, matches the signed commitment (bad_wrapped_key), the
/// message decrypts (bad_ciphertext). `sender` must be the identity pinned for
/// envelope.sender_device. A version 2 envelope may carry only `my_device`'s key.
[[nodiscard]] protocol::Expected<std::string> open(const Envelope& envelope, const DeviceKeys& me,
                                                   std::string_view my_device,
                                                   const PublicIdentity& sender);

/// A message's XChaCha20-Poly1305 key, for the key backup, device transfer and history share
/// (continuity.hpp). Secret: zeroed when destroyed; copies are secrets too.
struct MessageKey {
    std::array<unsigned char, 32> bytes{};
    MessageKey() = default;
    MessageKey(const MessageKey&) = default;
    MessageKey& operator=(const MessageKey&) = default;
    ~MessageKey();
};

/// The key of a version 2 or 3 `envelope` as `my_device` received it, with every check open()
/// makes before it decrypts (same error codes), so that it can be backed up or shared.
/// bad_request for a version 1 envelope, which has no key commitment to check a key against.
[[nodiscard]] protocol::Expected<MessageKey> message_key(const Envelope& envelope,
                                                         const DeviceKeys& me,
                                                         std::string_view my_device,
                                                         const PublicIdentity& sender);

/// Reads a version 2 or 3 envelope with a key from elsewhere (a backup, a transfer, a shared
/// history): the sender's identity and signature as open() checks them (bad_signature), the
/// key against the signed commitment (bad_wrapped_key), then decryption (bad_ciphertext). A
/// key for another message never passes the commitment, so whoever supplied it cannot change
/// what the signed envelope says.
[[nodiscard]] protocol::Expected<std::string> open_with_key(const Envelope& envelope,
                                                            const MessageKey& key,
                                                            const PublicIdentity& sender);

/// Opens a crypto_box_seal addressed to this device's box key (a shared history's entries);
/// nullopt if it does not open. The plaintext is secret: wipe it when done.
[[nodiscard]] std::optional<std::vector<unsigned char>> open_sealed(
    const DeviceKeys& me, std::span<const unsigned char> sealed);

/// The devices the message was sealed for: version 2's signed `recipients`; in version 1,
/// the devices holding a wrapped key, in envelope order.
[[nodiscard]] std::vector<std::string> recipient_devices(const Envelope& envelope);

/// What one device needs of `envelope`: in version 2, the envelope with only `device`'s
/// wrapped key (none if it has none); a version 1 envelope whole.
[[nodiscard]] Envelope for_device(const Envelope& envelope, std::string_view device);

}  // namespace liaise::crypto

// The envelope JSON codec, which every user of envelopes needs.
#include "liaise/protocol/envelope_json.hpp"  // IWYU pragma: export
