#include <SQLiteCpp/SQLiteCpp.h>

#include <set>

#include "store/sqlite/repos.hpp"

namespace liaise::server::store::sqlite {
namespace {

constexpr const char* kMeetingSelect =
    "SELECT m.id, m.room_id, r.name, r.public, m.kind, m.starts_at, COALESCE(m.next_meeting, ''), "
    "m.marking, m.status, m.chair_id, m.minute_taker_id, m.version, m.rev, m.body FROM meetings m "
    "JOIN rooms r ON r.id = m.room_id ";

MeetingRow meeting_row(SQLite::Statement& q) {
    MeetingRow m;
    m.id = q.getColumn(0).getInt64();
    m.room = q.getColumn(1).getInt64();
    m.room_name = q.getColumn(2).getString();
    m.room_public = q.getColumn(3).getInt() != 0;
    m.kind = q.getColumn(4).getString();
    m.starts_at = q.getColumn(5).getString();
    m.next_meeting = q.getColumn(6).getString();
    m.marking = q.getColumn(7).getString();
    m.status = q.getColumn(8).getString();
    m.chair = q.getColumn(9).getInt64();
    m.minute_taker = q.getColumn(10).getInt64();
    m.version = q.getColumn(11).getInt64();
    m.rev = q.getColumn(12).getInt64();
    m.body = bytes(q.getColumn(13));
    return m;
}

constexpr const char* kActionSelect =
    "SELECT a.id, a.room_id, r.name, a.raised_in, a.owner_id, COALESCE(o.username, ''), a.due, "
    "COALESCE(a.review, ''), a.status, a.rev, a.body FROM actions a JOIN rooms r ON r.id = "
    "a.room_id LEFT JOIN accounts o ON o.id = a.owner_id ";

ActionRow action_row(SQLite::Statement& q) {
    ActionRow a;
    a.id = q.getColumn(0).getInt64();
    a.room = q.getColumn(1).getInt64();
    a.room_name = q.getColumn(2).getString();
    a.raised_in = q.getColumn(3).getInt64();
    a.owner = id_or_0(q.getColumn(4));
    a.owner_user = q.getColumn(5).getString();
    a.due = q.getColumn(6).getString();
    a.review = q.getColumn(7).getString();
    a.status = q.getColumn(8).getString();
    a.rev = q.getColumn(9).getInt64();
    a.body = bytes(q.getColumn(10));
    return a;
}

constexpr const char* kVersionSelect =
    "SELECT meeting_id, version, status, circulated_by, circulated_at, approved_by, approved_at, "
    "findings, acknowledged_by, body FROM minutes_versions ";

MinutesVersion version_row(SQLite::Statement& q) {
    MinutesVersion v;
    v.meeting = q.getColumn(0).getInt64();
    v.version = q.getColumn(1).getInt64();
    v.status = q.getColumn(2).getString();
    v.circulated_by = q.getColumn(3).getInt64();
    v.circulated_at = q.getColumn(4).getInt64();
    v.approved_by = id_or_0(q.getColumn(5));
    v.approved_at = optional_int(q.getColumn(6));
    v.findings = q.getColumn(7).getInt64();
    v.acknowledged_by = id_or_0(q.getColumn(8));
    v.body = bytes(q.getColumn(9));
    return v;
}

/// "(?, ?, ?)" for `n` values.
std::string placeholders(std::size_t n) {
    std::string out = "(";
    for (std::size_t i = 0; i < n; ++i)
        out += i == 0 ? "?" : ", ?";
    return out + ")";
}

class SqlMeetings final : public Meetings {
  public:
    explicit SqlMeetings(const Conn& c) : c_(c) {}

