// Repository: what continuity keeps (PROTOCOL.md, "Continuity"; store/store.hpp): each
// account's backup public key record, its sealed backup entries, the one pending device
// transfer per account and the history shares stored per recipient device. Only ciphertext and
// public keys: nothing here opens without a recovery key, a transfer code or a device's secret
// key, none of which the server ever receives. Rooms, members and devices are read through the
// other repositories.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "store/repo/types.hpp"

namespace liaise::server::store {

/// An account's backup public key record as its device signed it.
struct BackupKey {
    std::int64_t version = 0;
    std::string public_key;  ///< base64
    Id device = 0;
    std::string signature;  ///< base64
};

/// A backup entry: a message's seq and its key sealed to the backup key (base64).
using BackupEntry = std::pair<std::int64_t, std::string>;

struct Transfer {
    Id from_device = 0;
    std::string bundle;
};

/// A history share for one device.
struct HistoryShare {
    Id room = 0, to_device = 0, from_device = 0;
    std::int64_t since = 0, first_seq = 0, last_seq = 0;
    std::string json;  ///< the share as the sharing device signed it, kept byte for byte
};

class ContinuityView {
  public:
    virtual ~ContinuityView() = default;
    [[nodiscard]] virtual std::optional<BackupKey> backup_key(Id account) const = 0;
    /// The account's entries of `version` in `room` with seq > `after`, ascending, at most
    /// `limit`.
    [[nodiscard]] virtual std::vector<BackupEntry> entries(Id account, Id room,
                                                           std::int64_t version, std::int64_t after,
                                                           std::int64_t limit) const = 0;
    /// The shares stored for `device` in `room`, oldest first (their JSON text).
    [[nodiscard]] virtual std::vector<std::string> shares_for(Id room, Id device) const = 0;
    /// Whether `seq` is a message (not a membership event) of `room`.
    [[nodiscard]] virtual bool is_message(Id room, std::int64_t seq) const = 0;
};

class Continuity : public ContinuityView {
  public:
    /// Replaces the account's record.
    virtual void set_backup_key(Id account, const BackupKey& key) = 0;
    /// Stores the entries the account does not have yet for (room, version); returns how many
    /// were new.
    [[nodiscard]] virtual int put_entries(Id account, Id room, std::int64_t version,
                                          const std::vector<BackupEntry>& entries) = 0;
    /// Replaces the account's pending transfer.
    virtual void put_transfer(Id account, Id from_device, const std::string& bundle,
                              Millis expires_at) = 0;
    /// The account's transfer if it has not expired at `now` and was not put by `device`. It
    /// stays (a mistyped code can be typed again) until drop_transfer, a new put_transfer or
    /// its expiry; an expired one is deleted here.
    [[nodiscard]] virtual std::optional<Transfer> take_transfer(Id account, Id device,
                                                                Millis now) = 0;
    /// Stores a share (`at`: when).
    virtual void put_share(const HistoryShare& share, Millis at) = 0;
    /// Deletes the account's transfer; whether there was one.
    [[nodiscard]] virtual bool drop_transfer(Id account) = 0;
    /// Deletes the account's backup entries of every version below `version`, in every room;
    /// returns how many.
    [[nodiscard]] virtual int drop_entries_before(Id account, std::int64_t version) = 0;
};

}  // namespace liaise::server::store
