// store::Continuity on SQLite: the statements both stores share are in store/sql/continuity.hpp.
#include <SQLiteCpp/SQLiteCpp.h>

#include "store/sql/continuity.hpp"
#include "store/sqlite/repos.hpp"

namespace liaise::server::store::sqlite {
namespace {

class SqlContinuity final : public sql::SharedContinuity<Conn> {
  public:
    explicit SqlContinuity(const Conn& c) : SharedContinuity(c) {}

    int put_entries(Id account, Id room, std::int64_t version,
                    const std::vector<BackupEntry>& list) override {
        int stored = 0;
        for (const auto& [seq, sealed] : list)
            stored += run(db_,
                          "INSERT OR IGNORE INTO backup_entries(account_id, room_id, seq, version, "
                          "sealed) VALUES(?, ?, ?, ?, ?)",
                          account, room, seq, version, sealed);
        return stored;
    }
    void put_transfer(Id account, Id from_device, const std::string& bundle,
                      Millis expires_at) override {
        run(db_, "DELETE FROM key_transfers WHERE account_id = ?", account);
        run(db_,
            "INSERT INTO key_transfers(account_id, from_device, bundle, expires_at) VALUES(?, ?, "
            "?, ?)",
            account, from_device, bundle, expires_at);
    }
    std::optional<Transfer> take_transfer(Id account, Id device, Millis now) override {
        Transfer t;
        bool expired = false;
        {
            auto q = db_.sql.use(
                "SELECT from_device, bundle, expires_at FROM key_transfers WHERE account_id = ?");
            bind_all(*q, account);
            if (!q->executeStep())
                return std::nullopt;
            t = {q->getColumn(0).getInt64(), q->getColumn(1).getString()};
            expired = q->getColumn(2).getInt64() < now;
        }
        if (expired) {
            run(db_, "DELETE FROM key_transfers WHERE account_id = ?", account);
            return std::nullopt;
        }
        if (t.from_device == device)
            return std::nullopt;  // the old device cannot take back its own bundle
        return t;
    }

    bool drop_transfer(Id account) override {
        return run(db_, "DELETE FROM key_transfers WHERE account_id = ?", account) > 0;
    }
    int drop_entries_before(Id account, std::int64_t version) override {
        return run(db_, "DELETE FROM backup_entries WHERE account_id = ? AND version < ?", account,
                   version);
    }
};

}  // namespace

std::unique_ptr<Continuity> make_continuity(const Conn& c) {
    return std::make_unique<SqlContinuity>(c);
}

}  // namespace liaise::server::store::sqlite