    std::optional<MeetingRow> meeting(Id id) const override {
        auto q = c_.sql.use(std::string(kMeetingSelect) + "WHERE m.id = ?");
        bind_all(*q, id);
        if (!q->executeStep())
            return std::nullopt;
        return meeting_row(*q);
    }
    std::vector<Id> meetings_in(Id room) const override {
        auto q = c_.sql.use("SELECT id FROM meetings WHERE room_id = ? ORDER BY starts_at, id");
        bind_all(*q, room);
        return int64_column(*q);
    }
    Id latest_meeting(Id room) const override {
        auto q = c_.sql.use("SELECT COALESCE(MAX(id), 0) FROM meetings WHERE room_id = ?");
        bind_all(*q, room);
        q->executeStep();
        return q->getColumn(0).getInt64();
    }
    std::optional<MinutesVersion> version(Id meeting, std::int64_t v) const override {
        auto q = c_.sql.use(std::string(kVersionSelect) + "WHERE meeting_id = ? AND version = ?");
        bind_all(*q, meeting, v);
        if (!q->executeStep())
            return std::nullopt;
        return version_row(*q);
    }
    std::vector<MinutesVersion> versions(Id meeting) const override {
        auto q = c_.sql.use(std::string(kVersionSelect) + "WHERE meeting_id = ? ORDER BY version");
        bind_all(*q, meeting);
        std::vector<MinutesVersion> out;
        while (q->executeStep())
            out.push_back(version_row(*q));
        return out;
    }
    std::vector<Distribution> distribution(Id meeting, std::int64_t v) const override {
        auto q = c_.sql.use(
            "SELECT a.username, a.display_name, g.name, d.sent_at, d.received_at, "
            "d.acknowledged_at, d.ack_device, d.ack_signed_at, d.ack_signature, k.sign_key, "
            "k.box_key, k.box_key_signature FROM "
            "minutes_distribution d JOIN accounts a ON a.id = d.account_id JOIN agencies g ON "
            "g.id = a.agency_id LEFT JOIN devices k ON k.id = d.ack_device WHERE d.meeting_id = ? "
            "AND d.version = ? ORDER BY a.username");
        bind_all(*q, meeting, v);
        std::vector<Distribution> out;
        while (q->executeStep()) {
            Distribution d;
            d.user = q->getColumn(0).getString();
            d.display_name = q->getColumn(1).getString();
            d.agency = q->getColumn(2).getString();
            d.sent_at = q->getColumn(3).getInt64();
            d.received_at = optional_int(q->getColumn(4));
            d.acknowledged_at = optional_int(q->getColumn(5));
            if (!q->getColumn(8).isNull())
                d.ack_signature =
                    AckSignature{q->getColumn(6).getInt64(),  q->getColumn(7).getInt64(),
                                 q->getColumn(8).getString(), text(q->getColumn(9)),
                                 text(q->getColumn(10)),      text(q->getColumn(11))};
            out.push_back(std::move(d));
        }
        return out;
    }
    std::vector<MinutesSignature> signatures(Id meeting, std::int64_t v) const override {
        auto q = c_.sql.use(
            "SELECT s.act, s.account_id, s.device_id, s.signed_at, s.signature, a.username, "
            "a.display_name, g.name, d.sign_key, d.box_key, d.box_key_signature FROM "
            "minutes_signatures s JOIN accounts a ON a.id = s.account_id JOIN agencies g ON g.id "
            "= a.agency_id JOIN devices d ON d.id = s.device_id WHERE s.meeting_id = ? AND "
            "s.version = ? ORDER BY s.act = 'approve', s.signed_at");
        bind_all(*q, meeting, v);
        std::vector<MinutesSignature> out;
        while (q->executeStep()) {
            MinutesSignature s;
            s.act = q->getColumn(0).getString();
            s.account = q->getColumn(1).getInt64();
            s.device = q->getColumn(2).getInt64();
            s.signed_at = q->getColumn(3).getInt64();
            s.signature = q->getColumn(4).getString();
            s.user = q->getColumn(5).getString();
            s.display_name = q->getColumn(6).getString();
            s.agency = q->getColumn(7).getString();
            s.sign_key = q->getColumn(8).getString();
            s.box_key = q->getColumn(9).getString();
            s.box_key_signature = q->getColumn(10).getString();
            out.push_back(std::move(s));
        }
        return out;
    }
    std::optional<ActionRow> action(Id id) const override {
        auto q = c_.sql.use(std::string(kActionSelect) + "WHERE a.id = ?");
        bind_all(*q, id);
        if (!q->executeStep())
            return std::nullopt;
        return action_row(*q);
    }
    std::vector<std::pair<ActionRow, bool>> actions_of(Id meeting) const override {
        auto q = c_.sql.use(std::string(kActionSelect) +
                            "JOIN meeting_actions ma ON ma.action_id = a.id WHERE "
                            "ma.meeting_id = ? ORDER BY a.id");
        bind_all(*q, meeting);
        std::vector<std::pair<ActionRow, bool>> out;
        while (q->executeStep())
            out.emplace_back(action_row(*q), false);
        auto c = c_.sql.use(
            "SELECT action_id FROM meeting_actions WHERE meeting_id = ? AND carried = 1");
        bind_all(*c, meeting);
        std::set<Id> carried;
        while (c->executeStep())
            carried.insert(c->getColumn(0).getInt64());
        for (auto& [a, is_carried] : out)
            is_carried = carried.contains(a.id);
        return out;
    }
    std::vector<ActionRow> actions(const ActionFilter& f) const override {
        std::string where = "WHERE 1 ";
        if (f.member != 0)
            where += "AND a.room_id IN (SELECT room_id FROM room_members WHERE account_id = ?) ";
        if (f.room != 0)
            where += "AND a.room_id = ? ";
        if (f.owner != 0)
            where += "AND a.owner_id = ? ";
        if (!f.statuses.empty())
            where += "AND a.status IN " + placeholders(f.statuses.size()) + " ";
        if (!f.due_before.empty())
            where += "AND a.due < ? ";
        if (!f.due_by.empty())
            where += "AND a.due <= ? ";
        auto q = c_.sql.use(std::string(kActionSelect) + where + "ORDER BY a.due, a.id");
        int at = 1;
        if (f.member != 0)
            bind_one(*q, at++, f.member);
        if (f.room != 0)
            bind_one(*q, at++, f.room);
        if (f.owner != 0)
            bind_one(*q, at++, f.owner);
        for (const auto& s : f.statuses)
            bind_one(*q, at++, s);
        if (!f.due_before.empty())
            bind_one(*q, at++, f.due_before);
        if (!f.due_by.empty())
            bind_one(*q, at++, f.due_by);
        std::vector<ActionRow> out;
        while (q->executeStep())
            out.push_back(action_row(*q));
        return out;
    }
    bool runs_meeting_of(Id action, Id account, bool draft_only) const override {
        auto q = c_.sql.use(std::string("SELECT 1 FROM meeting_actions ma JOIN meetings m ON "
                                        "m.id = ma.meeting_id WHERE ma.action_id = ? AND "
                                        "(m.chair_id = ? OR m.minute_taker_id = ?)") +
                            (draft_only ? " AND m.status = 'draft'" : ""));
        bind_all(*q, action, account, account);
        return q->executeStep();
    }
    std::optional<bool> carried(Id meeting, Id action) const override {
        auto q = c_.sql.use(
            "SELECT carried FROM meeting_actions WHERE meeting_id = ? AND action_id = ?");
        bind_all(*q, meeting, action);
        if (!q->executeStep())
            return std::nullopt;
        return q->getColumn(0).getInt() != 0;
    }

