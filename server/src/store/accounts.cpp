#include "store/accounts.hpp"

#include <SQLiteCpp/SQLiteCpp.h>

namespace liaise::server {

Account account_from(SQLite::Statement& q) {
    Account a;
    a.id = q.getColumn(0).getInt64();
    a.user = q.getColumn(1).getString();
    a.display_name = q.getColumn(2).getString();
    a.agency = q.getColumn(3).getString();
    a.discipline = q.getColumn(4).getString();
    a.role = protocol::parse_role(q.getColumn(5).getString()).value_or(protocol::Role::member);
    a.suspended = q.getColumn(6).getInt() != 0;
    return a;
}

std::optional<Account> find_account(SQLite::Database& db, std::string_view user) {
    SQLite::Statement q(db, std::string(kAccountColumns) + "WHERE a.username = ?");
    q.bind(1, std::string(user));
    if (!q.executeStep())
        return std::nullopt;
    return account_from(q);
}

std::vector<std::int64_t> member_accounts(SQLite::Database& db, std::int64_t room) {
    SQLite::Statement q(db, "SELECT account_id FROM room_members WHERE room_id = ? ORDER BY 1");
    q.bind(1, room);
    std::vector<std::int64_t> ids;
    while (q.executeStep())
        ids.push_back(q.getColumn(0).getInt64());
    return ids;
}

boost::json::object account_json(const Account& a) {
    return {{"user", a.user},
            {"display_name", a.display_name},
            {"agency", a.agency},
            {"discipline", a.discipline},
            {"role", protocol::to_string(a.role)}};
}

}  // namespace liaise::server
