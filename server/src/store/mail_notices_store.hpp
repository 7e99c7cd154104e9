// Internal: what the email outbox stores. Each account's email address (a column on accounts,
// since schema version 6 when missing), which notices were sent (so each is sent once), and when
// the outbox first ran (notices cover only actions given after that, so turning email on does
// not mail everyone about every old action).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace SQLite {
class Database;
}

namespace liaise::server::mail_store {

/// Adds the email column and the outbox's table when missing. Inside Storage::create_schema.
void create_schema(SQLite::Database& db);

/// Sets (or, with an empty address, clears) an account's email address; true if it changed.
[[nodiscard]] bool set_email(SQLite::Database& db, std::int64_t account, std::string_view email);
/// The account's email address, if it has one.
[[nodiscard]] std::optional<std::string> email_of(SQLite::Database& db, std::int64_t account);

/// Which notice: an action given to its owner, or an action past its due date.
enum class Notice { action_assigned, action_overdue };
[[nodiscard]] std::string_view notice_name(Notice n) noexcept;

/// A notice to send: the action, its owner and where to write, its due date (YYYY-MM-DD).
struct Pending {
    Notice notice = Notice::action_assigned;
    std::int64_t action = 0;
    std::int64_t account = 0;
    std::string email;
    std::string display_name;
    std::string due;
};

/// Notices not yet sent, oldest action first, at most `limit`: actions given (created or
/// reassigned) since `since_ms` to an active account with an email address, and open actions of
/// such accounts due before `today` (YYYY-MM-DD).
[[nodiscard]] std::vector<Pending> pending(SQLite::Database& db, std::int64_t since_ms,
                                           std::string_view today, int limit);

/// Records that `p` was sent at `at_ms`.
void mark_sent(SQLite::Database& db, const Pending& p, std::int64_t at_ms);

/// When the outbox first ran on this database, set to `now_ms` the first time.
[[nodiscard]] std::int64_t started_at(SQLite::Database& db, std::int64_t now_ms);

}  // namespace liaise::server::mail_store
