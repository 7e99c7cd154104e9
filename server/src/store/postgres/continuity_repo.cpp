// store::Continuity on PostgreSQL (repos.hpp): backup keys, sealed backup entries, the pending
// device transfer and history shares, all as the clients sent them (text, never opened here).
// A transfer is read, not consumed, by take_transfer (a mistyped code can be typed again; the
// bundle is sealed under that code) and goes by drop_transfer's one DELETE ... RETURNING, so of
// two nodes dropping it at once one reports it dropped. The statements both stores share are in
// store/sql/continuity.hpp.
#include "store/postgres/repos.hpp"
#include "store/postgres/sql.hpp"
#include "store/sql/continuity.hpp"

namespace liaise::server::pg {

using namespace store;

namespace {

class PgContinuity final : public sql::SharedContinuity<Connection&> {
  public:
    explicit PgContinuity(Connection& db) : SharedContinuity(db) {}

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
};

}  // namespace

std::unique_ptr<Continuity> make_continuity(Connection& db) {
    return std::make_unique<PgContinuity>(db);
}

}  // namespace liaise::server::pg
