#include <SQLiteCpp/SQLiteCpp.h>

#include "store/sqlite/repos.hpp"

namespace liaise::server::store::sqlite {
namespace {

// Open as the minutes count them: not done, not_done or cancelled.
constexpr const char* kOpen = "('open', 'in_progress', 'carried_forward')";

std::string_view notice_name(Notice n) noexcept {
    return n == Notice::action_assigned ? "action_assigned" : "action_overdue";
}

class SqlOutbox final : public Outbox {
  public:
    explicit SqlOutbox(const Conn& c) : c_(c) {}

    std::optional<std::string> email_of(Id account) const override {
        auto q = c_.sql.use("SELECT email FROM accounts WHERE id = ?");
        bind_all(*q, account);
        if (!q->executeStep() || q->getColumn(0).isNull())
            return std::nullopt;
        return q->getColumn(0).getString();
    }
    std::vector<PendingNotice> pending(Millis since, std::string_view today,
                                       int limit) const override {
        std::vector<PendingNotice> out;
        const auto take = [&](Notice notice, const std::string& where, const auto& value) {
            auto q = c_.sql.use(
                std::string("SELECT a.id, c.id, c.email, c.display_name, a.due FROM actions a "
                            "JOIN accounts c ON c.id = a.owner_id "
                            "WHERE c.email IS NOT NULL AND c.suspended = 0 AND a.status IN ") +
                kOpen + " AND " + where +
                " AND NOT EXISTS (SELECT 1 FROM mail_notices_sent s WHERE s.notice = ? AND "
                "s.action_id = a.id AND s.account_id = c.id) ORDER BY a.id LIMIT ?");
            bind_all(*q, value, notice_name(notice), limit - static_cast<int>(out.size()));
            while (q->executeStep())
                out.push_back({notice, q->getColumn(0).getInt64(), q->getColumn(1).getInt64(),
                               q->getColumn(2).getString(), q->getColumn(3).getString(),
                               q->getColumn(4).getString()});
        };
        // Given since the outbox started: created, or last changed (a reassignment) since then.
        take(Notice::action_assigned, "a.updated_at >= ?", since);
        if (static_cast<int>(out.size()) < limit)
            take(Notice::action_overdue, "a.due < ?", today);
        return out;
    }

    bool was_sent(const PendingNotice& p) const override {
        auto q = c_.sql.use(
            "SELECT 1 FROM mail_notices_sent WHERE notice = ? AND action_id = ? AND account_id = "
            "?");
        bind_all(*q, notice_name(p.notice), p.action, p.account);
        return q->executeStep();
    }

    bool set_email(Id account, std::string_view email) override {
        const auto now = email_of(account);
        if ((email.empty() && !now) || (now && *now == email))
            return false;
        if (email.empty())
            run(c_, "UPDATE accounts SET email = NULL WHERE id = ?", account);
        else
            run(c_, "UPDATE accounts SET email = ? WHERE id = ?", email, account);
        return true;
    }
    void mark_sent(const PendingNotice& p, Millis at) override {
        run(c_,
            "INSERT OR IGNORE INTO mail_notices_sent(notice, action_id, account_id, sent_at) "
            "VALUES(?, ?, ?, ?)",
            notice_name(p.notice), p.action, p.account, at);
    }
    Millis started_at(Millis now) override {
        {
            auto q = c_.sql.use("SELECT value FROM meta WHERE key = 'mail_notices_since'");
            if (q->executeStep())
                return std::stoll(q->getColumn(0).getString());
        }
        run(c_, "INSERT INTO meta(key, value) VALUES('mail_notices_since', ?)",
            std::to_string(now));
        return now;
    }

  private:
    Conn c_;
};

}  // namespace

std::unique_ptr<Outbox> make_outbox(const Conn& c) {
    return std::make_unique<SqlOutbox>(c);
}

}  // namespace liaise::server::store::sqlite
