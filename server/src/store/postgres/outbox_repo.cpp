// store::Outbox on PostgreSQL (repos.hpp): addresses in accounts.email, one row per notice sent,
// and when the outbox first ran in `meta`. Each write is one statement that holds whatever
// another node committed first: a notice recorded twice, or two first runs, keep the first.
#include "store/postgres/repos.hpp"
#include "store/postgres/sql.hpp"

namespace liaise::server::pg {

using namespace store;

namespace {

// Open as the minutes count them: not done, not_done or cancelled.
constexpr const char* kOpen = "('open', 'in_progress', 'carried_forward')";

std::string_view notice_name(Notice n) noexcept {
    return n == Notice::action_assigned ? "action_assigned" : "action_overdue";
}

class PgOutbox final : public Outbox {
  public:
    explicit PgOutbox(Connection& db) : db_(db) {}

    std::optional<std::string> email_of(Id account) const override {
        auto r = run(db_, "SELECT email FROM accounts WHERE id = ?", account);
        if (r.rows() == 0 || r.is_null(0, 0))
            return std::nullopt;
        return text(r, 0, 0);
    }
    std::vector<PendingNotice> pending(Millis since, std::string_view today,
                                       int limit) const override {
        std::vector<PendingNotice> out;
        const auto take = [&](Notice notice, const std::string& where, const auto& value) {
            const int left = limit - static_cast<int>(out.size());
            if (left <= 0)
                return;
            auto r = run(db_,
                         std::string("SELECT a.id, c.id, c.email, c.display_name, a.due FROM "
                                     "actions a JOIN accounts c ON c.id = a.owner_id "
                                     "WHERE c.email IS NOT NULL AND NOT c.suspended AND "
                                     "a.status IN ") +
                             kOpen + " AND " + where +
                             " AND NOT EXISTS (SELECT 1 FROM mail_notices_sent s WHERE s.notice = "
                             "? AND s.action_id = a.id AND s.account_id = c.id) ORDER BY a.id "
                             "LIMIT ?",
                         value, notice_name(notice), left);
            for (int i = 0; i < r.rows(); ++i)
                out.push_back({notice, r.int64(i, 0), r.int64(i, 1), text(r, i, 2), text(r, i, 3),
                               text(r, i, 4)});
        };
        // Given since the outbox started: created, or last changed (a reassignment) since then.
        take(Notice::action_assigned, "a.updated_at >= ?", since);
        take(Notice::action_overdue, "a.due < ? COLLATE \"C\"", today);
        return out;
    }

    bool was_sent(const PendingNotice& p) const override {
        return run(db_,
                   "SELECT 1 FROM mail_notices_sent WHERE notice = ? AND action_id = ? AND "
                   "account_id = ?",
                   notice_name(p.notice), p.action, p.account)
                   .rows() > 0;
    }

    bool set_email(Id account, std::string_view email) override {
        const std::optional<std::string_view> value =
            email.empty() ? std::nullopt : std::optional<std::string_view>(email);
        return run(db_,
                   "UPDATE accounts SET email = ?::text WHERE id = ? AND email IS DISTINCT FROM "
                   "?::text RETURNING 1",
                   value, account, value)
                   .rows() > 0;
    }
    void mark_sent(const PendingNotice& p, Millis at) override {
        run(db_,
            "INSERT INTO mail_notices_sent(notice, action_id, account_id, sent_at) VALUES(?, ?, "
            "?, ?) ON CONFLICT DO NOTHING",
            notice_name(p.notice), p.action, p.account, at);
    }
    Millis started_at(Millis now) override {
        // The first run's value stays: a later insert (on any node) changes nothing.
        run(db_,
            "INSERT INTO meta(key, value) VALUES('mail_notices_since', ?) ON CONFLICT DO NOTHING",
            std::to_string(now));
        return std::stoll(
            text(run(db_, "SELECT value FROM meta WHERE key = 'mail_notices_since'"), 0, 0));
    }

  private:
    Connection& db_;
};

}  // namespace

std::unique_ptr<Outbox> make_outbox(Connection& db) {
    return std::make_unique<PgOutbox>(db);
}

}  // namespace liaise::server::pg
