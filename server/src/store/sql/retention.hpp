// store::Retention: what both stores run alike (rows.hpp). The stores' own: the wording of
// schedules() (PostgreSQL sorts in "C" order) and rooms_with_messages() (how non-empty envelopes
// are counted), given as RetentionStatements; place_hold() and lift_hold() (whether a row
// changed); and erase_meeting()'s first look, which on PostgreSQL takes the meeting's row lock.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "store/repo/retention.hpp"
#include "store/sql/rows.hpp"

namespace liaise::server::store::sql {

/// A schedule in columns 0-6: agency id, agency name, record, days, set_by, set_at, reason.
template <class Row>
[[nodiscard]] RetentionSchedule schedule_row(const Row& r) {
    return {r.int64(0), r.text(1), r.text(2), r.int64(3), r.int64(4), r.int64(5), r.text(6)};
}

/// A room in columns 0-3: id, name, last message time, messages with ciphertext; no agencies.
template <class Row>
[[nodiscard]] RoomContact room_contact_row(const Row& r) {
    return {r.int64(0), r.text(1), r.int64(2), r.int64(3), {}};
}

/// The statements each store words its own way: the same parameters (none) and columns.
struct RetentionStatements {
    const char* schedules;            ///< schedule_row()'s columns, by agency name and record
    const char* rooms_with_messages;  ///< room_contact_row()'s, rooms with ciphertext, by id
};

template <class Db>
class SharedRetention : public Retention {
  public:
    std::vector<RetentionSchedule> schedules() const override {
        return sql::all(query(db_, statements_.schedules),
                        [](const auto& r) { return schedule_row(r); });
    }
    std::vector<RoomContact> rooms_with_messages() const override {
        auto out = sql::all(query(db_, statements_.rooms_with_messages),
                            [](const auto& r) { return room_contact_row(r); });
        for (auto& r : out)
            r.agencies = agencies_of(r.room, 0);
        return out;
    }
    std::vector<LegalHold> holds() const override { return read_holds("", 0); }

    std::optional<LegalHold> hold(std::string_view target, Id id) const override {
        auto found = read_holds(target, id);
        if (found.empty())
            return std::nullopt;
        return found.front();
    }

    std::vector<MeetingContact> meetings() const override {
        std::vector<MeetingContact> out;
        std::vector<Id> chairs;
        for (const auto& r : query(db_,
                                   "SELECT m.id, m.room_id, r.name, m.kind, m.updated_at, "
                                   "m.chair_id FROM meetings m JOIN rooms r ON r.id = m.room_id "
                                   "ORDER BY m.id")) {
            out.push_back({r.int64(0), r.int64(1), r.text(2), r.text(3), r.int64(4), {}});
            chairs.push_back(r.int64(5));
        }
        // Asked once the rows above are read: SQLite steps one statement at a time.
        for (std::size_t i = 0; i < out.size(); ++i)
            out[i].agencies = agencies_of(out[i].room, chairs[i]);
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

  protected:
    SharedRetention(Db db, RetentionStatements statements) : db_(db), statements_(statements) {}

    /// erase_meeting()'s contract (repo/retention.hpp) once the store has found the meeting:
    /// false, erasing nothing, when an action it raised is carried in another meeting.
    bool erase_found_meeting(Id id) {
        if (sql::any(query(db_,
                           "SELECT 1 FROM meeting_actions l JOIN actions a ON a.id = l.action_id "
                           "WHERE a.raised_in = ? AND l.meeting_id <> ? LIMIT 1",
                           id, id)))
            return false;
        run(db_, "DELETE FROM minutes_signatures WHERE meeting_id = ?", id);
        run(db_, "DELETE FROM minutes_distribution WHERE meeting_id = ?", id);
        run(db_, "DELETE FROM minutes_versions WHERE meeting_id = ?", id);
        run(db_, "DELETE FROM meeting_actions WHERE meeting_id = ?", id);
        // Actions carried forward to this meeting from an earlier one stay with that one.
        run(db_, "DELETE FROM actions WHERE raised_in = ?", id);  // notices go by cascade
        run(db_, "DELETE FROM legal_holds WHERE target = 'meeting' AND target_id = ?", id);
        run(db_, "DELETE FROM meetings WHERE id = ?", id);
        return true;
    }

    /// The agencies of `room`'s members and of `also` (0: none), ascending.
    std::vector<Id> agencies_of(Id room, Id also) const {
        return sql::int64_column(query(db_,
                                       "SELECT DISTINCT a.agency_id FROM accounts a WHERE a.id IN "
                                       "(SELECT account_id FROM room_members WHERE room_id = ?) OR "
                                       "a.id = ? ORDER BY a.agency_id",
                                       room, also));
    }

    Db db_;

  private:
    RetentionStatements statements_;

    /// The holds in force on `target` `id`, or every hold when `target` is empty.
    std::vector<LegalHold> read_holds(std::string_view target, Id id) const {
        return sql::all(
            query(db_,
                  "SELECT h.target, h.target_id, COALESCE(r.name, mr.name, ''), "
                  "h.placed_by, a.username, h.placed_at, h.reason FROM legal_holds h JOIN "
                  "accounts a ON a.id = h.placed_by LEFT JOIN rooms r ON h.target = 'room' "
                  "AND r.id = h.target_id LEFT JOIN meetings m ON h.target = 'meeting' "
                  "AND m.id = h.target_id LEFT JOIN rooms mr ON mr.id = m.room_id WHERE "
                  "(CAST(? AS TEXT) = '' OR (h.target = ? AND h.target_id = ?)) ORDER BY "
                  "h.target DESC, h.target_id",
                  target, target, id),
            [](const auto& r) {
                return LegalHold{r.text(0), r.int64(1), r.text(2), r.int64(3),
                                 r.text(4), r.int64(5), r.text(6)};
            });
    }
};

}  // namespace liaise::server::store::sql
