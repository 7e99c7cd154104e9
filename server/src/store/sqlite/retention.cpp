#include <SQLiteCpp/SQLiteCpp.h>

#include "store/sqlite/repos.hpp"

namespace liaise::server::store::sqlite {
namespace {

class SqlRetention final : public Retention {
  public:
    explicit SqlRetention(const Conn& c) : c_(c) {}

    std::vector<RetentionSchedule> schedules() const override {
        auto q = c_.sql.use(
            "SELECT s.agency_id, g.name, s.record, s.days, s.set_by, s.set_at, s.reason FROM "
            "retention_schedules s JOIN agencies g ON g.id = s.agency_id ORDER BY g.name, "
            "s.record");
        std::vector<RetentionSchedule> out;
        while (q->executeStep())
            out.push_back({q->getColumn(0).getInt64(), q->getColumn(1).getString(),
                           q->getColumn(2).getString(), q->getColumn(3).getInt64(),
                           q->getColumn(4).getInt64(), q->getColumn(5).getInt64(),
                           q->getColumn(6).getString()});
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
        std::vector<RoomContact> out;
        {
            auto q = c_.sql.use(
                "SELECT r.id, r.name, MAX(m.sent_at), SUM(m.envelope <> '') FROM rooms r JOIN "
                "messages m ON m.room_id = r.id WHERE m.event IS NULL GROUP BY r.id "
                "HAVING SUM(m.envelope <> '') > 0 ORDER BY r.id");
            while (q->executeStep())
                out.push_back({q->getColumn(0).getInt64(),
                               q->getColumn(1).getString(),
                               q->getColumn(2).getInt64(),
                               q->getColumn(3).getInt64(),
                               {}});
        }
        for (auto& r : out)
            r.agencies = agencies_of(r.room, 0);
        return out;
    }

    std::vector<MeetingContact> meetings() const override {
        std::vector<MeetingContact> out;
        Id chair = 0;
        std::vector<Id> chairs;
        {
            auto q = c_.sql.use(
                "SELECT m.id, m.room_id, r.name, m.kind, m.updated_at, m.chair_id FROM meetings "
                "m JOIN rooms r ON r.id = m.room_id ORDER BY m.id");
            while (q->executeStep()) {
                out.push_back({q->getColumn(0).getInt64(),
                               q->getColumn(1).getInt64(),
                               q->getColumn(2).getString(),
                               q->getColumn(3).getString(),
                               q->getColumn(4).getInt64(),
                               {}});
                chairs.push_back(q->getColumn(5).getInt64());
            }
        }
        for (std::size_t i = 0; i < out.size(); ++i) {
            chair = chairs[i];
            out[i].agencies = agencies_of(out[i].room, chair);
        }
        return out;
    }

    void set_schedule(const RetentionSchedule& s) override {
        run(c_,
            "INSERT INTO retention_schedules(agency_id, record, days, set_by, set_at, reason) "
            "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(agency_id, record) DO UPDATE SET days = "
            "excluded.days, set_by = excluded.set_by, set_at = excluded.set_at, reason = "
            "excluded.reason",
            s.agency, s.record, s.days, s.set_by, s.set_at, s.reason);
    }

    bool place_hold(const LegalHold& h) override {
        return run(c_,
                   "INSERT INTO legal_holds(target, target_id, placed_by, placed_at, reason) "
                   "VALUES (?, ?, ?, ?, ?) ON CONFLICT(target, target_id) DO NOTHING",
                   h.target, h.id, h.placed_by, h.placed_at, h.reason) > 0;
    }

    bool lift_hold(std::string_view target, Id id) override {
        return run(c_, "DELETE FROM legal_holds WHERE target = ? AND target_id = ?", target, id) >
               0;
    }

    bool erase_meeting(Id id) override {
        {
            auto q = c_.sql.use("SELECT 1 FROM meetings WHERE id = ?");
            bind_all(*q, id);
            if (!q->executeStep())
                return false;
        }
        {
            auto q = c_.sql.use(
                "SELECT 1 FROM meeting_actions l JOIN actions a ON a.id = l.action_id WHERE "
                "a.raised_in = ? AND l.meeting_id <> ? LIMIT 1");
            bind_all(*q, id, id);
            if (q->executeStep())
                return false;
        }
        // secure_delete (storage.cpp) overwrites the sealed bodies' bytes in the file.
        run(c_, "DELETE FROM minutes_signatures WHERE meeting_id = ?", id);
        run(c_, "DELETE FROM minutes_distribution WHERE meeting_id = ?", id);
        run(c_, "DELETE FROM minutes_versions WHERE meeting_id = ?", id);
        run(c_, "DELETE FROM meeting_actions WHERE meeting_id = ?", id);
        // Actions carried forward to this meeting from an earlier one stay with that one.
        run(c_, "DELETE FROM actions WHERE raised_in = ?", id);  // notices go by cascade
        run(c_, "DELETE FROM legal_holds WHERE target = 'meeting' AND target_id = ?", id);
        run(c_, "DELETE FROM meetings WHERE id = ?", id);
        return true;
    }

  private:
    /// The holds in force on `target` `id`, or every hold when `target` is empty.
    std::vector<LegalHold> read_holds(std::string_view target, Id id) const {
        auto q = c_.sql.use(
            "SELECT h.target, h.target_id, COALESCE(r.name, mr.name, ''), h.placed_by, "
            "a.username, h.placed_at, h.reason FROM legal_holds h JOIN accounts a ON a.id = "
            "h.placed_by LEFT JOIN rooms r ON h.target = 'room' AND r.id = h.target_id LEFT JOIN "
            "meetings m ON h.target = 'meeting' AND m.id = h.target_id LEFT JOIN rooms mr ON "
            "mr.id = m.room_id WHERE (? = '' OR (h.target = ? AND h.target_id = ?)) ORDER BY "
            "h.target DESC, h.target_id");
        bind_all(*q, target, target, id);
        std::vector<LegalHold> out;
        while (q->executeStep())
            out.push_back({q->getColumn(0).getString(), q->getColumn(1).getInt64(),
                           q->getColumn(2).getString(), q->getColumn(3).getInt64(),
                           q->getColumn(4).getString(), q->getColumn(5).getInt64(),
                           q->getColumn(6).getString()});
        return out;
    }

    /// The agencies of `room`'s members and of `also` (0: none), ascending.
    std::vector<Id> agencies_of(Id room, Id also) const {
        auto q = c_.sql.use(
            "SELECT DISTINCT a.agency_id FROM accounts a WHERE a.id IN (SELECT account_id FROM "
            "room_members WHERE room_id = ?) OR a.id = ? ORDER BY a.agency_id");
        bind_all(*q, room, also);
        std::vector<Id> out;
        while (q->executeStep())
            out.push_back(q->getColumn(0).getInt64());
        return out;
    }

    const Conn& c_;
};

}  // namespace

std::unique_ptr<Retention> make_retention(const Conn& c) {
    return std::make_unique<SqlRetention>(c);
}

}  // namespace liaise::server::store::sqlite
