#include "store/sessions.hpp"

#include <SQLiteCpp/SQLiteCpp.h>

#include <boost/json/object.hpp>
#include <string>

namespace liaise::server::sessions {
namespace {

namespace json = boost::json;

constexpr const char* kColumns =
    "SELECT s.device_id, d.name, s.at, s.address, i.username, d.issued_at, s.id FROM sessions s "
    "JOIN devices d ON d.id = s.device_id LEFT JOIN accounts i ON i.id = d.issued_by ";

json::object login_of(SQLite::Statement& q) {
    json::object o{{"session", q.getColumn(6).getInt64()},
                   {"device", std::to_string(q.getColumn(0).getInt64())},
                   {"device_name", q.getColumn(1).getString()},
                   {"at", q.getColumn(2).getInt64()},
                   {"address", q.getColumn(3).getString()}};
    if (!q.getColumn(5).isNull()) {
        o["issued_by"] = q.getColumn(4).isNull() ? std::string() : q.getColumn(4).getString();
        o["issued_at"] = q.getColumn(5).getInt64();
    }
    return o;
}

}  // namespace

Recorded record_login(SQLite::Database& db, std::int64_t account, std::int64_t device,
                      std::string_view address, std::int64_t now_ms, std::int64_t last_session) {
    Recorded out;
    // The newest kListMax of the logins to tell of, shown oldest first.
    const auto list = [&](const std::string& where, auto... values) {
        SQLite::Statement q(db, std::string("SELECT * FROM (") + kColumns + where +
                                    " ORDER BY s.id DESC LIMIT ?) ORDER BY 7");
        int at = 1;
        (q.bind(at++, values), ...);
        q.bind(at, kListMax);
        while (q.executeStep())
            out.new_logins.push_back(login_of(q));
    };
    if (last_session > 0) {
        list("WHERE s.account_id = ? AND s.id > ?", account, last_session);
    } else {
        SQLite::Statement previous(db, "SELECT MAX(id) FROM sessions WHERE device_id = ?");
        previous.bind(1, device);
        if (previous.executeStep() && !previous.getColumn(0).isNull())
            list("WHERE s.account_id = ? AND s.device_id != ? AND s.id > ?", account, device,
                 previous.getColumn(0).getInt64());
    }
    SQLite::Statement insert(
        db, "INSERT INTO sessions(account_id, device_id, at, address) VALUES(?, ?, ?, ?)");
    insert.bind(1, account);
    insert.bind(2, device);
    insert.bind(3, now_ms);
    insert.bind(4, std::string(address));
    insert.exec();
    out.session = db.getLastInsertRowid();
    SQLite::Statement prune(db, "DELETE FROM sessions WHERE at < ?");
    prune.bind(1, now_ms - kKeepMs);
    prune.exec();
    return out;
}

json::array recent(SQLite::Database& db, std::int64_t account) {
    SQLite::Statement q(
        db, std::string(kColumns) + "WHERE s.account_id = ? ORDER BY s.at DESC, s.id DESC LIMIT ?");
    q.bind(1, account);
    q.bind(2, kListMax);
    json::array out;
    while (q.executeStep())
        out.push_back(login_of(q));
    return out;
}

}  // namespace liaise::server::sessions
