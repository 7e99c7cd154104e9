// store::FollowUp on SQLite (repos.hpp).
#include <SQLiteCpp/SQLiteCpp.h>

#include "store/sqlite/repos.hpp"

namespace liaise::server::store::sqlite {
namespace {

/// An acknowledgement's signature as stored: NULL for an unsigned one.
std::optional<std::string> signature_or_null(const AckSignature& s) {
    if (s.signature.empty())
        return std::nullopt;
    return s.signature;
}

constexpr const char* kCommentSelect =
    "SELECT c.id, c.meeting_id, c.version, c.author_id, a.username, c.section, c.sent_at, "
    "c.resolution, c.resolved_by, c.resolved_at, c.corrected_in, c.rev, c.body FROM "
    "minutes_comments c JOIN accounts a ON a.id = c.author_id ";

AccuracyComment comment_row(SQLite::Statement& q) {
    AccuracyComment c;
    c.id = q.getColumn(0).getInt64();
    c.meeting = q.getColumn(1).getInt64();
    c.version = q.getColumn(2).getInt64();
    c.author = q.getColumn(3).getInt64();
    c.author_user = q.getColumn(4).getString();
    c.section = q.getColumn(5).getString();
    c.sent_at = q.getColumn(6).getInt64();
    c.resolution = q.getColumn(7).getString();
    c.resolved_by = id_or_0(q.getColumn(8));
    c.resolved_at = optional_int(q.getColumn(9));
    c.corrected_in = q.getColumn(10).getInt64();
    c.rev = q.getColumn(11).getInt64();
    c.body = bytes(q.getColumn(12));
    return c;
}

class SqlFollowUp final : public FollowUp {
  public:
    explicit SqlFollowUp(const Conn& c) : c_(c) {}

    std::optional<Millis> acknowledged_at(Id meeting, std::int64_t v, Id account) const override {
        auto q = c_.sql.use(
            "SELECT acknowledged_at FROM minutes_distribution WHERE meeting_id = ? AND version = "
            "? AND account_id = ?");
        bind_all(*q, meeting, v, account);
        if (!q->executeStep())
            return std::nullopt;
        return optional_int(q->getColumn(0));
    }
    std::optional<AccuracyComment> comment(Id id) const override {
        auto q = c_.sql.use(std::string(kCommentSelect) + "WHERE c.id = ?");
        bind_all(*q, id);
        if (!q->executeStep())
            return std::nullopt;
        return comment_row(*q);
    }
    std::vector<AccuracyComment> comments(Id meeting) const override {
        auto q = c_.sql.use(std::string(kCommentSelect) + "WHERE c.meeting_id = ? ORDER BY c.id");
        bind_all(*q, meeting);
        std::vector<AccuracyComment> out;
        while (q->executeStep())
            out.push_back(comment_row(*q));
        return out;
    }
    std::vector<ClockedMeeting> clocked_meetings(Id account) const override {
        auto q = c_.sql.use(
            "SELECT m.id, m.room_id, r.name, m.kind, m.starts_at, m.status, m.chair_id, "
            "m.minute_taker_id, m.version, (SELECT MIN(v.circulated_at) FROM minutes_versions v "
            "WHERE v.meeting_id = m.id) FROM meetings m JOIN rooms r ON r.id = m.room_id WHERE "
            "m.status <> 'approved' AND (? = 0 OR m.chair_id = ? OR m.minute_taker_id = ?) "
            "ORDER BY m.starts_at, m.id");
        bind_all(*q, account, account, account);
        std::vector<ClockedMeeting> out;
        while (q->executeStep()) {
            auto& m = out.emplace_back();
            m.id = q->getColumn(0).getInt64();
            m.room = q->getColumn(1).getInt64();
            m.room_name = q->getColumn(2).getString();
            m.kind = q->getColumn(3).getString();
            m.starts_at = q->getColumn(4).getString();
            m.status = q->getColumn(5).getString();
            m.chair = q->getColumn(6).getInt64();
            m.minute_taker = q->getColumn(7).getInt64();
            m.version = q->getColumn(8).getInt64();
            m.first_circulated = optional_int(q->getColumn(9));
        }
        return out;
    }
    std::vector<FollowUpMail> pending_circulation_mail(Millis since, int limit) const override {
        auto q = c_.sql.use(
            "SELECT d.meeting_id, d.version, c.id, c.email, c.display_name, m.kind, d.sent_at "
            "FROM minutes_distribution d JOIN accounts c ON c.id = d.account_id JOIN meetings m "
            "ON m.id = d.meeting_id WHERE c.email IS NOT NULL AND c.suspended = 0 AND "
            "d.sent_at >= ? AND d.acknowledged_at IS NULL AND NOT EXISTS (SELECT 1 FROM "
            "minutes_mail_sent s WHERE s.notice = 'minutes_circulated' AND s.meeting_id = "
            "d.meeting_id AND s.version = d.version AND s.account_id = d.account_id) ORDER BY "
            "d.sent_at, d.meeting_id, d.version, c.id LIMIT ?");
        bind_all(*q, since, limit);
        std::vector<FollowUpMail> out;
        while (q->executeStep())
            out.push_back({"minutes_circulated", q->getColumn(0).getInt64(),
                           q->getColumn(1).getInt64(), q->getColumn(2).getInt64(),
                           q->getColumn(3).getString(), q->getColumn(4).getString(),
                           q->getColumn(5).getString(), q->getColumn(6).getInt64()});
        return out;
    }
    bool mail_sent(std::string_view notice, Id meeting, std::int64_t v, Id account) const override {
        auto q = c_.sql.use(
            "SELECT 1 FROM minutes_mail_sent WHERE notice = ? AND meeting_id = ? AND version = ? "
            "AND account_id = ?");
        bind_all(*q, notice, meeting, v, account);
        return q->executeStep();
    }

