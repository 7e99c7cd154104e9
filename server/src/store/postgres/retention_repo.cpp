// store::Retention on PostgreSQL (repos.hpp): the same tables and contracts as the SQLite store's
// (store/sqlite/retention.cpp), created by schema version 4. The statements both stores share
// are in store/sql/retention.hpp.
#include "store/postgres/repos.hpp"
#include "store/postgres/sql.hpp"
#include "store/sql/retention.hpp"

namespace liaise::server::pg {

using namespace store;

namespace {

/// What this store words its own way (store/sql/: the same parameters and columns).
constexpr sql::RetentionStatements kOwnStatements = {
    .schedules =
        "SELECT s.agency_id, g.name, s.record, s.days, s.set_by, s.set_at, "
        "s.reason FROM retention_schedules s JOIN agencies g ON g.id = "
        "s.agency_id ORDER BY g.name COLLATE \"C\", s.record COLLATE \"C\"",
    .rooms_with_messages =
        "SELECT r.id, r.name, MAX(m.sent_at), COUNT(*) FILTER (WHERE m.envelope <> '') "
        "FROM rooms r JOIN messages m ON m.room_id = r.id WHERE m.event IS NULL GROUP "
        "BY r.id, r.name HAVING COUNT(*) FILTER (WHERE m.envelope <> '') > 0 ORDER BY "
        "r.id"};

class PgRetention final : public sql::SharedRetention<Connection&> {
  public:
    explicit PgRetention(Connection& db) : SharedRetention(db, kOwnStatements) {}

    bool place_hold(const LegalHold& h) override {
        return run(db_,
                   "INSERT INTO legal_holds(target, target_id, placed_by, placed_at, reason) "
                   "VALUES (?, ?, ?, ?, ?) ON CONFLICT(target, target_id) DO NOTHING "
                   "RETURNING target_id",
                   h.target, h.id, h.placed_by, h.placed_at, h.reason)
                   .rows() > 0;
    }

    bool lift_hold(std::string_view target, Id id) override {
        return run(db_,
                   "DELETE FROM legal_holds WHERE target = ? AND target_id = ? RETURNING "
                   "target_id",
                   target, id)
                   .rows() > 0;
    }

    bool erase_meeting(Id id) override {
        // The meeting's row lock: a change to the meeting on another node waits for this unit.
        if (run(db_, "SELECT 1 FROM meetings WHERE id = ? FOR UPDATE", id).rows() == 0)
            return false;
        // The old row versions stay in the tables' files until VACUUM reclaims them
        // (docs/operator.md).
        return erase_found_meeting(id);
    }
};

}  // namespace

std::unique_ptr<Retention> make_retention(Connection& db) {
    return std::make_unique<PgRetention>(db);
}

}  // namespace liaise::server::pg
