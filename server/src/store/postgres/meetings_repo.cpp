// store::Meetings on PostgreSQL (repos.hpp).
#include <set>

#include "store/postgres/repos.hpp"
#include "store/postgres/sql.hpp"

namespace liaise::server::pg {

using namespace store;

namespace {

constexpr const char* kMeetingSelect =
    "SELECT m.id, m.room_id, r.name, r.public, m.kind, m.starts_at, COALESCE(m.next_meeting, ''), "
    "m.marking, m.status, m.chair_id, m.minute_taker_id, m.version, m.rev, m.body FROM meetings m "
    "JOIN rooms r ON r.id = m.room_id ";

MeetingRow meeting_row(const Result& r, int i) {
    MeetingRow m;
    m.id = r.int64(i, 0);
    m.room = r.int64(i, 1);
    m.room_name = text(r, i, 2);
    m.room_public = boolean(r, i, 3);
    m.kind = text(r, i, 4);
    m.starts_at = text(r, i, 5);
    m.next_meeting = text(r, i, 6);
    m.marking = text(r, i, 7);
    m.status = text(r, i, 8);
    m.chair = r.int64(i, 9);
    m.minute_taker = r.int64(i, 10);
    m.version = r.int64(i, 11);
    m.rev = r.int64(i, 12);
    m.body = bytes(r, i, 13);
    return m;
}

constexpr const char* kActionSelect =
    "SELECT a.id, a.room_id, r.name, a.raised_in, a.owner_id, COALESCE(o.username, ''), a.due, "
    "COALESCE(a.review, ''), a.status, a.rev, a.body FROM actions a JOIN rooms r ON r.id = "
    "a.room_id LEFT JOIN accounts o ON o.id = a.owner_id ";

ActionRow action_row(const Result& r, int i) {
    ActionRow a;
    a.id = r.int64(i, 0);
    a.room = r.int64(i, 1);
    a.room_name = text(r, i, 2);
    a.raised_in = r.int64(i, 3);
    a.owner = id_or_0(r, i, 4);
    a.owner_user = text(r, i, 5);
    a.due = text(r, i, 6);
    a.review = text(r, i, 7);
    a.status = text(r, i, 8);
    a.rev = r.int64(i, 9);
    a.body = bytes(r, i, 10);
    return a;
}

constexpr const char* kVersionSelect =
    "SELECT meeting_id, version, status, circulated_by, circulated_at, approved_by, approved_at, "
    "findings, acknowledged_by, body FROM minutes_versions ";

MinutesVersion version_row(const Result& r, int i) {
    MinutesVersion v;
    v.meeting = r.int64(i, 0);
    v.version = r.int64(i, 1);
    v.status = text(r, i, 2);
    v.circulated_by = r.int64(i, 3);
    v.circulated_at = r.int64(i, 4);
    v.approved_by = id_or_0(r, i, 5);
    v.approved_at = optional_int(r, i, 6);
    v.findings = r.int64(i, 7);
    v.acknowledged_by = id_or_0(r, i, 8);
    v.body = bytes(r, i, 9);
    return v;
}

/// "(?, ?, ?)" for `n` values ("(NULL)" for none, which matches nothing).
std::string placeholders(std::size_t n) {
    if (n == 0)
        return "(NULL)";
    std::string out = "(";
    for (std::size_t i = 0; i < n; ++i)
        out += i == 0 ? "?" : ", ?";
    return out + ")";
}

class PgMeetings final : public Meetings {
  public:
    explicit PgMeetings(Connection& db) : db_(db) {}

