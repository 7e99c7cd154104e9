// Internal: account rows, shared by the request handlers in
// service.cpp, minutes.cpp and admin.cpp.
#pragma once

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "liaise/protocol/messages.hpp"

namespace SQLite {
class Database;
class Statement;
}  // namespace SQLite

namespace liaise::server {

struct Account {
    std::int64_t id = 0;
    std::string user, display_name, agency, discipline;
    protocol::Role role = protocol::Role::member;
    bool suspended = false;
};

/// The SELECT that account_from() reads, ending in a join; append a WHERE clause.
inline constexpr const char* kAccountColumns =
    "SELECT a.id, a.username, a.display_name, g.name, g.discipline, a.role, a.suspended "
    "FROM accounts a JOIN agencies g ON g.id = a.agency_id ";

/// The account in the current row of a query that starts with kAccountColumns.
[[nodiscard]] Account account_from(SQLite::Statement& q);
[[nodiscard]] std::optional<Account> find_account(SQLite::Database& db, std::string_view user);
/// The accounts that are members of `room`, ascending; empty for a room with none.
[[nodiscard]] std::vector<std::int64_t> member_accounts(SQLite::Database& db, std::int64_t room);

/// {"user", "display_name", "agency", "discipline", "role"}
[[nodiscard]] boost::json::object account_json(const Account& a);

}  // namespace liaise::server
