// store::Retention on PostgreSQL (repos.hpp): the same tables and contracts as the SQLite store's
// (store/sqlite/retention.cpp), created by schema version 4.
#include "store/postgres/repos.hpp"
#include "store/postgres/sql.hpp"

namespace liaise::server::pg {

using namespace store;

namespace {

class PgRetention final : public Retention {
  public:
    explicit PgRetention(Connection& db) : db_(db) {}

    std::vector<RetentionSchedule> schedules() const override {
        auto r = run(db_,
                     "SELECT s.agency_id, g.name, s.record, s.days, s.set_by, s.set_at, s.reason "
                     "FROM retention_schedules s JOIN agencies g ON g.id = s.agency_id ORDER BY "
                     "g.name COLLATE \"C\", s.record COLLATE \"C\"");
        std::vector<RetentionSchedule> out;
        for (int i = 0; i < r.rows(); ++i)
            out.push_back({r.int64(i, 0), text(r, i, 1), text(r, i, 2), r.int64(i, 3),
                           r.int64(i, 4), r.int64(i, 5), text(r, i, 6)});
        return out;
    }

    std::vector<LegalHold> holds() const override { return read_holds("", 0); }

    std::optional<LegalHold> hold(std::string_view target, Id id) const override {
        auto found = read_holds(target, id);
        if (found.empty())
            return std::nullopt;
        return found.front();
    }

    std::vector<RoomContact> rooms_with_messages() const override {
        auto r = run(db_,
                     "SELECT r.id, r.name, MAX(m.sent_at), COUNT(*) FILTER (WHERE m.envelope <> "
                     "'') FROM rooms r JOIN messages m ON m.room_id = r.id WHERE m.event IS NULL "
                     "GROUP BY r.id, r.name HAVING COUNT(*) FILTER (WHERE m.envelope <> '') > 0 "
                     "ORDER BY r.id");
        std::vector<RoomContact> out;
        for (int i = 0; i < r.rows(); ++i)
            out.push_back({r.int64(i, 0), text(r, i, 1), r.int64(i, 2), r.int64(i, 3),
                           agencies_of(r.int64(i, 0), 0)});
        return out;
    }

    std::vector<MeetingContact> meetings() const override {
        auto r = run(db_,
                     "SELECT m.id, m.room_id, r.name, m.kind, m.updated_at, m.chair_id FROM "
                     "meetings m JOIN rooms r ON r.id = m.room_id ORDER BY m.id");
        std::vector<MeetingContact> out;
        for (int i = 0; i < r.rows(); ++i)
            out.push_back({r.int64(i, 0), r.int64(i, 1), text(r, i, 2), text(r, i, 3),
                           r.int64(i, 4), agencies_of(r.int64(i, 1), r.int64(i, 5))});
        return out;
    }

    void set_schedule(const RetentionSchedule& s) override {
        run(db_,
            "INSERT INTO retention_schedules(agency_id, record, days, set_by, set_at, reason) "
            "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(agency_id, record) DO UPDATE SET days = "
            "excluded.days, set_by = excluded.set_by, set_at = excluded.set_at, reason = "
            "excluded.reason",
            s.agency, s.record, s.days, s.set_by, s.set_at, s.reason);
    }

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
        if (run(db_,
                "SELECT 1 FROM meeting_actions l JOIN actions a ON a.id = l.action_id WHERE "
                "a.raised_in = ? AND l.meeting_id <> ? LIMIT 1",
                id, id)
                .rows() > 0)
            return false;
        // The old row versions stay in the tables' files until VACUUM reclaims them
        // (docs/operator.md).
        run(db_, "DELETE FROM minutes_signatures WHERE meeting_id = ?", id);
        run(db_, "DELETE FROM minutes_distribution WHERE meeting_id = ?", id);
        run(db_, "DELETE FROM minutes_versions WHERE meeting_id = ?", id);
        run(db_, "DELETE FROM meeting_actions WHERE meeting_id = ?", id);
        run(db_, "DELETE FROM actions WHERE raised_in = ?", id);  // notices go by cascade
        run(db_, "DELETE FROM legal_holds WHERE target = 'meeting' AND target_id = ?", id);
        run(db_, "DELETE FROM meetings WHERE id = ?", id);
        return true;
    }

  private:
    std::vector<LegalHold> read_holds(std::string_view target, Id id) const {
        auto r = run(db_,
                     "SELECT h.target, h.target_id, COALESCE(r.name, mr.name, ''), h.placed_by, "
                     "a.username, h.placed_at, h.reason FROM legal_holds h JOIN accounts a ON "
                     "a.id = h.placed_by LEFT JOIN rooms r ON h.target = 'room' AND r.id = "
                     "h.target_id LEFT JOIN meetings m ON h.target = 'meeting' AND m.id = "
                     "h.target_id LEFT JOIN rooms mr ON mr.id = m.room_id WHERE (?::text = '' OR "
                     "(h.target = ? AND h.target_id = ?)) ORDER BY h.target DESC, h.target_id",
                     target, target, id);
        std::vector<LegalHold> out;
        for (int i = 0; i < r.rows(); ++i)
            out.push_back({text(r, i, 0), r.int64(i, 1), text(r, i, 2), r.int64(i, 3),
                           text(r, i, 4), r.int64(i, 5), text(r, i, 6)});
        return out;
    }

    std::vector<Id> agencies_of(Id room, Id also) const {
        auto r = run(db_,
                     "SELECT DISTINCT a.agency_id FROM accounts a WHERE a.id IN (SELECT "
                     "account_id FROM room_members WHERE room_id = ?) OR a.id = ? ORDER BY "
                     "a.agency_id",
                     room, also);
        std::vector<Id> out;
        for (int i = 0; i < r.rows(); ++i)
            out.push_back(r.int64(i, 0));
        return out;
    }

    Connection& db_;
};

}  // namespace

std::unique_ptr<Retention> make_retention(Connection& db) {
    return std::make_unique<PgRetention>(db);
}

}  // namespace liaise::server::pg
