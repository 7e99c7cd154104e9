// store::Continuity on PostgreSQL (repos.hpp): backup keys, sealed backup entries, the pending
// device transfer and history shares, all as the clients sent them (text, never opened here).
// A transfer is taken by one DELETE ... RETURNING, so of two nodes taking it at once one gets it
// and the other finds it gone.
#include "store/postgres/repos.hpp"
#include "store/postgres/sql.hpp"

namespace liaise::server::pg {

using namespace store;

namespace {

class PgContinuity final : public Continuity {
  public:
    explicit PgContinuity(Connection& db) : db_(db) {}

    std::optional<BackupKey> backup_key(Id account) const override {
        auto r = run(db_,
                     "SELECT version, public_key, device_id, signature FROM backup_keys WHERE "
                     "account_id = ?",
                     account);
        if (r.rows() == 0)
            return std::nullopt;
        return BackupKey{r.int64(0, 0), text(r, 0, 1), r.int64(0, 2), text(r, 0, 3)};
    }
    std::vector<BackupEntry> entries(Id account, Id room, std::int64_t version, std::int64_t after,
                                     std::int64_t limit) const override {
        auto r = run(db_,
                     "SELECT seq, sealed FROM backup_entries WHERE account_id = ? AND room_id = ? "
                     "AND version = ? AND seq > ? ORDER BY seq LIMIT ?",
                     account, room, version, after, limit);
        std::vector<BackupEntry> out;
        for (int i = 0; i < r.rows(); ++i)
            out.emplace_back(r.int64(i, 0), text(r, i, 1));
        return out;
    }
    std::vector<std::string> shares_for(Id room, Id device) const override {
        auto r = run(db_,
                     "SELECT share FROM history_shares WHERE room_id = ? AND to_device = ? ORDER "
                     "BY id",
                     room, device);
        std::vector<std::string> out;
        for (int i = 0; i < r.rows(); ++i)
            out.push_back(text(r, i, 0));
        return out;
    }
    bool is_message(Id room, std::int64_t seq) const override {
        return run(db_, "SELECT 1 FROM messages WHERE room_id = ? AND seq = ? AND event IS NULL",
                   room, seq)
                   .rows() > 0;
    }

    void set_backup_key(Id account, const BackupKey& k) override {
        run(db_,
            "INSERT INTO backup_keys(account_id, version, public_key, device_id, signature) "
            "VALUES(?, ?, ?, ?, ?) ON CONFLICT(account_id) DO UPDATE SET version = "
            "excluded.version, public_key = excluded.public_key, device_id = excluded.device_id, "
            "signature = excluded.signature",
            account, k.version, k.public_key, k.device, k.signature);
    }
    int put_entries(Id account, Id room, std::int64_t version,
                    const std::vector<BackupEntry>& list) override {
        int stored = 0;
        for (const auto& [seq, sealed] : list)
            stored += run(db_,
                          "INSERT INTO backup_entries(account_id, room_id, seq, version, sealed) "
                          "VALUES(?, ?, ?, ?, ?) ON CONFLICT DO NOTHING RETURNING 1",
                          account, room, seq, version, sealed)
                          .rows();
        return stored;
    }
    void put_transfer(Id account, Id from_device, const std::string& bundle,
                      Millis expires_at) override {
        run(db_,
            "INSERT INTO key_transfers(account_id, from_device, bundle, expires_at) VALUES(?, ?, "
            "?, ?) ON CONFLICT(account_id) DO UPDATE SET from_device = excluded.from_device, "
            "bundle = excluded.bundle, expires_at = excluded.expires_at",
            account, from_device, bundle, expires_at);
    }
    std::optional<Transfer> take_transfer(Id account, Id device, Millis now) override {
        // An expired transfer is deleted; one that has not expired stays, and is not handed
        // to the device that put it (the old device cannot take back its own bundle).
        (void)run(db_, "DELETE FROM key_transfers WHERE account_id = ? AND expires_at < ?", account,
                  now);
        auto r = run(db_,
                     "SELECT from_device, bundle FROM key_transfers WHERE account_id = ? AND "
                     "from_device <> ?",
                     account, device);
        if (r.rows() == 0)
            return std::nullopt;
        return Transfer{r.int64(0, 0), text(r, 0, 1)};
    }
    void put_share(const HistoryShare& s, Millis at) override {
        run(db_,
            "INSERT INTO history_shares(room_id, to_device, from_device, since, first_seq, "
            "last_seq, share, created_at) VALUES(?, ?, ?, ?, ?, ?, ?, ?)",
            s.room, s.to_device, s.from_device, s.since, s.first_seq, s.last_seq, s.json, at);
    }

    bool drop_transfer(Id account) override {
        return run(db_, "DELETE FROM key_transfers WHERE account_id = ? RETURNING 1", account)
                   .rows() > 0;
    }
    int drop_entries_before(Id account, std::int64_t version) override {
        return run(db_,
                   "DELETE FROM backup_entries WHERE account_id = ? AND version < ? RETURNING 1",
                   account, version)
            .rows();
    }

  private:
    Connection& db_;
};

}  // namespace

std::unique_ptr<Continuity> make_continuity(Connection& db) {
    return std::make_unique<PgContinuity>(db);
}

}  // namespace liaise::server::pg
