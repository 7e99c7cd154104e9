// store::FollowUp on PostgreSQL (repos.hpp). Each write is one statement that holds whatever
// another node committed first: an acknowledgement or an email recorded twice keeps the first.
#include "store/postgres/repos.hpp"
#include "store/postgres/sql.hpp"

namespace liaise::server::pg {

using namespace store;

namespace {

constexpr const char* kCommentSelect =
    "SELECT c.id, c.meeting_id, c.version, c.author_id, a.username, c.section, c.sent_at, "
    "c.resolution, c.resolved_by, c.resolved_at, c.corrected_in, c.rev, c.body FROM "
    "minutes_comments c JOIN accounts a ON a.id = c.author_id ";

AccuracyComment comment_row(const Result& r, int i) {
    AccuracyComment c;
    c.id = r.int64(i, 0);
    c.meeting = r.int64(i, 1);
    c.version = r.int64(i, 2);
    c.author = r.int64(i, 3);
    c.author_user = text(r, i, 4);
    c.section = text(r, i, 5);
    c.sent_at = r.int64(i, 6);
    c.resolution = text(r, i, 7);
    c.resolved_by = id_or_0(r, i, 8);
    c.resolved_at = optional_int(r, i, 9);
    c.corrected_in = r.int64(i, 10);
    c.rev = r.int64(i, 11);
    c.body = bytes(r, i, 12);
    return c;
}

class PgFollowUp final : public FollowUp {
  public:
    explicit PgFollowUp(Connection& db) : db_(db) {}

    std::optional<Millis> acknowledged_at(Id meeting, std::int64_t v, Id account) const override {
        auto r = run(db_,
                     "SELECT acknowledged_at FROM minutes_distribution WHERE meeting_id = ? AND "
                     "version = ? AND account_id = ?",
                     meeting, v, account);
        if (r.rows() == 0)
            return std::nullopt;
        return optional_int(r, 0, 0);
    }
    std::optional<AccuracyComment> comment(Id id) const override {
        auto r = run(db_, std::string(kCommentSelect) + "WHERE c.id = ?", id);
        if (r.rows() == 0)
            return std::nullopt;
        return comment_row(r, 0);
    }
    std::vector<AccuracyComment> comments(Id meeting) const override {
        auto r =
            run(db_, std::string(kCommentSelect) + "WHERE c.meeting_id = ? ORDER BY c.id", meeting);
        std::vector<AccuracyComment> out;
        for (int i = 0; i < r.rows(); ++i)
            out.push_back(comment_row(r, i));
        return out;
    }
    std::vector<ClockedMeeting> clocked_meetings(Id account) const override {
        auto r = run(db_,
                     "SELECT m.id, m.room_id, r.name, m.kind, m.starts_at, m.status, m.chair_id, "
                     "m.minute_taker_id, m.version, (SELECT MIN(v.circulated_at) FROM "
                     "minutes_versions v WHERE v.meeting_id = m.id) FROM meetings m JOIN rooms r "
                     "ON r.id = m.room_id WHERE m.status <> 'approved' AND (?::bigint = 0 OR "
                     "m.chair_id = ? OR m.minute_taker_id = ?) ORDER BY m.starts_at COLLATE "
                     "\"C\", m.id",
                     account, account, account);
        std::vector<ClockedMeeting> out;
        for (int i = 0; i < r.rows(); ++i) {
            auto& m = out.emplace_back();
            m.id = r.int64(i, 0);
            m.room = r.int64(i, 1);
            m.room_name = text(r, i, 2);
            m.kind = text(r, i, 3);
            m.starts_at = text(r, i, 4);
            m.status = text(r, i, 5);
            m.chair = r.int64(i, 6);
            m.minute_taker = r.int64(i, 7);
            m.version = r.int64(i, 8);
            m.first_circulated = optional_int(r, i, 9);
        }
        return out;
    }
    std::vector<FollowUpMail> pending_circulation_mail(Millis since, int limit) const override {
        auto r = run(db_,
                     "SELECT d.meeting_id, d.version, c.id, c.email, c.display_name, m.kind, "
                     "d.sent_at FROM minutes_distribution d JOIN accounts c ON c.id = "
                     "d.account_id JOIN meetings m ON m.id = d.meeting_id WHERE c.email IS NOT "
                     "NULL AND NOT c.suspended AND d.sent_at >= ? AND d.acknowledged_at IS NULL "
                     "AND NOT EXISTS (SELECT 1 FROM minutes_mail_sent s WHERE s.notice = "
                     "'minutes_circulated' AND s.meeting_id = d.meeting_id AND s.version = "
                     "d.version AND s.account_id = d.account_id) ORDER BY d.sent_at, "
                     "d.meeting_id, d.version, c.id LIMIT ?",
                     since, limit);
        std::vector<FollowUpMail> out;
        for (int i = 0; i < r.rows(); ++i)
            out.push_back({"minutes_circulated", r.int64(i, 0), r.int64(i, 1), r.int64(i, 2),
                           text(r, i, 3), text(r, i, 4), text(r, i, 5), r.int64(i, 6)});
        return out;
    }
    bool mail_sent(std::string_view notice, Id meeting, std::int64_t v, Id account) const override {
        return run(db_,
                   "SELECT 1 FROM minutes_mail_sent WHERE notice = ? AND meeting_id = ? AND "
                   "version = ? AND account_id = ?",
                   notice, meeting, v, account)
                   .rows() > 0;
    }

