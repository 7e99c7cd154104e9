#include "store/mail_notices_store.hpp"

#include "store/db.hpp"

namespace liaise::server::mail_store {
namespace {

// Open as minutes.cpp counts them: not done, not_done or cancelled.
constexpr const char* kOpen = "('open', 'in_progress', 'carried_forward')";

}  // namespace

void create_schema(SQLite::Database& db) {
    if (db.execAndGet("SELECT COUNT(*) FROM pragma_table_info('accounts') WHERE name = 'email'")
            .getInt() == 0)
        db.exec("ALTER TABLE accounts ADD COLUMN email TEXT");
    // One row per notice sent: (notice, action, account) is sent once. A reassigned action is a
    // new (action, account) pair and so a new notice. An action removed from a draft takes its
    // rows with it.
    db.exec(R"sql(
CREATE TABLE IF NOT EXISTS mail_notices_sent(
  notice TEXT NOT NULL,
  action_id INTEGER NOT NULL REFERENCES actions(id) ON DELETE CASCADE,
  account_id INTEGER NOT NULL REFERENCES accounts(id),
  sent_at INTEGER NOT NULL,
  PRIMARY KEY(notice, action_id, account_id));
)sql");
}

bool set_email(SQLite::Database& db, std::int64_t account, std::string_view email) {
    const auto now = email_of(db, account);
    if ((email.empty() && !now) || (now && *now == email))
        return false;
    if (email.empty())
        exec(db, "UPDATE accounts SET email = NULL WHERE id = ?", account);
    else
        exec(db, "UPDATE accounts SET email = ? WHERE id = ?", std::string(email), account);
    return true;
}

std::optional<std::string> email_of(SQLite::Database& db, std::int64_t account) {
    SQLite::Statement q(db, "SELECT email FROM accounts WHERE id = ?");
    q.bind(1, account);
    if (!q.executeStep() || q.getColumn(0).isNull())
        return std::nullopt;
    return q.getColumn(0).getString();
}

std::string_view notice_name(Notice n) noexcept {
    return n == Notice::action_assigned ? "action_assigned" : "action_overdue";
}

std::vector<Pending> pending(SQLite::Database& db, std::int64_t since_ms, std::string_view today,
                             int limit) {
    std::vector<Pending> out;
    const auto take = [&](Notice notice, const std::string& where, auto bind) {
        SQLite::Statement q(
            db, std::string("SELECT a.id, c.id, c.email, c.display_name, a.due FROM actions a "
                            "JOIN accounts c ON c.id = a.owner_id "
                            "WHERE c.email IS NOT NULL AND c.suspended = 0 AND a.status IN ") +
                    kOpen + " AND " + where +
                    " AND NOT EXISTS (SELECT 1 FROM mail_notices_sent s WHERE s.notice = ? AND "
                    "s.action_id = a.id AND s.account_id = c.id) ORDER BY a.id LIMIT ?");
        const int next = bind(q);
        q.bind(next, std::string(notice_name(notice)));
        q.bind(next + 1, limit - static_cast<int>(out.size()));
        while (q.executeStep())
            out.push_back({notice, q.getColumn(0).getInt64(), q.getColumn(1).getInt64(),
                           q.getColumn(2).getString(), q.getColumn(3).getString(),
                           q.getColumn(4).getString()});
    };
    // Given since the outbox started: created, or last changed (a reassignment) since then.
    take(Notice::action_assigned, "a.updated_at >= ?", [&](SQLite::Statement& q) {
        q.bind(1, since_ms);
        return 2;
    });
    if (static_cast<int>(out.size()) < limit)
        take(Notice::action_overdue, "a.due < ?", [&](SQLite::Statement& q) {
            q.bind(1, std::string(today));
            return 2;
        });
    return out;
}

void mark_sent(SQLite::Database& db, const Pending& p, std::int64_t at_ms) {
    exec(db,
         "INSERT OR IGNORE INTO mail_notices_sent(notice, action_id, account_id, sent_at) "
         "VALUES(?, ?, ?, ?)",
         std::string(notice_name(p.notice)), p.action, p.account, at_ms);
}

std::int64_t started_at(SQLite::Database& db, std::int64_t now) {
    SQLite::Statement q(db, "SELECT value FROM meta WHERE key = 'mail_notices_since'");
    if (q.executeStep())
        return std::stoll(q.getColumn(0).getString());
    exec(db, "INSERT INTO meta(key, value) VALUES('mail_notices_since', ?)", std::to_string(now));
    return now;
}

}  // namespace liaise::server::mail_store