    std::optional<MeetingRow> meeting(Id id) const override {
        auto r = run(db_, std::string(kMeetingSelect) + "WHERE m.id = ?", id);
        if (r.rows() == 0)
            return std::nullopt;
        return meeting_row(r, 0);
    }
    std::vector<Id> meetings_in(Id room) const override {
        return int64_column(run(
            db_, "SELECT id FROM meetings WHERE room_id = ? ORDER BY starts_at COLLATE \"C\", id",
            room));
    }
    Id latest_meeting(Id room) const override {
        return run(db_, "SELECT COALESCE(MAX(id), 0) FROM meetings WHERE room_id = ?", room)
            .int64(0, 0);
    }
    std::optional<MinutesVersion> version(Id meeting, std::int64_t v) const override {
        auto r = run(db_, std::string(kVersionSelect) + "WHERE meeting_id = ? AND version = ?",
                     meeting, v);
        if (r.rows() == 0)
            return std::nullopt;
        return version_row(r, 0);
    }
    std::vector<MinutesVersion> versions(Id meeting) const override {
        auto r = run(db_, std::string(kVersionSelect) + "WHERE meeting_id = ? ORDER BY version",
                     meeting);
        std::vector<MinutesVersion> out;
        for (int i = 0; i < r.rows(); ++i)
            out.push_back(version_row(r, i));
        return out;
    }
    std::vector<Distribution> distribution(Id meeting, std::int64_t v) const override {
        auto r = run(db_,
                     "SELECT a.username, a.display_name, g.name, d.sent_at, d.received_at, "
                     "d.acknowledged_at, d.ack_device, d.ack_signed_at, d.ack_signature, "
                     "k.sign_key, k.box_key, k.box_key_signature FROM "
                     "minutes_distribution d JOIN accounts a ON a.id = d.account_id JOIN agencies "
                     "g ON g.id = a.agency_id LEFT JOIN devices k ON k.id = d.ack_device WHERE "
                     "d.meeting_id = ? AND d.version = ? ORDER BY a.username COLLATE \"C\"",
                     meeting, v);
        std::vector<Distribution> out;
        for (int i = 0; i < r.rows(); ++i) {
            Distribution d;
            d.user = text(r, i, 0);
            d.display_name = text(r, i, 1);
            d.agency = text(r, i, 2);
            d.sent_at = r.int64(i, 3);
            d.received_at = optional_int(r, i, 4);
            d.acknowledged_at = optional_int(r, i, 5);
            if (!r.is_null(i, 8))
                d.ack_signature = AckSignature{r.int64(i, 6), r.int64(i, 7),  text(r, i, 8),
                                               text(r, i, 9), text(r, i, 10), text(r, i, 11)};
            out.push_back(std::move(d));
        }
        return out;
    }
    std::vector<MinutesSignature> signatures(Id meeting, std::int64_t v) const override {
        auto r = run(db_,
                     "SELECT s.act, s.account_id, s.device_id, s.signed_at, s.signature, "
                     "a.username, a.display_name, g.name, d.sign_key, d.box_key, "
                     "d.box_key_signature FROM minutes_signatures s JOIN accounts a ON a.id = "
                     "s.account_id JOIN agencies g ON g.id = a.agency_id JOIN devices d ON d.id = "
                     "s.device_id WHERE s.meeting_id = ? AND s.version = ? ORDER BY s.act = "
                     "'approve', s.signed_at",
                     meeting, v);
        std::vector<MinutesSignature> out;
        for (int i = 0; i < r.rows(); ++i) {
            MinutesSignature s;
            s.act = text(r, i, 0);
            s.account = r.int64(i, 1);
            s.device = r.int64(i, 2);
            s.signed_at = r.int64(i, 3);
            s.signature = text(r, i, 4);
            s.user = text(r, i, 5);
            s.display_name = text(r, i, 6);
            s.agency = text(r, i, 7);
            s.sign_key = text(r, i, 8);
            s.box_key = text(r, i, 9);
            s.box_key_signature = text(r, i, 10);
            out.push_back(std::move(s));
        }
        return out;
    }
    std::optional<ActionRow> action(Id id) const override {
        auto r = run(db_, std::string(kActionSelect) + "WHERE a.id = ?", id);
        if (r.rows() == 0)
            return std::nullopt;
        return action_row(r, 0);
    }
    std::vector<std::pair<ActionRow, bool>> actions_of(Id meeting) const override {
        auto r = run(db_,
                     std::string(kActionSelect) +
                         "JOIN meeting_actions ma ON ma.action_id = a.id WHERE ma.meeting_id = ? "
                         "ORDER BY a.id",
                     meeting);
        std::vector<std::pair<ActionRow, bool>> out;
        for (int i = 0; i < r.rows(); ++i)
            out.emplace_back(action_row(r, i), false);
        const auto ids = int64_column(
            run(db_, "SELECT action_id FROM meeting_actions WHERE meeting_id = ? AND carried",
                meeting));
        const std::set<Id> carried(ids.begin(), ids.end());
        for (auto& [a, is_carried] : out)
            is_carried = carried.contains(a.id);
        return out;
    }
    std::vector<ActionRow> actions(const ActionFilter& f) const override {
        std::string where = "WHERE true ";
        Params params;
        if (f.member != 0) {
            where += "AND a.room_id IN (SELECT room_id FROM room_members WHERE account_id = ?) ";
            params.push_back(param(f.member));
        }
        if (f.room != 0) {
            where += "AND a.room_id = ? ";
            params.push_back(param(f.room));
        }
        if (f.owner != 0) {
            where += "AND a.owner_id = ? ";
            params.push_back(param(f.owner));
        }
        if (!f.statuses.empty()) {
            where += "AND a.status IN " + placeholders(f.statuses.size()) + " ";
            for (const auto& s : f.statuses)
                params.push_back(param(s));
        }
        if (!f.due_before.empty()) {
            where += "AND a.due < ? COLLATE \"C\" ";
            params.push_back(param(f.due_before));
        }
        if (!f.due_by.empty()) {
            where += "AND a.due <= ? COLLATE \"C\" ";
            params.push_back(param(f.due_by));
        }
        auto r = db_.exec(
            numbered(std::string(kActionSelect) + where + "ORDER BY a.due COLLATE \"C\", a.id"),
            params);
        std::vector<ActionRow> out;
        for (int i = 0; i < r.rows(); ++i)
            out.push_back(action_row(r, i));
        return out;
    }
    bool runs_meeting_of(Id action, Id account, bool draft_only) const override {
        return run(db_,
                   std::string("SELECT 1 FROM meeting_actions ma JOIN meetings m ON m.id = "
                               "ma.meeting_id WHERE ma.action_id = ? AND (m.chair_id = ? OR "
                               "m.minute_taker_id = ?)") +
                       (draft_only ? " AND m.status = 'draft'" : ""),
                   action, account, account)
                   .rows() > 0;
    }
    std::optional<bool> carried(Id meeting, Id action) const override {
        auto r =
            run(db_, "SELECT carried FROM meeting_actions WHERE meeting_id = ? AND action_id = ?",
                meeting, action);
        if (r.rows() == 0)
            return std::nullopt;
        return boolean(r, 0, 0);
    }