    Id create(const MeetingRow& m, Id created_by, Millis at) override {
        run(c_,
            "INSERT INTO meetings(room_id, kind, starts_at, next_meeting, marking, chair_id, "
            "minute_taker_id, status, version, rev, body, created_by, created_at, updated_at) "
            "VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            m.room, m.kind, m.starts_at, empty_null(m.next_meeting), m.marking, m.chair,
            m.minute_taker, m.status, m.version, m.rev, m.body, created_by, at, at);
        return c_.db.getLastInsertRowid();
    }
    void update(const MeetingRow& m, Millis at) override {
        run(c_,
            "UPDATE meetings SET kind = ?, starts_at = ?, next_meeting = ?, marking = ?, status = "
            "?, chair_id = ?, minute_taker_id = ?, version = ?, rev = ?, body = ?, updated_at = ? "
            "WHERE id = ?",
            m.kind, m.starts_at, empty_null(m.next_meeting), m.marking, m.status, m.chair,
            m.minute_taker, m.version, m.rev, m.body, at, m.id);
    }
    int carry_forward(Id from, Id to, const std::vector<std::string>& open_statuses,
                      std::string_view carried_status, Millis at) override {
        auto q = c_.sql.use(
            "INSERT INTO meeting_actions(meeting_id, action_id, carried) SELECT ?, a.id, 1 FROM "
            "meeting_actions ma JOIN actions a ON a.id = ma.action_id WHERE ma.meeting_id = ? "
            "AND a.status IN " +
            placeholders(open_statuses.size()));
        int n = 1;
        bind_one(*q, n++, to);
        bind_one(*q, n++, from);
        for (const auto& s : open_statuses)
            bind_one(*q, n++, s);
        const int carried = q->exec();
        run(c_,
            "UPDATE actions SET status = ?, updated_at = ? WHERE id IN (SELECT action_id FROM "
            "meeting_actions WHERE meeting_id = ? AND carried = 1)",
            carried_status, at, to);
        return carried;
    }
    void add_version(const MinutesVersion& v) override {
        run(c_,
            "INSERT INTO minutes_versions(meeting_id, version, status, circulated_by, "
            "circulated_at, approved_by, approved_at, findings, acknowledged_by, body) "
            "VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            v.meeting, v.version, v.status, v.circulated_by, v.circulated_at,
            nullable(v.approved_by), v.approved_at, v.findings, nullable(v.acknowledged_by),
            v.body);
    }
    void update_version(const MinutesVersion& v) override {
        run(c_,
            "UPDATE minutes_versions SET status = ?, approved_by = ?, approved_at = ?, findings = "
            "?, acknowledged_by = ?, body = ? WHERE meeting_id = ? AND version = ?",
            v.status, nullable(v.approved_by), v.approved_at, v.findings,
            nullable(v.acknowledged_by), v.body, v.meeting, v.version);
    }
    void supersede(Id meeting, std::int64_t below, std::string_view from_status,
                   std::string_view status) override {
        run(c_,
            "UPDATE minutes_versions SET status = ? WHERE meeting_id = ? AND version < ? AND "
            "status = ?",
            status, meeting, below, from_status);
    }
    void distribute(Id meeting, std::int64_t v, const std::vector<Id>& accounts,
                    Millis at) override {
        for (const auto account : accounts)
            run(c_,
                "INSERT INTO minutes_distribution(meeting_id, version, account_id, sent_at) "
                "VALUES(?, ?, ?, ?)",
                meeting, v, account, at);
    }
    bool mark_received(Id meeting, std::int64_t v, Id account, Millis at) override {
        return run(c_,
                   "UPDATE minutes_distribution SET received_at = ? WHERE meeting_id = ? AND "
                   "version = ? AND account_id = ? AND received_at IS NULL",
                   at, meeting, v, account) > 0;
    }
    void add_signature(Id meeting, std::int64_t v, const MinutesSignature& s,
                       Millis recorded_at) override {
        run(c_,
            "INSERT INTO minutes_signatures(meeting_id, version, act, account_id, device_id, "
            "signed_at, signature, recorded_at) VALUES(?, ?, ?, ?, ?, ?, ?, ?)",
            meeting, v, s.act, s.account, s.device, s.signed_at, s.signature, recorded_at);
    }
    Id add_action(const ActionRow& a, Millis at) override {
        run(c_,
            "INSERT INTO actions(room_id, raised_in, owner_id, due, review, status, rev, body, "
            "created_at, updated_at) VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            a.room, a.raised_in, nullable(a.owner), a.due, empty_null(a.review), a.status, a.rev,
            a.body, at, at);
        const auto id = c_.db.getLastInsertRowid();
        run(c_, "INSERT INTO meeting_actions(meeting_id, action_id, carried) VALUES(?, ?, 0)",
            a.raised_in, id);
        return id;
    }
    void update_action(const ActionRow& a, Millis at) override {
        run(c_,
            "UPDATE actions SET owner_id = ?, due = ?, review = ?, status = ?, rev = ?, body = ?, "
            "updated_at = ? WHERE id = ?",
            nullable(a.owner), a.due, empty_null(a.review), a.status, a.rev, a.body, at, a.id);
    }
    void remove_action(Id id) override {
        run(c_, "DELETE FROM meeting_actions WHERE action_id = ?", id);
        run(c_, "DELETE FROM actions WHERE id = ?", id);
    }

  private:
    static std::optional<std::string> empty_null(const std::string& s) {
        if (s.empty())
            return std::nullopt;
        return s;
    }

    Conn c_;
};

}  // namespace

std::unique_ptr<Meetings> make_meetings(const Conn& c) {
    return std::make_unique<SqlMeetings>(c);
}

}  // namespace liaise::server::store::sqlite
