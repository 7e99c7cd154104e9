// Internal: logins as sessions. Each successful login is recorded (account, device, time,
// address as the server saw it), so that a person's other devices hear of it at their next
// login and `sessions` can list them: a stolen laptop that logs in is not silent. Writer
// thread only for record_login(); any connection for recent().
#pragma once

#include <boost/json/array.hpp>
#include <cstdint>
#include <string_view>

#include "store/repo/enrolment.hpp"

namespace SQLite {
class Database;
}

namespace liaise::server::sessions {

/// How long a login is kept; older ones are pruned as new ones are recorded.
inline constexpr std::int64_t kKeepMs = store::kLoginKeepMs;
/// At most this many logins are listed (new_logins and `sessions`), newest kept.
inline constexpr int kListMax = store::kLoginListMax;

/// What record_login() found and did.
struct Recorded {
    std::int64_t session = 0;  ///< this login's id
    /// Earlier logins the device's holder should hear of, oldest first, at most kListMax.
    boost::json::array new_logins;
};

/// Records `device`'s login of `account` at `now_ms` from `address` and prunes logins older than
/// kKeepMs. The logins to tell of: with `last_session` (the id this device's client was given
/// at its previous login), every later login of the account, this device's own included (a
/// copy of its keystore logging in elsewhere); without it, the logins by the account's other
/// devices since `device`'s previous login (none at a device's first login). Each is
/// {"session","device","device_name","at","address"} and, for a device enrolled with a
/// replacement code, "issued_by" (the admin's account name) and "issued_at".
[[nodiscard]] Recorded record_login(SQLite::Database& db, std::int64_t account, std::int64_t device,
                                    std::string_view address, std::int64_t now_ms,
                                    std::int64_t last_session);

/// The account's most recent logins (at most kListMax), newest first, in the same form.
[[nodiscard]] boost::json::array recent(SQLite::Database& db, std::int64_t account);

}  // namespace liaise::server::sessions
