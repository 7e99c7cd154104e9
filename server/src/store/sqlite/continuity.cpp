#include <SQLiteCpp/SQLiteCpp.h>

#include "store/sqlite/repos.hpp"

namespace liaise::server::store::sqlite {
namespace {

class SqlContinuity final : public Continuity {
  public:
    explicit SqlContinuity(const Conn& c) : c_(c) {}

    std::optional<BackupKey> backup_key(Id account) const override {
        auto q = c_.sql.use(
            "SELECT version, public_key, device_id, signature FROM backup_keys WHERE account_id = "
            "?");
        bind_all(*q, account);
        if (!q->executeStep())
            return std::nullopt;
        return BackupKey{q->getColumn(0).getInt64(), q->getColumn(1).getString(),
                         q->getColumn(2).getInt64(), q->getColumn(3).getString()};
    }
    std::vector<BackupEntry> entries(Id account, Id room, std::int64_t version, std::int64_t after,
                                     std::int64_t limit) const override {
        auto q = c_.sql.use(
            "SELECT seq, sealed FROM backup_entries WHERE account_id = ? AND room_id = ? AND "
            "version = ? AND seq > ? ORDER BY seq LIMIT ?");
        bind_all(*q, account, room, version, after, limit);
        std::vector<BackupEntry> out;
        while (q->executeStep())
            out.emplace_back(q->getColumn(0).getInt64(), q->getColumn(1).getString());
        return out;
    }
    std::vector<std::string> shares_for(Id room, Id device) const override {
        auto q = c_.sql.use(
            "SELECT share FROM history_shares WHERE room_id = ? AND to_device = ? ORDER BY id");
        bind_all(*q, room, device);
        std::vector<std::string> out;
        while (q->executeStep())
            out.push_back(q->getColumn(0).getString());
        return out;
    }
    bool is_message(Id room, std::int64_t seq) const override {
        auto q =
            c_.sql.use("SELECT 1 FROM messages WHERE room_id = ? AND seq = ? AND event IS NULL");
        bind_all(*q, room, seq);
        return q->executeStep();
    }

    void set_backup_key(Id account, const BackupKey& r) override {
        run(c_,
            "INSERT INTO backup_keys(account_id, version, public_key, device_id, signature) "
            "VALUES(?, ?, ?, ?, ?) ON CONFLICT(account_id) DO UPDATE SET version = "
            "excluded.version, public_key = excluded.public_key, device_id = excluded.device_id, "
            "signature = excluded.signature",
            account, r.version, r.public_key, r.device, r.signature);
    }
    int put_entries(Id account, Id room, std::int64_t version,
                    const std::vector<BackupEntry>& list) override {
        int stored = 0;
        for (const auto& [seq, sealed] : list)
            stored += run(c_,
                          "INSERT OR IGNORE INTO backup_entries(account_id, room_id, seq, version, "
                          "sealed) VALUES(?, ?, ?, ?, ?)",
                          account, room, seq, version, sealed);
        return stored;
    }
    void put_transfer(Id account, Id from_device, const std::string& bundle,
                      Millis expires_at) override {
        run(c_, "DELETE FROM key_transfers WHERE account_id = ?", account);
        run(c_,
            "INSERT INTO key_transfers(account_id, from_device, bundle, expires_at) VALUES(?, ?, "
            "?, ?)",
            account, from_device, bundle, expires_at);
    }
    std::optional<Transfer> take_transfer(Id account, Id device, Millis now) override {
        Transfer t;
        bool expired = false;
        {
            auto q = c_.sql.use(
                "SELECT from_device, bundle, expires_at FROM key_transfers WHERE account_id = ?");
            bind_all(*q, account);
            if (!q->executeStep())
                return std::nullopt;
            t = {q->getColumn(0).getInt64(), q->getColumn(1).getString()};
            expired = q->getColumn(2).getInt64() < now;
        }
        if (expired) {
            run(c_, "DELETE FROM key_transfers WHERE account_id = ?", account);
            return std::nullopt;
        }
        if (t.from_device == device)
            return std::nullopt;  // the old device cannot take back its own bundle
        return t;
    }
    void put_share(const HistoryShare& s, Millis at) override {
        run(c_,
            "INSERT INTO history_shares(room_id, to_device, from_device, since, first_seq, "
            "last_seq, share, created_at) VALUES(?, ?, ?, ?, ?, ?, ?, ?)",
            s.room, s.to_device, s.from_device, s.since, s.first_seq, s.last_seq, s.json, at);
    }

    bool drop_transfer(Id account) override {
        return run(c_, "DELETE FROM key_transfers WHERE account_id = ?", account) > 0;
    }
    int drop_entries_before(Id account, std::int64_t version) override {
        return run(c_, "DELETE FROM backup_entries WHERE account_id = ? AND version < ?", account,
                   version);
    }

  private:
    Conn c_;
};

}  // namespace

std::unique_ptr<Continuity> make_continuity(const Conn& c) {
    return std::make_unique<SqlContinuity>(c);
}

}  // namespace liaise::server::store::sqlite
