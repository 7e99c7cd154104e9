// Internal: the rows of continuity (PROTOCOL.md, "Continuity"): each account's backup public key
// record, its sealed backup entries, the one pending device transfer per account and the history
// shares stored per recipient device. Only ciphertext and public keys: nothing here opens
// without a recovery key, a transfer code or a device's secret key, none of which the server
// ever receives. All SQL of continuity is here, behind these functions; they run inside the
// caller's read snapshot or write job.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace SQLite {
class Database;
}

namespace liaise::server::key_backup {

/// Creates the tables when missing (called by Storage::create_schema).
void create_schema(SQLite::Database& db);

/// An account's backup public key record as its device signed it.
struct PublicKeyRecord {
    std::int64_t version = 0;
    std::string public_key;  ///< base64
    std::int64_t device = 0;
    std::string signature;  ///< base64
};
[[nodiscard]] std::optional<PublicKeyRecord> current_key(SQLite::Database& db,
                                                         std::int64_t account);
/// Replaces the account's record.
void set_key(SQLite::Database& db, std::int64_t account, const PublicKeyRecord& record);

/// Stores entries (seq, sealed base64) the account does not have yet for (room, version);
/// returns how many were new.
[[nodiscard]] int put_entries(SQLite::Database& db, std::int64_t account, std::int64_t room,
                              std::int64_t version,
                              const std::vector<std::pair<std::int64_t, std::string>>& entries);
/// The account's entries of `version` in `room` with seq > after, ascending, at most `limit`.
[[nodiscard]] std::vector<std::pair<std::int64_t, std::string>> entries(
    SQLite::Database& db, std::int64_t account, std::int64_t room, std::int64_t version,
    std::int64_t after, std::int64_t limit);

/// Replaces the account's pending transfer.
void put_transfer(SQLite::Database& db, std::int64_t account, std::int64_t from_device,
                  const std::string& bundle, std::int64_t expires_at);
struct Transfer {
    std::int64_t from_device = 0;
    std::string bundle;
};
/// The account's transfer if it has not expired at `now` and was not put by `device`; it is
/// deleted (a transfer is taken once), and so is an expired one.
[[nodiscard]] std::optional<Transfer> take_transfer(SQLite::Database& db, std::int64_t account,
                                                    std::int64_t device, std::int64_t now);

/// A stored history share for one device.
struct Share {
    std::int64_t room = 0, to_device = 0, from_device = 0;
    std::int64_t since = 0, first_seq = 0, last_seq = 0;
    std::string json;  ///< the share as the sharing device signed it
};
void put_share(SQLite::Database& db, const Share& share);
/// The shares stored for `device` in `room`, oldest first (their JSON text).
[[nodiscard]] std::vector<std::string> shares_for(SQLite::Database& db, std::int64_t room,
                                                  std::int64_t device);

// ---- what the handlers look up ------------------------------------------------------------------

/// The id of the room named `name`.
[[nodiscard]] std::optional<std::int64_t> room_id(SQLite::Database& db, const std::string& name);
/// The seq `account` joined `room` at, if it is a member.
[[nodiscard]] std::optional<std::int64_t> joined_seq(SQLite::Database& db, std::int64_t room,
                                                     std::int64_t account);
/// Whether `seq` is a message (not an event) of `room`.
[[nodiscard]] bool is_message(SQLite::Database& db, std::int64_t room, std::int64_t seq);
/// A current device's public keys (base64), for checking signatures and listing.
struct DeviceKeys {
    std::int64_t id = 0;
    std::string name, sign_key, box_key, box_key_signature;
};
[[nodiscard]] std::optional<DeviceKeys> current_device(SQLite::Database& db, std::int64_t account,
                                                       std::int64_t device);
[[nodiscard]] std::vector<DeviceKeys> current_devices(SQLite::Database& db, std::int64_t account);
/// A device of `account`, current or replaced (a transfer's old device is replaced by the time
/// the new one takes the transfer).
[[nodiscard]] std::optional<DeviceKeys> any_device(SQLite::Database& db, std::int64_t account,
                                                   std::int64_t device);
/// A stored message of `room` as `sync` gives it (without wrapped keys): JSON text.
[[nodiscard]] std::optional<std::string> message_without_keys(SQLite::Database& db,
                                                              std::int64_t room,
                                                              const std::string& room_name,
                                                              std::int64_t seq);

}  // namespace liaise::server::key_backup
