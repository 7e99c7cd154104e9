// Continuity (PROTOCOL.md, "Continuity"): the recovery key and the encrypted key backup, the
// device-to-device transfer and the history share. Each moves message keys (crypto.hpp's
// MessageKey) from a device that holds them to one that does not, through the server, which
// sees only ciphertext and cannot make a device accept a key for anything but the signed
// message it belongs to (the envelope's key commitment), nor a share no member's device signed.
//
// Failures a peer or the server can cause are protocol::Error with these codes:
// bad_recovery_key, bad_backup_entry, bad_transfer_code, bad_transfer, bad_share.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "liaise/protocol/crypto.hpp"
#include "liaise/protocol/expected.hpp"

namespace liaise::crypto {

inline constexpr std::size_t kRecoverySecretBytes = 28;

/// One message key with what it belongs to: the room, the message's seq and message_hash().
struct KeyEntry {
    std::string room;
    std::int64_t seq = 0;
    std::array<unsigned char, 32> message_hash{};
    MessageKey key;
};

/// The entry's plaintext: str("liaise-key-entry-v1") || str(room) || num(seq) ||
/// bin(message_hash) || bin(key). Secret (it holds the key).
[[nodiscard]] std::vector<unsigned char> key_entry_plaintext(const KeyEntry& entry);
/// crypto_box_seal of key_entry_plaintext() to `to` (a backup public key, or a device's box key).
[[nodiscard]] std::vector<unsigned char> seal_key_entry(const KeyEntry& entry,
                                                        const BoxPublicKey& to);

/// The recovery key: 28 random bytes. Secret; zeroed when destroyed. Written for people as 48
/// symbols of Crockford's base32 in 12 groups of 4: the 28 bytes and 2 check bytes (the first
/// two of BLAKE2b-256 of "liaise-recovery-check-v1" || secret), 240 bits read 5 at a time from
/// the most significant. The backup key pair is crypto_box_seed_keypair(BLAKE2b-256 keyed by the
/// secret over "liaise-backup-key-v1").
class RecoveryKey {
  public:
    [[nodiscard]] static RecoveryKey generate();
    /// For the golden vectors only.
    [[nodiscard]] static RecoveryKey from_secret(
        std::span<const unsigned char, kRecoverySecretBytes>);
    /// Read loosely (any case, spaces and dashes anywhere, O as 0, I and L as 1). bad_recovery_key
    /// unless it is 48 symbols whose check bytes match (a typing mistake is caught here).
    [[nodiscard]] static protocol::Expected<RecoveryKey> parse(std::string_view text);

    RecoveryKey(const RecoveryKey&) = default;
    RecoveryKey& operator=(const RecoveryKey&) = default;
    ~RecoveryKey();

    /// "ABCD EFGH …": 12 groups of 4 separated by single spaces.
    [[nodiscard]] std::string text() const;
    [[nodiscard]] std::span<const unsigned char, kRecoverySecretBytes> secret() const noexcept {
        return secret_;
    }
    [[nodiscard]] BoxPublicKey backup_public_key() const;
    /// Opens one backup entry stored for `room` and `seq`; bad_backup_entry if it does not open
    /// with this key or names another room or seq (an entry the server moved).
    [[nodiscard]] protocol::Expected<KeyEntry> open_entry(std::span<const unsigned char> sealed,
                                                          std::string_view room,
                                                          std::int64_t seq) const;