    Id create(const MeetingRow& m, Id created_by, Millis at) override {
        return run(db_,
                   "INSERT INTO meetings(room_id, kind, starts_at, next_meeting, marking, "
                   "chair_id, minute_taker_id, status, version, rev, body, created_by, "
                   "created_at, updated_at) VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
                   "RETURNING id",
                   m.room, m.kind, m.starts_at, empty_null(m.next_meeting), m.marking, m.chair,
                   m.minute_taker, m.status, m.version, m.rev, m.body, created_by, at, at)
            .int64(0, 0);
    }
    void update(const MeetingRow& m, Millis at) override {
        run(db_,
            "UPDATE meetings SET kind = ?, starts_at = ?, next_meeting = ?, marking = ?, status = "
            "?, chair_id = ?, minute_taker_id = ?, version = ?, rev = ?, body = ?, updated_at = ? "
            "WHERE id = ?",
            m.kind, m.starts_at, empty_null(m.next_meeting), m.marking, m.status, m.chair,
            m.minute_taker, m.version, m.rev, m.body, at, m.id);
    }
    int carry_forward(Id from, Id to, const std::vector<std::string>& open_statuses,
                      std::string_view carried_status, Millis at) override {
        Params params{param(to), param(from)};
        for (const auto& s : open_statuses)
            params.push_back(param(s));
        const int carried =
            db_.exec(numbered("INSERT INTO meeting_actions(meeting_id, action_id, carried) "
                              "SELECT ?::bigint, a.id, true FROM meeting_actions ma JOIN actions "
                              "a ON a.id = ma.action_id WHERE ma.meeting_id = ? AND a.status IN " +
                              placeholders(open_statuses.size()) + " RETURNING 1"),
                     params)
                .rows();
        run(db_,
            "UPDATE actions SET status = ?, updated_at = ? WHERE id IN (SELECT action_id FROM "
            "meeting_actions WHERE meeting_id = ? AND carried)",
            carried_status, at, to);
        return carried;
    }
    void add_version(const MinutesVersion& v) override {
        run(db_,
            "INSERT INTO minutes_versions(meeting_id, version, status, circulated_by, "
            "circulated_at, approved_by, approved_at, findings, acknowledged_by, body) "
            "VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            v.meeting, v.version, v.status, v.circulated_by, v.circulated_at,
            nullable(v.approved_by), v.approved_at, v.findings, nullable(v.acknowledged_by),
            v.body);
    }
    void update_version(const MinutesVersion& v) override {
        run(db_,
            "UPDATE minutes_versions SET status = ?, approved_by = ?, approved_at = ?, findings = "
            "?, acknowledged_by = ?, body = ? WHERE meeting_id = ? AND version = ?",
            v.status, nullable(v.approved_by), v.approved_at, v.findings,
            nullable(v.acknowledged_by), v.body, v.meeting, v.version);
    }
    void supersede(Id meeting, std::int64_t below, std::string_view from_status,
                   std::string_view status) override {
        run(db_,
            "UPDATE minutes_versions SET status = ? WHERE meeting_id = ? AND version < ? AND "
            "status = ?",
            status, meeting, below, from_status);
    }
    void distribute(Id meeting, std::int64_t v, const std::vector<Id>& accounts,
                    Millis at) override {
        for (const auto account : accounts)
            run(db_,
                "INSERT INTO minutes_distribution(meeting_id, version, account_id, sent_at) "
                "VALUES(?, ?, ?, ?)",
                meeting, v, account, at);
    }
    bool mark_received(Id meeting, std::int64_t v, Id account, Millis at) override {
        return run(db_,
                   "UPDATE minutes_distribution SET received_at = ? WHERE meeting_id = ? AND "
                   "version = ? AND account_id = ? AND received_at IS NULL RETURNING 1",
                   at, meeting, v, account)
                   .rows() > 0;
    }
    void add_signature(Id meeting, std::int64_t v, const MinutesSignature& s,
                       Millis recorded_at) override {
        run(db_,
            "INSERT INTO minutes_signatures(meeting_id, version, act, account_id, device_id, "
            "signed_at, signature, recorded_at) VALUES(?, ?, ?, ?, ?, ?, ?, ?)",
            meeting, v, s.act, s.account, s.device, s.signed_at, s.signature, recorded_at);
    }
    Id add_action(const ActionRow& a, Millis at) override {
        const auto id = run(db_,
                            "INSERT INTO actions(room_id, raised_in, owner_id, due, review, "
                            "status, rev, body, created_at, updated_at) VALUES(?, ?, ?, ?, ?, ?, "
                            "?, ?, ?, ?) RETURNING id",
                            a.room, a.raised_in, nullable(a.owner), a.due, empty_null(a.review),
                            a.status, a.rev, a.body, at, at)
                            .int64(0, 0);
        run(db_, "INSERT INTO meeting_actions(meeting_id, action_id, carried) VALUES(?, ?, false)",
            a.raised_in, id);
        return id;
    }
    void update_action(const ActionRow& a, Millis at) override {
        run(db_,
            "UPDATE actions SET owner_id = ?, due = ?, review = ?, status = ?, rev = ?, body = ?, "
            "updated_at = ? WHERE id = ?",
            nullable(a.owner), a.due, empty_null(a.review), a.status, a.rev, a.body, at, a.id);
    }
    void remove_action(Id id) override {
        run(db_, "DELETE FROM meeting_actions WHERE action_id = ?", id);
        run(db_, "DELETE FROM actions WHERE id = ?", id);
    }

  private:
    Connection& db_;
};

}  // namespace

std::unique_ptr<Meetings> make_meetings(Connection& db) {
    return std::make_unique<PgMeetings>(db);
}

}  // namespace liaise::server::pg