    Acknowledged acknowledge(Id meeting, std::int64_t v, Id account, Millis at,
                             const AckSignature& s) override {
        // One statement: whether the copy exists, and whether this call set its time.
        auto r = run(db_,
                     "WITH d AS (SELECT acknowledged_at FROM minutes_distribution WHERE "
                     "meeting_id = ? AND version = ? AND account_id = ?), u AS "
                     "(UPDATE minutes_distribution SET acknowledged_at = ?, ack_device = ?, "
                     "ack_signed_at = ?, ack_signature = ? WHERE meeting_id = ? AND version = ? "
                     "AND account_id = ? AND acknowledged_at IS NULL RETURNING 1) "
                     "SELECT (SELECT COUNT(*) FROM d), (SELECT COUNT(*) FROM u)",
                     meeting, v, account, at, nullable(s.device), s.signed_at,
                     empty_null(s.signature), meeting, v, account);
        if (r.int64(0, 1) > 0)
            return Acknowledged::now;
        // An acknowledgement from before they were signed takes its first signature. Two at
        // once: the second waits on the row, then sees it signed and changes nothing.
        if (r.int64(0, 0) > 0 && !s.signature.empty() &&
            run(db_,
                "UPDATE minutes_distribution SET ack_device = ?, ack_signed_at = ?, "
                "ack_signature = ? WHERE meeting_id = ? AND version = ? AND account_id = ? AND "
                "acknowledged_at IS NOT NULL AND ack_signature IS NULL RETURNING 1",
                nullable(s.device), s.signed_at, s.signature, meeting, v, account)
                    .rows() > 0)
            return Acknowledged::signed_now;
        return r.int64(0, 0) > 0 ? Acknowledged::already : Acknowledged::not_recipient;
    }
    Id add_comment(const AccuracyComment& c) override {
        return run(db_,
                   "INSERT INTO minutes_comments(meeting_id, version, author_id, section, "
                   "sent_at, resolution, resolved_by, resolved_at, corrected_in, rev, body) "
                   "VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?) RETURNING id",
                   c.meeting, c.version, c.author, c.section, c.sent_at, c.resolution,
                   nullable(c.resolved_by), c.resolved_at, c.corrected_in, c.body)
            .int64(0, 0);
    }
    void update_comment(const AccuracyComment& c) override {
        run(db_,
            "UPDATE minutes_comments SET resolution = ?, resolved_by = ?, resolved_at = ?, "
            "corrected_in = ?, rev = ?, body = ? WHERE id = ?",
            c.resolution, nullable(c.resolved_by), c.resolved_at, c.corrected_in, c.rev, c.body,
            c.id);
    }
    void mark_mail_sent(std::string_view notice, Id meeting, std::int64_t v, Id account,
                        Millis at) override {
        run(db_,
            "INSERT INTO minutes_mail_sent(notice, meeting_id, version, account_id, sent_at) "
            "VALUES(?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
            notice, meeting, v, account, at);
    }

  private:
    Connection& db_;
};

}  // namespace

std::unique_ptr<FollowUp> make_followup(Connection& db) {
    return std::make_unique<PgFollowUp>(db);
}

}  // namespace liaise::server::pg