    Acknowledged acknowledge(Id meeting, std::int64_t v, Id account, Millis at,
                             const AckSignature& s) override {
        if (run(c_,
                "UPDATE minutes_distribution SET acknowledged_at = ?, ack_device = ?, "
                "ack_signed_at = ?, ack_signature = ? WHERE meeting_id = ? AND version = ? AND "
                "account_id = ? AND acknowledged_at IS NULL",
                at, nullable(s.device), s.signed_at, signature_or_null(s), meeting, v, account) > 0)
            return Acknowledged::now;
        // An acknowledgement from before they were signed takes its first signature.
        if (!s.signature.empty() &&
            run(c_,
                "UPDATE minutes_distribution SET ack_device = ?, ack_signed_at = ?, "
                "ack_signature = ? WHERE meeting_id = ? AND version = ? AND account_id = ? AND "
                "acknowledged_at IS NOT NULL AND ack_signature IS NULL",
                nullable(s.device), s.signed_at, s.signature, meeting, v, account) > 0)
            return Acknowledged::signed_now;
        auto q = c_.sql.use(
            "SELECT 1 FROM minutes_distribution WHERE meeting_id = ? AND version = ? AND "
            "account_id = ?");
        bind_all(*q, meeting, v, account);
        return q->executeStep() ? Acknowledged::already : Acknowledged::not_recipient;
    }
    Id add_comment(const AccuracyComment& c) override {
        run(c_,
            "INSERT INTO minutes_comments(meeting_id, version, author_id, section, sent_at, "
            "resolution, resolved_by, resolved_at, corrected_in, rev, body) VALUES(?, ?, ?, ?, ?, "
            "?, ?, ?, ?, 1, ?)",
            c.meeting, c.version, c.author, c.section, c.sent_at, c.resolution,
            nullable(c.resolved_by), c.resolved_at, c.corrected_in, c.body);
        return c_.db.getLastInsertRowid();
    }
    void update_comment(const AccuracyComment& c) override {
        run(c_,
            "UPDATE minutes_comments SET resolution = ?, resolved_by = ?, resolved_at = ?, "
            "corrected_in = ?, rev = ?, body = ? WHERE id = ?",
            c.resolution, nullable(c.resolved_by), c.resolved_at, c.corrected_in, c.rev, c.body,
            c.id);
    }
    void mark_mail_sent(std::string_view notice, Id meeting, std::int64_t v, Id account,
                        Millis at) override {
        run(c_,
            "INSERT OR IGNORE INTO minutes_mail_sent(notice, meeting_id, version, account_id, "
            "sent_at) VALUES(?, ?, ?, ?, ?)",
            notice, meeting, v, account, at);
    }

  private:
    Conn c_;
};

}  // namespace

std::unique_ptr<FollowUp> make_followup(const Conn& c) {
    return std::make_unique<SqlFollowUp>(c);
}

}  // namespace liaise::server::store::sqlite
