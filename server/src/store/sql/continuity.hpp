// store::Continuity: what both stores run alike (rows.hpp). The stores' own: what counts as
// stored or dropped (SQLite's changed rows, PostgreSQL's RETURNING), and the transfer, which
// PostgreSQL takes with one DELETE so that of two nodes only one gets it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "store/repo/continuity.hpp"
#include "store/sql/rows.hpp"

namespace liaise::server::store::sql {

template <class Db>
class SharedContinuity : public Continuity {
  public:
    std::optional<BackupKey> backup_key(Id account) const override {
        return sql::first(query(db_,
                                "SELECT version, public_key, device_id, signature FROM "
                                "backup_keys WHERE account_id = ?",
                                account),
                          [](const auto& r) {
                              return BackupKey{r.int64(0), r.text(1), r.int64(2), r.text(3)};
                          });
    }
    std::vector<BackupEntry> entries(Id account, Id room, std::int64_t version, std::int64_t after,
                                     std::int64_t limit) const override {
        return sql::all(query(db_,
                              "SELECT seq, sealed FROM backup_entries WHERE account_id = ? AND "
                              "room_id = ? AND version = ? AND seq > ? ORDER BY seq LIMIT ?",
                              account, room, version, after, limit),
                        [](const auto& r) { return BackupEntry(r.int64(0), r.text(1)); });
    }
    std::vector<std::string> shares_for(Id room, Id device) const override {
        return sql::all(query(db_,
                              "SELECT share FROM history_shares WHERE room_id = ? AND to_device = "
                              "? ORDER BY id",
                              room, device),
                        [](const auto& r) { return r.text(0); });
    }
    bool is_message(Id room, std::int64_t seq) const override {
        return sql::any(
            query(db_, "SELECT 1 FROM messages WHERE room_id = ? AND seq = ? AND event IS NULL",
                  room, seq));
    }

    void set_backup_key(Id account, const BackupKey& k) override {
        run(db_,
            "INSERT INTO backup_keys(account_id, version, public_key, device_id, signature) "
            "VALUES(?, ?, ?, ?, ?) ON CONFLICT(account_id) DO UPDATE SET version = "
            "excluded.version, public_key = excluded.public_key, device_id = excluded.device_id, "
            "signature = excluded.signature",
            account, k.version, k.public_key, k.device, k.signature);
    }
    void put_share(const HistoryShare& s, Millis at) override {
        run(db_,
            "INSERT INTO history_shares(room_id, to_device, from_device, since, first_seq, "
            "last_seq, share, created_at) VALUES(?, ?, ?, ?, ?, ?, ?, ?)",
            s.room, s.to_device, s.from_device, s.since, s.first_seq, s.last_seq, s.json, at);
    }

  protected:
    explicit SharedContinuity(Db db) : db_(db) {}
    Db db_;
};

}  // namespace liaise::server::store::sql
