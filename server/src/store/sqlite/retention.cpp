// store::Retention on SQLite: the statements both stores share are in store/sql/retention.hpp.
#include <SQLiteCpp/SQLiteCpp.h>

#include "store/sql/retention.hpp"
#include "store/sqlite/repos.hpp"

namespace liaise::server::store::sqlite {
namespace {

/// What this store words its own way (store/sql/: the same parameters and columns).
constexpr sql::RetentionStatements kOwnStatements = {
    .schedules =
        "SELECT s.agency_id, g.name, s.record, s.days, s.set_by, s.set_at, "
        "s.reason FROM retention_schedules s JOIN agencies g ON g.id = "
        "s.agency_id ORDER BY g.name, s.record",
    .rooms_with_messages =
        "SELECT r.id, r.name, MAX(m.sent_at), SUM(m.envelope <> '') FROM rooms r JOIN "
        "messages m ON m.room_id = r.id WHERE m.event IS NULL GROUP BY r.id "
        "HAVING SUM(m.envelope <> '') > 0 ORDER BY r.id"};

class SqlRetention final : public sql::SharedRetention<Conn> {
  public:
    explicit SqlRetention(const Conn& c) : SharedRetention(c, kOwnStatements) {}

    bool place_hold(const LegalHold& h) override {
        return run(db_,
                   "INSERT INTO legal_holds(target, target_id, placed_by, placed_at, reason) "
                   "VALUES (?, ?, ?, ?, ?) ON CONFLICT(target, target_id) DO NOTHING",
                   h.target, h.id, h.placed_by, h.placed_at, h.reason) > 0;
    }

    bool lift_hold(std::string_view target, Id id) override {
        return run(db_, "DELETE FROM legal_holds WHERE target = ? AND target_id = ?", target, id) >
               0;
    }

    bool erase_meeting(Id id) override {
        if (!sql::any(query(db_, "SELECT 1 FROM meetings WHERE id = ?", id)))
            return false;
        // secure_delete (storage.cpp) overwrites the sealed bodies' bytes in the file.
        return erase_found_meeting(id);
    }
};

}  // namespace

std::unique_ptr<Retention> make_retention(const Conn& c) {
    return std::make_unique<SqlRetention>(c);
}

}  // namespace liaise::server::store::sqlite