  private:
    RecoveryKey() = default;
    std::array<unsigned char, kRecoverySecretBytes> secret_{};
};

/// A device of the account vouches for the account's backup public key:
/// signature over str("liaise-backup-public-key-v1") || str(account) || num(version) ||
/// bin(public_key) || str(device). Versions count up from 1 with each new recovery key.
struct BackupKeyRecord {
    std::string account;
    std::int64_t version = 0;
    BoxPublicKey public_key;
    std::string device;
    Signature signature;
};
[[nodiscard]] std::vector<unsigned char> backup_key_transcript(const BackupKeyRecord& record);
/// Fills in record.signature with `keys`.
void sign_backup_key(BackupKeyRecord& record, const DeviceKeys& keys);
[[nodiscard]] bool backup_key_valid(const BackupKeyRecord& record, const SignPublicKey& signer);

/// A key entry sealed for a device: the history share's entry opened with its box key, checked
/// as RecoveryKey::open_entry checks (bad_share).
[[nodiscard]] protocol::Expected<KeyEntry> open_shared_entry(const DeviceKeys& me,
                                                             std::span<const unsigned char> sealed,
                                                             std::string_view room,
                                                             std::int64_t seq);

// ---- device transfer ---------------------------------------------------------------------------

/// A fresh transfer code: 10 symbols of Crockford's base32 (50 random bits), "XXXXX-XXXXX".
[[nodiscard]] std::string new_transfer_code();
/// The code's 10 symbols in canonical form (read loosely as recovery keys are), or nullopt.
[[nodiscard]] std::optional<std::string> normalise_transfer_code(std::string_view text);

/// What a transfer carries: signed by the old device, sealed under the code.
struct TransferContents {
    std::string account;
    std::string from_device;
    std::vector<KeyEntry> entries;
};
/// The bundle, as JSON text {"v":1,"salt","nonce","box"}: box = crypto_secretbox under
/// Argon2id13(code's 10 canonical symbols, salt, INTERACTIVE limits) of payload || signature,
/// payload = str("liaise-transfer-v1") || str(account) || str(from_device) || num(count) and
/// per entry str(room) || num(seq) || bin(message_hash) || bin(key), signature = the old
/// device's Ed25519 signature over payload. The code never leaves the two devices.
[[nodiscard]] std::string seal_transfer(const TransferContents& contents, const DeviceKeys& from,
                                        std::string_view code);
/// Opens a bundle: bad_transfer_code if it does not open with `code`, bad_transfer if it is
/// malformed, for another account, or not signed by the key `signer_of(from_device)` returns.
[[nodiscard]] protocol::Expected<TransferContents> open_transfer(
    std::string_view bundle, std::string_view code, std::string_view account,
    const std::function<std::optional<SignPublicKey>(std::string_view device)>& signer_of);

// ---- history share -----------------------------------------------------------------------------

struct SharedEntry {
    std::int64_t seq = 0;
    std::array<unsigned char, 32> message_hash{};
    std::vector<unsigned char> sealed;  ///< seal_key_entry() to the recipient device's box key
};

/// A member's device hands one device of a new member the keys of a room's messages from
/// `since` (ms): those with seq first_seq..last_seq. Signed by the sharing device over
/// str("liaise-history-share-v1") || str(room) || str(from_user) || str(from_device) ||
/// str(to_user) || str(to_device) || num(since) || num(first_seq) || num(last_seq) ||
/// num(count) and per entry num(seq) || bin(message_hash) || bin(sealed).
struct HistoryShare {
    std::string room, from_user, from_device, to_user, to_device;
    std::int64_t since = 0, first_seq = 0, last_seq = 0;
    std::vector<SharedEntry> entries;  ///< ascending seq, within first_seq..last_seq
    Signature signature;
};
[[nodiscard]] std::vector<unsigned char> share_transcript(const HistoryShare& share);
/// Fills in share.signature with `keys`.
void sign_share(HistoryShare& share, const DeviceKeys& keys);
/// The signature holds and the entries are ascending, distinct and within the range.
[[nodiscard]] bool share_valid(const HistoryShare& share, const SignPublicKey& signer);
/// JSON: {"room","from_user","from_device","to_user","to_device","since","first_seq",
/// "last_seq","entries":[{"seq","hash","sealed"}],"signature"}.
[[nodiscard]] std::string share_to_json(const HistoryShare& share);
/// bad_share if `json` is not a share in that shape.
[[nodiscard]] protocol::Expected<HistoryShare> share_from_json(std::string_view json);

}  // namespace liaise::crypto
